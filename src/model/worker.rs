//! Social workers and the posts they fill: kind, experience, caseload, stress, leaving.

use super::case::{CaseId, TeamId, WorkOrder};
use crate::scenario::{DAYS_PER_YEAR, Scenario};

/// How a worker is employed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Permanent,
    /// In the first year of practice (the assessed and supported year).
    NewlyQualified,
    Agency,
}

/// A social worker in a post.
#[derive(Debug, Clone)]
pub struct Worker {
    pub kind: Kind,
    /// Years of practice; grows each working day.
    pub years: f64,
    /// `exp(-years / learning_years)`: where the worker is on the learning curve, carried
    /// along day by day so that rating and quality need no `exp` (see [`learning_curve`]).
    pub novice_weight: f64,
    /// The day they started in this authority (before day 0 for the first workers): their
    /// tenure, which sets their leaving rate.
    pub start_day: i64,
    /// Open assessments held, kept in work order (see `Case::work_order`), each with the
    /// progress of its work: the daily casework loop reads only these.
    assessments: Vec<Assignment>,
    /// End days of the children kept open after assessment.
    ongoing: Vec<u32>,
    /// The earliest of those end days (`u32::MAX` when none), so expiry is checked cheaply.
    next_ongoing_end: u32,
    /// Moving average of load (caseload over the manageable caseload), and `exp(stress_effect * (stress - 1))`, the
    /// factor it puts on the leaving hazard.
    pub stress: f64,
    pub stress_factor: f64,
    /// Cumulative leaving hazard, and the unit-exponential threshold at which they resign.
    pub hazard: f64,
    pub threshold: f64,
    /// The day they leave, once they have resigned.
    pub leaving_day: Option<u32>,
    /// The last day they decided a timescale without a manager.
    pub last_lone_day: Option<u32>,
    /// Hours of today's working time already taken (recording shared decisions), which
    /// casework does not have.
    pub hours_taken_today: f64,
    /// The day a long absence starts, if the worker is still here, employed and not
    /// leaving: a unit-exponential threshold over a constant daily hazard (employed
    /// workers only; `u32::MAX` for none).
    pub absence_day: u32,
    /// The leaving rate per working day for the worker's kind and tenure band, before
    /// stress and any lone-decision effect, and the day the band next changes: worked out
    /// when the band changes, not every day.
    leave_rate: f64,
    band_ends: i64,
}

impl Worker {
    pub fn new(s: &Scenario, kind: Kind, years: f64, day: u32, threshold: f64) -> Worker {
        Worker {
            kind,
            years,
            novice_weight: novice_weight(years, s.judgement.learning_years),
            start_day: i64::from(day),
            assessments: Vec::new(),
            ongoing: Vec::new(),
            next_ongoing_end: u32::MAX,
            stress: 0.0,
            stress_factor: super::sample::exp(-s.workforce.stress_effect),
            hazard: 0.0,
            threshold,
            leaving_day: None,
            last_lone_day: None,
            hours_taken_today: 0.0,
            absence_day: u32::MAX,
            leave_rate: 0.0,
            band_ends: i64::MIN,
        }
    }

    /// Sets the day of the next long absence from `day`, for a unit-exponential
    /// `threshold` and a daily hazard `per_day`.
    pub fn absence_after(&mut self, day: u32, threshold: f64, per_day: f64) {
        self.absence_day = if per_day > 0.0 {
            let days = (threshold / per_day).ceil();
            if days < f64::from(u32::MAX - day) { day + (days as u32).max(1) } else { u32::MAX }
        } else {
            u32::MAX
        };
    }

