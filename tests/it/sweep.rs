//! Sweeps: the `[sweep]` section, shards and their merge, resuming, and the sensitivity
//! analysis.

use std::path::{Path, PathBuf};
use std::process::Output;

use caseload::experiment::Plan;
use caseload::scenario::Scenario;
use caseload::sweep::Sweep;
use polars::prelude::*;

use crate::{caseload, files, scratch, text};

const SMALL_SWEEP: &str = r#"
[sweep]
concern = "late_days_per_high_risk_referral > 0.05"

[sweep.values]
"workforce.leave_rate_permanent" = [0.1, 0.3]
workforce.newly_qualified_share = { from = 0.2, to = 0.8, steps = 2 }
"#;

/// The teaching scenario with a 2 x 2 grid, written into `dir`.
pub(crate) fn small_sweep(dir: &Path) -> PathBuf {
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/teaching_one_team.toml")).unwrap();
    let path = dir.join("small_sweep.toml");
    std::fs::write(&path, format!("{base}\n{SMALL_SWEEP}")).unwrap();
    path
}

pub(crate) fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

/// `caseload sweep` of `scenario` into `out`: 3 replications, seed 5, quiet.
pub(crate) fn sweep(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args =
        vec!["sweep", scenario.to_str().unwrap(), "-n", "3", "--seed", "5", "--quiet", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    caseload(&args)
}

pub(crate) fn assert_same_files(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>(), "the same files");
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn shards_merge_into_the_files_of_one_run_byte_for_byte() {
    let dir = scratch("sweep_shards");
    let scen = small_sweep(&dir);
    let single = dir.join("single");
    ok(&sweep(&scen, &single, &["--threads", "2"]));
    for k in 1..=3 {
        ok(&sweep(&scen, &dir.join(format!("shard-{k}")), &["--shard", &format!("{k}/3"), "--threads", "1"]));
    }
    let shard_dirs: Vec<String> =
        (1..=3).map(|k| dir.join(format!("shard-{k}")).to_string_lossy().into_owned()).collect();
    let merged = dir.join("merged");
    let mut args = vec!["merge", "--quiet", "--out", merged.to_str().unwrap()];
    // Given out of order: the merge orders shards by number.
    args.extend([shard_dirs[2].as_str(), shard_dirs[0].as_str(), shard_dirs[1].as_str()]);
    ok(&caseload(&args));
    assert_same_files(&single, &merged);
    assert!(files(&single).contains_key("heatmap.png") && files(&single).contains_key("report.html"));

    // A shard run from a copy of the scenario under another name merges just the same.
    let copy = dir.join("copy_of_the_sweep.toml");
    std::fs::copy(&scen, &copy).unwrap();
    ok(&sweep(&copy, &dir.join("shard-2-copy"), &["--shard", "2/3"]));
    let merged2 = dir.join("merged-copy");
    let copy_dir = dir.join("shard-2-copy").to_string_lossy().into_owned();
    ok(&caseload(&["merge", "--quiet", "--out", merged2.to_str().unwrap(), &shard_dirs[0], &copy_dir, &shard_dirs[2]]));
    assert_same_files(&single, &merged2);

    // A missing shard is named; a shard of another sweep is refused.
    let o = caseload(&["merge", &shard_dirs[0], &shard_dirs[2], "--out", dir.join("m2").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("missing: 2"), "{}", text(&o.stderr));
    assert!(!dir.join("m2").exists(), "nothing half-written");
    let other = dir.join("other-2");
    ok(&caseload(&[
        "sweep",
        scen.to_str().unwrap(),
        "-n",
        "2",
        "--seed",
        "5",
        "--quiet",
        "--shard",
        "2/3",
        "--out",
        other.to_str().unwrap(),
    ]));
    let o = caseload(&[
        "merge",
        &shard_dirs[0],
        other.to_str().unwrap(),
        &shard_dirs[2],
        "--out",
        dir.join("m3").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("different sweeps"), "{}", text(&o.stderr));
}

#[test]
fn an_interrupted_sweep_resumes_to_the_same_files() {
    let dir = scratch("sweep_resume");
    let scen = small_sweep(&dir);
    let whole = dir.join("whole");
    ok(&sweep(&scen, &whole, &[]));

    let out = dir.join("resumed");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(["sweep", scen.to_str().unwrap(), "-n", "3", "--seed", "5", "--quiet", "--out", out.to_str().unwrap()])
        .env("CASELOAD_STOP_AFTER_POINTS", "2")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(!out.exists(), "an interrupted sweep leaves no output folder");
    let kept = dir.join(".resumed.progress");
    let points: Vec<String> = files(&kept).into_keys().filter(|n| n.starts_with("point-")).collect();
    assert_eq!(points, vec!["point-000001.tsv", "point-000002.tsv"]);

    let o = sweep(&scen, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--resume"), "{}", text(&o.stderr));
    // A different sweep cannot resume from these points.
    let o = caseload(&[
        "sweep",
        scen.to_str().unwrap(),
        "-n",
        "4",
        "--seed",
        "5",
        "--quiet",
        "--resume",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("different sweep"), "{}", text(&o.stderr));

    let o = caseload(&[
        "sweep",
        scen.to_str().unwrap(),
        "-n",
        "3",
        "--seed",
        "5",
        "--resume",
        "--out",
        out.to_str().unwrap(),
    ]);
    ok(&o);
    assert!(text(&o.stderr).contains("2 of 4 points kept"), "{}", text(&o.stderr));
    assert_same_files(&whole, &out);
    assert!(!kept.exists(), "the kept points go once the sweep is done");
}

#[test]
fn the_tables_have_a_row_per_point_rule_and_replication() {
    let dir = scratch("sweep_tables");
    let scen = small_sweep(&dir);
    let out = dir.join("out");
    ok(&sweep(&scen, &out, &[]));
    let df = ParquetReader::new(std::fs::File::open(out.join("sweep.parquet")).unwrap()).finish().unwrap();
    assert_eq!(df.height(), 4 * 2 * 3);
    for col in [
        "point",
        "workforce.leave_rate_permanent",
        "workforce.newly_qualified_share",
        "rule",
        "replication",
        "turnover_pct",
    ] {
        assert!(df.column(col).is_ok(), "sweep.parquet has {col}");
    }
    let summary = std::fs::read_to_string(out.join("sweep_summary.csv")).unwrap();
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(lines.len(), 1 + 4 * caseload::model::Metric::ALL.len());
    assert!(
        lines[0].starts_with(
            "point,workforce.leave_rate_permanent,workforce.newly_qualified_share,metric,unit,rule_a,rule_b"
        )
    );
    // The grid: the first parameter changes slowest, values as listed and as stepped.
    let pts: Vec<String> = lines[1..]
        .iter()
        .filter(|l| l.contains(",referrals_per_year,"))
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(pts, vec!["1,0.1,0.2", "2,0.1,0.8", "3,0.3,0.2", "4,0.3,0.8"]);
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("The concern is that practitioner_only minus manager_shared"),
        "the report states the concern"
    );
    assert!(report.contains("It holds"), "and where it holds");
    // The manifest is itself a sweep that repeats this one.
    let again = dir.join("again");
    ok(&caseload(&["sweep", out.join("manifest.toml").to_str().unwrap(), "--quiet", "--out", again.to_str().unwrap()]));
    assert_eq!(std::fs::read(out.join("sweep.parquet")).unwrap(), std::fs::read(again.join("sweep.parquet")).unwrap());
}

#[test]
fn a_concern_on_the_command_line_replaces_the_files_and_a_bad_one_is_refused() {
    let dir = scratch("sweep_concern");
    let scen = small_sweep(&dir);
    let out = dir.join("out");
    ok(&sweep(&scen, &out, &["--concern", "under_rated_high < -100"]));
    let manifest = std::fs::read_to_string(out.join("manifest.toml")).unwrap();
    assert!(manifest.contains("concern = \"under_rated_high_pct < -100\""), "{manifest}");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("It holds nowhere"), "under-rating never falls by 100 points");
    let o = sweep(&scen, &dir.join("bad"), &["--concern", "under_rated_hihg > 1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("did you mean `under_rated_high`"), "{}", text(&o.stderr));
    let o = caseload(&[
        "sweep",
        "scenarios/teaching_one_team.toml",
        "--quiet",
        "--out",
        dir.join("none").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no [sweep] section"), "{}", text(&o.stderr));
}

#[test]
fn sweep_section_errors_name_line_field_and_range() {
    let text = r#"
[sweep]
design = "latin_hypercube"
points = 1
heatmap = ["a.b", "c.d"]

[sweep.values]
"workforce.leave_rate_permanet" = { from = 0.1, to = 0.3 }
"workforce.newly_qualified_share" = [0.1, 0.5]
"judgement.rho" = { from = 0.5, to = 2 }
"run.seed" = { from = 1, to = 2 }
"#;
    let err = Scenario::from_toml(text, Path::new("bad_sweep.toml")).unwrap_err();
    let shown = err.to_string();
    let expect = [
        "bad_sweep.toml:4:10: sweep.points: is 1; allowed a whole number 2 to 100000",
        "bad_sweep.toml:8:1: sweep.values.workforce.leave_rate_permanet: is not a known parameter; did you mean `workforce.leave_rate_permanent`?",
        "bad_sweep.toml:9:37: sweep.values.workforce.newly_qualified_share: a latin_hypercube samples a range",
        "bad_sweep.toml:10:38: sweep.values.judgement.rho: value 2 is outside the allowed -0.99 to 0.99",
        "bad_sweep.toml:11:1: sweep.values.run.seed: run settings are not swept",
    ];
    for e in expect {
        assert!(shown.contains(e), "expected\n{e}\nin\n{shown}");
    }
    assert!(shown.ends_with("6 problems in bad_sweep.toml"), "each problem once:\n{shown}");
    let grid = "[sweep.values]\n\"casework.caseload_cap\" = { from = 10, to = 20, steps = 4 }\n\"casework.hours_per_day\" = [7, 6]\n";
    let shown =
        Scenario::from_toml(&format!("[sweep]\nseed = 3\n{grid}"), Path::new("g.toml")).unwrap_err().to_string();
    assert!(shown.contains("g.toml:2:1: sweep.seed: goes with design = \"latin_hypercube\""), "{shown}");
    assert!(shown.contains("g.toml:4:27: sweep.values.casework.caseload_cap: takes whole numbers"), "{shown}");
    assert!(shown.contains("g.toml:5:28: sweep.values.casework.hours_per_day: values must increase"), "{shown}");
}

#[test]
fn a_point_that_breaks_a_rule_between_values_is_refused_before_anything_runs() {
    let text = "[sweep.values]\n\"casework.caseload_cap\" = [10, 30]\n";
    let s = Scenario::from_toml(text, Path::new("caps.toml")).unwrap();
    let e = Sweep::of(&s, Plan::of(&s)).unwrap_err();
    let shown = format!("{:#}", anyhow::Error::from(e));
    assert!(shown.contains("sweep point 1 (casework.caseload_cap = 10)"), "{shown}");
    assert!(shown.contains("must not exceed caseload_cap"), "{shown}");
}

#[test]
fn a_latin_hypercube_manifest_repeats_its_points() {
    let text = "[sweep]\ndesign = \"latin_hypercube\"\npoints = 9\nseed = 4\n\n[sweep.values]\n\"workforce.lone_decision_leave_effect\" = { from = 0, to = 0.5 }\n\"casework.caseload_cap\" = { from = 20, to = 30 }\n";
    let s = Scenario::from_toml(text, Path::new("lhs.toml")).unwrap();
    let sw = Sweep::of(&s, Plan::of(&s)).unwrap();
    assert_eq!(sw.points.len(), 9);
    assert!(sw.points.iter().all(|p| p[1].fract() == 0.0 && (20.0..=30.0).contains(&p[1])), "whole caps");
    let again = Scenario::from_toml(&sw.base.to_toml(), Path::new("manifest.toml")).unwrap();
    let sw2 = Sweep::of(&again, Plan::of(&again)).unwrap();
    assert_eq!(sw.points, sw2.points);
    assert_eq!(sw.base.to_toml(), sw2.base.to_toml());
}

#[test]
fn sensitivity_ranks_every_assumption_for_every_metric() {
    let dir = scratch("sensitivity");
    let out = dir.join("out");
    let o = caseload(&[
        "sensitivity",
        "scenarios/teaching_one_team.toml",
        "-r",
        "2",
        "-n",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    ok(&o);
    let printed = text(&o.stdout);
    assert!(printed.contains("mu*") && printed.contains("workforce."), "{printed}");
    let s = crate::scenario("teaching_one_team");
    let factors = caseload::sensitivity::assumption_factors(&s);
    let csv = std::fs::read_to_string(out.join("morris.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + factors.len() * caseload::model::Metric::ALL.len());
    for f in &factors {
        assert!(csv.contains(&format!(",{},", f.path)), "{} in morris.csv", f.path);
    }
    let df = ParquetReader::new(std::fs::File::open(out.join("sensitivity_runs.parquet")).unwrap()).finish().unwrap();
    assert_eq!(df.height(), 2 * (factors.len() + 1) * 2 * 2);
    for f in ["report.html", "morris_1.png", "morris_1.svg", "manifest.toml"] {
        assert!(out.join(f).exists(), "{f}");
    }
}

#[test]
fn validate_checks_every_point_of_a_sweep() {
    let o = caseload(&["validate", "scenarios/where_is_it_high_risk.toml"]);
    ok(&o);
    assert!(text(&o.stdout).ends_with("; a sweep of 25 points)\n"), "{}", text(&o.stdout));
    let dir = scratch("sweep_validate");
    let bad = dir.join("caps.toml");
    std::fs::write(&bad, "[sweep.values]\n\"casework.caseload_cap\" = [10, 30]\n").unwrap();
    let o = caseload(&["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "an invalid point is an invalid scenario: {}", text(&o.stderr));
    assert!(text(&o.stderr).contains("sweep point 1 (casework.caseload_cap = 10)"), "{}", text(&o.stderr));
}

#[test]
fn a_one_parameter_sweep_draws_a_line_and_no_heatmap() {
    let dir = scratch("sweep_one_axis");
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/teaching_one_team.toml")).unwrap();
    let scen = dir.join("one.toml");
    let sweep_text = "[sweep]\nconcern = \"turnover_pct > 0\"\n[sweep.values]\n\"workforce.lone_decision_leave_effect\" = [0, 0.5, 1]\n";
    std::fs::write(&scen, format!("{base}\n{sweep_text}")).unwrap();
    let out = dir.join("out");
    ok(&caseload(&["sweep", scen.to_str().unwrap(), "-n", "2", "--quiet", "--out", out.to_str().unwrap()]));
    let names: Vec<String> = files(&out).into_keys().collect();
    assert!(names.contains(&"line_1.png".to_string()) && !names.contains(&"heatmap.png".to_string()), "{names:?}");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("Its mean over replications is beyond that threshold at"), "the concern is counted");
    assert!(report.contains("Across the sweep the difference runs from"), "and the extremes named");
}
