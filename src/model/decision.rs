//! Decision rules: who decides how urgently an assessment is done, and how ratings are
//! made and combined (docs/ODD.md section 7.3).

use super::Sim;
use super::case::{CaseId, CaseState, Decision, Tier};
use super::worker::{novice_weight, on_curve};
use crate::scenario::Judgement;
use crate::vocab::Combine;
pub use crate::vocab::Rule;

/// The sd of a worker's rating error: the learning curve, inflated by load above 1
/// (caseload over the manageable caseload).
pub fn worker_sd(j: &Judgement, years: f64, load: f64) -> f64 {
    worker_sd_at(j, novice_weight(years, j.learning_years), load)
}

/// [`worker_sd`] at a novice weight carried along by the worker.
pub(super) fn worker_sd_at(j: &Judgement, novice_weight: f64, load: f64) -> f64 {
    on_curve(j.sd_novice(), j.sd_expert, novice_weight) * (1.0 + j.load_effect * (load - 1.0).max(0.0))
}

/// The sd of a manager's rating error: the learning curve at the manager's own
/// experience, times their skill relative to a worker's (`manager_sd_ratio`), raised by
/// not having met the child (`manager_info_penalty`) and by each other case waiting in
/// their queue (`manager_queue_effect`).
pub fn manager_sd(j: &Judgement, years: f64, waiting: usize) -> f64 {
    manager_sd_at(j, novice_weight(years, j.learning_years), waiting)
}

/// [`manager_sd`] at a novice weight carried along by the manager.
fn manager_sd_at(j: &Judgement, novice_weight: f64, waiting: usize) -> f64 {
    on_curve(j.sd_novice(), j.sd_expert, novice_weight)
        * j.manager_sd_ratio
        * (1.0 + j.manager_info_penalty)
        * (1.0 + j.manager_queue_effect * waiting as f64)
}

/// The sd of `w * e_w + (1 - w) * e_m` for errors with sds `sd_w`, `sd_m` and correlation
/// `rho`: the error of a shared rating that puts weight `1 - w` on the manager's.
pub fn combined_sd(sd_w: f64, sd_m: f64, rho: f64, w: f64) -> f64 {
    let v = w * w * sd_w * sd_w + (1.0 - w) * (1.0 - w) * sd_m * sd_m + 2.0 * w * (1.0 - w) * rho * sd_w * sd_m;
    v.max(0.0).sqrt()
}

/// The manager's rating of a case: the same referral read with an error correlated `rho`
/// with the worker's (the manager hears the worker's account first: anchoring).
pub fn manager_rating(j: &Judgement, score: f64, z_worker: f64, z_manager: f64, sd_m: f64) -> f64 {
    score + sd_m * (j.rho * z_worker + (1.0 - j.rho * j.rho).sqrt() * z_manager)
}

/// The rating a shared decision uses: the two views combined as the scenario says, with
/// weights people choose (they cannot see the true error sizes), then any group shift.
pub fn combined_rating(j: &Judgement, y_w: f64, y_m: f64) -> f64 {
    let y = match j.combine {
        Combine::Average => (1.0 - j.manager_weight) * y_w + j.manager_weight * y_m,
        Combine::DeferToManager => y_m,
        Combine::MoreUrgent => y_w.max(y_m),
    };
    y + j.shared_rating_shift
}

