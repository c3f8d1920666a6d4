//! The one table of scenario parameters: key, unit, allowed range, default and source.
//!
//! Validation, defaults, the manifest of a run, the comments of scenario files, the
//! assumptions the sensitivity analysis varies and the bounds of a calibration fit are all
//! read from [`PARAMS`]; nothing else states a scenario key's range.

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
    /// Words a reader knows, for chart axes, legends and report tables ("permanent staff
    /// leaving rate"); the key is shown only where a user must type it.
    pub label: &'static str,
    /// Where the default comes from, or the word `assumption`.
    pub source: &'static str,
    /// For an assumption: the values the evidence leaves open, drawn from in the
    /// uncertainty analysis.
    pub prior: Option<Prior>,
}

/// What the evidence (or judgement, where there is none) says about an assumed
/// parameter: a distribution over its value, or over a factor on a list of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    pub dist: Dist,
    pub on: On,
    /// The evidence the range rests on, or the word `judgement`.
    pub source: &'static str,
}

/// A prior's distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Uniform {
        low: f64,
        high: f64,
    },
    /// Low, most likely, high.
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
}

/// What a prior's draws are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// The parameter's value.
    Value,
    /// A factor on every value of a list (rounded where they must be whole).
    Scale,
    /// A factor on every value's departure from 1 (seasonal factors: 0 is no seasonality).
    Amplitude,
}

impl Dist {
    pub fn low(&self) -> f64 {
        match *self {
            Dist::Uniform { low, .. } | Dist::Triangular { low, .. } => low,
        }
    }

    pub fn high(&self) -> f64 {
        match *self {
            Dist::Uniform { high, .. } | Dist::Triangular { high, .. } => high,
        }
    }

    /// The central value: the mode of a triangle, the middle of a uniform.
    pub fn centre(&self) -> f64 {
        match *self {
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Triangular { mode, .. } => mode,
        }
    }

    /// The value at cumulative probability `u` in 0..=1 (the inverse distribution function).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Dist::Uniform { low, high } => low + (high - low) * u,
            Dist::Triangular { low, mode, high } => {
                let width = high - low;
                if width <= 0.0 {
                    return low;
                }
                let f = (mode - low) / width;
                if u < f {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
        }
    }

    /// The cumulative probability of `x`: where a value sits in the prior.
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Dist::Uniform { low, high } => {
                if high <= low {
                    f64::from(u8::from(x >= low))
                } else {
                    ((x - low) / (high - low)).clamp(0.0, 1.0)
                }
            }
            Dist::Triangular { low, mode, high } => {
                if x <= low {
                    0.0
                } else if x >= high {
                    1.0
                } else if x <= mode {
                    (x - low).powi(2) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x).powi(2) / ((high - low) * (high - mode))
                }
            }
        }
    }

    /// The distribution in words: `triangular 0.17 to 0.375, most likely 0.26`.
    pub fn words(&self) -> String {
        match *self {
            Dist::Uniform { low, high } => format!("uniform {} to {}", fmt_num(low), fmt_num(high)),
            Dist::Triangular { low, mode, high } => {
                format!("triangular {} to {}, most likely {}", fmt_num(low), fmt_num(high), fmt_num(mode))
            }
        }
    }
}

impl Prior {
    /// The prior in words, with what it applies to and its source.
    pub fn words(&self) -> String {
        let on = match self.on {
            On::Value => "",
            On::Scale => "a factor on every value, ",
            On::Amplitude => "a factor on each value's departure from 1, ",
        };
        format!("{on}{} ({})", self.dist.words(), self.source)
    }
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

