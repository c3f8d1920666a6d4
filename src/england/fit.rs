//! Each authority fitted to its own figures, and checked against figures it was not
//! fitted to: the targets and keys of `caseload england --fit` ([`own_targets`],
//! [`OWN_FREE`]), a finished authority's values as kept between runs ([`fit_text`],
//! [`read_fit`]), the fitted values written into the scenario text ([`with_fits`]), and
//! the out-of-sample comparison of `caseload england --check` ([`out_of_sample`]).

use super::authority::significant;
use super::figures::{Indicator, Year};
use super::{England, EnglandError};
use crate::calibrate::{Target, Targets};
use crate::model::{Metric, Rule};
use crate::scenario::key;

/// A published figure the authorities were not fitted to, against the simulation: across
/// the authorities that publish it, their correlation and the error.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfSample {
    pub metric: Metric,
    /// The DfE's column.
    pub column: &'static str,
    pub authorities: usize,
    pub published_mean: f64,
    pub simulated_mean: f64,
    /// Pearson's correlation across authorities.
    pub correlation: f64,
    /// Mean of simulated minus published, and mean absolute difference.
    pub mean_error: f64,
    pub mean_abs_error: f64,
}

/// The figures an out-of-sample check compares: re-referrals (set nationally) and the
/// share of agency workers covering vacancies (never set). Caseload is not among them:
/// each authority's fit moves its days a case stays open towards its own caseload.
pub const OUT_OF_SAMPLE: [(Metric, &str); 2] =
    [(Metric::Rereferral, "rereferral_percent"), (Metric::AgencyCoveringVacancies, "agency_cover_rate_fte")];

/// Compares each authority's simulated metrics (by new code) with what the DfE published
/// for it in `year`, for every figure of [`OUT_OF_SAMPLE`]; an authority that publishes no
/// usable figure is left out of that figure's comparison.
pub fn out_of_sample(year: u32, simulated: &[(String, Metric, f64)]) -> Result<Vec<OutOfSample>, EnglandError> {
    let y = Year::of(year)?;
    let indicator = |column: &str| match column {
        "rereferral_percent" => Indicator::Rereferrals,
        _ => Indicator::AgencyCover,
    };
    let mut out = Vec::new();
    for (metric, column) in OUT_OF_SAMPLE {
        let pairs: Vec<(f64, f64)> = y
            .authorities
            .iter()
            .filter_map(|a| {
                let published = a.usable(indicator(column))?;
                let sim = simulated.iter().find(|(code, m, _)| code == &a.code && *m == metric)?.2;
                sim.is_finite().then_some((published, sim))
            })
            .collect();
        let n = pairs.len() as f64;
        let mean = |f: &dyn Fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>() / n;
        let (mp, ms) = (mean(&|p| p.0), mean(&|p| p.1));
        let cov = mean(&|p| (p.0 - mp) * (p.1 - ms));
        let (vp, vs) = (mean(&|p| (p.0 - mp).powi(2)), mean(&|p| (p.1 - ms).powi(2)));
        out.push(OutOfSample {
            metric,
            column,
            authorities: pairs.len(),
            published_mean: mp,
            simulated_mean: ms,
            correlation: cov / (vp * vs).sqrt(),
            mean_error: mean(&|p| p.1 - p.0),
            mean_abs_error: mean(&|p| (p.1 - p.0).abs()),
        });
    }
    Ok(out)
}

/// The indicators each authority's fit aims at, with the tolerance of a pass
/// (percentage points for the rates, cases for the caseload: about a year's movement of
/// one authority's figure).
pub const OWN_TARGETS: [(Metric, f64); 4] =
    [(Metric::Turnover, 3.0), (Metric::Vacancy, 3.0), (Metric::Agency, 3.0), (Metric::Caseload, 2.0)];

/// The parameters each authority's fit moves.
pub const OWN_FREE: [&str; 5] = [
    key::workforce::leave_rate_permanent,
    key::workforce::time_to_hire_days_mean,
    key::workforce::agency_cover_share,
    key::casework::ongoing_days_mean,
    key::casework::direct_work_share,
];

/// The rule in force in the figures of `year`: `practitioner_only` since Working Together
/// 2018 dropped "in discussion with their manager" (first in the figures of the year to
/// March 2019), `manager_shared` before.
pub fn rule_in_force(year: u32) -> Rule {
    if year >= 2019 { Rule::PractitionerOnly } else { Rule::ManagerShared }
}

