//! A heatmap's cells: the paired difference of one metric by the values of one or two
//! grid axes, and where a threshold of concern holds on those cells, in words.

use super::{PointDifference, Sweep};
use crate::format::value;
use crate::model::Metric;
use crate::scenario::sweep::SweepSpec;

/// A heatmap's cells: the mean difference of one metric over the other parameters, by
/// the values of two grid axes, `[x][y]`, with how many cells' 95% intervals lie wholly
/// beyond the threshold of concern (when there is one).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid2 {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    /// Mean difference, `[ix][iy]`.
    pub mean: Vec<Vec<f64>>,
    /// Lower and upper 95% limits of the difference (of a single point; NaN when the cell
    /// averages several points).
    pub lo: Vec<Vec<f64>>,
    pub hi: Vec<Vec<f64>>,
}

/// The cells of a heatmap of `metric` over axes `x` and `y` of a grid sweep.
pub fn grid2(sw: &Sweep, spec: &SweepSpec, diffs: &[PointDifference], metric: Metric, x: usize, y: usize) -> Grid2 {
    let xs = spec.axes[x].values.clone();
    let ys = spec.axes[y].values.clone();
    let mut sum = vec![vec![0.0; ys.len()]; xs.len()];
    let mut count = vec![vec![0usize; ys.len()]; xs.len()];
    let mut lo = vec![vec![f64::NAN; ys.len()]; xs.len()];
    let mut hi = vec![vec![f64::NAN; ys.len()]; xs.len()];
    for d in diffs.iter().filter(|d| d.metric == metric) {
        let pt = &sw.points[d.point];
        let (Some(ix), Some(iy)) = (xs.iter().position(|&v| v == pt[x]), ys.iter().position(|&v| v == pt[y])) else {
            continue;
        };
        if d.difference.mean.is_finite() {
            sum[ix][iy] += d.difference.mean;
            count[ix][iy] += 1;
            lo[ix][iy] = d.difference.lo;
            hi[ix][iy] = d.difference.hi;
        }
    }
    let mean = sum
        .iter()
        .zip(&count)
        .map(|(s, c)| s.iter().zip(c).map(|(s, &c)| if c == 0 { f64::NAN } else { s / c as f64 }).collect())
        .collect();
    let several = sw.points.len() > xs.len() * ys.len();
    if several {
        lo.iter_mut().chain(hi.iter_mut()).for_each(|r| r.iter_mut().for_each(|v| *v = f64::NAN));
    }
    Grid2 { xs, ys, mean, lo, hi }
}

/// The cells of a one-parameter grid sweep as a heatmap's with one row: point `p` is the
/// axis's value `p`.
pub fn grid1(spec: &SweepSpec, diffs: &[PointDifference], metric: Metric, j: usize) -> Grid2 {
    let xs = spec.axes[j].values.clone();
    let n = xs.len();
    let mut g = Grid2 {
        xs,
        ys: vec![f64::NAN],
        mean: vec![vec![f64::NAN]; n],
        lo: vec![vec![f64::NAN]; n],
        hi: vec![vec![f64::NAN]; n],
    };
    for d in diffs.iter().filter(|d| d.metric == metric) {
        g.mean[d.point][0] = d.difference.mean;
        g.lo[d.point][0] = d.difference.lo;
        g.hi[d.point][0] = d.difference.hi;
    }
    g
}

/// Where a concern holds on a heatmap's cells, in words: for each value across, the
/// values up at which the mean difference is beyond the threshold, runs of equal answers
/// merged. `name` gives a parameter's label.
pub fn region_words(g: &Grid2, holds: &dyn Fn(f64) -> bool, xname: &str, yname: &str) -> String {
    let n_y = g.ys.len();
    let describe = |ix: usize| -> Option<String> {
        let set: Vec<usize> = (0..n_y).filter(|&iy| holds(g.mean[ix][iy])).collect();
        if set.is_empty() {
            return None;
        }
        let contiguous = set.windows(2).all(|w| w[1] == w[0] + 1);
        Some(if set.len() == n_y {
            format!("at every {yname} swept")
        } else if contiguous && *set.last().expect("non-empty") == n_y - 1 {
            format!("when {yname} is {} or more", value(g.ys[set[0]]))
        } else if contiguous && set[0] == 0 {
            format!("when {yname} is {} or less", value(g.ys[*set.last().expect("non-empty")]))
        } else {
            format!("when {yname} is {}", list(&set.iter().map(|&i| value(g.ys[i])).collect::<Vec<_>>()))
        })
    };
    let per_x: Vec<Option<String>> = (0..g.xs.len()).map(describe).collect();
    if per_x.iter().all(Option::is_none) {
        return format!("It holds nowhere in the swept range of {xname} and {yname}.");
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < per_x.len() {
        let mut j = i;
        while j + 1 < per_x.len() && per_x[j + 1] == per_x[i] {
            j += 1;
        }
        if let Some(d) = &per_x[i] {
            let xs = if i == j { value(g.xs[i]) } else { format!("{} to {}", value(g.xs[i]), value(g.xs[j])) };
            parts.push(format!("where {xname} is {xs}, {d}"));
        }
        i = j + 1;
    }
    let never: Vec<String> = (0..g.xs.len()).filter(|&i| per_x[i].is_none()).map(|i| value(g.xs[i])).collect();
    let mut out = format!("It holds {}.", parts.join("; "));
    if !never.is_empty() {
        out.push_str(&format!(" It holds at no swept {yname} where {xname} is {}.", list(&never)));
    }
    out
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(mean: Vec<Vec<f64>>) -> Grid2 {
        let (nx, ny) = (mean.len(), mean[0].len());
        Grid2 {
            xs: [0.1, 0.2, 0.3, 0.4][..nx].to_vec(),
            ys: (0..ny).map(|i| (10 * (i + 1)) as f64).collect(),
            lo: mean.clone(),
            hi: mean.clone(),
            mean,
        }
    }

    #[test]
    fn region_words_name_thresholds_and_merge_equal_columns() {
        let above = |x: f64| x > 1.0;
        let g = cells(vec![vec![0.0, 0.0, 0.0], vec![0.0, 0.5, 2.0], vec![0.0, 2.0, 3.0], vec![0.0, 2.0, 3.0]]);
        assert_eq!(
            region_words(&g, &above, "turnover", "novice share"),
            "It holds where turnover is 0.2, when novice share is 30 or more; where turnover is 0.3 to 0.4, \
             when novice share is 20 or more. It holds at no swept novice share where turnover is 0.1."
        );
        let none = cells(vec![vec![0.0, 0.0], vec![0.0, 0.0]]);
        assert_eq!(region_words(&none, &above, "a", "b"), "It holds nowhere in the swept range of a and b.");
        let all = cells(vec![vec![5.0, 5.0], vec![5.0, 5.0]]);
        assert_eq!(region_words(&all, &above, "a", "b"), "It holds where a is 0.1 to 0.2, at every b swept.");
        let low = cells(vec![vec![5.0, 0.0, 5.0]]);
        assert_eq!(region_words(&low, &above, "a", "b"), "It holds where a is 0.1, when b is 10 or 30.");
    }
}