    /// The label with its unit, as a chart axis or a report row names the parameter:
    /// "permanent staff leaving rate (leavers a worker-year ...)".
    pub fn labelled(&self) -> String {
        format!("{} ({})", self.label, self.unit)
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

/// A parameter without a prior.
macro_rules! p {
    ($section:literal, $key:literal, $shape:expr, $default:expr, $unit:literal, $label:literal, $source:literal) => {
        Param {
            section: $section,
            key: $key,
            shape: $shape,
            default: $default,
            unit: $unit,
            label: $label,
            source: $source,
            prior: None,
        }
    };
    ($section:literal, $key:literal, $shape:expr, $default:expr, $unit:literal, $label:literal, $source:literal, $prior:expr) => {
        Param {
            section: $section,
            key: $key,
            shape: $shape,
            default: $default,
            unit: $unit,
            label: $label,
            source: $source,
            prior: Some($prior),
        }
    };
}

/// A triangular prior on the value.
const fn tri(low: f64, mode: f64, high: f64, source: &'static str) -> Prior {
    Prior { dist: Dist::Triangular { low, mode, high }, on: On::Value, source }
}
/// A uniform prior on the value.
const fn uni(low: f64, high: f64, source: &'static str) -> Prior {
    Prior { dist: Dist::Uniform { low, high }, on: On::Value, source }
}
/// A triangular prior on a factor applied to every value of a list.
const fn scale(low: f64, mode: f64, high: f64, source: &'static str) -> Prior {
    Prior { dist: Dist::Triangular { low, mode, high }, on: On::Scale, source }
}
/// A triangular prior on a factor applied to each value's departure from 1.
const fn amplitude(low: f64, mode: f64, high: f64, source: &'static str) -> Prior {
    Prior { dist: Dist::Triangular { low, mode, high }, on: On::Amplitude, source }
}

use self::Default::{Num as N, Nums as L, Text as T, Texts as TT};

/// The sections a scenario file may have, in the order the manifest writes them.
pub const SECTIONS: &[&str] = &["run", "demand", "casework", "judgement", "quality", "managers", "workforce"];

/// The sd of the latent risk score on the 0-1 scale: it is uniform when `risk_mix` equals
/// the widths of the bands `risk_cuts` makes, as by default. The evidence gives rating
/// error and shifts in sds of true risk; they are multiplied by this to go on the scale.
pub const RISK_SD: f64 = 0.288_675_134_594_812_9;

/// Every key a scenario file may hold. Defaults describe a typical English authority
/// in 2017 (see `scenarios/baseline.toml` for the reasoning behind each). The default of
/// every assumption is its prior's central value.
#[rustfmt::skip]
pub const PARAMS: &[Param] = &[
    // --- run -------------------------------------------------------------------------
    p!("run", "name", Shape::Text, T("unnamed"), "text", "scenario name", "user"),
    p!("run", "description", Shape::Text, T(""), "text", "description", "user"),
    p!("run", "warmup_years", int(0.0, 20.0), N(3.0), "years of 250 working days", "warm-up, not measured", "design: long enough for vacancies and caseloads to settle from day 0"),
    p!("run", "horizon_years", int(1.0, 50.0), N(5.0), "years of 250 working days", "measured horizon", "design"),
    p!("run", "replications", int(1.0, 100_000.0), N(200.0), "replications a rule", "replications", "design"),
    p!("run", "seed", int(0.0, 9_007_199_254_740_992.0), N(2017.0), "whole number", "master seed", "user"),
    p!("run", "rules", Shape::Rules, TT(&["practitioner_only", "manager_shared"]), "rule names; the first two are paired", "decision rules compared", "design"),
    // --- authority (one [[authority]] table each) --------------------------------------
    p!("authority", "name", Shape::Text, T("authority"), "text", "authority name", "user"),
    p!("authority", "code", Shape::Text, T(""), "the DfE's new code (E06000001...); with one, the authority's random streams are its own, the same in any scenario", "authority code", "user (DfE CSWW new_la_code)"),
    p!("authority", "old_code", Shape::Text, T(""), "the DfE's old three-digit code", "authority old code", "user (DfE CSWW old_la_code)"),
    p!("authority", "region", Shape::Text, T(""), "the authority's region", "region", "user (DfE CSWW region_name)"),
    p!("authority", "teams", int(1.0, 1000.0), N(23.0), "teams, each with one manager", "teams", "derived: about 140 case-holding posts a typical authority (DfE CSWW 2017: 17,841 case-holding FTE / 152) in teams of 6"),
    p!("authority", "posts_per_team", int(1.0, 30.0), N(6.0), "social worker posts a manager", "posts a team (manager's span)", "design: teams of 6 (6 to 8 is customary, not a published statistic); held fixed in the uncertainty analysis because with teams it sets the whole establishment: sweep it with teams"),
    p!("authority", "new_referrals_per_year", num(0.0, 1_000_000.0), N(3350.0), "referrals a year, not counting re-referrals", "new referrals a year", "derived: 646,120 referrals in 2016-17 / 152 = 4,250, less 21.9% re-referrals (DfE CIN 2017)"),
    // --- demand --------------------------------------------------------------------------
    p!("demand", "seasonality", Shape::Nums { len: 12, min: 0.0, max: 3.0, integer: false }, L(&[0.95, 1.05, 1.05, 1.0, 0.8, 1.0, 1.05, 1.1, 0.9, 1.05, 1.05, 1.0]), "factor a month, April first, averaging 1", "seasonal factors of referrals", "assumption: dips in the August and December school holidays", amplitude(0.0, 1.0, 2.0, "judgement: no monthly referral series is published")),
    p!("demand", "risk_mix", tiers(0.0, 1.0), L(&[0.40, 0.30, 0.25, 0.05]), "share of referrals a true tier (low, medium, high, immediate), summing to 1", "true risk mix", "derived with judgement: about 36% of referrals lead to a section 47 enquiry (DfE CIN 2025: 230,590 of 632,830); held fixed in the uncertainty analysis because it defines the tiers"),
    p!("demand", "risk_cuts", Shape::Nums { len: 3, min: 0.0, max: 1.0, integer: false }, L(&[0.40, 0.70, 0.95]), "cut-points on the 0-1 risk scale between tiers, increasing", "tier cut-points", "design: the cumulative risk_mix, so that the latent risk score is uniform (sd 0.289)"),
    p!("demand", "assessment_hours", tiers(0.5, 500.0), L(&[8.0, 12.0, 18.0, 24.0]), "hours of work an assessment needs, by true tier", "hours an assessment needs", "assumption", scale(0.7, 1.0, 1.4, "judgement")),
    p!("demand", "assessment_hours_cv", num(0.0, 3.0), N(0.5), "coefficient of variation", "spread of hours an assessment needs", "assumption", tri(0.25, 0.5, 0.8, "judgement")),
    p!("demand", "needed_start_days", tier_days(0.0, 45.0), L(&[20.0, 10.0, 2.0, 0.0]), "working days from referral by which work must start, by true tier", "start a child's risk needs", "design: what 'started late' means (Working Together: immediate risk the same day); an outcome's definition, not varied"),
    p!("demand", "completion_days", tier_days(1.0, 45.0), L(&[45.0, 35.0, 25.0, 15.0]), "working days from referral to the realistic completion target, by decided tier", "completion target by decided tier", "assumption", scale(0.8, 1.0, 1.2, "judgement")),
    p!("demand", "limit_days", int(1.0, 250.0), N(45.0), "working days", "statutory limit", "Working Together 2013-2018: no longer than 45 working days from referral"),
    // --- casework ------------------------------------------------------------------------
    p!("casework", "hours_per_day", num(1.0, 12.0), N(7.4), "hours", "working hours a day", "derived: 37-hour week (NJC local government terms)"),
    p!("casework", "direct_work_share", num(0.05, 1.0), N(0.6), "share of hours spent on cases", "share of hours on casework", "assumption", tri(0.5, 0.6, 0.7, "judgement: workload surveys put 50 to 65% of time on recording and 15 to 25% on direct contact (BASW 2018); casework here includes recording about the case")),
    p!("casework", "max_assessment_hours_per_day", num(0.05, 12.0), N(0.5), "hours on one assessment in a day (visits and checks are spread out)", "hours a day on one assessment", "assumption", tri(0.3, 0.5, 1.0, "judgement")),
    p!("casework", "pacing", num(0.0, 1.0), N(0.25), "share of assessments worked evenly to their completion target, the rest as fast as the daily cap allows", "assessments paced to their target", "assumption", tri(0.10, 0.25, 0.50, "DfE CIN 2025 (assessments by duration): 18.9% completed in days 41 to 45, 1.9 times the daily rate of days 31 to 40; Unison 2012: straightforward cases left 'as the deadline is still a number of days away'")),
    p!("casework", "ongoing_share", tiers(0.0, 1.0), L(&[0.5, 0.8, 0.9, 0.95]), "share of correctly assessed children kept open after assessment, by true tier", "children kept open after assessment", "assumption guided by DfE CIN 2017: 27.8% assessed not in need", scale(0.85, 1.0, 1.1, "judgement")),
    p!("casework", "ongoing_days_mean", num(1.0, 2500.0), N(175.0), "working days a child stays open after assessment", "days a child stays open", "assumption calibrated to 17.7 cases a case holder (DfE CSWW 2017)", tri(140.0, 175.0, 210.0, "judgement around the calibrated value")),
    p!("casework", "ongoing_days_cv", num(0.0, 3.0), N(1.0), "coefficient of variation", "spread of days a child stays open", "assumption", tri(0.5, 1.0, 1.5, "judgement")),
    p!("casework", "ongoing_hours_per_day", num(0.0, 8.0), N(0.15), "hours a day an open child takes", "hours a day an open child takes", "assumption", tri(0.1, 0.15, 0.2, "judgement")),
    p!("casework", "caseload_cap", int(1.0, 100.0), N(25.0), "cases (assessments and open children)", "caseload cap", "assumption: about 12% of case holders had 25 or more (DfE CSWW 2021)", tri(22.0, 25.0, 30.0, "DfE CSWW 2021: 20% of case holders had 20 to 25 cases, 12% over 25")),
    p!("casework", "caseload_cap_newly_qualified", int(1.0, 100.0), N(18.0), "cases", "newly qualified caseload cap", "assumption: protected caseload in the assessed first year", tri(15.0, 18.0, 22.0, "judgement")),
    p!("casework", "manageable_caseload", num(1.0, 100.0), N(18.0), "cases a worker holds without strain: load is caseload over this", "manageable caseload", "assumption near the 2017 mean of 17.7 cases (DfE CSWW); drives rating error and stress", tri(15.0, 18.0, 21.0, "judgement")),
    p!("casework", "handover_loss", num(0.0, 1.0), N(0.25), "share of hours done on an assessment lost when its worker leaves", "work lost at handover", "assumption", tri(0.1, 0.25, 0.5, "judgement")),
    p!("casework", "rush_cut_share", num(0.0, 1.0), N(0.5), "share of the remaining hours skipped once an assessment passes the limit", "corners cut past the limit", "assumption", tri(0.25, 0.5, 0.75, "judgement")),
    p!("casework", "recording_hours_per_shared_decision", num(0.0, 8.0), N(0.25), "hours of the worker's day a shared decision takes to record", "recording a shared decision", "assumption", tri(0.0, 0.25, 0.5, "judgement: no published figure")),
    // --- judgement -----------------------------------------------------------------------
    p!("judgement", "sd_expert", num(0.0, 2.0), N(0.26), "sd of rating error on the 0-1 risk scale, long experience", "rating error, experienced worker", "assumption", tri(0.17, 0.26, 0.375, "Kang and Poertner 2006 (kappa 0.29, 41 caseworkers), Bolton et al. 2021 (alpha 0.58): 0.6 to 1.3 sd of true risk, most likely 0.9, times 0.289")),
    p!("judgement", "novice_sd_ratio", num(0.25, 4.0), N(1.1), "rating error with no experience over rating error with long experience", "novice's rating error over an expert's", "assumption", tri(1.0, 1.1, 1.3, "Wilkins et al. 2020 (less experienced workers no less accurate), Bartelink et al. 2013: an experience effect on noise is null or small")),
    p!("judgement", "learning_years", num(0.1, 30.0), N(3.0), "years (e-folding time of the learning curve)", "learning time", "assumption", tri(1.0, 3.0, 6.0, "judgement")),
    p!("judgement", "load_effect", num(0.0, 5.0), N(0.5), "proportional rise in rating error a unit of load above 1 (caseload over manageable_caseload)", "rating error under load", "assumption", tri(0.0, 0.5, 1.0, "judgement (McFadden et al.: workload predicts exhaustion)")),
    p!("judgement", "rho", num(-0.99, 0.99), N(0.5), "correlation of worker's and manager's rating errors", "anchoring of the manager on the worker", "assumption", tri(0.2, 0.5, 0.8, "Wilkins, Forrester and Grant 2017: supervision discussions are oversight of the worker's account, not an independent reading")),
    p!("judgement", "manager_weight", num(0.5, 1.0), N(0.75), "weight on the manager's rating in a shared decision (1: the manager decides)", "weight on the manager's view", "assumption", uni(0.5, 1.0, "judgement; Kurvers et al. 2016: pooling helps only between similar accuracies, else deferring to the better judge wins")),
    p!("judgement", "manager_sd_ratio", num(0.25, 4.0), N(1.0), "manager's rating error over a worker's of the same experience", "manager's skill", "assumption", tri(0.8, 1.0, 1.25, "judgement: managers rate like any experienced worker")),
    p!("judgement", "manager_info_penalty", num(0.0, 2.0), N(0.15), "proportional rise in the manager's rating error for not having met the child", "manager's distance from the child", "assumption", tri(0.0, 0.15, 0.5, "judgement: no published figure")),
    p!("judgement", "manager_queue_effect", num(0.0, 0.5), N(0.0), "proportional rise in the manager's rating error for each other case waiting in their queue", "manager's error from their queue", "assumption", tri(0.0, 0.0, 0.03, "judgement: no published figure")),
    p!("judgement", "lone_rating_shift", num(-0.5, 0.5), N(0.03), "shift of a lone rating on the 0-1 scale (+ more urgent)", "shift when deciding alone", "assumption", tri(-0.06, 0.03, 0.09, "Vial et al. 2021 (practitioners alone judged immediate danger more often than panels), BJSW 2015 45(8) (blame raises ratings), Wilkins and Meindl 2023 (many false positives): -0.2 to +0.3 sd of true risk, most likely +0.1")),
    p!("judgement", "shared_rating_shift", num(-0.5, 0.5), N(0.0), "shift of a shared rating on the 0-1 scale (+ more urgent)", "shift when deciding together", "assumption", tri(-0.06, 0.0, 0.06, "Isenberg 1986 (group polarisation either way), Kelly and Milner 1996 (case conferences riskier), Missouri Team Decision Making trial (groups less interventionist): no direction")),
    p!("judgement", "drift_share", num(0.0, 1.0), N(0.075), "share of low and medium cases decided alone whose target becomes the limit", "drift when deciding alone", "assumption", tri(0.0, 0.075, 0.19, "Islington pilot 2011-12: 25% of assessments over 45 days before further work with managers, 6% after (Community Care, 20 June 2012); Munro and Lushey 2012: early supervisory input sets a realistic timescale")),
    p!("judgement", "combine", Shape::Choice(&["average", "defer_to_manager", "more_urgent"]), T("average"), "how a shared decision combines the worker's and the manager's rating", "how views are combined", "design: average with manager_weight spans pooling to deferring; more_urgent is a structural alternative to run as a scenario"),
    // --- quality -------------------------------------------------------------------------
    p!("quality", "q_novice", num(0.0, 1.0), N(0.78), "chance an assessment matches need, no experience", "assessment quality, novice", "assumption", tri(0.7, 0.78, 0.86, "judgement")),
    p!("quality", "q_expert", num(0.0, 1.0), N(0.90), "chance an assessment matches need, long experience", "assessment quality, experienced", "assumption", tri(0.85, 0.9, 0.95, "judgement")),
    p!("quality", "supervision_bonus", num(0.0, 1.0), N(0.03), "added to quality with a manager's input", "quality added by a manager's input", "assumption", tri(0.0, 0.03, 0.08, "Bostock et al. 2019 (supervision quality correlates with practice quality; no effect size), Carpenter et al. 2013 (the evidence is weak)")),
    p!("quality", "rush_penalty", num(0.0, 1.0), N(0.3), "quality lost a unit share of needed hours not delivered", "quality lost to cut corners", "assumption", tri(0.1, 0.3, 0.5, "judgement")),
    p!("quality", "rereferral_if_missed", num(0.0, 1.0), N(0.6), "chance a child whose need was missed is re-referred within 12 months", "re-referral after missed need", "assumption calibrated to 21.9% re-referrals (DfE CIN 2017)", tri(0.45, 0.6, 0.75, "judgement around the calibrated value")),
    p!("quality", "rereferral_base", num(0.0, 1.0), N(0.18), "chance a correctly assessed child is re-referred within 12 months", "re-referral after a sound assessment", "assumption calibrated to 21.9% re-referrals (DfE CIN 2017)", tri(0.14, 0.18, 0.22, "judgement around the calibrated value")),
    // --- managers ------------------------------------------------------------------------
    p!("managers", "consult_hours_per_day", num(0.1, 8.0), N(1.5), "hours a day for timescale consultations", "manager's consultation hours", "assumption", tri(0.75, 1.5, 3.0, "judgement")),
    p!("managers", "minutes_per_consult", num(1.0, 480.0), N(15.0), "minutes (mean) a consultation takes", "minutes a consultation", "assumption", tri(5.0, 15.0, 30.0, "judgement: no published figure; 90 minutes of supervision a month over 15 to 17 cases is 5 to 6 minutes a case")),
    p!("managers", "consult_time", Shape::Choice(&["fixed", "exponential"]), T("fixed"), "how consultation times vary", "consultation times", "design: exponential for the M/M/1 check"),
    p!("managers", "freed_time_use", Shape::Choice(&["supervision", "none"]), T("supervision"), "what managers do with consultation time a rule leaves free", "use of freed manager time", "design: a structural alternative to run as a scenario"),
    p!("managers", "leave_rate_per_year", num(0.0, 5.0), N(0.12), "leavers a manager-year", "managers leaving", "assumption near social worker turnover (DfE CSWW)", tri(0.08, 0.12, 0.2, "Community Care 2011: two-thirds had two or more line managers in 14 months")),
    p!("managers", "vacancy_days", int(1.0, 500.0), N(60.0), "working days a manager post stays empty", "manager vacancy", "assumption", tri(20.0, 60.0, 120.0, "judgement")),
    p!("managers", "promotion_share", num(0.0, 1.0), N(0.5), "share of new managers promoted from the authority's social workers", "managers promoted from within", "assumption", tri(0.25, 0.5, 0.75, "judgement")),
    p!("managers", "experience_years_mean", num(0.1, 40.0), N(12.0), "years of experience of external hires and the first managers", "managers' experience", "assumption", tri(8.0, 12.0, 16.0, "judgement")),
    p!("managers", "experience_years_cv", num(0.0, 3.0), N(0.5), "coefficient of variation of managers' experience", "spread of managers' experience", "assumption", tri(0.3, 0.5, 0.7, "judgement")),
    p!("managers", "supervision_window_days", num(1.0, 250.0), N(20.0), "working days over which unused consultation time is averaged into supervision", "supervision averaging window", "assumption", tri(10.0, 20.0, 40.0, "judgement")),
    // --- workforce -----------------------------------------------------------------------
    p!("workforce", "leave_rate_permanent", num(0.0, 5.0), N(0.12), "leavers a worker-year at stress 1 after 5 years in the authority", "permanent staff leaving rate", "derived: about 12% a year after 5 years' service (DfE workforce census: leavers and staff by length of service); fitted values in scenarios/england_2017.toml"),
    p!("workforce", "tenure_hazard_ratio_under_2", num(0.2, 5.0), N(1.5), "leaving rate in the first 2 years in the authority over the rate after 5", "early leaving, first 2 years", "assumption", tri(1.2, 1.5, 1.9, "derived: about 18% a year under 2 years' service against 12% after 5 (DfE census: 35% of leavers under 2 years, 60% of staff under 5)")),
    p!("workforce", "tenure_hazard_ratio_2_to_5", num(0.2, 5.0), N(1.4), "leaving rate in years 2 to 5 in the authority over the rate after 5", "early leaving, years 2 to 5", "assumption", tri(1.1, 1.4, 1.7, "derived: about 17% a year at 2 to 5 years' service against 12% after 5 (DfE census)")),
    p!("workforce", "leave_rate_newly_qualified", num(0.0, 5.0), N(0.185), "leavers a worker-year at stress 1, first year of practice", "newly qualified leaving rate", "derived: about 10% of newly registered social workers leave the profession within a year (Social Work England register 2022) and 56% of leavers leave local authority children's social work (DfE 2020-21), so about 18% leave their authority"),
    p!("workforce", "leave_rate_agency", num(0.0, 5.0), N(0.8), "agency placements ending a worker-year", "agency placements ending", "assumption: no statistic exists", tri(0.4, 0.8, 1.5, "judgement bounded by one week's notice (before 2024), one managed team's 5-month average (Wokingham FOI 2018), 'more likely to move around' (Independent Review 2022)")),
    p!("workforce", "stress_effect", num(0.0, 5.0), N(0.5), "log hazard ratio a unit of stress above 1", "leaving under stress", "assumption", tri(0.0, 0.5, 1.0, "Kim and Kao 2014 (caseload had no effect on intention to leave), McFadden et al. (workload predicts exhaustion): kept moderate")),
    p!("workforce", "stress_window_days", num(1.0, 500.0), N(60.0), "working days (moving-average window of load: caseload over manageable_caseload)", "stress averaging window", "assumption", tri(20.0, 60.0, 120.0, "judgement")),
    p!("workforce", "lone_decision_leave_effect", num(-0.9, 5.0), N(0.1), "proportional change in leaving after deciding a timescale alone (+ exposure, - autonomy)", "leaving after deciding alone", "assumption", tri(-0.2, 0.1, 0.3, "exposure: BASW 2017 (left 'exposed'), Mor Barak et al. 2009 (supervisory support r 0.3 to 0.4 with retention); autonomy: Kim and Kao 2014 (decision-making predictors of medium size); the evidence leans to exposure")),
    p!("workforce", "lone_decision_window_days", num(1.0, 500.0), N(60.0), "working days the effect of a lone decision on leaving lasts", "lone-decision effect window", "assumption", tri(20.0, 60.0, 120.0, "judgement")),
    p!("workforce", "notice_days", int(0.0, 250.0), N(20.0), "working days from resignation to leaving", "notice period", "assumption: four weeks' notice", tri(15.0, 20.0, 40.0, "judgement: one month is the common contract term, more for seniors")),
    p!("workforce", "agency_notice_days", int(0.0, 250.0), N(5.0), "working days", "agency notice period", "derived: one week's locum notice (Caritas Recruitment 2014); four weeks from October 2024"),
    p!("workforce", "time_to_hire_days_mean", num(1.0, 2000.0), N(380.0), "working days from a leaver to the permanent hire starting", "time to hire", "derived: vacancy 17.0% with turnover 13.4% (DfE CSWW 2017) means a post stays vacant about 1.5 years (v/(1-v) = turnover x time)"),
    p!("workforce", "time_to_hire_days_cv", num(0.0, 3.0), N(1.0), "coefficient of variation", "spread of time to hire", "assumption", tri(0.5, 1.0, 1.5, "judgement")),
    p!("workforce", "newly_qualified_share", num(0.0, 1.0), N(0.3), "share of permanent hires in their first year of practice", "newly qualified share of hires", "assumption", tri(0.2, 0.3, 0.45, "judgement: starters are 15-19% of FTE a year (DfE CSWW)")),
    p!("workforce", "experienced_hire_years_mean", num(1.0, 40.0), N(6.0), "years of experience of an experienced hire (and of agency workers)", "experience of experienced hires", "assumption", tri(4.0, 6.0, 9.0, "judgement")),
    p!("workforce", "experienced_hire_years_cv", num(0.0, 3.0), N(0.8), "coefficient of variation of that experience", "spread of hires' experience", "assumption", tri(0.5, 0.8, 1.1, "judgement")),
    p!("workforce", "agency_cover_share", num(0.0, 1.0), N(0.9), "chance a vacancy gets agency cover", "vacancies covered by agency", "derived: 67.5% of vacancies covered by agency FTE (DfE CSWW 2017, vacancy_agency_cover_rate); fitted in scenarios/england_2017.toml"),
    p!("workforce", "agency_start_days", int(1.0, 250.0), N(20.0), "working days from a vacancy to agency cover", "wait for agency cover", "assumption", tri(5.0, 20.0, 40.0, "judgement")),
    p!("workforce", "long_absence_share", num(0.0, 0.5), N(0.04), "share of employed workers' days on long absence (sickness, maternity)", "long absence", "assumption", tri(0.02, 0.04, 0.06, "DfE CSWW 2017: 3.1% of working days lost to sickness, all spells; maternity leave about 2 to 3% of staff (judgement)")),
    p!("workforce", "long_absence_days_mean", num(5.0, 500.0), N(120.0), "working days a long absence lasts (mean, exponential)", "length of a long absence", "assumption", tri(60.0, 120.0, 200.0, "judgement")),
    p!("workforce", "absence_agency_cover_share", num(0.0, 1.0), N(0.8), "chance a long absence gets agency cover", "absences covered by agency", "assumption", tri(0.4, 0.8, 1.0, "DfE CSWW: agency workers not covering vacancies are 2.8 to 5.2% of FTE, about the size of sickness and maternity absence; what they cover is not published")),
    p!("workforce", "initial_experience_years_mean", num(0.1, 40.0), N(7.0), "years of experience of the first workers", "first workers' experience", "design: the warm-up washes it out"),
    p!("workforce", "initial_experience_years_cv", num(0.0, 3.0), N(0.9), "coefficient of variation of that experience", "spread of first workers' experience", "design: the warm-up washes it out"),
    p!("workforce", "initial_vacancy_share", num(0.0, 1.0), N(0.17), "share of posts vacant on day 0", "posts vacant on day 0", "DfE CSWW 2017: 17.0%"),
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

    /// Every assumption carries a prior and only assumptions do; a prior lies in the
    /// allowed range, names its source, and the default is its central value.
    #[test]
    fn every_assumption_has_a_prior_centred_on_its_default() {
        for p in PARAMS {
            assert_eq!(p.is_assumption(), p.prior.is_some(), "{}: assumption and prior go together", p.path());
            assert!(!p.label.is_empty(), "{} has no label", p.path());
            let Some(prior) = p.prior else { continue };
            assert!(!prior.source.is_empty(), "{}: a prior names its source or 'judgement'", p.path());
            let (low, high, centre) = (prior.dist.low(), prior.dist.high(), prior.dist.centre());
            assert!(low <= centre && centre <= high, "{}", p.path());
            match (p.shape, prior.on, p.default) {
                (Shape::Num { min, max, .. }, On::Value, Default::Num(v)) => {
                    assert!(min <= low && high <= max, "{}: prior outside the allowed range", p.path());
                    assert!((v - centre).abs() < 1e-12, "{}: default {v} is not the prior's centre {centre}", p.path());
                }
                (Shape::Nums { .. }, On::Scale | On::Amplitude, _) => {
                    assert!(low >= 0.0 && (centre - 1.0).abs() < 1e-12, "{}: a factor centred on 1", p.path());
                }
                _ => panic!("{}: the prior does not fit the shape", p.path()),
            }
        }
    }

    #[test]
    fn quantiles_invert_the_distribution_function() {
        for d in [
            Dist::Uniform { low: -1.0, high: 3.0 },
            Dist::Triangular { low: 0.1, mode: 0.25, high: 0.5 },
            Dist::Triangular { low: 0.0, mode: 0.0, high: 0.03 },
            Dist::Triangular { low: 1.0, mode: 2.0, high: 2.0 },
        ] {
            assert_eq!(d.quantile(0.0), d.low());
            assert!((d.quantile(1.0) - d.high()).abs() < 1e-12);
            for i in 1..100 {
                let u = f64::from(i) / 100.0;
                assert!((d.cdf(d.quantile(u)) - u).abs() < 1e-12, "{d:?} at {u}");
            }
        }
        // The triangle's mode is where the density peaks: the cdf there is (mode-low)/(high-low).
        let t = Dist::Triangular { low: 0.0, mode: 1.0, high: 4.0 };
        assert!((t.cdf(1.0) - 0.25).abs() < 1e-12);
    }
}
