//! One authority's values: its figures, or its region's where the DfE gives none or an
//! implausible one; its teams and new referrals; and its own values of the four keys the
//! base's national calibration scales, with a note for every fallback and clamp.

use super::EnglandError;
use super::figures::{Indicator, Place, Reading, Year, read};
pub(super) use crate::format::significant;
use crate::scenario::key;
use crate::scenario::params;

/// A figure as used, and the note saying so when it is not the authority's own number.
struct Used {
    value: f64,
    note: Option<String>,
    fell_back: bool,
}

/// A region's name as an owner: "the North East's", "the West Midlands'", "Inner London's".
fn of_region(name: &str) -> String {
    let article = ["North ", "South ", "East ", "West "].iter().any(|p| name.starts_with(p));
    let s = if name.ends_with('s') { "'" } else { "'s" };
    format!("{}{name}{s}", if article { "the " } else { "" })
}

/// A rate (caseload among them): the authority's own, or its region's, or England's.
fn rate(a: &Place, i: Indicator, region: Option<&Place>, year: &Year) -> Result<Used, EnglandError> {
    let in_post = a.number(Indicator::InPost);
    let col = i.column();
    let why = match read(a.raw(i)) {
        Reading::Number(x) => match i.implausible(x, in_post) {
            None => return Ok(Used { value: x, note: None, fell_back: false }),
            Some(why) => format!("{} ({why})", crate::format::exact(x)),
        },
        Reading::Low => match i.implausible(0.0, in_post) {
            None => {
                let note = format!("{col}: low (rounds to 0 but is not 0); read as 0");
                return Ok(Used { value: 0.0, note: Some(note), fell_back: false });
            }
            Some(why) => format!("low, read as 0 ({why})"),
        },
        Reading::Missing(what) => what,
    };
    let (owner, value) = match region.and_then(|r| r.usable(i)) {
        Some(x) => (of_region(&a.region), x),
        None => ("England's".to_string(), year.national(i)?),
    };
    let note = format!("{col}: {why}; {owner} {} used", crate::format::exact(value));
    Ok(Used { value, note: Some(note), fell_back: true })
}

/// A count: the authority's own, or its other count times its region's ratio of the two,
/// or, with neither, the region's mean over its authorities.
fn count(a: &Place, i: Indicator, other: Indicator, region: &Place, n_in_region: usize) -> Used {
    let col = i.column();
    let why = match read(a.raw(i)) {
        Reading::Number(x) if i.implausible(x, None).is_none() => {
            return Used { value: x, note: None, fell_back: false };
        }
        Reading::Number(x) => format!("{} ({})", crate::format::exact(x), i.implausible(x, None).unwrap_or("")),
        Reading::Low => "low (rounds to 0 but is not 0)".to_string(),
        Reading::Missing(what) => what,
    };
    let owner = of_region(&a.region);
    let (value, how) = match (a.usable(other), region.usable(i), region.usable(other)) {
        (Some(y), Some(ri), Some(ro)) if ro > 0.0 => {
            let ratio = ri / ro;
            let fig = |x: f64| crate::format::exact(significant(x, 4));
            let how = format!(
                "{} = {} {} x {owner} {} {} a {}",
                fig(y * ratio),
                fig(y),
                other.noun(),
                fig(ratio),
                i.noun(),
                other.noun().trim_end_matches('s')
            );
            (y * ratio, how)
        }
        (_, Some(ri), _) => {
            let mean = ri / n_in_region.max(1) as f64;
            (mean, format!("{owner} mean per authority, {}, used", crate::format::exact(significant(mean, 4))))
        }
        _ => (0.0, format!("{owner} figure is not usable either; 0 used")),
    };
    Used { value, note: Some(format!("{col}: {why}; {how}")), fell_back: true }
}

/// Years a post stays vacant: `v / (1 - v) / turnover`, both in percent.
pub(super) fn vacant_years(vacancy: f64, turnover: f64) -> f64 {
    (vacancy / 100.0) / (1.0 - vacancy / 100.0) / (turnover / 100.0)
}

