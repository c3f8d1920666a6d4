//! The analysis of an uncertainty design's rows: each difference's spread across the
//! draws, the probability of each concern, what carries it (rank correlations over every
//! prior, Sobol indices of the chosen factors) and the break-even values.

use super::estimators::{Crossing, Sobol, crossing, quantile_sorted, sobol_indices, spearman, wilson};
use super::{Design, PointDiffs, point_diffs};
use crate::model::{Metric, Purpose, stream, uniform};
use crate::scenario::sweep::Concern;
use crate::sweep::{Row, Sweep};

/// A difference across the draws from the priors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub metric: Metric,
    pub draws: usize,
    pub mean: f64,
    /// The 5th, 25th, 50th, 75th and 95th percentiles across draws.
    pub quantiles: [f64; 5],
    /// The sd across draws, and its parts: from finite replications (Monte Carlo) and from
    /// what the priors leave open.
    pub sd: f64,
    pub mc_sd: f64,
    pub prior_sd: f64,
}

/// The spread of each metric's difference across the draws.
pub fn spreads(design: &Design, diffs: &[PointDiffs]) -> Vec<Spread> {
    Metric::ALL
        .iter()
        .map(|&metric| {
            let m = metric as usize;
            let at: Vec<&PointDiffs> = design.draws().map(|p| &diffs[p]).filter(|d| d.mean[m].is_finite()).collect();
            let mut xs: Vec<f64> = at.iter().map(|d| d.mean[m]).collect();
            xs.sort_by(f64::total_cmp);
            let k = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / k;
            let var = if xs.len() > 1 { xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k - 1.0) } else { 0.0 };
            let mc = at.iter().map(|d| d.mc_var[m]).filter(|v| v.is_finite()).sum::<f64>() / k;
            Spread {
                metric,
                draws: xs.len(),
                mean,
                quantiles: [0.05, 0.25, 0.5, 0.75, 0.95].map(|q| quantile_sorted(&xs, q)),
                sd: var.sqrt(),
                mc_sd: mc.sqrt(),
                prior_sd: (var - mc).max(0.0).sqrt(),
            }
        })
        .collect()
}

/// How likely a concern is: the share of draws in which it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probability {
    pub concern: Concern,
    pub holds: usize,
    pub draws: usize,
    pub p: f64,
    /// Wilson's 95% interval for the share, from the finite number of draws.
    pub lo: f64,
    pub hi: f64,
}

/// The probability of each concern across the draws.
pub fn probabilities(design: &Design, diffs: &[PointDiffs]) -> Vec<Probability> {
    design
        .spec
        .concerns
        .iter()
        .map(|&concern| {
            let m = concern.metric as usize;
            let xs: Vec<f64> = design.draws().map(|p| diffs[p].mean[m]).filter(|x| x.is_finite()).collect();
            let holds = xs.iter().filter(|&&x| concern.holds(x)).count();
            let (lo, hi) = wilson(holds, xs.len());
            Probability { concern, holds, draws: xs.len(), p: holds as f64 / xs.len().max(1) as f64, lo, hi }
        })
        .collect()
}

/// Each factor's rank correlation with a metric's difference across the draws, strongest
/// first: which unknowns move the answer, over every prior at once.
pub fn correlations(design: &Design, diffs: &[PointDiffs], metric: Metric) -> Vec<(usize, f64)> {
    let m = metric as usize;
    let draws: Vec<usize> = design.draws().filter(|&p| diffs[p].mean[m].is_finite()).collect();
    let y: Vec<f64> = draws.iter().map(|&p| diffs[p].mean[m]).collect();
    let mut out: Vec<(usize, f64)> = (0..design.factors.len())
        .map(|f| {
            let x: Vec<f64> = draws.iter().map(|&p| design.points[p][f]).collect();
            (f, spearman(&x, &y))
        })
        .collect();
    out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    out
}

/// The Sobol indices of a metric's difference for every Sobol factor, from the design's
/// A, B and AB points (NaN indices when the metric has no value at some point).
pub fn sobol_of(design: &Design, diffs: &[PointDiffs], metric: Metric) -> Vec<Sobol> {
    let m = metric as usize;
    let k = design.sobol.len();
    let f = |p: usize| diffs[p].mean[m];
    let f_a: Vec<f64> = design.a().map(f).collect();
    let f_b: Vec<f64> = design.b().map(f).collect();
    let f_ab: Vec<Vec<f64>> = (0..k).map(|i| design.ab(i).map(f).collect()).collect();
    if f_a.iter().chain(&f_b).chain(f_ab.iter().flatten()).any(|x| !x.is_finite()) {
        let nan =
            Sobol { first: f64::NAN, first_ci: (f64::NAN, f64::NAN), total: f64::NAN, total_ci: (f64::NAN, f64::NAN) };
        return vec![nan; k];
    }
    sobol_indices(&f_a, &f_b, &f_ab, 200, design.spec.seed)
}

