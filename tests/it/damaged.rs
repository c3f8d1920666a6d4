//! Files a person touched are input: tables, sweep checkpoints and shard folders that were
//! edited, truncated or written by another version are refused with an error that names
//! the file and the problem (exit 2), never a panic. And a run removes the staging folders
//! that killed runs left behind.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::output::run_teaching;
use crate::sweep::{ok, small_sweep, sweep};
use crate::{caseload, scratch, text};

/// How a case damages a copy of a good folder.
type Damage = fn(&Path);

/// Copies the files of `from` (one level, hidden folders included) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn edit_parquet(path: &Path, edit: impl FnOnce(DataFrame) -> DataFrame) {
    let df = ParquetReader::new(File::open(path).unwrap()).finish().unwrap();
    let mut df = edit(df);
    ParquetWriter::new(File::create(path).unwrap()).finish(&mut df).unwrap();
}

fn edit_text(path: &Path, edit: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, edit(text)).unwrap();
}

/// Keeps the first half of a file, as a copy cut short would.
fn truncate(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
}

/// `df` with column `name` replaced by `column`.
fn replace(mut df: DataFrame, column: Column) -> DataFrame {
    df.with_column(column).unwrap();
    df
}

/// `df` with column `name` changed to type `to`.
fn retype(df: DataFrame, name: &str, to: DataType) -> DataFrame {
    let c = df.column(name).unwrap().cast(&to).unwrap();
    replace(df, c)
}

/// `df` with row `row` (from 0) of the u32 column `name` set to `value`.
fn set_u32(df: DataFrame, name: &str, row: usize, value: u32) -> DataFrame {
    let mut v: Vec<u32> = df.column(name).unwrap().u32().unwrap().into_no_null_iter().collect();
    v[row] = value;
    replace(df, Column::new(name.into(), v))
}

/// `df` with row `row` of the text column `name` set to `value`.
fn set_str(df: DataFrame, name: &str, row: usize, value: &str) -> DataFrame {
    let mut v: Vec<String> = df.column(name).unwrap().str().unwrap().iter().map(|s| s.unwrap().to_string()).collect();
    v[row] = value.to_string();
    replace(df, Column::new(name.into(), v))
}

/// `df` with rows `rows` (from 0) of the f64 column `name` set to `values`.
fn set_f64(df: DataFrame, name: &str, rows: &[usize], values: &[f64]) -> DataFrame {
    let mut v: Vec<f64> = df.column(name).unwrap().f64().unwrap().into_no_null_iter().collect();
    for (&r, &x) in rows.iter().zip(values) {
        v[r] = x;
    }
    replace(df, Column::new(name.into(), v))
}

/// `text` with field `field` (from 0) of line `line` (from 1) of a tab-separated file set
/// to `value`.
fn set_field(text: String, line: usize, field: usize, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut f: Vec<&str> = lines[line - 1].split('\t').collect();
    f[field] = value;
    lines[line - 1] = f.join("\t");
    lines.join("\n") + "\n"
}

/// `df` with row `row` (from 0) written twice.
fn duplicate_row(df: DataFrame, row: usize) -> DataFrame {
    let mut out = df.slice(0, row + 1);
    out.vstack_mut(&df.slice(row as i64, 1)).unwrap();
    out.vstack_mut(&df.slice(row as i64 + 1, df.height())).unwrap();
    out
}