    /// The leaving rate per working day on `day` before stress and any lone-decision
    /// effect: permanent workers leave faster in their first years in the authority.
    pub fn leave_rate(&mut self, r: &Rates, day: u32) -> f64 {
        if i64::from(day) >= self.band_ends {
            let year = i64::from(DAYS_PER_YEAR);
            let tenure = self.tenure_days(day);
            let (factor, ends) = if tenure < 2 * year {
                (r.tenure_under_2, Some(2 * year))
            } else if tenure < 5 * year {
                (r.tenure_2_to_5, Some(5 * year))
            } else {
                (1.0, None)
            };
            let base = r.leave_per_day(self.kind);
            self.leave_rate = if self.kind == Kind::Permanent { base * factor } else { base };
            self.band_ends = ends.map_or(i64::MAX, |e| self.start_day + e);
        }
        self.leave_rate
    }

    /// Forgets the leaving rate worked out for the tenure band, so the next day works it
    /// out from the rates then in force (a history's new year).
    pub fn forget_leave_rate(&mut self) {
        self.band_ends = i64::MIN;
    }

    /// Whole working days in this authority by `day`.
    pub fn tenure_days(&self, day: u32) -> i64 {
        i64::from(day) - self.start_day
    }

    /// Sets the target day of an assessment whose timescale was decided; a paced one (or
    /// one `paced` now: a drifted plan) is worked evenly to it.
    pub fn set_target(&mut self, id: CaseId, complete_by: u32, paced: bool) {
        if let Some(a) = self.assessments.iter_mut().find(|a| a.id == id) {
            a.target_day = complete_by;
            if paced || a.paced_until != 0 {
                a.paced_until = complete_by;
            }
        }
    }

    /// Open assessments with their progress, in work order, for the day's casework.
    pub fn assignments_mut(&mut self) -> &mut [Assignment] {
        &mut self.assessments
    }

    /// Takes on an assessment at its place in work order.
    pub fn take_on(&mut self, a: Assignment) {
        let at = self.assessments.partition_point(|x| x.order < a.order);
        self.assessments.insert(at, a);
    }

    /// Moves an assessment whose work order changed to its new place.
    pub fn reorder(&mut self, id: CaseId, order: WorkOrder) {
        let list = &mut self.assessments;
        let Some(mut i) = list.iter().position(|a| a.id == id) else { return };
        list[i].order = order;
        // Work orders are unique, so the others stay sorted and the one moved slides past
        // those it now comes before or after: a step or two, as lists are short.
        while i > 0 && list[i - 1].order > order {
            list.swap(i - 1, i);
            i -= 1;
        }
        while i + 1 < list.len() && list[i + 1].order < order {
            list.swap(i, i + 1);
            i += 1;
        }
    }

    /// Gives up an assessment (finished or handed over), returning its progress.
    pub fn drop_assessment(&mut self, id: CaseId) -> Option<Assignment> {
        let i = self.assessments.iter().position(|a| a.id == id)?;
        Some(self.assessments.remove(i))
    }

    /// Hands every open assessment back (when leaving), in work order.
    pub fn take_assessments(&mut self) -> Vec<Assignment> {
        std::mem::take(&mut self.assessments)
    }

    /// Children kept open after assessment, by the day each closes.
    pub fn ongoing(&self) -> &[u32] {
        &self.ongoing
    }

    /// Takes on a child who stays open until `end`.
    pub fn add_ongoing(&mut self, end: u32) {
        self.ongoing.push(end);
        self.next_ongoing_end = self.next_ongoing_end.min(end);
    }

    /// Closes the children whose end day has come.
    pub fn close_ongoing(&mut self, day: u32) {
        if day >= self.next_ongoing_end {
            self.ongoing.retain(|&end| end > day);
            self.next_ongoing_end = self.ongoing.iter().copied().min().unwrap_or(u32::MAX);
        }
    }

    /// Hands every open child back (when leaving).
    pub fn take_ongoing(&mut self) -> Vec<u32> {
        self.next_ongoing_end = u32::MAX;
        std::mem::take(&mut self.ongoing)
    }

    pub fn caseload(&self) -> u32 {
        (self.assessments.len() + self.ongoing.len()) as u32
    }

    pub fn cap(&self, s: &Scenario) -> u32 {
        if self.kind == Kind::NewlyQualified {
            s.casework.caseload_cap_newly_qualified
        } else {
            s.casework.caseload_cap
        }
    }

