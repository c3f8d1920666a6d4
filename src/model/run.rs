//! A run: one replication of a scenario under one rule, warm-up and horizon, as one
//! simulation or, for a scenario that runs its authorities apart, one simulation
//! ([`Part`]) per authority added up in authority order.

use super::record::Recorder;
use super::{Rule, Sim, authority_key, authority_seed, month_of};
use crate::model::{Metrics, MonthRecord};
use crate::scenario::{DAYS_PER_YEAR, Scenario};

/// What one run gives back.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    pub rule: Rule,
    pub replication: u64,
    pub metrics: Metrics,
    pub months: Vec<MonthRecord>,
    /// Assessments completed in the horizon by working days from referral (index), the
    /// last bin holding everything longer; trailing empty bins dropped.
    pub completion_days: Vec<u64>,
    /// Each authority's own outcomes, when the scenario has several (or one that sets its
    /// own values); empty otherwise.
    pub authorities: Vec<AuthorityOutput>,
}

impl RunOutput {
    pub(super) fn of(rule: Rule, replication: u64, rec: Recorder, authorities: Vec<AuthorityOutput>) -> RunOutput {
        RunOutput {
            rule,
            replication,
            metrics: rec.metrics(DAYS_PER_YEAR as f64),
            completion_days: {
                let mut h = rec.duration_histogram;
                while h.last() == Some(&0) {
                    h.pop();
                }
                h
            },
            months: rec.months,
            authorities,
        }
    }
}

/// Runs one replication of a scenario under one rule, warm-up and horizon.
pub fn run_one(s: &Scenario, rule: Rule, seed: u64, replication: u64) -> RunOutput {
    run_stepping(s, rule, seed, replication, false, &mut |_, _| {})
}

/// One authority's outcomes within a run of several.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorityOutput {
    pub name: String,
    pub code: String,
    pub region: String,
    pub metrics: Metrics,
}

/// Runs one replication as [`run_one`] does, calling `after_day` with the part's number
/// and the simulation after every working day of every simulation (with the case log on
/// when `log_cases`). A scenario with several
/// authorities, or one that sets its own values, runs as one simulation per authority
/// ([`Scenario::parts`]), each on its own streams ([`authority_seed`]), and the run's
/// outcomes add up their counters: the authorities share only the clock, so the run is
/// the union of single-authority runs of the same authorities, seed for seed.
pub fn run_stepping(
    s: &Scenario,
    rule: Rule,
    seed: u64,
    replication: u64,
    log_cases: bool,
    after_day: &mut dyn FnMut(usize, &mut Sim),
) -> RunOutput {
    let parts = (0..n_parts(s)).map(|i| Part(simulate(s, rule, seed, replication, i, log_cases, after_day))).collect();
    assemble(s, rule, replication, parts)
}

/// One simulation of a run: the whole scenario, or one of its authorities
/// ([`Scenario::parts`]). A run can be cut into its parts, run anywhere, and put back
/// together with [`assemble`] into exactly the output of [`run_one`].
#[derive(Debug, Clone)]
pub struct Part(pub(super) Recorder);

impl Part {
    /// The part's outcomes over its days, as a year's (rates a year count its days as a
    /// year's working days).
    pub fn metrics(&self) -> Metrics {
        self.0.metrics(DAYS_PER_YEAR as f64)
    }

    /// Adds another part's counters to this one's: the two together, as authorities of
    /// one run add up ([`assemble`]).
    pub fn absorb(&mut self, other: &Part) {
        self.0.absorb(&other.0);
    }

    /// Every counter of the part as text that [`Part::from_text`] reads back exactly.
    pub fn to_text(&self) -> String {
        self.0.to_text()
    }

    /// Reads one part from the start of `text`: the part and the text after it, or what
    /// is wrong, by line (`text` beginning on line `first_line`).
    pub fn from_text(text: &str, first_line: usize) -> Result<(Part, &str), String> {
        Recorder::from_text(text, first_line).map(|(rec, rest)| (Part(rec), rest))
    }

    /// Whether a part read back has the shape a run of `s` gives every part: the
    /// horizon's working days, and its months numbered in order. (The counters' values
    /// are the shard's word.)
    pub fn check(&self, s: &Scenario) -> Result<(), String> {
        let (rec, horizon) = (&self.0, s.run.horizon_days());
        if rec.days != u64::from(horizon) {
            return Err(format!("`days` is {}; this run's horizon is {horizon} working days", rec.days));
        }
        let months = (0..horizon).filter(|&h| month_of(h + 1) != month_of(h)).count();
        if rec.months.len() != months {
            return Err(format!("`months` is {}; this run's horizon has {months}", rec.months.len()));
        }
        match rec.months.iter().enumerate().find(|(i, m)| m.month as usize != *i) {
            Some((i, m)) => Err(format!("month {} of the part is numbered {}, not {i}", i + 1, m.month)),
            None => Ok(()),
        }
    }
}

/// How many simulations ([`Part`]s) a run of `s` is: one for each of its authorities
/// when it runs them apart, otherwise one.
pub fn n_parts(s: &Scenario) -> usize {
    s.parts().len().max(1)
}

/// Runs part number `part` (below [`n_parts`]) of one replication under one rule.
pub fn run_part(s: &Scenario, rule: Rule, seed: u64, replication: u64, part: usize) -> Part {
    Part(simulate(s, rule, seed, replication, part, false, &mut |_, _| {}))
}

fn simulate(
    s: &Scenario,
    rule: Rule,
    seed: u64,
    replication: u64,
    part: usize,
    log_cases: bool,
    after_day: &mut dyn FnMut(usize, &mut Sim),
) -> Recorder {
    let several = s.authorities.len() > 1;
    let s = if s.parts().is_empty() { s } else { &s.parts()[part] };
    let a = &s.authorities[0];
    let seed = authority_seed(seed, &authority_key(&a.code, &a.name, several));
    let mut sim = Sim::new(s, rule, seed, replication);
    if log_cases {
        sim.log_cases();
    }
    let end = s.run.warmup_days() + s.run.horizon_days();
    while sim.day() < end {
        sim.step();
        after_day(part, &mut sim);
    }
    sim.rec
}

/// The run made of its parts, every one of them in order: the authorities' outcomes add
/// up in authority order, so the result is the same bits however the parts were run.
///
/// # Panics
/// If `parts` is not [`n_parts`] long.
pub fn assemble(s: &Scenario, rule: Rule, replication: u64, parts: Vec<Part>) -> RunOutput {
    assert_eq!(parts.len(), n_parts(s), "a run of this scenario has {} parts", n_parts(s));
    if s.parts().is_empty() {
        let Part(rec) = parts.into_iter().next().expect("one part");
        return RunOutput::of(rule, replication, rec, Vec::new());
    }
    let mut total: Option<Recorder> = None;
    let mut each = Vec::with_capacity(parts.len());
    for (part, Part(rec)) in s.parts().iter().zip(parts) {
        let a = &part.authorities[0];
        each.push(AuthorityOutput {
            name: a.name.clone(),
            code: a.code.clone(),
            region: a.region.clone(),
            metrics: rec.metrics(DAYS_PER_YEAR as f64),
        });
        match &mut total {
            None => total = Some(rec),
            Some(t) => t.absorb(&rec),
        }
    }
    RunOutput::of(rule, replication, total.unwrap_or_default(), each)
}
