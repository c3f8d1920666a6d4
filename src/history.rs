//! `caseload history`: every authority run through the years as England lived them
//! (`england::history`), beside its counterfactual in which the wording never changed, on
//! the same luck. Pure: runs and summaries; `output/history/` writes the files.
//!
//! A task is one replication of one arm: every authority in order, each on its own
//! streams, and England as their sum (their counters added year by year), so a task's
//! numbers are the same bits on any number of threads.

use crate::england::history::AuthorityHistory;
use crate::experiment::Pool;
use crate::model::{Metric, Metrics, Part, Rule, run_history, run_history_and_counterfactual};
use crate::stats::{Summary, paired};

/// The two arms: as it was, and as it would have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arm {
    /// The rule switched where and when practice changed.
    History,
    /// The wording never changed.
    Counterfactual,
}

impl Arm {
    pub const BOTH: [Arm; 2] = [Arm::History, Arm::Counterfactual];

    pub fn name(self) -> &'static str {
        match self {
            Arm::History => "history",
            Arm::Counterfactual => "counterfactual",
        }
    }
}

/// The series a history reports, year by year: what the DfE publishes, then what the
/// change could do to children.
pub const SERIES: [Metric; 13] = [
    Metric::Turnover,
    Metric::Vacancy,
    Metric::Agency,
    Metric::Caseload,
    Metric::Rereferral,
    Metric::UnderFiveYearsInAuthority,
    Metric::LeaversUnderTwoYears,
    Metric::WithinLimit,
    Metric::DaysToCompletionMedian,
    Metric::ChildDaysAtRisk,
    Metric::HighRiskLatePerYear,
    Metric::UnderRatedHighPerYear,
    Metric::ReferralsPerYear,
];

/// One replication of one arm: each authority's years' outcomes, and England's.
#[derive(Debug, Clone, PartialEq)]
pub struct Replication {
    pub authorities: Vec<Vec<Metrics>>,
    pub england: Vec<Metrics>,
}

/// Runs one replication of one arm: every authority, in order, added up into England.
pub fn run_replication(hs: &[AuthorityHistory], arm: Arm, before: Rule, seed: u64, replication: u64) -> Replication {
    let mut england: Vec<Part> = Vec::new();
    let mut authorities = Vec::with_capacity(hs.len());
    for a in hs {
        let h = if arm == Arm::History { &a.history } else { &a.counterfactual };
        let years = run_history(h, before, seed, replication);
        authorities.push(years.iter().map(Part::metrics).collect());
        if england.is_empty() {
            england = years;
        } else {
            for (e, y) in england.iter_mut().zip(&years) {
                e.absorb(y);
            }
        }
    }
    Replication { authorities, england: england.iter().map(Part::metrics).collect() }
}

/// Runs one replication of both arms, the counterfactual copied from the history at the
/// switch ([`run_history_and_counterfactual`]): the same numbers as [`run_replication`] of
/// each.
pub fn run_both(hs: &[AuthorityHistory], before: Rule, seed: u64, replication: u64) -> (Replication, Replication) {
    let mut arms: [(Vec<Part>, Vec<Vec<Metrics>>); 2] = Default::default();
    for a in hs {
        let (h, c) = run_history_and_counterfactual(&a.history, before, seed, replication);
        for ((england, authorities), years) in arms.iter_mut().zip([h, c]) {
            authorities.push(years.iter().map(Part::metrics).collect());
            if england.is_empty() {
                *england = years;
            } else {
                for (e, y) in england.iter_mut().zip(&years) {
                    e.absorb(y);
                }
            }
        }
    }
    let [h, c] = arms.map(|(england, authorities)| Replication {
        authorities,
        england: england.iter().map(Part::metrics).collect(),
    });
    (h, c)
}

/// Every replication of both arms: task `2r` is replication `r`'s history, `2r + 1` its
/// counterfactual.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub first_year: u32,
    pub runs: Vec<Replication>,
}

/// Tasks `range` (of `2 x replications`) on `threads` threads, in task order.
pub fn run_tasks(
    hs: &[AuthorityHistory],
    before: Rule,
    seed: u64,
    range: std::ops::Range<usize>,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Replication> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    Pool::new(threads).map(range, &|t| {
        let arm = Arm::BOTH[t % 2];
        let r = run_replication(hs, arm, before, seed, (t / 2) as u64);
        progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
        r
    })
}

/// One task of a history's analysis, as it is kept between runs and shards: a replication
/// of an arm, or a draw of the reference table (`abc`).
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    Replication(Replication),
    Draw(crate::abc::Draw),
}

/// What task `t` of a history of `replications` replications and `draws` draws is, in
/// order: the replications' arms (`2r` history, `2r + 1` counterfactual), the draws, and,
/// with any draws, the two planted answers (a leaving effect of +0.3, then of 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TaskKind {
    Arm(Arm, u64),
    Draw(usize),
    Planted(f64),
}

/// The planted leaving effects, in task order.
pub const PLANTED: [f64; 2] = [0.3, 0.0];

/// The number of tasks of a history's analysis.
pub fn n_tasks(replications: usize, draws: usize) -> usize {
    2 * replications + draws + if draws > 0 { PLANTED.len() } else { 0 }
}

/// What task `t` is (`t < n_tasks(replications, draws)`).
pub fn task_kind(t: usize, replications: usize, draws: usize) -> TaskKind {
    if t < 2 * replications {
        TaskKind::Arm(Arm::BOTH[t % 2], (t / 2) as u64)
    } else if t < 2 * replications + draws {
        TaskKind::Draw(t - 2 * replications)
    } else {
        TaskKind::Planted(PLANTED[t - 2 * replications - draws])
    }
}

/// Where: England (`None`) or an authority by its index.
pub type Place = Option<usize>;

impl Results {
    pub fn replications(&self) -> usize {
        self.runs.len() / 2
    }

    pub fn years(&self) -> usize {
        self.runs.first().map_or(0, |r| r.england.len())
    }

    /// The model year of year index `k`.
    pub fn year(&self, k: usize) -> u32 {
        self.first_year + k as u32
    }

    /// One value a replication, in replication order.
    pub fn values(&self, place: Place, arm: Arm, k: usize, m: Metric) -> Vec<f64> {
        let offset = if arm == Arm::History { 0 } else { 1 };
        self.runs
            .iter()
            .skip(offset)
            .step_by(2)
            .map(|r| match place {
                None => r.england[k].get(m),
                Some(a) => r.authorities[a][k].get(m),
            })
            .collect()
    }

    /// The mean with its 95% confidence interval.
    pub fn summary(&self, place: Place, arm: Arm, k: usize, m: Metric) -> Summary {
        Summary::of(self.values(place, arm, k, m))
    }

    /// Where one year's figure of a replication falls: the 2.5th and 97.5th percentiles
    /// over replications (what a published figure, one year as it happened, is set
    /// against).
    pub fn range(&self, place: Place, arm: Arm, k: usize, m: Metric) -> (f64, f64) {
        let mut xs: Vec<f64> = self.values(place, arm, k, m).into_iter().filter(|x| x.is_finite()).collect();
        if xs.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        xs.sort_by(f64::total_cmp);
        (quantile(&xs, 0.025), quantile(&xs, 0.975))
    }

    /// What the change did: history minus counterfactual, paired by replication.
    pub fn effect(&self, place: Place, k: usize, m: Metric) -> Summary {
        paired(&self.values(place, Arm::History, k, m), &self.values(place, Arm::Counterfactual, k, m))
    }
}

/// The `q` quantile of sorted values, interpolating between order statistics (R's type 7).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}
