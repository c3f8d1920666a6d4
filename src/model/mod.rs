//! The model: a pure function of (scenario, rule, seed, replication).
//!
//! No I/O, no clock, no ambient random numbers, no threads. [`run_one`] cannot fail once
//! it has a validated [`Scenario`]. [`Sim::step`] is one working day, in the order of
//! `docs/ODD.md` section 3.

mod allocation;
mod case;
mod casework;
mod consultation;
mod decision;
mod demand;
mod history;
mod record;
mod run;
mod sample;
mod streams;
mod team;
mod view;
mod worker;
mod workforce;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub use crate::vocab::{FORMER_NAMES, Metric};
pub use case::{Case, CaseId, CaseState, LogNormal, PostId, TeamId, Tier, band, lognormal, rereferral_key};
pub use decision::{Rule, combined_rating, combined_sd, manager_rating, manager_sd, worker_sd};
pub use history::{History, run_history, run_history_and_counterfactual};
pub use record::{Metrics, MonthRecord, median, quantile};
pub use run::{AuthorityOutput, Part, RunOutput, assemble, n_parts, run_one, run_part, run_stepping};
pub use sample::uniform;
pub use streams::{Event, Purpose, Stream, authority_key, authority_seed, event_stream, mix, stream};
pub use view::{Arrival, CaseView, Leaving, ModelEvent, PostView, TeamView, View, WorkerView};
pub use worker::{Kind, learning_curve};

use crate::scenario::{DAYS_PER_YEAR, Scenario};
use record::{Recorder, Stocks};
use team::Team;
use worker::{Post, Rates};

/// One assessment completed in the horizon, for the case log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseRecord {
    pub key: u64,
    pub is_rereferral: bool,
    pub arrival_day: u32,
    pub true_tier: Tier,
    pub decided_tier: Tier,
    pub shared: bool,
    pub days_to_decision: u32,
    pub days_to_start: u32,
    pub days_to_completion: u32,
    pub quality: f64,
    pub missed: bool,
    pub worker_years: f64,
    pub worker_kind: Kind,
    /// Child-days at risk, weighted by true tier (`quality.risk_day_weights`).
    pub risk_days: f64,
}

/// A re-referral due on a later day.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pending {
    day: u32,
    key: u64,
    team: TeamId,
    /// The child's tier and score when the need was missed and persists.
    inherit: Option<(Tier, f64)>,
}

impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.day, self.key).cmp(&(other.day, other.key))
    }
}

/// Open cases, stored in reusable slots so memory follows the open caseload.
#[derive(Debug, Clone, Default)]
struct Cases {
    slots: Vec<Option<Case>>,
    free: Vec<u32>,
    open: u32,
}

impl Cases {
    fn insert(&mut self, c: Case) -> CaseId {
        self.open += 1;
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(c);
            CaseId(i)
        } else {
            self.slots.push(Some(c));
            CaseId(self.slots.len() as u32 - 1)
        }
    }
    fn get(&self, id: CaseId) -> &Case {
        self.slots[id.0 as usize].as_ref().expect("open case")
    }
    fn get_mut(&mut self, id: CaseId) -> &mut Case {
        self.slots[id.0 as usize].as_mut().expect("open case")
    }
    fn remove(&mut self, id: CaseId) -> Case {
        self.open -= 1;
        self.free.push(id.0);
        self.slots[id.0 as usize].take().expect("open case")
    }
    fn iter(&self) -> impl Iterator<Item = &Case> {
        self.slots.iter().flatten()
    }
}

/// Counts of every referral by where it is, for the conservation check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Census {
    pub arrived: u64,
    pub awaiting_allocation: u64,
    pub awaiting_decision: u64,
    pub in_assessment: u64,
    pub completed: u64,
    /// Cases in a manager's queue (or consultation) that should not be there: not awaiting
    /// a decision, without a worker, or of another team than the queue's (0 always).
    pub misplaced: u64,
    /// Largest caseload over cap among workers (at most 0 when caps hold).
    pub worst_excess_over_cap: i64,
    pub workers: u32,
    pub posts: u32,
}

