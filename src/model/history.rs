//! A history: one authority through the years, its values changing each year as
//! published, its establishment growing or cut by whole teams, and the rule in force
//! switching on a day (docs/ODD.md section 7.10).
//!
//! The warm-up runs under the first year's values; horizon year `k` under `years[k]`.
//! What a new year changes: every rate the scenario sets (a worker's leaving rate is
//! worked out afresh), and the teams open to new work. A team that opens has each empty
//! post filled by a hire that day or, at the year's `initial_vacancy_share`, recruited to
//! (and covered, at the year's agency share); a team that closes takes
//! no new work (its waiting cases go to an open team) and refills no post, while its
//! workers finish the cases they hold: natural wastage, not redundancy.

use super::run::Part;
use super::streams::{authority_key, authority_seed};
use super::view::Arrival;
use super::workforce::Departure;
use super::{Rule, Sim, worker::Rates};
use crate::model::case::LogNormal;
use crate::scenario::{DAYS_PER_YEAR, Scenario};

/// What changes year by year in one authority's run.
#[derive(Debug, Clone)]
pub struct History {
    /// The scenario of each horizon year; each has the same one authority with the same
    /// teams (the most any year needs) and posts a team, and the same run section.
    pub years: Vec<Scenario>,
    /// Teams in the establishment each horizon year, at least one and at most the
    /// authority's teams.
    pub open_teams: Vec<u32>,
    /// The rule in force from this horizon working day on, if it changes in the run.
    pub switch: Option<(u32, Rule)>,
}

impl History {
    /// Whether the years fit together: one authority each, the same teams and posts a
    /// team, the horizon as long as the years, each year's open teams within the teams.
    pub fn check(&self) -> Result<(), String> {
        let first = self.years.first().ok_or("a history needs at least one year")?;
        if self.open_teams.len() != self.years.len() {
            return Err(format!("{} years but {} years of open teams", self.years.len(), self.open_teams.len()));
        }
        if first.run.horizon_years as usize != self.years.len() {
            return Err(format!("a horizon of {} years for {} years", first.run.horizon_years, self.years.len()));
        }
        for (k, (y, &open)) in self.years.iter().zip(&self.open_teams).enumerate() {
            let (a, b) = (&y.authorities, &first.authorities);
            if a.len() != 1 || a[0].teams != b[0].teams || a[0].posts_per_team != b[0].posts_per_team {
                return Err(format!("year {k} has other authorities or teams than the first"));
            }
            if open == 0 || open > a[0].teams {
                return Err(format!("year {k} opens {open} of {} teams", a[0].teams));
            }
            if y.run.warmup_years != first.run.warmup_years || y.run.horizon_years != first.run.horizon_years {
                return Err(format!("year {k} has another run length"));
            }
        }
        Ok(())
    }
}

/// Runs one authority's history under `rule` (until the switch, if any): each horizon
/// year's counters ([`Part::metrics`] gives its outcomes), in order. The authority draws on its own streams
/// ([`authority_seed`] of its code, or its name), as in a run of many authorities, so a
/// history and a plain run of the same authority see the same luck.
///
/// # Panics
/// If the history does not [`History::check`].
pub fn run_history(h: &History, rule: Rule, seed: u64, replication: u64) -> Vec<Part> {
    let mut sim = Sim::of_history(h, rule, seed, replication);
    let run = &h.years[0].run;
    let warmup = run.warmup_days();
    let mut out = Vec::with_capacity(h.years.len());
    while sim.day() < warmup + run.horizon_days() {
        sim.step();
        if sim.day() > warmup && (sim.day() - warmup).is_multiple_of(DAYS_PER_YEAR) {
            out.push(Part(std::mem::take(&mut sim.rec)));
        }
    }
    out
}

/// Runs a history and, on the same luck, its counterfactual: the same history with no
/// switch. They are the same until the switch's day, so that part runs once and the state
/// is copied there ([`run_history`] of each, bit for bit, at about half the cost before it).
///
/// # Panics
/// If the history does not [`History::check`].
pub fn run_history_and_counterfactual(h: &History, rule: Rule, seed: u64, replication: u64) -> (Vec<Part>, Vec<Part>) {
    let run = &h.years[0].run;
    let (warmup, end) = (run.warmup_days(), run.warmup_days() + run.horizon_days());
    let fork = match h.switch {
        Some((day, _)) if warmup + day < end => warmup + day,
        _ => {
            let parts = run_history(h, rule, seed, replication);
            return (parts.clone(), parts);
        }
    };
    let mut sim = Sim::of_history(h, rule, seed, replication);
    let mut before = Vec::with_capacity(h.years.len());
    let step = |sim: &mut Sim<'_>, out: &mut Vec<Part>| {
        sim.step();
        if sim.day() > warmup && (sim.day() - warmup).is_multiple_of(DAYS_PER_YEAR) {
            out.push(Part(std::mem::take(&mut sim.rec)));
        }
    };
    while sim.day() < fork {
        step(&mut sim, &mut before);
    }
    let mut other = sim.clone();
    other.switch = None;
    let (mut switched, mut not) = (before.clone(), before);
    while sim.day() < end {
        step(&mut sim, &mut switched);
        step(&mut other, &mut not);
    }
    (switched, not)
}

