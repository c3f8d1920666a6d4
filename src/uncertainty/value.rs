//! The decision priced, and what finding out is worth. From each draw of the priors: the
//! incremental cost and the incremental child-days at risk of the first rule over the
//! second (the cost-effectiveness plane); over a range of values a reader may place on one
//! child-day at risk avoided, the probability that each rule is preferred (the
//! acceptability curve); the expected value of perfect information (EVPI) and of perfect
//! information about a parameter or a group of them (EVPPI).
//!
//! EVPPI follows Strong, Oakley and Brennan's regression method (Medical Decision Making
//! 2014): the incremental net benefit of each draw is regressed on the parameters of
//! interest, and the fitted values stand for its expectation given them. The smoother
//! here is an additive cubic regression spline (truncated power basis, knots at the
//! quartiles of each parameter) fitted by least squares, its size chosen by generalised
//! cross-validation, in place of their penalised generalised additive model; `tests`
//! checks it against a nested Monte-Carlo calculation on a small model whose answer is
//! known.
//!
//! Signs: net benefit is money, `-value * days - cost`; the incremental net benefit of the
//! first rule over the second is positive where the first is preferred.

use crate::model::{Metric, Purpose, stream, uniform};

/// The values of one child-day at risk avoided (GBP) at which the curve and the value of
/// information are given: from nothing to what the model cannot judge.
pub const VALUES: [f64; 13] =
    [0.0, 10.0, 20.0, 50.0, 100.0, 200.0, 300.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0, 20_000.0];

/// Each draw's incremental cost (GBP a year) and incremental child-days at risk a year,
/// first rule minus second; draws where either is missing are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    pub cost: Vec<f64>,
    pub days: Vec<f64>,
    /// Index of each kept draw among the design's draws.
    pub draw: Vec<usize>,
}

impl Plane {
    /// From each draw's mean differences, `[metric]` per draw.
    pub fn of(diffs: &[&[f64]]) -> Plane {
        let (mut cost, mut days, mut draw) = (Vec::new(), Vec::new(), Vec::new());
        for (i, d) in diffs.iter().enumerate() {
            let (c, e) = (d[Metric::TotalCost as usize], d[Metric::ChildDaysAtRisk as usize]);
            if c.is_finite() && e.is_finite() {
                cost.push(c);
                days.push(e);
                draw.push(i);
            }
        }
        Plane { cost, days, draw }
    }

    /// The incremental net benefit of the first rule over the second in each draw, at
    /// `value` GBP a child-day at risk avoided.
    pub fn net_benefit(&self, value: f64) -> Vec<f64> {
        self.cost.iter().zip(&self.days).map(|(c, e)| -value * e - c).collect()
    }
}

