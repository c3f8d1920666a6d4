//! `caseload england`: a scenario of England's local authorities in a year, each with its
//! own figures from the DfE files compiled into the binary, that `validate` accepts; a
//! figure the DfE does not give is the region's, and the file says so.

use std::path::{Path, PathBuf};
use std::process::Output;

use caseload::england::{Csv, REFERRALS_CSV, WORKFORCE_CSV};
use caseload::model::{Rule, run_one};
use caseload::scenario::{Scenario, Value};

use crate::{caseload, scratch, text};

/// A written scenario without the three lines that mark it unfitted.
fn unmarked(t: &str) -> String {
    let marked = t.starts_with("# NOT FITTED:");
    t.lines().skip(if marked { 3 } else { 0 }).map(|l| format!("{l}\n")).collect()
}

/// `caseload england --year YEAR --out DIR/FILE` with more arguments.
fn england(dir: &Path, file: &str, year: &str, more: &[&str]) -> (PathBuf, Output) {
    let out = dir.join(file);
    let mut args = vec!["england", "--year", year, "--out", out.to_str().unwrap()];
    args.extend(more);
    (out.clone(), caseload(&args))
}

/// One file's rows for a year at a geographic level, each as a lookup by column name.
fn rows(csv_text: &str, year: &str, level: &str) -> Vec<Vec<(String, String)>> {
    let csv = Csv::parse(csv_text).unwrap();
    let col = |name: &str| csv.column(name).unwrap();
    csv.rows
        .iter()
        .filter(|r| r[col("time_period")] == year && r[col("geographic_level")] == level)
        .map(|r| csv.header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

fn get<'a>(row: &'a [(String, String)], column: &str) -> &'a str {
    &row.iter().find(|(c, _)| c == column).unwrap().1
}

/// The authorities of a year in both files (by code, or by old code and name where the
/// code changed between them): their names and codes, read from the embedded files.
fn in_both(year: &str) -> Vec<(String, String)> {
    let referrals = rows(REFERRALS_CSV, year, "Local authority");
    rows(WORKFORCE_CSV, year, "Local authority")
        .iter()
        .filter(|w| {
            referrals.iter().any(|r| {
                get(r, "new_la_code") == get(w, "new_la_code")
                    || (get(r, "old_la_code") == get(w, "old_la_code") && get(r, "la_name") == get(w, "la_name"))
            })
        })
        .map(|w| (get(w, "la_name").to_string(), get(w, "new_la_code").to_string()))
        .collect()
}

fn names(s: &Scenario) -> Vec<&str> {
    s.authorities.iter().map(|a| a.name.as_str()).collect()
}

