//! A fair contest: tests that would catch an answer built into the model's structure.
//! Without rating error no rule mis-rates; with every rule-specific mechanism neutral and
//! no wait the rules give identical results; one rule's mis-rating matches its closed
//! form; and admissible values of the assumptions put `manager_shared` on either side of
//! `practitioner_only`.

use caseload::experiment::{self, Plan};
use caseload::model::{Metric, Rule, combined_sd};
use caseload::scenario::params::RISK_SD;
use caseload::scenario::{Scenario, Value};

const RULES: &[&str] = &["practitioner_only", "manager_shared", "shared_for_novices:2", "shared_above:high"];

fn n(x: f64) -> Value {
    Value::Num(x)
}

/// Every rule-specific mechanism at its neutral value: no shifts, no drift, no effect of
/// deciding alone on leaving, no supervision bonus or recording time of either kind, freed manager time
/// unused, and managers that never leave.
fn neutral(s: &Scenario, extra: &[(&str, Value)]) -> Scenario {
    let mut changes = vec![
        ("judgement.lone_rating_shift", n(0.0)),
        ("judgement.shared_rating_shift", n(0.0)),
        ("judgement.drift_share", n(0.0)),
        ("judgement.manager_queue_effect", n(0.0)),
        ("workforce.lone_decision_leave_effect", n(0.0)),
        ("quality.supervision_bonus", n(0.0)),
        ("casework.recording_hours_per_shared_decision", n(0.0)),
        ("casework.recording_hours_per_lone_decision", n(0.0)),
        ("managers.freed_time_use", Value::Text("none".into())),
        ("managers.leave_rate_per_year", n(0.0)),
    ];
    changes.extend(extra.iter().cloned());
    s.with_all(&changes).expect("neutral values are admissible")
}

fn run(s: &Scenario, rules: &[&str], replications: u32, seed: u64) -> experiment::Results {
    let plan = Plan { rules: rules.iter().map(|r| Rule::parse(r).unwrap()).collect(), replications, seed };
    experiment::run(s, &plan, 0, &|_| {})
}

#[test]
fn without_rating_error_no_rule_mis_rates() {
    let s = crate::scenario("baseline")
        .with_all(&[
            ("judgement.sd_expert", n(0.0)),
            ("judgement.lone_rating_shift", n(0.0)),
            ("judgement.shared_rating_shift", n(0.0)),
            ("run.horizon_years", Value::Int(2)),
        ])
        .unwrap();
    let r = run(&s, RULES, 2, 7);
    for (i, rule) in RULES.iter().enumerate() {
        for m in [Metric::UnderRated, Metric::UnderRatedHigh, Metric::UnderRatedImmediate, Metric::OverRatedLow] {
            assert!(r.values(i, m).iter().all(|&v| v == 0.0), "{rule}: {} {:?}", m.name(), r.values(i, m));
        }
    }
}

#[test]
fn with_every_mechanism_neutral_and_no_wait_the_rules_agree_exactly() {
    // No rating error, consultations of a minute with hours to spare: a shared decision is
    // the worker's own, made the same day. Nothing else in the model may tell the rules
    // apart, so every outcome but the consultation's own must be identical, bit for bit.
    let s = neutral(
        &crate::scenario("baseline"),
        &[
            ("judgement.sd_expert", n(0.0)),
            ("managers.minutes_per_consult", n(1.0)),
            ("managers.consult_hours_per_day", n(8.0)),
            ("run.horizon_years", Value::Int(2)),
        ],
    );
    let r = run(&s, RULES, 2, 3);
    // The consultation's own: its share, its use of the manager's time, the wait for it,
    // and what that time costs (so the total cost too).
    let own =
        [Metric::Shared, Metric::ConsultUtilisation, Metric::ConsultWait, Metric::ManagerTimeCost, Metric::TotalCost];
    for (i, rule) in RULES.iter().enumerate().skip(1) {
        for &m in Metric::ALL.iter().filter(|m| !own.contains(m)) {
            let (a, b) = (r.values(0, m), r.values(i, m));
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{} differs between practitioner_only and {rule}: {a:?} against {b:?}",
                m.name()
            );
        }
    }
    // And the control: a positive rating error does tell them apart.
    let noisy = neutral(&s, &[("judgement.sd_expert", n(0.26))]);
    let r = run(&noisy, &RULES[..2], 2, 3);
    assert_ne!(r.values(0, Metric::UnderRatedHigh), r.values(1, Metric::UnderRatedHigh));
}

