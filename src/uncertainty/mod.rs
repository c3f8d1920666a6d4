//! The verdict under uncertainty: how likely is it that deciding alone is "high risk",
//! given what is not known? A probabilistic sensitivity analysis, as health economists
//! report one, with variance-based sensitivity and break-even values.
//!
//! Every assumed parameter is drawn jointly from its prior (a Latin hypercube of `draws`
//! points), and the first two rules are run paired on common random numbers at each draw.
//! Across draws, each outcome difference has a distribution: its spread is what the
//! assumptions leave open, beside the Monte-Carlo part from a finite number of
//! replications. The probability of a concern is the share of draws in which it holds.
//!
//! For a few factors (the mechanisms the argument rests on) the analysis adds first-order
//! and total Sobol indices from a Saltelli design (matrices A and B, and each A with one
//! column from B), with Saltelli's 2010 first-order and Jansen's total estimators and
//! bootstrap intervals; and a break-even curve: the factor moved over its prior with the
//! rest at the scenario's values, and the value at which each concern starts to hold.
//!
//! All of it is one list of points run as a sweep, so it resumes, shards and merges as
//! sweeps do. Nothing here reads or writes files.

use std::ops::Range;

mod analysis;
mod estimators;
pub mod value;

pub use analysis::{
    Analysis, BreakEven, Probability, Spread, analyse, break_evens, concern_metrics, correlations, probabilities,
    render, sobol_of, spreads,
};
pub use estimators::{Crossing, Sobol, crossing, quantile_sorted, sobol_indices, spearman, wilson};

use crate::experiment::Plan;
use crate::model::{Metric, Purpose, stream, uniform};
use crate::scenario::params::{self, On, Prior};
use crate::scenario::uncertainty::UncertaintySpec;
use crate::scenario::{Scenario, Value, describe};
use crate::sweep::{Row, Sweep, SweepError, shuffle};

/// Why an uncertainty analysis cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum UncertaintyError {
    #[error("the analysis compares two rules, paired: the scenario names {0}")]
    TooFewRules(usize),
    #[error("setting up the analysis's points")]
    Sweep(#[from] SweepError),
}

/// One factor: a parameter with a prior, and its value in the scenario (for a list, the
/// factor 1: the scenario's own list).
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub path: String,
    pub prior: Prior,
    pub centre: f64,
}

impl Factor {
    /// The label a reader knows, with its unit; for a list factor, what it scales.
    pub fn label(&self) -> String {
        let p = params::find_path(&self.path).expect("a factor is a parameter");
        match self.prior.on {
            On::Value => p.labelled(),
            On::Scale => format!("{} (factor on every value)", p.label),
            On::Amplitude => format!("{} (factor on the departures from 1)", p.label),
        }
    }
}

/// The analysis's design: every factor, the Sobol factors among them, and the points.
#[derive(Debug, Clone)]
pub struct Design {
    pub spec: UncertaintySpec,
    pub factors: Vec<Factor>,
    /// Indices into `factors` of the factors given Sobol indices and break-even curves.
    pub sobol: Vec<usize>,
    /// The assumptions held at the scenario's value, not drawn (by path).
    pub held: Vec<String>,
    /// The value of every factor at every point, `[point][factor]`.
    pub points: Vec<Vec<f64>>,
}

/// Every parameter drawn from a prior (the prior in force in `s`: its own `[priors]` or the
/// table's; not one held at a point or listed as `fixed`), at its value in `s`.
pub fn prior_factors(s: &Scenario) -> Vec<Factor> {
    let values = describe(s);
    let first = s.values().authorities.first().cloned().unwrap_or_default();
    params::PARAMS
        .iter()
        .filter(|p| p.section != "run" && (p.section != "authority" || s.authorities.len() == 1))
        .filter_map(|p| {
            let prior = s.prior(p)?;
            let centre = match prior.on {
                On::Value => {
                    let v = if p.section == "authority" {
                        first.get(&p.path()).cloned().unwrap_or_else(|| Value::default_of(p))
                    } else {
                        values.iter().find(|(q, _)| q.path() == p.path())?.1.clone()
                    };
                    v.as_f64()?
                }
                On::Scale | On::Amplitude => 1.0,
            };
            Some(Factor { path: p.path(), prior, centre })
        })
        .collect()
}

/// `n` points of a Latin hypercube in `k` dimensions of the unit cube, from the design
/// streams `first..first + k`.
pub fn latin_hypercube(n: usize, k: usize, seed: u64, first: u64) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; k]; n];
    for j in 0..k {
        let mut rng = stream(seed, 0, Purpose::Design, first + j as u64);
        let mut strata: Vec<usize> = (0..n).collect();
        shuffle(&mut rng, &mut strata);
        for (i, point) in out.iter_mut().enumerate() {
            point[j] = (strata[i] as f64 + uniform(&mut rng)) / n as f64;
        }
    }
    out
}

/// Design streams: the draws use indices from 0, matrix A from 10,000, B from 20,000.
pub(crate) const STREAM_A: u64 = 10_000;
pub(crate) const STREAM_B: u64 = 20_000;

