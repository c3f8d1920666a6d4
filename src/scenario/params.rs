//! The one table of scenario parameters: key, unit, allowed range, default and source.
//!
//! Validation, defaults, the manifest of a run and the list of assumptions for the
//! sensitivity analysis are all read from [`PARAMS`]; nothing else states a range.

/// What kind of value a parameter takes, with its allowed range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// One number in `min..=max`; `integer` if it must be whole.
    Num { min: f64, max: f64, integer: bool },
    /// A list of exactly `len` numbers, each in `min..=max`.
    Nums { len: usize, min: f64, max: f64, integer: bool },
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// Free text.
    Text,
    /// A list of decision rules (see `Rule::parse`).
    Rules,
}

/// A default value, as written in the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Num(f64),
    Nums(&'static [f64]),
    Text(&'static str),
    Texts(&'static [&'static str]),
}

/// One scenario key.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The TOML table the key lives in (`authority` for the per-authority keys).
    pub section: &'static str,
    pub key: &'static str,
    pub shape: Shape,
    pub default: Default,
    pub unit: &'static str,
    /// Where the default comes from, or the word `assumption`.
    pub source: &'static str,
}

impl Param {
    /// `section.key`, the name used in errors, sweeps and manifests.
    pub fn path(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }

    /// True when no published figure supports the default.
    pub fn is_assumption(&self) -> bool {
        self.source.starts_with("assumption")
    }

    /// The allowed range in words, as printed in errors and docs.
    pub fn allowed(&self) -> String {
        match self.shape {
            Shape::Num { min, max, integer } => range_words(min, max, integer),
            Shape::Nums { len, min, max, integer } => {
                format!("{len} values, each {}", range_words(min, max, integer))
            }
            Shape::Choice(words) => format!("one of {}", words.join(", ")),
            Shape::Text => "any text".to_string(),
            Shape::Rules => "a list of practitioner_only, manager_shared, shared_for_novices:YEARS, \
                 shared_above:TIER"
                .to_string(),
        }
    }
}

fn range_words(min: f64, max: f64, integer: bool) -> String {
    let whole = if integer { "a whole number " } else { "" };
    format!("{whole}{} to {}", fmt_num(min), fmt_num(max))
}

/// Prints a number without a trailing `.0`.
pub fn fmt_num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

const fn num(min: f64, max: f64) -> Shape {
    Shape::Num { min, max, integer: false }
}
const fn int(min: f64, max: f64) -> Shape {
    Shape::Num { min, max, integer: true }
}
const fn tiers(min: f64, max: f64) -> Shape {
    Shape::Nums { len: 4, min, max, integer: false }
}
const fn tier_days(min: f64, max: f64) -> Shape {
    Shape::Nums { len: 4, min, max, integer: true }
}

macro_rules! p {
    ($section:literal, $key:literal, $shape:expr, $default:expr, $unit:literal, $source:literal) => {
        Param { section: $section, key: $key, shape: $shape, default: $default, unit: $unit, source: $source }
    };
}

use self::Default::{Num as N, Nums as L, Text as T, Texts as TT};

/// The sections a scenario file may have, in the order the manifest writes them.
pub const SECTIONS: &[&str] = &["run", "demand", "casework", "judgement", "quality", "managers", "workforce"];