/// The share of draws in which the first rule is preferred (its incremental net benefit
/// above zero; a tie counts half).
pub fn acceptability(inb: &[f64]) -> f64 {
    if inb.is_empty() {
        return f64::NAN;
    }
    inb.iter()
        .map(|&x| {
            if x > 0.0 {
                1.0
            } else if x == 0.0 {
                0.5
            } else {
                0.0
            }
        })
        .sum::<f64>()
        / inb.len() as f64
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The expected value of perfect information, from incremental net benefits: what
/// choosing the better rule in every draw gains over choosing the better one on average,
/// `E[max(0, INB)] - max(0, E[INB])`. Never below zero; zero when one rule is preferred in
/// every draw.
pub fn evpi(inb: &[f64]) -> f64 {
    if inb.is_empty() {
        return f64::NAN;
    }
    let perfect = mean(&inb.iter().map(|&x| x.max(0.0)).collect::<Vec<_>>());
    (perfect - mean(inb).max(0.0)).max(0.0)
}

/// The expected value of perfect information about the parameters whose values in each
/// draw are `xs[parameter][draw]`: `E[max(0, g)] - max(0, E[g])`, with `g` the regression
/// of the incremental net benefit on them ([`fit`]). Bounded by [`evpi`] of the same
/// benefits (a regression cannot know more than every draw does).
pub fn evppi(inb: &[f64], xs: &[Vec<f64>]) -> f64 {
    if inb.is_empty() {
        return f64::NAN;
    }
    let g = fit(inb, xs);
    let partial = mean(&g.iter().map(|&x| x.max(0.0)).collect::<Vec<_>>()) - mean(&g).max(0.0);
    partial.clamp(0.0, evpi(inb))
}

/// The basis of one parameter: its value scaled to 0..1, its square and cube, and the
/// cubes beyond each knot (the quartiles), as columns over the draws.
fn basis(x: &[f64]) -> Vec<Vec<f64>> {
    let (lo, hi) = x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return Vec::new(); // a constant carries no information
    }
    let u: Vec<f64> = x.iter().map(|v| (v - lo) / (hi - lo)).collect();
    let mut sorted = u.clone();
    sorted.sort_by(f64::total_cmp);
    let knot = |q: f64| sorted[((q * (sorted.len() - 1) as f64).round() as usize).min(sorted.len() - 1)];
    let mut cols = vec![u.clone(), u.iter().map(|v| v * v).collect(), u.iter().map(|v| v * v * v).collect()];
    for k in [knot(0.25), knot(0.5), knot(0.75)] {
        cols.push(u.iter().map(|v| (v - k).max(0.0).powi(3)).collect());
    }
    cols
}

/// The fitted values of `y` on an intercept and the additive spline bases of `xs`: of the
/// nested bases (each parameter linear, quadratic, cubic, then with one, two and three
/// knots), the one with the least generalised cross-validation score `n RSS / (n - p)^2`,
/// so that a smooth relation is not fitted with the noise of the draws (the penalty a
/// generalised additive model would apply). At most a third as many coefficients as draws.
pub fn fit(y: &[f64], xs: &[Vec<f64>]) -> Vec<f64> {
    let n = y.len();
    let bases: Vec<Vec<Vec<f64>>> = xs.iter().map(|x| basis(x)).collect();
    let mut best: Option<(f64, Vec<f64>)> = None;
    for per in 1..=6 {
        let mut cols: Vec<Vec<f64>> = vec![vec![1.0; n]];
        for b in &bases {
            cols.extend(b.iter().take(per).cloned());
        }
        let p = cols.len();
        if 3 * p > n && per > 1 {
            break;
        }
        let fitted = least_squares(y, &cols);
        let rss: f64 = fitted.iter().zip(y).map(|(f, v)| (v - f).powi(2)).sum();
        let gcv = n as f64 * rss / ((n - p.min(n - 1)) as f64).powi(2);
        if best.as_ref().is_none_or(|(g, _)| gcv < *g) {
            best = Some((gcv, fitted));
        }
    }
    best.map_or_else(|| vec![mean(y); n], |(_, f)| f)
}

/// Least squares of `y` on the columns `cols` (normal equations, Gaussian elimination with
/// partial pivoting, a tiny ridge so that a degenerate column does no harm); the fitted
/// values.
fn least_squares(y: &[f64], cols: &[Vec<f64>]) -> Vec<f64> {
    let (n, p) = (y.len(), cols.len());
    let mut a = vec![vec![0.0; p + 1]; p];
    for i in 0..p {
        for j in 0..p {
            a[i][j] = cols[i].iter().zip(&cols[j]).map(|(u, v)| u * v).sum();
        }
        a[i][p] = cols[i].iter().zip(y).map(|(u, v)| u * v).sum();
    }
    let scale = (0..p).map(|i| a[i][i]).fold(0.0, f64::max).max(1e-300);
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += 1e-10 * scale;
    }
    for c in 0..p {
        let pivot = (c..p).max_by(|&r, &s| a[r][c].abs().total_cmp(&a[s][c].abs())).unwrap_or(c);
        a.swap(c, pivot);
        if a[c][c].abs() < 1e-300 {
            continue;
        }
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot_row[c];
                if f != 0.0 {
                    for (x, y) in row[c..].iter_mut().zip(&pivot_row[c..]) {
                        *x -= f * y;
                    }
                }
            }
        }
    }
    let b: Vec<f64> = (0..p).map(|i| if a[i][i].abs() < 1e-300 { 0.0 } else { a[i][p] / a[i][i] }).collect();
    (0..n).map(|d| (0..p).map(|j| b[j] * cols[j][d]).sum()).collect()
}

