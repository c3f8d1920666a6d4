//! Casework: each worker's day goes to open children first, then to assessments in
//! deadline order; a finished assessment gets its outcome (docs/ODD.md sections 7.5, 7.6).

use super::case::{CaseId, PostId, Tier, rereferral_key};
use super::worker::{FINISHED, on_curve};
use super::{CaseRecord, Pending, Sim};
use crate::scenario::{DAYS_PER_YEAR, Scenario};
use std::cmp::Reverse;

/// An assessment's quality: the chance its conclusion matches the child's need, for a
/// worker at `novice_weight` on the learning curve.
/// `under` is how many tiers the decided urgency fell below the true one.
fn quality(s: &Scenario, novice_weight: f64, supervision: f64, hours_cut: f64, hours_needed: f64, under: u32) -> f64 {
    let q = &s.quality;
    let base = on_curve(q.q_novice, q.q_expert, novice_weight);
    let rushed = if hours_needed > 0.0 { hours_cut / hours_needed } else { 0.0 };
    let under_rated = q.under_rating_penalty * f64::from(under);
    (base + q.supervision_bonus * supervision - q.rush_penalty * rushed - under_rated).clamp(0.0, 1.0)
}

/// A completed assessment's child-days at risk, weighted by its true tier: the days from
/// the start its true risk needed until it was first seen, and from the completion target
/// of its true tier until it was completed (a day in both counts once).
fn risk_days(s: &Scenario, c: &super::case::Case, day: u32) -> f64 {
    let t = c.tier.index();
    let weight = s.quality.risk_day_weights[t];
    if weight <= 0.0 {
        return 0.0;
    }
    let seen = c.started_day.unwrap_or(day);
    let unseen = (c.needed_start(s), seen);
    let slow = (c.arrival_day + s.demand.completion_days[t], day);
    let len = |(a, b): (u32, u32)| b.saturating_sub(a);
    let overlap = len((unseen.0.max(slow.0), unseen.1.min(slow.1)));
    weight * f64::from(len(unseen) + len(slow) - overlap)
}

