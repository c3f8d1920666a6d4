//! Prints everything one run gives back, for several scenarios, rules and seeds, so that a
//! change meant to leave the model's results alone (a speed-up, a refactor) can be
//! checked against the output of the revision before it:
//!
//! ```text
//! cargo run --release --no-default-features --example fingerprint > before.txt
//! (change the code)
//! cargo run --release --no-default-features --example fingerprint > after.txt
//! diff before.txt after.txt
//! ```
//!
//! Counts and days print exactly; real numbers to 12 significant figures, so a change in
//! the last bit of a sum (a reordered addition) does not show, but any change in what
//! happened to a referral or a worker does. The last line hashes every bit of every real
//! number, to tell a bit-for-bit match from a match to 12 figures.

use std::hash::{DefaultHasher, Hash, Hasher};

use caseload::model::{CaseRecord, Rule, Sim};
use caseload::scenario::Scenario;

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let rules = [
        Rule::PractitionerOnly,
        Rule::ManagerShared,
        Rule::parse("shared_for_novices:2").expect("rule"),
        Rule::parse("shared_above:high").expect("rule"),
    ];
    let mut bits = DefaultHasher::new();
    for name in ["baseline", "england_2025", "high_turnover", "stretched_managers", "teaching_one_team"] {
        let s = Scenario::load(format!("{root}/scenarios/{name}.toml")).expect("bundled scenario");
        for rule in rules {
            for replication in 0..2 {
                let mut sim = Sim::new(&s, rule, s.run.seed, replication);
                sim.log_cases();
                let end = s.run.warmup_days + s.run.horizon_days;
                let mut cases: Vec<CaseRecord> = Vec::new();
                while sim.day() < end {
                    sim.step();
                    sim.take_case_log(&mut cases);
                }
                let out = sim.finish();
                let months =
                    out.months.iter().flat_map(|m| [m.within_45_to_date_pct, m.caseload_mean, m.under_two_years_pct]);
                let logged = cases.iter().flat_map(|c| [c.quality, c.worker_years]);
                for v in out.metrics.0.iter().copied().chain(months).chain(logged) {
                    v.to_bits().hash(&mut bits);
                }
                println!("{name} {rule} {replication}");
                let metrics: Vec<String> = out.metrics.0.iter().map(|v| format!("{v:.12e}")).collect();
                println!("  metrics {}", metrics.join(" "));
                println!("  completion_days {:?}", out.completion_days);
                for m in &out.months {
                    println!(
                        "  month {} {} {} {:.12e} {} {} {:.12e} {} {} {} {} {:.12e} {}",
                        m.month,
                        m.referrals,
                        m.completed,
                        m.within_45_to_date_pct,
                        m.open_assessments,
                        m.unallocated,
                        m.caseload_mean,
                        m.headcount,
                        m.vacancies,
                        m.agency,
                        m.leavers,
                        m.under_two_years_pct,
                        m.consult_queue
                    );
                }
                for c in &cases {
                    println!(
                        "  case {} {} {} {:?} {:?} {} {} {} {} {:.12e} {} {:.12e} {:?}",
                        c.key,
                        c.is_rereferral,
                        c.arrival_day,
                        c.true_tier,
                        c.decided_tier,
                        c.shared,
                        c.days_to_decision,
                        c.days_to_start,
                        c.days_to_completion,
                        c.quality,
                        c.missed,
                        c.worker_years,
                        c.worker_kind
                    );
                }
            }
        }
    }
    println!("bits {:016x}", bits.finish());
}
