//! England through the years: each authority of an authorities scenario (its own values
//! those of the scenario's year, usually the fitted 2025) run from a first year to a last,
//! its referrals and establishment changing each year as it published them, leaving,
//! hiring and agency cover following England's published path, and the rule in force
//! switching on a day (docs/ODD.md section 6.6). Pure: the DfE files are compiled in.
//!
//! A model year `Y` is the DfE's `time_period` `Y` of both files, as in `caseload
//! england`: referrals in the year to 31 March `Y`, the workforce census of 30 September
//! `Y` (six months apart; the ODD says what that does).
//!
//! What is an input and what is an outcome. Each authority's **referrals** (new ones:
//! `referral_count x (1 - rereferral_percent/100)`) and **establishment** (`case_holders_fte
//! / (1 - vacancy_rate_fte/100)` posts, in whole teams; a year without the authority's
//! figures, every year before the census began in 2017, takes the nearest year's scaled by
//! England's FTE in post, quoted before 2017 in `data/dfe/national_series_press.csv`) are
//! inputs, year by year: demand
//! and funded posts are not what the rule changes. **Leaving, time to hire and agency
//! cover** move with England's published figures only (the authority's own value x
//! England's figure that year / England's in the base's year), never with the authority's
//! own (and a post that growth opens is vacant at England's vacancy rate that year,
//! `workforce.initial_vacancy_share`, else filled by a hire that day): an authority's own turnover, vacancy and agency rate year by year are outcomes,
//! which the rule may change and the analysis compares with the record. **The work a post
//! does** follows the authority's own figures, by the rules `caseload england` uses
//! between authorities, here between years: `casework.direct_work_share` by referrals a
//! case holder (past 0.95, `demand.assessment_hours` shrink by the rest) and `casework.ongoing_days_mean` by caseload, each over the base year's
//! (so caseload is shaped by an input, and is no test of the rule). Nothing published by
//! year gives the newly qualified share of hires: it is held.

use std::collections::BTreeMap;

use super::EnglandError;
use super::authority::{odds_scaled, vacant_years};
use super::figures::{Indicator, Place, REFERRALS_CSV, REFERRALS_FILE, WORKFORCE_CSV, WORKFORCE_FILE, places_by_year};
use crate::model::{History, Metric, Rule, authority_seed, mix};
use crate::scenario::{DAYS_PER_YEAR, Scenario, Value, key};

/// Working Together 2018 was published on 4 July 2018: in the DfE's year 2019 (to 31 March
/// 2019), three months in, about day 62 of its 250 working days.
pub const SWITCH_YEAR: u32 = 2019;
pub const SWITCH_DAY: u32 = 62;

/// What a history of England is asked for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// An authorities scenario (`caseload england --year Y`), whose authorities' own values
    /// are those of `base_year`.
    pub base: &'a Scenario,
    pub base_year: u32,
    /// The first and last model years (inclusive).
    pub from: u32,
    pub to: u32,
    /// The model year and working day in it on which the new wording took effect.
    pub switch_year: u32,
    pub switch_day: u32,
    /// The share of authorities whose practice changed, and the working days after the
    /// wording that it took them (the two unknowns of the switch).
    pub share_changed: f64,
    pub lag_days: u32,
    /// Picks which authorities changed: an authority changed when a number drawn from
    /// its code and this seed is below `share_changed`.
    pub seed: u64,
    /// The rule in force before, and after for those that changed.
    pub before: Rule,
    pub after: Rule,
}

/// One authority's history, its counterfactual and what was held.
#[derive(Debug, Clone)]
pub struct AuthorityHistory {
    pub name: String,
    pub code: String,
    pub region: String,
    /// The authority as it was: the rule switching when its practice changed.
    pub history: History,
    /// The same years, the wording never changed.
    pub counterfactual: History,
    /// Whether its practice changed within the run.
    pub changed: bool,
    /// Inputs held from another year (`"referrals 2014 from 2015"`).
    pub held: Vec<String>,
}

/// The published figures a history is compared with: by authority code (the base's) and
/// year, and England's by year, each as the DfE gives it (a usable number only).
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub authorities: BTreeMap<(String, u32, Metric), f64>,
    pub england: BTreeMap<(u32, Metric), f64>,
}

/// The published series a history is set against, by authority and for England, with the
/// metric each is compared with (the DfE's referral count includes re-referrals, as the
/// model's referrals do).
const SERIES: [(bool, Indicator, Metric); 6] = [
    (true, Indicator::Turnover, Metric::Turnover),
    (true, Indicator::Vacancy, Metric::Vacancy),
    (true, Indicator::Agency, Metric::Agency),
    (true, Indicator::Caseload, Metric::Caseload),
    (false, Indicator::Rereferrals, Metric::Rereferral),
    (false, Indicator::Referrals, Metric::ReferralsPerYear),
];

