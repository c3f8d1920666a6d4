//! Outcome records: daily counters rolled up into the run's metrics and monthly series.
//!
//! Only the measured horizon (after the warm-up) is recorded. Memory is fixed: sums and
//! a histogram of durations, never a list of every case. The file is long because each
//! metric has its name, its counters, its formula and its place in `absorb` here, in one
//! place.

use crate::vocab::{Metric, Tier};

/// The whole-number counters of a [`Recorder`] that add up across authorities
/// ([`Recorder::absorb`]), in the order of its text form (`text.rs`).
macro_rules! with_counters {
    ($m:ident) => {
        $m!(
            referrals,
            rereferrals,
            high_risk_referrals,
            over_rated_low,
            shared,
            decision_days,
            consult_waits,
            consult_wait_days,
            started,
            start_days,
            high_risk_started,
            high_risk_late,
            late_days,
            completed,
            completion_days,
            within_limit,
            completed_in_final_week,
            missed,
            allocations,
            allocation_wait_days,
            unallocated_days,
            open_days,
            leavers_employed,
            leavers_short_service,
            employed_days,
            agency_days,
            agency_vacancy_days,
            absent_days,
            tenure_under_five_days,
            vacant_days,
            post_days,
            cases_held,
            holder_days,
            under_two_days,
            worker_days,
            children_at_risk,
            rereferrals_after_missed
        )
    };
}

/// The float sums of a [`Recorder`] that add up across authorities, in the order of its
/// text form (each as the hexadecimal of its bits).
macro_rules! with_floats {
    ($m:ident) => {
        $m!(quality, consult_capacity, consult_used, risk_days, staff_cost, agency_cost, recruitment_cost, manager_cost)
    };
}

mod text;

/// The metrics of one run, indexed by [`Metric`]. `NaN` where a metric does not apply
/// (a consultation wait when no decision was shared).
#[derive(Debug, Clone)]
pub struct Metrics(pub Vec<f64>);

/// Equal when bit for bit the same (so `NaN` equals `NaN`): "same seed, same bytes".
impl PartialEq for Metrics {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Metrics {
    pub fn get(&self, m: Metric) -> f64 {
        self.0[m as usize]
    }
}

/// One month of the measured horizon: flows summed over the month, stocks at its end.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MonthRecord {
    /// Month number from the start of the horizon, from 0.
    pub month: u32,
    pub referrals: u32,
    pub completed: u32,
    /// Share completed within the limit, cumulative since the horizon began (%).
    pub within_limit_to_date_pct: f64,
    pub open_assessments: u32,
    pub unallocated: u32,
    pub caseload_mean: f64,
    pub headcount: u32,
    pub vacancies: u32,
    pub agency: u32,
    pub leavers: u32,
    pub under_two_years_pct: f64,
    pub consult_queue: u32,
    /// The counts behind the shares, so that runs of several authorities add up:
    /// completions within the limit and in all to date, case-holder days and the cases
    /// they held this month, and workers under two years' experience at its end.
    pub within_limit_to_date: u64,
    pub completed_to_date: u64,
    pub holder_days: u64,
    pub cases_held: u64,
    pub under_two: u32,
}