/// Each case damages a fresh copy of `good` (in a folder named after the case) and runs
/// `args(copy)`, which must fail with exit 2, no panic, and an error that starts with
/// `expected` once the copy's path is written as `DIR`.
fn check(good: &Path, cases: &[(&str, Damage, &str)], args: impl Fn(&Path) -> Vec<String>) {
    let mut failures = Vec::new();
    for (name, damage, expected) in cases {
        let dir = good.with_file_name(name);
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(good, &dir);
        damage(&dir);
        let args = args(&dir);
        let o = caseload(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = text(&o.stderr).replace(dir.to_str().unwrap(), "DIR");
        let expected = format!("error: {expected}");
        if err.contains("panicked") || o.status.code() != Some(2) || !err.starts_with(&expected) {
            failures.push(format!("{name}: exit {:?}\n  expected {expected}\n  got      {err}", o.status.code()));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn runs(d: &Path) -> PathBuf {
    d.join("runs.parquet")
}

fn monthly(d: &Path) -> PathBuf {
    d.join("monthly.parquet")
}

fn completion(d: &Path) -> PathBuf {
    d.join("completion_days.parquet")
}

#[test]
fn chart_refuses_damaged_run_tables_naming_file_row_and_column() {
    let good = scratch("damaged_chart").join("good");
    run_teaching(&good, &[]);
    let cases: &[(&str, Damage, &str)] = &[
        ("truncated", |d| truncate(&runs(d)), "DIR/runs.parquet: not a Parquet table caseload can read: "),
        (
            "truncated_monthly",
            |d| truncate(&monthly(d)),
            "DIR/monthly.parquet: not a Parquet table caseload can read: ",
        ),
        (
            "no_replication",
            |d| edit_parquet(&runs(d), |df| df.drop("replication").unwrap()),
            "DIR/runs.parquet: no column `replication`",
        ),
        (
            "no_metric",
            |d| edit_parquet(&runs(d), |df| df.drop("turnover_pct").unwrap()),
            "DIR/runs.parquet: no column `turnover_pct`",
        ),
        (
            "no_series",
            |d| edit_parquet(&monthly(d), |df| df.drop("headcount").unwrap()),
            "DIR/monthly.parquet: no column `headcount`",
        ),
        (
            "replication_as_text",
            |d| edit_parquet(&runs(d), |df| retype(df, "replication", DataType::String)),
            "DIR/runs.parquet: column `replication` holds str; expected numbers",
        ),
        (
            "rule_as_number",
            |d| edit_parquet(&runs(d), |df| replace(df, Column::new("rule".into(), vec![1u32; 6]))),
            "DIR/runs.parquet: column `rule` holds u32; expected text",
        ),
        (
            "metric_as_text",
            |d| edit_parquet(&runs(d), |df| retype(df, "quality_mean", DataType::String)),
            "DIR/runs.parquet: column `quality_mean` holds str; expected numbers",
        ),
        (
            "duplicated_row",
            |d| edit_parquet(&runs(d), |df| duplicate_row(df, 0)),
            "DIR/runs.parquet: row 2: rule practitioner_only, replication 0; expected rule practitioner_only, replication 1 (the manifest's plan: 2 rules x 3 replications, in order)",
        ),
        (
            "extra_row",
            |d| edit_parquet(&runs(d), |df| duplicate_row(df, 5)),
            "DIR/runs.parquet: row 7: rule manager_shared, replication 2 is a row more than the manifest's plan: 2 rules x 3 replications (6 rows)",
        ),
        (
            "missing_row",
            |d| edit_parquet(&runs(d), |df| df.slice(0, 5)),
            "DIR/runs.parquet: 5 rows; expected 6 (the manifest's plan: 2 rules x 3 replications)",
        ),
        (
            "unknown_rule_monthly",
            |d| edit_parquet(&monthly(d), |df| set_str(df, "rule", 4, "nobody")),
            "DIR/monthly.parquet: row 5: rule nobody, replication 0, month 4; expected rule practitioner_only, replication 0, month 4 (the manifest's plan: 2 rules x 3 replications x 24 months, in order)",
        ),
        (
            "unknown_rule_completion",
            |d| edit_parquet(&completion(d), |df| set_str(df, "rule", 0, "nobody")),
            "DIR/completion_days.parquet: row 1: rule nobody is not in the manifest's plan: 2 rules x 3 replications",
        ),
        (
            "repeated_days",
            |d| edit_parquet(&completion(d), |df| duplicate_row(df, 3)),
            "DIR/completion_days.parquet: row 5: rule practitioner_only, replication 0, days ",
        ),
        (
            "replication_4e9",
            |d| edit_parquet(&runs(d), |df| set_u32(df, "replication", 2, 4_000_000_000)),
            "DIR/runs.parquet: row 3: column `replication` is 4000000000; expected a whole number from 0 to 2",
        ),
        (
            "days_4e9",
            |d| edit_parquet(&completion(d), |df| set_u32(df, "days", 0, 4_000_000_000)),
            "DIR/completion_days.parquet: row 1: column `days` is 4000000000; expected a whole number from 0 to 750",
        ),
        (
            "month_nan",
            |d| {
                edit_parquet(&monthly(d), |df| {
                    let n = df.height();
                    replace(df, Column::new("month".into(), vec![f64::NAN; n]))
                })
            },
            "DIR/monthly.parquet: row 1: column `month` is NaN; expected a whole number from 0 to 23",
        ),
        ("no_manifest", |d| std::fs::remove_file(d.join("manifest.toml")).unwrap(), "reading DIR/manifest.toml: "),
    ];
    check(&good, cases, |d| vec!["chart".into(), path(d), "--quiet".into()]);
}

/// Numbers no run gives but that an edited table may hold (near the largest a float
/// holds, of both signs, and infinities) are drawn: the charts' axes stay finite rather
/// than plotters looking for ticks forever.
#[test]
fn chart_draws_extreme_values_without_hanging() {
    let good = scratch("extreme_chart").join("t");
    run_teaching(&good, &[]);
    edit_parquet(&runs(&good), |df| set_f64(df, "late_days_per_high_risk_referral", &[0, 4], &[1e308, -1e308]));
    edit_parquet(&monthly(&good), |df| {
        set_f64(df, "within_limit_to_date_pct", &[0, 1, 2], &[f64::MAX, -f64::MAX, f64::INFINITY])
    });
    ok(&caseload(&["chart", &path(&good), "--quiet"]));
}

fn point_1(d: &Path) -> PathBuf {
    d.join(".out.progress/point-000001.tsv")
}

#[test]
fn sweep_resume_refuses_damaged_checkpoints_naming_file_and_line() {
    let good = scratch("damaged_resume").join("good");
    std::fs::create_dir_all(&good).unwrap();
    let scenario = small_sweep(&good);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(["sweep", &path(&scenario), "-n", "3", "--seed", "5", "--quiet", "--out", &path(&good.join("out"))])
        .env("CASELOAD_STOP_AFTER_POINTS", "2")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "interrupted: {}", text(&o.stderr));
    assert!(point_1(&good).exists());
    let cases: &[(&str, Damage, &str)] = &[
        (
            "cut_mid_line",
            |d| edit_text(&point_1(d), |t| t[..t.len() - 5].to_string()),
            "DIR/.out.progress/point-000001.tsv:7: the last line is cut short (no end of line)",
        ),
        (
            "cut_at_line",
            |d| edit_text(&point_1(d), |t| t.lines().take(6).map(|l| format!("{l}\n")).collect()),
            "DIR/.out.progress/point-000001.tsv: 5 rows; expected 6 (the tasks of point 1)",
        ),
        (
            "no_metric_column",
            |d| {
                edit_text(&point_1(d), |t| {
                    t.lines()
                        .map(|l| {
                            let mut f: Vec<&str> = l.split('\t').collect();
                            f.remove(2);
                            f.join("\t") + "\n"
                        })
                        .collect()
                })
            },
            "DIR/.out.progress/point-000001.tsv:1: column 3 is `assessments_per_year`; expected `referrals_per_year` (the header of a sweep point)",
        ),
        (
            "replication_as_text",
            |d| edit_text(&point_1(d), |t| set_field(t, 3, 1, "x")),
            "DIR/.out.progress/point-000001.tsv:3: replication is `x`; expected a whole number from 0 to 2",
        ),
        (
            "metric_as_text",
            |d| edit_text(&point_1(d), |t| set_field(t, 2, 2, "many")),
            "DIR/.out.progress/point-000001.tsv:2: referrals_per_year is `many`; expected a number",
        ),
        (
            "duplicated_row",
            |d| {
                edit_text(&point_1(d), |t| {
                    let l: Vec<&str> = t.lines().collect();
                    [&l[..2], &l[1..]].concat().join("\n") + "\n"
                })
            },
            "DIR/.out.progress/point-000001.tsv:3: point 1, rule practitioner_only, replication 0; expected point 1, rule practitioner_only, replication 1 (the tasks of point 1, in order)",
        ),
        (
            "replication_4e9",
            |d| edit_text(&point_1(d), |t| set_field(t, 2, 1, "4000000000")),
            "DIR/.out.progress/point-000001.tsv:2: replication is `4000000000`; expected a whole number from 0 to 2",
        ),
        (
            "rule_nan",
            |d| edit_text(&point_1(d), |t| set_field(t, 2, 0, "NaN")),
            "DIR/.out.progress/point-000001.tsv:2: rule is `NaN`; expected a rule's number from 0 to 1",
        ),
        (
            "empty",
            |d| std::fs::write(point_1(d), "").unwrap(),
            "DIR/.out.progress/point-000001.tsv:1: empty; expected the header and rows of a sweep point",
        ),
    ];
    check(&good, cases, |d| {
        let scenario = path(&d.join("small_sweep.toml"));
        ["sweep", &scenario, "-n", "3", "--seed", "5", "--quiet", "--resume", "--out", &path(&d.join("out"))]
            .map(String::from)
            .to_vec()
    });
}

fn shard_2(d: &Path) -> PathBuf {
    d.join("s2/sweep.parquet")
}

fn shard_toml_2(d: &Path) -> PathBuf {
    d.join("s2/shard.toml")
}

fn merge_args(d: &Path) -> Vec<String> {
    ["merge", &path(&d.join("s1")), &path(&d.join("s2")), "--quiet", "--out", &path(&d.join("merged"))]
        .map(String::from)
        .to_vec()
}

#[test]
fn merge_refuses_damaged_shards_naming_file_row_and_column() {
    let good = scratch("damaged_merge").join("good");
    std::fs::create_dir_all(&good).unwrap();
    let scenario = small_sweep(&good);
    ok(&sweep(&scenario, &good.join("s1"), &["--shard", "1/2"]));
    ok(&sweep(&scenario, &good.join("s2"), &["--shard", "2/2"]));
    let cases: &[(&str, Damage, &str)] = &[
        ("truncated", |d| truncate(&shard_2(d)), "DIR/s2/sweep.parquet: not a Parquet table caseload can read: "),
        ("missing", |d| std::fs::remove_file(shard_2(d)).unwrap(), "DIR/s2/sweep.parquet: cannot open: "),
        (
            "no_point",
            |d| edit_parquet(&shard_2(d), |df| df.drop("point").unwrap()),
            "DIR/s2/sweep.parquet: no column `point`",
        ),
        (
            "no_metric",
            |d| edit_parquet(&shard_2(d), |df| df.drop("turnover_pct").unwrap()),
            "DIR/s2/sweep.parquet: no column `turnover_pct`",
        ),
        (
            "point_as_text",
            |d| edit_parquet(&shard_2(d), |df| retype(df, "point", DataType::String)),
            "DIR/s2/sweep.parquet: column `point` holds str; expected numbers",
        ),
        (
            "rule_as_number",
            |d| edit_parquet(&shard_2(d), |df| replace(df, Column::new("rule".into(), vec![0u32; 12]))),
            "DIR/s2/sweep.parquet: column `rule` holds u32; expected text",
        ),
        (
            "duplicated_row",
            |d| edit_parquet(&shard_2(d), |df| duplicate_row(df, 0)),
            "DIR/s2/sweep.parquet: row 2: point 3, rule practitioner_only, replication 0; expected point 3, rule practitioner_only, replication 1 (shard 2 of 2: tasks 13 to 24 of the sweep, in order)",
        ),
        (
            "extra_row",
            |d| edit_parquet(&shard_2(d), |df| duplicate_row(df, 11)),
            "DIR/s2/sweep.parquet: row 13: point 4, rule manager_shared, replication 2 is a row more than shard 2 of 2: tasks 13 to 24 of the sweep (12 rows)",
        ),
        (
            "row_of_another_shard",
            |d| edit_parquet(&shard_2(d), |df| set_u32(df, "point", 0, 1)),
            "DIR/s2/sweep.parquet: row 1: point 1, rule practitioner_only, replication 0; expected point 3, rule practitioner_only, replication 0 (shard 2 of 2: tasks 13 to 24 of the sweep, in order)",
        ),
        (
            "unknown_rule",
            |d| edit_parquet(&shard_2(d), |df| set_str(df, "rule", 3, "nobody")),
            "DIR/s2/sweep.parquet: row 4: point 3, rule nobody, replication 0; expected point 3, rule manager_shared, replication 0 (shard 2 of 2: tasks 13 to 24 of the sweep, in order)",
        ),
        (
            "replication_4e9",
            |d| edit_parquet(&shard_2(d), |df| set_u32(df, "replication", 0, 4_000_000_000)),
            "DIR/s2/sweep.parquet: row 1: column `replication` is 4000000000; expected a whole number from 0 to 2",
        ),
        (
            "point_nan",
            |d| edit_parquet(&shard_2(d), |df| replace(df, Column::new("point".into(), vec![f64::NAN; 12]))),
            "DIR/s2/sweep.parquet: row 1: column `point` is NaN; expected a whole number from 0 to 4",
        ),
        (
            "shard_4e9",
            |d| edit_text(&shard_toml_2(d), |t| t.replace("shard = 2", "shard = 4000000000")),
            "DIR/s2/shard.toml: shard 4000000000 of 2 is not a shard of a sweep cut into 2",
        ),
        (
            "shard_no_end",
            |d| {
                edit_text(&shard_toml_2(d), |t| {
                    t.lines().filter(|l| !l.starts_with("end_task")).map(|l| format!("{l}\n")).collect()
                })
            },
            "DIR/s2/shard.toml: no end_task, or not a whole number 0 or more",
        ),
        (
            "shard_wrong_tasks",
            |d| edit_text(&shard_toml_2(d), |t| t.replace("end_task = 24", "end_task = 23")),
            "DIR/s2/shard.toml: shard 2 of 2 holds tasks 13 to 23 of 24; this sweep gives it tasks 13 to 24 of 24",
        ),
        (
            "shard_not_toml",
            |d| edit_text(&shard_toml_2(d), |t| t.replace("shards = 2", "shards = [2")),
            "DIR/s2/shard.toml: TOML parse error at line 4, column 1",
        ),
    ];
    check(&good, cases, merge_args);

    // A number far beyond any result is still a number: merged and drawn, not refused.
    let extreme = good.with_file_name("extreme");
    copy_dir(&good, &extreme);
    edit_parquet(&shard_2(&extreme), |df| set_f64(df, "late_days_per_high_risk_referral", &[0, 3], &[1e308, -1e308]));
    ok(&caseload(&merge_args(&extreme).iter().map(String::as_str).collect::<Vec<_>>()));
}

/// The largest process id this machine gives, plus one: no process can have it.
fn impossible_pid() -> u64 {
    let max = std::fs::read_to_string("/proc/sys/kernel/pid_max").map_or(4_194_304, |t| t.trim().parse().unwrap());
    max + 1
}

#[test]
fn a_run_removes_staging_folders_whose_process_is_gone() {
    let dir = scratch("stale_staging");
    let dead = impossible_pid();
    let alive = std::process::id();
    let stale = [format!(".t.partial-{dead}"), format!(".t.old-{dead}")];
    let kept = [format!(".t.partial-{alive}"), format!(".other.partial-{dead}"), format!(".t.partial-x{dead}")];
    for name in stale.iter().chain(&kept) {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::write(dir.join(name).join("runs.parquet"), "half").unwrap();
    }
    run_teaching(&dir.join("t"), &[]);
    for name in &stale {
        assert!(!dir.join(name).exists(), "{name}: its process is gone, so it goes");
    }
    for name in &kept {
        assert!(dir.join(name).exists(), "{name}: a live process's, another folder's or not a staging name");
    }
}
