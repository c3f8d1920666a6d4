//! The case log by tier, as a social worker would read it: for each rule, by true tier, by
//! decided tier and for the correctly rated alone, the mean working days to the first visit, to the timescale decision
//! and to completion, the share completed within the limit, the share whose need was
//! missed, and the weighted child-days at risk per assessment. The table in
//! docs/VALIDATION.md is this program's output:
//!
//! ```text
//! cargo run --release --example case_log_by_tier -- scenarios/baseline.toml 4 3
//! ```
//! (scenario, replications, seed; the defaults are those.)

use std::sync::{Arc, Mutex};

use caseload::experiment::{self, CaseSink, Plan};
use caseload::model::{CaseRecord, Tier};
use caseload::scenario::Scenario;

/// Keeps every record of a run in memory (fine for a few replications of one authority).
struct Keep(Arc<Mutex<Vec<(usize, CaseRecord)>>>, usize);

impl CaseSink for Keep {
    fn write(&mut self, _part: usize, batch: &[CaseRecord]) {
        self.0.lock().expect("records").extend(batch.iter().map(|c| (self.1, *c)));
    }
    fn finish(self: Box<Self>) {}
}

#[derive(Default, Clone, Copy)]
struct Row {
    n: u64,
    seen: f64,
    decided: f64,
    completed: f64,
    within: u64,
    missed: u64,
    risk: f64,
}

impl Row {
    fn add(&mut self, c: &CaseRecord, limit: u32) {
        self.n += 1;
        self.seen += f64::from(c.days_to_start);
        self.decided += f64::from(c.days_to_decision);
        self.completed += f64::from(c.days_to_completion);
        self.within += u64::from(c.days_to_completion <= limit);
        self.missed += u64::from(c.missed);
        self.risk += c.risk_days;
    }

    fn line(&self, rule: &str, by: &str, tier: &str) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "| {rule} | {by} | {tier} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
            self.n,
            self.seen / n,
            self.decided / n,
            self.completed / n,
            100.0 * self.within as f64 / n,
            100.0 * self.missed as f64 / n,
            self.risk / n
        )
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "scenarios/baseline.toml".into());
    let replications: u32 = args.next().map_or(4, |a| a.parse().expect("replications"));
    let seed: u64 = args.next().map_or(3, |a| a.parse().expect("seed"));
    let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let plan = Plan { rules: s.run.rules.clone(), replications, seed };
    let kept = Arc::new(Mutex::new(Vec::new()));
    let sink = kept.clone();
    let per_rule = replications as usize;
    experiment::run_logged(&s, &plan, 0, &|_| {}, &move |run| {
        Box::new(Keep(sink.clone(), run / per_rule)) as Box<dyn CaseSink>
    });
    let records = kept.lock().expect("records");
    let limit = s.demand.limit_days;
    println!(
        "Case log of `{path}`, {replications} replications from seed {seed}: completed assessments in the measured years.\n"
    );
    println!(
        "| rule | by | tier | assessments | days to first visit | days to decision | days to completion | within the limit % | missed need % | child-days at risk per assessment |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (r, rule) in plan.rules.iter().enumerate() {
        for by in ["true tier", "decided tier", "correctly rated"] {
            let mut rows = [Row::default(); 4];
            for (_, c) in records.iter().filter(|(i, _)| *i == r) {
                if by == "correctly rated" && c.true_tier != c.decided_tier {
                    continue;
                }
                let t = if by == "decided tier" { c.decided_tier } else { c.true_tier };
                rows[t.index()].add(c, limit);
            }
            for t in Tier::ALL {
                println!("{}", rows[t.index()].line(&rule.name(), by, t.name()));
            }
        }
    }
}
