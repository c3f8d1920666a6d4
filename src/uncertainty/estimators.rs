//! The statistics of an uncertainty analysis, on plain numbers: Saltelli's (2010)
//! first-order and Jansen's (1999) total Sobol estimators with bootstrap intervals, rank
//! correlation, Wilson's interval for a share, quantiles, and where a curve crosses a
//! threshold.

use crate::model::{Purpose, Stream, stream, uniform};
use crate::scenario::sweep::Concern;

/// The `q` quantile of sorted values, linearly interpolated.
pub fn quantile_sorted(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let h = (xs.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    xs[lo] + (xs[hi] - xs[lo]) * (h - lo as f64)
}

/// Wilson's score interval for `k` of `n` at 95%.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let (z, n, p) = (1.959_963_984_540_054, n as f64, k as f64 / n as f64);
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Ranks (1-based, ties averaged).
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut r = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
            j += 1;
        }
        for &o in &order[i..=j] {
            r[o] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 { 0.0 } else { sxy / (sxx * syy).sqrt() }
}

/// First-order and total Sobol indices of one factor, each with a bootstrap 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sobol {
    pub first: f64,
    pub first_ci: (f64, f64),
    pub total: f64,
    pub total_ci: (f64, f64),
}

impl Sobol {
    /// The positions of `indices`, largest total index first (ties in position order).
    pub fn by_total(indices: &[Sobol]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..indices.len()).collect();
        order.sort_by(|&x, &y| indices[y].total.total_cmp(&indices[x].total));
        order
    }
}

/// Saltelli (2010) first-order and Jansen (1999) total indices from `f_a`, `f_b` and
/// `f_ab[i]` (A with column `i` from B), over the rows `idx` (all rows, or a bootstrap
/// resample). The variance is that of A and B's outputs together.
fn estimate(f_a: &[f64], f_b: &[f64], f_ab: &[Vec<f64>], idx: &[usize]) -> Vec<(f64, f64)> {
    let n = idx.len() as f64;
    let all: Vec<f64> = idx.iter().flat_map(|&j| [f_a[j], f_b[j]]).collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let var = all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / all.len() as f64;
    f_ab.iter()
        .map(|ab| {
            if var <= 0.0 {
                return (0.0, 0.0);
            }
            let s1 = idx.iter().map(|&j| f_b[j] * (ab[j] - f_a[j])).sum::<f64>() / n / var;
            let st = idx.iter().map(|&j| (f_a[j] - ab[j]).powi(2)).sum::<f64>() / n / (2.0 * var);
            (s1, st)
        })
        .collect()
}

/// Sobol indices of every factor, with percentile bootstrap intervals from `resamples`
/// resamples of the rows drawn from the design stream `seed`.
pub fn sobol_indices(f_a: &[f64], f_b: &[f64], f_ab: &[Vec<f64>], resamples: usize, seed: u64) -> Vec<Sobol> {
    let n = f_a.len();
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(f_a, f_b, f_ab, &all);
    let mut rng: Stream = stream(seed, 0, Purpose::Design, 30_000);
    let mut boot: Vec<Vec<(f64, f64)>> = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let idx: Vec<usize> = (0..n).map(|_| ((uniform(&mut rng) * n as f64) as usize).min(n - 1)).collect();
        boot.push(estimate(f_a, f_b, f_ab, &idx));
    }
    (0..f_ab.len())
        .map(|i| {
            let mut s1: Vec<f64> = boot.iter().map(|b| b[i].0).collect();
            let mut st: Vec<f64> = boot.iter().map(|b| b[i].1).collect();
            s1.sort_by(f64::total_cmp);
            st.sort_by(f64::total_cmp);
            let ci = |xs: &[f64]| (quantile_sorted(xs, 0.025), quantile_sorted(xs, 0.975));
            Sobol { first: point[i].0, first_ci: ci(&s1), total: point[i].1, total_ci: ci(&st) }
        })
        .collect()
}

/// How a concern behaves along a factor's prior range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossing {
    /// It holds from `value` upwards (`at_least`) or downwards.
    At { value: f64, at_least: bool },
    /// It holds over the whole range.
    Everywhere,
    /// It holds nowhere in the range.
    Nowhere,
}

