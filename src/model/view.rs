//! A read-only window on a running simulation, for watching it (`caseload explore`): each
//! team as it stands today ([`Sim::view`]), an optional feed of what happened
//! ([`ModelEvent`], switched on by [`Sim::log_events`]), one child's place
//! ([`Sim::case_view`]) and the metrics so far ([`Sim::metrics`]).
//!
//! Nothing here changes the state or draws a number: the phase methods call the `note_*`
//! hooks below with one line each, and a hook returns at once while the feed is off, so
//! results are the same bytes with or without it (the results snapshot checks).

use super::case::{Case, CaseId, CaseState, Tier};
use super::worker::{Kind, Worker};
use super::workforce::Departure;
use super::{Metrics, Sim};
use crate::scenario::{DAYS_PER_YEAR, Scenario};

/// Every team as it stands at the end of the last day stepped.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The next day to be stepped (days stepped so far).
    pub day: u32,
    pub teams: Vec<TeamView>,
}

/// A team: its manager, its queues and its posts.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamView {
    pub authority: u32,
    /// The manager, if the post is filled: years of experience and any leaving day.
    pub manager: Option<(f64, Option<u32>)>,
    /// The day a new manager starts, while the post is empty.
    pub manager_arrives: Option<u32>,
    /// Cases waiting for a shared timescale decision (with one begun, if any).
    pub consult_queue: u32,
    /// Assessments waiting for a worker.
    pub unallocated: u32,
    pub posts: Vec<PostView>,
}

/// A social worker post.
#[derive(Debug, Clone, PartialEq)]
pub struct PostView {
    /// The post's global index.
    pub post: u32,
    /// No employed worker and none away on a long absence (agency cover may be in it).
    pub vacant: bool,
    /// The worker at work in the post.
    pub worker: Option<WorkerView>,
    /// The employed worker away on a long absence, and the day they return.
    pub absent: Option<(WorkerView, u32)>,
    /// While recruiting: the day the permanent hire starts.
    pub hire_day: Option<u32>,
    /// The day agency cover starts, if it was found.
    pub agency_day: Option<u32>,
}

/// A social worker.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerView {
    pub kind: Kind,
    pub years: f64,
    /// Working days in this authority.
    pub tenure_days: i64,
    /// Assessments and children kept open after assessment.
    pub caseload: u32,
    pub assessments: u32,
    pub ongoing: u32,
    pub cap: u32,
    pub manageable_caseload: f64,
    /// Moving average of caseload over the manageable caseload.
    pub stress: f64,
    /// The day they leave, once they have resigned.
    pub leaving_day: Option<u32>,
}

/// Something that happened, for a feed a person can read. Days are the model's working
/// days from 0; posts and teams are global indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModelEvent {
    Referral {
        day: u32,
        key: u64,
        team: u32,
        tier: Tier,
        rereferral: bool,
    },
    /// A timescale decided: by the worker alone or shared with the manager. `rated` is
    /// the worker's own rating; `decided` what the decision used.
    Decided {
        day: u32,
        key: u64,
        team: u32,
        post: u32,
        kind: Kind,
        years: f64,
        true_tier: Tier,
        rated: Tier,
        decided: Tier,
        shared: bool,
        start_by: u32,
        complete_by: u32,
    },
    /// Work started, `late_days` after the day the child's true risk needed it to.
    Started {
        day: u32,
        key: u64,
        post: u32,
        late_days: u32,
    },
    Completed {
        day: u32,
        key: u64,
        post: u32,
        days: u32,
        within_limit: bool,
        missed: bool,
    },
    Left {
        day: u32,
        post: u32,
        kind: Kind,
        years: f64,
        why: Leaving,
    },
    Absent {
        day: u32,
        post: u32,
        kind: Kind,
        years: f64,
        back: u32,
    },
    Arrived {
        day: u32,
        post: u32,
        kind: Kind,
        years: f64,
        why: Arrival,
    },
    ManagerLeft {
        day: u32,
        team: u32,
    },
    ManagerArrived {
        day: u32,
        team: u32,
        years: f64,
    },
}

/// Why a worker left a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    Resigned,
    Promoted,
    /// Agency cover making way for the hire or the absent worker's return.
    Replaced,
}

/// How a worker came to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    Hired,
    Agency,
    Returned,
}