/// Counters for the measured horizon.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub days: u64,
    pub referrals: u64,
    pub rereferrals: u64,
    pub high_risk_referrals: u64,
    pub decisions: [u64; 4],
    pub under_rated: [u64; 4],
    pub over_rated_low: u64,
    pub shared: u64,
    pub decision_days: u64,
    pub consult_waits: u64,
    pub consult_wait_days: u64,
    pub started: u64,
    pub start_days: u64,
    pub high_risk_started: u64,
    pub high_risk_late: u64,
    pub late_days: u64,
    pub completed: u64,
    pub completion_days: u64,
    pub within_limit: u64,
    /// Completed in the five working days up to and including the limit.
    pub completed_in_final_week: u64,
    /// Completions by days from referral (last bin holds everything longer).
    pub duration_histogram: Vec<u64>,
    pub quality: f64,
    /// Child-days at risk of completed assessments, weighted by true tier
    /// (`quality.risk_day_weights`), and the children with any.
    pub risk_days: f64,
    pub children_at_risk: u64,
    /// Re-referrals of children whose need was missed.
    pub rereferrals_after_missed: u64,
    pub missed: u64,
    pub allocations: u64,
    pub allocation_wait_days: u64,
    pub unallocated_days: u64,
    pub open_days: u64,
    pub leavers_employed: u64,
    pub leavers_short_service: u64,
    pub employed_days: u64,
    pub agency_days: u64,
    pub agency_vacancy_days: u64,
    pub absent_days: u64,
    pub tenure_under_five_days: u64,
    pub vacant_days: u64,
    pub post_days: u64,
    pub cases_held: u64,
    pub holder_days: u64,
    pub under_two_days: u64,
    pub worker_days: u64,
    pub consult_capacity: f64,
    pub consult_used: f64,
    /// What the horizon cost, in GBP at the scenario's prices (`costs`): employed and
    /// agency workers by the day, permanent hires, managers' consultation minutes.
    pub staff_cost: f64,
    pub agency_cost: f64,
    pub recruitment_cost: f64,
    pub manager_cost: f64,
    pub months: Vec<MonthRecord>,
    month: MonthRecord,
    month_cases_held: u64,
    month_holders: u64,
}

const HISTOGRAM_DAYS: usize = 1000;

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            days: 0,
            referrals: 0,
            rereferrals: 0,
            high_risk_referrals: 0,
            decisions: [0; 4],
            under_rated: [0; 4],
            over_rated_low: 0,
            shared: 0,
            decision_days: 0,
            consult_waits: 0,
            consult_wait_days: 0,
            started: 0,
            start_days: 0,
            high_risk_started: 0,
            high_risk_late: 0,
            late_days: 0,
            completed: 0,
            completion_days: 0,
            within_limit: 0,
            completed_in_final_week: 0,
            duration_histogram: vec![0; HISTOGRAM_DAYS + 1],
            quality: 0.0,
            risk_days: 0.0,
            children_at_risk: 0,
            rereferrals_after_missed: 0,
            missed: 0,
            allocations: 0,
            allocation_wait_days: 0,
            unallocated_days: 0,
            open_days: 0,
            leavers_employed: 0,
            leavers_short_service: 0,
            employed_days: 0,
            agency_days: 0,
            agency_vacancy_days: 0,
            absent_days: 0,
            tenure_under_five_days: 0,
            vacant_days: 0,
            post_days: 0,
            cases_held: 0,
            holder_days: 0,
            under_two_days: 0,
            worker_days: 0,
            consult_capacity: 0.0,
            consult_used: 0.0,
            staff_cost: 0.0,
            agency_cost: 0.0,
            recruitment_cost: 0.0,
            manager_cost: 0.0,
            months: Vec::new(),
            month: MonthRecord::default(),
            month_cases_held: 0,
            month_holders: 0,
        }
    }
}

/// A snapshot of the stocks at the end of a day, for the daily and monthly roll-up.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stocks {
    pub unallocated: u32,
    pub open_assessments: u32,
    pub employed: u32,
    pub agency: u32,
    pub vacant: u32,
    pub posts: u32,
    pub cases_held: u32,
    pub holders: u32,
    pub under_two: u32,
    pub consult_queue: u32,
    pub late_high_risk_open: u32,
    /// Agency workers in posts with no employed worker (not covering an absence).
    pub agency_in_vacancy: u32,
    /// Employed workers away on long absence (counted in `employed` too).
    pub absent: u32,
    /// Employed workers under 5 years in the authority.
    pub tenure_under_five: u32,
    /// The day's cost of the employed workers (absent ones included) and of the agency
    /// workers, in GBP.
    pub staff_cost: f64,
    pub agency_cost: f64,
}

impl Recorder {
    pub fn referral(&mut self, tier: Tier, rereferral: bool) {
        self.referrals += 1;
        self.month.referrals += 1;
        self.rereferrals += u64::from(rereferral);
        self.high_risk_referrals += u64::from(tier >= Tier::High);
    }

    pub fn decision(&mut self, true_tier: Tier, decided: Tier, shared: bool, days: u32) {
        self.decisions[true_tier.index()] += 1;
        self.under_rated[true_tier.index()] += u64::from(decided < true_tier);
        self.over_rated_low += u64::from(true_tier == Tier::Low && decided >= Tier::High);
        self.shared += u64::from(shared);
        self.decision_days += u64::from(days);
    }