/// Groups of parameters whose value of information the analysis reports beside each
/// single one: the mechanisms of the argument, by what they do.
pub const GROUPS: [(&str, &[&str]); 4] = [
    ("drift when deciding alone", &["judgement.drift_share", "judgement.drift_overrun_days", "judgement.drift_novice"]),
    ("leaving after deciding alone", &["workforce.lone_decision_leave_effect", "workforce.lone_leave_novice"]),
    (
        "the rating shifts",
        &["judgement.lone_rating_shift", "judgement.shared_rating_shift", "judgement.lone_shift_novice"],
    ),
    (
        "the manager's view",
        &["judgement.manager_weight", "judgement.manager_sd_ratio", "judgement.manager_info_penalty"],
    ),
];

/// The decision priced over the draws of an uncertainty analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    pub plane: Plane,
    /// At each of [`VALUES`]: the value, the share of draws preferring the first rule, and
    /// the EVPI (GBP a year for the scenario's authority or authorities).
    pub curve: Vec<(f64, f64, f64)>,
    /// Each parameter and group: its name, its factors (indices into the design's
    /// factors), and its EVPPI at each of [`VALUES`].
    pub evppi: Vec<(String, Vec<usize>, Vec<f64>)>,
}

/// Prices the draws: `diffs[draw]` the mean differences per metric, `points[draw][factor]`
/// the factors' values, `paths` the factors' keys, `singles` the factors to report one by
/// one (the argument's mechanisms).
pub fn price(diffs: &[&[f64]], points: &[&[f64]], paths: &[&str], singles: &[usize]) -> Priced {
    let plane = Plane::of(diffs);
    let column = |f: usize| -> Vec<f64> { plane.draw.iter().map(|&d| points[d][f]).collect() };
    let curve = VALUES
        .iter()
        .map(|&v| {
            let inb = plane.net_benefit(v);
            (v, acceptability(&inb), evpi(&inb))
        })
        .collect();
    let mut sets: Vec<(String, Vec<usize>)> = singles.iter().map(|&f| (paths[f].to_string(), vec![f])).collect();
    for (name, members) in GROUPS {
        let fs: Vec<usize> = members.iter().filter_map(|m| paths.iter().position(|p| p == m)).collect();
        if fs.len() > 1 {
            sets.push((name.to_string(), fs));
        }
    }
    if singles.len() > 1 {
        sets.push(("every mechanism of the argument".to_string(), singles.to_vec()));
    }
    let evppi = sets
        .into_iter()
        .map(|(name, fs)| {
            let xs: Vec<Vec<f64>> = fs.iter().map(|&f| column(f)).collect();
            let at: Vec<f64> = VALUES.iter().map(|&v| evppi(&plane.net_benefit(v), &xs)).collect();
            (name, fs, at)
        })
        .collect();
    Priced { plane, curve, evppi }
}

