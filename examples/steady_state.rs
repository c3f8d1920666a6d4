//! Is the measured horizon at a steady state? For each rule, the mean over replications of
//! each measured year's open assessments, unallocated cases, vacancies, caseload and share
//! of staff under two years' experience (monthly values averaged over the year). The
//! warm-up (`run.warmup_years`) is long enough when the years agree; docs/VALIDATION.md
//! records the figures:
//!
//! ```text
//! cargo run --release --example steady_state -- scenarios/baseline.toml 40 1
//! ```
//! (scenario, replications, seed.)

use caseload::experiment::{self, Plan};
use caseload::model::MonthRecord;
use caseload::scenario::Scenario;

/// One monthly series of a run.
type Series = fn(&MonthRecord) -> f64;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "scenarios/baseline.toml".into());
    let replications: u32 = args.next().map_or(40, |a| a.parse().expect("replications"));
    let seed: u64 = args.next().map_or(1, |a| a.parse().expect("seed"));
    let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let plan = Plan { rules: s.run.rules.clone(), replications, seed };
    let r = experiment::run(&s, &plan, 0, &|_| {});
    println!("Steady state of `{path}`, {replications} replications from seed {seed}: each measured year's mean.\n");
    println!(
        "| rule | measured year | open assessments | unallocated | vacancies | caseload | under 2 years' experience % |"
    );
    println!("|---|---|---|---|---|---|---|");
    let series: [Series; 5] = [
        |m| f64::from(m.open_assessments),
        |m| f64::from(m.unallocated),
        |m| f64::from(m.vacancies),
        |m| m.caseload_mean,
        |m| m.under_two_years_pct,
    ];
    for rule in &plan.rules {
        let runs: Vec<_> = r.runs.iter().filter(|o| o.rule == *rule).collect();
        let years = runs[0].months.len() / 12;
        for y in 0..years {
            let mean = |f: fn(&MonthRecord) -> f64| {
                let v: Vec<f64> = runs.iter().flat_map(|o| o.months[y * 12..(y + 1) * 12].iter().map(f)).collect();
                v.iter().sum::<f64>() / v.len() as f64
            };
            let cells: Vec<String> = series.iter().map(|f| format!("{:.1}", mean(*f))).collect();
            println!("| {} | {} | {} |", rule.name(), y + 1, cells.join(" | "));
        }
    }
}
