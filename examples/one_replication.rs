//! The benchmark's workload without the benchmark: one 10-year replication of the
//! baseline (3 years of warm-up, 7 measured) under `manager_shared`, seed 2017, for
//! profilers. Wall time on a shared machine moves by a third from minute to minute;
//! instruction counts do not:
//!
//! ```text
//! cargo build --release --no-default-features --example one_replication
//! valgrind --tool=callgrind target/release/examples/one_replication
//! perf record target/release/examples/one_replication 50
//! ```
//!
//! The optional first argument repeats the replication (replications 0, 1, 2, 0, ...);
//! the optional second names another scenario file (to see what a mechanism costs).

use caseload::model::{Rule, run_one};
use caseload::scenario::{Scenario, Value};

fn main() {
    let path = std::env::args()
        .nth(2)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml").to_string());
    let s = Scenario::load(&path).expect("a valid scenario");
    let s = s.with_all(&[("run.warmup_years", Value::Int(3)), ("run.horizon_years", Value::Int(7))]).expect("10 years");
    let n: u64 = std::env::args().nth(1).map_or(1, |a| a.parse().expect("a number of replications"));
    let mut completed = 0.0;
    for i in 0..n {
        let out = run_one(&s, Rule::ManagerShared, 2017, i % 3);
        completed += out.metrics.0[caseload::model::Metric::AssessmentsPerYear as usize];
    }
    println!("{n} replications, {:.1} assessments a year on average", completed / n as f64);
}