/// A standard normal deviate from two uniforms (Box and Muller), for the tests' models.
pub fn normal_from(u1: f64, u2: f64) -> f64 {
    (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Uniforms for a test model, from the model's own streams.
pub fn uniforms(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = stream(seed, 0, Purpose::Initial, 0);
    (0..n).map(|_| uniform(&mut rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_preferred_in_every_draw_has_acceptability_one_and_nothing_to_learn() {
        // The first rule cheaper and safer in every draw: it dominates.
        let plane =
            Plane { cost: vec![-10.0, -5.0, -1.0, -20.0], days: vec![-3.0, -1.0, -0.5, -2.0], draw: vec![0, 1, 2, 3] };
        for v in VALUES {
            let inb = plane.net_benefit(v);
            assert_eq!(acceptability(&inb), 1.0, "value {v}");
            assert_eq!(evpi(&inb), 0.0, "value {v}");
            assert_eq!(evppi(&inb, &[vec![0.1, 0.4, 0.2, 0.9]]), 0.0);
        }
        // And dominated: acceptability 0, still nothing to learn.
        let worse = Plane {
            cost: plane.cost.iter().map(|c| -c).collect(),
            days: plane.days.iter().map(|d| -d).collect(),
            draw: plane.draw.clone(),
        };
        for v in VALUES {
            assert_eq!(acceptability(&worse.net_benefit(v)), 0.0);
            assert_eq!(evpi(&worse.net_benefit(v)), 0.0);
        }
    }

    #[test]
    fn the_acceptability_curve_turns_where_a_child_day_is_worth_the_cost() {
        // Every draw: the first rule costs 1,000 more and saves 10 child-days, so it is
        // preferred from 100 a child-day.
        let plane = Plane { cost: vec![1000.0; 5], days: vec![-10.0; 5], draw: (0..5).collect() };
        assert_eq!(acceptability(&plane.net_benefit(50.0)), 0.0);
        assert_eq!(acceptability(&plane.net_benefit(100.0)), 0.5);
        assert_eq!(acceptability(&plane.net_benefit(200.0)), 1.0);
    }

    /// The regression estimator against a nested Monte-Carlo calculation on a model whose
    /// answer is known: INB = 1000 (phi - 0.3) + 500 eps, phi uniform on 0..1, eps
    /// standard normal. E[INB | phi] = 1000 (phi - 0.3), so EVPPI(phi) = 1000 x 0.245 -
    /// 200 = 45 exactly. The nested estimate (10,000 outer by 200 inner draws: standard
    /// error about 0.8, and the inner noise biases it up by about 0.6) and the regression
    /// on 20,000 draws (standard error about 1.8, from the fitted line's own noise) must
    /// both come within 10% of it, which is at least 2.5 standard errors; neither may
    /// exceed the EVPI of the same draws.
    #[test]
    fn evppi_agrees_with_a_nested_monte_carlo_calculation() {
        let n = 20_000;
        let u = uniforms(7, 3 * n);
        let phi: Vec<f64> = u[..n].to_vec();
        let noise = |i: usize| normal_from(u[n + i], u[2 * n + i]);
        let inb: Vec<f64> = (0..n).map(|i| 1000.0 * (phi[i] - 0.3) + 500.0 * noise(i)).collect();
        let regression = evppi(&inb, std::slice::from_ref(&phi));
        // Nested: for each outer phi, the inner mean of INB over fresh noise.
        let (outer, inner) = (10_000, 200);
        let w = uniforms(11, outer * (1 + 2 * inner));
        let mut conditional = Vec::with_capacity(outer);
        for o in 0..outer {
            let base = o * (1 + 2 * inner);
            let p = w[base];
            let m: f64 = (0..inner)
                .map(|k| 1000.0 * (p - 0.3) + 500.0 * normal_from(w[base + 1 + 2 * k], w[base + 2 + 2 * k]))
                .sum::<f64>()
                / inner as f64;
            conditional.push(m);
        }
        let nested = mean(&conditional.iter().map(|&x| x.max(0.0)).collect::<Vec<_>>()) - mean(&conditional).max(0.0);
        let exact = 45.0;
        assert!((nested - exact).abs() < 0.1 * exact, "nested {nested} against {exact}");
        assert!((regression - exact).abs() < 0.1 * exact, "regression {regression} against {exact}");
        assert!(regression <= evpi(&inb) && nested <= evpi(&inb), "EVPPI {regression} above EVPI {}", evpi(&inb));
        // A parameter the benefit does not depend on is worth (almost) nothing.
        let unrelated = uniforms(13, n);
        assert!(evppi(&inb, &[unrelated]) < 0.15 * exact, "{}", evppi(&inb, &[uniforms(13, n)]));
    }
}
