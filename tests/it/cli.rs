//! The command line as a person uses it: exit codes, errors, quiet output, help.

use std::process::{Command, Output};

fn caseload(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn validate_accepts_a_good_file_and_says_so() {
    let o = caseload(&["validate", "scenarios/baseline.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "scenarios/baseline.toml: valid (1 authorities, 23 teams, 138 posts)\n");
    let quiet = caseload(&["validate", "--quiet", "scenarios/baseline.toml"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty());
}

#[test]
fn an_invalid_scenario_exits_1_with_every_problem() {
    let o = caseload(&["validate", "tests/fixtures/many_problems.toml"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.starts_with("error: tests/fixtures/many_problems.toml:3:16: run.replications: is 0"), "{err}");
    assert!(err.contains("5 problems in tests/fixtures/many_problems.toml"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn a_missing_file_exits_2() {
    let o = caseload(&["run", "no/such/scenario.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("cannot read scenario no/such/scenario.toml"));
}

#[test]
fn a_bad_rule_on_the_command_line_exits_2() {
    let o = caseload(&["run", "scenarios/teaching_one_team.toml", "--rules", "practitioner_only,sometimes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("rule \"sometimes\" is not known"));
}

#[test]
fn run_prints_the_same_table_on_one_and_two_threads() {
    let args = |t: &'static str| {
        ["run", "scenarios/teaching_one_team.toml", "-n", "4", "--seed", "3", "--quiet", "--threads", t]
    };
    let one = caseload(&args("1"));
    let two = caseload(&args("2"));
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert!(one.stderr.is_empty(), "--quiet prints no chatter: {}", text(&one.stderr));
    assert_eq!(one.stdout, two.stdout);
    let out = text(&one.stdout);
    assert!(out.starts_with("scenario teaching_one_team: 4 replications, seed 3"));
    assert!(out.contains("practitioner_only - manager_shared (paired)"));
    for m in caseload::model::Metric::ALL {
        assert!(out.contains(m.name()), "table lacks {}", m.name());
    }
}

#[test]
fn rules_can_be_chosen_including_hybrids() {
    let o = caseload(&[
        "run",
        "scenarios/teaching_one_team.toml",
        "-n",
        "2",
        "--quiet",
        "--rules",
        "shared_above:high,shared_for_novices:2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("shared_above:high - shared_for_novices:2 (paired)"));
}

#[test]
fn every_command_has_help() {
    for cmd in [vec!["--help"], vec!["run", "--help"], vec!["validate", "--help"], vec!["params", "--help"]] {
        let o = caseload(&cmd);
        assert_eq!(o.status.code(), Some(0));
        assert!(text(&o.stdout).contains("Usage: caseload"));
    }
}

#[test]
fn params_lists_every_key_with_its_source() {
    let o = caseload(&["params"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), caseload::scenario::params::PARAMS.len() + 1);
    assert!(out.contains("workforce.leave_rate_permanent\t"));
}