    /// Caseload over the manageable caseload: the load that raises rating error and stress
    /// above 1. (Against the cap it could never pass 1, since caps hold.)
    pub fn load(&self, s: &Scenario) -> f64 {
        self.caseload() as f64 / s.casework.manageable_caseload
    }

    /// Cases this worker can still take; none once they have resigned.
    pub fn spare(&self, s: &Scenario) -> u32 {
        if self.leaving_day.is_some() { 0 } else { self.cap(s).saturating_sub(self.caseload()) }
    }

    pub fn is_employed(&self) -> bool {
        self.kind != Kind::Agency
    }

    /// The day's caseload moves the stress average, and with it the hazard factor: by the
    /// exponential of the small daily change where it is small, else afresh.
    pub fn update_stress(&mut self, s: &Scenario, r: &Rates) {
        let wf = &s.workforce;
        let load = self.caseload() as f64 * r.per_manageable_case;
        let change = (load - self.stress) * r.per_stress_window_day;
        self.stress += change;
        let x = wf.stress_effect * change;
        self.stress_factor = if x.abs() <= 1.0 / 64.0 {
            self.stress_factor * super::sample::exp_small(x)
        } else {
            super::sample::exp(wf.stress_effect * (self.stress - 1.0))
        };
    }

    /// One working day of experience; the first year of practice ends newly qualified status.
    pub fn gain_experience(&mut self, r: &Rates) {
        self.years += 1.0 / DAYS_PER_YEAR as f64;
        self.novice_weight *= r.novice_weight_per_day;
        if self.kind == Kind::NewlyQualified && self.years >= 1.0 - 1e-9 {
            self.kind = Kind::Permanent;
            // The leaving rate is a permanent worker's from tomorrow.
            self.band_ends = i64::MIN;
        }
    }
}

/// Reciprocals of the scenario's daily constants, worked out once a run: every worker's day
/// multiplies by them, and a division costs several multiplications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    /// `1 / manageable_caseload`.
    pub per_manageable_case: f64,
    /// `1 / stress_window_days`.
    pub per_stress_window_day: f64,
    /// The leaving rate per working day (before stress and exposure) of permanent, newly
    /// qualified and agency workers.
    pub leave_per_day: [f64; 3],
    /// `exp(-1 / (DAYS_PER_YEAR * learning_years))`: a day's change in the novice weight.
    pub novice_weight_per_day: f64,
    /// The factor on a permanent worker's leaving rate under 2 years' tenure, and from 2
    /// to 5 years.
    pub tenure_under_2: f64,
    pub tenure_2_to_5: f64,
    /// The daily hazard of a long absence starting: `share / ((1 - share) * mean days)`, so
    /// that a share `long_absence_share` of employed days are spent absent.
    pub absence_per_day: f64,
}

impl Rates {
    pub fn of(s: &Scenario) -> Rates {
        let wf = &s.workforce;
        let per_day = 1.0 / DAYS_PER_YEAR as f64;
        Rates {
            per_manageable_case: 1.0 / s.casework.manageable_caseload,
            per_stress_window_day: 1.0 / wf.stress_window_days,
            leave_per_day: [wf.leave_rate_permanent, wf.leave_rate_newly_qualified, wf.leave_rate_agency]
                .map(|r| r * per_day),
            novice_weight_per_day: super::sample::exp(-per_day / s.judgement.learning_years),
            tenure_under_2: wf.tenure_hazard_ratio_under_2,
            tenure_2_to_5: wf.tenure_hazard_ratio_2_to_5,
            absence_per_day: if wf.long_absence_share > 0.0 {
                wf.long_absence_share / ((1.0 - wf.long_absence_share) * wf.long_absence_days_mean)
            } else {
                0.0
            },
        }
    }

    /// The leaving rate per working day of a worker of this kind, before tenure, stress
    /// and any lone-decision effect.
    pub fn leave_per_day(&self, kind: Kind) -> f64 {
        let [permanent, newly_qualified, agency] = self.leave_per_day;
        match kind {
            Kind::Permanent => permanent,
            Kind::NewlyQualified => newly_qualified,
            Kind::Agency => agency,
        }
    }
}

