//! A sweep's tables: `sweep.parquet` (one row per point, rule and replication) written
//! and read back, and `sweep_summary.csv` (per point and metric, the paired difference).

use std::ops::Range;
use std::path::Path;

use anyhow::Result;
use polars::prelude::*;

use crate::model::Metric;
use crate::output::table_file::TableFile;
use crate::output::table_file::{write_csv, write_parquet};
use crate::sweep::{PointDifference, Row, Sweep};

/// Writes `rows` as `sweep.parquet` (or a sensitivity analysis's runs) at `path`.
pub(crate) fn write_rows(sw: &Sweep, rows: &[Row], path: &Path) -> Result<()> {
    write_parquet(&mut rows_frame(sw, rows)?, path)
}

/// Writes `sweep_summary.csv` at `path`.
pub(crate) fn write_summary(sw: &Sweep, diffs: &[PointDifference], path: &Path) -> Result<()> {
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

/// The rows of a `sweep.parquet` written for `sw`, which must be the tasks `tasks` in
/// order (`whole` says which, for messages). A table edited, truncated or from another
/// version is an error naming the file, the row and the column.
pub(crate) fn read_rows(sw: &Sweep, path: &Path, tasks: Range<usize>, whole: &str) -> Result<Vec<Row>> {
    let t = TableFile::read(path)?;
    let points = t.whole("point", sw.points.len() as u64)?;
    let rules = t.texts("rule")?;
    let reps = t.whole("replication", u64::from(sw.plan.replications.saturating_sub(1)))?;
    let metrics: Vec<Vec<f64>> = Metric::ALL.iter().map(|m| t.numbers(m.name())).collect::<Result<_>>()?;
    let found: Vec<String> =
        (0..t.height()).map(|i| format!("point {}, rule {}, replication {}", points[i], rules[i], reps[i])).collect();
    t.check_rows(&found, &task_words(sw, tasks.clone()), whole)?;
    Ok(tasks
        .enumerate()
        .map(|(i, task)| {
            let k = sw.task(task);
            Row {
                point: k.point,
                rule: k.rule,
                replication: k.replication,
                metrics: metrics.iter().map(|m| m[i]).collect(),
            }
        })
        .collect())
}

/// Each of the tasks `range` in words, as messages about rows name them.
pub(crate) fn task_words(sw: &Sweep, range: Range<usize>) -> Vec<String> {
    range
        .map(|t| {
            let k = sw.task(t);
            format!(
                "point {}, rule {}, replication {}",
                k.point + 1,
                sw.plan.rules[k.rule as usize].name(),
                k.replication
            )
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
