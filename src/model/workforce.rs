//! The workforce: stress, experience, leaving, vacancies, hiring, agency cover, and
//! managers leaving and being replaced (docs/ODD.md sections 7.7, 7.8).
//!
//! Leaving uses a cumulative hazard against a unit-exponential threshold drawn at hire:
//! exact for a hazard that changes daily, and one draw per person, so a change in one
//! worker's hazard does not shift anyone else's luck.

use super::Sim;
use super::case::{CaseState, lognormal};
use super::sample::{exponential, normal, uniform};
use super::streams::{Event, Stream, event_stream};
use super::team::Manager;
use super::view::Arrival;
use super::worker::{Kind, Post, Rates, Worker, novice_weight};
use crate::scenario::{DAYS_PER_YEAR, Scenario};

/// A manager with experience drawn around `mean_years`.
pub(super) fn new_manager(s: &Scenario, rng: &mut Stream, mean_years: f64) -> Manager {
    let z = normal(rng);
    let threshold = exponential(rng);
    let years = lognormal(mean_years, s.managers.experience_years_cv, z);
    Manager {
        years,
        novice_weight: novice_weight(years, s.judgement.learning_years),
        hazard: 0.0,
        threshold,
        leaving_day: None,
        minutes_left: s.managers.consult_hours_per_day * 60.0,
        freed_share: 0.0,
    }
}

/// Day 0: the post is vacant (perhaps with agency cover) or filled. `init` is the day-0
/// stream all posts share; `own` the post's own day-0 stream. A first worker has been in
/// the authority for a uniform share of their experience, so tenure starts spread out.
pub(super) fn fill_initial(s: &Scenario, rates: &Rates, post: &mut Post, init: &mut Stream, mut own: Stream) {
    let w = &s.workforce;
    let u_vacant = uniform(init);
    let u_cover = uniform(init);
    let u_elapsed = uniform(init);
    let z_years = normal(init);
    let threshold = exponential(&mut own);
    if u_vacant < w.initial_vacancy_share {
        let z_hire = normal(&mut own);
        let full = lognormal(w.time_to_hire_days_mean, w.time_to_hire_days_cv, z_hire);
        post.hire_day = Some(1 + (full * u_elapsed) as u32);
        if u_cover < w.agency_cover_share {
            let years = lognormal(w.experienced_hire_years_mean, w.experienced_hire_years_cv, z_years);
            post.occupant = Some(Worker::new(s, Kind::Agency, years, 0, threshold));
        }
    } else {
        let years = lognormal(w.initial_experience_years_mean, w.initial_experience_years_cv, z_years);
        let kind = if years < 1.0 { Kind::NewlyQualified } else { Kind::Permanent };
        let mut worker = Worker::new(s, kind, years, 0, threshold);
        worker.start_day = -((uniform(&mut own) * years * f64::from(DAYS_PER_YEAR)) as i64);
        worker.absence_after(0, exponential(&mut own), rates.absence_per_day);
        post.occupant = Some(worker);
    }
}

/// Why a worker leaves a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Departure {
    /// Resigned (or an agency placement ended).
    Left,
    /// Promoted to team manager.
    Promoted,
    /// Agency cover making way for the permanent hire or the absent worker's return.
    Replaced,
    /// Away on a long absence, keeping the post.
    Absent,
}