    pub fn consult_wait(&mut self, days: u32) {
        self.consult_waits += 1;
        self.consult_wait_days += u64::from(days);
    }

    pub fn start(&mut self, tier: Tier, days: u32, late_days: u32) {
        self.started += 1;
        self.start_days += u64::from(days);
        if tier >= Tier::High {
            self.high_risk_started += 1;
            self.high_risk_late += u64::from(late_days > 0);
        }
    }

    pub fn completion(&mut self, days: u32, limit: u32, quality: f64, missed: bool) {
        self.completed += 1;
        self.month.completed += 1;
        self.completion_days += u64::from(days);
        self.within_limit += u64::from(days <= limit);
        self.completed_in_final_week += u64::from(days <= limit && days + 5 > limit);
        self.duration_histogram[(days as usize).min(HISTOGRAM_DAYS)] += 1;
        self.quality += quality;
        self.missed += u64::from(missed);
    }

    /// A completed assessment's child-days at risk (already weighted by its true tier).
    pub fn risk(&mut self, weighted_days: f64) {
        if weighted_days > 0.0 {
            self.risk_days += weighted_days;
            self.children_at_risk += 1;
        }
    }

    pub fn allocation(&mut self, wait_days: u32) {
        self.allocations += 1;
        self.allocation_wait_days += u64::from(wait_days);
    }

    pub fn leaver(&mut self, employed: bool, short_service: bool) {
        self.leavers_employed += u64::from(employed);
        self.leavers_short_service += u64::from(employed && short_service);
        self.month.leavers += u32::from(employed);
    }

    /// A day of a manager's consultations: the minutes on offer and used, and what a
    /// minute of the manager costs.
    pub fn consultation_day(&mut self, capacity_minutes: f64, used_minutes: f64, cost_per_minute: f64) {
        self.consult_capacity += capacity_minutes;
        self.consult_used += used_minutes;
        self.manager_cost += used_minutes * cost_per_minute;
    }

    /// A permanent hire started, costing `cost` (recruitment, and a newly qualified
    /// worker's supported year).
    pub fn hire(&mut self, cost: f64) {
        self.recruitment_cost += cost;
    }

    /// Ends a day: stocks into the daily sums; a full month into the monthly series.
    pub fn end_day(&mut self, st: Stocks, day_of_month_end: bool) {
        self.days += 1;
        self.staff_cost += st.staff_cost;
        self.agency_cost += st.agency_cost;
        self.unallocated_days += u64::from(st.unallocated);
        self.open_days += u64::from(st.open_assessments);
        self.employed_days += u64::from(st.employed);
        self.agency_days += u64::from(st.agency);
        self.agency_vacancy_days += u64::from(st.agency_in_vacancy);
        self.absent_days += u64::from(st.absent);
        self.tenure_under_five_days += u64::from(st.tenure_under_five);
        self.vacant_days += u64::from(st.vacant);
        self.post_days += u64::from(st.posts);
        self.cases_held += u64::from(st.cases_held);
        self.holder_days += u64::from(st.holders);
        self.under_two_days += u64::from(st.under_two);
        self.worker_days += u64::from(st.employed + st.agency);
        self.late_days += u64::from(st.late_high_risk_open);
        self.month_cases_held += u64::from(st.cases_held);
        self.month_holders += u64::from(st.holders);
        if day_of_month_end {
            let m = &mut self.month;
            m.month = self.months.len() as u32;
            m.within_limit_to_date_pct = pct(self.within_limit, self.completed);
            (m.within_limit_to_date, m.completed_to_date) = (self.within_limit, self.completed);
            (m.holder_days, m.cases_held, m.under_two) = (self.month_holders, self.month_cases_held, st.under_two);
            m.open_assessments = st.open_assessments;
            m.unallocated = st.unallocated;
            m.caseload_mean = ratio(self.month_cases_held, self.month_holders);
            m.headcount = st.employed + st.agency;
            m.vacancies = st.vacant;
            m.agency = st.agency;
            m.under_two_years_pct = pct(u64::from(st.under_two), u64::from(st.employed + st.agency));
            m.consult_queue = st.consult_queue;
            self.months.push(std::mem::take(&mut self.month));
            self.month_cases_held = 0;
            self.month_holders = 0;
        }
    }

