//! What England's figures since 2018 say about the mechanisms: rejection approximate
//! Bayesian computation over the history (docs/ODD.md section 6.7). Pure.
//!
//! Each draw takes the contested mechanisms from their priors (and the two unknowns of the
//! switch: the share of authorities whose practice changed, and the lag), runs England's
//! history and its counterfactual once, and reduces the history to summary statistics: for turnover, vacancy, agency rate and
//! re-referrals, each authority's change from before the switch year to after, less
//! England's mean change, regressed on the authority's turnover before (the concern is
//! that deciding alone does most harm where turnover is high); and England's break in
//! re-referrals (an outcome, where turnover is an input), which a common year effect does
//! move, so one is drawn as a nuisance ([`YEAR_EFFECT`]). The same statistics of the
//! published figures are the data. Draws are ranked by the distance of their statistics
//! from the data's, each statistic over its spread across draws; the nearest `accept`
//! share is the posterior.

use crate::england::history::{AuthorityHistory, Request, histories};
use crate::history::run_both;
use crate::model::{Metric, Metrics};
use crate::scenario::params::{Dist, find_path};
use crate::scenario::{Scenario, Value};
use crate::uncertainty::latin_hypercube;

/// The contested mechanisms drawn, by key; their priors are the scenario's.
pub const MECHANISMS: [&str; 7] = [
    "workforce.lone_decision_leave_effect",
    "workforce.lone_leave_novice",
    "judgement.lone_rating_shift",
    "judgement.drift_share",
    "judgement.manager_info_penalty",
    "judgement.manager_weight",
    "managers.minutes_per_consult",
];

/// The switch's unknowns, with their priors (judgement: no survey of practice after 2018
/// was found): the share of authorities whose practice changed, uniform 0 to 1, and the
/// lag in working days, uniform 0 to 250 (a year).
pub const SHARE: &str = "share_changed";
pub const LAG: &str = "lag_days";
pub const SWITCH_PRIORS: [(&str, Dist); 2] =
    [(SHARE, Dist::Uniform { low: 0.0, high: 1.0 }), (LAG, Dist::Uniform { low: 0.0, high: 250.0 })];

/// A nuisance: a year effect common to all authorities on England's re-referral rate after
/// the switch year (recording, thresholds, the pandemic), in points, added to the
/// simulated break so that the break is not read as the rule's alone. Its prior is
/// judgement: England's rate moved by up to 1.7 points a year from 2014 to 2018
/// (23.5, 24.2, 22.5, 21.9, 21.9), so triangular from -2 to 2 points about 0. The slopes
/// across authorities need no nuisance: a common year effect moves every authority alike
/// and leaves them unchanged.
pub const YEAR_EFFECT: &str = "england_rereferral_year_effect";
pub const NUISANCE_PRIORS: [(&str, Dist); 1] = [(YEAR_EFFECT, Dist::Triangular { low: -2.0, mode: 0.0, high: 2.0 })];

/// The summary statistics, in order.
pub const STATISTICS: [&str; 5] = [
    "turnover_change_on_turnover_before",
    "vacancy_change_on_turnover_before",
    "agency_change_on_turnover_before",
    "rereferral_change_on_turnover_before",
    "england_rereferral_break",
];

/// One unknown: a name and its prior.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub name: String,
    pub prior: Dist,
}

/// The unknowns of a scenario: the mechanisms with a prior in it, then the switch's, then
/// the nuisance year effect.
pub fn unknowns(s: &Scenario) -> Vec<Unknown> {
    let mut out: Vec<Unknown> = MECHANISMS
        .iter()
        .filter_map(|path| {
            let p = find_path(path)?;
            Some(Unknown { name: (*path).to_string(), prior: s.prior(p)?.dist })
        })
        .collect();
    out.extend(
        SWITCH_PRIORS.iter().chain(&NUISANCE_PRIORS).map(|(n, d)| Unknown { name: (*n).to_string(), prior: *d }),
    );
    out
}