#[test]
fn every_authority_in_both_files_is_written_with_its_code_and_region_and_validates() {
    let dir = scratch("england_2025");
    let (path, o) = england(&dir, "england_2025_authorities.toml", "2025", &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s = Scenario::load(&path).unwrap();
    let want = in_both("2025");
    assert!(want.len() > 140, "the files hold {} authorities in 2025", want.len());
    assert_eq!(s.authorities.len(), want.len());
    assert_eq!(s.parts().len(), want.len(), "each authority runs as a scenario of its own");
    for (a, (name, code)) in s.authorities.iter().zip(&want) {
        assert_eq!((&a.name, &a.code), (name, code));
        assert!(!a.region.is_empty() && !a.old_code.is_empty() && a.teams >= 1, "{}", a.name);
    }
    // The scenario-wide values are the 2025 calibration's, with its rules.
    let base = crate::scenario("england_2025");
    assert_eq!(s.judgement.sd_expert, base.judgement.sd_expert);
    assert_eq!(s.run.rules, base.run.rules);
    assert_eq!(s.run.replications, 20);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("# NOT FITTED:"), "{}", &written[..200]);
    let written = unmarked(&written);
    assert!(written.starts_with("# caseload scenario: England in 2025"), "{}", &written[..200]);
    assert!(written.contains("the same time_period (2025) of both"));
    assert!(written.contains("Implausible: turnover below 2%"));
    // Every key under its comment, as `caseload params --annotate` writes it.
    assert_eq!(caseload::scenario::annotate::annotate(&written), written);
    let v = caseload(&["validate", path.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
    assert!(text(&v.stdout).contains(&format!("valid ({} authorities", want.len())), "{}", text(&v.stdout));
}

#[test]
fn a_figure_the_dfe_does_not_give_is_the_regions_and_the_file_says_so() {
    // An authority whose 2025 turnover is not a number, in a region whose turnover is.
    let regions = rows(WORKFORCE_CSV, "2025", "Regional");
    let national = &rows(WORKFORCE_CSV, "2025", "National")[0];
    let number = |row: &[(String, String)], c: &str| get(row, c).parse::<f64>().ok();
    let (authority, region) = rows(WORKFORCE_CSV, "2025", "Local authority")
        .into_iter()
        .filter(|a| number(a, "turnover_rate_fte").is_none())
        .find_map(|a| {
            let r = regions.iter().find(|r| get(r, "region_name") == get(&a, "region_name"))?.clone();
            number(&r, "turnover_rate_fte").map(|_| (a, r))
        })
        .expect("the 2025 files hold a suppressed turnover");
    let (name, symbol) = (get(&authority, "la_name"), get(&authority, "turnover_rate_fte"));
    let regional = number(&region, "turnover_rate_fte").unwrap();

    let dir = scratch("england_fallback");
    let (path, o) = england(&dir, "one.toml", "2025", &["--authority", name, "--no-fit"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(&path).unwrap();
    // The comment lines right above the authority's table.
    let above: Vec<&str> =
        written[..written.find("[[authority]]").unwrap()].lines().rev().take_while(|l| l.starts_with('#')).collect();
    let line = above
        .iter()
        .find(|l| l.starts_with(&format!("# turnover_rate_fte: {symbol} (")))
        .unwrap_or_else(|| panic!("no fallback comment above {name}: {above:?}"));
    let region_name = get(&region, "region_name");
    assert!(line.contains(region_name) && line.ends_with(&format!(" {regional} used")), "{line}");
    // And the value: the base's leaving rate scaled by the region's turnover over England's.
    let s = Scenario::load(&path).unwrap();
    let base = crate::scenario("england_2025");
    let want = base.workforce.leave_rate_permanent * regional / number(national, "turnover_rate_fte").unwrap();
    let got = s.parts()[0].workforce.leave_rate_permanent;
    assert!((got - want).abs() < 1e-3 * want, "{got} against {want}");
}

#[test]
fn authorities_are_chosen_by_name_or_code_and_the_chosen_scenario_runs() {
    let dir = scratch("england_chosen");
    let (path, o) = england(&dir, "barnsley.toml", "2025", &["--authority", "barnsley", "--no-fit"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s = Scenario::load(&path).unwrap();
    assert_eq!(names(&s), ["Barnsley"]);
    assert_eq!(s.run.name, "barnsley_2025");
    // Unfitted, the file and the closing message say so loudly, --quiet or not.
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("# NOT FITTED:"));
    assert!(text(&o.stderr).contains("NOT FITTED"), "{}", text(&o.stderr));
    // Without --no-fit a chosen authority is fitted to its own figures.
    let (fitted, o) =
        england(&dir, "fitted.toml", "2025", &["--authority", "Rutland", "--fit-evaluations", "4", "-n", "2"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let fitted = std::fs::read_to_string(&fitted).unwrap();
    assert_eq!(fitted.matches("# fitted by caseload england --fit").count(), caseload::england::OWN_FREE.len());
    assert!(!fitted.contains("NOT FITTED") && !text(&o.stderr).contains("NOT FITTED"));

    // By new code and old code, comma-separated, and a name with a comma in it, once each.
    let all = rows(WORKFORCE_CSV, "2025", "Local authority");
    let find = |name: &str| all.iter().find(|r| get(r, "la_name") == name).unwrap();
    let by_code = format!("{},{}", get(find("Leeds"), "old_la_code"), get(find("Bristol, City of"), "new_la_code"));
    let (path, o) = england(
        &dir,
        "three.toml",
        "2025",
        &["--authority", &by_code, "--authority", "Bristol, City of,Barnsley", "--no-fit"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s = Scenario::load(&path).unwrap();
    let mut got = names(&s);
    got.sort_unstable();
    assert_eq!(got, ["Barnsley", "Bristol, City of", "Leeds"]);

    // The chosen authorities run, each on its own values.
    let short = s.with_all(&[("run.warmup_years", Value::Int(0)), ("run.horizon_years", Value::Int(1))]).unwrap();
    let r = run_one(&short, Rule::ManagerShared, 1, 0);
    assert_eq!(r.authorities.len(), 3);
}

#[test]
fn an_unknown_authority_or_year_is_refused_with_what_there_is() {
    let dir = scratch("england_unknown");
    let (path, o) = england(&dir, "x.toml", "2025", &["--authority", "Barnsly"]);
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o.stderr);
    assert!(e.contains("no authority named or coded \"Barnsly\" in 2025; did you mean `Barnsley`"), "{e}");
    assert!(!path.exists());
    let (_, o) = england(&dir, "x.toml", "2025", &["--authority", "Kingston upon Thames"]);
    assert!(text(&o.stderr).contains("is only in the referral file in 2025"), "{}", text(&o.stderr));
    let (_, o) = england(&dir, "x.toml", "2016", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no DfE figures for 2016"), "{}", text(&o.stderr));
    assert!(!path.exists());
}

#[test]
fn the_same_command_writes_the_same_bytes_and_an_existing_file_needs_force() {
    let dir = scratch("england_twice");
    let args = ["--authority", "Barnsley,Sheffield,Westminster", "--no-fit"];
    let (first, o) = england(&dir, "first.toml", "2025", &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let (second, o) = england(&dir, "second.toml", "2025", &args);
    assert!(o.status.success());
    let bytes = std::fs::read(&first).unwrap();
    assert_eq!(bytes, std::fs::read(&second).unwrap());
    let (_, o) = england(&dir, "first.toml", "2017", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("already exists; use --force"), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(&first).unwrap(), bytes, "refused, the file is untouched");
    let (_, o) = england(&dir, "first.toml", "2017", &["--force", "--quiet"]);
    // --quiet leaves only the warning that the file is not fitted.
    let said = text(&o.stderr);
    assert!(o.status.success() && said.starts_with("caseload: NOT FITTED") && said.lines().count() == 1, "{said}");
    assert_ne!(std::fs::read(&first).unwrap(), bytes);
}

#[test]
fn a_2017_scenario_starts_from_the_2017_calibration_and_validates() {
    let dir = scratch("england_2017");
    let (path, o) = england(&dir, "england_2017_authorities.toml", "2017", &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s = Scenario::load(&path).unwrap();
    assert_eq!(s.authorities.len(), in_both("2017").len());
    assert!(s.authorities.iter().all(|a| !a.code.is_empty() && !a.region.is_empty()));
    let base = crate::scenario("england_2017");
    assert_eq!(s.casework.manageable_caseload, base.casework.manageable_caseload);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("Scenario-wide values: those of scenarios/england_2017.toml"));
}

#[test]
fn each_authority_is_fitted_to_its_own_figures_and_an_interrupted_fit_resumes() {
    let dir = scratch("england_fit");
    let pick = ["--authority", "Hartlepool,Rutland", "--fit", "--fit-evaluations", "6", "-n", "2", "--threads", "2"];
    let (file, o) = england(&dir, "two.toml", "2025", &pick);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let printed = text(&o.stdout);
    for (m, tolerance) in caseload::england::OWN_TARGETS {
        let line = printed.lines().find(|l| l.starts_with(&format!("{}: ", m.name())));
        assert!(
            line.is_some_and(|l| l.ends_with(&format!(" of 2 authorities within ±{tolerance} of their own figure"))),
            "{printed}"
        );
    }
    let fitted = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        fitted.matches("# fitted by caseload england --fit").count(),
        2 * caseload::england::OWN_FREE.len(),
        "each fitted value in each of two authorities"
    );
    let s = Scenario::from_toml(&fitted, &file).unwrap();
    assert_eq!(s.parts().len(), 2);
    // Interrupted after the first authority: its kept fit is used, not fitted again.
    let kept = dir.join(".again.toml.fit");
    std::fs::create_dir_all(&kept).unwrap();
    let first = &s.parts()[0].workforce;
    std::fs::write(
        kept.join("authority-0001.txt"),
        format!(
            "workforce.leave_rate_permanent = {}\nworkforce.time_to_hire_days_mean = {}\nworkforce.agency_cover_share = {}\n\
             casework.ongoing_days_mean = {}\ncasework.direct_work_share = {}\n",
            first.leave_rate_permanent * 2.0,
            first.time_to_hire_days_mean,
            first.agency_cover_share,
            s.parts()[0].casework.ongoing_days_mean,
            s.parts()[0].casework.direct_work_share
        ),
    )
    .unwrap();
    let (_, o) = england(&dir, "again.toml", "2025", &pick);
    assert_ne!(o.status.code(), Some(0), "kept authorities without --resume are refused");
    let mut resume = pick.to_vec();
    resume.push("--resume");
    let (again, o) = england(&dir, "again.toml", "2025", &resume);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let s2 = Scenario::load(&again).unwrap();
    // (Written to four significant figures.)
    let kept_rate = s2.parts()[0].workforce.leave_rate_permanent;
    assert!((kept_rate / (first.leave_rate_permanent * 2.0) - 1.0).abs() < 1e-3, "{kept_rate}");
    assert_eq!(s2.parts()[1].workforce.leave_rate_permanent, s.parts()[1].workforce.leave_rate_permanent);
    assert!(!kept.exists(), "the kept fits are removed once the file is written");
}

#[test]
fn the_check_compares_each_authority_run_with_its_published_figures() {
    let dir = scratch("england_check");
    let pick = ["--authority", "Hartlepool,Rutland,Westminster", "--no-fit"];
    let (file, o) = england(&dir, "three.toml", "2025", &pick);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = dir.join("run");
    let o = caseload(&["run", file.to_str().unwrap(), "-n", "2", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = caseload(&["england", "--year", "2025", "--check", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let printed = text(&o.stdout);

    // Recomputed here from the run's table and the published file.
    let csv = Csv::parse(&std::fs::read_to_string(out.join("authorities.csv")).unwrap()).unwrap();
    let col = |name: &str| csv.column(name).unwrap();
    let referrals = rows(REFERRALS_CSV, "2025", "Local authority");
    let (mut published, mut simulated) = (Vec::new(), Vec::new());
    for r in csv.rows.iter().filter(|r| r[col("metric")] == "rereferral_pct") {
        let Some(row) = referrals.iter().find(|p| get(p, "new_la_code") == r[col("code")]) else { continue };
        let Ok(p) = get(row, "rereferral_percent").parse::<f64>() else { continue };
        let in_force = if r[col("rule_a")] == "practitioner_only" { col("mean_a") } else { col("mean_b") };
        published.push(p);
        simulated.push(r[in_force].parse::<f64>().unwrap());
    }
    assert!(!published.is_empty());
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let line = printed.lines().find(|l| l.starts_with("rereferral_pct ")).expect(&printed);
    assert!(printed.contains("rereferral_pct: against the DfE's rereferral_percent"), "{printed}");
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells[1], published.len().to_string(), "{line}");
    assert_eq!(cells[2], format!("{:.2}", mean(&published)), "{line}");
    assert_eq!(cells[3], format!("{:.2}", mean(&simulated)), "{line}");
    let errors: Vec<f64> = simulated.iter().zip(&published).map(|(s, p)| (s - p).abs()).collect();
    assert_eq!(cells[6], format!("{:.2}", mean(&errors)), "{line}");
    assert!(printed.contains("agency_covering_vacancies"), "{printed}");

    // A folder that is not a run's output is named.
    let o = caseload(&["england", "--year", "2025", "--check", dir.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert!(text(&o.stderr).contains("authorities.csv"), "{}", text(&o.stderr));
}

/// `scenarios/england_2025_authorities.toml` is what `caseload england --year 2025 --fit`
/// writes today, but for the fitted numbers (refitting takes minutes): every other line,
/// the header and every authority's figures and comments among them, is the command's;
/// each authority has one marked value for each fitted key, and no other value moved.
#[test]
fn the_bundled_england_is_the_commands_output_with_each_authority_fitted() {
    let dir = scratch("england_bundled");
    let (path, o) = england(&dir, "england_2025_authorities.toml", "2025", &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let written = unmarked(&std::fs::read_to_string(&path).unwrap());
    let bundled_path = format!("{}/scenarios/england_2025_authorities.toml", env!("CARGO_MANIFEST_DIR"));
    let bundled = std::fs::read_to_string(&bundled_path).unwrap();
    let fitted = |l: &str| caseload::england::OWN_FREE.iter().any(|k| l.starts_with(&format!("{k} = ")));
    let mask = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with("# fitted by caseload england --fit"))
            .map(|l| if fitted(l) { l.split(" = ").next().unwrap().to_string() } else { l.to_string() })
            .collect()
    };
    let (w, b) = (mask(&written), mask(&bundled));
    if let Some(i) = w.iter().zip(&b).position(|(x, y)| x != y) {
        panic!("line {} differs from the command's:\n  bundled: {}\n  command: {}", i + 1, b[i], w[i]);
    }
    assert_eq!(w.len(), b.len());
    let s = Scenario::load(&bundled_path).unwrap();
    let marks = bundled.matches("# fitted by caseload england --fit").count();
    assert_eq!(marks, s.authorities.len() * caseload::england::OWN_FREE.len());
    assert_eq!(s.authorities.len(), in_both("2025").len());
}

#[test]
fn the_command_works_from_any_folder() {
    // The DfE files and the default base scenario are compiled in.
    let dir = crate::scratch("england_elsewhere");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(["england", "--year", "2025", "--authority", "Barnsley", "--out", "barnsley.toml", "--quiet", "--no-fit"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", crate::text(&o.stderr));
    let there = std::fs::read_to_string(dir.join("barnsley.toml")).unwrap();
    // The same file as from the repository's folder, which reads scenarios/england_2025.toml.
    let here = dir.join("here.toml");
    let o = crate::caseload(&[
        "england",
        "--year",
        "2025",
        "--authority",
        "Barnsley",
        "--out",
        here.to_str().unwrap(),
        "--quiet",
        "--no-fit",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", crate::text(&o.stderr));
    assert_eq!(there, std::fs::read_to_string(&here).unwrap());
}
