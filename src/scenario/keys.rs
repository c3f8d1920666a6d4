//! Every key a scenario file may hold, each declared once: one row gives the parameter
//! table's entry (section, key, allowed range, default, unit, label, source and the prior
//! of an assumption), the typed field the model reads, the line that reads it, and a
//! named constant for its path (`key::casework::caseload_cap` is `"casework.caseload_cap"`),
//! so that code outside the scenario names a key through the compiler, never a string.
//!
//! Defaults describe a typical English authority in 2017 (see `scenarios/baseline.toml` for
//! the reasoning behind each); the default of every assumption is its prior's central
//! value. Adding a parameter is adding a row here (the ODD's table and the scenario files'
//! comments are generated from it).

use super::params::{Default, Param, Shape, amplitude, int, num, scale, tier_days, tiers, tri, uni};
use super::parse::Value;
use crate::vocab::{Combine, ConsultTime, FreedTimeUse, Rule};

use self::Default::{Num as N, Nums as L, Text as T, Texts as TT};

/// A checked value as the type of its field. Validation has already held the value to its
/// row's shape, so reading cannot fail.
pub(crate) trait FromValue: Sized {
    fn from_value(v: Value) -> Self;
}

impl FromValue for f64 {
    fn from_value(v: Value) -> f64 {
        match v {
            Value::Num(x) => x,
            Value::Int(i) => i as f64,
            other => unreachable!("{other:?} is not a number"),
        }
    }
}

impl FromValue for u32 {
    fn from_value(v: Value) -> u32 {
        f64::from_value(v) as u32
    }
}

impl FromValue for u64 {
    fn from_value(v: Value) -> u64 {
        match v {
            Value::Int(i) => i as u64,
            other => unreachable!("{other:?} is not a whole number"),
        }
    }
}

impl<const N: usize> FromValue for [f64; N] {
    fn from_value(v: Value) -> [f64; N] {
        match v {
            Value::Nums(xs) => {
                xs.try_into().unwrap_or_else(|xs: Vec<f64>| unreachable!("{} values, not {N}", xs.len()))
            }
            other => unreachable!("{other:?} is not a list of numbers"),
        }
    }
}

impl<const N: usize> FromValue for [u32; N] {
    fn from_value(v: Value) -> [u32; N] {
        <[f64; N]>::from_value(v).map(|x| x as u32)
    }
}

impl FromValue for String {
    fn from_value(v: Value) -> String {
        match v {
            Value::Text(s) => s,
            other => unreachable!("{other:?} is not text"),
        }
    }
}

impl FromValue for Vec<Rule> {
    fn from_value(v: Value) -> Vec<Rule> {
        match v {
            Value::Texts(rules) => rules.iter().filter_map(|r| Rule::parse(r).ok()).collect(),
            other => unreachable!("{other:?} is not a list of rules"),
        }
    }
}

/// A choice among words: the word's variant (validation has checked it is one of them).
macro_rules! choice {
    ($ty:ty { $($word:literal => $variant:expr),* $(,)? }) => {
        impl FromValue for $ty {
            fn from_value(v: Value) -> $ty {
                match String::from_value(v).as_str() {
                    $($word => $variant,)*
                    other => unreachable!("{other:?} is not a choice"),
                }
            }
        }
    };
}

choice!(Combine { "average" => Combine::Average, "defer_to_manager" => Combine::DeferToManager, "more_urgent" => Combine::MoreUrgent });
choice!(ConsultTime { "fixed" => ConsultTime::Fixed, "exponential" => ConsultTime::Exponential });
choice!(FreedTimeUse { "supervision" => FreedTimeUse::Supervision, "none" => FreedTimeUse::None });

