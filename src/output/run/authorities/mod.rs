//! A run of several authorities, authority by authority: `authorities.parquet` and `.csv`
//! (each authority's every metric under each rule, and the paired difference with its 95%
//! interval), `regions.csv` (regional and England totals, in children a year), and their
//! reading back for the charts and the report.

pub(crate) mod charts;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use polars::prelude::*;

use crate::experiment::Results;
use crate::model::Metric;
use crate::output::table_file::TableFile;
use crate::output::table_file::write_parquet;
use crate::output::write_atomic;
use crate::stats::{Summary, paired};

/// One authority's outcome on one metric: each rule's mean and the paired difference.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorityRow {
    pub name: String,
    pub code: String,
    pub region: String,
    pub metric: Metric,
    pub mean_a: f64,
    pub mean_b: f64,
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The metrics the regional totals add up: counts of children a year.
pub const COUNTS: &[Metric] = &[Metric::HighRiskLatePerYear, Metric::UnderRatedHighPerYear, Metric::ReferralsPerYear];

/// Each authority's values of `m` under rule number `rule`, replication by replication.
fn values(r: &Results, rule: usize, j: usize, m: Metric) -> Vec<f64> {
    let n = r.plan.replications as usize;
    r.runs[rule * n..(rule + 1) * n].iter().map(|run| run.authorities[j].metrics.get(m)).collect()
}

/// The rows of every authority and metric, authorities in the scenario's order.
pub fn rows(r: &Results) -> Vec<AuthorityRow> {
    let Some(first) = r.runs.first() else { return Vec::new() };
    let mut out = Vec::new();
    for (j, a) in first.authorities.iter().enumerate() {
        for &m in Metric::ALL {
            let (va, vb) = (values(r, 0, j, m), values(r, 1, j, m));
            let d = paired(&va, &vb);
            out.push(AuthorityRow {
                name: a.name.clone(),
                code: a.code.clone(),
                region: a.region.clone(),
                metric: m,
                mean_a: Summary::of(va).mean,
                mean_b: Summary::of(vb).mean,
                difference: d.mean,
                ci_low: d.lo,
                ci_high: d.hi,
            });
        }
    }
    out
}

/// Writes `authorities.parquet`, `authorities.csv` and `regions.csv` when the run has
/// several authorities (and two rules to pair); nothing otherwise.
pub fn write(dir: &Path, r: &Results) -> Result<()> {
    if r.plan.rules.len() < 2 || r.runs.first().is_none_or(|run| run.authorities.is_empty()) {
        return Ok(());
    }
    let rows = rows(r);
    let text = |f: &dyn Fn(&AuthorityRow) -> String| rows.iter().map(f).collect::<Vec<String>>();
    let num = |f: &dyn Fn(&AuthorityRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("authority".into(), text(&|a| a.name.clone())),
        Column::new("code".into(), text(&|a| a.code.clone())),
        Column::new("region".into(), text(&|a| a.region.clone())),
        Column::new("metric".into(), text(&|a| a.metric.name().to_string())),
        Column::new("unit".into(), text(&|a| a.metric.unit().to_string())),
        Column::new("rule_a".into(), vec![r.plan.rules[0].name(); rows.len()]),
        Column::new("rule_b".into(), vec![r.plan.rules[1].name(); rows.len()]),
        Column::new("replications".into(), vec![r.plan.replications; rows.len()]),
        Column::new("mean_a".into(), num(&|a| a.mean_a)),
        Column::new("mean_b".into(), num(&|a| a.mean_b)),
        Column::new("difference".into(), num(&|a| a.difference)),
        Column::new("ci_low".into(), num(&|a| a.ci_low)),
        Column::new("ci_high".into(), num(&|a| a.ci_high)),
    ])
    .map_err(|e| anyhow::anyhow!("building the authorities table: {e}"))?;
    write_parquet(&mut df, &dir.join("authorities.parquet"))?;
    write_atomic(&dir.join("regions.csv"), regions_csv(r).as_bytes())
}

