//! Global sensitivity by Morris's elementary effects (Morris 1991, with Campolongo et
//! al.'s mu-star, 2007): which parameters that rest on assumptions move the difference
//! between two rules, and whether they act alone (sigma small) or through interactions
//! and curvature (sigma large).
//!
//! Each factor's range is cut into `levels` (4) equally spaced levels. A trajectory starts
//! at a random level of every factor and moves one factor at a time, in random order, by
//! `delta = levels / (2 (levels - 1))` of its range (two levels of four), so `k` factors
//! cost `k + 1` points a trajectory. The elementary effect of a step is the change in the
//! output per whole range of the factor. Over `r` trajectories: `mu` is the mean effect,
//! `mu_star` the mean absolute effect (its importance), `sigma` the standard deviation
//! (non-linearity and interactions). The points are run as a sweep, so every point sees
//! the same seeds and an effect is not blurred by luck.

use std::fmt::Write as _;

use crate::experiment::Plan;
use crate::model::{Metric, Purpose, Stream, stream, uniform};
use crate::scenario::params::{On, PARAMS, Shape};
use crate::scenario::{Scenario, Value, describe};
use crate::sweep::{self, Row, Sweep, SweepError, Unkept};

/// Why a sensitivity analysis cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    #[error("Morris levels must be even and at least 2, not {0}")]
    Levels(u32),
    #[error("no factors to vary")]
    NoFactors,
    #[error("could not draw a Morris trajectory whose every point is valid in 1000 tries")]
    NoValidTrajectory,
    #[error(transparent)]
    Sweep(#[from] SweepError),
}

/// How a Morris screening is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Morris {
    pub trajectories: u32,
    /// Levels of each factor's range (even).
    pub levels: u32,
    /// The design's seed.
    pub seed: u64,
}

/// The differences a sensitivity analysis ranks parameters by, in the terminal and the
/// report (its files hold every metric).
pub const SENSITIVITY_METRICS: &[Metric] =
    &[Metric::LateDaysPerHighRisk, Metric::UnderRatedHigh, Metric::WithinLimit, Metric::Turnover];

/// A finished sensitivity analysis: the design, its runs and every metric's indices.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub morris: Morris,
    pub design: Trajectories,
    /// The design's points as a sweep of the scenario (its `[sweep]` section removed).
    pub sweep: Sweep,
    /// Every run, in task order.
    pub rows: Vec<Row>,
    /// Every metric's ranked indices, in [`Metric::ALL`] order.
    pub indices: Vec<(Metric, Vec<Index>)>,
}

impl Analysis {
    /// The indices of metric `m`, ranked.
    pub fn ranked(&self, m: Metric) -> &[Index] {
        &self.indices[m as usize].1
    }
}

/// Morris screening of every assumption of `s` ([`assumption_factors`]) on the difference
/// between the plan's first two rules: draws the design, runs its points as a sweep on
/// `threads` threads and ranks the factors for every metric. `progress(done, total)`
/// counts runs.
pub fn run(
    s: &Scenario,
    plan: Plan,
    morris: Morris,
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Analysis, SensitivityError> {
    let factors = assumption_factors(s);
    let paths: Vec<String> = factors.iter().map(|f| f.path.clone()).collect();
    let valid = |p: &[f64]| {
        let changes: Vec<(&str, Value)> = paths.iter().zip(p).map(|(k, &v)| (k.as_str(), Value::Num(v))).collect();
        s.with_all(&changes).is_ok()
    };
    let design = Trajectories::draw(factors, morris.trajectories, morris.levels, morris.seed, &valid)?;
    let sw = Sweep::from_points(&s.with_sweep(None), paths.clone(), design.points.clone(), plan)?;
    let total = sw.n_tasks();
    let tick = |done: usize| progress(done, total);
    let rows = sweep::run(&sw, 0..total, threads, &mut Unkept, &tick)?;
    let diffs = sweep::differences(&sw, &rows);
    let mut indices_of = Vec::new();
    for &m in Metric::ALL {
        let y: Vec<f64> = diffs.iter().filter(|d| d.metric == m).map(|d| d.difference.mean).collect();
        indices_of.push((m, indices(&design, &y, morris.seed)));
    }
    Ok(Analysis { morris, design, sweep: sw, rows, indices: indices_of })
}

/// The ranked table for the terminal: the top ten of each headline difference.
pub fn render(a: &Analysis) -> String {
    let mut out = String::new();
    for &m in SENSITIVITY_METRICS {
        out.push('\n');
        out.push_str(&crate::printout::wrap(
            &format!(
                "{} ({}), difference of the first two rules; effect of moving a parameter over its whole range:",
                m.label(),
                m.unit()
            ),
            0,
        ));
        let _ = writeln!(out, "{:>4}  {:<44} {:>8} {:>20} {:>8}", "rank", "parameter", "mu*", "mu* 95% CI", "sigma");
        for (r, i) in a.ranked(m).iter().take(10).enumerate() {
            let d = crate::format::decimals(i.mu_star_hi.abs().max(i.sigma.abs()));
            let _ = writeln!(
                out,
                "{:>4}  {:<44} {:>8} {:>20} {:>8}",
                r + 1,
                a.design.factors[i.factor].path,
                format!("{:.d$}", i.mu_star),
                format!("[{:.d$}, {:.d$}]", i.mu_star_lo, i.mu_star_hi),
                format!("{:.d$}", i.sigma)
            );
        }
    }
    out
}

/// One varied parameter and the range it is varied over.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub path: String,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
    pub integer: bool,
}