/// The state of one replication under one rule (cloned where a history and its
/// counterfactual part).
#[derive(Clone)]
pub struct Sim<'s> {
    s: &'s Scenario,
    rule: Rule,
    seed: u64,
    replication: u64,
    day: u32,
    /// One arrivals stream per authority.
    arrivals: Vec<Stream>,
    /// Index of each authority's first team.
    first_team: Vec<u32>,
    cases: Cases,
    teams: Vec<Team>,
    posts: Vec<Post>,
    pending: BinaryHeap<Reverse<Pending>>,
    next_key: u64,
    /// Cases allocated today that need a timescale decision.
    newly_allocated: Vec<CaseId>,
    rec: Recorder,
    arrived: u64,
    completed: u64,
    /// The referrals admitted today, for checks of common random numbers.
    today: Vec<Referral>,
    /// High and immediate true-risk cases whose work has not started, with the day their
    /// risk needed it to start by.
    high_risk_waiting: Vec<(CaseId, u32)>,
    /// Scratch lists for casework, kept to avoid allocating each day.
    done: Vec<(CaseId, PostId)>,
    starts: Vec<CaseId>,
    /// Scratch list of the teams a manager serves today.
    served: Vec<usize>,
    /// Log-normal work hours by true tier, and the time a child stays open after
    /// assessment, worked out once.
    hours: [LogNormal; 4],
    ongoing: LogNormal,
    rates: Rates,
    /// Completed cases not yet taken by the caller, when the case log is on.
    case_log: Option<Vec<CaseRecord>>,
    /// Events not yet taken by the caller, when the event feed is on (`view.rs`).
    events: Option<view::EventLog>,
    /// A history's scenario and establishment of each horizon year (`history.rs`); empty
    /// for a run whose values hold throughout.
    years: &'s [Scenario],
    open_by_year: &'s [u32],
    /// The rule in force from a horizon working day on, when it changes in the run.
    switch: Option<(u32, Rule)>,
    /// Teams open to new work, by authority: the first ones (all, outside a history).
    open_teams: Vec<u32>,
}

/// A referral as it arrived: what both rules must see identically.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Referral {
    pub key: u64,
    pub day: u32,
    pub team: TeamId,
    pub tier: Tier,
    pub score: f64,
    pub hours_needed: f64,
    pub is_rereferral: bool,
}

