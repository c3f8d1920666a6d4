//! Allocation: waiting cases go, most urgent first, to the worker in the team with the
//! most room under their caseload cap; a case nobody can take waits, unallocated, and is
//! seen by the duty worker when the first visit its urgency needs comes due (a child
//! screened at immediate risk the same day).

use std::cmp::Reverse;

use super::Sim;
use super::case::{CaseId, CaseState, PostId, Tier};
use super::decision::worker_sd_at;

impl Sim<'_> {
    /// The post in `team` whose worker has the most spare caseload (first on ties), if any.
    fn roomiest(&self, team: usize) -> Option<PostId> {
        let mut best: Option<(u32, u32)> = None;
        for p in self.teams[team].posts.clone() {
            if let Some(w) = &self.posts[p as usize].occupant {
                let spare = w.spare(self.s);
                if spare > 0 && best.is_none_or(|(_, b)| spare > b) {
                    best = Some((p, spare));
                }
            }
        }
        best.map(|(p, _)| PostId(p))
    }

    /// Puts a waiting case in its team's queue: by urgency (its decided tier, else the tier
    /// screened at the front door), most urgent first, then by referral day and key.
    pub(super) fn enqueue(&mut self, team: usize, id: CaseId) {
        // A closed team (a history's cut) takes no new work: the case goes to an open one.
        let team = if self.teams[team].open {
            team
        } else {
            let to = self.open_team(team);
            self.cases.get_mut(id).team = super::case::TeamId(to as u32);
            to
        };
        let cases = &self.cases;
        let order = |id: CaseId| {
            let c = cases.get(id);
            (Reverse(c.urgency()), c.arrival_day, c.key)
        };
        let at = order(id);
        let queue = &mut self.teams[team].unallocated;
        let i = queue.partition_point(|&q| order(q) < at);
        queue.insert(i, id);
    }

    /// `team` if it is open, else the open team of its authority that takes its work: the
    /// team's number among the authority's teams, wrapped onto the open ones.
    pub(super) fn open_team(&self, team: usize) -> usize {
        if self.teams[team].open {
            return team;
        }
        let a = self.teams[team].authority as usize;
        let first = self.first_team[a] as usize;
        first + (team - first) % self.open_teams[a].max(1) as usize
    }

    /// The children still waiting in `team`'s queue, not yet seen, whose first visit is
    /// due today by their urgency (`demand.needed_start_days` of the decided or screened
    /// tier: an immediate-risk child the same day) are visited by the duty worker: the
    /// team's least loaded worker present (fewest cases; the first on ties) gives the
    /// visit's hours (the visit happens even if nobody in the team is in).
    fn duty_visits(&mut self, team: usize) {
        let (s, day) = (self.s, self.day);
        let hours = s.casework.duty_visit_hours;
        let mut visit = std::mem::take(&mut self.starts);
        for &id in &self.teams[team].unallocated {
            let c = self.cases.get(id);
            if c.started_day.is_none() && c.arrival_day + s.demand.needed_start_days[c.urgency().index()] <= day {
                visit.push(id);
            }
        }
        // A visit changes no caseload, so one worker gives every visit of the day.
        let duty = if visit.is_empty() { None } else { self.least_loaded(team) };
        for id in visit.drain(..) {
            if let Some(p) = duty {
                self.posts[p.0 as usize].occupant.as_mut().expect("worker").hours_taken_today += hours;
            }
            self.start(id);
        }
        self.starts = visit;
    }

    /// The worker present in `team` with the fewest cases (the first on ties).
    fn least_loaded(&self, team: usize) -> Option<PostId> {
        let mut best: Option<(u32, u32)> = None;
        for p in self.teams[team].posts.clone() {
            if let Some(w) = &self.posts[p as usize].occupant {
                let n = w.caseload();
                if best.is_none_or(|(_, b)| n < b) {
                    best = Some((p, n));
                }
            }
        }
        best.map(|(p, _)| PostId(p))
    }

    /// Phase 2: allocation. Children kept open whose worker left are placed first, then
    /// assessments from the front of the team's queue. A newly allocated worker rates the case's risk.
    pub(super) fn allocate(&mut self) {
        let s = self.s;
        let day = self.day;
        for t in 0..self.teams.len() {
            self.teams[t].unallocated_ongoing.retain(|&end| end > day);
            while let Some(&end) = self.teams[t].unallocated_ongoing.last() {
                let Some(p) = self.roomiest(t) else { break };
                self.posts[p.0 as usize].occupant.as_mut().expect("worker").add_ongoing(end);
                self.teams[t].unallocated_ongoing.pop();
            }
            while let Some(&id) = self.teams[t].unallocated.front() {
                let Some(p) = self.roomiest(t) else { break };
                self.teams[t].unallocated.pop_front();
                let w = self.posts[p.0 as usize].occupant.as_mut().expect("worker");
                let sd = worker_sd_at(&s.judgement, w.novice_weight, w.load(s));
                let c = self.cases.get_mut(id);
                w.take_on(c.assignment(id, s));
                let waited = day - c.waiting_since;
                c.worker = Some(p);
                c.allocated_day = day;
                c.worker_sd = sd;
                c.worker_rating = c.score + sd * c.luck.z_worker;
                c.worker_tier = Tier::of_rating(c.worker_rating, &s.demand.risk_cuts);
                if c.decision.is_some() {
                    // A decided case handed over from a leaver keeps its timescale.
                    c.state = CaseState::InAssessment;
                } else {
                    self.newly_allocated.push(id);
                }
                if self.in_horizon() {
                    self.rec.allocation(waited);
                }
            }
            if !self.teams[t].unallocated.is_empty() {
                self.duty_visits(t);
            }
        }
    }
}
