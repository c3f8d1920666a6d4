//! Benchmarks: one replication of the baseline (10 simulated years), 100 paired
//! replications (both rules) on all cores, and one replication of England's 150
//! authorities.

use criterion::{Criterion, criterion_group, criterion_main};

use caseload::experiment::{self, Plan};
use caseload::model::{Rule, run_one};
use caseload::scenario::{Scenario, Value};

fn baseline() -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml");
    Scenario::load(path).expect("baseline scenario")
}

fn one_replication(c: &mut Criterion) {
    let s = baseline();
    let s = s.with_all(&[("run.warmup_years", Value::Int(3)), ("run.horizon_years", Value::Int(7))]).expect("10 years");
    c.bench_function("baseline_one_replication_10_years", |b| b.iter(|| run_one(&s, Rule::ManagerShared, 2017, 0)));
}

fn paired_replications(c: &mut Criterion) {
    let s = baseline();
    let plan = Plan { rules: vec![Rule::PractitionerOnly, Rule::ManagerShared], replications: 100, seed: 2017 };
    let mut group = c.benchmark_group("paired");
    group.sample_size(10);
    group.bench_function("baseline_100_paired_replications", |b| b.iter(|| experiment::run(&s, &plan, 0, &|_| {})));
    group.finish();
}

/// England's scale: 150 authorities, each the baseline's with a code of its own (as
/// `examples/england_replication`), one 10-year replication under one rule.
fn england(c: &mut Criterion) {
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml")).expect("baseline");
    let head = &base[..base.find("[[authority]]").expect("an authority")];
    let rest = &base[base.find("[demand]").expect("a demand section")..];
    let mut text = head.replace("horizon_years = 5", "horizon_years = 7");
    for i in 1..=150 {
        text.push_str(&format!(
            "[[authority]]\nname = \"authority_{i}\"\ncode = \"E99{i:06}\"\nteams = 23\nposts_per_team = 6\nnew_referrals_per_year = 3350\n\n"
        ));
    }
    text.push_str(rest);
    let s = Scenario::from_toml(&text, std::path::Path::new("england_benchmark.toml")).expect("a valid scenario");
    let mut group = c.benchmark_group("england");
    group.sample_size(10);
    group.bench_function("england_150_authorities_one_replication_10_years", |b| {
        b.iter(|| run_one(&s, Rule::ManagerShared, 2017, 0))
    });
    group.finish();
}

criterion_group!(benches, one_replication, paired_replications, england);
criterion_main!(benches);