    /// Adds another authority's counters to these (the same days and months): the
    /// recorder of the authorities run side by side.
    pub fn absorb(&mut self, o: &Recorder) {
        macro_rules! add {
            ($($f:ident),*) => { $( self.$f += o.$f; )* };
        }
        with_counters!(add);
        with_floats!(add);
        for t in 0..4 {
            self.decisions[t] += o.decisions[t];
            self.under_rated[t] += o.under_rated[t];
        }
        for (a, b) in self.duration_histogram.iter_mut().zip(&o.duration_histogram) {
            *a += b;
        }
        for (a, b) in self.months.iter_mut().zip(&o.months) {
            a.referrals += b.referrals;
            a.completed += b.completed;
            a.open_assessments += b.open_assessments;
            a.unallocated += b.unallocated;
            a.headcount += b.headcount;
            a.vacancies += b.vacancies;
            a.agency += b.agency;
            a.leavers += b.leavers;
            a.consult_queue += b.consult_queue;
            a.within_limit_to_date += b.within_limit_to_date;
            a.completed_to_date += b.completed_to_date;
            a.holder_days += b.holder_days;
            a.cases_held += b.cases_held;
            a.under_two += b.under_two;
            a.within_limit_to_date_pct = pct(a.within_limit_to_date, a.completed_to_date);
            a.caseload_mean = ratio(a.cases_held, a.holder_days);
            a.under_two_years_pct = pct(u64::from(a.under_two), u64::from(a.headcount));
        }
    }

    /// The run's metrics over the horizon.
    pub fn metrics(&self, days_per_year: f64) -> Metrics {
        let years = self.days as f64 / days_per_year;
        let under = |t: Tier| pct(self.under_rated[t.index()], self.decisions[t.index()]);
        let values = Metric::ALL
            .iter()
            .map(|m| match m {
                Metric::ReferralsPerYear => self.referrals as f64 / years,
                Metric::AssessmentsPerYear => self.completed as f64 / years,
                Metric::DaysToDecision => ratio(self.decision_days, self.decisions.iter().sum()),
                Metric::DaysToStart => ratio(self.start_days, self.started),
                Metric::DaysToCompletion => ratio(self.completion_days, self.completed),
                Metric::DaysToCompletionMedian => median(&self.duration_histogram),
                Metric::DaysToCompletionP25 => quantile(&self.duration_histogram, 0.25),
                Metric::DaysToCompletionP75 => quantile(&self.duration_histogram, 0.75),
                Metric::Within10 => pct(self.duration_histogram[..=10].iter().sum(), self.completed),
                Metric::Within20 => pct(self.duration_histogram[..=20].iter().sum(), self.completed),
                Metric::FinalWeek => pct(self.completed_in_final_week, self.completed),
                Metric::WithinLimit => pct(self.within_limit, self.completed),
                Metric::OpenAssessments => ratio(self.open_days, self.days),
                Metric::Unallocated => ratio(self.unallocated_days, self.days),
                Metric::AllocationWait => ratio(self.allocation_wait_days, self.allocations),
                Metric::HighRiskLate => pct(self.high_risk_late, self.high_risk_started),
                Metric::LateDaysPerHighRisk => ratio(self.late_days, self.high_risk_referrals),
                Metric::HighRiskLatePerYear => self.high_risk_late as f64 / years,
                Metric::UnderRated => pct(self.under_rated.iter().sum(), self.decisions.iter().sum()),
                Metric::UnderRatedMedium => under(Tier::Medium),
                Metric::UnderRatedHigh => under(Tier::High),
                Metric::UnderRatedImmediate => under(Tier::Immediate),
                Metric::OverRatedLow => pct(self.over_rated_low, self.decisions[0]),
                Metric::UnderRatedHighPerYear => (self.under_rated[2] + self.under_rated[3]) as f64 / years,
                Metric::QualityMean => self.quality / self.completed as f64,
                Metric::MissedNeed => pct(self.missed, self.completed),
                Metric::Rereferral => pct(self.rereferrals, self.referrals),
                Metric::Turnover => {
                    100.0 * self.leavers_employed as f64 / (self.employed_days as f64 / self.days as f64) / years
                }
                Metric::LeaversUnderTwoYears => pct(self.leavers_short_service, self.leavers_employed),
                Metric::Vacancy => pct(self.vacant_days, self.post_days),
                Metric::Agency => pct(self.agency_days, self.worker_days),
                Metric::AgencyCoveringVacancies => pct(self.agency_vacancy_days, self.agency_days),
                Metric::LongAbsence => pct(self.absent_days, self.employed_days),
                Metric::UnderFiveYearsInAuthority => pct(self.tenure_under_five_days, self.employed_days),
                Metric::Caseload => ratio(self.cases_held, self.holder_days),
                Metric::UnderTwoYears => pct(self.under_two_days, self.worker_days),
                // Above 100 when same-day consultations for immediate risk ran over time.
                Metric::ConsultUtilisation => {
                    if self.consult_capacity > 0.0 {
                        100.0 * self.consult_used / self.consult_capacity
                    } else {
                        f64::NAN
                    }
                }
                Metric::ConsultWait => ratio(self.consult_wait_days, self.consult_waits),
                Metric::Shared => pct(self.shared, self.decisions.iter().sum()),
                Metric::ChildDaysAtRisk => self.risk_days / years,
                Metric::ChildrenAtRisk => self.children_at_risk as f64 / years,
                Metric::RiskDaysPerAssessment => ratio_f(self.risk_days, self.completed),
                Metric::RereferralsAfterMissed => self.rereferrals_after_missed as f64 / years,
                Metric::StaffCost => self.staff_cost / years,
                Metric::AgencyCost => self.agency_cost / years,
                Metric::RecruitmentCost => self.recruitment_cost / years,
                Metric::ManagerTimeCost => self.manager_cost / years,
                Metric::TotalCost => {
                    (self.staff_cost + self.agency_cost + self.recruitment_cost + self.manager_cost) / years
                }
            })
            .collect();
        Metrics(values)
    }
}

