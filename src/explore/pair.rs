//! Two simulations of one session in lockstep: both rules on the same scenario, seed and
//! replication 0, stepped day by day, with what the page shows kept as they go (recent
//! events, one child followed, a daily series of figures for the charts).

use std::collections::VecDeque;

use crate::model::{Metric, ModelEvent, Rule, Sim, authority_seed};
use crate::scenario::Scenario;

/// Events kept for the feed, per session (older ones are dropped).
pub const KEPT_EVENTS: usize = 4000;

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

    /// Follows the referral `key` from now on, starting from the events still kept.
    pub fn follow(&mut self, key: u64) {
        self.follow = Some(key);
        for (i, side) in self.sides.iter_mut().enumerate() {
            side.followed =
                self.events.iter().filter(|(_, s, e)| *s == i && e.key() == Some(key)).map(|(_, _, e)| *e).collect();
        }
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
    }
}
