//! Sweeps: a scenario run at many points of parameter space, every rule at every point on
//! the same seeds, so that differences between rules are paired and differences between
//! points are not blurred by luck (common random numbers across points as well as rules).
//!
//! The work is a list of tasks `(point, rule, replication)` in that order (point slowest).
//! Each task is a pure function of the scenario at its point, its rule and its seed, so
//! the list can be cut into slices ([`shard`]) run anywhere, and finished points can be
//! kept and skipped on a restart, without changing a single result.

use std::ops::Range;

use anyhow::{Context, Result, bail};

use crate::experiment::{Plan, Pool};
use crate::model::{Metric, Purpose, Stream, run_one, stream, uniform};
use crate::scenario::sweep::{Design, SweepSpec};
use crate::scenario::{Scenario, Value};
use crate::stats::{Summary, paired};

/// A sweep ready to run: the base scenario, the swept parameters and every point.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The scenario as given, with the plan's seed, replications and rules written in.
    pub base: Scenario,
    /// `section.key` of each swept parameter.
    pub paths: Vec<String>,
    /// The value of each swept parameter at each point, `[point][parameter]`.
    pub points: Vec<Vec<f64>>,
    pub plan: Plan,
}

/// One task's result: every metric of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub point: u32,
    /// Index into the plan's rules.
    pub rule: u32,
    pub replication: u32,
    /// Indexed by [`Metric`].
    pub metrics: Vec<f64>,
}

/// One task: which point, rule and replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    pub point: u32,
    pub rule: u32,
    pub replication: u32,
}

impl Sweep {
    /// The sweep of a scenario's `[sweep]` section.
    pub fn of(s: &Scenario, plan: Plan) -> Result<Sweep> {
        let Some(spec) = s.sweep() else {
            bail!(
                "the scenario has no [sweep] section: add one naming the parameters to vary (example: scenarios/where_is_it_high_risk.toml)"
            );
        };
        let points = design_points(spec);
        let paths = spec.axes.iter().map(|a| a.path.clone()).collect();
        Sweep::from_points(s, paths, points, plan)
    }

    /// A sweep over given points (used by the sensitivity analysis). Checks every point
    /// is a valid scenario before anything runs.
    pub fn from_points(s: &Scenario, paths: Vec<String>, points: Vec<Vec<f64>>, plan: Plan) -> Result<Sweep> {
        if plan.rules.len() < 2 {
            bail!("a sweep compares rules in pairs: it needs at least two rules, not {}", plan.rules.len());
        }
        let base = plan.written_into(s)?;
        let sw = Sweep { base, paths, points, plan };
        for p in 0..sw.points.len() {
            sw.scenario_at(p).with_context(|| format!("sweep point {} ({})", p + 1, sw.describe_point(p)))?;
        }
        Ok(sw)
    }

    /// The scenario at point `p`.
    pub fn scenario_at(&self, p: usize) -> Result<Scenario> {
        let changes: Vec<(&str, Value)> =
            self.paths.iter().zip(&self.points[p]).map(|(k, &v)| (k.as_str(), Value::Num(v))).collect();
        Ok(self.base.with_all(&changes)?)
    }

    /// `a = 1, b = 2` for point `p`.
    pub fn describe_point(&self, p: usize) -> String {
        self.paths.iter().zip(&self.points[p]).map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
    }

    fn per_point(&self) -> usize {
        self.plan.rules.len() * self.plan.replications as usize
    }

    /// How many tasks the sweep has.
    pub fn n_tasks(&self) -> usize {
        self.points.len() * self.per_point()
    }

    /// Task number `t` in the list.
    pub fn task(&self, t: usize) -> Task {
        let n = self.plan.replications as usize;
        Task {
            point: (t / self.per_point()) as u32,
            rule: ((t / n) % self.plan.rules.len()) as u32,
            replication: (t % n) as u32,
        }
    }

    /// The tasks of point `p` that fall in `range`.
    pub fn tasks_of_point(&self, p: usize, range: &Range<usize>) -> Range<usize> {
        let per = self.per_point();
        (p * per).max(range.start)..((p + 1) * per).min(range.end)
    }

    /// Whether `rows` are the results of exactly the tasks `range`, in order.
    pub fn holds_exactly(&self, range: Range<usize>, rows: &[Row]) -> bool {
        rows.len() == range.len()
            && range
                .zip(rows)
                .all(|(t, r)| self.task(t) == Task { point: r.point, rule: r.rule, replication: r.replication })
    }

