//! Demand: referrals arrive each day, Poisson with a seasonal rate, and re-referrals come
//! back when they are due (docs/ODD.md section 7.1).

use rand::RngExt;

use super::case::{Case, TeamId, Tier};
use super::sample::poisson;
use super::streams::{Purpose, Stream, stream};
use super::{Referral, Sim, month_of};
use crate::scenario::DAYS_PER_YEAR;

impl Sim<'_> {
    /// Phase 1: referrals arrive and are routed to a team.
    pub(super) fn referrals_arrive(&mut self) {
        let s = self.s;
        let day = self.day;
        let season = s.demand.seasonality[month_of(day) as usize];
        self.today.clear();
        for a in 0..s.authorities.len() {
            let auth = &s.authorities[a];
            let rate = auth.new_referrals_per_year / DAYS_PER_YEAR as f64 * season;
            let rng = &mut self.arrivals[a];
            let n = poisson(rng, rate);
            for _ in 0..n {
                let team = TeamId(self.first_team[a] + self.arrivals[a].random_range(0..self.open_teams[a]));
                let key = self.next_key;
                self.next_key += 1;
                let case = Case::draw(s, &self.hours, self.case_stream(key), key, team, day, None);
                self.admit(case);
            }
        }
        while self.pending.peek().is_some_and(|p| p.0.day <= day) {
            let p = self.pending.pop().expect("peeked").0;
            let team = self.open_team(p.team.0 as usize);
            let case = Case::draw(s, &self.hours, self.case_stream(p.key), p.key, TeamId(team as u32), day, p.inherit);
            self.admit(case);
        }
    }

    /// The case's own stream.
    fn case_stream(&self, key: u64) -> Stream {
        stream(self.seed, self.replication, Purpose::Case, key)
    }

    fn admit(&mut self, case: Case) {
        self.arrived += 1;
        self.today.push(Referral {
            key: case.key,
            day: case.arrival_day,
            team: case.team,
            tier: case.tier,
            score: case.score,
            hours_needed: case.hours_needed,
            is_rereferral: case.is_rereferral,
        });
        if self.in_horizon() {
            self.rec.referral(case.tier, case.is_rereferral);
            self.rec.rereferrals_after_missed += u64::from(case.after_missed);
        }
        self.note_referral(&case);
        let team = case.team.0 as usize;
        let high = (case.tier >= Tier::High).then(|| case.needed_start(self.s));
        let id = self.cases.insert(case);
        if let Some(needed_start) = high {
            self.high_risk_waiting.push((id, needed_start));
        }
        self.enqueue(team, id);
    }
}