impl Design {
    /// The design of `s`'s `[uncertainty]` section (or the defaults).
    pub fn of(s: &Scenario) -> Design {
        let spec = s.uncertainty().cloned().unwrap_or_default();
        let factors = prior_factors(s);
        let sobol: Vec<usize> =
            spec.factors.iter().filter_map(|path| factors.iter().position(|f| &f.path == path)).collect();
        let (d, n, k, g) = (spec.draws as usize, spec.sobol_base as usize, sobol.len(), spec.breakeven_points as usize);
        let centre: Vec<f64> = factors.iter().map(|f| f.centre).collect();
        let value = |f: &Factor, u: f64| f.prior.dist.quantile(u);
        let mut points = Vec::with_capacity(d + n * (k + 2) + k * g);
        for u in latin_hypercube(d, factors.len(), spec.seed, 0) {
            points.push(factors.iter().zip(&u).map(|(f, &u)| value(f, u)).collect());
        }
        let with = |u: &[f64]| -> Vec<f64> {
            let mut p = centre.clone();
            for (&i, &x) in sobol.iter().zip(u) {
                p[i] = value(&factors[i], x);
            }
            p
        };
        let a = latin_hypercube(n, k, spec.seed, STREAM_A);
        let b = latin_hypercube(n, k, spec.seed, STREAM_B);
        points.extend(a.iter().map(|u| with(u)));
        points.extend(b.iter().map(|u| with(u)));
        for i in 0..k {
            for j in 0..n {
                let mut u = a[j].clone();
                u[i] = b[j][i];
                points.push(with(&u));
            }
        }
        for &i in &sobol {
            let dist = factors[i].prior.dist;
            for step in 0..g {
                let mut p = centre.clone();
                p[i] = dist.low() + (dist.high() - dist.low()) * step as f64 / (g - 1) as f64;
                points.push(p);
            }
        }
        let held = s.held().iter().map(|p| p.path()).collect();
        Design { spec, factors, sobol, held, points }
    }

    /// The points of the joint draws, in order.
    pub fn draws(&self) -> Range<usize> {
        0..self.spec.draws as usize
    }

    /// The rows of the Saltelli matrix A, then B, then A with column `i` of the Sobol
    /// factors from B, each `sobol_base` points, after the draws (as [`Design::of`] lays
    /// them out).
    pub fn a(&self) -> Range<usize> {
        self.saltelli(0)
    }

    pub fn b(&self) -> Range<usize> {
        self.saltelli(1)
    }

    pub fn ab(&self, i: usize) -> Range<usize> {
        self.saltelli(2 + i)
    }

    fn saltelli(&self, block: usize) -> Range<usize> {
        let n = self.spec.sobol_base as usize;
        let start = self.spec.draws as usize + block * n;
        start..start + n
    }

    /// The points of the break-even curve of Sobol factor `i`, after the Saltelli rows.
    pub fn curve(&self, i: usize) -> Range<usize> {
        let g = self.spec.breakeven_points as usize;
        let start = self.saltelli(2 + self.sobol.len()).start + i * g;
        start..start + g
    }

    /// The sweep that runs the design: the scenario's first two rules, the section's
    /// replications, the scenario's seed, on every point.
    pub fn sweep(&self, s: &Scenario) -> Result<Sweep, UncertaintyError> {
        if s.run.rules.len() < 2 {
            return Err(UncertaintyError::TooFewRules(s.run.rules.len()));
        }
        let plan = Plan { rules: s.run.rules[..2].to_vec(), replications: self.spec.replications, seed: s.run.seed };
        let paths = self.factors.iter().map(|f| f.path.clone()).collect();
        Ok(Sweep::from_points(s, paths, self.points.clone(), plan)?)
    }
}

/// The paired differences (first rule minus second) at every point: per replication, and
/// their mean and Monte-Carlo variance of the mean, per metric.
#[derive(Debug, Clone)]
pub struct PointDiffs {
    /// `[metric][replication]`.
    pub reps: Vec<Vec<f64>>,
    /// The mean over replications with a finite difference (NaN when none), per metric.
    pub mean: Vec<f64>,
    /// The variance of that mean from the replications' spread, per metric.
    pub mc_var: Vec<f64>,
}

/// The differences at each point, from the sweep's rows (in task order).
pub fn point_diffs(sw: &Sweep, rows: &[Row]) -> Vec<PointDiffs> {
    let n = sw.plan.replications as usize;
    let per_point = 2 * n;
    (0..sw.points.len())
        .map(|p| {
            let at = &rows[p * per_point..(p + 1) * per_point];
            let reps: Vec<Vec<f64>> = (0..Metric::ALL.len())
                .map(|m| (0..n).map(|r| at[r].metrics[m] - at[n + r].metrics[m]).collect())
                .collect();
            let (mean, mc_var) = reps
                .iter()
                .map(|xs| {
                    let ok: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
                    let k = ok.len() as f64;
                    if ok.is_empty() {
                        return (f64::NAN, f64::NAN);
                    }
                    let mean = ok.iter().sum::<f64>() / k;
                    let var =
                        if ok.len() > 1 { ok.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k - 1.0) } else { 0.0 };
                    (mean, var / k)
                })
                .unzip();
            PointDiffs { reps, mean, mc_var }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_hypercube_has_one_point_in_each_stratum() {
        let pts = latin_hypercube(16, 3, 9, 0);
        for j in 0..3 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[j] * 16.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..16).collect::<Vec<_>>());
        }
    }
}