/// The standard normal distribution function.
fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// P(a rating falls below the band's lower cut) for a latent score uniform on [lo, hi),
/// a shift `shift` and a normal error of sd `sd`: (sd / (hi - lo)) [G(t(lo)) - G(t(hi))]
/// with G(t) = t Phi(t) + phi(t), t(x) = (lo - shift - x) / sd.
fn under_rated(lo: f64, hi: f64, shift: f64, sd: f64) -> f64 {
    let g = |t: f64| t * phi(t) + (-t * t / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let t = |x: f64| (lo - shift - x) / sd;
    sd / (hi - lo) * (g(t(lo)) - g(t(hi)))
}

#[test]
fn one_rules_mis_rating_matches_its_closed_form() {
    // A constant error sd (no learning curve, no load effect), so the share of high-risk
    // children rated below high has a closed form, for the lone rule and the shared one.
    let (sd, shift, shared_shift, rho, w, ratio, penalty) = (0.2, 0.03, -0.02, 0.5, 0.75, 1.1, 0.2);
    let s = neutral(
        &crate::scenario("baseline"),
        &[
            ("judgement.sd_expert", n(sd)),
            ("judgement.novice_sd_ratio", n(1.0)),
            ("judgement.load_effect", n(0.0)),
            ("judgement.lone_rating_shift", n(shift)),
            ("judgement.shared_rating_shift", n(shared_shift)),
            ("judgement.rho", n(rho)),
            ("judgement.manager_weight", n(w)),
            ("judgement.manager_sd_ratio", n(ratio)),
            ("judgement.manager_info_penalty", n(penalty)),
        ],
    );
    let r = run(&s, &RULES[..2], 6, 21);
    let sd_m = sd * ratio * (1.0 + penalty);
    let expect = [
        under_rated(0.70, 0.95, shift, sd),
        under_rated(0.70, 0.95, shared_shift, combined_sd(sd, sd_m, rho, 1.0 - w)),
    ];
    for (i, e) in expect.iter().enumerate() {
        let got = r.summary(i, Metric::UnderRatedHigh);
        // Each replication decides about 5,000 high-risk children: a binomial se of about
        // 0.6 points each, so the mean of 6 is good to about 0.25 points.
        let se = (e * (1.0 - e) / (6.0 * 4800.0)).sqrt() * 100.0;
        eprintln!("{}: under-rated high {:.3}% against {:.3}% (se {se:.3})", RULES[i], got.mean, 100.0 * e);
        assert!((got.mean - 100.0 * e).abs() < 4.0 * se, "{}: {:.3}% against {:.3}%", RULES[i], got.mean, 100.0 * e);
    }
    assert!((RISK_SD - (1.0f64 / 12.0).sqrt()).abs() < 1e-15, "the latent score is uniform on 0-1");
}

#[test]
fn admissible_assumptions_put_manager_shared_on_either_side() {
    let base = crate::scenario("baseline").with_all(&[("run.horizon_years", Value::Int(2))]).unwrap();
    // A manager who reads the child independently and well, and workers who under-rate
    // alone: the shared decision under-rates less.
    let helps = base
        .with_all(&[
            ("judgement.rho", n(0.2)),
            ("judgement.manager_sd_ratio", n(0.8)),
            ("judgement.manager_info_penalty", n(0.0)),
            ("judgement.manager_weight", n(0.75)),
            ("judgement.lone_rating_shift", n(-0.06)),
            ("judgement.shared_rating_shift", n(0.0)),
        ])
        .unwrap();
    // A manager far from the child, anchored and deferred to, a discussion that talks
    // risk down, and workers who lean cautious alone: the shared decision under-rates more.
    let hurts = base
        .with_all(&[
            ("judgement.rho", n(0.8)),
            ("judgement.manager_sd_ratio", n(1.25)),
            ("judgement.manager_info_penalty", n(0.5)),
            ("judgement.manager_weight", n(1.0)),
            ("judgement.lone_rating_shift", n(0.09)),
            ("judgement.shared_rating_shift", n(-0.06)),
        ])
        .unwrap();
    for (s, sign) in [(&helps, 1.0), (&hurts, -1.0)] {
        let r = run(s, &RULES[..2], 6, 13);
        let d = r.difference(0, 1, Metric::UnderRatedHigh);
        eprintln!("under-rated high, practitioner_only - manager_shared: {:.2} [{:.2}, {:.2}]", d.mean, d.lo, d.hi);
        assert!(
            sign * d.lo > 0.0 && sign * d.hi > 0.0,
            "expected sign {sign}: {:.2} [{:.2}, {:.2}]",
            d.mean,
            d.lo,
            d.hi
        );
    }
}

/// Every rule-specific mechanism set to favour deciding alone (`alone_better`) or sharing
/// (`alone_worse`), each value inside its prior, with the leaving effect of a lone decision
/// at 0: the delay and harm headlines must then be decided by the judgement and workload
/// mechanisms alone.
fn corners(base: &Scenario) -> (Scenario, Scenario) {
    let alone_better = base
        .with_all(&[
            // The wait for a shared decision: a manager with little time and long consultations.
            ("managers.consult_hours_per_day", n(0.75)),
            ("managers.minutes_per_consult", n(30.0)),
            ("casework.recording_hours_per_shared_decision", n(0.5)),
            ("casework.recording_hours_per_lone_decision", n(0.0)),
            // No drift alone; a cautious worker alone, a discussion that talks risk down, and
            // a manager far from the child, anchored and deferred to.
            ("judgement.drift_share", n(0.0)),
            ("judgement.lone_rating_shift", n(0.09)),
            ("judgement.shared_rating_shift", n(-0.06)),
            ("judgement.manager_info_penalty", n(0.5)),
            ("judgement.rho", n(0.8)),
            ("judgement.manager_weight", n(1.0)),
            ("judgement.manager_sd_ratio", n(1.25)),
            ("workforce.lone_decision_leave_effect", n(0.0)),
        ])
        .unwrap();
    let alone_worse = base
        .with_all(&[
            ("managers.consult_hours_per_day", n(3.0)),
            ("managers.minutes_per_consult", n(5.0)),
            ("casework.recording_hours_per_shared_decision", n(0.0)),
            ("casework.recording_hours_per_lone_decision", n(0.25)),
            ("judgement.drift_share", n(0.31)),
            ("judgement.drift_novice", n(1.5)),
            ("judgement.drift_overrun_days", n(30.0)),
            ("judgement.lone_rating_shift", n(-0.06)),
            ("judgement.lone_shift_novice", n(1.5)),
            ("judgement.shared_rating_shift", n(0.0)),
            ("judgement.manager_info_penalty", n(0.0)),
            ("judgement.rho", n(0.2)),
            ("judgement.manager_weight", n(0.75)),
            ("judgement.manager_sd_ratio", n(0.8)),
            ("workforce.lone_decision_leave_effect", n(0.0)),
        ])
        .unwrap();
    (alone_better, alone_worse)
}

/// For each headline of delay and harm, a point inside the priors where deciding alone is
/// better and one where it is worse, with the leaving effect at 0: no headline follows
/// from the structure alone.
#[test]
fn every_delay_and_harm_headline_can_go_either_way_without_the_leaving_effect() {
    let base = crate::scenario("baseline").with_all(&[("run.horizon_years", Value::Int(2))]).unwrap();
    let (better, worse) = corners(&base);
    // (metric, whether more is worse for the child)
    let headlines = [
        (Metric::LateDaysPerHighRisk, true),
        (Metric::ChildDaysAtRisk, true),
        (Metric::UnderRatedHigh, true),
        (Metric::WithinLimit, false),
    ];
    for (s, alone_is_better) in [(&better, true), (&worse, false)] {
        let r = run(s, &RULES[..2], 6, 17);
        for (m, more_is_worse) in headlines {
            let d = r.difference(0, 1, m);
            // practitioner_only - manager_shared: below zero is better for the child when
            // more is worse.
            let alone_better_here = if more_is_worse { d.hi < 0.0 } else { d.lo > 0.0 };
            let alone_worse_here = if more_is_worse { d.lo > 0.0 } else { d.hi < 0.0 };
            eprintln!(
                "{} alone {}: {:.3} [{:.3}, {:.3}]",
                m.name(),
                if alone_is_better { "better" } else { "worse" },
                d.mean,
                d.lo,
                d.hi
            );
            assert!(
                if alone_is_better { alone_better_here } else { alone_worse_here },
                "{}: expected deciding alone {} at this corner of the priors: {:.3} [{:.3}, {:.3}]",
                m.name(),
                if alone_is_better { "better" } else { "worse" },
                d.mean,
                d.lo,
                d.hi
            );
        }
    }
}

/// Turnover: a lone decision's effect on leaving at either end of its prior (exposure or
/// autonomy) puts deciding alone on either side.
#[test]
fn turnover_can_go_either_way() {
    let base = crate::scenario("baseline").with_all(&[("run.horizon_years", Value::Int(3))]).unwrap();
    for (effect, alone_more) in [(0.3, true), (-0.2, false)] {
        let s = base
            .with_all(&[("workforce.lone_decision_leave_effect", n(effect)), ("workforce.lone_leave_novice", n(1.5))])
            .unwrap();
        let d = run(&s, &RULES[..2], 8, 19).difference(0, 1, Metric::Turnover);
        eprintln!("turnover at leaving effect {effect}: {:.3} [{:.3}, {:.3}]", d.mean, d.lo, d.hi);
        assert!(if alone_more { d.lo > 0.0 } else { d.hi < 0.0 }, "{effect}: {:.3} [{:.3}, {:.3}]", d.mean, d.lo, d.hi);
    }
}

/// Drift can express its evidence: deciding alone with every low- and medium-risk plan
/// drifting (an extreme setting) puts at least 19 more points of assessments past the
/// limit than deciding with the manager (Islington: 25% against 6%).
#[test]
fn drift_can_produce_the_evidences_gap() {
    let base = neutral(&crate::scenario("baseline"), &[("run.horizon_years", Value::Int(2))]);
    let s = base.with_all(&[("judgement.drift_share", n(1.0)), ("judgement.drift_overrun_days", n(30.0))]).unwrap();
    let d = run(&s, &RULES[..2], 4, 23).difference(0, 1, Metric::WithinLimit);
    eprintln!("within the limit, all drift: {:.2} [{:.2}, {:.2}]", d.mean, d.lo, d.hi);
    assert!(d.hi < -19.0, "drift moves the share within the limit by {:.2} [{:.2}, {:.2}]", d.mean, d.lo, d.hi);
    // And none at all without drift, other things neutral.
    let none = run(&base.with_all(&[("judgement.sd_expert", n(0.0))]).unwrap(), &RULES[..2], 2, 23);
    let d0 = none.difference(0, 1, Metric::WithinLimit);
    assert!(d0.mean.abs() < 1.0, "without drift or rating error: {:.2}", d0.mean);
}

/// Two-sided mechanisms: each, varied over its prior with the others neutral, moves the
/// rules' difference in its own metric to both sides of zero. (One-sided mechanisms and
/// their counterparts are listed in docs/ODD.md section 8.14, which the next test reads.)
#[test]
fn two_sided_mechanisms_favour_either_rule_over_their_priors() {
    let base = neutral(&crate::scenario("baseline"), &[("run.horizon_years", Value::Int(2))]);
    let cases: [(&str, f64, f64, Metric); 3] = [
        ("judgement.lone_rating_shift", -0.06, 0.09, Metric::UnderRatedHigh),
        ("judgement.shared_rating_shift", -0.06, 0.06, Metric::UnderRatedHigh),
        ("quality.consult_supervision", 0.0, 1.0, Metric::QualityMean),
    ];
    for (key, low, high, m) in cases {
        let mut signs = Vec::new();
        for v in [low, high] {
            let mut changes = vec![(key, n(v))];
            if key == "quality.consult_supervision" {
                changes.push(("quality.supervision_bonus", n(0.08)));
                changes.push(("managers.freed_time_use", Value::Text("supervision".into())));
            }
            let s = base.with_all(&changes).unwrap();
            let d = run(&s, &RULES[..2], 4, 29).difference(0, 1, m);
            eprintln!("{key} = {v}: {} {:.4} [{:.4}, {:.4}]", m.name(), d.mean, d.lo, d.hi);
            signs.push(if d.lo > 0.0 {
                1
            } else if d.hi < 0.0 {
                -1
            } else {
                0
            });
        }
        assert!(
            signs.contains(&1) && signs.contains(&-1),
            "{key}: the difference in {} stays on one side: {signs:?}",
            m.name()
        );
    }
}

/// A mechanism only one rule can pay is named in docs/ODD.md section 8.14 with its
/// counterpart (the code's list and the page's must agree).
#[test]
fn one_sided_mechanisms_are_documented_with_their_counterparts() {
    let one_sided = [
        ("judgement.drift_share", "managers.minutes_per_consult"),
        ("judgement.drift_overrun_days", "managers.consult_hours_per_day"),
        ("casework.recording_hours_per_shared_decision", "casework.recording_hours_per_lone_decision"),
        ("judgement.manager_info_penalty", "judgement.manager_sd_ratio"),
        ("judgement.manager_queue_effect", "judgement.lone_shift_novice"),
    ];
    let odd = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ODD.md")).unwrap();
    let at = odd.find("### 8.14 ").expect("docs/ODD.md has section 8.14 on one-sided mechanisms");
    let section = &odd[at..odd[at + 4..].find("\n### ").map_or(odd.len(), |e| at + 4 + e)];
    for (mechanism, counterpart) in one_sided {
        assert!(
            section.contains(&format!("`{mechanism}`")) && section.contains(&format!("`{counterpart}`")),
            "ODD 8.14 names {mechanism} and its counterpart {counterpart}"
        );
    }
}