impl Sim<'_> {
    /// The stream of the `n`-th event of kind `event` at post or team `owner`.
    pub(super) fn people(&self, event: Event, owner: usize, n: u32) -> Stream {
        event_stream(self.seed, self.replication, event, owner as u32, n)
    }

    /// Phase 6: the workforce.
    pub(super) fn workforce(&mut self) {
        let s = self.s;
        let day = self.day;
        let wf = &s.workforce;
        for p in 0..self.posts.len() {
            if self.posts[p].absent.as_ref().is_some_and(|(_, back)| *back == day) {
                self.come_back(p);
            }
            if let Some(w) = self.posts[p].occupant.as_mut() {
                w.update_stress(s, &self.rates);
                w.gain_experience(&self.rates);
                if w.leaving_day.is_none() {
                    let lone = w.last_lone_day.is_some_and(|d| f64::from(day - d) < wf.lone_decision_window_days);
                    let effect = if lone {
                        (1.0 + wf.lone_decision_leave_effect * (1.0 + wf.lone_leave_novice * w.novice_weight)).max(0.0)
                    } else {
                        1.0
                    };
                    w.hazard += w.leave_rate(&self.rates, day) * w.stress_factor * effect;
                    if w.hazard >= w.threshold {
                        let notice = if w.is_employed() { wf.notice_days } else { wf.agency_notice_days };
                        w.leaving_day = Some(day + notice);
                    }
                }
                let away = w.absence_day == day && w.leaving_day.is_none() && w.is_employed();
                if w.leaving_day == Some(day) {
                    self.depart(p, Departure::Left);
                } else if away {
                    self.depart(p, Departure::Absent);
                }
            }
            if self.posts[p].hire_day == Some(day) {
                self.hire(p);
            }
            if self.posts[p].agency_day == Some(day) {
                self.posts[p].agency_day = None;
                if self.posts[p].occupant.is_none() {
                    self.agency_arrives(p);
                }
            }
        }
        for t in 0..self.teams.len() {
            self.manager_day(t);
        }
    }

    /// A worker leaves post `p` (for good, for promotion, for a long absence, or as agency
    /// cover no longer needed): their cases go back to the team, and recruitment or cover
    /// starts as the reason needs.
    pub(super) fn depart(&mut self, p: usize, why: Departure) -> Option<Worker> {
        let s = self.s;
        let day = self.day;
        let mut w = self.posts[p].occupant.take().expect("occupied");
        self.note_departure(p, &w, why);
        let team = self.posts[p].team.0 as usize;
        for a in w.take_assessments().into_iter().rev() {
            let id = a.id;
            let c = self.cases.get_mut(id);
            c.hand_back(&a);
            c.hours_done *= 1.0 - s.casework.handover_loss;
            c.worker = None;
            c.waiting_since = day;
            if c.state == CaseState::AwaitingDecision {
                // The new worker will rate it afresh and the rule applies again.
                let t = &mut self.teams[team];
                t.queue.retain(|&q| q != id);
                if t.in_consult.is_some_and(|(q, _)| q == id) {
                    t.in_consult = None;
                }
            }
            c.state = CaseState::AwaitingAllocation;
            self.enqueue(team, id);
        }
        self.teams[team].unallocated_ongoing.extend(w.take_ongoing());
        w.hours_taken_today = 0.0;
        match why {
            Departure::Replaced => return Some(w),
            Departure::Absent => {
                let mut rng = self.people(Event::Absence, p, self.posts[p].absences);
                let post = &mut self.posts[p];
                post.absences += 1;
                let length = exponential(&mut rng) * s.workforce.long_absence_days_mean;
                let back = day + (length.round() as u32).max(1);
                w.absence_after(back, exponential(&mut rng), self.rates.absence_per_day);
                post.absent = Some((w, back));
                self.note_absence(p);
            }
            Departure::Left | Departure::Promoted => {
                if why == Departure::Left && self.in_horizon() {
                    self.rec.leaver(w.is_employed(), w.tenure_days(day) < 2 * i64::from(DAYS_PER_YEAR));
                }
                if w.is_employed() {
                    self.recruit(p);
                }
            }
        }
        // Agency cover for the vacancy or the absence; or, when an agency worker left a
        // post still waiting for its hire or its absent worker, cover again.
        self.seek_agency(p);
        None
    }

    /// Starts recruiting to post `p`, now vacant, unless its team is closed (a history's
    /// cut): the permanent hire's start day.
    pub(super) fn recruit(&mut self, p: usize) {
        if !self.teams[self.posts[p].team.0 as usize].open || self.redeploy_into(p) {
            return;
        }
        let s = self.s;
        let mut rng = self.people(Event::Vacancy, p, self.posts[p].vacancies);
        let post = &mut self.posts[p];
        post.vacancies += 1;
        let z = normal(&mut rng);
        let wait = lognormal(s.workforce.time_to_hire_days_mean, s.workforce.time_to_hire_days_cv, z);
        post.hire_day = Some(self.day + (wait.round() as u32).max(1));
    }

    /// The absent worker returns to their post; agency cover in it makes way.
    fn come_back(&mut self, p: usize) {
        if self.posts[p].occupant.is_some() {
            self.depart(p, Departure::Replaced);
        }
        let post = &mut self.posts[p];
        post.agency_day = None;
        let (w, _) = post.absent.take().expect("an absent worker");
        post.occupant = Some(w);
        self.note_arrival(p, Arrival::Returned);
    }

    /// Looks for agency cover for a post without its worker, until the hire starts or the
    /// absent worker returns.
    pub(super) fn seek_agency(&mut self, p: usize) {
        let s = self.s;
        let mut rng = self.people(Event::AgencySearch, p, self.posts[p].agency_searches);
        let post = &mut self.posts[p];
        post.agency_searches += 1;
        let u = uniform(&mut rng);
        let start = self.day + s.workforce.agency_start_days;
        let share =
            if post.absent.is_some() { s.workforce.absence_agency_cover_share } else { s.workforce.agency_cover_share };
        post.agency_day = match post.cover_until() {
            Some(until) if u < share && start < until => Some(start),
            _ => None,
        };
    }

    fn agency_arrives(&mut self, p: usize) {
        let s = self.s;
        let mut rng = self.people(Event::Agency, p, self.posts[p].agency_arrivals);
        let post = &mut self.posts[p];
        post.agency_arrivals += 1;
        let z = normal(&mut rng);
        let threshold = exponential(&mut rng);
        let years = lognormal(s.workforce.experienced_hire_years_mean, s.workforce.experienced_hire_years_cv, z);
        post.occupant = Some(Worker::new(s, Kind::Agency, years, self.day, threshold));
        self.note_arrival(p, Arrival::Agency);
    }

    /// The permanent hire starts; agency cover in the post makes way.
    pub(super) fn hire(&mut self, p: usize) {
        let s = self.s;
        if self.posts[p].occupant.as_ref().is_some_and(|w| !w.is_employed()) {
            self.depart(p, Departure::Replaced);
        }
        let mut rng = self.people(Event::Hire, p, self.posts[p].hires);
        let post = &mut self.posts[p];
        post.hires += 1;
        post.hire_day = None;
        post.agency_day = None;
        let u = uniform(&mut rng);
        let z = normal(&mut rng);
        let threshold = exponential(&mut rng);
        let absence_threshold = exponential(&mut rng);
        let (kind, years) = if u < s.workforce.newly_qualified_share {
            (Kind::NewlyQualified, 0.0)
        } else {
            // An experienced hire is past the first year of practice by definition.
            let years =
                lognormal(s.workforce.experienced_hire_years_mean, s.workforce.experienced_hire_years_cv, z).max(1.0);
            (Kind::Permanent, years)
        };
        if post.occupant.is_none() {
            let mut w = Worker::new(s, kind, years, self.day, threshold);
            w.absence_after(self.day, absence_threshold, self.rates.absence_per_day);
            post.occupant = Some(w);
            self.note_arrival(p, Arrival::Hired);
            if self.day >= s.run.warmup_days() {
                let support = if kind == Kind::NewlyQualified { s.costs.newly_qualified_support } else { 0.0 };
                self.rec.hire(s.costs.recruitment_per_hire + support);
            }
        }
    }

    /// A manager's day: experience, leaving, and the replacement arriving.
    fn manager_day(&mut self, t: usize) {
        let s = self.s;
        let day = self.day;
        let team = &mut self.teams[t];
        if let Some(m) = team.manager.as_mut() {
            m.years += 1.0 / DAYS_PER_YEAR as f64;
            m.novice_weight *= self.rates.novice_weight_per_day;
            if m.leaving_day.is_none() {
                m.hazard += s.managers.leave_rate_per_year / DAYS_PER_YEAR as f64;
                if m.hazard >= m.threshold {
                    m.leaving_day = Some(day + s.workforce.notice_days);
                }
            }
            if m.leaving_day == Some(day) {
                team.manager = None;
                team.manager_arrives = Some(day + s.managers.vacancy_days);
            }
        }
        if team.manager_arrives == Some(day) {
            team.manager_arrives = None;
            let mut rng = self.people(Event::Manager, t, self.teams[t].managers);
            self.teams[t].managers += 1;
            let u = uniform(&mut rng);
            let mut manager = new_manager(s, &mut rng, s.managers.experience_years_mean);
            if u < s.managers.promotion_share
                && let Some(p) = self.most_experienced_permanent(self.teams[t].authority)
            {
                let w = self.posts[p].occupant.as_ref().expect("candidate");
                (manager.years, manager.novice_weight) = (w.years, w.novice_weight);
                self.depart(p, Departure::Promoted);
            }
            self.teams[t].manager = Some(manager);
        }
        self.note_manager(t);
    }

    /// The authority's most experienced permanent worker not already leaving.
    fn most_experienced_permanent(&self, authority: u32) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (p, post) in self.posts.iter().enumerate() {
            if self.teams[post.team.0 as usize].authority != authority {
                continue;
            }
            if let Some(w) = &post.occupant
                && w.kind == Kind::Permanent
                && w.leaving_day.is_none()
                && best.is_none_or(|(_, y)| w.years > y)
            {
                best = Some((p, w.years));
            }
        }
        best.map(|(p, _)| p)
    }
}
