//! Benchmarks: one replication of the baseline (10 simulated years), and 100 paired
//! replications (both rules) on all cores.

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

criterion_group!(benches, one_replication, paired_replications);
criterion_main!(benches);
