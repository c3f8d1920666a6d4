//! Cases: a referral that needs an assessment, with its true risk and everything drawn
//! about it once, from its own stream.

use super::sample::{exponential, ln, normal_pair, uniform};
use super::streams::Stream;
use super::worker::Assignment;
use crate::scenario::Scenario;
pub use crate::vocab::Tier;

/// Index of an open case in the simulation's case store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CaseId(pub u32);

/// Index of a social worker post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PostId(pub u32);

/// Index of a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TeamId(pub u32);

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseState {
    AwaitingAllocation,
    AwaitingDecision,
    InAssessment,
}

/// The case's own luck, drawn once when it is referred, in this order, so that every rule
/// sees the same case with the same luck (common random numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct Luck {
    /// Standardised rating errors of the worker and the manager.
    pub z_worker: f64,
    pub z_manager: f64,
    /// Uniforms for drift, a missed need, staying open and re-referral.
    pub u_drift: f64,
    pub u_missed: f64,
    pub u_ongoing: f64,
    pub u_rereferral: f64,
    pub u_rereferral_delay: f64,
    /// Standard normal for the ongoing duration, standard exponential for the consultation.
    pub z_ongoing: f64,
    pub e_consult: f64,
}

/// A decided timescale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub tier: Tier,
    pub shared: bool,
    pub day: u32,
    pub start_by: u32,
    pub complete_by: u32,
    /// A lone plan that drifted: worked evenly to a target past the limit.
    pub drift: bool,
}

/// An open case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Stable identity across rules: the index of the referral, or a hash of its parent's.
    pub key: u64,
    pub team: TeamId,
    pub arrival_day: u32,
    pub is_rereferral: bool,
    /// The child's true tier and latent risk score on the 0-1 scale.
    pub tier: Tier,
    pub score: f64,
    /// The urgency screened at the front door on the day of referral (the referral read
    /// with an experienced worker's error, the same luck the allocated worker reads it
    /// with): the order in which unallocated cases are taken, and a same-day duty visit
    /// for a child screened at immediate risk.
    pub screened: Tier,
    /// Whether this is the re-referral of a child whose need was missed.
    pub after_missed: bool,
    pub hours_needed: f64,
    pub hours_done: f64,
    pub luck: Luck,
    /// Whether the worker paces the assessment to its decided target (a share
    /// `casework.pacing` of cases) rather than working it as fast as the day allows.
    pub paced: bool,
    pub state: CaseState,
    pub worker: Option<PostId>,
    pub allocated_day: u32,
    /// First day it waited for allocation in its current spell (for the waiting metric).
    pub waiting_since: u32,
    /// The worker's rating, its error sd and the tier it implies.
    pub worker_rating: f64,
    pub worker_sd: f64,
    pub worker_tier: Tier,
    pub decision: Option<Decision>,
    pub started_day: Option<u32>,
    /// Whether the limit has passed and corners were cut, and the hours skipped.
    pub rushed: bool,
    pub hours_cut: f64,
}

impl Case {
    /// Draws a new referral from its own stream (`Purpose::Case`, indexed by `key`). A re-referral of a child whose need was
    /// missed keeps the child's tier and score (`inherit`).
    pub fn draw(
        s: &Scenario,
        hours: &[LogNormal; 4],
        mut rng: Stream,
        key: u64,
        team: TeamId,
        day: u32,
        inherit: Option<(Tier, f64)>,
    ) -> Case {
        let d = &s.demand;
        let u_tier = uniform(&mut rng);
        let u_score = uniform(&mut rng);
        let (z_hours, z_ongoing) = normal_pair(&mut rng);
        let (z_worker, z_manager) = normal_pair(&mut rng);
        let luck = Luck {
            z_worker,
            z_manager,
            u_drift: uniform(&mut rng),
            u_missed: uniform(&mut rng),
            u_ongoing: uniform(&mut rng),
            u_rereferral: uniform(&mut rng),
            u_rereferral_delay: uniform(&mut rng),
            z_ongoing,
            e_consult: exponential(&mut rng),
        };
        // Drawn last, after the draws above, so adding it shifted none of them.
        let paced = uniform(&mut rng) < s.casework.pacing;
        let (tier, score) = inherit.unwrap_or_else(|| {
            let tier = pick_tier(&d.risk_mix, u_tier);
            let (lo, hi) = band(tier, &d.risk_cuts);
            (tier, lo + (hi - lo) * u_score)
        });
        let hours_needed = hours[tier.index()].at(z_hours);
        let screened = Tier::of_rating(score + s.judgement.sd_expert * z_worker, &d.risk_cuts);
        Case {
            key,
            team,
            arrival_day: day,
            is_rereferral: key >= REREFERRAL_KEYS,
            tier,
            score,
            screened,
            after_missed: inherit.is_some(),
            hours_needed,
            hours_done: 0.0,
            luck,
            paced,
            state: CaseState::AwaitingAllocation,
            worker: None,
            allocated_day: day,
            waiting_since: day,
            worker_rating: 0.0,
            worker_sd: 0.0,
            worker_tier: Tier::Low,
            decision: None,
            started_day: None,
            rushed: false,
            hours_cut: 0.0,
        }
    }