/// `a / b`, `NaN` when nothing was counted.
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { f64::NAN } else { a as f64 / b as f64 }
}

/// A float sum over a count, `NaN` when nothing was counted.
fn ratio_f(a: f64, b: u64) -> f64 {
    if b == 0 { f64::NAN } else { a / b as f64 }
}

fn pct(a: u64, b: u64) -> f64 {
    100.0 * ratio(a, b)
}

/// The median of a histogram of whole days (the lower median for an even count).
pub fn median(histogram: &[u64]) -> f64 {
    quantile(histogram, 0.5)
}

/// The `q` quantile of a histogram of whole days: the least day by which at least
/// `ceil(q n)` of the `n` counted (at least one) are done.
pub fn quantile(histogram: &[u64], q: f64) -> f64 {
    let n: u64 = histogram.iter().sum();
    if n == 0 {
        return f64::NAN;
    }
    let need = ((q * n as f64).ceil() as u64).max(1);
    let mut acc = 0;
    for (days, count) in histogram.iter().enumerate() {
        acc += count;
        if acc >= need {
            return days as f64;
        }
    }
    (histogram.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_a_histogram() {
        assert_eq!(median(&[0, 3, 0, 1]), 1.0);
        assert_eq!(median(&[1, 1, 1]), 1.0);
        assert_eq!(median(&[2, 2]), 0.0);
        assert!(median(&[0, 0]).is_nan());
        // Quartiles of 1..=8 (one each): the 2nd and 6th.
        let h = [0, 1, 1, 1, 1, 1, 1, 1, 1];
        assert_eq!((quantile(&h, 0.25), quantile(&h, 0.75)), (2.0, 6.0));
        assert_eq!(quantile(&h, 0.0), 1.0);
    }

    #[test]
    fn metric_names_are_unique_snake_case() {
        for (i, a) in Metric::ALL.iter().enumerate() {
            assert!(a.name().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
            assert!(Metric::ALL[i + 1..].iter().all(|b| b.name() != a.name()));
            assert_eq!(*a as usize, i);
        }
    }
}