/// The base scenario's national calibration of the four keys an authority sets for itself.
pub(super) struct Calibration {
    pub(super) leave_rate: f64,
    pub(super) time_to_hire: f64,
    pub(super) agency_cover: f64,
    pub(super) ongoing_days: f64,
    pub(super) direct_work: f64,
    pub(super) posts_per_team: u32,
}

/// One authority as written.
pub(super) struct Written {
    pub(super) place: Place,
    pub(super) teams: u32,
    pub(super) posts_per_team: u32,
    /// How the posts were worked out, in words.
    pub(super) posts: String,
    pub(super) new_referrals: f64,
    /// How the new referrals were worked out, in words.
    pub(super) referrals: String,
    /// `section.key`, value and where the value comes from.
    pub(super) own: Vec<(&'static str, f64, String)>,
    /// Comment lines above the table: fallbacks, clamps, a code that differs.
    pub(super) notes: Vec<String>,
    /// The figures that fell back to the region's or England's.
    pub(super) fell_back: Vec<Indicator>,
    pub(super) clamped: usize,
    /// The rates as used (the authority's own, or its region's): turnover, vacancy,
    /// agency and re-referral %, and caseload.
    pub(super) figures: super::Figures,
}

/// An authority's values from its figures (or its region's), the base's calibration and
/// the number of authorities in its region.
pub(super) fn of(a: &Place, year: &Year, base: &Calibration, n_in_region: usize) -> Result<Written, EnglandError> {
    let region = year.regions.get(&a.region);
    let mut notes = Vec::new();
    let mut fell_back = Vec::new();
    let mut used = |i: Indicator, u: Used| {
        notes.extend(u.note);
        if u.fell_back {
            fell_back.push(i);
        }
        u.value
    };
    let turnover = used(Indicator::Turnover, rate(a, Indicator::Turnover, region, year)?);
    let vacancy = used(Indicator::Vacancy, rate(a, Indicator::Vacancy, region, year)?);
    let agency = used(Indicator::Agency, rate(a, Indicator::Agency, region, year)?);
    let caseload = used(Indicator::Caseload, rate(a, Indicator::Caseload, region, year)?);
    let rereferrals = used(Indicator::Rereferrals, rate(a, Indicator::Rereferrals, region, year)?);
    let region_place = region.unwrap_or(&year.england);
    let case_holders =
        used(Indicator::CaseHolders, count(a, Indicator::CaseHolders, Indicator::Referrals, region_place, n_in_region));
    let referrals =
        used(Indicator::Referrals, count(a, Indicator::Referrals, Indicator::CaseHolders, region_place, n_in_region));
    if let Some(other) = &a.referral_code {
        notes.push(format!(
            "code: {} in the workforce file, {other} in the referral file (matched by old code {} and name)",
            a.code, a.old_code
        ));
    }

    let posts = case_holders / (1.0 - vacancy / 100.0);
    let teams = ((posts / f64::from(base.posts_per_team)).round() as u32).max(1);
    let new_referrals = (referrals * (1.0 - rereferrals / 100.0)).round();

    let (n_turnover, n_vacancy) = (year.national(Indicator::Turnover)?, year.national(Indicator::Vacancy)?);
    let (n_agency, n_caseload) = (year.national(Indicator::Agency)?, year.national(Indicator::Caseload)?);
    let (n_referrals, n_case_holders) = (year.national(Indicator::Referrals)?, year.national(Indicator::CaseHolders)?);
    let pct = |x: f64| format!("{}%", crate::format::exact(x));
    let fig = |x: f64| crate::format::exact(significant(x, 4));
    let own = [
        (
            key::workforce::leave_rate_permanent,
            base.leave_rate * turnover / n_turnover,
            format!("the base's {} x turnover {} / England's {}", fig(base.leave_rate), pct(turnover), pct(n_turnover)),
        ),
        (
            key::workforce::time_to_hire_days_mean,
            base.time_to_hire * vacant_years(vacancy, turnover) / vacant_years(n_vacancy, n_turnover),
            format!(
                "the base's {} x years a post stays vacant, v/(1-v)/turnover, {} (vacancy {}, turnover {}) / England's {} ({}, {})",
                fig(base.time_to_hire),
                fig(vacant_years(vacancy, turnover)),
                pct(vacancy),
                pct(turnover),
                fig(vacant_years(n_vacancy, n_turnover)),
                pct(n_vacancy),
                pct(n_turnover)
            ),
        ),
        (
            key::workforce::agency_cover_share,
            odds_scaled(base.agency_cover, agency / n_agency),
            format!(
                "the base's {} scaled on the odds by agency rate {} / England's {}",
                fig(base.agency_cover),
                pct(agency),
                pct(n_agency)
            ),
        ),
        (
            // An authority with many more referrals a case holder than England's does more
            // of its work outside the case holders' caseloads (front doors, early help):
            // more of a post's hours go to assessments, at most 0.95.
            key::casework::direct_work_share,
            (base.direct_work * (referrals / case_holders) / (n_referrals / n_case_holders))
                .clamp(base.direct_work, 0.95),
            format!(
                "the base's {} x referrals a case holder {} / England's {}, at least the base's, at most 0.95",
                fig(base.direct_work),
                fig(referrals / case_holders),
                fig(n_referrals / n_case_holders)
            ),
        ),
        (
            key::casework::ongoing_days_mean,
            base.ongoing_days * caseload / n_caseload,
            format!(
                "the base's {} x caseload {} / England's {}",
                fig(base.ongoing_days),
                crate::format::exact(caseload),
                crate::format::exact(n_caseload)
            ),
        ),
    ];
    let mut clamped = 0;
    let own = own
        .into_iter()
        .map(|(path, x, how)| {
            let x = significant(x, 4);
            let (min, max) = match params::find_path(path).map(|p| p.shape) {
                Some(params::Shape::Num { min, max, .. }) => (min, max),
                _ => (f64::NEG_INFINITY, f64::INFINITY),
            };
            let kept = x.clamp(min, max);
            if kept != x {
                clamped += 1;
                let (what, bound) = if x < min {
                    ("raised to the allowed minimum", min)
                } else {
                    ("capped at the allowed maximum", max)
                };
                notes.push(format!("{path}: {} {what}, {}", crate::format::exact(x), crate::format::exact(bound)));
            }
            (path, kept, how)
        })
        .collect();
    Ok(Written {
        place: a.clone(),
        teams,
        posts_per_team: base.posts_per_team,
        posts: format!(
            "{} case holders / (1 - vacancy {}) = {} posts, in teams of {} (DfE CSWW {y})",
            fig(case_holders),
            pct(vacancy),
            fig(posts),
            base.posts_per_team,
            y = year.year
        ),
        new_referrals,
        referrals: format!(
            "{} referrals x (1 - re-referrals {}) (DfE CIN {y})",
            fig(referrals),
            pct(rereferrals),
            y = year.year
        ),
        own,
        notes,
        fell_back,
        clamped,
        figures: super::Figures { turnover, vacancy, agency, caseload, rereferrals },
    })
}

/// A share `p` whose odds are scaled by `k`: stays inside 0..1 and keeps authorities apart
/// where a plain scaling would put many at 1.
pub(super) fn odds_scaled(p: f64, k: f64) -> f64 {
    if p >= 1.0 {
        return 1.0;
    }
    let odds = p / (1.0 - p) * k.max(0.0);
    odds / (1.0 + odds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_significant_figures_and_region_names() {
        assert_eq!(significant(0.065851, 4), 0.06585);
        assert_eq!(significant(123456.0, 4), 123500.0);
        assert_eq!(significant(311.64, 4), 311.6);
        assert_eq!(of_region("North East"), "the North East's");
        assert_eq!(of_region("West Midlands"), "the West Midlands'");
        assert_eq!(of_region("Inner London"), "Inner London's");
    }
}
