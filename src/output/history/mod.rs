//! A history's files (`caseload history`): `history` (every series, place, year and arm
//! beside the published figure), `effect` (what the change did, history minus
//! counterfactual), `record_fit.csv` (the fit to the record before and after the change),
//! `held.csv` (inputs held from another year), fan charts of England's series, `manifest.toml`
//! and `report.html`, which leads with the answer in words.

pub mod abc;
pub(crate) mod charts;
pub mod tasks;
pub mod value;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use polars::prelude::*;

use crate::england::history::{AuthorityHistory, Record, Request};
use crate::format::num;
use crate::history::{Arm, Place, Results, SERIES};
use crate::model::Metric;
use crate::output::html::{base64, esc};
use crate::output::table_file::{write_csv, write_parquet};
use crate::output::{Staging, write_atomic};
use crate::stats::Summary;

/// What a history was asked and given.
pub struct Study<'a> {
    pub request: &'a Request<'a>,
    pub scenario_file: &'a Path,
    pub histories: &'a [AuthorityHistory],
    pub record: &'a Record,
    /// Whether the histories are every authority of the scenario: only then is their sum
    /// England, set against England's published figures.
    pub complete: bool,
    /// Authorities (indices into `histories`) drawn as small multiples, one panel each.
    pub panels: Vec<usize>,
}

impl Study<'_> {
    /// The published figure of a series, place and year, if there is one.
    pub fn published(&self, place: Place, year: u32, m: Metric) -> Option<f64> {
        let by_authority = crate::england::history::published_by_authority(m);
        match place {
            Some(a) => self.record.authorities.get(&(self.histories[a].code.clone(), year, m)).copied(),
            None if !self.complete => None,
            None if by_authority => self.record.england.get(&(year, m)).copied(),
            None => {
                crate::england::press().into_iter().find(|(y, n, _)| *y == year && n == m.name()).map(|(_, _, v)| v)
            }
        }
    }

    fn place_name(&self, place: Place) -> (&str, &str, &str) {
        match place {
            None if self.complete => ("England", "E92000001", ""),
            None => ("the authorities chosen", "", ""),
            Some(a) => {
                let h = &self.histories[a];
                (&h.name, &h.code, &h.region)
            }
        }
    }

    fn places(&self) -> Vec<Place> {
        std::iter::once(None).chain((0..self.histories.len()).map(Some)).collect()
    }

    /// The switch as a fractional model year (the year's end is the year's label).
    fn switch_x(&self) -> f64 {
        let r = self.request;
        f64::from(r.switch_year) - 1.0
            + f64::from(r.switch_day + r.lag_days) / f64::from(crate::scenario::DAYS_PER_YEAR)
    }
}