/// Every key a scenario file may hold. Defaults describe a typical English authority
/// in 2017 (see `scenarios/baseline.toml` for the reasoning behind each).
#[rustfmt::skip]
pub const PARAMS: &[Param] = &[
    // --- run -------------------------------------------------------------------------
    p!("run", "name", Shape::Text, T("unnamed"), "the scenario's name, used in tables and output folders", "user"),
    p!("run", "description", Shape::Text, T(""), "one line saying what the scenario is", "user"),
    p!("run", "warmup_years", int(0.0, 20.0), N(3.0), "years of 250 working days", "assumption: long enough for vacancies to settle"),
    p!("run", "horizon_years", int(1.0, 50.0), N(5.0), "years of 250 working days", "design (model.md section 2)"),
    p!("run", "replications", int(1.0, 100_000.0), N(200.0), "replications a rule", "design"),
    p!("run", "seed", int(0.0, 9_007_199_254_740_992.0), N(2017.0), "master seed of every random stream", "user"),
    p!("run", "rules", Shape::Rules, TT(&["practitioner_only", "manager_shared"]), "decision rules to compare; the first two are paired", "design"),
    // --- authority (one [[authority]] table each) --------------------------------------
    p!("authority", "name", Shape::Text, T("authority"), "the authority's name", "user"),
    p!("authority", "teams", int(1.0, 1000.0), N(23.0), "teams, each with one manager", "derived: about 140 case-holding posts a typical authority (DfE CSWW 2017: 17,841 case-holding FTE / 152) in teams of 6"),
    p!("authority", "posts_per_team", int(1.0, 30.0), N(6.0), "social worker posts a manager", "assumption: teams of 6 to 8 common practice; sweep 4 to 10"),
    p!("authority", "new_referrals_per_year", num(0.0, 1_000_000.0), N(3350.0), "referrals a year, not counting re-referrals", "derived: 646,120 referrals in 2016-17 / 152 = 4,250, less 21.9% re-referrals (DfE CIN 2017)"),
    // --- demand --------------------------------------------------------------------------
    p!("demand", "seasonality", Shape::Nums { len: 12, min: 0.0, max: 3.0, integer: false }, L(&[0.95, 1.05, 1.05, 1.0, 0.8, 1.0, 1.05, 1.1, 0.9, 1.05, 1.05, 1.0]), "factor a month, April first, averaging 1", "assumption: dips in the August and December school holidays"),
    p!("demand", "risk_mix", tiers(0.0, 1.0), L(&[0.40, 0.30, 0.25, 0.05]), "share of referrals a true tier (low, medium, high, immediate), summing to 1", "assumption guided by DfE CIN: about 35% of referrals lead to a section 47 enquiry"),
    p!("demand", "risk_cuts", Shape::Nums { len: 3, min: 0.0, max: 1.0, integer: false }, L(&[0.40, 0.70, 0.95]), "cut-points on the 0-1 risk scale between tiers, increasing", "assumption"),
    p!("demand", "assessment_hours", tiers(0.5, 500.0), L(&[8.0, 12.0, 18.0, 24.0]), "hours of work an assessment needs, by true tier", "assumption"),
    p!("demand", "assessment_hours_cv", num(0.0, 3.0), N(0.5), "coefficient of variation", "assumption"),
    p!("demand", "needed_start_days", tier_days(0.0, 45.0), L(&[20.0, 10.0, 2.0, 0.0]), "working days from referral by which work must start, by true tier", "assumption following Working Together: immediate same day"),
    p!("demand", "completion_days", tier_days(1.0, 45.0), L(&[45.0, 35.0, 25.0, 15.0]), "working days from referral to the realistic completion target, by decided tier", "assumption"),
    p!("demand", "limit_days", int(1.0, 250.0), N(45.0), "working days", "Working Together 2013-2018: no longer than 45 working days from referral"),
    // --- casework ------------------------------------------------------------------------
    p!("casework", "hours_per_day", num(1.0, 12.0), N(7.4), "hours", "derived: 37-hour week (NJC local government terms)"),
    p!("casework", "direct_work_share", num(0.05, 1.0), N(0.6), "share of hours spent on cases", "assumption"),
    p!("casework", "max_assessment_hours_per_day", num(0.05, 12.0), N(0.5), "hours on one assessment in a day (visits and checks are spread out)", "assumption"),
    p!("casework", "ongoing_share", tiers(0.0, 1.0), L(&[0.5, 0.8, 0.9, 0.95]), "share of correctly assessed children kept open after assessment, by true tier", "assumption guided by DfE CIN 2017: 27.8% assessed not in need"),
    p!("casework", "ongoing_days_mean", num(1.0, 2500.0), N(175.0), "working days a child stays open after assessment", "assumption calibrated to 17.7 cases a case holder (DfE CSWW 2017)"),
    p!("casework", "ongoing_days_cv", num(0.0, 3.0), N(1.0), "coefficient of variation", "assumption"),
    p!("casework", "ongoing_hours_per_day", num(0.0, 8.0), N(0.15), "hours a day an open child takes", "assumption"),
    p!("casework", "caseload_cap", int(1.0, 100.0), N(25.0), "cases (assessments and open children)", "assumption: about 12% of case holders had 25 or more (DfE CSWW 2021)"),
    p!("casework", "caseload_cap_newly_qualified", int(1.0, 100.0), N(18.0), "cases", "assumption: protected caseload in the assessed first year"),
    p!("casework", "manageable_caseload", num(1.0, 100.0), N(18.0), "cases a worker holds without strain: load is caseload over this", "assumption near the 2017 mean of 17.7 cases (DfE CSWW); drives rating error and stress"),
    p!("casework", "handover_loss", num(0.0, 1.0), N(0.25), "share of hours done on an assessment lost when its worker leaves", "assumption"),
    p!("casework", "rush_cut_share", num(0.0, 1.0), N(0.5), "share of the remaining hours skipped once an assessment passes the limit", "assumption"),
    // --- judgement -----------------------------------------------------------------------
    p!("judgement", "sd_novice", num(0.0, 2.0), N(0.20), "sd of rating error on the 0-1 risk scale, no experience", "assumption calibrated to kappa 0.2-0.5 between workers (Kang and Poertner 2006)"),
    p!("judgement", "sd_expert", num(0.0, 2.0), N(0.14), "sd of rating error on the 0-1 risk scale, long experience", "assumption: experience helps modestly (Davidson-Arad and Benbenishty 2016)"),
    p!("judgement", "learning_years", num(0.1, 30.0), N(3.0), "years (e-folding time of the learning curve)", "assumption"),
    p!("judgement", "load_effect", num(0.0, 5.0), N(0.5), "proportional rise in rating error a unit of load above 1 (caseload over manageable_caseload)", "assumption"),
    p!("judgement", "rho", num(-0.99, 0.99), N(0.3), "correlation of worker's and manager's rating errors", "assumption"),
    p!("judgement", "lone_decision_bias", num(-0.5, 0.5), N(0.0), "shift of a lone rating on the 0-1 scale (+ defensive, - drift)", "assumption (BJSW 2015 45(8): blame pushes ratings up)"),
    p!("judgement", "drift_share", num(0.0, 1.0), N(0.2), "share of low and medium cases decided alone whose target becomes the limit", "assumption (Munro and Lushey 2012: early supervisory input sets a realistic timescale)"),
    p!("judgement", "combine", Shape::Choice(&["average", "defer_to_manager", "more_urgent"]), T("average"), "how a shared decision combines the worker's and the manager's rating", "assumption (Kurvers et al. 2016)"),
    // --- quality -------------------------------------------------------------------------
    p!("quality", "q_novice", num(0.0, 1.0), N(0.78), "chance an assessment matches need, no experience", "assumption"),
    p!("quality", "q_expert", num(0.0, 1.0), N(0.90), "chance an assessment matches need, long experience", "assumption"),
    p!("quality", "supervision_bonus", num(0.0, 1.0), N(0.03), "added to quality with a manager's input", "assumption"),
    p!("quality", "rush_penalty", num(0.0, 1.0), N(0.3), "quality lost a unit share of needed hours not delivered", "assumption"),
    p!("quality", "rereferral_if_missed", num(0.0, 1.0), N(0.6), "chance a child whose need was missed is re-referred within 12 months", "assumption calibrated to 21.9% re-referrals (DfE CIN 2017)"),
    p!("quality", "rereferral_base", num(0.0, 1.0), N(0.18), "chance a correctly assessed child is re-referred within 12 months", "assumption calibrated to 21.9% re-referrals (DfE CIN 2017)"),
    // --- managers ------------------------------------------------------------------------
    p!("managers", "consult_hours_per_day", num(0.1, 8.0), N(1.5), "hours a day for timescale consultations", "assumption"),
    p!("managers", "minutes_per_consult", num(1.0, 480.0), N(20.0), "minutes (mean) a consultation takes", "assumption"),
    p!("managers", "consult_time", Shape::Choice(&["fixed", "exponential"]), T("fixed"), "how consultation times vary", "design: exponential for the M/M/1 check"),
    p!("managers", "freed_time_use", Shape::Choice(&["supervision", "none"]), T("supervision"), "what managers do with consultation time a rule leaves free", "design (model.md 4.3)"),
    p!("managers", "leave_rate_per_year", num(0.0, 5.0), N(0.12), "leavers a manager-year", "assumption near social worker turnover (DfE CSWW)"),
    p!("managers", "vacancy_days", int(1.0, 500.0), N(60.0), "working days a manager post stays empty", "assumption"),
    p!("managers", "promotion_share", num(0.0, 1.0), N(0.5), "share of new managers promoted from the authority's social workers", "assumption"),
    p!("managers", "experience_years_mean", num(0.1, 40.0), N(12.0), "years of experience of external hires and the first managers", "assumption"),
    p!("managers", "experience_years_cv", num(0.0, 3.0), N(0.5), "coefficient of variation of managers' experience", "assumption"),
    p!("managers", "supervision_window_days", num(1.0, 250.0), N(20.0), "working days over which unused consultation time is averaged into supervision", "assumption"),
    // --- workforce -----------------------------------------------------------------------
    p!("workforce", "leave_rate_permanent", num(0.0, 5.0), N(0.135), "leavers a worker-year at stress 1", "calibrated by hand to 13.4% FTE turnover (DfE CSWW 2017); fitted values in scenarios/england_2017.toml (docs/VALIDATION.md)"),
    p!("workforce", "leave_rate_newly_qualified", num(0.0, 5.0), N(0.185), "leavers a worker-year at stress 1", "derived: 35% of leavers had under 2 years' service (CSWW 2019, press)"),
    p!("workforce", "leave_rate_agency", num(0.0, 5.0), N(0.6), "leavers a worker-year", "assumption: agency placements are short"),
    p!("workforce", "stress_effect", num(0.0, 5.0), N(0.5), "log hazard ratio a unit of stress above 1", "assumption (McFadden et al.: workload predicts exhaustion; kept moderate)"),
    p!("workforce", "stress_window_days", num(1.0, 500.0), N(60.0), "working days (moving-average window of load: caseload over manageable_caseload)", "assumption"),
    p!("workforce", "exposure_effect", num(0.0, 5.0), N(0.1), "proportional rise in leaving after rating a case high or above alone", "assumption (BASW 2017: social workers left 'exposed')"),
    p!("workforce", "exposure_window_days", num(1.0, 500.0), N(60.0), "working days an exposure lasts", "assumption"),
    p!("workforce", "notice_days", int(0.0, 250.0), N(20.0), "working days from resignation to leaving", "assumption: four weeks' notice"),
    p!("workforce", "agency_notice_days", int(0.0, 250.0), N(5.0), "working days", "assumption"),
    p!("workforce", "time_to_hire_days_mean", num(1.0, 2000.0), N(380.0), "working days from a leaver to the permanent hire starting", "derived: vacancy 17.0% with turnover 13.4% (DfE CSWW 2017) means a post stays vacant about 1.5 years (v/(1-v) = turnover x time)"),
    p!("workforce", "time_to_hire_days_cv", num(0.0, 3.0), N(1.0), "coefficient of variation", "assumption"),
    p!("workforce", "newly_qualified_share", num(0.0, 1.0), N(0.3), "share of permanent hires in their first year of practice", "assumption"),
    p!("workforce", "experienced_hire_years_mean", num(1.0, 40.0), N(6.0), "years of experience of an experienced hire (and of agency workers)", "assumption"),
    p!("workforce", "experienced_hire_years_cv", num(0.0, 3.0), N(0.8), "coefficient of variation of that experience", "assumption"),
    p!("workforce", "agency_cover_share", num(0.0, 1.0), N(0.9), "chance a vacancy gets agency cover", "derived: 74.2% of vacancies covered by agency (DfE CSWW 2017), raised to approach 15.8% agency; the England 2017 fit needs nearly all (docs/VALIDATION.md)"),
    p!("workforce", "agency_start_days", int(1.0, 250.0), N(20.0), "working days from a vacancy to agency cover", "assumption"),
    p!("workforce", "initial_experience_years_mean", num(0.1, 40.0), N(7.0), "years of experience of the first workers", "assumption; the warm-up washes it out"),
    p!("workforce", "initial_experience_years_cv", num(0.0, 3.0), N(0.9), "coefficient of variation of that experience", "assumption"),
    p!("workforce", "initial_vacancy_share", num(0.0, 1.0), N(0.17), "share of posts vacant on day 0", "DfE CSWW 2017: 17.0%"),
];