/// An assessment a worker holds, with the progress of its work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assignment {
    pub order: WorkOrder,
    pub id: CaseId,
    /// Hours of work still to do, and hours skipped once the limit passed.
    pub hours_left: f64,
    pub hours_cut: f64,
    /// The last day within the statutory limit.
    pub limit_day: u32,
    /// For an assessment the worker paces to its decided completion target, that target
    /// (`u32::MAX` while undecided); 0 for one worked as fast as the day allows.
    pub paced_until: u32,
    /// The decided completion target (`u32::MAX` while undecided): an assessment gets at
    /// least the hours a day it needs to finish by it, before less urgent work.
    pub target_day: u32,
    pub started: bool,
    /// Started in today's casework (cleared once the start is recorded).
    pub started_today: bool,
    pub rushed: bool,
}

/// Hours left at or below which an assessment is finished (rounding may leave a trace).
pub const FINISHED: f64 = 1e-9;

/// A social worker post in a team: filled by a worker, or vacant with a hire on the way.
#[derive(Debug, Clone)]
pub struct Post {
    pub team: TeamId,
    /// How many permanent hires, agency workers, vacancies and searches for agency cover
    /// the post has had: the count keys the stream of the next one's draws
    /// ([`super::streams::Event`]).
    pub hires: u32,
    pub agency_arrivals: u32,
    pub vacancies: u32,
    pub agency_searches: u32,
    pub occupant: Option<Worker>,
    /// The day the permanent hire starts, while recruiting.
    pub hire_day: Option<u32>,
    /// The day agency cover starts, if it was found.
    pub agency_day: Option<u32>,
    /// The employed worker away on a long absence, and the day they return: the post is
    /// theirs, and any agency worker in it covers the absence, not a vacancy.
    pub absent: Option<(Worker, u32)>,
    /// How many long absences the post has had (keys the next one's draws).
    pub absences: u32,
    /// How many times a history's growth opened the post (keys the next one's draw).
    pub openings: u32,
}

impl Post {
    /// Vacant: no employed worker in the post (agency cover counts as vacant, as in the
    /// published vacancy rate).
    pub fn is_vacant(&self) -> bool {
        self.absent.is_none() && !self.occupant.as_ref().is_some_and(Worker::is_employed)
    }

    /// The day the need for agency cover ends: the permanent hire starting, or the absent
    /// worker returning.
    pub fn cover_until(&self) -> Option<u32> {
        self.hire_day.or(self.absent.as_ref().map(|(_, back)| *back))
    }
}

/// `expert + (novice - expert) * exp(-years / learning_years)`: from the novice's value at no
/// experience towards the expert's; shared by rating error and assessment quality.
pub fn learning_curve(novice: f64, expert: f64, years: f64, learning_years: f64) -> f64 {
    on_curve(novice, expert, novice_weight(years, learning_years))
}

/// `exp(-years / learning_years)`: the weight of the novice's value on the learning curve.
pub fn novice_weight(years: f64, learning_years: f64) -> f64 {
    super::sample::exp(-years / learning_years)
}

