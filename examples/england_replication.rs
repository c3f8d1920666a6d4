//! The England benchmark's workload without a benchmark harness: one 10-year replication
//! (3 years of warm-up, 7 measured) of a scenario of N authorities under `manager_shared`,
//! each authority the baseline's (23 teams of 6, about 4,300 referrals a year) with a code
//! of its own, so each runs on its own streams. 150 of them (20,700 posts, 645,000
//! referrals a year) are England's scale. For instruction counts, a slice:
//!
//! ```text
//! cargo build --release --no-default-features --example england_replication
//! valgrind --tool=callgrind target/release/examples/england_replication 10
//! /usr/bin/time -v target/release/examples/england_replication 150
//! ```

use caseload::model::{Metric, Rule, run_one};
use caseload::scenario::Scenario;

fn main() {
    let n: usize = std::env::args().nth(1).map_or(150, |a| a.parse().expect("a number of authorities"));
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml")).expect("baseline");
    let head = &base[..base.find("[[authority]]").expect("an authority")];
    let rest = &base[base.find("[demand]").expect("a demand section")..];
    let mut text = head.replace("horizon_years = 5", "horizon_years = 7");
    for i in 1..=n {
        text.push_str(&format!(
            "[[authority]]\nname = \"authority_{i}\"\ncode = \"E99{i:06}\"\nteams = 23\nposts_per_team = 6\nnew_referrals_per_year = 3350\n\n"
        ));
    }
    text.push_str(rest);
    let s = Scenario::from_toml(&text, std::path::Path::new("england_benchmark.toml")).expect("a valid scenario");
    let out = run_one(&s, Rule::ManagerShared, 2017, 0);
    println!(
        "{n} authorities: {:.0} referrals a year, {:.0} assessments a year",
        out.metrics.get(Metric::ReferralsPerYear),
        out.metrics.get(Metric::AssessmentsPerYear)
    );
}