    /// The case's progress, for the worker who takes it on.
    pub fn assignment(&self, id: CaseId, s: &Scenario) -> Assignment {
        Assignment {
            order: self.work_order(),
            id,
            hours_left: self.hours_left(),
            hours_cut: self.hours_cut,
            limit_day: self.arrival_day + s.demand.limit_days,
            paced_until: if self.paced || self.decision.is_some_and(|d| d.drift) {
                self.decision.map_or(u32::MAX, |d| d.complete_by)
            } else {
                0
            },
            target_day: self.decision.map_or(u32::MAX, |d| d.complete_by),
            started: self.started_day.is_some(),
            started_today: false,
            rushed: self.rushed,
        }
    }

    /// Takes back the progress of the worker who held it.
    pub fn hand_back(&mut self, a: &Assignment) {
        self.hours_cut = a.hours_cut;
        self.rushed = a.rushed;
        self.hours_done = (self.hours_needed - a.hours_left - a.hours_cut).max(0.0);
    }

    pub fn hours_left(&self) -> f64 {
        (self.hours_needed - self.hours_done - self.hours_cut).max(0.0)
    }

    /// The day by which the child's true risk needed work to start.
    pub fn needed_start(&self, s: &Scenario) -> u32 {
        self.arrival_day + s.demand.needed_start_days[self.tier.index()]
    }

    /// How urgent the case is taken to be: its decided tier, else the tier screened at
    /// the front door.
    pub fn urgency(&self) -> Tier {
        self.decision.map_or(self.screened, |d| d.tier)
    }

    /// Ordering key for casework: decided cases first, earliest deadline first (the start
    /// deadline until work starts, then the completion target), then oldest, then by key.
    pub fn work_order(&self) -> WorkOrder {
        let due = match self.decision {
            None => None,
            Some(d) if self.started_day.is_none() => Some(d.start_by),
            // First visits come before continuing work: a started case's completion
            // target sits in a band after every start deadline.
            Some(d) => Some(d.complete_by | STARTED_BAND),
        };
        WorkOrder::new(due, self.arrival_day, self.key)
    }
}

/// The order a worker takes their assessments in: decided first, then by due day,
/// arrival day and key (unique). Packed in two words so that a comparison is two integer
/// comparisons: the first holds the due day (`u32::MAX` while undecided, a day no decided
/// case is due on) above the arrival day, the second the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WorkOrder {
    due_arrival: u64,
    key: u64,
}

impl WorkOrder {
    const UNDECIDED: u32 = u32::MAX;

    /// The order of a case due on `due` (`None` while undecided).
    pub fn new(due: Option<u32>, arrival_day: u32, key: u64) -> WorkOrder {
        let due = due.unwrap_or(Self::UNDECIDED);
        WorkOrder { due_arrival: u64::from(due) << 32 | u64::from(arrival_day), key }
    }

    /// The case's key, the last tie-breaker.
    pub fn key(self) -> u64 {
        self.key
    }

    /// Whether the case still waits for its timescale decision.
    pub fn is_undecided(self) -> bool {
        (self.due_arrival >> 32) as u32 == Self::UNDECIDED
    }
}

/// Added to a started case's completion target in its work order, so that every child
/// still to be seen comes first (no day reaches it).
const STARTED_BAND: u32 = 1 << 30;

/// Keys at or above this are re-referrals (derived from a parent's key).
pub const REREFERRAL_KEYS: u64 = 1 << 62;

/// The key of a child's re-referral, derived from the case it follows.
pub fn rereferral_key(parent: u64) -> u64 {
    REREFERRAL_KEYS | (super::streams::mix(parent ^ 0x5EED_0F4E_4E4A_1111) >> 2)
}

