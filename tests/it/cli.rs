//! The command line as a person uses it: exit codes, errors, quiet output, help.

use crate::{caseload, text};

#[test]
fn validate_accepts_a_good_file_and_says_so() {
    let o = caseload(&["validate", "scenarios/baseline.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "scenarios/baseline.toml: valid (1 authority, 23 teams, 138 posts)\n");
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
fn a_bad_rule_on_the_command_line_exits_1_like_a_bad_file() {
    let o = caseload(&["run", "scenarios/teaching_one_team.toml", "--rules", "practitioner_only,sometimes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("command line: run.rules: rule \"sometimes\" is not known"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn command_line_values_are_checked_against_the_same_ranges_as_a_file() {
    // A seed beyond 2^53, or one beyond what a whole number in TOML can hold, and more
    // replications than a file may ask for: refused before anything runs or is written.
    for (flag, value, expect) in [
        (
            "--seed",
            "9007199254740993",
            "command line: run.seed: is 9007199254740993; allowed a whole number 0 to 9007199254740992",
        ),
        (
            "--seed",
            "18446744073709551615",
            "--seed is 18446744073709551615; allowed a whole number 0 to 9007199254740992",
        ),
        ("-n", "200000", "command line: run.replications: is 200000; allowed a whole number 1 to 100000"),
        ("-n", "0", "command line: run.replications: is 0; allowed a whole number 1 to 100000"),
    ] {
        let dir = out(&format!("range-{}", value.len()));
        let o = caseload(&["run", "scenarios/teaching_one_team.toml", flag, value, "--out", &dir, "--quiet"]);
        assert_ne!(o.status.code(), Some(0), "{flag} {value}");
        assert!(text(&o.stderr).contains(expect), "{flag} {value}: {}", text(&o.stderr));
        assert!(!std::path::Path::new(&dir).exists(), "{flag} {value} wrote {dir}");
    }
}

/// A fresh output folder for one test.
fn out(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir.to_string_lossy().into_owned()
}

#[test]
fn run_prints_the_same_table_on_one_and_two_threads() {
    let run = |threads: &str| {
        let dir = out(&format!("threads{threads}"));
        caseload(&[
            "run",
            "scenarios/teaching_one_team.toml",
            "-n",
            "4",
            "--seed",
            "3",
            "--quiet",
            "--threads",
            threads,
            "--out",
            &dir,
        ])
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert!(one.stderr.is_empty(), "--quiet prints no chatter: {}", text(&one.stderr));
    assert_eq!(two.status.code(), Some(0), "{}", text(&two.stderr));
    assert_eq!(text(&one.stdout), text(&two.stdout));
    let table = text(&one.stdout);
    assert!(table.starts_with("scenario teaching_one_team: 4 replications, seed 3"));
    assert!(table.contains("A = practitioner_only, B = manager_shared\n"), "{table}");
    assert!(table.contains("A - B [95% CI]"));
    for m in caseload::model::Metric::ALL {
        assert!(table.contains(m.name()), "table lacks {}", m.name());
    }
    for line in table.lines() {
        assert!(line.chars().count() <= caseload::printout::WIDTH, "wider than 100 columns: {line}");
    }
}

#[test]
fn rules_can_be_chosen_including_hybrids() {
    let dir = out("rules");
    let rules = "shared_above:high,shared_for_novices:2";
    let o =
        caseload(&["run", "scenarios/teaching_one_team.toml", "-n", "2", "--quiet", "--rules", rules, "--out", &dir]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("A = shared_above:high, B = shared_for_novices:2\n"));
    // --csv gives every rule's interval with full names.
    let csv = caseload(&[
        "run",
        "scenarios/teaching_one_team.toml",
        "-n",
        "2",
        "--quiet",
        "--rules",
        rules,
        "--csv",
        "--force",
        "--out",
        &format!("{dir}-csv"),
    ]);
    let csv = text(&csv.stdout);
    assert!(csv.starts_with("metric,unit,of,replications,mean,ci_low,ci_high\n"), "{csv}");
    assert!(csv.contains(",shared_above:high - shared_for_novices:2,"), "{csv}");
}

#[test]
fn every_command_has_help() {
    use clap::CommandFactory;
    let names: Vec<String> =
        caseload::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    assert!(names.len() >= 12, "the command line has its subcommands: {names:?}");
    // Every argument and option of every command says what it is for.
    for c in caseload::cli::Cli::command().get_subcommands() {
        assert!(c.get_about().is_some(), "caseload {} has no description", c.get_name());
        for arg in c.get_arguments().filter(|a| !["help", "version"].contains(&a.get_id().as_str())) {
            assert!(arg.get_help().is_some(), "caseload {} {}: no help", c.get_name(), arg.get_id());
        }
    }
    let o = caseload(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    for name in &names {
        assert!(text(&o.stdout).contains(name.as_str()), "`caseload --help` lists {name}");
        let o = caseload(&[name, "--help"]);
        assert_eq!(o.status.code(), Some(0), "caseload {name} --help");
        let help = text(&o.stdout);
        assert!(help.contains(&format!("Usage: caseload {name}")), "caseload {name} --help:\n{help}");
    }
}

#[test]
fn params_lists_every_key_with_its_source() {
    let o = caseload(&["params", "--tsv"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    let params = caseload::scenario::params::PARAMS;
    assert_eq!(out.lines().count(), params.len() + 1);
    let header: Vec<&str> = out.lines().next().unwrap().split('\t').collect();
    let source = header.iter().position(|h| *h == "source").expect("a source column");
    for (p, line) in params.iter().zip(out.lines().skip(1)) {
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells[0], p.path(), "rows in table order");
        let src = cells[source];
        assert!(!src.trim().is_empty(), "{} has no source", p.path());
        assert_eq!(src, p.source, "{}: the printed source is the table's", p.path());
        // A source is a published figure, a design choice, the user, or the word assumption.
        assert!(
            ["assumption", "derived", "design", "user", "DfE", "Working Together"].iter().any(|w| src.starts_with(w)),
            "{}: source `{src}` is none of assumption, derived, design, user or a publication",
            p.path()
        );
    }
}

#[test]
fn a_rule_named_twice_is_refused() {
    let o = caseload(&["run", "scenarios/teaching_one_team.toml", "--rules", "manager_shared,manager_shared"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("command line: run.rules: names manager_shared twice"), "{}", text(&o.stderr));
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("twice.toml");
    std::fs::write(&f, "[run]\nrules = [\"practitioner_only\", \"practitioner_only\"]\n").unwrap();
    let o = caseload(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("twice.toml:2:1: run.rules: names practitioner_only twice"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn annotate_refuses_a_file_with_a_mistake_and_leaves_it_alone() {
    let dir = crate::scratch("annotate_mistake");
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/teaching_one_team.toml")).unwrap();
    let f = dir.join("typo.toml");
    let typo = base.replace("\nleave_rate_permanent = ", "\nleave_rate_permanet = ");
    assert_ne!(typo, base);
    std::fs::write(&f, &typo).unwrap();
    let o = crate::caseload(&["params", "--annotate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", crate::text(&o.stderr));
    assert!(crate::text(&o.stderr).contains("leave_rate_permanent"), "did you mean: {}", crate::text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), typo, "the file is left as it was");
    // The same file without the mistake is annotated.
    std::fs::write(&f, &base).unwrap();
    let o = crate::caseload(&["params", "--annotate", f.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", crate::text(&o.stderr));
}

/// Every table a command prints fits a terminal of 100 columns (full names and every
/// column are in the files, `--csv` or `--tsv`).
#[test]
fn printed_tables_fit_100_columns() {
    let dir = out("widths");
    let runs: Vec<Vec<String>> = vec![
        vec!["params".into()],
        vec!["params".into(), "scenarios/baseline.toml".into()],
        vec!["params".into(), "lone_rating".into()],
        vec![
            "calibrate".into(),
            "scenarios/england_2025.toml".into(),
            "--targets".into(),
            "targets/england_2025.toml".into(),
            "-n".into(),
            "2".into(),
        ],
        vec![
            "sensitivity".into(),
            "scenarios/teaching_one_team.toml".into(),
            "-r".into(),
            "2".into(),
            "-n".into(),
            "2".into(),
            "--out".into(),
            format!("{dir}/s"),
        ],
        vec![
            "uncertainty".into(),
            "scenarios/teaching_one_team.toml".into(),
            "--draws".into(),
            "4".into(),
            "-n".into(),
            "2".into(),
            "--sobol-base".into(),
            "4".into(),
            "--out".into(),
            format!("{dir}/u"),
        ],
    ];
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).chain(["--quiet"]).collect();
        let o = caseload(&args);
        let printed = text(&o.stdout);
        assert!(!printed.is_empty(), "caseload {args:?} printed nothing: {}", text(&o.stderr));
        for line in printed.lines() {
            assert!(
                line.chars().count() <= caseload::printout::WIDTH,
                "caseload {args:?}: a line over 100 columns:\n{line}"
            );
        }
    }
}
