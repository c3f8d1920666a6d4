//! Results a person can use: tables, charts and report, written atomically and
//! reproducibly.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Output};

use crate::{caseload, files, scratch, text};

use caseload::model::Metric;
use polars::prelude::*;

/// Runs the teaching scenario into `out` (3 replications, seed 11).
pub(crate) fn run_teaching(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "scenarios/teaching_one_team.toml",
        "-n",
        "3",
        "--seed",
        "11",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = caseload(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    o
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(File::open(path).unwrap()).finish().unwrap()
}

const CHARTS: &[&str] = &[
    "differences",
    "completion_days",
    "within_limit_over_time",
    "late_days_high_risk",
    "under_rating_by_tier",
    "workforce_over_time",
];

#[test]
fn a_run_leaves_tables_with_the_promised_schemas() {
    let out = scratch("schemas").join("teaching");
    run_teaching(&out, &[]);
    let runs = parquet(&out.join("runs.parquet"));
    let mut expected = vec!["rule".to_string(), "replication".to_string()];
    expected.extend(Metric::ALL.iter().map(|m| m.name().to_string()));
    let names: Vec<String> = runs.get_column_names().iter().map(|n| n.to_string()).collect();
    assert_eq!(names, expected);
    assert_eq!(runs.height(), 2 * 3, "one row per rule and replication");
    // The limit `within_limit_pct` counts against rides with the table.
    for table in ["runs.parquet", "monthly.parquet"] {
        let mut reader = ParquetReader::new(File::open(out.join(table)).unwrap());
        let meta = reader.get_metadata().unwrap().key_value_metadata().clone().unwrap_or_default();
        let limit = meta.iter().find(|kv| kv.key == "caseload.limit_days").and_then(|kv| kv.value.clone());
        assert_eq!(limit.as_deref(), Some("45"), "{table}");
    }
    let monthly = parquet(&out.join("monthly.parquet"));
    assert_eq!(monthly.height(), 2 * 3 * 24, "two years of months per run");
    assert_eq!(
        monthly.get_column_names()[..3].iter().map(|n| n.as_str()).collect::<Vec<_>>(),
        ["rule", "replication", "month"]
    );
    let summary = CsvReadOptions::default()
        .try_into_reader_with_file_path(Some(out.join("summary.csv")))
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(summary.height(), (2 + 1) * Metric::ALL.len(), "per rule, then the one pair");
    for name in ["kind", "rule", "metric", "unit", "replications", "mean", "sd", "ci_low", "ci_high"] {
        assert!(summary.column(name).is_ok(), "summary.csv lacks {name}");
    }
    for c in CHARTS {
        for ext in ["png", "svg"] {
            let f = out.join(format!("{c}.{ext}"));
            assert!(std::fs::metadata(&f).map(|m| m.len() > 1000).unwrap_or(false), "{} missing or empty", f.display());
        }
    }
    assert!(!out.join("cases.parquet").exists(), "the case log only with --case-log");
    let manifest = std::fs::read_to_string(out.join("manifest.toml")).unwrap();
    assert!(manifest.contains("replications = 3") && manifest.contains("seed = 11"));
    assert!(
        !out.parent().unwrap().read_dir().unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with('.')),
        "no staging folder left"
    );
}

