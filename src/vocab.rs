//! The words the scenario and the model share: the decision rules, the risk tiers, the
//! outcome metrics, the ways a shared decision and a consultation can go, and the
//! calendar. A leaf: it names no other module of the crate, so the scenario (which parses
//! these) and the model (which branches on them) depend on it and never on each other.

/// Working days in a year.
pub const DAYS_PER_YEAR: u32 = 250;

/// How a shared decision combines the worker's and the manager's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// A weighted mean of the two ratings, `manager_weight` on the manager's: weights that
    /// people choose, not ones that know the true error sizes.
    Average,
    DeferToManager,
    /// The more urgent (higher) of the two ratings.
    MoreUrgent,
}

/// How long a manager's consultation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsultTime {
    Fixed,
    Exponential,
}

/// What managers do with consultation time a rule leaves free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreedTimeUse {
    /// It goes to supervision (`quality.supervision_bonus`).
    Supervision,
    None,
}

/// Risk tiers, in increasing urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Low = 0,
    Medium = 1,
    High = 2,
    Immediate = 3,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Low, Tier::Medium, Tier::High, Tier::Immediate];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Low => "low",
            Tier::Medium => "medium",
            Tier::High => "high",
            Tier::Immediate => "immediate",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The tier a rating on the 0-1 scale falls in, given the three cut-points.
    pub fn of_rating(rating: f64, cuts: &[f64; 3]) -> Tier {
        let above = cuts.iter().filter(|c| rating >= **c).count();
        Tier::ALL[above]
    }
}

/// Who decides an assessment's timescale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// The social worker alone, on the day of allocation.
    PractitionerOnly,
    /// The social worker in discussion with their manager.
    ManagerShared,
    /// Shared while the worker has less than `max_years` of experience, else alone.
    SharedForNovices { max_years: f64 },
    /// Shared when the worker's own rating is at least `tier`, else alone.
    SharedAbove { tier: Tier },
}

impl Rule {
    /// Parses `practitioner_only`, `manager_shared`, `shared_for_novices:YEARS` or
    /// `shared_above:TIER`.
    pub fn parse(s: &str) -> Result<Rule, String> {
        let (head, arg) = match s.split_once(':') {
            Some((h, a)) => (h, Some(a)),
            None => (s, None),
        };
        match (head, arg) {
            ("practitioner_only", None) => Ok(Rule::PractitionerOnly),
            ("manager_shared", None) => Ok(Rule::ManagerShared),
            ("shared_for_novices", Some(a)) => match a.parse::<f64>() {
                Ok(y) if (0.0..=40.0).contains(&y) => Ok(Rule::SharedForNovices { max_years: y }),
                _ => {
                    Err(format!("rule \"{s}\": shared_for_novices takes years from 0 to 40, e.g. shared_for_novices:2"))
                }
            },
            ("shared_above", Some(a)) => Tier::parse(a).map(|tier| Rule::SharedAbove { tier }).ok_or_else(|| {
                format!(
                    "rule \"{s}\": shared_above takes a tier (low, medium, high, immediate), e.g. shared_above:high"
                )
            }),
            _ => Err(format!(
                "rule \"{s}\" is not known; rules are practitioner_only, manager_shared, \
                 shared_for_novices:YEARS, shared_above:TIER"
            )),
        }
    }

    /// The rule as written, used in tables.
    pub fn name(&self) -> String {
        match self {
            Rule::PractitionerOnly => "practitioner_only".into(),
            Rule::ManagerShared => "manager_shared".into(),
            Rule::SharedForNovices { max_years } => format!("shared_for_novices:{max_years}"),
            Rule::SharedAbove { tier } => format!("shared_above:{}", tier.name()),
        }
    }

    /// Whether a case rated `worker_tier` by a worker with `years` of experience is decided
    /// with the manager.
    pub fn shares(&self, years: f64, worker_tier: Tier) -> bool {
        match self {
            Rule::PractitionerOnly => false,
            Rule::ManagerShared => true,
            Rule::SharedForNovices { max_years } => years < *max_years,
            Rule::SharedAbove { tier } => worker_tier >= *tier,
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

macro_rules! metrics {
    ($($variant:ident => $name:literal, $unit:literal, $label:literal;)*) => {
        /// An outcome of one run (docs/ODD.md section 4.11).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Metric { $($variant),* }

        impl Metric {
            pub const ALL: &'static [Metric] = &[$(Metric::$variant),*];

            /// Column name in tables, the same everywhere.
            pub fn name(self) -> &'static str {
                match self { $(Metric::$variant => $name),* }
            }

            pub fn unit(self) -> &'static str {
                match self { $(Metric::$variant => $unit),* }
            }

            /// Words for a person.
            pub fn label(self) -> &'static str {
                match self { $(Metric::$variant => $label),* }
            }
        }
    };
}