/// The learning curve at a given novice weight (see [`novice_weight`]).
pub fn on_curve(novice: f64, expert: f64, weight: f64) -> f64 {
    expert + (novice - expert) * weight
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assessments_stay_in_work_order_as_orders_change() {
        use crate::model::streams::{Purpose, Stream, stream};
        use rand::RngExt;
        let s = Scenario::default();
        let mut rng = stream(5, 0, Purpose::Initial, 9);
        let mut w = Worker::new(&s, Kind::Permanent, 3.0, 0, 1.0);
        let order = |rng: &mut Stream, key: u64| {
            let due = (rng.random_range(0..4u32) > 0).then(|| rng.random_range(0..40u32));
            WorkOrder::new(due, rng.random_range(0..20), key)
        };
        let mut key = 0;
        for step in 0..2000 {
            let n = w.assignments_mut().len();
            match rng.random_range(0..4u32) {
                // Take on, reorder twice as often, or finish one.
                0 => {
                    key += 1;
                    let a = Assignment {
                        order: order(&mut rng, key),
                        id: CaseId(key as u32),
                        hours_left: 1.0,
                        hours_cut: 0.0,
                        limit_day: 45,
                        paced_until: 0,
                        target_day: u32::MAX,
                        started: false,
                        started_today: false,
                        rushed: false,
                    };
                    w.take_on(a);
                }
                1 | 2 if n > 0 => {
                    let a = w.assignments_mut()[rng.random_range(0..n)];
                    let new = order(&mut rng, a.order.key());
                    w.reorder(a.id, new);
                    assert!(w.assignments_mut().iter().any(|b| b.id == a.id && b.order == new));
                }
                3 if n > 0 => {
                    let id = w.assignments_mut()[rng.random_range(0..n)].id;
                    assert_eq!(w.drop_assessment(id).map(|a| a.id), Some(id));
                }
                _ => {}
            }
            let list = w.assignments_mut();
            assert!(list.windows(2).all(|p| p[0].order < p[1].order), "step {step}: out of order");
        }
    }

    #[test]
    fn learning_curve_runs_from_novice_to_expert() {
        assert_eq!(learning_curve(0.2, 0.1, 0.0, 3.0), 0.2);
        assert!((learning_curve(0.2, 0.1, 3.0, 3.0) - (0.1 + 0.1 / std::f64::consts::E)).abs() < 1e-12);
        assert!((learning_curve(0.2, 0.1, 300.0, 3.0) - 0.1).abs() < 1e-12);
        // Monotone in experience.
        let mut last = f64::INFINITY;
        for y in 0..40 {
            let v = learning_curve(0.25, 0.12, y as f64 * 0.5, 2.0);
            assert!(v <= last);
            last = v;
        }
    }

    #[test]
    fn the_stress_factor_tracks_its_formula() {
        let s = Scenario::default();
        let k = s.workforce.stress_effect;
        let mut w = Worker::new(&s, Kind::Permanent, 5.0, 0, 1.0);
        for day in 0..3000 {
            // Caseload steps up and down, so both the series and the fresh exp are used.
            let n = if (day / 400) % 2 == 0 { 20 } else { 5 };
            while (w.ongoing.len() as u32) < n {
                w.add_ongoing(u32::MAX);
            }
            w.ongoing.truncate(n as usize);
            w.update_stress(&s, &Rates::of(&s));
            let exact = super::super::sample::exp(k * (w.stress - 1.0));
            assert!((w.stress_factor / exact - 1.0).abs() < 1e-12, "day {day}");
        }
    }

    #[test]
    fn the_novice_weight_carried_along_is_the_learning_curves() {
        let s = Scenario::default();
        let r = Rates::of(&s);
        let mut w = Worker::new(&s, Kind::Permanent, 1.3, 0, 1.0);
        for day in 0..40 * DAYS_PER_YEAR {
            w.gain_experience(&r);
            let exact = novice_weight(w.years, s.judgement.learning_years);
            // Each day's multiplication may round by half an ulp, and so may the day's
            // factor and the years: the error may grow by a few epsilons a day, no more.
            let bound = 4.0 * f64::EPSILON * f64::from(day + 1);
            assert!((w.novice_weight / exact - 1.0).abs() < bound, "day {day}");
        }
    }

    #[test]
    fn newly_qualified_status_ends_after_a_year_of_practice() {
        let s = Scenario::default();
        let r = Rates::of(&s);
        let mut w = Worker::new(&s, Kind::NewlyQualified, 0.0, 0, 1.0);
        for _ in 0..DAYS_PER_YEAR - 1 {
            w.gain_experience(&r);
        }
        assert_eq!(w.kind, Kind::NewlyQualified);
        w.gain_experience(&r);
        assert_eq!(w.kind, Kind::Permanent);
    }
}
