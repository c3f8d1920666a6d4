//! Two simulations of one session in lockstep: both rules on the same scenario, seed and
//! replication 0, stepped day by day, with what the page shows kept as they go (recent
//! events, one child followed, a daily series of figures for the charts).

use std::collections::{BTreeMap, VecDeque};

use crate::model::{Metric, ModelEvent, Rule, Sim, authority_seed, rereferral_key};
use crate::scenario::Scenario;

/// Events kept for the feed, per session: a whole run of the teaching scenario (about
/// 2,600 events a simulated year for both rules) and more; beyond it the oldest are
/// dropped (the tally still counts them).
pub const KEPT_EVENTS: usize = 60_000;

/// What the feed's tally counts, per rule, since day 0: each event kind, then late starts,
/// decisions made after the day work should have started, assessments over the limit,
/// needs missed and re-referrals.
pub const TALLIES: [&str; 11] = [
    "referral",
    "decision",
    "start",
    "completion",
    "workforce",
    "manager",
    "late_start",
    "late_decision",
    "over_limit",
    "missed",
    "rereferral",
];

/// What one session runs: a validated scenario and its pair of rules.
#[derive(Debug, Clone)]
pub struct Setup {
    pub scenario: Scenario,
    pub rules: [Rule; 2],
}

/// The figures the charts draw, for one rule at the end of one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub day: u32,
    pub open_assessments: u32,
    /// Measured-horizon metrics so far (`NaN` during the warm-up).
    pub within_limit_to_date_pct: f64,
    pub late_days_per_high_risk_referral: f64,
    pub turnover_pct: f64,
    pub vacancies: u32,
    /// For Little's law, over the measured days so far (`NaN` during the warm-up):
    /// assessments completed a working day, mean working days from referral to
    /// completion, and mean open assessments a day.
    pub assessments_per_day: f64,
    pub days_to_completion_mean: f64,
    pub open_assessments_mean: f64,
}

/// One rule's simulation and what was seen of it.
pub struct Side<'s> {
    pub rule: Rule,
    pub sim: Sim<'s>,
    pub series: Vec<Point>,
    /// The followed child's events under this rule.
    pub followed: Vec<ModelEvent>,
}

/// Both rules of one session.
pub struct Pair<'s> {
    pub setup: &'s Setup,
    pub sides: [Side<'s>; 2],
    /// Recent events of both rules with their sequence number and side, oldest first.
    pub events: VecDeque<(u64, usize, ModelEvent)>,
    pub next_seq: u64,
    pub follow: Option<u64>,
    /// Per rule, the counts of [`TALLIES`] since day 0.
    pub tally: [[u64; TALLIES.len()]; 2],
    /// Re-referrals' labels ("4411-R", "4411-R2"), by key: a re-referral's key is a
    /// hash of its parent's, too long to read.
    pub labels: BTreeMap<u64, String>,
    /// The re-referral key each completed referral would have, to its parent's key.
    parents: BTreeMap<u64, u64>,
    scratch: Vec<ModelEvent>,
}

