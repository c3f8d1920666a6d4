//! Bad input: each kind of defect, from fixture files, gets one clear report naming file,
//! line, column, field, value and the allowed range, all problems at once.

use caseload::scenario::{Scenario, ScenarioError};

fn check(fixture: &str, expected: &str) {
    let path = format!("tests/fixtures/{fixture}.toml");
    match Scenario::load(&path) {
        Ok(_) => panic!("{fixture} loaded but should not"),
        Err(e) => assert_eq!(e.to_string(), expected, "\n--- got:\n{e}\n"),
    }
}

#[test]
fn bad_toml() {
    check(
        "bad_toml",
        "tests/fixtures/bad_toml.toml:1:5: toml: not valid TOML: unclosed table, expected `]`\n\
         1 problem in tests/fixtures/bad_toml.toml",
    );
}

#[test]
fn unknown_key_suggests_the_nearest() {
    check(
        "unknown_key",
        "tests/fixtures/unknown_key.toml:3:1: casework.hours_per_dya: is not a known key; did you mean `hours_per_day`?\n\
         1 problem in tests/fixtures/unknown_key.toml",
    );
}

#[test]
fn unknown_section() {
    let e = Scenario::load("tests/fixtures/unknown_section.toml").unwrap_err().to_string();
    assert!(
        e.starts_with("tests/fixtures/unknown_section.toml:1:2: staff: is not a known section; known: run, demand"),
        "{e}"
    );
}

#[test]
fn wrong_type() {
    check(
        "wrong_type",
        "tests/fixtures/wrong_type.toml:2:17: casework.hours_per_day: is text; expected a number, allowed 1 to 12 (hours)\n\
         1 problem in tests/fixtures/wrong_type.toml",
    );
}

#[test]
fn out_of_range() {
    check(
        "out_of_range",
        "tests/fixtures/out_of_range.toml:2:21: casework.direct_work_share: is 1.3; allowed 0.05 to 1 (share of hours spent on cases)\n\
         1 problem in tests/fixtures/out_of_range.toml",
    );
}

#[test]
fn negative_cap() {
    check(
        "negative_cap",
        "tests/fixtures/negative_cap.toml:2:16: casework.caseload_cap: is -3; allowed a whole number 1 to 100 (cases (assessments and open children))\n\
         1 problem in tests/fixtures/negative_cap.toml",
    );
}

#[test]
fn risk_shares_must_sum_to_one() {
    check(
        "risk_mix_sum",
        "tests/fixtures/risk_mix_sum.toml:2:1: demand.risk_mix: sums to 1.1; the four shares must sum to 1\n\
         1 problem in tests/fixtures/risk_mix_sum.toml",
    );
}

#[test]
fn cut_points_must_increase() {
    check(
        "cuts_out_of_order",
        "tests/fixtures/cuts_out_of_order.toml:2:1: demand.risk_cuts: is [0.7, 0.4, 0.95]; cut-points must increase strictly inside 0 to 1\n\
         1 problem in tests/fixtures/cuts_out_of_order.toml",
    );
}

#[test]
fn newly_qualified_cap_above_the_cap() {
    check(
        "newly_qualified_cap_above_cap",
        "tests/fixtures/newly_qualified_cap_above_cap.toml:3:1: casework.caseload_cap_newly_qualified: is 15; must not exceed caseload_cap (10)\n\
         1 problem in tests/fixtures/newly_qualified_cap_above_cap.toml",
    );
}

#[test]
fn unknown_rule() {
    let e = Scenario::load("tests/fixtures/unknown_rule.toml").unwrap_err().to_string();
    assert!(
        e.starts_with("tests/fixtures/unknown_rule.toml:2:9: run.rules: rule \"manager_alone\" is not known"),
        "{e}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    check(
        "many_problems",
        "tests/fixtures/many_problems.toml:3:16: run.replications: is 0; allowed a whole number 1 to 100000 (replications a rule)\n\
         tests/fixtures/many_problems.toml:6:1: casework.hours_per_dya: is not a known key; did you mean `hours_per_day`?\n\
         tests/fixtures/many_problems.toml:7:21: casework.direct_work_share: is 1.3; allowed 0.05 to 1 (share of hours spent on cases)\n\
         tests/fixtures/many_problems.toml:10:1: demand.risk_mix: sums to 1.1; the four shares must sum to 1\n\
         tests/fixtures/many_problems.toml:13:9: authority[0].teams: is 2.5, not a whole number; allowed a whole number 1 to 1000 (teams, each with one manager)\n\
         5 problems in tests/fixtures/many_problems.toml",
    );
}

#[test]
fn a_missing_file_is_an_io_error_not_a_panic() {
    match Scenario::load("tests/fixtures/no_such_file.toml") {
        Err(ScenarioError::Io { path, .. }) => assert!(path.ends_with("no_such_file.toml")),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}
