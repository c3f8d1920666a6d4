//! Allocation: waiting cases go to the worker in the team with the most room under their
//! caseload cap; a case nobody can take waits, unallocated.

use super::Sim;
use super::case::{CaseState, PostId, Tier};
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
        }
    }
}