/// Each authority's own figures as calibration targets, under the rule in force that year.
pub fn own_targets(written: &England, year: u32) -> Vec<Option<Targets>> {
    let rule = rule_in_force(year);
    written
        .figures
        .iter()
        .map(|(f, _)| {
            let value = |m: Metric| match m {
                Metric::Turnover => f.turnover,
                Metric::Vacancy => f.vacancy,
                Metric::Caseload => f.caseload,
                _ => f.agency,
            };
            Some(Targets {
                name: "own figures".into(),
                rule,
                targets: OWN_TARGETS
                    .iter()
                    .map(|&(metric, tolerance)| Target {
                        metric,
                        value: value(metric),
                        tolerance,
                        weight: 1.0,
                        source: format!("DfE CSWW {year}"),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// One authority's fitted values as kept between runs: `key = value` lines.
pub fn fit_text(values: &[(String, f64)]) -> String {
    values.iter().map(|(k, v)| format!("{k} = {v}\n")).collect()
}

/// The fitted values of [`fit_text`], if the text holds exactly the fit's keys.
pub fn read_fit(text: &str) -> Option<Vec<(String, f64)>> {
    let values: Vec<(String, f64)> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter_map(|(k, v)| Some((k.trim().to_string(), v.trim().parse().ok()?)))
        .collect();
    (values.len() == OWN_FREE.len() && values.iter().zip(OWN_FREE).all(|((k, _), f)| k == f)).then_some(values)
}

/// The scenario text with each authority's fitted values in place of its scaled ones, each
/// under a comment line `note`.
pub fn with_fits(text: &str, fits: &[Option<Vec<(String, f64)>>], note: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut authority: Option<usize> = None;
    for line in text.lines() {
        if line == "[[authority]]" {
            authority = Some(authority.map_or(0, |n| n + 1));
        }
        let fitted = authority
            .and_then(|n| fits.get(n))
            .and_then(|f| f.as_ref())
            .and_then(|values| values.iter().find(|(k, _)| line.starts_with(&format!("{k} = "))));
        match fitted {
            Some((key, v)) => {
                out.push_str(&format!("# {note}\n{key} = {}\n", crate::format::exact(significant(*v, 4))));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// `caseload england --check DIR`: how a national run's authorities (its
/// `authorities.csv`, `csv_text`, read from `path`) compare with the published figures
/// they were not fitted to, as the text the command prints.
pub fn check_report(year: u32, csv_text: &str, path: &str) -> Result<String, String> {
    let csv = super::Csv::parse(csv_text).map_err(|e| format!("{path}: {e}"))?;
    let col = |name: &str| csv.column(name).ok_or_else(|| format!("{path}: no column `{name}`"));
    let (code, metric, rule_a, mean_a, mean_b) =
        (col("code")?, col("metric")?, col("rule_a")?, col("mean_a")?, col("mean_b")?);
    // The rule in force that year gives the simulated figure.
    let in_force = rule_in_force(year).name();
    let simulated: Vec<(String, Metric, f64)> = csv
        .rows
        .iter()
        .filter_map(|r| {
            let m = Metric::by_name(&r[metric])?;
            let v = if r[rule_a] == in_force { &r[mean_a] } else { &r[mean_b] };
            Some((r[code].clone(), m, v.parse().ok()?))
        })
        .collect();
    let mut out = format!(
        "out of sample, {year} ({in_force}): each authority's simulated figure against its published one\n\
         (the DfE column each figure is compared with is named below the table)\n"
    );
    out.push_str(&format!(
        "{:<30} {:>7} {:>9} {:>9} {:>11} {:>10} {:>12}\n",
        "figure", "LAs", "published", "simulated", "correlation", "mean error", "mean |error|"
    ));
    let checks = out_of_sample(year, &simulated).map_err(|e| e.to_string())?;
    for c in &checks {
        out.push_str(&format!(
            "{:<30} {:>7} {:>9.2} {:>9.2} {:>11} {:>10.2} {:>12.2}\n",
            c.metric.name(),
            c.authorities,
            c.published_mean,
            c.simulated_mean,
            // No correlation across fewer than two authorities (or with no spread).
            if c.correlation.is_finite() { format!("{:.3}", c.correlation) } else { "-".into() },
            c.mean_error,
            c.mean_abs_error
        ));
    }
    for c in &checks {
        out.push_str(&format!("{}: against the DfE's {}\n", c.metric.name(), c.column));
    }
    Ok(out)
}

/// How many authorities of a fitted scenario land within tolerance of each of their own
/// figures ([`OWN_TARGETS`]), as the lines `caseload england --fit` prints.
pub fn within_own(
    fitted: &crate::scenario::Scenario,
    targets: &[Option<Targets>],
    runs: crate::calibrate::Runs,
) -> String {
    let one = crate::calibrate::Runs { threads: 1, ..runs };
    let passes: Vec<Vec<bool>> = crate::experiment::Pool::new(runs.threads).map(0..fitted.parts().len(), &|k| {
        targets[k].as_ref().map_or_else(Vec::new, |t| {
            crate::calibrate::compare(&fitted.parts()[k], t, one)
                .iter()
                .map(crate::calibrate::Comparison::passes)
                .collect()
        })
    });
    let mut out = String::new();
    for (j, (m, tol)) in OWN_TARGETS.iter().enumerate() {
        let n = passes.iter().filter(|p| p.get(j) == Some(&true)).count();
        out.push_str(&format!("{}: {n} of {} authorities within ±{tol} of their own figure\n", m.name(), passes.len()));
    }
    out
}