/// One draw of the reference table: its values, its statistics, and what the change did
/// in it (England, the years from the switch on, history minus counterfactual).
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    pub values: Vec<f64>,
    pub statistics: Vec<f64>,
    pub child_days_at_risk: f64,
    pub turnover: f64,
    pub high_risk_late: f64,
    /// England's difference in every metric (`Metric::ALL` order), a year from the switch
    /// year on: what the value of information is priced from.
    pub england: Vec<f64>,
    /// Each authority's difference in cost (GBP) and in child-days at risk, a year from
    /// the switch year on.
    pub places: Vec<(f64, f64)>,
}

/// A dataset's series: by authority (in `hs` order) and year index, a metric's value.
pub trait Series {
    fn authority(&self, a: usize, k: usize, m: Metric) -> Option<f64>;
    fn england(&self, k: usize, m: Metric) -> Option<f64>;
}

/// One replication's history as a dataset.
pub struct Simulated<'r> {
    pub authorities: &'r [Vec<Metrics>],
    pub england: &'r [Metrics],
}

impl Series for Simulated<'_> {
    fn authority(&self, a: usize, k: usize, m: Metric) -> Option<f64> {
        Some(self.authorities[a][k].get(m)).filter(|x| x.is_finite())
    }
    fn england(&self, k: usize, m: Metric) -> Option<f64> {
        Some(self.england[k].get(m)).filter(|x| x.is_finite())
    }
}

/// The summary statistics of a dataset over `n_authorities`, years from `first_year`,
/// `n_years` of them, with the switch in `switch_year`. The "before" years are those
/// before the switch year from 2017 on (the first year of the workforce figures).
pub fn statistics(d: &dyn Series, n_authorities: usize, first_year: u32, n_years: usize, switch_year: u32) -> Vec<f64> {
    let year = |k: usize| first_year + k as u32;
    let before: Vec<usize> = (0..n_years).filter(|&k| year(k) < switch_year && year(k) >= 2017).collect();
    let after: Vec<usize> = (0..n_years).filter(|&k| year(k) >= switch_year).collect();
    let mean = |xs: Vec<f64>| if xs.is_empty() { None } else { Some(xs.iter().sum::<f64>() / xs.len() as f64) };
    let period = |a: usize, ks: &[usize], m: Metric| mean(ks.iter().filter_map(|&k| d.authority(a, k, m)).collect());
    let exposure: Vec<Option<f64>> = (0..n_authorities).map(|a| period(a, &before, Metric::Turnover)).collect();
    let mut out = Vec::new();
    for m in [Metric::Turnover, Metric::Vacancy, Metric::Agency, Metric::Rereferral] {
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        for (a, &x) in exposure.iter().enumerate() {
            if let (Some(x), Some(pre), Some(post)) = (x, period(a, &before, m), period(a, &after, m)) {
                pairs.push((x, post - pre));
            }
        }
        out.push(slope(&pairs));
    }
    let england = |ks: &[usize]| mean(ks.iter().filter_map(|&k| d.england(k, Metric::Rereferral)).collect());
    let all_before: Vec<usize> = (0..n_years).filter(|&k| year(k) < switch_year).collect();
    out.push(match (england(&all_before), england(&after)) {
        (Some(b), Some(a)) => a - b,
        _ => f64::NAN,
    });
    out
}

/// The least-squares slope of y on x (NaN for fewer than three pairs or no spread in x):
/// the change less England's mean change has the same slope as the change itself.
pub fn slope(pairs: &[(f64, f64)]) -> f64 {
    if pairs.len() < 3 {
        return f64::NAN;
    }
    let n = pairs.len() as f64;
    let (mx, my) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
    let sxx: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx > 0.0 { sxy / sxx } else { f64::NAN }
}

/// The base request with one draw's values written in: the mechanisms into the
/// scenario, the switch's unknowns into the request.
pub fn with_values<'a>(
    base: &'a Scenario,
    req: &Request<'a>,
    unknowns: &[Unknown],
    values: &[f64],
) -> Result<(Scenario, f64, u32), crate::scenario::ScenarioError> {
    let mut changes: Vec<(&str, Value)> = Vec::new();
    let (mut share, mut lag) = (req.share_changed, req.lag_days);
    for (u, &v) in unknowns.iter().zip(values) {
        match u.name.as_str() {
            SHARE => share = v,
            LAG => lag = v.round() as u32,
            YEAR_EFFECT => {}
            path => changes.push((path, Value::Num(v))),
        }
    }
    Ok((base.with_all_from(&changes, "the history's draw")?, share, lag))
}

