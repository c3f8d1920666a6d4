//! Calibration: the fitted scenarios reproduce the published figures within the stated
//! tolerances, and a targets file with mistakes is reported clearly.

use crate::{caseload, text};

/// Runs `calibrate` for a year; every target passes but those named in `known_misses`,
/// which must fail (a model change that fixes one should update this test and
/// docs/VALIDATION.md).
fn check_year(year: &str, known_misses: &[&str]) {
    let scenario = format!("scenarios/england_{year}.toml");
    let targets = format!("targets/england_{year}.toml");
    let o = caseload(&["calibrate", &scenario, "--targets", &targets, "--quiet"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(if known_misses.is_empty() { 0 } else { 2 }), "{out}{}", text(&o.stderr));
    let rows: Vec<&str> = out.lines().filter(|l| l.contains(" pass ") || l.contains(" FAIL ")).collect();
    let expected = std::fs::read_to_string(&targets).unwrap().matches("[[target]]").count();
    assert_eq!(rows.len(), expected, "{out}");
    for row in rows {
        let metric = row.split_whitespace().next().unwrap();
        let pass = row.contains(" pass ");
        assert_eq!(pass, !known_misses.contains(&metric), "{metric}: {row}");
    }
}

/// The 2017 scenario reproduces every fitted figure. The two tenure figures are reported,
/// not fitted, and miss: the share of staff under 5 years in their authority (60%) and of
/// leavers under 2 years' service (35%) both come from a workforce that grew, and with a
/// fixed establishment and 13.4% turnover the mean tenure is 7.5 years. England's history,
/// which grows, is where they are set against the record: history.rs asserts the share
/// under five years; the leavers' share is reported (docs/VALIDATION.md section 4e).
#[test]
fn the_2017_scenario_lands_within_every_published_tolerance_but_tenure() {
    check_year("2017", &["leavers_under_two_years_service_pct", "under_five_years_in_authority_pct"]);
}

/// The 2025 scenario reproduces every figure, the shape of the durations included
/// (quartiles, within 10 and 20 days, the last week before the limit).
#[test]
fn the_2025_scenario_lands_within_every_published_tolerance() {
    check_year("2025", &[]);
}

/// Writes a targets file with one target under `manager_shared` to a scratch folder.
fn one_target(file: &str, metric: &str, value: f64, tolerance: f64) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("calibration");
    std::fs::create_dir_all(&dir).unwrap();
    let t = dir.join(file);
    let body = format!(
        "rule = \"manager_shared\"\n[[target]]\nmetric = \"{metric}\"\nvalue = {value}\ntolerance = {tolerance}\n"
    );
    std::fs::write(&t, body).unwrap();
    t
}

#[test]
fn a_target_that_misses_fails_the_command() {
    let t = one_target("impossible.toml", "turnover_pct", 60.0, 1.0);
    let o = caseload(&[
        "calibrate",
        "scenarios/teaching_one_team.toml",
        "--targets",
        t.to_str().unwrap(),
        "-n",
        "3",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stdout).contains(" FAIL "));
    assert!(text(&o.stderr).contains("1 of 1 targets outside tolerance"));
}

#[test]
fn a_targets_file_with_an_unknown_metric_is_reported() {
    let t = one_target("typo.toml", "turnover", 13.0, 1.0);
    let o = caseload(&["calibrate", "scenarios/teaching_one_team.toml", "--targets", t.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("typo.toml:3:10: target[0].metric: \"turnover\" is not a known metric; known: "), "{err}");
    assert!(err.contains("1 problem in "), "{err}");
}

#[test]
fn every_problem_in_a_targets_file_is_reported_at_once() {
    let o = caseload(&[
        "calibrate",
        "scenarios/teaching_one_team.toml",
        "--targets",
        "tests/fixtures/targets_many_problems.toml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "");
    let f = "tests/fixtures/targets_many_problems.toml";
    let expected = format!(
        "error: {f}:3:8: rule: rule \"manager_sharde\" is not known; rules are practitioner_only, manager_shared, \
         shared_for_novices:YEARS, shared_above:TIER\n\
         {f}:4:1: colour: is not a known key; known: name, rule, target\n\
         {f}:7:10: target[0].metric: \"turnover_pc\" is not a known metric; did you mean `turnover_pct`?\n\
         {f}:9:13: target[0].tolerance: is -1; allowed above 0 (in the metric's unit)\n\
         {f}:13:9: target[1].value: is text; expected a number, allowed any number (in the metric's unit)\n\
         {f}:15:1: target[1].wieght: is not a known key; did you mean `weight`?\n\
         {f}:17:1: target[2].value: is missing; expected the published figure\n\
         {f}:17:1: target[2].tolerance: is missing; expected a number above 0\n\
         8 problems in {f}\n"
    );
    assert_eq!(text(&o.stderr), expected);
}

/// `--fit` moves a parameter towards a target and writes a valid scenario that reaches it.
#[test]
fn fit_moves_a_parameter_to_its_target_and_writes_the_scenario() {
    // The teaching team's turnover at its default leaving rates is near 13%; ask for 25%.
    let t = one_target("turnover.toml", "turnover_pct", 25.0, 3.0);
    let out = t.with_file_name("fitted.toml");
    let _ = std::fs::remove_file(&out);
    let o = caseload(&[
        "calibrate",
        "scenarios/teaching_one_team.toml",
        "--targets",
        t.to_str().unwrap(),
        "-n",
        "8",
        "--fit",
        "workforce.leave_rate_permanent",
        "--max-evaluations",
        "20",
        "--write",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o.stdout), text(&o.stderr));
    let fitted = caseload::scenario::Scenario::load(&out).expect("the fitted scenario is valid");
    assert!(fitted.workforce.leave_rate_permanent > 0.2, "fitted {}", fitted.workforce.leave_rate_permanent);
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("# Fitted by `caseload calibrate`"));
    let again = caseload(&[
        "calibrate",
        "scenarios/teaching_one_team.toml",
        "--targets",
        t.to_str().unwrap(),
        "--fit",
        "workforce.leave_rate_permanent",
        "--write",
        out.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2), "refuses to overwrite without --force");
    let authority = caseload(&[
        "calibrate",
        "scenarios/teaching_one_team.toml",
        "--targets",
        t.to_str().unwrap(),
        "--fit",
        "authority.teams",
    ]);
    assert!(text(&authority.stderr).contains("cannot be fitted"), "{}", text(&authority.stderr));
}

#[test]
fn a_metric_renamed_in_this_release_is_still_accepted_in_a_targets_file() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("calibration-former-name");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("old.toml");
    std::fs::write(
        &f,
        "name = \"old\"\nrule = \"manager_shared\"\n[[target]]\nmetric = \"within_45_days_pct\"\nvalue = 82.9\ntolerance = 2\nsource = \"DfE\"\n",
    )
    .unwrap();
    let t = caseload::calibrate::Targets::load(&f).unwrap();
    assert_eq!(t.targets[0].metric, caseload::model::Metric::WithinLimit);
}