    /// The points with at least one task in `range`.
    pub fn points_in(&self, range: &Range<usize>) -> Range<usize> {
        if range.is_empty() {
            return 0..0;
        }
        let per = self.per_point();
        range.start / per..(range.end - 1) / per + 1
    }
}

/// The tasks of shard `k` of `n` (1-based `k`): contiguous, as even as whole tasks allow.
pub fn shard(total: usize, k: usize, n: usize) -> Range<usize> {
    assert!(n >= 1 && (1..=n).contains(&k), "shard {k} of {n}");
    let at = |k: usize| (total as u128 * k as u128 / n as u128) as usize;
    at(k - 1)..at(k)
}

/// Parses `K/N`.
pub fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let bad = || anyhow::anyhow!("--shard {text}: expected K/N with 1 <= K <= N, e.g. 3/10");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The points of a design, `[point][axis]`.
pub fn design_points(spec: &SweepSpec) -> Vec<Vec<f64>> {
    match spec.design {
        Design::Grid => {
            let mut points = vec![Vec::new()];
            for axis in &spec.axes {
                points = points
                    .into_iter()
                    .flat_map(|p| {
                        axis.values.iter().map(move |&v| {
                            let mut q = p.clone();
                            q.push(v);
                            q
                        })
                    })
                    .collect();
            }
            points
        }
        Design::LatinHypercube { points, seed } => {
            let n = points as usize;
            let mut out = vec![Vec::with_capacity(spec.axes.len()); n];
            for (j, axis) in spec.axes.iter().enumerate() {
                let mut rng = stream(seed, 0, Purpose::Design, j as u64);
                let mut strata: Vec<usize> = (0..n).collect();
                shuffle(&mut rng, &mut strata);
                for (i, point) in out.iter_mut().enumerate() {
                    let x = axis.from + (strata[i] as f64 + uniform(&mut rng)) / n as f64 * (axis.to - axis.from);
                    point.push(if axis.integer { x.round().clamp(axis.from, axis.to) } else { x });
                }
            }
            out
        }
    }
}

/// Fisher-Yates: a uniformly random order of `xs`, from `rng` alone.
pub fn shuffle<T>(rng: &mut Stream, xs: &mut [T]) {
    for i in (1..xs.len()).rev() {
        let j = ((uniform(rng) * (i + 1) as f64) as usize).min(i);
        xs.swap(i, j);
    }
}

/// Runs the tasks in `range` on `threads` threads (0: one per core), point by point.
/// `resume(p)` gives the rows of point `p` kept from an earlier, interrupted run, which
/// are used instead of running it again; `on_point(p, rows)` is told each newly finished
/// point (to keep it); `progress(tasks_done)` counts tasks. Returns every row of the
/// range in task order.
pub fn run(
    sw: &Sweep,
    range: Range<usize>,
    threads: usize,
    resume: &dyn Fn(usize) -> Result<Option<Vec<Row>>>,
    on_point: &mut dyn FnMut(usize, &[Row]) -> Result<()>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Row>> {
    let pool = Pool::new(threads);
    let mut rows = Vec::with_capacity(range.len());
    for p in sw.points_in(&range) {
        let tasks = sw.tasks_of_point(p, &range);
        if let Some(kept) = resume(p)? {
            if !sw.holds_exactly(tasks.clone(), &kept) {
                bail!("the kept results of sweep point {} do not match this sweep's tasks", p + 1);
            }
            rows.extend(kept);
            progress(rows.len());
            continue;
        }
        let s = sw.scenario_at(p)?;
        let start = rows.len();
        let done = std::sync::atomic::AtomicUsize::new(start);
        let fresh: Vec<Row> = pool.map(tasks, &|t| {
            let task = sw.task(t);
            let rule = sw.plan.rules[task.rule as usize];
            let out = run_one(&s, rule, sw.plan.seed, u64::from(task.replication));
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Row { point: task.point, rule: task.rule, replication: task.replication, metrics: out.metrics.0 }
        });
        on_point(p, &fresh)?;
        rows.extend(fresh);
    }
    Ok(rows)
}

/// The paired difference (rule `a` minus rule `b`) of one metric at one point, with each
/// rule's mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointDifference {
    pub point: usize,
    pub metric: Metric,
    pub mean_a: f64,
    pub mean_b: f64,
    pub difference: Summary,
}