metrics! {
    ReferralsPerYear => "referrals_per_year", "referrals/year", "referrals (including re-referrals)";
    AssessmentsPerYear => "assessments_per_year", "assessments/year", "assessments completed";
    DaysToDecision => "days_to_decision_mean", "working days", "referral to timescale decision";
    DaysToStart => "days_to_start_mean", "working days", "referral to start of work";
    DaysToCompletion => "days_to_completion_mean", "working days", "referral to completion";
    DaysToCompletionMedian => "days_to_completion_median", "working days", "referral to completion, median";
    DaysToCompletionP25 => "days_to_completion_p25", "working days", "referral to completion, lower quartile";
    DaysToCompletionP75 => "days_to_completion_p75", "working days", "referral to completion, upper quartile";
    Within10 => "within_10_days_pct", "%", "assessments completed within 10 working days";
    Within20 => "within_20_days_pct", "%", "assessments completed within 20 working days";
    FinalWeek => "completed_in_last_5_days_pct", "%", "assessments completed in the last 5 days before the limit";
    WithinLimit => "within_limit_pct", "%", "assessments completed within the limit";
    OpenAssessments => "open_assessments_mean", "cases", "referrals open (not yet assessed), daily mean";
    Unallocated => "unallocated_mean", "cases", "assessments waiting for a worker, daily mean";
    AllocationWait => "allocation_wait_days_mean", "working days", "wait for a worker per allocation";
    HighRiskLate => "high_risk_started_late_pct", "%", "high/immediate-risk children whose work started late";
    LateDaysPerHighRisk => "late_days_per_high_risk_referral", "working days", "days late per high/immediate-risk referral";
    HighRiskLatePerYear => "high_risk_started_late_per_year", "children/year", "high/immediate-risk children whose work started late, a year";
    UnderRated => "under_rated_pct", "%", "decided tier below true tier";
    UnderRatedMedium => "under_rated_medium_pct", "%", "under-rated, true tier medium";
    UnderRatedHigh => "under_rated_high_pct", "%", "under-rated, true tier high";
    UnderRatedImmediate => "under_rated_immediate_pct", "%", "under-rated, true tier immediate";
    OverRatedLow => "over_rated_low_pct", "%", "low-risk cases rated high or immediate";
    UnderRatedHighPerYear => "high_risk_under_rated_per_year", "children/year", "high/immediate-risk children rated below their tier, a year";
    QualityMean => "quality_mean", "probability", "assessment quality (chance it matches need)";
    MissedNeed => "missed_need_pct", "%", "assessments that missed the child's need";
    Rereferral => "rereferral_pct", "%", "referrals that are re-referrals within 12 months";
    Turnover => "turnover_pct", "%/year", "employed social workers leaving a year";
    LeaversUnderTwoYears => "leavers_under_two_years_service_pct", "%", "leavers with under 2 years in post";
    UnderFiveYearsInAuthority => "under_five_years_in_authority_pct", "%", "employed social workers under 5 years in the authority";
    Vacancy => "vacancy_pct", "%", "posts without an employed worker";
    Agency => "agency_pct", "%", "agency share of social workers";
    AgencyCoveringVacancies => "agency_covering_vacancies_pct", "%", "agency workers covering a vacancy (the rest cover absence)";
    LongAbsence => "long_absence_pct", "%", "employed social workers away on long absence";
    Caseload => "caseload_mean", "cases", "cases per case holder";
    UnderTwoYears => "under_two_years_pct", "%", "social workers under 2 years' experience";
    ConsultUtilisation => "consult_utilisation_pct", "%", "manager consultation time used";
    ConsultWait => "consult_wait_days_mean", "working days", "wait for a shared decision";
    Shared => "shared_decisions_pct", "%", "timescale decisions made with the manager";
    ChildDaysAtRisk => "child_days_at_risk_per_year", "child-days/year", "child-days at risk a year (not yet seen, or assessed slower than the true risk needs), weighted by true tier";
    ChildrenAtRisk => "children_at_risk_per_year", "children/year", "children with any day at risk, a year";
    RiskDaysPerAssessment => "risk_days_per_assessment", "child-days", "weighted child-days at risk per completed assessment";
    RereferralsAfterMissed => "rereferrals_after_missed_need_per_year", "children/year", "children re-referred after their need was missed, a year";
    StaffCost => "staff_cost_per_year", "GBP/year", "employed social workers' cost a year (salary and on-costs by experience, absent workers included)";
    AgencyCost => "agency_cost_per_year", "GBP/year", "agency social workers' cost a year";
    RecruitmentCost => "recruitment_cost_per_year", "GBP/year", "permanent hires' cost a year (recruitment, and a newly qualified year's support)";
    ManagerTimeCost => "manager_time_cost_per_year", "GBP/year", "managers' consultation time's cost a year";
    TotalCost => "total_cost_per_year", "GBP/year", "the workforce's cost a year: staff, agency, hiring and managers' consultation time";
}

/// Names metrics had in the previous release, still accepted where a user types a metric
/// (targets files, concerns) until the next one.
pub const FORMER_NAMES: &[(&str, Metric)] = &[("within_45_days_pct", Metric::WithinLimit)];

impl Metric {
    /// The metric of a column name, or of a name it had in the previous release.
    pub fn by_name(name: &str) -> Option<Metric> {
        Metric::ALL
            .iter()
            .copied()
            .find(|m| m.name() == name)
            .or_else(|| FORMER_NAMES.iter().find(|(old, _)| *old == name).map(|&(_, m)| m))
    }
}