/// Runs draw `i` of `n` (a Latin hypercube over the unknowns' priors, from `seed`): one
/// replication (number `i`) of the history and its counterfactual, the authorities
/// `keep` of the histories (all when empty).
pub fn run_draw(
    req: &Request<'_>,
    unknowns: &[Unknown],
    point: &[f64],
    keep: &[usize],
    replication: u64,
) -> Result<Draw, crate::england::EnglandError> {
    let values: Vec<f64> = unknowns.iter().zip(point).map(|(u, &p)| u.prior.quantile(p)).collect();
    let (scenario, share, lag) =
        with_values(req.base, req, unknowns, &values).map_err(crate::england::EnglandError::Invalid)?;
    let r = Request { base: &scenario, share_changed: share, lag_days: lag, ..req.clone() };
    let all = histories(&r)?;
    let hs: Vec<AuthorityHistory> = if keep.is_empty() { all } else { keep.iter().map(|&a| all[a].clone()).collect() };
    let year_effect = unknowns.iter().position(|u| u.name == YEAR_EFFECT).map_or(0.0, |i| values[i]);
    let mut d = simulate(&hs, &r, values, replication);
    d.statistics[STATISTICS.len() - 1] += year_effect;
    Ok(d)
}

/// A draw's statistics and effects from its histories.
pub fn simulate(hs: &[AuthorityHistory], r: &Request<'_>, values: Vec<f64>, replication: u64) -> Draw {
    let (h, c) = run_both(hs, r.before, r.seed, replication);
    let n_years = h.england.len();
    let data = Simulated { authorities: &h.authorities, england: &h.england };
    let statistics = statistics(&data, hs.len(), r.from, n_years, r.switch_year);
    let after: Vec<usize> = (0..n_years).filter(|&k| r.from + k as u32 >= r.switch_year).collect();
    let effect = |m: Metric| after.iter().map(|&k| h.england[k].get(m) - c.england[k].get(m)).sum::<f64>();
    let per_year = |m: Metric| effect(m) / after.len().max(1) as f64;
    let n_after = after.len().max(1) as f64;
    let place = |a: usize, m: Metric| {
        after.iter().map(|&k| h.authorities[a][k].get(m) - c.authorities[a][k].get(m)).sum::<f64>() / n_after
    };
    Draw {
        values,
        statistics,
        child_days_at_risk: per_year(Metric::ChildDaysAtRisk),
        turnover: per_year(Metric::Turnover),
        high_risk_late: per_year(Metric::HighRiskLatePerYear),
        england: Metric::ALL.iter().map(|&m| per_year(m)).collect(),
        places: (0..hs.len()).map(|a| (place(a, Metric::TotalCost), place(a, Metric::ChildDaysAtRisk))).collect(),
    }
}

/// The points of `n` draws over `k` unknowns.
pub fn design(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    latin_hypercube(n, k, seed ^ 0xABC0_2018, 50_000)
}

/// Each statistic's spread over the draws (the standard deviation; 1 where there is none).
pub fn scales(draws: &[Draw]) -> Vec<f64> {
    (0..STATISTICS.len())
        .map(|j| {
            let xs: Vec<f64> = draws.iter().map(|d| d.statistics[j]).filter(|x| x.is_finite()).collect();
            if xs.len() < 2 {
                return 1.0;
            }
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            let sd = (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64).sqrt();
            if sd > 0.0 { sd } else { 1.0 }
        })
        .collect()
}