#[test]
fn the_manifest_repeats_the_run() {
    let dir = scratch("manifest");
    run_teaching(&dir.join("a"), &[]);
    let manifest = dir.join("a").join("manifest.toml");
    let o = caseload(&["run", manifest.to_str().unwrap(), "--quiet", "--out", dir.join("b").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(dir.join("a/runs.parquet")).unwrap(), std::fs::read(dir.join("b/runs.parquet")).unwrap());
}

#[test]
fn the_same_seed_gives_byte_identical_files_on_any_thread_count() {
    let dir = scratch("identical");
    run_teaching(&dir.join("one"), &["--threads", "1"]);
    run_teaching(&dir.join("two"), &["--threads", "2"]);
    let (a, b) = (files(&dir.join("one")), files(&dir.join("two")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between runs");
    }
}

#[test]
fn csv_and_parquet_agree() {
    let out = scratch("csv").join("t");
    run_teaching(&out, &["--case-log"]);
    // Every Parquet table has its CSV beside it, with as many rows.
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "parquet") {
            let csv = path.with_extension("csv");
            assert!(csv.exists(), "{} has no CSV beside it", path.display());
            let rows = std::fs::read_to_string(&csv).unwrap().lines().count() - 1;
            assert_eq!(rows, parquet(&path).height(), "{}", csv.display());
        }
    }
    let p = parquet(&out.join("runs.parquet"));
    let c =
        CsvReadOptions::default().try_into_reader_with_file_path(Some(out.join("runs.csv"))).unwrap().finish().unwrap();
    assert_eq!(p.shape(), c.shape());
    for m in Metric::ALL {
        let a: Vec<Option<f64>> = p.column(m.name()).unwrap().f64().unwrap().iter().collect();
        let b: Vec<Option<f64>> =
            c.column(m.name()).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect();
        for (x, y) in a.iter().zip(&b) {
            match (x, y) {
                (Some(x), Some(y)) if x.is_nan() => assert!(y.is_nan(), "{}", m.name()),
                (Some(x), Some(y)) => assert_eq!(x, y, "{} differs", m.name()),
                (None, None) => {}
                // polars writes NaN to CSV as "NaN", which it reads back as NaN.
                _ => panic!("{}: {x:?} vs {y:?}", m.name()),
            }
        }
    }
}

