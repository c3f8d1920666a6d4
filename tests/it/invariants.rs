//! Invariants that must survive any model change, checked as properties over random
//! scenarios: every referral is accounted for, caps hold, rates and quality are in bounds.

use caseload::model::{Metric, Rule, Sim, Tier};
use caseload::scenario::{Scenario, Value};
use proptest::prelude::*;

fn rule_strategy() -> impl Strategy<Value = Rule> {
    prop_oneof![
        Just(Rule::PractitionerOnly),
        Just(Rule::ManagerShared),
        (0.0f64..5.0).prop_map(|y| Rule::SharedForNovices { max_years: y }),
        prop_oneof![Just(Tier::Medium), Just(Tier::High), Just(Tier::Immediate)]
            .prop_map(|tier| Rule::SharedAbove { tier }),
    ]
}

#[derive(Debug, Clone)]
struct Small {
    teams: u32,
    posts: u32,
    referrals_per_post: f64,
    cap: u32,
    nq_cap: u32,
    leave: f64,
    notice: u32,
    consult_hours: f64,
    vacancy: f64,
    exponential: bool,
}

fn small_strategy() -> impl Strategy<Value = Small> {
    (1u32..4, 2u32..9, 5.0f64..60.0, 3u32..30, 0.05f64..1.5, 0u32..30, 0.1f64..3.0, 0.0f64..0.6, any::<bool>())
        .prop_flat_map(|(teams, posts, rpp, cap, leave, notice, ch, vac, exp)| {
            (1..=cap).prop_map(move |nq| Small {
                teams,
                posts,
                referrals_per_post: rpp,
                cap,
                nq_cap: nq,
                leave,
                notice,
                consult_hours: ch,
                vacancy: vac,
                exponential: exp,
            })
        })
}

fn build(p: &Small) -> Scenario {
    let n = |x: f64| Value::Num(x);
    Scenario::default()
        .with_all(&[
            ("authority.teams", n(f64::from(p.teams))),
            ("authority.posts_per_team", n(f64::from(p.posts))),
            ("authority.new_referrals_per_year", n(p.referrals_per_post * f64::from(p.posts * p.teams))),
            ("casework.caseload_cap", n(f64::from(p.cap))),
            ("casework.caseload_cap_newly_qualified", n(f64::from(p.nq_cap))),
            ("workforce.leave_rate_permanent", n(p.leave)),
            ("workforce.leave_rate_agency", n(p.leave * 2.0)),
            ("managers.leave_rate_per_year", n(p.leave)),
            ("workforce.notice_days", n(f64::from(p.notice))),
            ("managers.consult_hours_per_day", n(p.consult_hours)),
            ("workforce.initial_vacancy_share", n(p.vacancy)),
            ("managers.consult_time", Value::Text(if p.exponential { "exponential" } else { "fixed" }.into())),
            ("run.warmup_years", n(0.0)),
        ])
        .expect("a valid small scenario")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn referrals_are_conserved_and_caps_hold(p in small_strategy(), rule in rule_strategy(), seed in 0u64..1000) {
        let s = build(&p);
        let mut sim = Sim::new(&s, rule, seed, 0);
        for _ in 0..400 {
            sim.step();
            let c = sim.census();
            prop_assert_eq!(c.arrived, c.awaiting_allocation + c.awaiting_decision + c.in_assessment + c.completed, "day {}", sim.day());
            prop_assert_eq!(c.misplaced, 0, "day {}: a case in a manager's queue that is not that team's", sim.day());
            prop_assert!(c.worst_excess_over_cap <= 0 || c.workers == 0, "a caseload exceeds its cap by {} on day {}", c.worst_excess_over_cap, sim.day());
            prop_assert!(c.workers <= c.posts);
        }
        let out = sim.finish();
        for &m in Metric::ALL {
            let v = out.metrics.get(m);
            prop_assert!(v.is_nan() || v >= 0.0, "{} is {}", m.name(), v);
            // Shares are at most 100%; manager utilisation is not a share (same-day
            // consultations for immediate risk can run over the day's time).
            if m.unit() == "%" && m != Metric::ConsultUtilisation {
                prop_assert!(v.is_nan() || v <= 100.0 + 1e-9, "{} is {}", m.name(), v);
            }
        }
        let q = out.metrics.get(Metric::QualityMean);
        prop_assert!(q.is_nan() || (0.0..=1.0).contains(&q));
        if rule == Rule::PractitionerOnly {
            prop_assert!(out.metrics.get(Metric::Shared) == 0.0 || out.metrics.get(Metric::Shared).is_nan());
        }
    }
}
