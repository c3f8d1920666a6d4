//! The verdict under uncertainty, through the binary: certain answers where the priors
//! make them certain, a planted break-even recovered, shards merged byte for byte.

use std::path::{Path, PathBuf};

use crate::{caseload, files, text};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of a bundled scenario with an `[uncertainty]` section.
fn with_section(dir: &Path, scenario: &str, section: &str) -> PathBuf {
    let base = std::fs::read_to_string(format!("{}/scenarios/{scenario}.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let base: String = base.split("\n[uncertainty]").next().unwrap().to_string();
    let f = dir.join("u.toml");
    std::fs::write(&f, format!("{base}\n[uncertainty]\n{section}")).unwrap();
    f
}

fn ok(args: &[&str]) -> String {
    let o = caseload(args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

fn csv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(|l| l.split(',').map(String::from).collect()).collect()
}

const SMALL: &str = "draws = 6\nreplications = 2\nsobol_base = 4\nbreakeven_points = 3\n\
                     factors = [\"judgement.lone_rating_shift\", \"workforce.lone_decision_leave_effect\"]\n";

#[test]
fn the_probability_is_certain_where_the_priors_make_the_answer_certain() {
    let dir = scratch("uncertainty_certain");
    // A threshold beyond every draw: never and always.
    let f = with_section(
        &dir,
        "teaching_one_team",
        &format!("{SMALL}concerns = [\"turnover_pct > 1000\", \"turnover_pct < 1000\"]\n"),
    );
    let out = dir.join("beyond");
    ok(&["uncertainty", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    let rows = csv(&out.join("concerns.csv"));
    assert_eq!((rows[0][3].as_str(), rows[1][3].as_str()), ("0", "1"), "{rows:?}");
    // Every prior a point (every factor fixed at the scenario's value): every draw is the
    // same scenario on the same seeds, so every draw gives the same difference and the
    // probability of any concern is 0 or 1.
    let all: Vec<String> = caseload::uncertainty::prior_factors(&crate::scenario("teaching_one_team"))
        .iter()
        .map(|f| format!("\"{}\"", f.path))
        .collect();
    let f = with_section(
        &dir,
        "teaching_one_team",
        &format!(
            "{SMALL}concerns = [\"under_rated_high_pct > 0\", \"turnover_pct > 0\"]\nfixed = [{}]\n",
            all.join(", ")
        ),
    );
    let out = dir.join("point");
    ok(&["uncertainty", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    for row in csv(&out.join("concerns.csv")) {
        assert!(row[3] == "0" || row[3] == "1", "{row:?}");
    }
    let draws = csv(&out.join("draws.csv"));
    assert!(draws.windows(2).all(|w| w[0][1..] == w[1][1..]), "identical draws");
}

#[test]
fn break_even_recovers_a_planted_threshold() {
    // Without rating error a lone decision under-rates a high-risk child exactly when the
    // lone shift takes a score uniform on [0.7, 0.95) below 0.7: 400 x (-shift) percent
    // of them for a negative shift, and a shared decision none. So 10 points more
    // under-rated is crossed at a shift of -0.025.
    let dir = scratch("uncertainty_break_even");
    let base = std::fs::read_to_string(format!("{}/scenarios/baseline.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let base = base.split("\n[uncertainty]").next().unwrap().replace("\nsd_expert = 0.26\n", "\nsd_expert = 0\n");
    let base = base.replace("\nhorizon_years = 5\n", "\nhorizon_years = 2\n");
    assert!(base.contains("\nsd_expert = 0\n"));
    let f = dir.join("planted.toml");
    std::fs::write(
        &f,
        format!(
            "{base}\n[uncertainty]\ndraws = 2\nreplications = 2\nsobol_base = 4\nbreakeven_points = 9\n\
             factors = [\"judgement.lone_rating_shift\"]\nconcerns = [\"under_rated_high_pct > 10\"]\n"
        ),
    )
    .unwrap();
    let out = dir.join("out");
    ok(&["uncertainty", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    let rows = csv(&out.join("breakeven.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][2], "holds at or below", "{rows:?}");
    let value: f64 = rows[0][3].parse().unwrap();
    assert!((value + 0.025).abs() < 0.004, "break-even at {value}, planted at -0.025");
    // And where it sits in the prior (triangular -0.06, 0.03, 0.09): cdf(-0.025) =
    // 0.035^2 / (0.15 x 0.09) = 0.0907.
    let pct: f64 = rows[0][7].parse().unwrap();
    assert!((pct - 9.07).abs() < 1.5, "{pct}");
}

#[test]
fn shards_of_an_analysis_merge_into_the_files_of_one_run() {
    let dir = scratch("uncertainty_shards");
    let f = with_section(&dir, "teaching_one_team", SMALL);
    let one = dir.join("one");
    let printed =
        ok(&["uncertainty", f.to_str().unwrap(), "--out", one.to_str().unwrap(), "--quiet", "--threads", "1"]);
    assert!(printed.contains("under_rated_high_pct > 2"), "{printed}");
    let mut shards = Vec::new();
    for k in 1..=3 {
        let d = dir.join(format!("shard-{k}"));
        ok(&[
            "uncertainty",
            f.to_str().unwrap(),
            "--shard",
            &format!("{k}/3"),
            "--out",
            d.to_str().unwrap(),
            "--quiet",
        ]);
        shards.push(d.to_str().unwrap().to_string());
    }
    let merged = dir.join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    args.extend(["--out", merged.to_str().unwrap(), "--quiet"]);
    ok(&args);
    let (a, b) = (files(&one), files(&merged));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between one run and the merged shards");
    }
    assert!(a.contains_key("report.html") && a.contains_key("sobol.csv") && a.contains_key("breakeven.csv"));
}

#[test]
fn a_bad_uncertainty_section_is_reported_with_its_place() {
    let dir = scratch("uncertainty_bad");
    let f = with_section(&dir, "teaching_one_team", "draws = 1\nfactors = [\"judgement.lone_rating_shfit\"]\n");
    let o = caseload(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = text(&o.stderr);
    assert!(e.contains("uncertainty.draws: is 1; allowed a whole number 2 to 100000"), "{e}");
    assert!(e.contains("did you mean `judgement.lone_rating_shift`?"), "{e}");
}

#[test]
fn a_file_with_both_a_sweep_and_an_uncertainty_section_runs_either() {
    let dir = scratch("uncertainty_and_sweep");
    let f = with_section(
        &dir,
        "teaching_one_team",
        &format!("{SMALL}concerns = [\"turnover_pct > 1\", \"under_rated_high_pct > 2\", \"turnover_pct > 3\"]\n"),
    );
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, format!("{text}\n[sweep]\n[sweep.values]\n\"workforce.leave_rate_permanent\" = [0.1, 0.2]\n"))
        .unwrap();
    let out = dir.join("sweep");
    ok(&["sweep", f.to_str().unwrap(), "-n", "2", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(out.join("sweep_summary.csv").exists() && !out.join("sobol.csv").exists());
    let out = dir.join("uncertainty");
    ok(&["uncertainty", f.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    // Two concerns on one metric: its column once in draws.csv, its indices once.
    let header = std::fs::read_to_string(out.join("draws.csv")).unwrap().lines().next().unwrap().to_string();
    assert_eq!(header.matches(",turnover_pct").count(), 1, "{header}");
    let sobol = std::fs::read_to_string(out.join("sobol.csv")).unwrap();
    assert_eq!(sobol.lines().filter(|l| l.starts_with("turnover_pct,")).count(), 2, "two factors, once each");
}