/// Regional and England totals of the count metrics: each rule's mean total a year and
/// the paired difference of the totals, replication by replication.
fn regions_csv(r: &Results) -> String {
    let first = &r.runs[0];
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (j, a) in first.authorities.iter().enumerate() {
        let region = if a.region.is_empty() { "(no region)".to_string() } else { a.region.clone() };
        groups.entry(region).or_default().push(j);
    }
    let all: Vec<usize> = (0..first.authorities.len()).collect();
    let mut out = String::from(
        "area,authorities,metric,unit,rule_a,rule_b,replications,total_a,total_b,difference,ci_low,ci_high\n",
    );
    let mut line = |area: &str, members: &[usize]| {
        for &m in COUNTS {
            let total = |rule: usize| -> Vec<f64> {
                let per: Vec<Vec<f64>> = members.iter().map(|&j| values(r, rule, j, m)).collect();
                (0..r.plan.replications as usize).map(|i| per.iter().map(|v| v[i]).sum()).collect()
            };
            let (ta, tb) = (total(0), total(1));
            let d = paired(&ta, &tb);
            let quote = |s: &str| if s.contains(',') { format!("\"{s}\"") } else { s.to_string() };
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{}\n",
                quote(area),
                members.len(),
                m.name(),
                m.unit(),
                r.plan.rules[0].name(),
                r.plan.rules[1].name(),
                r.plan.replications,
                Summary::of(ta).mean,
                Summary::of(tb).mean,
                d.mean,
                d.lo,
                d.hi
            ));
        }
    };
    for (region, members) in &groups {
        line(region, members);
    }
    // The total is England's only when every authority ran.
    let total = match first.authorities.len() {
        1 => first.authorities[0].name.clone(),
        n if n >= ENGLAND_AT_LEAST => "England".to_string(),
        n => format!("all {n} authorities"),
    };
    line(&total, &all);
    out
}

/// A run of this many authorities or more is England's (149 in 2025; 152 in 2017).
const ENGLAND_AT_LEAST: usize = 140;

/// The authorities table read back, for the charts and the report (none when the folder
/// has no `authorities.parquet`).
pub fn read(dir: &Path) -> Result<Option<Vec<AuthorityRow>>> {
    let path = dir.join("authorities.parquet");
    if !path.exists() {
        return Ok(None);
    }
    let t = TableFile::read(&path)?;
    let (names, codes, regions, metrics) =
        (t.texts("authority")?, t.texts("code")?, t.texts("region")?, t.texts("metric")?);
    let cols: Vec<Vec<f64>> =
        ["mean_a", "mean_b", "difference", "ci_low", "ci_high"].iter().map(|c| t.numbers(c)).collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(names.len());
    for i in 0..names.len() {
        let metric = Metric::by_name(&metrics[i]).with_context(|| {
            format!("{}: row {}: metric `{}` is not one caseload knows", path.display(), i + 1, metrics[i])
        })?;
        out.push(AuthorityRow {
            name: names[i].clone(),
            code: codes[i].clone(),
            region: regions[i].clone(),
            metric,
            mean_a: cols[0][i],
            mean_b: cols[1][i],
            difference: cols[2][i],
            ci_low: cols[3][i],
            ci_high: cols[4][i],
        });
    }
    Ok(Some(out))
}

/// The concern an authorities section maps: the scenario's first, else the default set's.
fn concern(s: &crate::scenario::Scenario) -> crate::scenario::sweep::Concern {
    let spec = s.uncertainty().cloned().unwrap_or_default();
    spec.concerns[0]
}