impl Sim<'_> {
    /// Phase 5: casework.
    pub(super) fn casework(&mut self) {
        let s = self.s;
        let day = self.day;
        let cw = &s.casework;
        let day_hours = cw.hours_per_day * cw.direct_work_share;
        // Copies, so the loop keeps them in registers.
        let (per_case, per_ongoing, rush_cut) =
            (cw.max_assessment_hours_per_day, cw.ongoing_hours_per_day, cw.rush_cut_share);
        let mut done = std::mem::take(&mut self.done);
        let mut starts = std::mem::take(&mut self.starts);
        for (p, post) in self.posts.iter_mut().enumerate() {
            let Some(w) = post.occupant.as_mut() else { continue };
            w.close_ongoing(day);
            let taken = std::mem::take(&mut w.hours_taken_today);
            let mut hours = (day_hours - taken - w.ongoing().len() as f64 * per_ongoing).max(0.0);
            if hours <= 0.0 {
                continue;
            }
            // In work order until the hours run out or only undecided cases are left. Nothing
            // in the loop calls out, so its values stay in registers: what started or
            // finished is picked out afterwards, on the days there is any.
            let list = w.assignments_mut();
            let (mut worked, mut events) = (0, false);
            for a in list.iter_mut() {
                if a.order.is_undecided() {
                    break;
                }
                worked += 1;
                if day > a.limit_day && !a.rushed {
                    // Past the limit the worker cuts corners on what is left, when they next
                    // work on the case.
                    a.rushed = true;
                    a.hours_cut = rush_cut * a.hours_left;
                    a.hours_left -= a.hours_cut;
                }
                // The hours a day its decided target needs, if more than the usual daily
                // pace: urgent work gets its hours first (cases are in deadline order).
                let need = a.hours_left / f64::from(a.target_day.saturating_sub(day).saturating_add(1));
                let cap = if need > per_case { need } else { per_case };
                // The least of the hours left today, that pace and the work left (no value
                // here is NaN, so plain comparisons do what `f64::min` would).
                let pace = if hours < cap { hours } else { cap };
                let mut give = if a.hours_left < pace { a.hours_left } else { pace };
                if day <= a.paced_until {
                    // Worked evenly over the days left to the target, finishing on it.
                    let even = a.hours_left / f64::from(a.paced_until - day + 1);
                    if even < give {
                        give = even;
                    }
                }
                if give > 0.0 {
                    hours -= give;
                    a.hours_left -= give;
                    if !a.started {
                        a.started = true;
                        a.started_today = true;
                        events = true;
                    }
                }
                if a.hours_left <= FINISHED {
                    events = true;
                }
                if hours <= 0.0 {
                    break;
                }
            }
            if events {
                for a in &mut list[..worked] {
                    if a.started_today {
                        a.started_today = false;
                        starts.push(a.id);
                    }
                    if a.hours_left <= FINISHED {
                        done.push((a.id, PostId(p as u32)));
                    }
                }
            }
        }
        for id in starts.drain(..) {
            self.start(id);
        }
        for &(id, post) in &done {
            self.complete(id, post);
        }
        done.clear();
        self.done = done;
        self.starts = starts;
    }

    /// The child is first seen today: by the worker starting the assessment, or by the
    /// duty worker (a case with no worker yet).
    pub(super) fn start(&mut self, id: CaseId) {
        let s = self.s;
        let day = self.day;
        let c = self.cases.get_mut(id);
        c.started_day = Some(day);
        let late = day.saturating_sub(c.needed_start(s));
        let (tier, days, order) = (c.tier, day - c.arrival_day, c.work_order());
        if let Some(post) = c.worker {
            self.posts[post.0 as usize].occupant.as_mut().expect("worker").reorder(id, order);
        }
        if tier >= Tier::High
            && let Some(i) = self.high_risk_waiting.iter().position(|&(h, _)| h == id)
        {
            // Its order does not matter: it is only counted.
            self.high_risk_waiting.swap_remove(i);
        }
        if day >= s.run.warmup_days() {
            self.rec.start(tier, days, late);
        }
        self.note_start(id, late);
    }

    /// An assessment is finished: its quality and outcome are drawn from the case's own
    /// luck; the child may stay open on the worker's caseload and may be re-referred.
    fn complete(&mut self, id: CaseId, post: PostId) {
        let s = self.s;
        let day = self.day;
        if self.cases.get(id).started_day.is_none() {
            // All its work was cut at the limit before any was done.
            self.start(id);
        }
        let w = self.posts[post.0 as usize].occupant.as_mut().expect("worker");
        let progress = w.drop_assessment(id).expect("the worker holds the case");
        let mut c = self.cases.remove(id);
        c.hand_back(&progress);
        self.completed += 1;
        let team = &self.teams[c.team.0 as usize];
        let decision = c.decision.expect("a completed case was decided");
        // The manager's consultation time left unused goes to every case's supervision, in
        // both rules; a consultation adds to its own case's supervision (a share of what a
        // full supervision gives), so the manager's minutes help the case consulted on or
        // the whole team, and either rule can come out ahead.
        let freed = if s.managers.freed_time_to_supervision() {
            team.manager.as_ref().map_or(0.0, |m| m.freed_share)
        } else {
            0.0
        };
        let supervision = if decision.shared { s.quality.consult_supervision + freed } else { freed };
        let under = c.tier.index().saturating_sub(decision.tier.index()) as u32;
        let w = self.posts[post.0 as usize].occupant.as_mut().expect("worker");
        let (years, kind) = (w.years, w.kind);
        let q = quality(s, w.novice_weight, supervision, c.hours_cut, c.hours_needed, under);
        let missed = c.luck.u_missed < 1.0 - q;
        if !missed && c.luck.u_ongoing < s.casework.ongoing_share[c.tier.index()] {
            let days = self.ongoing.at(c.luck.z_ongoing);
            w.add_ongoing(day + (days.round() as u32).max(1));
        }
        let p = if missed { s.quality.rereferral_if_missed } else { s.quality.rereferral_base };
        if c.luck.u_rereferral < p {
            let delay = 1 + (c.luck.u_rereferral_delay * (DAYS_PER_YEAR - 1) as f64) as u32;
            self.pending.push(Reverse(Pending {
                day: day + delay,
                key: rereferral_key(c.key),
                team: c.team,
                // A child whose need was missed comes back at a higher risk.
                inherit: missed.then(|| {
                    let score = (c.score + s.quality.missed_escalation).min(1.0);
                    (Tier::of_rating(score, &s.demand.risk_cuts).max(c.tier), score)
                }),
            }));
        }
        if day >= s.run.warmup_days() {
            self.rec.completion(day - c.arrival_day, s.demand.limit_days, q, missed);
            let at_risk = risk_days(s, &c, day);
            self.rec.risk(at_risk);
            if let Some(log) = &mut self.case_log {
                log.push(CaseRecord {
                    key: c.key,
                    is_rereferral: c.is_rereferral,
                    arrival_day: c.arrival_day,
                    true_tier: c.tier,
                    decided_tier: decision.tier,
                    shared: decision.shared,
                    days_to_decision: decision.day - c.arrival_day,
                    days_to_start: c.started_day.expect("started") - c.arrival_day,
                    days_to_completion: day - c.arrival_day,
                    quality: q,
                    missed,
                    worker_years: years,
                    worker_kind: kind,
                    risk_days: at_risk,
                });
            }
        }
        self.note_completion(&c, post.0, missed);
    }
}
