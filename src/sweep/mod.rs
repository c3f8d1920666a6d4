//! Sweeps: a scenario run at many points of parameter space, every rule at every point on
//! the same seeds, so that differences between rules are paired and differences between
//! points are not blurred by luck (common random numbers across points as well as rules).
//!
//! The work is a list of tasks `(point, rule, replication)` in that order (point slowest).
//! Each task is a pure function of the scenario at its point, its rule and its seed, so
//! the list can be cut into slices ([`shard`]) run anywhere, and finished points can be
//! kept and skipped on a restart, without changing a single result.

use std::ops::Range;

use crate::experiment::{Plan, Pool};
use crate::model::{Metric, Purpose, Stream, run_one, stream, uniform};
use crate::scenario::sweep::{Layout, SweepSpec};
use crate::scenario::{Scenario, ScenarioError};
use crate::stats::{Summary, paired};

mod grid;

pub use grid::{Grid2, grid1, grid2, region_words};

/// Why a sweep cannot be set up or run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(
        "the scenario has no [sweep] section: add one naming the parameters to vary (example: scenarios/where_is_it_high_risk.toml)"
    )]
    NoSweep,
    #[error("a sweep compares rules in pairs: it needs at least two rules, not {0}")]
    TooFewRules(usize),
    /// The plan's seed, replications and rules do not make a valid scenario.
    #[error("the sweep's seed, replications and rules")]
    Plan(#[source] ScenarioError),
    /// A point of the sweep is not a valid scenario.
    #[error("sweep point {point} ({values})")]
    Point {
        /// 1-based, as the tables number points.
        point: usize,
        values: String,
        #[source]
        source: ScenarioError,
    },
    #[error("--shard {0}: expected K/N with 1 <= K <= N, e.g. 3/10")]
    Shard(String),
    /// Checkpoints gave rows for a point that are not its tasks.
    #[error("the kept results of sweep point {0} do not match this sweep's tasks")]
    Kept(usize),
}

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
    pub fn of(s: &Scenario, plan: Plan) -> Result<Sweep, SweepError> {
        let Some(spec) = s.sweep() else { return Err(SweepError::NoSweep) };
        let points = design_points(spec);
        let paths = spec.axes.iter().map(|a| a.path.clone()).collect();
        Sweep::from_points(s, paths, points, plan)
    }

    /// A sweep over given points (used by the sensitivity analysis). Checks every point
    /// is a valid scenario before anything runs.
    pub fn from_points(
        s: &Scenario,
        paths: Vec<String>,
        points: Vec<Vec<f64>>,
        plan: Plan,
    ) -> Result<Sweep, SweepError> {
        if plan.rules.len() < 2 {
            return Err(SweepError::TooFewRules(plan.rules.len()));
        }
        let base = plan.written_into(s).map_err(SweepError::Plan)?;
        let sw = Sweep { base, paths, points, plan };
        for p in 0..sw.points.len() {
            sw.scenario_at(p)?;
        }
        Ok(sw)
    }

    /// The scenario at point `p` ([`Scenario::with_factors`]: a number is a key's value,
    /// or for a list a factor on it).
    pub fn scenario_at(&self, p: usize) -> Result<Scenario, SweepError> {
        let changes: Vec<(&str, f64)> = self.paths.iter().zip(&self.points[p]).map(|(k, &v)| (k.as_str(), v)).collect();
        self.base.with_factors(&changes).map_err(|source| SweepError::Point {
            point: p + 1,
            values: self.describe_point(p),
            source,
        })
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
pub fn parse_shard(text: &str) -> Result<(usize, usize), SweepError> {
    let bad = || SweepError::Shard(text.to_string());
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
        Layout::Grid => {
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
        Layout::LatinHypercube { points, seed } => {
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

/// Where a sweep keeps each finished point, so that an interrupted sweep can resume
/// without running its points again. The output layer keeps them in files.
pub trait Checkpoints {
    /// The error of keeping and reading back; a [`SweepError`] must fit into it.
    type Error: From<SweepError>;

    /// The rows of point `p` kept by an earlier, interrupted run, if any.
    fn kept(&mut self, p: usize) -> Result<Option<Vec<Row>>, Self::Error>;

    /// Keeps the rows of point `p`, newly finished.
    fn keep(&mut self, p: usize, rows: &[Row]) -> Result<(), Self::Error>;
}

/// No checkpoints: every point runs and none is kept.
pub struct Unkept;

impl Checkpoints for Unkept {
    type Error = SweepError;

    fn kept(&mut self, _: usize) -> Result<Option<Vec<Row>>, SweepError> {
        Ok(None)
    }

    fn keep(&mut self, _: usize, _: &[Row]) -> Result<(), SweepError> {
        Ok(())
    }
}

/// Runs the tasks in `range` on `threads` threads (0: one per core), point by point. A
/// point `checkpoints` kept from an earlier run is used instead of running it again; each
/// newly finished point is handed to `checkpoints` to keep. `progress(tasks_done)` counts
/// tasks. Returns every row of the range in task order.
pub fn run<C: Checkpoints>(
    sw: &Sweep,
    range: Range<usize>,
    threads: usize,
    checkpoints: &mut C,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Row>, C::Error> {
    let pool = Pool::new(threads);
    let mut rows = Vec::with_capacity(range.len());
    for p in sw.points_in(&range) {
        let tasks = sw.tasks_of_point(p, &range);
        if let Some(kept) = checkpoints.kept(p)? {
            if !sw.holds_exactly(tasks.clone(), &kept) {
                return Err(SweepError::Kept(p + 1).into());
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
        checkpoints.keep(p, &fresh)?;
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
            design: Layout::Grid,
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
            design: Layout::LatinHypercube { points: n, seed: 9 },
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
        let other = SweepSpec { design: Layout::LatinHypercube { points: n, seed: 10 }, ..spec };
        assert_ne!(design_points(&other), p, "another seed, other points");
    }
}