/// The first crossing of the concern's threshold along a curve `(x, y)`, by linear
/// interpolation between the points either side.
pub fn crossing(concern: &Concern, xs: &[f64], ys: &[f64]) -> Crossing {
    let holds: Vec<bool> = ys.iter().map(|&y| concern.holds(y)).collect();
    if holds.iter().all(|&h| h) {
        return Crossing::Everywhere;
    }
    if !holds.iter().any(|&h| h) {
        return Crossing::Nowhere;
    }
    for g in 1..xs.len() {
        if holds[g] != holds[g - 1] {
            let (x0, x1, y0, y1) = (xs[g - 1], xs[g], ys[g - 1], ys[g]);
            let t = if y1 != y0 { (concern.threshold - y0) / (y1 - y0) } else { 0.5 };
            return Crossing::At { value: x0 + (x1 - x0) * t.clamp(0.0, 1.0), at_least: holds[g] };
        }
    }
    Crossing::Nowhere
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uncertainty::{STREAM_A, STREAM_B, latin_hypercube};
    use std::f64::consts::PI;

    /// A Saltelli design on a test function of `k` inputs uniform on `[lo, hi]`: the
    /// indices the estimators give.
    fn indices_of(f: &dyn Fn(&[f64]) -> f64, k: usize, n: usize, lo: f64, hi: f64) -> Vec<Sobol> {
        let a = latin_hypercube(n, k, 3, STREAM_A);
        let b = latin_hypercube(n, k, 3, STREAM_B);
        let x = |u: &[f64]| u.iter().map(|u| lo + (hi - lo) * u).collect::<Vec<f64>>();
        let f_a: Vec<f64> = a.iter().map(|u| f(&x(u))).collect();
        let f_b: Vec<f64> = b.iter().map(|u| f(&x(u))).collect();
        let f_ab: Vec<Vec<f64>> = (0..k)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        let mut u = a[j].clone();
                        u[i] = b[j][i];
                        f(&x(&u))
                    })
                    .collect()
            })
            .collect();
        sobol_indices(&f_a, &f_b, &f_ab, 100, 5)
    }

    #[test]
    fn the_estimators_recover_the_ishigami_indices() {
        // Ishigami, a = 7, b = 0.1, inputs uniform on [-pi, pi]: analytic indices
        // S1 = 0.3139, 0.4424, 0 and ST = 0.5576, 0.4424, 0.2437.
        let f = |x: &[f64]| x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin();
        let s = indices_of(&f, 3, 20_000, -PI, PI);
        let (first, total) = ([0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]);
        for i in 0..3 {
            assert!((s[i].first - first[i]).abs() < 0.03, "S1[{i}] = {} against {}", s[i].first, first[i]);
            assert!((s[i].total - total[i]).abs() < 0.03, "ST[{i}] = {} against {}", s[i].total, total[i]);
            assert!(s[i].first_ci.0 <= s[i].first && s[i].first <= s[i].first_ci.1);
        }
    }

    #[test]
    fn the_estimators_recover_a_linear_models_indices() {
        // y = 1 x1 + 2 x2 + 3 x3 on uniforms: S1 = ST = c^2 / sum c^2 = 1/14, 4/14, 9/14.
        let f = |x: &[f64]| x[0] + 2.0 * x[1] + 3.0 * x[2];
        let s = indices_of(&f, 3, 8_000, 0.0, 1.0);
        for (i, c) in [1.0f64, 4.0, 9.0].iter().enumerate() {
            assert!((s[i].first - c / 14.0).abs() < 0.02, "S1[{i}] = {}", s[i].first);
            assert!((s[i].total - c / 14.0).abs() < 0.02, "ST[{i}] = {}", s[i].total);
        }
    }

    #[test]
    fn a_planted_crossing_is_found_by_interpolation() {
        let c = Concern::parse("turnover_pct > 1").unwrap();
        let xs = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(crossing(&c, &xs, &[0.0, 0.5, 1.5, 2.5]), Crossing::At { value: 1.5, at_least: true });
        assert_eq!(crossing(&c, &xs, &[3.0, 2.0, 0.0, -1.0]), Crossing::At { value: 1.5, at_least: false });
        assert_eq!(crossing(&c, &xs, &[2.0, 2.0, 2.0, 2.0]), Crossing::Everywhere);
        assert_eq!(crossing(&c, &xs, &[0.0, 0.0, 0.0, 0.0]), Crossing::Nowhere);
    }

    #[test]
    fn wilson_intervals_are_bounded_and_contain_the_share() {
        assert_eq!(wilson(0, 50).0, 0.0);
        assert!(wilson(0, 50).1 < 0.08);
        assert_eq!(wilson(50, 50).1, 1.0);
        let (lo, hi) = wilson(10, 40);
        assert!(lo < 0.25 && 0.25 < hi);
    }

    #[test]
    fn spearman_is_one_for_a_monotone_relation() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, 8.0, 27.0, 64.0, 125.0];
        assert!((spearman(&x, &y) - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &y.map(|v| -v)) + 1.0).abs() < 1e-12);
    }
}