/// Looks a parameter up by section and key.
pub fn find(section: &str, key: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.section == section && p.key == key)
}

/// Looks a parameter up by `section.key`.
pub fn find_path(path: &str) -> Option<&'static Param> {
    let (section, key) = path.split_once('.')?;
    find(section, key)
}

/// The keys of one section, in table order.
pub fn keys_of(section: &str) -> impl Iterator<Item = &'static Param> + '_ {
    PARAMS.iter().filter(move |p| p.section == section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_within_its_own_range() {
        for p in PARAMS {
            match (p.shape, p.default) {
                (Shape::Num { min, max, integer }, Default::Num(v)) => {
                    assert!(v >= min && v <= max, "{}", p.path());
                    assert!(!integer || v.fract() == 0.0, "{}", p.path());
                }
                (Shape::Nums { len, min, max, .. }, Default::Nums(vs)) => {
                    assert_eq!(vs.len(), len, "{}", p.path());
                    assert!(vs.iter().all(|v| *v >= min && *v <= max), "{}", p.path());
                }
                (Shape::Choice(words), Default::Text(t)) => assert!(words.contains(&t)),
                (Shape::Text, Default::Text(_)) | (Shape::Rules, Default::Texts(_)) => {}
                _ => panic!("{}: default does not fit its shape", p.path()),
            }
        }
    }

    #[test]
    fn keys_are_unique_and_sections_known() {
        for (i, a) in PARAMS.iter().enumerate() {
            assert!(a.section == "authority" || SECTIONS.contains(&a.section));
            for b in &PARAMS[i + 1..] {
                assert!(a.path() != b.path(), "{} twice", a.path());
            }
        }
    }
}