impl<'s> Pair<'s> {
    pub fn new(setup: &'s Setup) -> Pair<'s> {
        // The seed `run_one` gives the authority, so that replication 0 here is
        // replication 0 of `caseload run`.
        let s = &setup.scenario;
        let seed = authority_seed(s.run.seed, &s.authorities[0].code);
        let side = |rule: Rule| {
            let mut sim = Sim::new(&setup.scenario, rule, seed, 0);
            sim.log_events();
            Side { rule, sim, series: Vec::new(), followed: Vec::new() }
        };
        Pair {
            setup,
            sides: [side(setup.rules[0]), side(setup.rules[1])],
            events: VecDeque::new(),
            next_seq: 0,
            follow: None,
            tally: [[0; TALLIES.len()]; 2],
            labels: BTreeMap::new(),
            parents: BTreeMap::new(),
            scratch: Vec::new(),
        }
    }

    /// The last day of the run plus one: warm-up and horizon.
    pub fn end(&self) -> u32 {
        let r = &self.setup.scenario.run;
        r.warmup_days() + r.horizon_days()
    }

    pub fn day(&self) -> u32 {
        self.sides[0].sim.day()
    }

    /// Steps both rules `days` days (not past the end), keeping events and figures.
    pub fn step(&mut self, days: u32) {
        let end = self.end();
        for _ in 0..days {
            if self.day() >= end {
                break;
            }
            for (i, side) in self.sides.iter_mut().enumerate() {
                side.sim.step();
                side.sim.take_events(&mut self.scratch);
                for e in self.scratch.drain(..) {
                    count(&mut self.tally[i], &e);
                    name_rereferral(&mut self.labels, &mut self.parents, &e);
                    if self.follow.is_some() && e.key() == self.follow {
                        side.followed.push(e);
                    }
                    self.events.push_back((self.next_seq, i, e));
                    self.next_seq += 1;
                }
                side.series.push(point(&side.sim));
            }
            while self.events.len() > KEPT_EVENTS {
                self.events.pop_front();
            }
        }
    }

    /// How a referral is written: its number, or a re-referral's label.
    pub fn label(&self, key: u64) -> String {
        self.labels.get(&key).cloned().unwrap_or_else(|| key.to_string())
    }

    /// The key a referral's number or label names, if any.
    pub fn key_of(&self, text: &str) -> Option<u64> {
        let text = text.trim();
        text.parse().ok().or_else(|| self.labels.iter().find(|(_, l)| l.as_str() == text).map(|(k, _)| *k))
    }

    /// Follows the referral `key` from now on, starting from the events still kept.
    pub fn follow(&mut self, key: u64) {
        self.follow = Some(key);
        for (i, side) in self.sides.iter_mut().enumerate() {
            side.followed =
                self.events.iter().filter(|(_, s, e)| *s == i && e.key() == Some(key)).map(|(_, _, e)| *e).collect();
        }
    }
}

/// Adds an event to a rule's tally.
fn count(tally: &mut [u64; TALLIES.len()], e: &ModelEvent) {
    let mut add = |name: &str| {
        if let Some(i) = TALLIES.iter().position(|t| *t == name) {
            tally[i] += 1;
        }
    };
    add(super::json::kind_of(e));
    match *e {
        ModelEvent::Started { late_days, .. } if late_days > 0 => add("late_start"),
        ModelEvent::Decided { day, start_by, .. } if start_by < day => add("late_decision"),
        ModelEvent::Completed { within_limit, missed, .. } => {
            if !within_limit {
                add("over_limit");
            }
            if missed {
                add("missed");
            }
        }
        ModelEvent::Referral { rereferral: true, .. } => add("rereferral"),
        _ => {}
    }
}

/// Keeps the labels of re-referrals: a completed referral's possible re-referral key is
/// remembered until it arrives (at most one entry per assessment of the run); when it
/// arrives it is labelled after its parent: 4411, then 4411-R, 4411-R2.
fn name_rereferral(labels: &mut BTreeMap<u64, String>, parents: &mut BTreeMap<u64, u64>, e: &ModelEvent) {
    match *e {
        ModelEvent::Completed { key, .. } => {
            parents.insert(rereferral_key(key), key);
        }
        ModelEvent::Referral { key, rereferral: true, .. } => {
            if let Some(parent) = parents.remove(&key) {
                let label = match labels.get(&parent) {
                    None => format!("{parent}-R"),
                    Some(l) => match l.rsplit_once("-R") {
                        Some((root, "")) => format!("{root}-R2"),
                        Some((root, n)) => format!("{root}-R{}", n.parse::<u32>().map_or(2, |n| n + 1)),
                        None => format!("{l}-R"),
                    },
                };
                labels.insert(key, label);
            }
        }
        _ => {}
    }
}

/// The chart figures of a simulation at the end of its last day.
pub fn point(sim: &Sim<'_>) -> Point {
    let m = sim.metrics();
    Point {
        day: sim.day().saturating_sub(1),
        open_assessments: sim.open_assessments(),
        within_limit_to_date_pct: m.get(Metric::WithinLimit),
        late_days_per_high_risk_referral: m.get(Metric::LateDaysPerHighRisk),
        turnover_pct: m.get(Metric::Turnover),
        vacancies: sim.vacancies(),
        assessments_per_day: m.get(Metric::AssessmentsPerYear) / f64::from(crate::vocab::DAYS_PER_YEAR),
        days_to_completion_mean: m.get(Metric::DaysToCompletion),
        open_assessments_mean: m.get(Metric::OpenAssessments),
    }
}