/// The distance of a draw's statistics from the data's, each over its scale; a statistic
/// either side cannot give is left out.
pub fn distance(stats: &[f64], data: &[f64], scales: &[f64]) -> f64 {
    stats
        .iter()
        .zip(data)
        .zip(scales)
        .filter(|((s, d), _)| s.is_finite() && d.is_finite())
        .map(|((s, d), w)| ((s - d) / w).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// The draws accepted for `data`: the nearest `accept` share (at least 2), by index, in
/// order of distance, leaving out `skip` (a draw standing in for the data).
pub fn accepted(draws: &[Draw], data: &[f64], scales: &[f64], accept: f64, skip: Option<usize>) -> Vec<usize> {
    let mut by: Vec<(f64, usize)> = draws
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != skip)
        .map(|(i, d)| (distance(&d.statistics, data, scales), i))
        .collect();
    by.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let n = ((by.len() as f64 * accept).round() as usize).clamp(2.min(by.len()), by.len());
    by.into_iter().take(n).map(|(_, i)| i).collect()
}

/// A marginal: mean and the 5th and 95th percentiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marginal {
    pub mean: f64,
    pub p05: f64,
    pub p95: f64,
}

pub fn marginal(xs: &[f64]) -> Marginal {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return Marginal { mean: f64::NAN, p05: f64::NAN, p95: f64::NAN };
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (v.len() - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    };
    Marginal { mean: v.iter().sum::<f64>() / v.len() as f64, p05: q(0.05), p95: q(0.95) }
}

/// The share of `xs` above 0.
pub fn share_above_zero(xs: &[f64]) -> f64 {
    xs.iter().filter(|&&x| x > 0.0).count() as f64 / xs.len().max(1) as f64
}

/// How well the method recovers what it is given (simulation-based calibration, leave
/// one out): each draw in turn stands in for the data (its own statistics), the posterior
/// is drawn from the others, and we count how often each unknown's drawn value lies
/// between the least and the greatest of its accepted values. Calibrated, that happens
/// with probability [`expected_coverage`] of the number accepted.
pub fn coverage(draws: &[Draw], scales: &[f64], accept: f64) -> Vec<f64> {
    let k = draws.first().map_or(0, |d| d.values.len());
    let mut inside = vec![0usize; k];
    for (j, d) in draws.iter().enumerate() {
        let acc = accepted(draws, &d.statistics, scales, accept, Some(j));
        for (u, count) in inside.iter_mut().enumerate() {
            let vs = acc.iter().map(|&i| draws[i].values[u]);
            let (lo, hi) = vs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
            *count += usize::from(lo <= d.values[u] && d.values[u] <= hi);
        }
    }
    inside.iter().map(|&c| c as f64 / draws.len().max(1) as f64).collect()
}

/// The chance that one more draw from a distribution falls between the least and the
/// greatest of `accepted` draws from it: `(k - 1) / (k + 1)`.
pub fn expected_coverage(accepted: usize) -> f64 {
    let k = accepted as f64;
    ((k - 1.0) / (k + 1.0)).max(0.0)
}

/// How many draws [`accepted`] keeps of `n` (one left out) at share `accept`.
pub fn n_accepted(n: usize, accept: f64) -> usize {
    let m = n.saturating_sub(1);
    ((m as f64 * accept).round() as usize).clamp(2.min(m), m)
}

/// The smallest change in each unknown these statistics could detect: over the draws,
/// each statistic regressed on the unknown; for the statistic that tells most (largest
/// slope over residual spread), twice its residual spread over its slope. NaN when no
/// statistic moves with it.
pub fn detectable(draws: &[Draw]) -> Vec<f64> {
    let k = draws.first().map_or(0, |d| d.values.len());
    (0..k)
        .map(|u| {
            let mut best = f64::NAN;
            for j in 0..STATISTICS.len() {
                let pairs: Vec<(f64, f64)> = draws
                    .iter()
                    .map(|d| (d.values[u], d.statistics[j]))
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .collect();
                let b = slope(&pairs);
                if !b.is_finite() || b == 0.0 {
                    continue;
                }
                let n = pairs.len() as f64;
                let (mx, my) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
                let rss: f64 = pairs.iter().map(|(x, y)| (y - my - b * (x - mx)).powi(2)).sum();
                let sd = (rss / (n - 2.0).max(1.0)).sqrt();
                let size = 2.0 * sd / b.abs();
                if best.is_nan() || size < best {
                    best = size;
                }
            }
            best
        })
        .collect()
}

/// The published figures as a dataset, authorities by their codes in `hs` order.
pub struct Published<'r> {
    pub record: &'r crate::england::history::Record,
    pub codes: Vec<String>,
    pub first_year: u32,
}

