//! A sweep's tables: `sweep.parquet` (one row per point, rule and replication) written
//! and read back, and `sweep_summary.csv` (per point and metric, the paired difference).

use std::path::Path;

use anyhow::{Context, Result};
use polars::prelude::*;

use super::tables::{numbers, read_parquet, strings, write_csv, write_parquet};
use crate::model::Metric;
use crate::sweep::{PointDifference, Row, Sweep};

/// Writes `rows` as `sweep.parquet` (or a sensitivity analysis's runs) at `path`.
pub(super) fn write_rows(sw: &Sweep, rows: &[Row], path: &Path) -> Result<()> {
    write_parquet(&mut rows_frame(sw, rows)?, path)
}

/// Writes `sweep_summary.csv` at `path`.
pub(super) fn write_summary(sw: &Sweep, diffs: &[PointDifference], path: &Path) -> Result<()> {
    write_csv(&mut summary_frame(sw, diffs)?, path)
}

/// `sweep.parquet`: one row per (point, rule, replication), the swept values and every metric.
fn rows_frame(sw: &Sweep, rows: &[Row]) -> Result<DataFrame> {
    let mut cols = vec![Column::new("point".into(), rows.iter().map(|r| r.point + 1).collect::<Vec<u32>>())];
    for (j, path) in sw.paths.iter().enumerate() {
        cols.push(Column::new(
            path.as_str().into(),
            rows.iter().map(|r| sw.points[r.point as usize][j]).collect::<Vec<f64>>(),
        ));
    }
    cols.push(Column::new(
        "rule".into(),
        rows.iter().map(|r| sw.plan.rules[r.rule as usize].name()).collect::<Vec<String>>(),
    ));
    cols.push(Column::new("replication".into(), rows.iter().map(|r| r.replication).collect::<Vec<u32>>()));
    for &m in Metric::ALL {
        cols.push(Column::new(m.name().into(), rows.iter().map(|r| r.metrics[m as usize]).collect::<Vec<f64>>()));
    }
    Ok(DataFrame::new_infer_height(cols)?)
}

/// The rows of a `sweep.parquet` written for `sw`.
pub(super) fn read_rows(sw: &Sweep, path: &Path) -> Result<Vec<Row>> {
    let df = read_parquet(path)?;
    let points = numbers(&df, "point")?;
    let rules = strings(&df, "rule")?;
    let reps = numbers(&df, "replication")?;
    let metrics: Vec<Vec<f64>> = Metric::ALL.iter().map(|m| numbers(&df, m.name())).collect::<Result<_>>()?;
    let names: Vec<String> = sw.plan.rules.iter().map(|r| r.name()).collect();
    (0..df.height())
        .map(|i| {
            let rule = names.iter().position(|n| *n == rules[i]).with_context(|| {
                format!("{}: row {} has rule {}, not in the sweep", path.display(), i + 1, rules[i])
            })?;
            let point = (points[i] as u32).checked_sub(1).filter(|_| points[i].is_finite()).with_context(|| {
                format!("{}: row {} has point {}; points count from 1", path.display(), i + 1, points[i])
            })?;
            Ok(Row {
                point,
                rule: rule as u32,
                replication: reps[i] as u32,
                metrics: metrics.iter().map(|m| m[i]).collect(),
            })
        })
        .collect()
}

/// `sweep_summary.csv`: per point and metric, each rule's mean and the paired difference.
fn summary_frame(sw: &Sweep, diffs: &[PointDifference]) -> Result<DataFrame> {
    let (a, b) = (sw.plan.rules[0].name(), sw.plan.rules[1].name());
    let mut cols = vec![Column::new("point".into(), diffs.iter().map(|d| d.point as u32 + 1).collect::<Vec<u32>>())];
    for (j, path) in sw.paths.iter().enumerate() {
        cols.push(Column::new(path.as_str().into(), diffs.iter().map(|d| sw.points[d.point][j]).collect::<Vec<f64>>()));
    }
    let f = |name: &str, g: fn(&PointDifference) -> f64| {
        Column::new(name.into(), diffs.iter().map(g).collect::<Vec<f64>>())
    };
    cols.extend([
        Column::new("metric".into(), diffs.iter().map(|d| d.metric.name()).collect::<Vec<_>>()),
        Column::new("unit".into(), diffs.iter().map(|d| d.metric.unit()).collect::<Vec<_>>()),
        Column::new("rule_a".into(), vec![a.as_str(); diffs.len()]),
        Column::new("rule_b".into(), vec![b.as_str(); diffs.len()]),
        Column::new("replications".into(), diffs.iter().map(|d| d.difference.n as u32).collect::<Vec<u32>>()),
        f("mean_a", |d| d.mean_a),
        f("mean_b", |d| d.mean_b),
        f("difference", |d| d.difference.mean),
        f("ci_low", |d| d.difference.lo),
        f("ci_high", |d| d.difference.hi),
    ]);
    Ok(DataFrame::new_infer_height(cols)?)
}
