//! Experiments: plan the (rule, replication) runs with their seeds fixed up front, fan them
//! out over threads, and pair the results. The only place that knows about rayon: sweeps
//! fan out through [`Pool`].

use crate::scenario::key;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::model::{self, CaseRecord, Metric, Part, Rule, RunOutput, run_one, run_stepping};
use crate::scenario::{Scenario, ScenarioError, Value};
use crate::stats::{Summary, paired};

/// What to run: every rule for replications `0..replications` from one master seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub rules: Vec<Rule>,
    pub replications: u32,
    pub seed: u64,
}

impl Plan {
    /// The scenario's own plan.
    pub fn of(s: &Scenario) -> Plan {
        Plan { rules: s.run.rules.clone(), replications: s.run.replications, seed: s.run.seed }
    }

    /// The scenario with this plan's seed, replications and rules written in, checked as a
    /// file's values are: the manifest and a sweep's base are made from it, so a plan that
    /// would not load back (a seed or a replication count out of range) is refused.
    pub fn written_into(&self, s: &Scenario) -> Result<Scenario, ScenarioError> {
        s.with_all(&self.changes())
    }

    /// The plan as scenario values: `run.seed`, `run.replications`, `run.rules`.
    pub fn changes(&self) -> [(&'static str, Value); 3] {
        [
            (key::run::seed, Value::Int(i64::try_from(self.seed).unwrap_or(i64::MAX))),
            (key::run::replications, Value::Int(i64::from(self.replications))),
            (key::run::rules, Value::Texts(self.rules.iter().map(|r| r.name()).collect())),
        ]
    }

    /// Every run, rule-major: all replications of the first rule, then the next.
    pub fn runs(&self) -> Vec<(Rule, u64)> {
        self.rules.iter().flat_map(|&r| (0..u64::from(self.replications)).map(move |i| (r, i))).collect()
    }
}

/// The outputs of a plan, in plan order.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub plan: Plan,
    pub runs: Vec<RunOutput>,
}

impl Results {
    /// One metric for every replication of rule number `rule`, in replication order.
    pub fn values(&self, rule: usize, m: Metric) -> Vec<f64> {
        let n = self.plan.replications as usize;
        self.runs[rule * n..(rule + 1) * n].iter().map(|r| r.metrics.get(m)).collect()
    }

    pub fn summary(&self, rule: usize, m: Metric) -> Summary {
        Summary::of(self.values(rule, m))
    }

    /// The paired difference `rule a - rule b` across replications.
    pub fn difference(&self, a: usize, b: usize, m: Metric) -> Summary {
        paired(&self.values(a, m), &self.values(b, m))
    }
}

/// Receives one run's completed-case records in batches, in the order they completed.
pub trait CaseSink: Send {
    /// Cases of the run's part number `part` (its authority, when it runs several apart).
    fn write(&mut self, part: usize, batch: &[CaseRecord]);
    fn finish(self: Box<Self>);
}

/// Opens the case sink for run number `run` of the plan (rule-major order).
pub type OpenSink<'a> = dyn Fn(usize) -> Box<dyn CaseSink> + Sync + 'a;

/// Working days between hand-overs of case records to a sink, which bounds the memory a
/// run's case log holds whatever the horizon.
const LOG_EVERY_DAYS: u32 = 25;

/// Runs a plan on `threads` threads (0: one per core). `progress` is called with the
/// number of runs finished so far; results do not depend on the thread count.
pub fn run(s: &Scenario, plan: &Plan, threads: usize, progress: &(dyn Fn(usize) + Sync)) -> Results {
    run_inner(s, plan, threads, progress, None)
}

/// Like [`run`], streaming every run's completed cases to the sink `open` gives it.
pub fn run_logged(
    s: &Scenario,
    plan: &Plan,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
    open: &OpenSink<'_>,
) -> Results {
    run_inner(s, plan, threads, progress, Some(open))
}

fn run_one_logged(s: &Scenario, rule: Rule, seed: u64, rep: u64, mut sink: Box<dyn CaseSink>) -> RunOutput {
    let end = s.run.warmup_days() + s.run.horizon_days();
    let mut batch = Vec::new();
    let out = run_stepping(s, rule, seed, rep, true, &mut |part, sim| {
        if sim.day().is_multiple_of(LOG_EVERY_DAYS) || sim.day() == end {
            sim.take_case_log(&mut batch);
            sink.write(part, &batch);
            batch.clear();
        }
    });
    sink.finish();
    out
}

fn run_inner(
    s: &Scenario,
    plan: &Plan,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
    open: Option<&OpenSink<'_>>,
) -> Results {
    let runs = plan.runs();
    let done = AtomicUsize::new(0);
    let one = |i: usize, (rule, rep): (Rule, u64)| {
        let out = match open {
            Some(open) => run_one_logged(s, rule, plan.seed, rep, open(i)),
            None => run_one(s, rule, plan.seed, rep),
        };
        progress(done.fetch_add(1, Ordering::Relaxed) + 1);
        out
    };
    let outputs = Pool::new(threads).map(0..runs.len(), &|i| one(i, runs[i]));
    Results { plan: plan.clone(), runs: outputs }
}

/// A plan cut finer, for shards: every run's simulations ([`model::n_parts`]: one per
/// authority of a national scenario), run-major in plan order. Task `t` is part
/// `t % n_parts` of run `t / n_parts`.
pub fn n_tasks(s: &Scenario, plan: &Plan) -> usize {
    plan.runs().len() * model::n_parts(s)
}

/// Runs tasks `range` of the plan ([`n_tasks`]) on `threads` threads, in task order.
pub fn run_tasks(
    s: &Scenario,
    plan: &Plan,
    range: std::ops::Range<usize>,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Part> {
    let (runs, n) = (plan.runs(), model::n_parts(s));
    let done = AtomicUsize::new(0);
    Pool::new(threads).map(range, &|t| {
        let (rule, rep) = runs[t / n];
        let part = model::run_part(s, rule, plan.seed, rep, t % n);
        progress(done.fetch_add(1, Ordering::Relaxed) + 1);
        part
    })
}

/// The plan's results from every task's part, in task order: the same as [`run`] gives.
///
/// # Panics
/// If `parts` is not [`n_tasks`] long.
pub fn assemble(s: &Scenario, plan: &Plan, parts: Vec<Part>) -> Results {
    assert_eq!(parts.len(), n_tasks(s, plan), "one part for every task");
    let n = model::n_parts(s);
    let mut parts = parts.into_iter();
    let runs = plan
        .runs()
        .into_iter()
        .map(|(rule, rep)| model::assemble(s, rule, rep, parts.by_ref().take(n).collect()))
        .collect();
    Results { plan: plan.clone(), runs }
}

/// Worker threads for runs that are not a [`Plan`] (a sweep's points): results come back in
/// item order whatever the number of threads.
pub struct Pool(Option<rayon::ThreadPool>);

impl Pool {
    /// `threads` workers (0: one per core); if no pool can be built, work runs on this thread.
    pub fn new(threads: usize) -> Pool {
        Pool(rayon::ThreadPoolBuilder::new().num_threads(threads).build().ok())
    }

    /// `f(i)` for every `i` in `items`, in parallel, collected in order.
    pub fn map<T: Send>(&self, items: std::ops::Range<usize>, f: &(dyn Fn(usize) -> T + Sync)) -> Vec<T> {
        match &self.0 {
            Some(pool) => pool.install(|| items.into_par_iter().map(f).collect()),
            None => items.map(f).collect(),
        }
    }
}