/// Writes the files and puts the folder in place; gives the folder and the answer in words.
pub fn write(
    staging: Staging,
    study: &Study<'_>,
    results: &Results,
    abc: Option<&abc::Analysis<'_>>,
) -> Result<(PathBuf, String)> {
    let mut words = answer(study, results);
    let dir = staging.commit_with(|path| {
        if let Some(a) = abc {
            let said = abc::write(path, a)?;
            let keep = words.lines().filter(|l| !l.starts_with("What England's figures rule out")).collect::<Vec<_>>();
            let places: Vec<(String, String)> =
                study.histories.iter().map(|h| (h.name.clone(), h.code.clone())).collect();
            let priced = value::priced(a.draws, a.unknowns, &places, study.complete);
            let worth = value::write(path, &priced, a.unknowns, a.draws.len())?;
            words = format!("{}\n{said}{worth}", keep.join("\n"));
        }
        let mut manifest = format!(
            "# caseload history manifest: the request and the scenario its authorities came from.\n\
             # scenario = {:?}\n# base_year = {}\n# from = {}\n# to = {}\n# switch_year = {}\n# switch_day = {}\n\
             # share_changed = {}\n# lag_days = {}\n# seed = {}\n# replications = {}\n# authorities = {}\n\n",
            study.scenario_file.display().to_string(),
            study.request.base_year,
            study.request.from,
            study.request.to,
            study.request.switch_year,
            study.request.switch_day,
            study.request.share_changed,
            study.request.lag_days,
            study.request.seed,
            results.replications(),
            study.histories.len()
        );
        manifest.push_str(&study.request.base.to_toml());
        write_atomic(&path.join("manifest.toml"), manifest.as_bytes())?;
        let mut series = series_frame(study, results)?;
        write_parquet(&mut series, &path.join("history.parquet"))?;
        write_csv(&mut series, &path.join("history.csv"))?;
        let mut effect = effect_frame(study, results)?;
        write_parquet(&mut effect, &path.join("effect.parquet"))?;
        write_csv(&mut effect, &path.join("effect.csv"))?;
        write_csv(&mut fit_frame(study, results)?, &path.join("record_fit.csv"))?;
        write_csv(&mut held_frame(study)?, &path.join("held.csv"))?;
        let mut figures = Vec::new();
        for m in SERIES {
            let name = format!("fan_{}", m.name());
            crate::output::chart::save(path, &name, &fan(study, results, None, m))?;
            let panels = if study.panels.is_empty() {
                None
            } else {
                let name = format!("panels_{}", m.name());
                let chart = charts::Panels {
                    title: format!("{} ({}), authority by authority", m.label(), m.unit()),
                    fans: study
                        .panels
                        .iter()
                        .map(|&a| {
                            let mut f = fan(study, results, Some(a), m);
                            f.title = study.histories[a].name.clone();
                            f
                        })
                        .collect(),
                };
                crate::output::chart::save(path, &name, &chart)?;
                Some(name)
            };
            figures.push((name, m, panels));
        }
        let html = report(study, results, &words, &figures, path)?;
        write_atomic(&path.join("report.html"), html.as_bytes())
    })?;
    Ok((dir, words))
}

fn fan(study: &Study<'_>, results: &Results, place: Place, m: Metric) -> charts::Fan {
    let rows = (0..results.years())
        .map(|k| {
            let h = results.summary(place, Arm::History, k, m);
            let (lo, hi) = results.range(place, Arm::History, k, m);
            let c = results.summary(place, Arm::Counterfactual, k, m);
            (f64::from(results.year(k)), h.mean, lo, hi, c.mean)
        })
        .collect();
    let published = (0..results.years())
        .filter_map(|k| study.published(place, results.year(k), m).map(|v| (f64::from(results.year(k)), v)))
        .collect();
    charts::Fan {
        title: format!("{}: {}", study.place_name(place).0, m.label()),
        y_axis: m.unit().to_string(),
        rows,
        published,
        switch: Some(study.switch_x()),
    }
}

fn series_frame(study: &Study<'_>, results: &Results) -> Result<DataFrame> {
    let mut c: [Vec<String>; 6] = Default::default();
    let mut year = Vec::new();
    let mut x: [Vec<f64>; 6] = Default::default();
    for place in study.places() {
        let (name, code, region) = study.place_name(place);
        for k in 0..results.years() {
            for arm in Arm::BOTH {
                for m in SERIES {
                    let s = results.summary(place, arm, k, m);
                    let (lo, hi) = results.range(place, arm, k, m);
                    let published = if arm == Arm::History { study.published(place, results.year(k), m) } else { None };
                    for (v, t) in c.iter_mut().zip([name, code, region, arm.name(), m.name(), m.unit()]) {
                        v.push(t.to_string());
                    }
                    year.push(results.year(k));
                    for (v, y) in x.iter_mut().zip([s.mean, s.lo, s.hi, lo, hi, published.unwrap_or(f64::NAN)]) {
                        v.push(y);
                    }
                }
            }
        }
    }
    frame(
        &["place", "code", "region", "arm", "metric", "unit"],
        c,
        year,
        &["mean", "ci_low", "ci_high", "range_low", "range_high", "published"],
        x,
    )
}

