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
    // under-rated is crossed at a shift of -0.025 (with the shift the same at every
    // experience: `lone_shift_novice = 0`).
    let dir = scratch("uncertainty_break_even");
    let base = std::fs::read_to_string(format!("{}/scenarios/baseline.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let base = base.split("\n[uncertainty]").next().unwrap().replace("\nsd_expert = 0.26\n", "\nsd_expert = 0\n");
    let base = base.replace("\nlone_shift_novice = 0.5\n", "\nlone_shift_novice = 0\n");
    let base = base.replace("\nhorizon_years = 5\n", "\nhorizon_years = 2\n");
    assert!(base.contains("\nsd_expert = 0\n") && base.contains("\nlone_shift_novice = 0\n"));
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

/// A scenario's own `[priors]`: a prior narrowed to a point holds the parameter at the
/// scenario's value. The analysis then draws one factor fewer, gives it no Sobol index
/// (though `factors` names it), and both its printout and its report say it was held.
#[test]
fn a_prior_narrowed_to_a_point_is_held_and_the_report_says_so() {
    let dir = scratch("uncertainty_point_prior");
    let section = format!("{SMALL}concerns = [\"turnover_pct > 0\"]\n");
    let drawn = with_section(&dir, "teaching_one_team", &section);
    let out_drawn = dir.join("drawn");
    ok(&["uncertainty", drawn.to_str().unwrap(), "--out", out_drawn.to_str().unwrap(), "--quiet"]);
    let text = std::fs::read_to_string(&drawn)
        .unwrap()
        .replace("\nlone_decision_leave_effect = 0.1\n", "\nlone_decision_leave_effect = 0\n");
    assert!(text.contains("\nlone_decision_leave_effect = 0\n"));
    let held = dir.join("held.toml");
    std::fs::write(
        &held,
        format!("{text}\n[priors]\n\"workforce.lone_decision_leave_effect\" = {{ dist = \"point\" }}\n"),
    )
    .unwrap();
    let out_held = dir.join("held");
    let printed = ok(&["uncertainty", held.to_str().unwrap(), "--out", out_held.to_str().unwrap(), "--quiet"]);
    assert!(printed.contains("held, not drawn: workforce.lone_decision_leave_effect"), "{printed}");
    let report = std::fs::read_to_string(out_held.join("report.html")).unwrap();
    assert!(report.contains("Held, not drawn") && report.contains("workforce.lone_decision_leave_effect"));
    let header =
        |dir: &Path| std::fs::read_to_string(dir.join("draws.csv")).unwrap().lines().next().unwrap().to_string();
    assert!(header(&out_drawn).contains("workforce.lone_decision_leave_effect"));
    assert!(!header(&out_held).contains("workforce.lone_decision_leave_effect"), "{}", header(&out_held));
    assert_eq!(header(&out_drawn).split(',').count(), header(&out_held).split(',').count() + 1);
    let sobol = std::fs::read_to_string(out_held.join("sobol.csv")).unwrap();
    assert!(!sobol.contains("lone_decision_leave_effect") && sobol.contains("lone_rating_shift"), "{sobol}");
    // The manifest keeps the section, so the analysis can be repeated from it.
    let manifest = std::fs::read_to_string(out_held.join("manifest.toml")).unwrap();
    assert!(
        manifest.contains("[priors]\n\"workforce.lone_decision_leave_effect\" = { dist = \"point\" }"),
        "{manifest}"
    );
    // `caseload params SCENARIO` shows the prior in force.
    let table = ok(&["params", held.to_str().unwrap(), "--tsv"]);
    let row = table.lines().find(|l| l.starts_with("workforce.lone_decision_leave_effect\t")).unwrap();
    assert!(row.ends_with("held at the scenario's value (not drawn)"), "{row}");
}

/// A mistake in `[priors]` is named with its line, the field and what is allowed.
#[test]
fn priors_are_checked_with_their_place() {
    let dir = scratch("uncertainty_bad_priors");
    let f = dir.join("bad.toml");
    std::fs::write(
        &f,
        "[priors]\n\
         \"judgement.lone_rating_shif\" = { dist = \"point\" }\n\
         \"casework.hours_per_day\" = { dist = \"point\" }\n\
         \"judgement.rho\" = { dist = \"normal\" }\n\
         \"judgement.manager_weight\" = { dist = \"uniform\", low = 0.2, high = 0.9 }\n\
         \"judgement.drift_share\" = { dist = \"triangular\", low = 0.2, mode = 0.1, high = 0.3 }\n",
    )
    .unwrap();
    let o = caseload(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    for want in [
        "bad.toml:2:1: priors.judgement.lone_rating_shif: \"judgement.lone_rating_shif\" is not a known assumption",
        "bad.toml:3:1: priors.casework.hours_per_day: casework.hours_per_day is not an assumption",
        "bad.toml:4:",
        "priors.judgement.rho: dist",
        "bad.toml:5:",
        "priors.judgement.manager_weight: runs from 0.2 to 0.9; allowed 0.5 to 1",
        "bad.toml:6:",
        "priors.judgement.drift_share: needs low <= mode <= high",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
}

/// The decision priced: every draw on the plane, an acceptability curve between 0 and 1
/// whose two rules add to one, and no parameter or group worth more than perfect
/// information about everything.
#[test]
fn the_decision_is_priced_with_its_value_of_information() {
    let out = scratch("uncertainty_priced").join("u");
    ok(&[
        "uncertainty",
        "scenarios/teaching_one_team.toml",
        "--draws",
        "16",
        "-n",
        "2",
        "--sobol-base",
        "4",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let plane = std::fs::read_to_string(out.join("cost_effectiveness.csv")).unwrap();
    assert_eq!(plane.lines().count(), 1 + 16, "a row per draw: {plane}");
    let curve = std::fs::read_to_string(out.join("acceptability.csv")).unwrap();
    for line in curve.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        assert!((0.0..=1.0).contains(&f[1]) && (f[1] + f[2] - 1.0).abs() < 1e-12, "{line}");
        assert!(f[3] >= 0.0, "EVPI is never negative: {line}");
    }
    let evppi = std::fs::read_to_string(out.join("evppi.csv")).unwrap();
    assert!(evppi.contains("drift when deciding alone,group,"), "{evppi}");
    for line in evppi.lines().skip(1) {
        let f: Vec<&str> = line.rsplitn(3, ',').collect();
        let (evpi, part): (f64, f64) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        assert!((0.0..=evpi + 1e-9).contains(&part), "EVPPI {part} above EVPI {evpi}: {line}");
    }
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("What it costs, and what finding out is worth") && report.contains("would be worth at most")
    );
}
