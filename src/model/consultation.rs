//! Manager consultations: each manager works through the queue of cases waiting for a
//! shared decision, most urgent first, within the day's consultation time.

use super::Sim;
use super::case::CaseId;
use crate::scenario::ConsultTime;

impl Sim<'_> {
    /// The team whose manager consults for `team`: its own, or while that post is empty,
    /// the next team of the same authority (in team order, wrapping) that has one.
    pub(super) fn consulting_team(&self, team: usize) -> Option<usize> {
        if self.teams[team].manager.is_some() {
            return Some(team);
        }
        let authority = self.teams[team].authority;
        let first = self.first_team[authority as usize] as usize;
        let n = self.s.authorities[authority as usize].teams as usize;
        (1..n).map(|k| first + (team - first + k) % n).find(|&t| self.teams[t].manager.is_some())
    }

    /// Minutes a consultation on this case takes.
    pub(super) fn consult_minutes(&self, id: CaseId) -> f64 {
        let m = &self.s.managers;
        match m.consult_time {
            ConsultTime::Fixed => m.minutes_per_consult,
            ConsultTime::Exponential => m.minutes_per_consult * self.cases.get(id).luck.e_consult,
        }
    }

    /// Phase 4: consultations.
    pub(super) fn consult(&mut self) {
        let s = self.s;
        let capacity = s.managers.consult_hours_per_day * 60.0;
        // Teams without a manager are served by a neighbour's (rare, so worked out only then).
        let mut covered: Vec<(usize, usize)> = Vec::new();
        if self.teams.iter().any(|t| t.manager.is_none()) {
            covered = (0..self.teams.len())
                .filter(|&t| self.teams[t].manager.is_none())
                .filter_map(|t| self.consulting_team(t).map(|m| (t, m)))
                .collect();
            // No manager anywhere in the authority: the workers decide what waits, alone.
            for t in 0..self.teams.len() {
                if self.teams[t].manager.is_none()
                    && (!self.teams[t].queue.is_empty() || self.teams[t].in_consult.is_some())
                    && self.consulting_team(t).is_none()
                {
                    let begun = self.teams[t].in_consult.take().map(|(id, _)| id);
                    for id in begun.into_iter().chain(std::mem::take(&mut self.teams[t].queue)) {
                        self.decide_alone(id);
                    }
                }
            }
        }
        let mut served = std::mem::take(&mut self.served);
        for m in 0..self.teams.len() {
            let Some(manager) = &self.teams[m].manager else { continue };
            let weight = manager.novice_weight;
            served.clear();
            served.push(m);
            if !covered.is_empty() {
                served.extend(covered.iter().filter(|&&(_, by)| by == m).map(|&(t, _)| t));
                served.sort_unstable();
            }
            let mut left = manager.minutes_left;
            while left > 0.0 {
                let Some((team, id, minutes)) = self.next_consultation(&served) else { break };
                if minutes <= left {
                    left -= minutes;
                    self.teams[team].in_consult = None;
                    let waiting = served.iter().map(|&t| self.teams[t].queue.len()).sum();
                    self.decide_shared(id, weight, waiting);
                } else {
                    self.teams[team].in_consult = Some((id, minutes - left));
                    left = 0.0;
                }
            }
            let manager = self.teams[m].manager.as_mut().expect("present");
            let used = capacity - left;
            let free = (left / capacity).clamp(0.0, 1.0);
            manager.freed_share += (free - manager.freed_share) / s.managers.supervision_window_days;
            manager.minutes_left = capacity;
            if self.day >= s.run.warmup_days() {
                self.rec.consultation_day(capacity, used, s.costs.manager_hour / 60.0);
            }
        }
        self.served = served;
    }

    /// The consultation to do next for a manager serving `teams`: one already begun, else
    /// the most urgent waiting case by the worker's rating, then the longest waiting.
    /// Removes it from its queue and returns its team, id and minutes still to go.
    fn next_consultation(&mut self, teams: &[usize]) -> Option<(usize, CaseId, f64)> {
        for &t in teams {
            if let Some((id, minutes)) = self.teams[t].in_consult {
                return Some((t, id, minutes));
            }
        }
        let mut best: Option<(usize, usize, (std::cmp::Reverse<_>, u32, u64))> = None;
        for &t in teams {
            for (i, &id) in self.teams[t].queue.iter().enumerate() {
                let c = self.cases.get(id);
                let key = (std::cmp::Reverse(c.worker_tier), c.allocated_day, c.key);
                if best.as_ref().is_none_or(|b| key < b.2) {
                    best = Some((t, i, key));
                }
            }
        }
        let (t, i, _) = best?;
        let id = self.teams[t].queue.swap_remove(i);
        let minutes = self.consult_minutes(id);
        self.teams[t].in_consult = Some((id, minutes));
        Some((t, id, minutes))
    }
}