fn pick_tier(mix: &[f64; 4], u: f64) -> Tier {
    let mut acc = 0.0;
    for t in Tier::ALL {
        acc += mix[t.index()];
        if u < acc {
            return t;
        }
    }
    // Rounding can leave u just above the sum: the last tier with weight.
    Tier::ALL.into_iter().rev().find(|t| mix[t.index()] > 0.0).unwrap_or(Tier::Low)
}

/// The band of the 0-1 scale a tier occupies.
pub fn band(tier: Tier, cuts: &[f64; 3]) -> (f64, f64) {
    let lo = if tier == Tier::Low { 0.0 } else { cuts[tier.index() - 1] };
    let hi = if tier == Tier::Immediate { 1.0 } else { cuts[tier.index()] };
    (lo, hi)
}

/// A log-normal value with the given mean and coefficient of variation, from a standard
/// normal draw `z`.
pub fn lognormal(mean: f64, cv: f64, z: f64) -> f64 {
    LogNormal::new(mean, cv).at(z)
}

/// A log-normal distribution by its mean and coefficient of variation, with the
/// logarithms worked out once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogNormal {
    mu: f64,
    sigma: f64,
}

impl LogNormal {
    pub fn new(mean: f64, cv: f64) -> LogNormal {
        let sigma2 = ln(1.0 + cv * cv);
        LogNormal { mu: ln(mean) - sigma2 / 2.0, sigma: sigma2.sqrt() }
    }

    /// The value at standard normal draw `z`.
    pub fn at(&self, z: f64) -> f64 {
        super::sample::exp(self.mu + self.sigma * z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packed_work_order_sorts_as_decided_due_arrival_key() {
        // The order it replaces: (undecided, due, arrival, key), compared field by field.
        let cases: Vec<(Option<u32>, u32, u64)> = [None, Some(0), Some(7), Some(30), Some(u32::MAX - 1)]
            .into_iter()
            .flat_map(|due| [0, 6, 29, u32::MAX].into_iter().map(move |arrival| (due, arrival)))
            .flat_map(|(due, arrival)| [0, 5, 1 << 62, u64::MAX].into_iter().map(move |key| (due, arrival, key)))
            .collect();
        let tuple =
            |&(due, arrival, key): &(Option<u32>, u32, u64)| (due.is_none(), due.unwrap_or(u32::MAX), arrival, key);
        for a in &cases {
            let wa = WorkOrder::new(a.0, a.1, a.2);
            assert_eq!(wa.is_undecided(), a.0.is_none());
            for b in &cases {
                assert_eq!(wa.cmp(&WorkOrder::new(b.0, b.1, b.2)), tuple(a).cmp(&tuple(b)), "{a:?} against {b:?}");
            }
        }
    }

    #[test]
    fn ratings_fall_into_tiers_at_the_cut_points() {
        let cuts = [0.4, 0.7, 0.95];
        assert_eq!(Tier::of_rating(-0.2, &cuts), Tier::Low);
        assert_eq!(Tier::of_rating(0.4, &cuts), Tier::Medium);
        assert_eq!(Tier::of_rating(0.94, &cuts), Tier::High);
        assert_eq!(Tier::of_rating(1.3, &cuts), Tier::Immediate);
    }

    #[test]
    fn lognormal_has_the_requested_mean() {
        // E[exp(mu + sigma Z)] by quadrature over the standard normal.
        let (mean, cv) = (12.0, 0.5);
        let n = 20_000;
        let mut acc = 0.0;
        let mut weight = 0.0;
        for i in 0..n {
            let z = -8.0 + 16.0 * (i as f64 + 0.5) / n as f64;
            let w = (-z * z / 2.0).exp();
            acc += w * lognormal(mean, cv, z);
            weight += w;
        }
        assert!((acc / weight - mean).abs() < 1e-6);
        assert!((lognormal(5.0, 0.0, 1.3) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn tiers_are_drawn_in_proportion_to_the_mix() {
        let mix = [0.4, 0.3, 0.25, 0.05];
        let n = 10_000;
        let mut counts = [0usize; 4];
        for i in 0..n {
            counts[pick_tier(&mix, (i as f64 + 0.5) / n as f64).index()] += 1;
        }
        assert_eq!(counts, [4000, 3000, 2500, 500]);
    }
}
