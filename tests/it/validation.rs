//! Structural validation against theory (model.md section 7).

use caseload::experiment::{self, Plan};
use caseload::model::{Metric, Rule};
use caseload::scenario::Value;

/// With stress and exposure effects off, no notice, and one leaving rate for every
/// employed worker, the measured annual turnover is the leaving hazard.
#[test]
fn turnover_matches_a_constant_leaving_hazard() {
    let rate = 0.15;
    let s = crate::scenario("baseline");
    let n = |x: f64| Value::Num(x);
    let s = s
        .with_all(&[
            ("workforce.stress_effect", n(0.0)),
            ("workforce.exposure_effect", n(0.0)),
            ("workforce.notice_days", n(0.0)),
            ("workforce.leave_rate_permanent", n(rate)),
            ("workforce.leave_rate_newly_qualified", n(rate)),
        ])
        .unwrap();
    let plan = Plan { rules: vec![Rule::PractitionerOnly], replications: 24, seed: 11 };
    let r = experiment::run(&s, &plan, 0, &|_| {});
    let t = r.summary(0, Metric::Turnover);
    let se = t.sd / (t.n as f64).sqrt();
    assert!(
        (t.mean - 100.0 * rate).abs() < 3.0 * se,
        "measured turnover {:.2}% (se {:.2}) against a hazard of {}%",
        t.mean,
        se,
        100.0 * rate
    );
    // The check has power: a hazard 10% higher would be told apart.
    assert!(3.0 * se < 0.1 * 100.0 * rate, "se {se} too large to tell");
}