/// Declares the keys: for each section a struct of typed fields, its reader, the rows of
/// [`PARAMS`] and the path constants of [`key`].
macro_rules! keys {
    (@prior) => { None };
    (@prior $prior:expr) => { Some($prior) };
    ($(
        $(#[$smeta:meta])*
        $section:ident => $Struct:ident {
            $(
                $field:ident : $ty:ty = $shape:expr, $default:expr, $unit:literal, $label:literal, $source:literal
                $(, prior $prior:expr)? ;
            )*
        }
    )*) => {
        /// Every key a scenario file may hold, in the order the manifest writes them.
        #[rustfmt::skip]
        pub const PARAMS: &[Param] = &[$($(
            Param {
                section: stringify!($section),
                key: stringify!($field),
                shape: $shape,
                default: $default,
                unit: $unit,
                label: $label,
                source: $source,
                prior: keys!(@prior $($prior)?),
            },
        )*)*];

        $(
            $(#[$smeta])*
            #[derive(Debug, Clone)]
            pub struct $Struct {
                $(
                    #[doc = concat!($label, " (", $unit, ")")]
                    pub $field: $ty,
                )*
            }

            impl $Struct {
                /// The section's values, each the file's or its default.
                pub(super) fn read(get: &impl Fn(&str) -> Value) -> $Struct {
                    $Struct { $($field: FromValue::from_value(get(key::$section::$field)),)* }
                }
            }
        )*

        /// The path of every key, `section.key`, as a name the compiler checks.
        pub mod key {
            $(
                #[allow(non_upper_case_globals)]
                pub mod $section {
                    $(pub const $field: &str = concat!(stringify!($section), ".", stringify!($field));)*
                }
            )*
        }
    };
}

#[rustfmt::skip]
keys! {
    /// How a run is made: its name, length, replications, seed and the rules it compares.
    run => Run {
        name: String = Shape::Text, T("unnamed"), "text", "scenario name", "user";
        description: String = Shape::Text, T(""), "text", "description", "user";
        warmup_years: u32 = int(0.0, 20.0), N(6.0), "years of 250 working days", "warm-up, not measured", "design: long enough for open assessments, vacancies and the experience mix to settle from day 0 (measured: after 3 years open assessments still rose 7% and staff under two years 1.1 points over the 5 measured years; after 6 they are flat within noise, docs/VALIDATION.md)";
        horizon_years: u32 = int(1.0, 50.0), N(5.0), "years of 250 working days", "measured horizon", "design";
        replications: u32 = int(1.0, 100_000.0), N(200.0), "replications a rule", "replications", "design";
        seed: u64 = int(0.0, 9_007_199_254_740_992.0), N(2017.0), "whole number", "master seed", "user";
        rules: Vec<Rule> = Shape::Rules, TT(&["practitioner_only", "manager_shared"]), "rule names; the first two are paired", "decision rules compared", "design";
    }
    /// One local authority: its name and codes, its teams and its referrals.
    authority => Authority {
        name: String = Shape::Text, T("authority"), "text", "authority name", "user";
        code: String = Shape::Text, T(""), "the DfE's new code (E06000001...); with one, the authority's random streams are its own, the same in any scenario", "authority code", "user (DfE CSWW new_la_code)";
        old_code: String = Shape::Text, T(""), "the DfE's old three-digit code", "authority old code", "user (DfE CSWW old_la_code)";
        region: String = Shape::Text, T(""), "the authority's region", "region", "user (DfE CSWW region_name)";
        teams: u32 = int(1.0, 1000.0), N(23.0), "teams, each with one manager", "teams", "derived: about 140 case-holding posts a typical authority (DfE CSWW 2017: 17,841 case-holding FTE / 152) in teams of 6";
        posts_per_team: u32 = int(1.0, 30.0), N(6.0), "social worker posts a manager", "posts a team (manager's span)", "design: teams of 6 (6 to 8 is customary, not a published statistic); held fixed in the uncertainty analysis because with teams it sets the whole establishment: sweep it with teams";
        new_referrals_per_year: f64 = num(0.0, 1_000_000.0), N(3350.0), "referrals a year, not counting re-referrals", "new referrals a year", "derived: 646,120 referrals in 2016-17 / 152 = 4,250, less 21.9% re-referrals (DfE CIN 2017)";
    }
    /// Referrals: their seasons, true risk, the work an assessment needs and its time limits.
    demand => Demand {
        seasonality: [f64; 12] = Shape::Nums { len: 12, min: 0.0, max: 3.0, integer: false }, L(&[0.95, 1.05, 1.05, 1.0, 0.8, 1.0, 1.05, 1.1, 0.9, 1.05, 1.05, 1.0]), "factor a month, April first, averaging 1", "seasonal factors of referrals", "assumption: dips in the August and December school holidays", prior amplitude(0.0, 1.0, 2.0, "judgement: no monthly referral series is published");
        risk_mix: [f64; 4] = tiers(0.0, 1.0), L(&[0.40, 0.30, 0.25, 0.05]), "share of referrals a true tier (low, medium, high, immediate), summing to 1", "true risk mix", "derived with judgement: about 36% of referrals lead to a section 47 enquiry (DfE CIN 2025: 230,590 of 632,830); held fixed in the uncertainty analysis because it defines the tiers";
        risk_cuts: [f64; 3] = Shape::Nums { len: 3, min: 0.0, max: 1.0, integer: false }, L(&[0.40, 0.70, 0.95]), "cut-points on the 0-1 risk scale between tiers, increasing", "tier cut-points", "design: the cumulative risk_mix, so that the latent risk score is uniform (sd 0.289)";
        assessment_hours: [f64; 4] = tiers(0.5, 500.0), L(&[8.0, 12.0, 18.0, 24.0]), "hours of work an assessment needs, by true tier", "hours an assessment needs", "assumption", prior scale(0.7, 1.0, 1.4, "judgement");
        assessment_hours_cv: f64 = num(0.0, 3.0), N(0.5), "coefficient of variation", "spread of hours an assessment needs", "assumption", prior tri(0.25, 0.5, 0.8, "judgement");
        needed_start_days: [u32; 4] = tier_days(0.0, 45.0), L(&[20.0, 10.0, 2.0, 0.0]), "working days from referral by which work must start, by true tier", "start a child's risk needs", "design: what 'started late' means (Working Together: immediate risk the same day); an outcome's definition, not varied";
        completion_days: [u32; 4] = tier_days(1.0, 45.0), L(&[45.0, 35.0, 25.0, 15.0]), "working days from referral to the realistic completion target, by decided tier", "completion target by decided tier", "assumption", prior scale(0.8, 1.0, 1.2, "judgement");
        limit_days: u32 = int(1.0, 250.0), N(45.0), "working days", "statutory limit", "Working Together 2013-2018: no longer than 45 working days from referral";
    }
    /// A worker's day and caseload: hours, caps, the children kept open after assessment.
    casework => Casework {
        hours_per_day: f64 = num(1.0, 12.0), N(7.4), "hours", "working hours a day", "derived: 37-hour week (NJC local government terms)";
        direct_work_share: f64 = num(0.05, 1.0), N(0.6), "share of hours spent on cases", "share of hours on casework", "assumption", prior tri(0.5, 0.6, 0.7, "judgement: workload surveys put 50 to 65% of time on recording and 15 to 25% on direct contact (BASW 2018); casework here includes recording about the case");
        max_assessment_hours_per_day: f64 = num(0.05, 12.0), N(0.5), "hours on one assessment in a day (visits and checks are spread out)", "hours a day on one assessment", "assumption", prior tri(0.3, 0.5, 1.0, "judgement");
        pacing: f64 = num(0.0, 1.0), N(0.25), "share of assessments worked evenly to their completion target, the rest as fast as the daily cap allows", "assessments paced to their target", "assumption", prior tri(0.10, 0.25, 0.50, "DfE CIN 2025 (assessments by duration): 18.9% completed in days 41 to 45, 1.9 times the daily rate of days 31 to 40; Unison 2012: straightforward cases left 'as the deadline is still a number of days away'");
        ongoing_share: [f64; 4] = tiers(0.0, 1.0), L(&[0.5, 0.8, 0.9, 0.95]), "share of correctly assessed children kept open after assessment, by true tier", "children kept open after assessment", "assumption guided by DfE CIN 2017: 27.8% assessed not in need", prior scale(0.85, 1.0, 1.1, "judgement");
        ongoing_days_mean: f64 = num(1.0, 2500.0), N(175.0), "working days a child stays open after assessment", "days a child stays open", "assumption calibrated to 17.7 cases a case holder (DfE CSWW 2017)", prior tri(140.0, 175.0, 210.0, "judgement around the calibrated value");
        ongoing_days_cv: f64 = num(0.0, 3.0), N(1.0), "coefficient of variation", "spread of days a child stays open", "assumption", prior tri(0.5, 1.0, 1.5, "judgement");
        ongoing_hours_per_day: f64 = num(0.0, 8.0), N(0.15), "hours a day an open child takes", "hours a day an open child takes", "assumption", prior tri(0.1, 0.15, 0.2, "judgement");
        caseload_cap: u32 = int(1.0, 100.0), N(25.0), "cases (assessments and open children)", "caseload cap", "assumption: about 12% of case holders had 25 or more (DfE CSWW 2021)", prior tri(22.0, 25.0, 30.0, "DfE CSWW 2021: 20% of case holders had 20 to 25 cases, 12% over 25");
        caseload_cap_newly_qualified: u32 = int(1.0, 100.0), N(18.0), "cases", "newly qualified caseload cap", "assumption: protected caseload in the assessed first year", prior tri(15.0, 18.0, 22.0, "judgement");
        manageable_caseload: f64 = num(1.0, 100.0), N(18.0), "cases a worker holds without strain: load is caseload over this", "manageable caseload", "assumption near the 2017 mean of 17.7 cases (DfE CSWW); drives rating error and stress", prior tri(15.0, 18.0, 21.0, "judgement");
        handover_loss: f64 = num(0.0, 1.0), N(0.25), "share of hours done on an assessment lost when its worker leaves", "work lost at handover", "assumption", prior tri(0.1, 0.25, 0.5, "judgement");
        rush_cut_share: f64 = num(0.0, 1.0), N(0.5), "share of the remaining hours skipped once an assessment passes the limit", "corners cut past the limit", "assumption", prior tri(0.25, 0.5, 0.75, "judgement");
        recording_hours_per_shared_decision: f64 = num(0.0, 8.0), N(0.25), "hours of the worker's day a shared decision takes to record", "recording a shared decision", "assumption", prior tri(0.0, 0.25, 0.5, "judgement: no published figure");
        recording_hours_per_lone_decision: f64 = num(0.0, 8.0), N(0.1), "hours of the worker's day a lone decision takes to record", "recording a lone decision", "assumption", prior tri(0.0, 0.1, 0.25, "judgement: no published figure; a decision taken alone is recorded too, more briefly than a discussion");
        duty_visit_hours: f64 = num(0.0, 8.0), N(1.5), "hours a visit by the duty worker takes, for a waiting child no worker can take when the first visit their urgency needs comes due (a child screened at immediate risk the same day), from the team's least loaded worker present", "duty visit", "assumption", prior tri(0.5, 1.5, 3.0, "judgement: Working Together: a child at immediate risk is seen the same day; the hours are not published");
    }
    /// Rating a child's risk: the worker's and the manager's errors, anchoring, shifts and drift.
    judgement => Judgement {
        sd_expert: f64 = num(0.0, 2.0), N(0.26), "sd of rating error on the 0-1 risk scale, long experience", "rating error, experienced worker", "assumption", prior tri(0.17, 0.26, 0.375, "Kang and Poertner 2006 (kappa 0.29, 41 caseworkers), Bolton et al. 2021 (alpha 0.58): 0.6 to 1.3 sd of true risk, most likely 0.9, times 0.289");
        novice_sd_ratio: f64 = num(0.25, 4.0), N(1.1), "rating error with no experience over rating error with long experience", "novice's rating error over an expert's", "assumption", prior tri(1.0, 1.1, 1.3, "Wilkins et al. 2020 (less experienced workers no less accurate), Bartelink et al. 2013: an experience effect on noise is null or small");
        learning_years: f64 = num(0.1, 30.0), N(3.0), "years (e-folding time of the learning curve)", "learning time", "assumption", prior tri(1.0, 3.0, 6.0, "judgement");
        load_effect: f64 = num(0.0, 5.0), N(0.5), "proportional rise in rating error a unit of load above 1 (caseload over manageable_caseload)", "rating error under load", "assumption", prior tri(0.0, 0.5, 1.0, "judgement (McFadden et al.: workload predicts exhaustion)");
        rho: f64 = num(-0.99, 0.99), N(0.5), "correlation of worker's and manager's rating errors", "anchoring of the manager on the worker", "assumption", prior tri(0.2, 0.5, 0.8, "Wilkins, Forrester and Grant 2017: supervision discussions are oversight of the worker's account, not an independent reading");
        manager_weight: f64 = num(0.5, 1.0), N(0.75), "weight on the manager's rating in a shared decision (1: the manager decides)", "weight on the manager's view", "assumption", prior uni(0.5, 1.0, "judgement; Kurvers et al. 2016: pooling helps only between similar accuracies, else deferring to the better judge wins");
        manager_sd_ratio: f64 = num(0.25, 4.0), N(1.0), "manager's rating error over a worker's of the same experience", "manager's skill", "assumption", prior tri(0.8, 1.0, 1.25, "judgement: managers rate like any experienced worker");
        manager_info_penalty: f64 = num(0.0, 2.0), N(0.15), "proportional rise in the manager's rating error for not having met the child", "manager's distance from the child", "assumption", prior tri(0.0, 0.15, 0.5, "judgement: no published figure");
        manager_queue_effect: f64 = num(0.0, 0.5), N(0.0), "proportional rise in the manager's rating error for each other case waiting in their queue", "manager's error from their queue", "assumption", prior tri(0.0, 0.0, 0.03, "judgement: no published figure");
        lone_rating_shift: f64 = num(-0.5, 0.5), N(0.03), "shift of a lone rating on the 0-1 scale (+ more urgent)", "shift when deciding alone", "assumption", prior tri(-0.06, 0.03, 0.09, "Vial et al. 2021 (practitioners alone judged immediate danger more often than panels), BJSW 2015 45(8) (blame raises ratings), Wilkins and Meindl 2023 (many false positives): -0.2 to +0.3 sd of true risk, most likely +0.1");
        shared_rating_shift: f64 = num(-0.5, 0.5), N(0.0), "shift of a shared rating on the 0-1 scale (+ more urgent)", "shift when deciding together", "assumption", prior tri(-0.06, 0.0, 0.06, "Isenberg 1986 (group polarisation either way), Kelly and Milner 1996 (case conferences riskier), Missouri Team Decision Making trial (groups less interventionist): no direction");
        drift_share: f64 = num(0.0, 1.0), N(0.075), "share of low and medium cases decided alone whose plan drifts past the limit (judgement.drift_overrun_days)", "drift when deciding alone", "assumption", prior tri(0.0, 0.075, 0.31, "Islington pilot 2011-12: 25% of assessments over 45 days before further work with managers, 6% after (Community Care, 20 June 2012); Munro and Lushey 2012: early supervisory input sets a realistic timescale; the top, with the overrun and the novice factor at theirs, gives the baseline that 19-point gap in the share within the limit (21.4 points at 0.35, 10.8 at 0.19)");
        drift_overrun_days: f64 = num(0.0, 200.0), N(10.0), "working days past the statutory limit to which a drifted lone plan is worked evenly", "overrun of a drifted plan", "assumption", prior tri(0.0, 10.0, 30.0, "Islington pilot 2011-12: 25% of assessments over 45 days before early supervisory input, 6% after (Community Care, 20 June 2012): plans ran past the limit, not only to it; the size of the overrun is judgement");
        lone_shift_novice: f64 = num(0.0, 5.0), N(0.5), "proportional extra lone-decision shift for a worker with no experience, fading along the learning curve (0: the same at every experience)", "extra shift of a novice deciding alone", "assumption", prior tri(0.0, 0.5, 1.5, "judgement: practitioners' bodies called deciding alone high risk 'given an inexperienced workforce' (BASW 2017); no effect size is published");
        drift_novice: f64 = num(0.0, 5.0), N(0.5), "proportional extra chance of drift for a worker with no experience, fading along the learning curve (0: the same at every experience)", "extra drift of a novice deciding alone", "assumption", prior tri(0.0, 0.5, 1.5, "judgement: Munro and Lushey 2012 (early supervisory input sets a realistic plan); no effect size by experience is published");
        combine: Combine = Shape::Choice(&["average", "defer_to_manager", "more_urgent"]), T("average"), "how a shared decision combines the worker's and the manager's rating", "how views are combined", "design: average with manager_weight spans pooling to deferring; more_urgent is a structural alternative to run as a scenario";
    }
    /// How well an assessment matches need, and who comes back.
    quality => Quality {
        q_novice: f64 = num(0.0, 1.0), N(0.78), "chance an assessment matches need, no experience", "assessment quality, novice", "assumption", prior tri(0.7, 0.78, 0.86, "judgement");
        q_expert: f64 = num(0.0, 1.0), N(0.90), "chance an assessment matches need, long experience", "assessment quality, experienced", "assumption", prior tri(0.85, 0.9, 0.95, "judgement");
        supervision_bonus: f64 = num(0.0, 1.0), N(0.03), "added to quality with a manager's input", "quality added by a manager's input", "assumption", prior tri(0.0, 0.03, 0.08, "Bostock et al. 2019 (supervision quality correlates with practice quality; no effect size), Carpenter et al. 2013 (the evidence is weak)");
        consult_supervision: f64 = num(0.0, 1.0), N(0.5), "supervision a timescale consultation adds to its own case, as a share of a full supervision's effect; the manager's consultation time left unused gives every case supervision in both rules (managers.freed_time_use)", "supervision in a consultation", "assumption", prior uni(0.0, 1.0, "judgement: a short timescale discussion may be all the supervision a case gets, or add little to it; Carpenter et al. 2013 (the evidence on supervision is weak)");
        under_rating_penalty: f64 = num(0.0, 1.0), N(0.05), "quality lost for each tier the decided urgency falls below the true one", "quality lost to under-rating", "assumption", prior tri(0.0, 0.05, 0.15, "judgement: an assessment planned for a lower risk than the child's gathers less; no effect size is published");
        missed_escalation: f64 = num(0.0, 1.0), N(0.1), "rise in the risk score (0-1 scale) of a child re-referred after their need was missed", "a missed child returns at higher risk", "assumption", prior tri(0.0, 0.1, 0.25, "judgement: a child whose need was missed comes back with the need unmet; no effect size is published");
        rush_penalty: f64 = num(0.0, 1.0), N(0.3), "quality lost a unit share of needed hours not delivered", "quality lost to cut corners", "assumption", prior tri(0.1, 0.3, 0.5, "judgement");
        rereferral_if_missed: f64 = num(0.0, 1.0), N(0.6), "chance a child whose need was missed is re-referred within 12 months", "re-referral after missed need", "assumption calibrated to 21.9% re-referrals (DfE CIN 2017)", prior tri(0.45, 0.6, 0.75, "judgement around the calibrated value");
        rereferral_base: f64 = num(0.0, 1.0), N(0.18), "chance a correctly assessed child is re-referred within 12 months", "re-referral after a sound assessment", "assumption calibrated to 21.9% re-referrals (DfE CIN 2017)", prior tri(0.14, 0.18, 0.22, "judgement around the calibrated value");
        risk_day_weights: [f64; 4] = tiers(0.0, 10.0), L(&[0.0, 0.5, 1.0, 2.0]), "weight of a day at risk by true tier (low, medium, high, immediate): a day not yet seen after the start the true risk needs, or past the completion target of the true tier", "weight of a child-day at risk", "design: a day of a high-risk child counts 1, of an immediate-risk child 2, of a medium-risk child a half, of a low-risk child nothing; an outcome's definition a reader may change, not varied";
    }
    /// Team managers: their consultation time, leaving and experience.
    managers => Managers {
        consult_hours_per_day: f64 = num(0.1, 8.0), N(1.5), "hours a day for timescale consultations", "manager's consultation hours", "assumption", prior tri(0.75, 1.5, 3.0, "judgement");
        minutes_per_consult: f64 = num(1.0, 480.0), N(15.0), "minutes (mean) a consultation takes", "minutes a consultation", "assumption", prior tri(5.0, 15.0, 30.0, "judgement: no published figure; 90 minutes of supervision a month over 15 to 17 cases is 5 to 6 minutes a case");
        consult_time: ConsultTime = Shape::Choice(&["fixed", "exponential"]), T("fixed"), "how consultation times vary", "consultation times", "design: exponential for the M/M/1 check";
        freed_time_use: FreedTimeUse = Shape::Choice(&["supervision", "none"]), T("supervision"), "what managers do with consultation time a rule leaves free", "use of freed manager time", "design: a structural alternative to run as a scenario";
        leave_rate_per_year: f64 = num(0.0, 5.0), N(0.12), "leavers a manager-year", "managers leaving", "assumption near social worker turnover (DfE CSWW)", prior tri(0.08, 0.12, 0.2, "Community Care 2011: two-thirds had two or more line managers in 14 months");
        vacancy_days: u32 = int(1.0, 500.0), N(60.0), "working days a manager post stays empty", "manager vacancy", "assumption", prior tri(20.0, 60.0, 120.0, "judgement");
        promotion_share: f64 = num(0.0, 1.0), N(0.5), "share of new managers promoted from the authority's social workers", "managers promoted from within", "assumption", prior tri(0.25, 0.5, 0.75, "judgement");
        experience_years_mean: f64 = num(0.1, 40.0), N(12.0), "years of experience of external hires and the first managers", "managers' experience", "assumption", prior tri(8.0, 12.0, 16.0, "judgement");
        experience_years_cv: f64 = num(0.0, 3.0), N(0.5), "coefficient of variation of managers' experience", "spread of managers' experience", "assumption", prior tri(0.3, 0.5, 0.7, "judgement");
        supervision_window_days: f64 = num(1.0, 250.0), N(20.0), "working days over which unused consultation time is averaged into supervision", "supervision averaging window", "assumption", prior tri(10.0, 20.0, 40.0, "judgement");
    }
    /// Social workers: leaving, hiring, agency cover, absence and the first workers.
    workforce => Workforce {
        leave_rate_permanent: f64 = num(0.0, 5.0), N(0.12), "leavers a worker-year at stress 1 after 5 years in the authority", "permanent staff leaving rate", "derived: about 12% a year after 5 years' service (DfE workforce census: leavers and staff by length of service); fitted values in scenarios/england_2017.toml";
        tenure_hazard_ratio_under_2: f64 = num(0.2, 5.0), N(1.5), "leaving rate in the first 2 years in the authority over the rate after 5", "early leaving, first 2 years", "assumption", prior tri(1.2, 1.5, 1.9, "derived: about 18% a year under 2 years' service against 12% after 5 (DfE census: 35% of leavers under 2 years, 60% of staff under 5)");
        tenure_hazard_ratio_2_to_5: f64 = num(0.2, 5.0), N(1.4), "leaving rate in years 2 to 5 in the authority over the rate after 5", "early leaving, years 2 to 5", "assumption", prior tri(1.1, 1.4, 1.7, "derived: about 17% a year at 2 to 5 years' service against 12% after 5 (DfE census)");
        leave_rate_newly_qualified: f64 = num(0.0, 5.0), N(0.185), "leavers a worker-year at stress 1, first year of practice", "newly qualified leaving rate", "derived: about 10% of newly registered social workers leave the profession within a year (Social Work England register 2022) and 56% of leavers leave local authority children's social work (DfE 2020-21), so about 18% leave their authority";
        leave_rate_agency: f64 = num(0.0, 5.0), N(0.8), "agency placements ending a worker-year", "agency placements ending", "assumption: no statistic exists", prior tri(0.4, 0.8, 1.5, "judgement bounded by one week's notice (before 2024), one managed team's 5-month average (Wokingham FOI 2018), 'more likely to move around' (Independent Review 2022)");
        stress_effect: f64 = num(0.0, 5.0), N(0.5), "log hazard ratio a unit of stress above 1", "leaving under stress", "assumption", prior tri(0.0, 0.5, 1.0, "Kim and Kao 2014 (caseload had no effect on intention to leave), McFadden et al. (workload predicts exhaustion): kept moderate");
        stress_window_days: f64 = num(1.0, 500.0), N(60.0), "working days (moving-average window of load: caseload over manageable_caseload)", "stress averaging window", "assumption", prior tri(20.0, 60.0, 120.0, "judgement");
        lone_decision_leave_effect: f64 = num(-0.9, 5.0), N(0.1), "proportional change in leaving after deciding a timescale alone (+ exposure, - autonomy)", "leaving after deciding alone", "assumption", prior tri(-0.2, 0.1, 0.3, "exposure: BASW 2017 (left 'exposed'), Mor Barak et al. 2009 (supervisory support r 0.3 to 0.4 with retention); autonomy: Kim and Kao 2014 (decision-making predictors of medium size); the evidence leans to exposure");
        lone_decision_window_days: f64 = num(1.0, 500.0), N(60.0), "working days the effect of a lone decision on leaving lasts", "lone-decision effect window", "assumption", prior tri(20.0, 60.0, 120.0, "judgement");
        lone_leave_novice: f64 = num(0.0, 5.0), N(0.5), "proportional extra effect of a lone decision on leaving for a worker with no experience, fading along the learning curve (0: the same at every experience)", "extra leaving effect for a novice deciding alone", "assumption", prior tri(0.0, 0.5, 1.5, "judgement: the concern was voiced for an inexperienced workforce (BASW 2017); no effect size is published");
        notice_days: u32 = int(0.0, 250.0), N(20.0), "working days from resignation to leaving", "notice period", "assumption: four weeks' notice", prior tri(15.0, 20.0, 40.0, "judgement: one month is the common contract term, more for seniors");
        agency_notice_days: u32 = int(0.0, 250.0), N(5.0), "working days", "agency notice period", "derived: one week's locum notice (Caritas Recruitment 2014); four weeks from October 2024";
        time_to_hire_days_mean: f64 = num(1.0, 2000.0), N(380.0), "working days from a leaver to the permanent hire starting", "time to hire", "derived: vacancy 17.0% with turnover 13.4% (DfE CSWW 2017) means a post stays vacant about 1.5 years (v/(1-v) = turnover x time)";
        time_to_hire_days_cv: f64 = num(0.0, 3.0), N(1.0), "coefficient of variation", "spread of time to hire", "assumption", prior tri(0.5, 1.0, 1.5, "judgement");
        newly_qualified_share: f64 = num(0.0, 1.0), N(0.3), "share of permanent hires in their first year of practice", "newly qualified share of hires", "assumption", prior tri(0.2, 0.3, 0.45, "judgement: starters are 15-19% of FTE a year (DfE CSWW)");
        experienced_hire_years_mean: f64 = num(1.0, 40.0), N(6.0), "years of experience of an experienced hire (and of agency workers)", "experience of experienced hires", "assumption", prior tri(4.0, 6.0, 9.0, "judgement");
        experienced_hire_years_cv: f64 = num(0.0, 3.0), N(0.8), "coefficient of variation of that experience", "spread of hires' experience", "assumption", prior tri(0.5, 0.8, 1.1, "judgement");
        agency_cover_share: f64 = num(0.0, 1.0), N(0.9), "chance a vacancy gets agency cover", "vacancies covered by agency", "derived: 67.5% of vacancies covered by agency FTE (DfE CSWW 2017, vacancy_agency_cover_rate); fitted in scenarios/england_2017.toml";
        agency_start_days: u32 = int(1.0, 250.0), N(20.0), "working days from a vacancy to agency cover", "wait for agency cover", "assumption", prior tri(5.0, 20.0, 40.0, "judgement");
        long_absence_share: f64 = num(0.0, 0.5), N(0.04), "share of employed workers' days on long absence (sickness, maternity)", "long absence", "assumption", prior tri(0.02, 0.04, 0.06, "DfE CSWW 2017: 3.1% of working days lost to sickness, all spells; maternity leave about 2 to 3% of staff (judgement)");
        long_absence_days_mean: f64 = num(5.0, 500.0), N(120.0), "working days a long absence lasts (mean, exponential)", "length of a long absence", "assumption", prior tri(60.0, 120.0, 200.0, "judgement");
        absence_agency_cover_share: f64 = num(0.0, 1.0), N(0.8), "chance a long absence gets agency cover", "absences covered by agency", "assumption", prior tri(0.4, 0.8, 1.0, "DfE CSWW: agency workers not covering vacancies are 2.8 to 5.2% of FTE, about the size of sickness and maternity absence; what they cover is not published");
        initial_experience_years_mean: f64 = num(0.1, 40.0), N(7.0), "years of experience of the first workers", "first workers' experience", "design: the warm-up washes it out";
        initial_experience_years_cv: f64 = num(0.0, 3.0), N(0.9), "coefficient of variation of that experience", "spread of first workers' experience", "design: the warm-up washes it out";
        initial_vacancy_share: f64 = num(0.0, 1.0), N(0.17), "share of posts vacant on day 0", "posts vacant on day 0", "DfE CSWW 2017: 17.0%";
    }
    /// What the workforce costs, at 2024 prices (docs/EVIDENCE.md section 7): an employed
    /// social worker a year by experience, an agency worker, a hire, a newly qualified
    /// worker's supported year, a manager's hour. Prices only weigh what the model counts;
    /// they change no outcome.
    costs => Costs {
        social_worker_newly_qualified: f64 = num(0.0, 1.0e6), N(43_000.0), "GBP a worker-year at 2024 prices (salary, employer's National Insurance and pension), first year of practice", "newly qualified social worker's cost", "derived: council pay scales (Medway), Community Care FOI 2018 and NJC pay awards to 2024, plus National Insurance and LGPS pension at 31% (docs/EVIDENCE.md section 7)";
        social_worker: f64 = num(0.0, 1.0e6), N(54_000.0), "GBP a worker-year at 2024 prices, 1 to 5 years of practice", "social worker's cost", "derived: council pay scales (Medway), Community Care FOI 2018 and NJC pay awards to 2024, plus National Insurance and LGPS pension at 31% (docs/EVIDENCE.md section 7)";
        social_worker_experienced: f64 = num(0.0, 1.0e6), N(60_000.0), "GBP a worker-year at 2024 prices, 5 years of practice or more", "experienced social worker's cost", "derived: council pay scales (Medway), Community Care FOI 2018 and NJC pay awards to 2024, plus National Insurance and LGPS pension at 31% (docs/EVIDENCE.md section 7)";
        agency_worker: f64 = num(0.0, 1.0e6), N(78_000.0), "GBP a worker-year at 2024 prices, charged by the agency", "agency social worker's cost", "derived: about 45 GBP an hour charged for 37 hours over 47 weeks, checked against the Guardian FOI 2017-18 and the Independent Review 2022 premium of 26,000 a year (docs/EVIDENCE.md section 7)";
        recruitment_per_hire: f64 = num(0.0, 1.0e6), N(5_000.0), "GBP a permanent hire at 2024 prices (advertising, fees, interviewing, induction)", "cost of a hire", "derived: finder's fees of 16 to 20% of salary (Swansea) and advertising; the direct cost only, since the model simulates vacancy cover itself (docs/EVIDENCE.md section 7)";
        newly_qualified_support: f64 = num(0.0, 1.0e6), N(4_300.0), "GBP a newly qualified hire at 2024 prices (the protected first year, beyond salary)", "newly qualified year's support", "derived: the protected caseload of the ASYE year, about 10% of a newly qualified worker's cost; the DfE ASYE grant of 2,000 roughly pays for the extra supervision (docs/EVIDENCE.md section 7)";
        manager_hour: f64 = num(0.0, 10_000.0), N(44.0), "GBP a team manager's working hour at 2024 prices", "team manager's hour", "derived: a team manager's 68,000 a year (salary and on-costs) over about 1,550 working hours (docs/EVIDENCE.md section 7)";
    }
}
