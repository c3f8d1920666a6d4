//! Experiments: plan the (rule, replication) runs with their seeds fixed up front, fan them
//! out over threads, and pair the results. The only place that knows about rayon.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::model::{Metric, Rule, RunOutput, run_one};
use crate::scenario::Scenario;
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

/// Runs a plan on `threads` threads (0: one per core). `progress` is called with the
/// number of runs finished so far; results do not depend on the thread count.
pub fn run(s: &Scenario, plan: &Plan, threads: usize, progress: &(dyn Fn(usize) + Sync)) -> Results {
    let runs = plan.runs();
    let done = AtomicUsize::new(0);
    let work = || {
        runs.par_iter()
            .map(|&(rule, rep)| {
                let out = run_one(s, rule, plan.seed, rep);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                out
            })
            .collect::<Vec<_>>()
    };
    let outputs = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(work),
        // A pool cannot be built (e.g. no threads allowed): run on this thread.
        Err(_) => runs.iter().map(|&(rule, rep)| run_one(s, rule, plan.seed, rep)).collect(),
    };
    Results { plan: plan.clone(), runs: outputs }
}