impl ModelEvent {
    /// The day it happened.
    pub fn day(&self) -> u32 {
        match *self {
            ModelEvent::Referral { day, .. }
            | ModelEvent::Decided { day, .. }
            | ModelEvent::Started { day, .. }
            | ModelEvent::Completed { day, .. }
            | ModelEvent::Left { day, .. }
            | ModelEvent::Absent { day, .. }
            | ModelEvent::Arrived { day, .. }
            | ModelEvent::ManagerLeft { day, .. }
            | ModelEvent::ManagerArrived { day, .. } => day,
        }
    }

    /// The referral it is about, if any.
    pub fn key(&self) -> Option<u64> {
        match *self {
            ModelEvent::Referral { key, .. }
            | ModelEvent::Decided { key, .. }
            | ModelEvent::Started { key, .. }
            | ModelEvent::Completed { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// Where one open referral is.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub key: u64,
    pub team: u32,
    pub arrival_day: u32,
    pub true_tier: Tier,
    pub state: CaseState,
    /// The post of the worker holding it.
    pub post: Option<u32>,
    /// The worker's rating, once allocated.
    pub rated: Option<Tier>,
    /// Decided tier, shared, start-by and complete-by days.
    pub decision: Option<(Tier, bool, u32, u32)>,
    pub started_day: Option<u32>,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Permanent => "permanent",
            Kind::NewlyQualified => "newly qualified",
            Kind::Agency => "agency",
        }
    }
}

/// The feed while it is on: events not yet taken, and which teams had a manager at the
/// end of the last manager's day seen (managers are noticed by change).
#[derive(Debug, Clone, Default)]
pub(super) struct EventLog {
    events: Vec<ModelEvent>,
    managers: Vec<bool>,
}

fn worker_view(s: &Scenario, w: &Worker, day: u32) -> WorkerView {
    WorkerView {
        kind: w.kind,
        years: w.years,
        tenure_days: w.tenure_days(day),
        caseload: w.caseload(),
        assessments: w.caseload() - w.ongoing().len() as u32,
        ongoing: w.ongoing().len() as u32,
        cap: w.cap(s),
        manageable_caseload: s.casework.manageable_caseload,
        stress: w.stress,
        leaving_day: w.leaving_day,
    }
}

impl Sim<'_> {
    /// Every team as it stands at the end of the last day stepped.
    pub fn view(&self) -> View {
        let s = self.s;
        let teams = self
            .teams
            .iter()
            .map(|t| TeamView {
                authority: t.authority,
                manager: t.manager.as_ref().map(|m| (m.years, m.leaving_day)),
                manager_arrives: t.manager_arrives,
                consult_queue: t.queue.len() as u32 + u32::from(t.in_consult.is_some()),
                unallocated: t.unallocated.len() as u32,
                posts: t
                    .posts
                    .clone()
                    .map(|p| {
                        let post = &self.posts[p as usize];
                        PostView {
                            post: p,
                            vacant: post.is_vacant(),
                            worker: post.occupant.as_ref().map(|w| worker_view(s, w, self.day)),
                            absent: post.absent.as_ref().map(|(w, back)| (worker_view(s, w, self.day), *back)),
                            hire_day: post.hire_day,
                            agency_day: post.agency_day,
                        }
                    })
                    .collect(),
            })
            .collect();
        View { day: self.day, teams }
    }

    /// The metrics of the measured horizon so far: what [`Sim::finish`] would give if the
    /// run ended today (`NaN` for each metric while nothing it counts has happened).
    pub fn metrics(&self) -> Metrics {
        self.rec.metrics(DAYS_PER_YEAR as f64)
    }

    /// Open assessments (referrals not yet assessed) at the end of the last day stepped.
    pub fn open_assessments(&self) -> u32 {
        self.cases.open
    }

    /// Vacant posts (as [`PostView::vacant`] marks them) at the end of the last day
    /// stepped, without building the whole view.
    pub fn vacancies(&self) -> u32 {
        self.posts.iter().filter(|p| p.is_vacant()).count() as u32
    }