/// Draws the authority charts and writes the report's section on them: where the concern
/// holds, and the regional and England totals.
pub fn section(
    dir: &Path,
    rows: &[AuthorityRow],
    s: &crate::scenario::Scenario,
) -> Result<(Vec<crate::output::chart::Made>, String)> {
    use crate::format::num;
    use crate::output::chart::save;
    use crate::output::html::esc;
    use crate::output::run::authorities::charts::{Placed, Ranked};
    let c = concern(s);
    let pair = match s.run.rules.as_slice() {
        [a, b, ..] => format!("{} minus {}", a.name(), b.name()),
        _ => String::new(),
    };
    let mut of: Vec<&AuthorityRow> = rows.iter().filter(|r| r.metric == c.metric).collect();
    of.sort_by(|x, y| x.difference.total_cmp(&y.difference).then(x.name.cmp(&y.name)));
    save(
        dir,
        "authorities_ranked",
        &Ranked { rows: &of, metric: c.metric, threshold: Some(c.threshold), pair: &pair },
    )?;
    let find = |name: &str, m: Metric| rows.iter().find(|r| r.name == name && r.metric == m);
    let points: Vec<(f64, f64, f64)> = of
        .iter()
        .filter_map(|r| {
            Some((find(&r.name, Metric::Turnover)?.mean_b, find(&r.name, Metric::UnderTwoYears)?.mean_b, r.difference))
        })
        .collect();
    save(dir, "authorities_placed", &Placed { points: &points, metric: c.metric, pair: &pair })?;
    let made = vec![
        crate::output::chart::Made {
            name: "authorities_ranked",
            title: "Authority by authority".into(),
            caption: format!("The paired difference ({pair}) in {} for every authority, smallest first, with its 95% interval; orange where the mean is beyond the threshold of concern ({}, the black line).", c.metric.label(), c.text()),
        },
        crate::output::chart::Made {
            name: "authorities_placed",
            title: "Where the difference is, by turnover and inexperience".into(),
            caption: "Each authority by its simulated turnover and share of social workers under two years' experience (the axes of the where_is_it_high_risk map), coloured by the difference: red where deciding alone does worse, blue where it does better.".into(),
        },
    ];
    let holds: Vec<&&AuthorityRow> = of.iter().filter(|r| c.holds(r.difference)).collect();
    let clearly: Vec<&&AuthorityRow> = holds
        .iter()
        .filter(|r| if c.above { r.ci_low > c.threshold } else { r.ci_high < c.threshold })
        .copied()
        .collect();
    let mut h = format!(
        "<h2>Authority by authority</h2>\n<p>{} {}. The concern <code>{}</code> holds on average in <b>{}</b> of them{}.</p>\n",
        of.len(),
        if of.len() == 1 { "authority" } else { "authorities" },
        esc(&c.text()),
        holds.len(),
        if holds.is_empty() {
            String::new()
        } else {
            format!(
                " ({}), and beyond its 95% interval in {}",
                holds.iter().map(|r| esc(&r.name)).collect::<Vec<_>>().join(", "),
                clearly.len()
            )
        }
    );
    let regions = std::fs::read_to_string(dir.join("regions.csv")).unwrap_or_default();
    let rules: Vec<String> = regions
        .lines()
        .nth(1)
        .map(split_csv)
        .filter(|f| f.len() >= 6)
        .map_or_else(Vec::new, |f| vec![f[4].clone(), f[5].clone()]);
    let rule =
        |i: usize| rules.get(i).map_or(if i == 0 { "first rule" } else { "second rule" }.to_string(), |r| esc(r));
    let _ = std::fmt::Write::write_fmt(
        &mut h,
        format_args!(
            "<table><tr><th>area</th><th>authorities</th><th>children a year</th><th>{}</th><th>{}</th><th>{} minus {} [95% CI]</th></tr>\n",
            rule(0),
            rule(1),
            rule(0),
            rule(1)
        ),
    );
    for line in regions.lines().skip(1) {
        let f = split_csv(line);
        if f.len() < 12 || f[2] == Metric::ReferralsPerYear.name() {
            continue;
        }
        let label = Metric::by_name(&f[2]).map_or(f[2].clone(), |m| m.label().to_string());
        let v = |i: usize| f[i].parse::<f64>().unwrap_or(f64::NAN);
        let x = |i: usize| num(v(i));
        let _ = std::fmt::Write::write_fmt(
            &mut h,
            format_args!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&f[0]),
                f[1],
                esc(&label),
                x(7),
                x(8),
                crate::format::interval(v(9), v(10), v(11))
            ),
        );
    }
    h.push_str("</table>\n<p class=\"muted\">Totals add each authority's count replication by replication; the interval is of the paired difference of the totals. Tables: authorities.csv (every authority and metric), regions.csv.</p>\n");
    Ok((made, h))
}

/// The fields of a line of `regions.csv` (a field with a comma is quoted).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut field, mut quoted) = (String::new(), false);
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            _ => field.push(ch),
        }
    }
    out.push(field);
    out
}