/// Every point's paired differences, first rule minus second, for every metric. `rows`
/// must be the whole sweep in task order.
pub fn differences(sw: &Sweep, rows: &[Row]) -> Vec<PointDifference> {
    assert_eq!(rows.len(), sw.n_tasks(), "differences need every task");
    let n = sw.plan.replications as usize;
    let per = sw.per_point();
    let mut out = Vec::with_capacity(sw.points.len() * Metric::ALL.len());
    for p in 0..sw.points.len() {
        let block = &rows[p * per..(p + 1) * per];
        for &m in Metric::ALL {
            let a: Vec<f64> = block[..n].iter().map(|r| r.metrics[m as usize]).collect();
            let b: Vec<f64> = block[n..2 * n].iter().map(|r| r.metrics[m as usize]).collect();
            out.push(PointDifference {
                point: p,
                metric: m,
                mean_a: Summary::of(a.iter().copied()).mean,
                mean_b: Summary::of(b.iter().copied()).mean,
                difference: paired(&a, &b),
            });
        }
    }
    out
}

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
            format!("when {yname} is {} or more", num(g.ys[set[0]]))
        } else if contiguous && set[0] == 0 {
            format!("when {yname} is {} or less", num(g.ys[*set.last().expect("non-empty")]))
        } else {
            format!("when {yname} is {}", list(&set.iter().map(|&i| num(g.ys[i])).collect::<Vec<_>>()))
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
            let xs = if i == j { num(g.xs[i]) } else { format!("{} to {}", num(g.xs[i]), num(g.xs[j])) };
            parts.push(format!("where {xname} is {xs}, {d}"));
        }
        i = j + 1;
    }
    let never: Vec<String> = (0..g.xs.len()).filter(|&i| per_x[i].is_none()).map(|i| num(g.xs[i])).collect();
    let mut out = format!("It holds {}.", parts.join("; "));
    if !never.is_empty() {
        out.push_str(&format!(" It holds at no swept {yname} where {xname} is {}.", list(&never)));
    }
    out
}

/// A value for a sentence: at most 4 significant digits.
fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return crate::scenario::params::fmt_num(x);
    }
    let scale = 10f64.powi(3 - x.abs().log10().floor() as i32);
    crate::scenario::params::fmt_num((x * scale).round() / scale)
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
    use crate::scenario::sweep::Axis;

    fn axis(path: &str, values: &[f64]) -> Axis {
        Axis {
            path: path.into(),
            values: values.to_vec(),
            from: values[0],
            to: values[values.len() - 1],
            integer: false,
        }
    }

    #[test]
    fn shards_cover_every_task_once_in_order() {
        for total in [0, 1, 7, 100, 101] {
            for n in 1..=9 {
                let all: Vec<usize> = (1..=n).flat_map(|k| shard(total, k, n)).collect();
                assert_eq!(all, (0..total).collect::<Vec<_>>(), "total {total}, {n} shards");
            }
        }
        assert_eq!(parse_shard("3/10").unwrap(), (3, 10));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/-2"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_grid_is_every_combination_first_axis_slowest() {
        let spec = SweepSpec {
            design: Design::Grid,
            axes: vec![axis("a.x", &[1.0, 2.0]), axis("a.y", &[10.0, 20.0, 30.0])],
            concern: None,
            heatmap: None,
        };
        let p = design_points(&spec);
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], vec![1.0, 10.0]);
        assert_eq!(p[2], vec![1.0, 30.0]);
        assert_eq!(p[3], vec![2.0, 10.0]);
    }

    #[test]
    fn a_latin_hypercube_has_one_point_in_each_stratum_of_each_axis() {
        let n = 17;
        let spec = SweepSpec {
            design: Design::LatinHypercube { points: n, seed: 9 },
            axes: vec![axis("a.x", &[0.0, 1.0]), axis("a.y", &[2.0, 4.0])],
            concern: None,
            heatmap: None,
        };
        let p = design_points(&spec);
        assert_eq!(p, design_points(&spec), "seeded: the same points again");
        for (j, (from, to)) in [(0.0, 1.0), (2.0, 4.0)].into_iter().enumerate() {
            let mut strata: Vec<usize> = p.iter().map(|q| ((q[j] - from) / (to - from) * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n as usize).collect::<Vec<_>>(), "axis {j}");
        }
        let other = SweepSpec { design: Design::LatinHypercube { points: n, seed: 10 }, ..spec };
        assert_ne!(design_points(&other), p, "another seed, other points");
    }

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