    /// The open referral with this key, if it is open.
    pub fn case_view(&self, key: u64) -> Option<CaseView> {
        let c = self.cases.iter().find(|c| c.key == key)?;
        Some(CaseView {
            key,
            team: c.team.0,
            arrival_day: c.arrival_day,
            true_tier: c.tier,
            state: c.state,
            post: c.worker.map(|p| p.0),
            rated: c.worker.map(|_| c.worker_tier),
            decision: c.decision.map(|d| (d.tier, d.shared, d.start_by, d.complete_by)),
            started_day: c.started_day,
        })
    }

    /// Keeps a feed of events from now on, for [`Sim::take_events`].
    pub fn log_events(&mut self) {
        let managers = self.teams.iter().map(|t| t.manager.is_some()).collect();
        self.events.get_or_insert(EventLog { events: Vec::new(), managers });
    }

    /// Moves the events kept so far into `into`, in the order they happened.
    pub fn take_events(&mut self, into: &mut Vec<ModelEvent>) {
        if let Some(log) = &mut self.events {
            into.append(&mut log.events);
        }
    }

    fn push_event(&mut self, e: ModelEvent) {
        if let Some(log) = &mut self.events {
            log.events.push(e);
        }
    }

    pub(super) fn note_referral(&mut self, c: &Case) {
        if self.events.is_some() {
            let (day, key, team, tier, rereferral) = (c.arrival_day, c.key, c.team.0, c.tier, c.is_rereferral);
            self.push_event(ModelEvent::Referral { day, key, team, tier, rereferral });
        }
    }

    pub(super) fn note_decision(&mut self, id: CaseId) {
        if self.events.is_none() {
            return;
        }
        let c = self.cases.get(id);
        let d = c.decision.expect("decided");
        let post = c.worker.expect("a decided case has a worker").0;
        let w = self.posts[post as usize].occupant.as_ref().expect("worker");
        self.push_event(ModelEvent::Decided {
            day: self.day,
            key: c.key,
            team: c.team.0,
            post,
            kind: w.kind,
            years: w.years,
            true_tier: c.tier,
            rated: c.worker_tier,
            decided: d.tier,
            shared: d.shared,
            start_by: d.start_by,
            complete_by: d.complete_by,
        });
    }

    pub(super) fn note_start(&mut self, id: CaseId, late_days: u32) {
        if self.events.is_some() {
            let c = self.cases.get(id);
            let (key, post) = (c.key, c.worker.map_or(u32::MAX, |p| p.0));
            self.push_event(ModelEvent::Started { day: self.day, key, post, late_days });
        }
    }

    pub(super) fn note_completion(&mut self, c: &Case, post: u32, missed: bool) {
        if self.events.is_some() {
            let days = self.day - c.arrival_day;
            let within_limit = days <= self.s.demand.limit_days;
            self.push_event(ModelEvent::Completed { day: self.day, key: c.key, post, days, within_limit, missed });
        }
    }

    pub(super) fn note_departure(&mut self, p: usize, w: &Worker, why: Departure) {
        let why = match why {
            Departure::Left => Leaving::Resigned,
            Departure::Promoted => Leaving::Promoted,
            Departure::Replaced => Leaving::Replaced,
            Departure::Absent => return,
        };
        let (day, post, kind, years) = (self.day, p as u32, w.kind, w.years);
        self.push_event(ModelEvent::Left { day, post, kind, years, why });
    }

    pub(super) fn note_absence(&mut self, p: usize) {
        if let Some((w, back)) = &self.posts[p].absent {
            let (kind, years, back) = (w.kind, w.years, *back);
            self.push_event(ModelEvent::Absent { day: self.day, post: p as u32, kind, years, back });
        }
    }

    pub(super) fn note_arrival(&mut self, p: usize, why: Arrival) {
        if let Some(w) = &self.posts[p].occupant {
            let (kind, years) = (w.kind, w.years);
            self.push_event(ModelEvent::Arrived { day: self.day, post: p as u32, kind, years, why });
        }
    }

    /// After team `t`'s manager's day: a manager who left or arrived since the last one.
    pub(super) fn note_manager(&mut self, t: usize) {
        let Some(log) = &mut self.events else { return };
        let (day, team, now) = (self.day, t as u32, self.teams[t].manager.as_ref().map(|m| m.years));
        if log.managers[t] != now.is_some() {
            log.managers[t] = now.is_some();
            log.events.push(match now {
                Some(years) => ModelEvent::ManagerArrived { day, team, years },
                None => ModelEvent::ManagerLeft { day, team },
            });
        }
    }
}