impl Series for Published<'_> {
    fn authority(&self, a: usize, k: usize, m: Metric) -> Option<f64> {
        self.record.authorities.get(&(self.codes[a].clone(), self.first_year + k as u32, m)).copied()
    }
    fn england(&self, k: usize, m: Metric) -> Option<f64> {
        self.record.england.get(&(self.first_year + k as u32, m)).copied()
    }
}

/// The reference table: `n` draws, in parallel on `threads`, in draw order.
pub fn run(
    req: &Request<'_>,
    unknowns: &[Unknown],
    n: usize,
    keep: &[usize],
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Draw>, crate::england::EnglandError> {
    let points = design(n, unknowns.len(), req.seed);
    let done = std::sync::atomic::AtomicUsize::new(0);
    crate::experiment::Pool::new(threads)
        .map(0..n, &|i| {
            let d = run_draw(req, unknowns, &points[i], keep, i as u64);
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            d
        })
        .into_iter()
        .collect()
}

/// A planted answer: every unknown at its prior's centre but the leaving effect at
/// `leave`, every authority changed with no lag; the draw's statistics stand in for
/// published figures.
pub fn planted(
    req: &Request<'_>,
    unknowns: &[Unknown],
    leave: f64,
    keep: &[usize],
) -> Result<Draw, crate::england::EnglandError> {
    let point: Vec<f64> = unknowns
        .iter()
        .map(|u| match u.name.as_str() {
            "workforce.lone_decision_leave_effect" => u.prior.cdf(leave),
            SHARE => 1.0,
            LAG => 0.0,
            _ => u.prior.cdf(u.prior.centre()),
        })
        .collect();
    // A replication number no draw of the table uses.
    run_draw(req, unknowns, &point, keep, 1_000_000 + (leave * 1000.0).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(v: f64, s: f64) -> Draw {
        Draw {
            values: vec![v],
            statistics: vec![s, f64::NAN, f64::NAN, f64::NAN, f64::NAN],
            child_days_at_risk: v,
            turnover: 0.0,
            high_risk_late: 0.0,
            england: Vec::new(),
            places: Vec::new(),
        }
    }

    #[test]
    fn a_statistic_that_tracks_the_unknown_recovers_it_and_one_that_does_not_leaves_the_prior() {
        // The statistic is the unknown plus a little noise: the posterior narrows around
        // the planted value and covers it.
        let mut rng = 12345u64;
        let mut noise = || {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((rng >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.1
        };
        let draws: Vec<Draw> = (0..400)
            .map(|i| {
                let v = i as f64 / 400.0;
                draw(v, v + noise())
            })
            .collect();
        let sc = scales(&draws);
        let acc = accepted(&draws, &[0.3, f64::NAN, f64::NAN, f64::NAN, f64::NAN], &sc, 0.05, None);
        let m = marginal(&acc.iter().map(|&i| draws[i].values[0]).collect::<Vec<_>>());
        assert!(m.p05 <= 0.3 && 0.3 <= m.p95 && m.p95 - m.p05 < 0.2, "{m:?}");
        let cover = coverage(&draws, &sc, 0.05)[0];
        assert!(cover >= expected_coverage(n_accepted(400, 0.05)) - 0.1, "coverage {cover}");
        let d = detectable(&draws)[0];
        assert!(d > 0.02 && d < 0.2, "smallest detectable change {d}");
        // A statistic of pure noise leaves the posterior as wide as the prior.
        let flat: Vec<Draw> = (0..400).map(|i| draw(i as f64 / 400.0, noise())).collect();
        let sc = scales(&flat);
        let acc = accepted(&flat, &[0.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN], &sc, 0.2, None);
        let m = marginal(&acc.iter().map(|&i| flat[i].values[0]).collect::<Vec<_>>());
        assert!(m.p95 - m.p05 > 0.6, "{m:?}");
        assert!(detectable(&flat)[0] > 1.0);
    }

    #[test]
    fn slopes_are_least_squares() {
        assert_eq!(slope(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]), 2.0);
        assert!(slope(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]).is_nan());
    }
}