/// Whether the DfE's files publish a metric's series by authority.
pub fn published_by_authority(m: Metric) -> bool {
    SERIES.iter().any(|s| s.2 == m)
}

/// Every row of both files by year: authorities and England.
struct Rows {
    workforce: BTreeMap<u32, (Option<Place>, Vec<Place>)>,
    referrals: BTreeMap<u32, (Option<Place>, Vec<Place>)>,
}

impl Rows {
    fn read() -> Result<Rows, EnglandError> {
        let mut rows = Rows { workforce: BTreeMap::new(), referrals: BTreeMap::new() };
        for (text, file, indicators, into) in [
            (WORKFORCE_CSV, WORKFORCE_FILE, &Indicator::WORKFORCE[..], &mut rows.workforce),
            (REFERRALS_CSV, REFERRALS_FILE, &Indicator::REFERRALS[..], &mut rows.referrals),
        ] {
            for (year, all) in places_by_year(text, file, indicators)? {
                let (mut england, mut authorities) = (None, Vec::new());
                for p in all {
                    if p.is_national() {
                        england = Some(p);
                    } else if p.is_authority() {
                        authorities.push(p);
                    }
                }
                into.insert(year, (england, authorities));
            }
        }
        Ok(rows)
    }

    /// An authority's usable figure in a year: matched by its code, else its old code.
    fn own(&self, workforce: bool, year: u32, code: &str, old_code: &str, i: Indicator) -> Option<f64> {
        let rows = if workforce { &self.workforce } else { &self.referrals };
        let (_, all) = rows.get(&year)?;
        let p = all.iter().find(|p| p.code == code).or_else(|| all.iter().find(|p| p.old_code == old_code))?;
        p.usable(i)
    }

    fn england(&self, workforce: bool, year: u32, i: Indicator) -> Option<f64> {
        let rows = if workforce { &self.workforce } else { &self.referrals };
        rows.get(&year)?.0.as_ref()?.usable(i)
    }

    fn years(&self, workforce: bool) -> Vec<u32> {
        (if workforce { &self.workforce } else { &self.referrals }).keys().copied().collect()
    }
}

/// The value of year `y` from `get`, else the nearest year's that has one (the earlier on
/// a tie), with the year it came from.
fn nearest_year(years: &[u32], y: u32, get: impl Fn(u32) -> Option<f64>) -> Option<(f64, u32)> {
    let mut by_distance: Vec<u32> = years.to_vec();
    by_distance.sort_by_key(|&x| (x.abs_diff(y), x));
    by_distance.into_iter().find_map(|x| get(x).map(|v| (v, x)))
}

/// England's FTE social workers in post at 30 September by year: the figures quoted in
/// `data/dfe/national_series_press.csv` (metric `inpost_fte`), and the census's where it
/// has a usable one.
fn in_post_by_year(rows: &Rows, wf_years: &[u32]) -> BTreeMap<u32, f64> {
    let mut out: BTreeMap<u32, f64> = super::figures::press()
        .into_iter()
        .filter(|(_, name, v)| name == "inpost_fte" && *v > 0.0)
        .map(|(y, _, v)| (y, v))
        .collect();
    for &y in wf_years {
        if let Some(v) = rows.england(true, y, Indicator::InPost).filter(|&v| v > 0.0) {
            out.insert(y, v);
        }
    }
    out
}

/// A series' value in year `y`: its own, else geometric interpolation between the years
/// either side (growth at a steady rate), else the nearest end's.
fn interpolated(series: &BTreeMap<u32, f64>, y: u32) -> Option<f64> {
    let before = series.range(..=y).next_back();
    let after = series.range(y..).next();
    match (before, after) {
        (Some((&y0, &v0)), Some((&y1, &v1))) if y1 > y0 => {
            Some(v0 * (v1 / v0).powf(f64::from(y - y0) / f64::from(y1 - y0)))
        }
        (Some((_, &v)), _) | (None, Some((_, &v))) => Some(v),
        (None, None) => None,
    }
}

/// The published figures every series of a history is compared with.
pub fn record(base: &Scenario) -> Result<Record, EnglandError> {
    let rows = Rows::read()?;
    let mut r = Record::default();
    for (workforce, i, m) in SERIES {
        for y in rows.years(workforce) {
            if let Some(x) = rows.england(workforce, y, i) {
                r.england.insert((y, m), x);
            }
            for a in &base.authorities {
                if let Some(x) = rows.own(workforce, y, &a.code, &a.old_code, i) {
                    r.authorities.insert((a.code.clone(), y, m), x);
                }
            }
        }
    }
    Ok(r)
}

