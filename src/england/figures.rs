//! The DfE's published figures of one year, compiled in: England, the regions and the
//! authorities in both the workforce and the referral file, each figure as published (a
//! number or the DfE's symbol), and which figures are implausible.

use std::collections::BTreeMap;

use super::EnglandError;
use super::csv::Csv;

/// The DfE's children's social work workforce indicators, years to 30 September.
pub const WORKFORCE_CSV: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/dfe/csww_indicators_2017_to_2025.csv"));
/// The DfE's children in need table C1, referrals and re-referrals, years to 31 March.
pub const REFERRALS_CSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/dfe/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
));
pub(super) const WORKFORCE_FILE: &str = "data/dfe/csww_indicators_2017_to_2025.csv";
pub(super) const REFERRALS_FILE: &str = "data/dfe/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv";
/// England's figures quoted from the DfE's bulletins and the press (data/dfe/README.md):
/// the national series the files above do not hold.
const PRESS_CSV: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/dfe/national_series_press.csv"));

/// England's quoted figures, each row `(year, metric name, value)`: the first three
/// fields of each line (the fourth, the source, may hold commas).
pub fn press() -> Vec<(u32, String, f64)> {
    PRESS_CSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.splitn(4, ',');
            Some((f.next()?.parse().ok()?, f.next()?.to_string(), f.next()?.parse().ok()?))
        })
        .collect()
}

/// The files as a sentence names them.
const WORKFORCE_NAME: &str = "the workforce file";
const REFERRALS_NAME: &str = "the referral file";

/// A published figure caseload uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Indicator {
    Turnover,
    Vacancy,
    Agency,
    Caseload,
    CaseHolders,
    InPost,
    Referrals,
    Rereferrals,
    /// Agency workers covering vacancies, % of agency FTE: never fitted, so an
    /// out-of-sample check.
    AgencyCover,
}

impl Indicator {
    pub(super) const WORKFORCE: [Indicator; 7] = [
        Indicator::Turnover,
        Indicator::Vacancy,
        Indicator::Agency,
        Indicator::Caseload,
        Indicator::CaseHolders,
        Indicator::InPost,
        Indicator::AgencyCover,
    ];
    pub(super) const REFERRALS: [Indicator; 2] = [Indicator::Referrals, Indicator::Rereferrals];
    /// The figures an authority can fall back on, in the order they are reported.
    pub const FALLING_BACK: [Indicator; 7] = [
        Indicator::Turnover,
        Indicator::Vacancy,
        Indicator::Agency,
        Indicator::Caseload,
        Indicator::CaseHolders,
        Indicator::Referrals,
        Indicator::Rereferrals,
    ];

    /// The DfE's column name.
    pub fn column(self) -> &'static str {
        match self {
            Indicator::Turnover => "turnover_rate_fte",
            Indicator::Vacancy => "vacancy_rate_fte",
            Indicator::Agency => "agency_rate_fte",
            Indicator::Caseload => "caseload_fte",
            Indicator::CaseHolders => "case_holders_fte",
            Indicator::InPost => "inpost_fte",
            Indicator::Referrals => "referral_count",
            Indicator::Rereferrals => "rereferral_percent",
            Indicator::AgencyCover => "agency_cover_rate_fte",
        }
    }

    /// A count in words.
    pub(super) fn noun(self) -> &'static str {
        if self == Indicator::CaseHolders { "case holders" } else { "referrals" }
    }

    /// Why a published value is implausible, if it is ([`super::IMPLAUSIBLE`]).
    pub(super) fn implausible(self, x: f64, in_post: Option<f64>) -> Option<&'static str> {
        use Indicator::*;
        let rate = matches!(self, Turnover | Vacancy | Agency | Caseload);
        match self {
            _ if !x.is_finite() || x < 0.0 => Some("below 0"),
            _ if rate && in_post.is_some_and(|f| f < 5.0) => Some("under 5 FTE in post"),
            Turnover if x < 2.0 => Some("below 2%"),
            Turnover | Vacancy | Agency | Rereferrals if x > 60.0 => Some("above 60%"),
            AgencyCover if x > 100.0 => Some("above 100%"),
            Agency if x == 0.0 && in_post.is_some_and(|f| f < 50.0) => Some("0% with under 50 FTE in post"),
            Caseload if x < 5.0 => Some("below 5"),
            Caseload if x > 40.0 => Some("above 40"),
            CaseHolders | Referrals if x == 0.0 => Some("none"),
            _ => None,
        }
    }
}