/// Every single-number parameter marked as an assumption (outside `[run]`; `authority`
/// keys only when the scenario has one authority), varied over its prior's range from the
/// parameter table. Integer parameters are varied over whole numbers; a parameter with no
/// room to move is left out. (Priors on lists, factors on every value, are the
/// uncertainty analysis's, not the screen's.)
pub fn assumption_factors(s: &Scenario) -> Vec<Factor> {
    let mut values: Vec<(String, Value)> = describe(s).into_iter().map(|(p, v)| (p.path(), v)).collect();
    // An authority key would be set for every authority at once: varied only when there
    // is one authority, so that the scenario at the centre is the one given.
    let first_authority = s.values().authorities.first().cloned().unwrap_or_default();
    let one_authority = s.authorities.len() == 1;
    for p in PARAMS.iter().filter(|p| p.section == "authority" && one_authority) {
        let v = first_authority.get(&p.path()).cloned().unwrap_or_else(|| Value::default_of(p));
        values.push((p.path(), v));
    }
    let mut out = Vec::new();
    for p in PARAMS.iter().filter(|p| p.section != "run") {
        let (Shape::Num { min, max, integer }, Some(prior)) = (p.shape, p.prior) else { continue };
        if prior.on != On::Value {
            continue;
        }
        let Some(v) = values.iter().find(|(k, _)| *k == p.path()).and_then(|(_, v)| v.as_f64()) else { continue };
        let (mut lo, mut hi) = (prior.dist.low().max(min), prior.dist.high().min(max));
        if integer {
            lo = lo.ceil();
            hi = hi.floor();
        }
        if hi > lo {
            out.push(Factor { path: p.path(), value: v, lo, hi, integer });
        }
    }
    out
}

/// A Morris design: `r` trajectories of `k + 1` points each, in factor units.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectories {
    pub factors: Vec<Factor>,
    pub levels: u32,
    /// `[trajectory][step]`: which factor moved at each step, and by how much of its range
    /// (plus or minus delta).
    pub moves: Vec<Vec<(usize, f64)>>,
    /// Every point, trajectory after trajectory, `[point][factor]`, in the factors' units.
    pub points: Vec<Vec<f64>>,
}

impl Trajectories {
    pub fn delta(levels: u32) -> f64 {
        f64::from(levels) / (2.0 * f64::from(levels - 1))
    }

    /// Draws `r` trajectories from `seed`. A trajectory with a point `valid` refuses (two
    /// values that must agree, such as the two caseload caps) is drawn again.
    pub fn draw(
        factors: Vec<Factor>,
        r: u32,
        levels: u32,
        seed: u64,
        valid: &dyn Fn(&[f64]) -> bool,
    ) -> Result<Trajectories, SensitivityError> {
        if levels < 2 || !levels.is_multiple_of(2) {
            return Err(SensitivityError::Levels(levels));
        }
        if factors.is_empty() {
            return Err(SensitivityError::NoFactors);
        }
        let k = factors.len();
        let delta = Trajectories::delta(levels);
        let step = 1.0 / f64::from(levels - 1);
        let to_value = |f: &Factor, u: f64| {
            let x = f.lo + u * (f.hi - f.lo);
            if f.integer { x.round() } else { x }
        };
        let mut moves = Vec::new();
        let mut points = Vec::new();
        for t in 0..r {
            let mut rng: Stream = stream(seed, u64::from(t), Purpose::Design, 1_000_000);
            let mut attempts = 0;
            loop {
                attempts += 1;
                if attempts > 1000 {
                    return Err(SensitivityError::NoValidTrajectory);
                }
                // Start at a level from which +delta stays in range; half the factors go down.
                let mut u: Vec<f64> = (0..k)
                    .map(|_| (uniform(&mut rng) * f64::from(levels / 2)).floor().min(f64::from(levels / 2 - 1)) * step)
                    .collect();
                let down: Vec<bool> = (0..k).map(|_| uniform(&mut rng) < 0.5).collect();
                for (x, &d) in u.iter_mut().zip(&down) {
                    if d {
                        *x += delta;
                    }
                }
                let mut order: Vec<usize> = (0..k).collect();
                crate::sweep::shuffle(&mut rng, &mut order);
                let mut traj = vec![factors.iter().zip(&u).map(|(f, &x)| to_value(f, x)).collect::<Vec<f64>>()];
                let mut mv = Vec::with_capacity(k);
                for &i in &order {
                    let before = to_value(&factors[i], u[i]);
                    u[i] += if down[i] { -delta } else { delta };
                    // The step actually taken, as a share of the range: a whole-number
                    // factor's rounding makes it differ from delta.
                    let f = &factors[i];
                    mv.push((i, (to_value(f, u[i]) - before) / (f.hi - f.lo)));
                    traj.push(factors.iter().zip(&u).map(|(f, &x)| to_value(f, x)).collect());
                }
                if traj.iter().all(|p| valid(p)) {
                    moves.push(mv);
                    points.extend(traj);
                    break;
                }
            }
        }
        Ok(Trajectories { factors, levels, moves, points })
    }
}