/// Whether an authority's practice changed: a number drawn from its code and the seed,
/// uniform on [0, 1), below the share.
pub fn changed(code: &str, seed: u64, share: f64) -> bool {
    let u = (mix(authority_seed(seed ^ 0x5717_C4A1_2018_0704, code)) >> 11) as f64 / (1u64 << 53) as f64;
    u < share
}

/// Every authority's history and counterfactual.
pub fn histories(req: &Request<'_>) -> Result<Vec<AuthorityHistory>, EnglandError> {
    let rows = Rows::read()?;
    let wf_years = rows.years(true);
    let ref_years = rows.years(false);
    let n_years =
        req.to.checked_sub(req.from).map(|d| d + 1).filter(|&n| n <= 50).ok_or_else(|| EnglandError::Data {
            file: WORKFORCE_FILE,
            message: format!("a history from {} to {} is not 1 to 50 years", req.from, req.to),
        })?;
    // England's leaving, vacancy-years and agency rate each year, over the base year's.
    let national = |y: u32, i: Indicator| -> Result<f64, EnglandError> {
        nearest_year(&wf_years, y, |x| rows.england(true, x, i)).map(|(v, _)| v).ok_or_else(|| EnglandError::Data {
            file: WORKFORCE_FILE,
            message: format!("England's {} is not usable in any year", i.column()),
        })
    };
    let factors = |y: u32| -> Result<(f64, f64, f64), EnglandError> {
        let (t, v, a) =
            (national(y, Indicator::Turnover)?, national(y, Indicator::Vacancy)?, national(y, Indicator::Agency)?);
        let b = req.base_year;
        let (bt, bv, ba) =
            (national(b, Indicator::Turnover)?, national(b, Indicator::Vacancy)?, national(b, Indicator::Agency)?);
        Ok((t / bt, vacant_years(v, t) / vacant_years(bv, bt), a / ba))
    };
    let in_post = in_post_by_year(&rows, &wf_years);
    let england_in_post = |y: u32| {
        interpolated(&in_post, y).ok_or_else(|| EnglandError::Data {
            file: WORKFORCE_FILE,
            message: "England's inpost_fte is not usable in any year".to_string(),
        })
    };
    let switch_at = i64::from(req.switch_year) - i64::from(req.from);
    let switch_day = switch_at * i64::from(DAYS_PER_YEAR) + i64::from(req.switch_day) + i64::from(req.lag_days);
    let horizon = i64::from(n_years * DAYS_PER_YEAR);

    let parts: Vec<&Scenario> =
        if req.base.parts().is_empty() { vec![req.base] } else { req.base.parts().iter().collect() };
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let a = &part.authorities[0];
        let mut held = Vec::new();
        let mut teams = Vec::new();
        let mut referrals = Vec::new();
        for y in req.from..=req.to {
            let wf = |i: Indicator| nearest_year(&wf_years, y, |x| rows.own(true, x, &a.code, &a.old_code, i));
            let rf = |i: Indicator| nearest_year(&ref_years, y, |x| rows.own(false, x, &a.code, &a.old_code, i));
            // No usable figure in any year (the Isles of Scilly): the scenario's own value.
            match (wf(Indicator::CaseHolders), wf(Indicator::Vacancy)) {
                (Some((holders, hy)), Some((vacancy, vy))) => {
                    let from = hy.max(vy);
                    // A year without the authority's own figures (every year before the
                    // census began) takes the nearest year's, grown or shrunk as England's
                    // FTE in post was between them (ODD 6.6).
                    let grown = if from == y {
                        1.0
                    } else {
                        held.push(format!("establishment {y} from {from} x England's FTE in post {y} / {from}"));
                        england_in_post(y)? / england_in_post(from)?
                    };
                    let posts = grown * holders / (1.0 - vacancy / 100.0);
                    teams.push(((posts / f64::from(a.posts_per_team)).round() as u32).max(1));
                }
                _ => {
                    held.push(format!("establishment {y} from the scenario"));
                    teams.push(a.teams);
                }
            }
            match (rf(Indicator::Referrals), rf(Indicator::Rereferrals)) {
                (Some((count, cy)), Some((again, ay))) => {
                    if cy != y || ay != y {
                        held.push(format!("referrals {y} from {}", if cy != y { cy } else { ay }));
                    }
                    referrals.push((count * (1.0 - again / 100.0)).round());
                }
                _ => {
                    held.push(format!("referrals {y} from the scenario"));
                    referrals.push(a.new_referrals_per_year);
                }
            }
        }
        let most = *teams.iter().max().expect("a year");
        let mut years = Vec::with_capacity(n_years as usize);
        // The work a post does, as `caseload england` sets it between authorities, here
        // between years: the share of hours on assessments by referrals a case holder, and
        // the time a child stays open by caseload, each over the base year's (1 where a
        // figure is missing in every year).
        let own = |y: u32, workforce: bool, i: Indicator| {
            let years = if workforce { &wf_years } else { &ref_years };
            nearest_year(years, y, |x| rows.own(workforce, x, &a.code, &a.old_code, i)).map(|(v, _)| v)
        };
        let per_holder = |y: u32| Some(own(y, false, Indicator::Referrals)? / own(y, true, Indicator::CaseHolders)?);
        let ratio = |now: Option<f64>, then: Option<f64>| match (now, then) {
            (Some(n), Some(t)) if n > 0.0 && t > 0.0 => n / t,
            _ => 1.0,
        };
        for (k, y) in (req.from..=req.to).enumerate() {
            let (leave, vacant, agency) = factors(y)?;
            let w = &part.workforce;
            let direct = part.casework.direct_work_share * ratio(per_holder(y), per_holder(req.base_year));
            // Past 0.95 of a post's hours, the rest of the extra referrals a case holder is
            // met by less work an assessment (more referrals closed quickly).
            let lighter = if direct > 0.95 { 0.95 / direct } else { 1.0 };
            let hours: Vec<f64> = part.demand.assessment_hours.iter().map(|h| (h * lighter).max(0.5)).collect();
            // A child stays open for the caseload over the referrals a case holder: open
            // children a holder = referrals a holder x time open.
            let caseload = ratio(own(y, true, Indicator::Caseload), own(req.base_year, true, Indicator::Caseload))
                / ratio(per_holder(y), per_holder(req.base_year));
            let changes = [
                ("authority.teams", Value::Int(i64::from(most))),
                ("authority.new_referrals_per_year", Value::Num(referrals[k])),
                (key::workforce::leave_rate_permanent, Value::Num((w.leave_rate_permanent * leave).min(5.0))),
                (
                    key::workforce::time_to_hire_days_mean,
                    Value::Num((w.time_to_hire_days_mean * vacant).clamp(1.0, 2000.0)),
                ),
                (key::workforce::agency_cover_share, Value::Num(odds_scaled(w.agency_cover_share, agency))),
                (key::casework::direct_work_share, Value::Num(direct.clamp(0.05, 0.95))),
                (key::demand::assessment_hours, Value::Nums(hours)),
                (
                    key::casework::ongoing_days_mean,
                    Value::Num((part.casework.ongoing_days_mean * caseload).clamp(1.0, 2500.0)),
                ),
                (key::workforce::initial_vacancy_share, Value::Num(national(y, Indicator::Vacancy)? / 100.0)),
                (key::run::horizon_years, Value::Int(i64::from(n_years))),
            ];
            years.push(part.with_all_from(&changes, "the history").map_err(EnglandError::Invalid)?);
        }
        let changed = changed(&a.code, req.seed, req.share_changed);
        let switch = (changed && switch_day < horizon).then(|| (switch_day.max(0) as u32, req.after));
        let counterfactual = History { years, open_teams: teams, switch: None };
        let history = History { switch, ..counterfactual.clone() };
        out.push(AuthorityHistory {
            name: a.name.clone(),
            code: a.code.clone(),
            region: a.region.clone(),
            history,
            counterfactual,
            changed,
            held,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_year_grows_at_a_steady_rate_and_the_ends_are_held() {
        let s: BTreeMap<u32, f64> = [(2012, 100.0), (2015, 800.0), (2017, 900.0)].into_iter().collect();
        assert_eq!(interpolated(&s, 2015), Some(800.0));
        // Doubling each year from 100 to 800 over three years.
        assert!((interpolated(&s, 2013).unwrap() - 200.0).abs() < 1e-9);
        assert!((interpolated(&s, 2014).unwrap() - 400.0).abs() < 1e-9);
        assert_eq!(interpolated(&s, 2010), Some(100.0));
        assert_eq!(interpolated(&s, 2030), Some(900.0));
        assert_eq!(interpolated(&BTreeMap::new(), 2020), None);
    }

    #[test]
    fn england_in_post_before_the_census_comes_from_the_quoted_figures() {
        let rows = Rows::read().expect("the compiled-in files");
        let wf = rows.years(true);
        let s = in_post_by_year(&rows, &wf);
        assert_eq!(s.get(&2016), Some(&27_700.0));
        assert_eq!(s.get(&2012), Some(&23_300.0));
        let census_2017 = rows.england(true, 2017, Indicator::InPost).expect("2017");
        assert_eq!(s.get(&2017), Some(&census_2017));
        // Growing every year from 2012 to 2017, as the quoted figures do.
        let path: Vec<f64> = (2012..=2017).map(|y| interpolated(&s, y).unwrap()).collect();
        assert!(path.windows(2).all(|w| w[1] > w[0]), "{path:?}");
    }
}