/// A field as published: a number, `low` (rounds to 0 but is not 0), or a symbol for a
/// figure not given, in words.
pub(super) enum Reading {
    Number(f64),
    Low,
    Missing(String),
}

pub(super) fn read(raw: &str) -> Reading {
    let raw = raw.trim();
    if raw == "low" {
        return Reading::Low;
    }
    if let Ok(x) = raw.parse::<f64>() {
        return Reading::Number(x);
    }
    let meaning = match raw {
        "x" => "not available",
        "c" => "confidential",
        "z" => "not applicable",
        "u" => "low reliability",
        ".." => "not available",
        "" => return Reading::Missing("empty".to_string()),
        _ => "not a number",
    };
    Reading::Missing(format!("{raw} ({meaning})"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    National,
    Regional,
    Authority,
}

/// A geography's row of both files in one year: names, codes and figures as published.
#[derive(Debug, Clone)]
pub(super) struct Place {
    level: Level,
    pub(super) name: String,
    pub(super) code: String,
    pub(super) old_code: String,
    pub(super) region: String,
    /// The referral file's code, where it differs from the workforce file's.
    pub(super) referral_code: Option<String>,
    pub(super) figures: BTreeMap<Indicator, String>,
}

impl Place {
    pub(super) fn is_national(&self) -> bool {
        self.level == Level::National
    }
    pub(super) fn is_authority(&self) -> bool {
        self.level == Level::Authority
    }
    pub(super) fn raw(&self, i: Indicator) -> &str {
        self.figures.get(&i).map_or("", String::as_str)
    }
    pub(super) fn number(&self, i: Indicator) -> Option<f64> {
        match read(self.raw(i)) {
            Reading::Number(x) => Some(x),
            Reading::Low => Some(0.0),
            Reading::Missing(_) => None,
        }
    }
    /// The figure if it is a number and plausible.
    pub(super) fn usable(&self, i: Indicator) -> Option<f64> {
        self.number(i).filter(|&x| i.implausible(x, self.number(Indicator::InPost)).is_none())
    }
}

/// Every row of one file for one year.
pub(super) fn places(
    text: &str,
    file: &'static str,
    year: u32,
    indicators: &[Indicator],
) -> Result<Vec<Place>, EnglandError> {
    Ok(places_by_year(text, file, indicators)?.remove(&year).unwrap_or_default())
}

/// Every row of one file, by year, from one reading of it.
pub(super) fn places_by_year(
    text: &str,
    file: &'static str,
    indicators: &[Indicator],
) -> Result<BTreeMap<u32, Vec<Place>>, EnglandError> {
    let csv = Csv::parse(text).map_err(|source| EnglandError::Csv { file, source })?;
    let col =
        |name: &str| csv.column(name).ok_or_else(|| EnglandError::Data { file, message: format!("no column {name}") });
    let [period, level, region, old_code, code, name] =
        ["time_period", "geographic_level", "region_name", "old_la_code", "new_la_code", "la_name"].map(col);
    let (period, level, region, old_code, code, name) = (period?, level?, region?, old_code?, code?, name?);
    let columns: Vec<(Indicator, usize)> =
        indicators.iter().map(|&i| Ok((i, col(i.column())?))).collect::<Result<_, _>>()?;
    let mut out: BTreeMap<u32, Vec<Place>> = BTreeMap::new();
    for row in &csv.rows {
        let Ok(year) = row[period].parse::<u32>() else { continue };
        let level = match row[level].as_str() {
            "National" => Level::National,
            "Regional" => Level::Regional,
            "Local authority" => Level::Authority,
            _ => continue,
        };
        out.entry(year).or_default().push(Place {
            level,
            name: row[name].clone(),
            code: row[code].clone(),
            old_code: row[old_code].clone(),
            region: row[region].clone(),
            referral_code: None,
            figures: columns.iter().map(|&(i, c)| (i, row[c].clone())).collect(),
        });
    }
    Ok(out)
}

/// The years both files publish.
pub fn years() -> Result<Vec<u32>, EnglandError> {
    let of = |text: &str, file: &'static str| -> Result<Vec<u32>, EnglandError> {
        let csv = Csv::parse(text).map_err(|source| EnglandError::Csv { file, source })?;
        let c = csv
            .column("time_period")
            .ok_or_else(|| EnglandError::Data { file, message: "no column time_period".to_string() })?;
        let mut ys: Vec<u32> = csv.rows.iter().filter_map(|r| r[c].parse().ok()).collect();
        ys.sort_unstable();
        ys.dedup();
        Ok(ys)
    };
    let referral_years = of(REFERRALS_CSV, REFERRALS_FILE)?;
    Ok(of(WORKFORCE_CSV, WORKFORCE_FILE)?.into_iter().filter(|y| referral_years.contains(y)).collect())
}

/// One year of both files: England, the regions, and the authorities in both.
pub(super) struct Year {
    pub(super) year: u32,
    pub(super) england: Place,
    pub(super) regions: BTreeMap<String, Place>,
    /// In the workforce file's order.
    pub(super) authorities: Vec<Place>,
    /// Authorities in one file only: name, which file, code.
    pub(super) left_out: Vec<(String, &'static str, String)>,
}

impl Year {
    /// England's figure, which every authority's is set against.
    pub(super) fn national(&self, i: Indicator) -> Result<f64, EnglandError> {
        self.england.usable(i).ok_or_else(|| EnglandError::Data {
            file: if Indicator::REFERRALS.contains(&i) { REFERRALS_FILE } else { WORKFORCE_FILE },
            message: format!("England's {} in {} is not usable", i.column(), self.year),
        })
    }

    pub(super) fn of(year: u32) -> Result<Year, EnglandError> {
        let workforce = places(WORKFORCE_CSV, WORKFORCE_FILE, year, &Indicator::WORKFORCE)?;
        let referrals = places(REFERRALS_CSV, REFERRALS_FILE, year, &Indicator::REFERRALS)?;
        if workforce.is_empty() || referrals.is_empty() {
            return Err(EnglandError::NoYear { year, years: years()? });
        }
        let merge = |mut w: Place, r: &Place| {
            w.figures.extend(r.figures.iter().map(|(k, v)| (*k, v.clone())));
            if r.code != w.code {
                w.referral_code = Some(r.code.clone());
            }
            w
        };
        let one = |level: Level, name: &str, of: &[Place], file: &'static str| {
            of.iter().find(|p| p.level == level && (level == Level::National || p.region == name)).cloned().ok_or_else(
                || EnglandError::Data {
                    file,
                    message: format!("no {} row for {year}", if name.is_empty() { "National" } else { name }),
                },
            )
        };
        let england = merge(
            one(Level::National, "", &workforce, WORKFORCE_FILE)?,
            &one(Level::National, "", &referrals, REFERRALS_FILE)?,
        );
        let mut regions = BTreeMap::new();
        for w in workforce.iter().filter(|p| p.level == Level::Regional) {
            let r = one(Level::Regional, &w.region, &referrals, REFERRALS_FILE)?;
            regions.insert(w.region.clone(), merge(w.clone(), &r));
        }
        let in_referrals: Vec<&Place> = referrals.iter().filter(|p| p.level == Level::Authority).collect();
        let mut used = vec![false; in_referrals.len()];
        let mut authorities = Vec::new();
        let mut left_out = Vec::new();
        for w in workforce.iter().filter(|p| p.level == Level::Authority) {
            // By code; failing that, by old code and name (a code changed between the files).
            let found = in_referrals
                .iter()
                .position(|r| r.code == w.code)
                .or_else(|| in_referrals.iter().position(|r| r.old_code == w.old_code && r.name == w.name));
            match found {
                Some(i) if !used[i] => {
                    used[i] = true;
                    authorities.push(merge(w.clone(), in_referrals[i]));
                }
                _ => left_out.push((w.name.clone(), WORKFORCE_NAME, w.code.clone())),
            }
        }
        for (r, _) in in_referrals.iter().zip(&used).filter(|(_, u)| !**u) {
            left_out.push((r.name.clone(), REFERRALS_NAME, r.code.clone()));
        }
        left_out.sort();
        Ok(Year { year, england, regions, authorities, left_out })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implausible_figures_are_the_rules() {
        use Indicator::*;
        assert_eq!(Turnover.implausible(1.9, Some(100.0)), Some("below 2%"));
        assert_eq!(Turnover.implausible(2.0, Some(100.0)), None);
        assert_eq!(Vacancy.implausible(60.1, Some(100.0)), Some("above 60%"));
        assert_eq!(Vacancy.implausible(0.0, Some(100.0)), None);
        assert_eq!(Agency.implausible(0.0, Some(49.0)), Some("0% with under 50 FTE in post"));
        assert_eq!(Agency.implausible(0.0, Some(50.0)), None);
        assert_eq!(Caseload.implausible(6.0, Some(4.0)), Some("under 5 FTE in post"));
        assert_eq!(Caseload.implausible(41.0, None), Some("above 40"));
        assert_eq!(Rereferrals.implausible(46.7, None), None);
        assert_eq!(CaseHolders.implausible(0.0, None), Some("none"));
    }
}