fn frame<const T: usize, const N: usize>(
    texts: &[&str; T],
    c: [Vec<String>; T],
    year: Vec<u32>,
    numbers: &[&str; N],
    x: [Vec<f64>; N],
) -> Result<DataFrame> {
    let mut cols: Vec<Column> = texts.iter().zip(c).map(|(n, v)| Column::new((*n).into(), v)).collect();
    cols.insert(T.min(3), Column::new("year".into(), year));
    cols.extend(numbers.iter().zip(x).map(|(n, v)| Column::new((*n).into(), v)));
    Ok(DataFrame::new_infer_height(cols)?)
}

fn effect_frame(study: &Study<'_>, results: &Results) -> Result<DataFrame> {
    let mut c: [Vec<String>; 5] = Default::default();
    let mut year = Vec::new();
    let mut x: [Vec<f64>; 3] = Default::default();
    for place in study.places() {
        let (name, code, region) = study.place_name(place);
        let changed = match place {
            None => "",
            Some(a) if study.histories[a].changed => "yes",
            Some(_) => "no",
        };
        for k in 0..results.years() {
            for m in SERIES {
                let d = results.effect(place, k, m);
                for (v, t) in c.iter_mut().zip([name, code, region, changed, m.name()]) {
                    v.push(t.to_string());
                }
                year.push(results.year(k));
                for (v, y) in x.iter_mut().zip([d.mean, d.lo, d.hi]) {
                    v.push(y);
                }
            }
        }
    }
    frame(&["place", "code", "region", "practice_changed", "metric"], c, year, &["difference", "ci_low", "ci_high"], x)
}

/// How a series fits the record in a period: England's error and how many published years
/// fall inside the band, and across authority-years the correlation and error.
struct Fit {
    england_years: usize,
    england_inside: usize,
    england_error: f64,
    pairs: usize,
    correlation: f64,
    authority_error: f64,
}

fn fit(study: &Study<'_>, results: &Results, m: Metric, after: bool) -> Fit {
    let in_period = |k: usize| (results.year(k) >= study.request.switch_year) == after;
    let (mut years, mut inside, mut err) = (0, 0, 0.0);
    for k in (0..results.years()).filter(|&k| in_period(k)) {
        if let Some(p) = study.published(None, results.year(k), m) {
            let (lo, hi) = results.range(None, Arm::History, k, m);
            years += 1;
            inside += usize::from(lo <= p && p <= hi);
            err += (results.summary(None, Arm::History, k, m).mean - p).abs();
        }
    }
    let mut pairs = Vec::new();
    for a in 0..study.histories.len() {
        for k in (0..results.years()).filter(|&k| in_period(k)) {
            if let Some(p) = study.published(Some(a), results.year(k), m) {
                let s = results.summary(Some(a), Arm::History, k, m).mean;
                if s.is_finite() {
                    pairs.push((s, p));
                }
            }
        }
    }
    Fit {
        england_years: years,
        england_inside: inside,
        england_error: if years > 0 { err / years as f64 } else { f64::NAN },
        pairs: pairs.len(),
        correlation: correlation(&pairs),
        authority_error: if pairs.is_empty() {
            f64::NAN
        } else {
            pairs.iter().map(|(s, p)| (s - p).abs()).sum::<f64>() / pairs.len() as f64
        },
    }
}

/// Pearson's correlation of pairs (NaN for fewer than three).
pub fn correlation(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return f64::NAN;
    }
    let (mx, my) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    sxy / (sxx * syy).sqrt()
}

fn fit_frame(study: &Study<'_>, results: &Results) -> Result<DataFrame> {
    let mut c: [Vec<String>; 3] = Default::default();
    let mut x: [Vec<f64>; 6] = Default::default();
    for m in SERIES {
        for after in [false, true] {
            let f = fit(study, results, m, after);
            if f.england_years == 0 && f.pairs == 0 {
                continue;
            }
            for (v, t) in c.iter_mut().zip([m.name(), m.unit(), if after { "after" } else { "before" }]) {
                v.push(t.to_string());
            }
            let row = [
                f.england_years as f64,
                f.england_inside as f64,
                f.england_error,
                f.pairs as f64,
                f.correlation,
                f.authority_error,
            ];
            for (v, y) in x.iter_mut().zip(row) {
                v.push(y);
            }
        }
    }
    let mut cols: Vec<Column> =
        ["metric", "unit", "period"].iter().zip(c).map(|(n, v)| Column::new((*n).into(), v)).collect();
    let names = [
        "england_published_years",
        "england_inside_95pct_of_replications",
        "england_mean_abs_error",
        "authority_years",
        "authority_correlation",
        "authority_mean_abs_error",
    ];
    cols.extend(names.iter().zip(x).map(|(n, v)| Column::new((*n).into(), v)));
    Ok(DataFrame::new_infer_height(cols)?)
}