impl<'s> Sim<'s> {
    /// The state on day 0 of a history's run ([`run_history`] steps it to the end): the
    /// first year's values and establishment, on the authority's own streams.
    ///
    /// # Panics
    /// If the history does not [`History::check`].
    pub fn of_history(h: &'s History, rule: Rule, seed: u64, replication: u64) -> Sim<'s> {
        h.check().expect("a checked history");
        let s = &h.years[0];
        let a = &s.authorities[0];
        let seed = authority_seed(seed, &authority_key(&a.code, &a.name, true));
        let mut sim = Sim::unstarted(s, rule, seed, replication);
        sim.years = &h.years;
        sim.open_by_year = &h.open_teams;
        sim.switch = h.switch;
        // Teams beyond the first year's establishment start closed and empty.
        sim.open_teams = vec![h.open_teams[0]];
        sim.initialise();
        sim.open_year(0);
        sim
    }

    /// At the start of a day: a new horizon year's values, and the rule's switch.
    pub(super) fn new_year_or_rule(&mut self) {
        let warmup = self.s.run.warmup_days();
        if let Some(since) = self.day.checked_sub(warmup) {
            if since > 0 && since.is_multiple_of(DAYS_PER_YEAR) && ((since / DAYS_PER_YEAR) as usize) < self.years.len()
            {
                self.open_year((since / DAYS_PER_YEAR) as usize);
            }
            if let Some((day, rule)) = self.switch
                && since == day
            {
                self.rule = rule;
            }
        }
    }

    /// Year `k`'s values and establishment. Before day 0 only the teams open that year
    /// were filled (`initialise`), so on day 0 this changes no post.
    pub(super) fn open_year(&mut self, k: usize) {
        let s: &'s Scenario = &self.years[k];
        self.s = s;
        self.rates = Rates::of(s);
        self.hours = s.demand.assessment_hours.map(|mean| LogNormal::new(mean, s.demand.assessment_hours_cv));
        self.ongoing = LogNormal::new(s.casework.ongoing_days_mean, s.casework.ongoing_days_cv);
        for post in &mut self.posts {
            if let Some(w) = &mut post.occupant {
                w.forget_leave_rate();
            }
            if let Some((w, _)) = &mut post.absent {
                w.forget_leave_rate();
            }
        }
        let open = self.open_by_year[k];
        self.open_teams = vec![open];
        let first = self.first_team[0] as usize;
        for t in first..self.teams.len() {
            let was = self.teams[t].open;
            let now = t - first < open as usize;
            self.teams[t].open = now;
            if was && !now {
                self.close_team(t);
            } else if now && !was {
                for p in self.teams[t].posts.clone() {
                    let p = p as usize;
                    let post = &self.posts[p];
                    if post.occupant.is_none() && post.absent.is_none() && post.hire_day.is_none() {
                        self.open_post(p);
                    }
                }
            }
        }
    }

    /// A post the establishment gains: a share `workforce.initial_vacancy_share` (the
    /// year's) opens vacant and is recruited to as a leaver's post is; the rest open with
    /// their hire starting that day (growth is funded posts the authority fills, mostly
    /// with people new to it, before the census counts them).
    fn open_post(&mut self, p: usize) {
        let n = self.posts[p].openings;
        self.posts[p].openings += 1;
        let u = super::sample::uniform(&mut self.people(super::streams::Event::Opening, p, n));
        if u < self.s.workforce.initial_vacancy_share {
            self.recruit(p);
            self.seek_agency(p);
        } else {
            self.hire(p);
        }
    }

    /// Team `t` leaves the establishment: recruitment to its posts stops, its agency
    /// workers' placements end, and the work waiting for a worker moves to the open team
    /// that takes its work. Its employed workers stay until they leave or an open post
    /// takes them ([`Sim::redeploy_into`]).
    fn close_team(&mut self, t: usize) {
        for p in self.teams[t].posts.clone() {
            let p = p as usize;
            let post = &mut self.posts[p];
            post.hire_day = None;
            post.agency_day = None;
            if post.occupant.as_ref().is_some_and(|w| !w.is_employed()) {
                let _ = self.depart(p, Departure::Replaced);
            }
        }
        let to = self.open_team(t);
        let waiting: Vec<_> = self.teams[t].unallocated.drain(..).collect();
        for id in waiting {
            // The open team allocates it, and its manager decides it.
            self.cases.get_mut(id).team = super::case::TeamId(to as u32);
            self.enqueue(to, id);
        }
        let ongoing = std::mem::take(&mut self.teams[t].unallocated_ongoing);
        self.teams[to].unallocated_ongoing.extend(ongoing);
    }

    /// Fills post `p`, about to be recruited to, with an employed worker of a closed team
    /// of its authority (the first present and not leaving, in post order), whose cases go
    /// back to be allocated afresh: a cut's staff are redeployed before anyone is hired.
    /// Whether one was found.
    pub(super) fn redeploy_into(&mut self, p: usize) -> bool {
        if self.years.is_empty() {
            return false;
        }
        let a = self.teams[self.posts[p].team.0 as usize].authority;
        let from = (0..self.posts.len()).find(|&q| {
            let team = &self.teams[self.posts[q].team.0 as usize];
            team.authority == a
                && !team.open
                && self.posts[q].occupant.as_ref().is_some_and(|w| w.is_employed() && w.leaving_day.is_none())
        });
        let Some(q) = from else { return false };
        let w = self.depart(q, Departure::Replaced).expect("the worker moved");
        self.posts[p].occupant = Some(w);
        self.note_arrival(p, Arrival::Hired);
        true
    }
}