/// Where a concern starts to hold as one factor moves over its prior.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEven {
    pub concern: Concern,
    /// Index into the design's factors.
    pub factor: usize,
    /// The curve: the factor's value and the mean difference, with its 95% band over
    /// replications, at each point.
    pub curve: Vec<(f64, f64, f64, f64)>,
    pub verdict: Crossing,
    /// The crossing's 95% interval over bootstrap resamples of the replications, and the
    /// share of resamples that cross at all.
    pub interval: Option<(f64, f64)>,
    pub crossing_share: f64,
}

/// The break-even of every concern along every Sobol factor, with bootstrap intervals from
/// `resamples` resamples of the replications (the same replications at every point of a
/// curve, as they share seeds).
pub fn break_evens(design: &Design, diffs: &[PointDiffs], resamples: usize) -> Vec<BreakEven> {
    let mut out = Vec::new();
    for &concern in &design.spec.concerns {
        let m = concern.metric as usize;
        for (i, &f) in design.sobol.iter().enumerate() {
            let at: Vec<usize> = design.curve(i).collect();
            let xs: Vec<f64> = at.iter().map(|&p| design.points[p][f]).collect();
            let curve: Vec<(f64, f64, f64, f64)> = at
                .iter()
                .zip(&xs)
                .map(|(&p, &x)| {
                    let (mean, se) = (diffs[p].mean[m], diffs[p].mc_var[m].sqrt());
                    (x, mean, mean - 1.96 * se, mean + 1.96 * se)
                })
                .collect();
            let ys: Vec<f64> = curve.iter().map(|c| c.1).collect();
            let verdict = crossing(&concern, &xs, &ys);
            let reps = diffs[at[0]].reps[m].len();
            let mut rng = stream(design.spec.seed, 0, Purpose::Design, 40_000 + (out.len() as u64));
            let mut found = Vec::new();
            for _ in 0..resamples {
                let idx: Vec<usize> =
                    (0..reps).map(|_| ((uniform(&mut rng) * reps as f64) as usize).min(reps - 1)).collect();
                let ys: Vec<f64> = at
                    .iter()
                    .map(|&p| {
                        let v: Vec<f64> = idx.iter().map(|&r| diffs[p].reps[m][r]).filter(|x| x.is_finite()).collect();
                        v.iter().sum::<f64>() / v.len().max(1) as f64
                    })
                    .collect();
                if let Crossing::At { value, .. } = crossing(&concern, &xs, &ys) {
                    found.push(value);
                }
            }
            found.sort_by(f64::total_cmp);
            let interval =
                (!found.is_empty()).then(|| (quantile_sorted(&found, 0.025), quantile_sorted(&found, 0.975)));
            let crossing_share = found.len() as f64 / resamples.max(1) as f64;
            out.push(BreakEven { concern, factor: f, curve, verdict, interval, crossing_share });
        }
    }
    out
}

/// The whole analysis, computed from the design's rows.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub design: Design,
    pub diffs: Vec<PointDiffs>,
    pub spreads: Vec<Spread>,
    pub probabilities: Vec<Probability>,
    /// For each concern's metric: every factor's rank correlation, strongest first.
    pub correlations: Vec<(Metric, Vec<(usize, f64)>)>,
    /// For each concern's metric: the Sobol indices of the Sobol factors.
    pub sobol: Vec<(Metric, Vec<Sobol>)>,
    pub break_evens: Vec<BreakEven>,
    /// The decision priced: the cost-effectiveness plane, the acceptability curve and the
    /// value of information.
    pub priced: super::value::Priced,
}

/// The metrics of the concerns, each once, in the concerns' order.
pub fn concern_metrics(design: &Design) -> Vec<Metric> {
    let mut metrics: Vec<Metric> = Vec::new();
    for c in &design.spec.concerns {
        if !metrics.contains(&c.metric) {
            metrics.push(c.metric);
        }
    }
    metrics
}

