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
/// deciding alone on leaving, no supervision bonus or recording time, freed manager time
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
    let own = [Metric::Shared, Metric::ConsultUtilisation, Metric::ConsultWait];
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