#[test]
fn chart_redraws_the_same_charts_and_report_from_the_tables() {
    let out = scratch("redraw").join("t");
    run_teaching(&out, &[]);
    let before = files(&out);
    for c in CHARTS {
        std::fs::remove_file(out.join(format!("{c}.png"))).unwrap();
        std::fs::remove_file(out.join(format!("{c}.svg"))).unwrap();
    }
    std::fs::remove_file(out.join("report.html")).unwrap();
    let o = caseload(&["chart", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let after = files(&out);
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (name, bytes) in &before {
        assert!(bytes == &after[name], "{name} differs after redrawing");
    }
    let bad = caseload(&["chart", "scenarios"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("holds no runs.parquet"));
}

#[test]
fn an_existing_output_folder_is_not_overwritten_without_force() {
    let out = scratch("force").join("t");
    run_teaching(&out, &[]);
    std::fs::write(out.join("note.txt"), "mine").unwrap();
    let o =
        caseload(&["run", "scenarios/teaching_one_team.toml", "-n", "2", "--quiet", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("already exists; use --force"), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(out.join("note.txt")).unwrap(), "mine", "nothing touched");
    run_teaching(&out, &["--force"]);
    assert!(!out.join("note.txt").exists(), "replaced whole, not merged");
    assert!(out.join("report.html").exists());
}

#[test]
fn the_case_log_has_a_row_per_completed_assessment() {
    let out = scratch("cases").join("t");
    run_teaching(&out, &["--case-log"]);
    let cases = parquet(&out.join("cases.parquet"));
    let runs = parquet(&out.join("runs.parquet"));
    // assessments_per_year x 2 years, summed over runs, is the number of completions.
    let completed: f64 =
        runs.column("assessments_per_year").unwrap().f64().unwrap().iter().flatten().map(|x| x * 2.0).sum();
    assert_eq!(cases.height() as f64, completed.round());
    let rules: Vec<String> =
        cases.column("rule").unwrap().str().unwrap().iter().map(|s| s.unwrap().to_string()).collect();
    assert_eq!(rules.first().map(String::as_str), Some("practitioner_only"), "plan order: the first rule first");
    assert_eq!(rules.last().map(String::as_str), Some("manager_shared"));
    for name in [
        "case_key",
        "true_tier",
        "decided_tier",
        "days_to_decision",
        "days_to_start",
        "days_to_completion",
        "quality",
        "missed",
        "worker_years",
    ] {
        assert!(cases.column(name).is_ok(), "cases.parquet lacks {name}");
    }
    assert!(cases.column("authority_code").is_err(), "one authority: no authority column");
}

/// Peak resident memory of a `caseload run` in kB (with or without the case log), and the
/// number of case rows written.
fn peak_memory(dir: &Path, years: u32, case_log: bool) -> (u64, usize) {
    let s = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml")).unwrap();
    let s = s.replace("horizon_years = 5", &format!("horizon_years = {years}"));
    let file = dir.join(format!("h{years}.toml"));
    std::fs::write(&file, s).unwrap();
    let out = dir.join(format!("out{years}{case_log}"));
    let _ = std::fs::remove_dir_all(&out);
    let mut args =
        vec!["run", file.to_str().unwrap(), "-n", "2", "--threads", "1", "--quiet", "--out", out.to_str().unwrap()];
    if case_log {
        args.push("--case-log");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_caseload")).args(&args).env("CASELOAD_PEAK_MEMORY", "1").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    let kb = err
        .lines()
        .find_map(|l| l.strip_prefix("caseload: peak memory "))
        .and_then(|v| v.trim_end_matches(" kB").parse().ok());
    let rows = if case_log { parquet(&out.join("cases.parquet")).height() } else { 0 };
    (kb.unwrap_or_else(|| panic!("no peak memory line in {err}")), rows)
}

/// The memory the case log costs (with it, less without it, so that whatever else grows
/// with the horizon cancels) must not grow with the number of cases logged.
#[test]
fn memory_with_the_case_log_stays_flat_as_the_horizon_doubles() {
    let dir = scratch("memory");
    let (small_plain, _) = peak_memory(&dir, 20, false);
    let (small_log, rows_small) = peak_memory(&dir, 20, true);
    let (large_plain, _) = peak_memory(&dir, 40, false);
    let (large_log, rows_large) = peak_memory(&dir, 40, true);
    assert!(rows_large > rows_small * 19 / 10, "the horizon doubled the cases: {rows_small} -> {rows_large}");
    let log_small = small_log.saturating_sub(small_plain);
    let log_large = large_log.saturating_sub(large_plain);
    // Holding the extra rows in memory, even as compact records, would add at least this.
    let extra_if_held_kb =
        (rows_large - rows_small) as u64 * std::mem::size_of::<caseload::model::CaseRecord>() as u64 / 1024;
    let grew = log_large.saturating_sub(log_small);
    assert!(
        grew < extra_if_held_kb / 4,
        "the case log's memory grew by {grew} kB ({log_small} -> {log_large}) as its rows went {rows_small} -> {rows_large}; holding them would add {extra_if_held_kb} kB"
    );
}

#[test]
fn the_report_ends_with_a_stress_abs_appendix_filled_from_the_manifest() {
    let out = scratch("stress").join("teaching");
    run_teaching(&out, &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let manifest = std::fs::read_to_string(out.join("manifest.toml")).unwrap();
    let revision = manifest.lines().find_map(|l| l.strip_prefix("# git revision: ")).unwrap();
    let appendix = &html[html.find("Appendix: STRESS-ABS checklist").expect("the appendix")..];
    for item in [
        "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "5.2",
        "5.3", "5.4", "6.1",
    ] {
        assert!(appendix.contains(&format!("<tr><td>{item}</td>")), "item {item}");
    }
    for fact in [
        "Master seed 11",
        "3 replications per rule",
        "rules practitioner_only, manager_shared",
        "Scenario teaching_one_team",
        &format!("git revision {revision}"),
        &format!("caseload {} (Rust)", env!("CARGO_PKG_VERSION")),
        "docs/ODD.md section 4.10",
    ] {
        assert!(appendix.contains(fact), "the appendix says {fact:?}");
    }
}

#[test]
fn compare_names_what_differs_and_pairs_the_replications() {
    let dir = scratch("compare");
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/teaching_one_team.toml")).unwrap();
    assert!(base.contains("\nleave_rate_permanent = 0.12\n"));
    let copy = dir.join("copy.toml");
    std::fs::write(&copy, base.replace("\nleave_rate_permanent = 0.12\n", "\nleave_rate_permanent = 0.4\n")).unwrap();
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    run_teaching(&a, &[]);
    let run_copy = |out: &Path, seed: &str| {
        let o = caseload(&[
            "run",
            copy.to_str().unwrap(),
            "-n",
            "3",
            "--seed",
            seed,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    };
    run_copy(&b, "11");
    run_copy(&c, "12");
    let compare = |x: &Path, y: &Path, csv: &Path| {
        caseload(&["compare", x.to_str().unwrap(), y.to_str().unwrap(), "--csv", csv.to_str().unwrap(), "--quiet"])
    };
    // The changed value is named, and the same seeds pair the replications.
    let o = compare(&a, &b, &dir.join("ab.csv"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("workforce.leave_rate_permanent: 0.12 -> 0.4") && out.contains("is paired"), "{out}");
    let csv = std::fs::read_to_string(dir.join("ab.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * Metric::ALL.len(), "each rule and the difference, for every metric");
    let row = |csv: &str, metric: &str, of: &str| -> Vec<String> {
        let line = csv.lines().find(|l| l.starts_with(&format!("{metric},")) && l.split(',').nth(2) == Some(of));
        line.unwrap().split(',').map(String::from).collect()
    };
    // Leaving more than three times as often: turnover rises under both rules, beyond doubt.
    for rule in ["practitioner_only", "manager_shared"] {
        let r = row(&csv, "turnover_pct", rule);
        assert_eq!((r[3].as_str(), r[4].as_str()), ("true", "3"));
        assert!(r[8].parse::<f64>().unwrap() > 0.0, "{rule}: {r:?}");
    }
    // The table lists the largest change first, within 100 columns.
    let table: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("metric ")).skip(1).collect();
    assert_eq!(table.len(), 3 * Metric::ALL.len(), "{out}");
    let size = |l: &str| l.rsplit(' ').next().unwrap().trim_end_matches('%').parse::<f64>().map_or(-1.0, f64::abs);
    for w in table.windows(2) {
        assert!(
            size(w[0]) >= size(w[1]) || size(w[1]) < 0.0,
            "not sorted by the size of the change:\n{}\n{}",
            w[0],
            w[1]
        );
    }
    assert!(out.lines().all(|l| l.chars().count() <= caseload::printout::WIDTH), "{out}");
    // --metric keeps the metrics it names.
    let o =
        caseload(&["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--metric", "turnover_pct,vacancy", "--quiet"]);
    let only = text(&o.stdout);
    let rows: Vec<&str> = only.lines().skip_while(|l| !l.starts_with("metric ")).skip(1).collect();
    assert_eq!(rows.len(), 6, "{only}");
    assert!(rows.iter().all(|r| r.starts_with("turnover_pct ") || r.starts_with("vacancy_pct ")), "{only}");
    let o = caseload(&["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--metric", "no_such"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    // A run compared with itself: nothing differs and nothing moves.
    let o = compare(&a, &a, &dir.join("aa.csv"));
    assert!(text(&o.stdout).contains("The scenarios are the same"));
    let same = std::fs::read_to_string(dir.join("aa.csv")).unwrap();
    for line in same.lines().skip(1) {
        let change = line.split(',').nth(7).unwrap();
        assert!(change == "0" || change == "NaN", "{line}");
    }
    // Other seeds: unpaired, and the seed is named among the differences.
    let o = compare(&a, &c, &dir.join("ac.csv"));
    let out = text(&o.stdout);
    assert!(out.contains("run.seed: 11 -> 12") && out.contains("unpaired (Welch"), "{out}");
    // Not a run's folder: said so, exit 2, no CSV.
    let o = compare(&a, &dir, &dir.join("bad.csv"));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("holds no runs.parquet"), "{}", text(&o.stderr));
    assert!(!dir.join("bad.csv").exists());
}

/// Every chart of a run's report says what the data say (its specification, not its
/// pixels): each rule by name in a legend beside the plot, never over it; the headline's
/// rows in words with their units, the numbers of `summary.csv`, rows of one unit
/// together on one scale that holds zero, no row without a difference to show, and a
/// colour key that lists exactly the colours drawn and means what it says.
#[test]
fn every_chart_names_its_rules_and_units_and_its_key_is_true() {
    let dir = scratch("chart_specs");
    let out = dir.join("run");
    run_teaching(&out, &[]);
    let specs = caseload::output::chart_specs(&out).unwrap();
    let rules = ["practitioner_only", "manager_shared"];
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    // The report prices the difference, in words.
    assert!(report.contains("<h3>What it costs</h3>") && report.contains(" a year "), "the costs paragraph");
    assert_eq!(specs.len(), 6);
    for spec in &specs {
        assert!(!spec.title.is_empty() && !spec.x_axis.is_empty(), "{spec:?}");
        assert!(spec.legend_outside, "{}: the legend must sit beside the plot", spec.name);
        if spec.name != "differences" {
            assert_eq!(&spec.legend[..2], &rules, "{}: each rule named in the legend", spec.name);
            assert!(!spec.y_axis.is_empty(), "{}: the y axis has a title", spec.name);
        }
    }
    let d = specs.iter().find(|s| s.name == "differences").unwrap();
    assert!(d.title.contains("practitioner_only minus manager_shared"), "{}", d.title);
    // The numbers are summary.csv's paired differences.
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let diff = |metric: &str| -> Option<[f64; 3]> {
        let line = summary.lines().find(|l| l.starts_with("difference,") && l.split(',').nth(2) == Some(metric))?;
        let f: Vec<&str> = line.split(',').collect();
        Some([f[5].parse().ok()?, f[7].parse().ok()?, f[8].parse().ok()?])
    };
    assert!(!d.rows.is_empty());
    let mut units_seen: Vec<&str> = Vec::new();
    for r in &d.rows {
        let m = Metric::by_name(&r.metric).unwrap();
        assert_eq!(r.label, m.label(), "in words");
        assert_ne!(r.label, r.metric, "words, not the code name");
        assert_eq!(r.unit, m.unit());
        assert!(r.mean.is_finite() && r.lo.is_finite() && r.hi.is_finite(), "no empty row: {r:?}");
        let want = diff(&r.metric).unwrap();
        for (got, want) in [r.mean, r.lo, r.hi].iter().zip(want) {
            assert!(
                (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{}: {got} against summary.csv's {want}",
                r.metric
            );
        }
        // Rows of one unit together, on one scale holding zero and the interval.
        if units_seen.last() != Some(&r.unit.as_str()) {
            assert!(!units_seen.contains(&r.unit.as_str()), "the {} rows are split", r.unit);
            units_seen.push(&r.unit);
        }
        assert!(d.rows.iter().filter(|o| o.unit == r.unit).all(|o| o.scale == r.scale), "one scale per unit");
        assert!(r.scale.0 <= r.lo.min(0.0) && r.scale.1 >= r.hi.max(0.0), "{r:?}");
        let excludes = r.lo > 0.0 || r.hi < 0.0;
        assert_eq!(r.colour, if excludes { "orange" } else { "grey" }, "{r:?}");
    }
    // A metric measured under one rule only has no row.
    assert!(d.rows.iter().all(|r| r.metric != "consult_wait_days_mean"));
    let used: Vec<&str> = ["orange", "grey"].into_iter().filter(|c| d.rows.iter().any(|r| r.colour == *c)).collect();
    let key: Vec<&str> = d.key.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(key, used, "the key lists exactly the colours drawn");
    for (c, meaning) in &d.key {
        assert!(report.contains(&format!("{c}, {meaning}")), "the caption says {c}: {meaning}");
    }
}