impl Sim<'_> {
    /// Phase 3: the rule in force sets each newly allocated case's timescale, or sends it
    /// to the manager's queue.
    pub(super) fn decide_timescales(&mut self) {
        let ids = std::mem::take(&mut self.newly_allocated);
        for &id in &ids {
            let c = self.cases.get(id);
            let worker = self.posts[c.worker.expect("allocated").0 as usize].occupant.as_ref().expect("worker");
            if !self.rule.shares(worker.years, c.worker_tier) {
                self.decide_alone(id);
            } else if c.worker_tier == Tier::Immediate {
                self.fast_track(id);
            } else {
                let team = c.team.0 as usize;
                self.cases.get_mut(id).state = CaseState::AwaitingDecision;
                self.teams[team].queue.push(id);
            }
        }
        self.newly_allocated = ids;
        self.newly_allocated.clear();
    }

    /// A lone decision: the worker's rating, shifted by any lone-decision shift; a share of
    /// non-urgent plans drift past the statutory limit. Both the shift and the chance of
    /// drift are larger for a worker early on the learning curve, as the scenario says.
    /// Recording it takes some of the worker's day, and the worker's leaving hazard
    /// follows the decision for a while (exposure or autonomy).
    pub(super) fn decide_alone(&mut self, id: CaseId) {
        let s = self.s;
        let j = &s.judgement;
        let c = self.cases.get(id);
        let post = c.worker.expect("allocated").0 as usize;
        let w = self.posts[post].occupant.as_mut().expect("worker");
        let novice = w.novice_weight;
        let shift = j.lone_rating_shift * (1.0 + j.lone_shift_novice * novice);
        let tier = Tier::of_rating(c.worker_rating + shift, &s.demand.risk_cuts);
        let drift = tier <= Tier::Medium && c.luck.u_drift < j.drift_share * (1.0 + j.drift_novice * novice);
        w.last_lone_day = Some(self.day);
        w.hours_taken_today += s.casework.recording_hours_per_lone_decision;
        self.set_decision(id, tier, false, drift);
    }

    /// The worker rates the risk immediate: work starts today and the manager is consulted
    /// the same day, out of turn, without delaying it.
    fn fast_track(&mut self, id: CaseId) {
        let team = self.cases.get(id).team.0 as usize;
        match self.consulting_team(team) {
            Some(m) => {
                let minutes = self.consult_minutes(id);
                let waiting = self.teams[m].queue.len();
                let manager = self.teams[m].manager.as_mut().expect("consulting manager");
                manager.minutes_left -= minutes;
                let weight = manager.novice_weight;
                self.decide_shared(id, weight, waiting);
            }
            // No manager anywhere in the authority: the worker decides alone.
            None => self.decide_alone(id),
        }
    }

    /// A shared decision by the worker and a manager at `novice_weight` on the learning
    /// curve, with `waiting` other cases in their queue. Recording it takes some of the
    /// worker's day.
    pub(super) fn decide_shared(&mut self, id: CaseId, novice_weight: f64, waiting: usize) {
        let s = self.s;
        let j = &s.judgement;
        let c = self.cases.get(id);
        let sd_m = manager_sd_at(j, novice_weight, waiting);
        let y_m = manager_rating(j, c.score, c.luck.z_worker, c.luck.z_manager, sd_m);
        let tier = Tier::of_rating(combined_rating(j, c.worker_rating, y_m), &s.demand.risk_cuts);
        let wait = self.day - c.allocated_day;
        let post = c.worker.expect("a case in consultation has a worker").0 as usize;
        self.posts[post].occupant.as_mut().expect("worker").hours_taken_today +=
            s.casework.recording_hours_per_shared_decision;
        if self.in_horizon() {
            self.rec.consult_wait(wait);
        }
        self.set_decision(id, tier, true, false);
    }

    fn set_decision(&mut self, id: CaseId, tier: Tier, shared: bool, drift: bool) {
        let s = self.s;
        let day = self.day;
        let c = self.cases.get_mut(id);
        let target = if drift {
            s.demand.limit_days + s.judgement.drift_overrun_days.round() as u32
        } else {
            s.demand.completion_days[tier.index()]
        };
        c.decision = Some(Decision {
            tier,
            shared,
            day,
            start_by: c.arrival_day + s.demand.needed_start_days[tier.index()],
            complete_by: c.arrival_day + target,
            drift,
        });
        c.state = CaseState::InAssessment;
        let (true_tier, days, order, complete_by) =
            (c.tier, day - c.arrival_day, c.work_order(), c.arrival_day + target);
        let post = c.worker.expect("a decided case has a worker").0 as usize;
        let w = self.posts[post].occupant.as_mut().expect("worker");
        w.reorder(id, order);
        w.set_target(id, complete_by, drift);
        if self.in_horizon() {
            self.rec.decision(true_tier, tier, shared, days);
        }
        self.note_decision(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_print_the_same() {
        for s in ["practitioner_only", "manager_shared", "shared_for_novices:2", "shared_above:high"] {
            assert_eq!(Rule::parse(s).unwrap().name(), s);
        }
        assert!(Rule::parse("shared_above:severe").is_err());
        assert!(Rule::parse("manager_only").is_err());
        assert!(Rule::parse("shared_for_novices").is_err());
    }

    #[test]
    fn hybrids_share_where_they_say() {
        let novices = Rule::SharedForNovices { max_years: 2.0 };
        assert!(novices.shares(1.9, Tier::Low));
        assert!(!novices.shares(2.0, Tier::Immediate));
        let above = Rule::SharedAbove { tier: Tier::High };
        assert!(above.shares(10.0, Tier::High));
        assert!(!above.shares(0.0, Tier::Medium));
    }

    #[test]
    fn a_shared_rating_weights_the_views_as_the_scenario_says_and_shifts_them() {
        let mut j = crate::scenario::Scenario::default().judgement;
        j.manager_weight = 0.75;
        j.shared_rating_shift = 0.02;
        assert!((combined_rating(&j, 0.4, 0.8) - (0.25 * 0.4 + 0.75 * 0.8 + 0.02)).abs() < 1e-12);
        j.combine = Combine::DeferToManager;
        assert!((combined_rating(&j, 0.4, 0.8) - 0.82).abs() < 1e-12);
        j.combine = Combine::MoreUrgent;
        assert!((combined_rating(&j, 0.9, 0.8) - 0.92).abs() < 1e-12);
        // Weights that do not know the error sizes can make the shared view the noisier:
        // a manager twice as noisy, trusted at 0.75, independent.
        assert!(combined_sd(0.2, 0.4, 0.0, 0.25) > 0.2);
        // Equal, independent errors at equal weights: variance halved.
        assert!((combined_sd(0.2, 0.2, 0.0, 0.5).powi(2) - 0.02).abs() < 1e-12);
    }

    #[test]
    fn the_managers_error_grows_with_distance_and_queue() {
        let mut j = crate::scenario::Scenario::default().judgement;
        j.manager_sd_ratio = 1.0;
        j.manager_info_penalty = 0.0;
        j.manager_queue_effect = 0.0;
        // Without a penalty a manager rates like a worker of the same experience.
        assert!((manager_sd(&j, 7.0, 5) - worker_sd(&j, 7.0, 0.5)).abs() < 1e-12);
        j.manager_info_penalty = 0.2;
        j.manager_queue_effect = 0.01;
        assert!((manager_sd(&j, 7.0, 5) - worker_sd(&j, 7.0, 0.5) * 1.2 * 1.05).abs() < 1e-12);
    }

    #[test]
    fn the_manager_error_has_the_stated_sd_and_correlation() {
        let j = crate::scenario::Scenario::default().judgement;
        // Exact moments over a grid of (z_w, z_m) pairs weighted by the normal density.
        let (mut sxx, mut syy, mut sxy, mut wsum) = (0.0, 0.0, 0.0, 0.0);
        let n = 400;
        for a in 0..n {
            for b in 0..n {
                let zw = -6.0 + 12.0 * (a as f64 + 0.5) / n as f64;
                let zm = -6.0 + 12.0 * (b as f64 + 0.5) / n as f64;
                let w = (-(zw * zw + zm * zm) / 2.0).exp();
                let em = manager_rating(&j, 0.0, zw, zm, 0.3);
                sxx += w * zw * zw;
                syy += w * em * em;
                sxy += w * zw * em;
                wsum += w;
            }
        }
        let (vx, vy, cxy) = (sxx / wsum, syy / wsum, sxy / wsum);
        assert!((vy.sqrt() - 0.3).abs() < 1e-6);
        assert!((cxy / (vx * vy).sqrt() - j.rho).abs() < 1e-6);
    }

    #[test]
    fn rating_error_falls_with_experience_and_rises_with_load() {
        let j = crate::scenario::Scenario::default().judgement;
        assert!((worker_sd(&j, 0.0, 0.5) - j.sd_novice()).abs() < 1e-15);
        assert!(worker_sd(&j, 10.0, 0.5) < worker_sd(&j, 1.0, 0.5));
        assert!((worker_sd(&j, 0.0, 1.0) - j.sd_novice()).abs() < 1e-15);
        assert!((worker_sd(&j, 0.0, 1.5) - j.sd_novice() * (1.0 + 0.5 * j.load_effect)).abs() < 1e-12);
    }
}