/// Analyses the rows of a design's sweep.
pub fn analyse(design: Design, sw: &Sweep, rows: &[Row]) -> Analysis {
    let diffs = point_diffs(sw, rows);
    let spreads = spreads(&design, &diffs);
    let probabilities = probabilities(&design, &diffs);
    let metrics = concern_metrics(&design);
    let correlations = metrics.iter().map(|&m| (m, correlations(&design, &diffs, m))).collect();
    let sobol = metrics.iter().map(|&m| (m, sobol_of(&design, &diffs, m))).collect();
    let break_evens = break_evens(&design, &diffs, 200);
    let priced = {
        let means: Vec<&[f64]> = design.draws().map(|p| diffs[p].mean.as_slice()).collect();
        let points: Vec<&[f64]> = design.draws().map(|p| design.points[p].as_slice()).collect();
        let paths: Vec<&str> = design.factors.iter().map(|f| f.path.as_str()).collect();
        super::value::price(&means, &points, &paths, &design.sobol)
    };
    Analysis { design, diffs, spreads, probabilities, correlations, sobol, break_evens, priced }
}

/// The answer as text for the terminal: each concern's probability, the spread of its
/// difference, and the factors that carry it.
pub fn render(a: &Analysis, first: &str, second: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let wrap = crate::printout::wrap;
    out.push_str(&wrap(
        &format!(
            "uncertainty: {first} - {second}, {} draws from the priors of {} assumed parameters, {} replications a draw",
            a.design.spec.draws,
            a.design.factors.len(),
            a.design.spec.replications
        ),
        4,
    ));
    if !a.design.held.is_empty() {
        out.push_str(&wrap(&format!("held, not drawn: {}", a.design.held.join(", ")), 4));
    }
    let _ = writeln!(
        out,
        "{:<44} {:>11} {:>16} {:>24}",
        "concern", "probability", "95% interval", "difference, 5th to 95th"
    );
    for p in &a.probabilities {
        let s = a.spreads.iter().find(|s| s.metric == p.concern.metric);
        let _ = writeln!(
            out,
            "{:<44} {:>10.0}% {:>7.0}% to {:>3.0}% {:>24}",
            p.concern.text(),
            100.0 * p.p,
            100.0 * p.lo,
            100.0 * p.hi,
            s.map_or(String::new(), |s| {
                let d = crate::format::decimals(s.quantiles[0].abs().max(s.quantiles[4].abs()));
                format!("{:.d$} to {:.d$}", s.quantiles[0], s.quantiles[4])
            })
        );
    }
    for (m, idx) in &a.sobol {
        let top: Vec<String> = Sobol::by_total(idx)
            .into_iter()
            .take(3)
            .map(|i| format!("{} {:.2}", a.design.factors[a.design.sobol[i]].path, idx[i].total))
            .collect();
        out.push_str(&wrap(&format!("carried by (total Sobol index), {}: {}", m.name(), top.join(", ")), 4));
    }
    out.push_str(&priced_text(&a.priced, first, second));
    out
}

/// The decision priced, for the terminal: the plane's spread, then at a few values of a
/// child-day at risk avoided, how often the first rule is preferred, the EVPI and the
/// parameter or group most worth measuring.
fn priced_text(p: &super::value::Priced, first: &str, second: &str) -> String {
    use crate::format::{money, num};
    use std::fmt::Write as _;
    let mut out = String::new();
    if p.plane.cost.is_empty() {
        return out;
    }
    let q = |xs: &[f64]| {
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        (quantile_sorted(&v, 0.05), quantile_sorted(&v, 0.5), quantile_sorted(&v, 0.95))
    };
    let (c, d) = (q(&p.plane.cost), q(&p.plane.days));
    out.push_str(&crate::printout::wrap(
        &format!(
            "priced ({first} - {second}, a year): cost {} (5th to 95th: {} to {}); child-days at risk {} ({} to {})",
            money(c.1),
            money(c.0),
            money(c.2),
            num(d.1),
            num(d.0),
            num(d.2)
        ),
        4,
    ));
    let _ = writeln!(
        out,
        "{:>12} {:>18} {:>14}  most worth measuring (EVPPI)",
        "GBP/child-day",
        format!("{first} preferred"),
        "EVPI a year"
    );
    for (i, &(v, accept, evpi)) in p.curve.iter().enumerate() {
        if ![0.0, 100.0, 500.0, 1000.0, 5000.0].contains(&v) {
            continue;
        }
        let best = p.evppi.iter().filter(|e| e.1.len() == 1).max_by(|a, b| a.2[i].total_cmp(&b.2[i]));
        let best = best.map_or(String::new(), |(name, _, at)| format!("{name} {}", money(at[i])));
        let shown: String = best.chars().take(50).collect();
        let _ = writeln!(out, "{:>12} {:>17.0}% {:>14}  {shown}", money(v), 100.0 * accept, money(evpi));
    }
    out
}