fn held_frame(study: &Study<'_>) -> Result<DataFrame> {
    let rows: Vec<(&str, &str, &str)> = study
        .histories
        .iter()
        .flat_map(|h| h.held.iter().map(move |x| (h.name.as_str(), h.code.as_str(), x.as_str())))
        .collect();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("authority".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::new("code".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
        Column::new("held".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
    ])?)
}

fn interval(s: &Summary) -> String {
    crate::format::interval(s.mean, s.lo, s.hi)
}

/// The answer in words: what the model says the change did, in England and where most.
pub fn answer(study: &Study<'_>, results: &Results) -> String {
    let r = study.request;
    let last = results.years().saturating_sub(1);
    let year = results.year(last);
    let changed = study.histories.iter().filter(|h| h.changed).count();
    let place = match study.histories {
        [one] => one.name.clone(),
        _ if study.complete => "England".to_string(),
        all => format!("the {} authorities chosen", all.len()),
    };
    let mut w = String::new();
    let _ = writeln!(
        w,
        "What the model says the 2018 change did in {place} ({} of {} authorities changed practice, {} working days after the wording; {} replications, the scenario's central values):",
        changed,
        study.histories.len(),
        r.lag_days,
        results.replications()
    );
    let total_after = |m: Metric| -> Summary {
        let ks: Vec<usize> = (0..results.years()).filter(|&k| results.year(k) >= r.switch_year).collect();
        let h: Vec<f64> = (0..results.replications())
            .map(|i| ks.iter().map(|&k| results.values(None, Arm::History, k, m)[i]).sum())
            .collect();
        let c: Vec<f64> = (0..results.replications())
            .map(|i| ks.iter().map(|&k| results.values(None, Arm::Counterfactual, k, m)[i]).sum())
            .collect();
        crate::stats::paired(&h, &c)
    };
    for m in [Metric::ChildDaysAtRisk, Metric::HighRiskLatePerYear, Metric::UnderRatedHighPerYear] {
        let d = results.effect(None, last, m);
        let base = results.summary(None, Arm::Counterfactual, last, m).mean;
        let _ = writeln!(
            w,
            "- {}: {} {} in {year} ({} of the {} there would have been); {} in all from {} to {year}.",
            m.label(),
            interval(&d),
            m.unit(),
            if base > 0.0 { format!("{:+.1}%", 100.0 * d.mean / base) } else { "n/a".into() },
            num(base),
            interval(&total_after(m)),
            r.switch_year,
        );
    }
    for m in [Metric::WithinLimit, Metric::Turnover, Metric::Rereferral] {
        let d = results.effect(None, last, m);
        let _ = writeln!(w, "- {} in {year}: {} points.", m.label(), interval(&d));
    }
    if study.histories.len() > 1 {
        let mut by: Vec<(usize, Summary)> =
            (0..study.histories.len()).map(|a| (a, results.effect(Some(a), last, Metric::ChildDaysAtRisk))).collect();
        by.sort_by(|x, y| y.1.mean.total_cmp(&x.1.mean));
        let top: Vec<String> =
            by.iter().take(5).map(|(a, d)| format!("{} ({})", study.histories[*a].name, interval(d))).collect();
        let _ = writeln!(w, "- Most child-days at risk added a year, {year}: {}.", top.join("; "));
    }
    let _ = writeln!(
        w,
        "What England's figures rule out is not weighed here: this run holds every mechanism at its central value. The record beside the history is in record_fit.csv and the charts."
    );
    w
}