/// A factor's Morris indices for one output, with a bootstrap 95% interval of `mu_star`
/// over trajectories.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub factor: usize,
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
    pub mu_star_lo: f64,
    pub mu_star_hi: f64,
}

/// Bootstrap resamples for the interval of `mu_star`.
const BOOTSTRAP: usize = 1000;

/// The indices of every factor from `y`, one output per design point, ranked by
/// `mu_star` (largest first; ties by factor order). Effects are per whole range.
pub fn indices(d: &Trajectories, y: &[f64], seed: u64) -> Vec<Index> {
    let k = d.factors.len();
    let r = d.moves.len();
    assert_eq!(y.len(), r * (k + 1), "one output per point");
    // effects[factor][trajectory]
    let mut effects = vec![vec![f64::NAN; r]; k];
    for (t, mv) in d.moves.iter().enumerate() {
        let base = t * (k + 1);
        for (j, &(i, du)) in mv.iter().enumerate() {
            effects[i][t] = if du == 0.0 { f64::NAN } else { (y[base + j + 1] - y[base + j]) / du };
        }
    }
    let mut rng = stream(seed, 0, Purpose::Design, 2_000_000);
    let resamples: Vec<Vec<usize>> = (0..BOOTSTRAP)
        .map(|_| (0..r).map(|_| ((uniform(&mut rng) * r as f64) as usize).min(r - 1)).collect())
        .collect();
    let mut out: Vec<Index> = effects
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let finite: Vec<f64> = e.iter().copied().filter(|x| x.is_finite()).collect();
            let n = finite.len() as f64;
            let mu = finite.iter().sum::<f64>() / n;
            let mu_star = finite.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = if finite.len() > 1 {
                (finite.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                f64::NAN
            };
            let mut boot: Vec<f64> = resamples
                .iter()
                .map(|idx| {
                    let xs: Vec<f64> = idx.iter().map(|&t| e[t]).filter(|x| x.is_finite()).collect();
                    xs.iter().map(|x| x.abs()).sum::<f64>() / xs.len() as f64
                })
                .filter(|x| x.is_finite())
                .collect();
            boot.sort_by(f64::total_cmp);
            let q = |p: f64| boot.get(((boot.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN);
            Index { factor: i, mu, mu_star, sigma, mu_star_lo: q(0.025), mu_star_hi: q(0.975) }
        })
        .collect();
    // Largest first; a factor with no finite effect (NaN) last.
    out.sort_by(|a, b| {
        a.mu_star.is_nan().cmp(&b.mu_star.is_nan()).then(b.mu_star.total_cmp(&a.mu_star)).then(a.factor.cmp(&b.factor))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(path: &str, lo: f64, hi: f64) -> Factor {
        Factor { path: path.into(), value: (lo + hi) / 2.0, lo, hi, integer: false }
    }

    #[test]
    fn trajectories_move_one_factor_at_a_time_by_delta() {
        let fs = vec![factor("a", 0.0, 1.0), factor("b", 10.0, 20.0), factor("c", -1.0, 1.0)];
        let d = Trajectories::draw(fs, 6, 4, 3, &|_| true).unwrap();
        assert_eq!(d.points.len(), 6 * 4);
        for t in 0..6 {
            let traj = &d.points[t * 4..(t + 1) * 4];
            let mut moved = Vec::new();
            for (j, &(i, du)) in d.moves[t].iter().enumerate() {
                let changed: Vec<usize> = (0..3).filter(|&f| traj[j][f] != traj[j + 1][f]).collect();
                assert_eq!(changed, vec![i], "one factor per step");
                let f = &d.factors[i];
                let step = (traj[j + 1][i] - traj[j][i]) / (f.hi - f.lo);
                assert!((step - du).abs() < 1e-12 && (du.abs() - 2.0 / 3.0).abs() < 1e-12);
                moved.push(i);
            }
            moved.sort_unstable();
            assert_eq!(moved, vec![0, 1, 2], "every factor once");
            for p in traj {
                for (x, f) in p.iter().zip(&d.factors) {
                    assert!((f.lo - 1e-12..=f.hi + 1e-12).contains(x));
                }
            }
        }
    }

    #[test]
    fn indices_recover_a_known_function() {
        // y = 3a - 2b + 0c + a*c: a matters and interacts, b is linear, c acts via a only.
        let fs = vec![factor("a", 0.0, 1.0), factor("b", 0.0, 1.0), factor("c", 0.0, 1.0)];
        let d = Trajectories::draw(fs, 40, 4, 11, &|_| true).unwrap();
        let y: Vec<f64> = d.points.iter().map(|p| 3.0 * p[0] - 2.0 * p[1] + p[0] * p[2]).collect();
        let ix = indices(&d, &y, 1);
        let of = |f: usize| ix.iter().find(|i| i.factor == f).unwrap().clone();
        let (a, b, c) = (of(0), of(1), of(2));
        assert_eq!(ix[0].factor, 0, "a ranks first");
        assert!((b.mu - -2.0).abs() < 1e-9 && (b.mu_star - 2.0).abs() < 1e-9 && b.sigma < 1e-9, "{b:?}");
        assert!(a.mu_star > 3.0 && a.mu_star < 4.0 && a.sigma > 0.1, "{a:?}");
        assert!(c.mu_star > 0.0 && c.mu_star < 1.0 && c.sigma > 0.1, "{c:?}");
        assert!(a.mu_star_lo <= a.mu_star && a.mu_star <= a.mu_star_hi);
    }

    #[test]
    fn a_whole_number_factor_steps_by_what_rounding_leaves() {
        let f = Factor { path: "n".into(), value: 2.0, lo: 1.0, hi: 3.0, integer: true };
        let d = Trajectories::draw(vec![f], 30, 4, 2, &|_| true).unwrap();
        for (t, mv) in d.moves.iter().enumerate() {
            let (a, b) = (d.points[2 * t][0], d.points[2 * t + 1][0]);
            assert_eq!(a.fract() + b.fract(), 0.0, "whole values");
            assert!((mv[0].1 - (b - a) / 2.0).abs() < 1e-12, "the step is the rounded change over the range");
        }
        // y = 5 n: an effect of 10 per whole range, whatever the rounding.
        let y: Vec<f64> = d.points.iter().map(|p| 5.0 * p[0]).collect();
        let ix = indices(&d, &y, 1);
        assert!((ix[0].mu - 10.0).abs() < 1e-9, "{:?}", ix[0]);
    }

    #[test]
    fn a_refused_trajectory_is_drawn_again() {
        let fs = vec![factor("cap", 0.0, 1.0), factor("nq_cap", 0.0, 1.0)];
        let d = Trajectories::draw(fs, 20, 4, 5, &|p| p[1] <= p[0]).unwrap();
        assert!(d.points.iter().all(|p| p[1] <= p[0]));
        let never = Trajectories::draw(vec![factor("a", 0.0, 1.0)], 1, 4, 5, &|_| false);
        assert!(never.is_err());
    }

    #[test]
    fn default_factors_are_the_assumptions_within_their_ranges() {
        let s = Scenario::default();
        let fs = assumption_factors(&s);
        assert!(fs.iter().any(|f| f.path == "workforce.lone_decision_leave_effect"));
        assert!(fs.iter().all(|f| !f.path.starts_with("run.")));
        // A factor spans its prior, which may cross zero.
        let shift = fs.iter().find(|f| f.path == "judgement.lone_rating_shift").expect("a signed factor");
        assert_eq!((shift.lo, shift.hi), (-0.06, 0.09));
        for f in &fs {
            let p = PARAMS.iter().find(|p| p.path() == f.path).unwrap();
            assert!(p.is_assumption(), "{}", f.path);
            let Shape::Num { min, max, .. } = p.shape else { panic!() };
            assert!(min <= f.lo && f.lo < f.hi && f.hi <= max, "{f:?}");
        }
    }
}