impl<'s> Sim<'s> {
    /// The state on day 0: every team with its manager, posts filled or vacant.
    ///
    /// A scenario whose one authority sets its own values is simulated with them (its
    /// part). A scenario with several authorities is simulated here in one state on shared
    /// streams, which checks structure; a run uses one simulation per authority
    /// ([`run_stepping`]).
    pub fn new(s: &'s Scenario, rule: Rule, seed: u64, replication: u64) -> Sim<'s> {
        let s = if let [part] = s.parts() { part } else { s };
        let mut sim = Sim::unstarted(s, rule, seed, replication);
        sim.initialise();
        sim
    }

    /// The state before day 0's workforce is drawn.
    fn unstarted(s: &'s Scenario, rule: Rule, seed: u64, replication: u64) -> Sim<'s> {
        Sim {
            s,
            rule,
            seed,
            replication,
            day: 0,
            arrivals: Vec::new(),
            first_team: Vec::new(),
            cases: Cases::default(),
            teams: Vec::new(),
            posts: Vec::new(),
            pending: BinaryHeap::new(),
            next_key: 0,
            newly_allocated: Vec::new(),
            rec: Recorder::default(),
            arrived: 0,
            completed: 0,
            today: Vec::new(),
            high_risk_waiting: Vec::new(),
            done: Vec::new(),
            starts: Vec::new(),
            served: Vec::new(),
            hours: s.demand.assessment_hours.map(|mean| LogNormal::new(mean, s.demand.assessment_hours_cv)),
            ongoing: LogNormal::new(s.casework.ongoing_days_mean, s.casework.ongoing_days_cv),
            rates: Rates::of(s),
            case_log: None,
            events: None,
            years: &[],
            open_by_year: &[],
            switch: None,
            open_teams: s.authorities.iter().map(|a| a.teams).collect(),
        }
    }

    pub fn day(&self) -> u32 {
        self.day
    }

    /// Keeps a record of every assessment completed in the horizon, for
    /// [`Sim::take_case_log`].
    pub fn log_cases(&mut self) {
        self.case_log.get_or_insert_with(Vec::new);
    }

    /// Moves the completed-case records kept so far into `into`.
    pub fn take_case_log(&mut self, into: &mut Vec<CaseRecord>) {
        if let Some(log) = &mut self.case_log {
            into.append(log);
        }
    }

    /// The referrals that arrived on the last day stepped.
    pub fn referrals_today(&self) -> &[Referral] {
        &self.today
    }

    /// One working day, phase by phase (docs/ODD.md section 3).
    pub fn step(&mut self) {
        if !self.years.is_empty() || self.switch.is_some() {
            self.new_year_or_rule();
        }
        self.referrals_arrive();
        self.allocate();
        self.decide_timescales();
        self.consult();
        self.casework();
        self.workforce();
        self.record();
        self.day += 1;
    }

    /// The run's outputs.
    pub fn finish(self) -> RunOutput {
        RunOutput::of(self.rule, self.replication, self.rec, Vec::new())
    }

    fn in_horizon(&self) -> bool {
        self.day >= self.s.run.warmup_days()
    }

    /// Where every referral is, and whether caps hold.
    pub fn census(&self) -> Census {
        let mut c = Census { arrived: self.arrived, completed: self.completed, ..Census::default() };
        for case in self.cases.iter() {
            match case.state {
                CaseState::AwaitingAllocation => c.awaiting_allocation += 1,
                CaseState::AwaitingDecision => c.awaiting_decision += 1,
                CaseState::InAssessment => c.in_assessment += 1,
            }
        }
        for (t, team) in self.teams.iter().enumerate() {
            for &id in team.queue.iter().chain(team.in_consult.iter().map(|(id, _)| id)) {
                let case = self.cases.get(id);
                let here = case.state == CaseState::AwaitingDecision
                    && case.team.0 as usize == t
                    && case.worker.is_some_and(|p| self.posts[p.0 as usize].team.0 as usize == t);
                c.misplaced += u64::from(!here);
            }
        }
        c.worst_excess_over_cap = i64::MIN;
        for post in &self.posts {
            if let Some(w) = &post.occupant {
                c.workers += 1;
                c.worst_excess_over_cap =
                    c.worst_excess_over_cap.max(i64::from(w.caseload()) - i64::from(w.cap(self.s)));
            }
        }
        c.posts = self.posts.len() as u32;
        c
    }

    /// Rolls the day's stocks into the records.
    fn record(&mut self) {
        if !self.in_horizon() {
            return;
        }
        let s = self.s;
        let mut st = Stocks::default();
        for t in &self.teams {
            st.unallocated += t.unallocated.len() as u32;
            st.consult_queue += t.queue.len() as u32;
        }
        let five_years = 5 * i64::from(DAYS_PER_YEAR);
        // A worker-day's cost: the year's price over its working days, by experience.
        let per_day = 1.0 / f64::from(DAYS_PER_YEAR);
        let employed_cost = |years: f64| {
            per_day
                * if years < 1.0 {
                    s.costs.social_worker_newly_qualified
                } else if years < 5.0 {
                    s.costs.social_worker
                } else {
                    s.costs.social_worker_experienced
                }
        };
        for post in &self.posts {
            // A closed team's post counts only while someone is in it.
            if post.occupant.is_none() && post.absent.is_none() && !self.teams[post.team.0 as usize].open {
                continue;
            }
            st.posts += 1;
            st.vacant += u32::from(post.is_vacant());
            if let Some(w) = &post.occupant {
                if w.is_employed() {
                    st.employed += 1;
                    st.tenure_under_five += u32::from(w.tenure_days(self.day) < five_years);
                    st.staff_cost += employed_cost(w.years);
                } else {
                    st.agency += 1;
                    st.agency_in_vacancy += u32::from(post.absent.is_none());
                    st.agency_cost += per_day * s.costs.agency_worker;
                }
                if w.caseload() > 0 {
                    st.holders += 1;
                    st.cases_held += w.caseload();
                }
                st.under_two += u32::from(w.years < 2.0);
            }
            if let Some((w, _)) = &post.absent {
                st.employed += 1;
                st.absent += 1;
                st.staff_cost += employed_cost(w.years);
                st.tenure_under_five += u32::from(w.tenure_days(self.day) < five_years);
                st.under_two += u32::from(w.years < 2.0);
            }
        }
        st.open_assessments = self.cases.open;
        for &(_, needed_start) in &self.high_risk_waiting {
            // A day ends late for a child whose work had not started by the end of the day
            // their risk needed it to: a child started k days after that day was late on k
            // days, as `Recorder::start` counts.
            st.late_high_risk_open += u32::from(self.day >= needed_start);
        }
        let horizon_day = self.day - s.run.warmup_days();
        let month_end = month_of(horizon_day + 1) != month_of(horizon_day);
        self.rec.end_day(st, month_end);
    }

    fn initialise(&mut self) {
        let s = self.s;
        let mut init = stream(self.seed, self.replication, Purpose::Initial, 0);
        for (a, auth) in s.authorities.iter().enumerate() {
            self.arrivals.push(stream(self.seed, self.replication, Purpose::Arrivals, a as u64));
            self.first_team.push(self.teams.len() as u32);
            for k in 0..auth.teams {
                let t = self.teams.len() as u32;
                let first = self.posts.len() as u32;
                let posts = first..first + auth.posts_per_team;
                let mut rng = event_stream(self.seed, self.replication, Event::Manager, t, 0);
                let manager = workforce::new_manager(s, &mut rng, s.managers.experience_years_mean);
                let mut team = Team::new(a as u32, posts, Some(manager));
                team.open = k < self.open_teams[a];
                self.teams.push(team);
                for _ in first..first + auth.posts_per_team {
                    self.posts.push(Post {
                        team: TeamId(t),
                        hires: 0,
                        agency_arrivals: 0,
                        vacancies: 0,
                        agency_searches: 0,
                        absent: None,
                        absences: 0,
                        openings: 0,
                        occupant: None,
                        hire_day: None,
                        agency_day: None,
                    });
                }
            }
        }
        for p in 0..self.posts.len() {
            // A history's teams beyond the first year's establishment start empty; they
            // are the last of their authority, so no other post's draws move.
            if !self.teams[self.posts[p].team.0 as usize].open {
                continue;
            }
            let own = event_stream(self.seed, self.replication, Event::Initial, p as u32, 0);
            workforce::fill_initial(s, &self.rates, &mut self.posts[p], &mut init, own);
        }
    }
}

/// The reporting month (0 to 11) of a working day; month 0 starts the year.
pub fn month_of(day: u32) -> u32 {
    (day % DAYS_PER_YEAR) * 12 / DAYS_PER_YEAR
}