fn report(
    study: &Study<'_>,
    results: &Results,
    words: &str,
    figures: &[(String, Metric, Option<String>)],
    dir: &Path,
) -> Result<String> {
    let r = study.request;
    let mut h = crate::output::html::page_head(&format!("caseload history {} to {}", r.from, r.to));
    let _ = write!(
        h,
        r#"<h1>Since 2018: England through the change</h1>
<p class="muted">caseload history · {n} authorities from {file} · years {from} to {to} · wording changed in year {sy}, working day {sd} · {reps} replications of each arm · seed {seed}</p>
"#,
        from = r.from,
        to = r.to,
        n = study.histories.len(),
        file = esc(&study.scenario_file.display().to_string()),
        sy = r.switch_year,
        sd = r.switch_day,
        reps = results.replications(),
        seed = r.seed,
    );
    let _ = writeln!(h, "<h2>The answer</h2>");
    for para in words.lines() {
        if let Some(item) = para.strip_prefix("- ") {
            let _ = writeln!(h, "<li>{}</li>", esc(item));
        } else {
            let _ = writeln!(h, "<p>{}</p>", esc(para));
        }
    }
    let _ = writeln!(
        h,
        "<h2>How the history is made</h2><p>Each authority runs from {} to {}: its referrals and its establishment (case holders over one minus the vacancy rate, in whole teams) change each year as it published them; leaving, time to hire and agency cover follow England's published path, never the authority's own, so its own turnover, vacancy and agency rate are outcomes set against the record. The rule is {} until the wording changed and {} after, where practice changed; the counterfactual keeps {} throughout, on the same luck (common random numbers), so every difference is the change's. Inputs a year did not publish are held from the nearest year that did, the establishment scaled by England's FTE in post between the two years, so that before 2017, where the census files begin, each authority grows as England did (held.csv). Model year Y is the DfE's year to 31 March Y, paired with the workforce census of 30 September Y.</p>",
        r.from,
        r.to,
        esc(&r.before.name()),
        esc(&r.after.name()),
        esc(&r.before.name())
    );
    let _ = writeln!(
        h,
        "<h2>The history against the record</h2><table><tr><th>series</th><th>period</th><th>England: published years inside 95% of replications</th><th>England: mean error</th><th>authority-years</th><th>correlation across authority-years</th><th>mean error</th></tr>"
    );
    for m in SERIES {
        for after in [false, true] {
            let f = fit(study, results, m, after);
            if f.england_years == 0 && f.pairs == 0 {
                continue;
            }
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=n>{} of {}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                esc(&format!("{} ({})", m.label(), m.unit())),
                if after { "after" } else { "before" },
                f.england_inside,
                f.england_years,
                num(f.england_error),
                f.pairs,
                num(f.correlation),
                num(f.authority_error)
            );
        }
    }
    let _ = writeln!(h, "</table>");
    for (name, m, panels) in figures {
        let png = std::fs::read(dir.join(format!("{name}.png")))?;
        let _ = writeln!(
            h,
            "<h2>{}</h2><figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{}, each year: the history's mean (solid) with the band where 95% of replications fall, the counterfactual's mean (dashed), the published figure (dots) where there is one, and the change of wording (vertical line). <a href=\"{name}.svg\">SVG</a></figcaption></figure>",
            esc(&format!("{} ({})", m.label(), m.unit())),
            esc(m.label()),
            base64(&png),
            esc(study.place_name(None).0)
        );
        if let Some(p) = panels {
            let png = std::fs::read(dir.join(format!("{p}.png")))?;
            let _ = writeln!(
                h,
                "<figure><img alt=\"{} by authority\" src=\"data:image/png;base64,{}\"><figcaption>The same, one panel for each authority chosen, each on its own scale. <a href=\"{p}.svg\">SVG</a></figcaption></figure>",
                esc(m.label()),
                base64(&png)
            );
        }
    }
    let _ = writeln!(h, "</body></html>");
    Ok(h)
}
