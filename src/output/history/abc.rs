//! What the record says (`caseload history --abc N`): `abc_draws.csv` (every draw's
//! values, statistics, effects and distance), `posterior.csv` (each unknown's prior and
//! posterior, the method's coverage and the smallest change the data could detect) and
//! `concerns.csv` (each concern's probability, prior and posterior), and the words.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use polars::prelude::*;

use crate::abc::{
    Draw, STATISTICS, Unknown, accepted, coverage, detectable, distance, marginal, scales, share_above_zero,
};
use crate::format::num;
use crate::output::table_file::write_csv;

/// The analysis of a reference table against the data.
pub struct Analysis<'a> {
    pub unknowns: &'a [Unknown],
    pub draws: &'a [Draw],
    pub data: Vec<f64>,
    pub accept: f64,
    /// Planted answers: the leaving effect planted, and the draw made with it.
    pub planted: Vec<(f64, Draw)>,
}

impl Analysis<'_> {
    fn scales(&self) -> Vec<f64> {
        scales(self.draws)
    }
    fn accepted(&self, data: &[f64]) -> Vec<usize> {
        accepted(self.draws, data, &self.scales(), self.accept, None)
    }
    fn concerns(&self, acc: &[usize]) -> [(&'static str, f64, f64); 3] {
        let all = |f: fn(&Draw) -> f64| share_above_zero(&self.draws.iter().map(f).collect::<Vec<_>>());
        let post = |f: fn(&Draw) -> f64| share_above_zero(&acc.iter().map(|&i| f(&self.draws[i])).collect::<Vec<_>>());
        [
            (
                "the change added child-days at risk in England",
                all(|d| d.child_days_at_risk),
                post(|d| d.child_days_at_risk),
            ),
            ("the change raised turnover in England", all(|d| d.turnover), post(|d| d.turnover)),
            ("the change added high-risk children started late", all(|d| d.high_risk_late), post(|d| d.high_risk_late)),
        ]
    }
}

/// Writes the three tables into `dir`; gives the answer in words.
pub fn write(dir: &Path, a: &Analysis<'_>) -> Result<String> {
    let sc = a.scales();
    let acc = a.accepted(&a.data);
    let mut cols: Vec<Column> = vec![Column::new("draw".into(), (0..a.draws.len() as u32).collect::<Vec<_>>())];
    for (u, unknown) in a.unknowns.iter().enumerate() {
        cols.push(Column::new(unknown.name.as_str().into(), a.draws.iter().map(|d| d.values[u]).collect::<Vec<f64>>()));
    }
    for (j, s) in STATISTICS.iter().enumerate() {
        cols.push(Column::new((*s).into(), a.draws.iter().map(|d| d.statistics[j]).collect::<Vec<f64>>()));
    }
    cols.push(Column::new(
        "effect_child_days_at_risk_per_year".into(),
        a.draws.iter().map(|d| d.child_days_at_risk).collect::<Vec<f64>>(),
    ));
    cols.push(Column::new("effect_turnover_points".into(), a.draws.iter().map(|d| d.turnover).collect::<Vec<f64>>()));
    cols.push(Column::new(
        "effect_high_risk_started_late_per_year".into(),
        a.draws.iter().map(|d| d.high_risk_late).collect::<Vec<f64>>(),
    ));
    cols.push(Column::new(
        "distance".into(),
        a.draws.iter().map(|d| distance(&d.statistics, &a.data, &sc)).collect::<Vec<f64>>(),
    ));
    cols.push(Column::new("accepted".into(), (0..a.draws.len()).map(|i| acc.contains(&i)).collect::<Vec<bool>>()));
    write_csv(&mut DataFrame::new_infer_height(cols)?, &dir.join("abc_draws.csv"))?;

    let cover = coverage(a.draws, &sc, a.accept);
    let detect = detectable(a.draws);
    let mut rows: Vec<[f64; 8]> = Vec::new();
    for u in 0..a.unknowns.len() {
        let prior = marginal(&a.draws.iter().map(|d| d.values[u]).collect::<Vec<_>>());
        let post = marginal(&acc.iter().map(|&i| a.draws[i].values[u]).collect::<Vec<_>>());
        rows.push([prior.mean, prior.p05, prior.p95, post.mean, post.p05, post.p95, cover[u], detect[u]]);
    }
    let names = [
        "prior_mean",
        "prior_p05",
        "prior_p95",
        "posterior_mean",
        "posterior_p05",
        "posterior_p95",
        "coverage_of_accepted_range",
        "smallest_detectable_change",
    ];
    let mut cols = vec![Column::new("unknown".into(), a.unknowns.iter().map(|u| u.name.as_str()).collect::<Vec<_>>())];
    for (j, n) in names.iter().enumerate() {
        cols.push(Column::new((*n).into(), rows.iter().map(|r| r[j]).collect::<Vec<f64>>()));
    }
    write_csv(&mut DataFrame::new_infer_height(cols)?, &dir.join("posterior.csv"))?;

    let concerns = a.concerns(&acc);
    write_csv(
        &mut DataFrame::new_infer_height(vec![
            Column::new("concern".into(), concerns.iter().map(|c| c.0).collect::<Vec<_>>()),
            Column::new("prior_probability".into(), concerns.iter().map(|c| c.1).collect::<Vec<f64>>()),
            Column::new("posterior_probability".into(), concerns.iter().map(|c| c.2).collect::<Vec<f64>>()),
        ])?,
        &dir.join("concerns.csv"),
    )?;

    let mut w = String::new();
    let _ = writeln!(
        w,
        "What England's figures since 2018 say (rejection ABC: {} draws from the priors, the nearest {} accepted on {} statistics: {} slopes across authorities that a year effect common to all cannot move, and England's break in re-referrals with such a year effect drawn as a nuisance):",
        a.draws.len(),
        acc.len(),
        STATISTICS.len(),
        STATISTICS.len() - 1
    );
    for (name, prior, post) in concerns {
        let _ = writeln!(w, "- {name}: probability {} before the data, {} after.", num(prior), num(post));
    }
    for (u, unknown) in a.unknowns.iter().enumerate() {
        let r = rows[u];
        let _ = writeln!(
            w,
            "- {}: prior {} [{}, {}], posterior {} [{}, {}]; the accepted range holds a drawn value {}% of the time (calibrated: {}%); the smallest change these data could detect is {}.",
            unknown.name,
            num(r[0]),
            num(r[1]),
            num(r[2]),
            num(r[3]),
            num(r[4]),
            num(r[5]),
            num(100.0 * r[6]),
            num(100.0 * crate::abc::expected_coverage(crate::abc::n_accepted(a.draws.len(), a.accept))),
            if r[7].is_finite() { num(r[7]) } else { "none: no statistic moves with it".to_string() }
        );
    }
    let leave = a.unknowns.iter().position(|u| u.name == "workforce.lone_decision_leave_effect");
    for (value, d) in &a.planted {
        let acc = a.accepted(&d.statistics);
        if let Some(u) = leave {
            let m = marginal(&acc.iter().map(|&i| a.draws[i].values[u]).collect::<Vec<_>>());
            let _ = writeln!(
                w,
                "- Planted: a leaving effect of {} gives a posterior {} [{}, {}] ({}).",
                num(*value),
                num(m.mean),
                num(m.p05),
                num(m.p95),
                if m.p05 <= *value && *value <= m.p95 { "covered" } else { "not covered" }
            );
        }
    }
    Ok(w)
}
