//! Several authorities in one scenario: each may set its own values, which override the
//! scenario's for it alone, checked like any other value; a run is the union of the
//! authorities' own runs, seed for seed.

use std::path::Path;

use caseload::model::{Metric, Part, Rule, n_parts, run_one, run_part};
use caseload::scenario::{Scenario, Value};

/// Two authorities of two teams each; the first sets its own leaving rate and caseload cap.
const TWO: &str = r#"
[run]
warmup_years = 1
horizon_years = 2

[[authority]]
name = "Northtown"
code = "E06000001"
region = "North East"
teams = 2
new_referrals_per_year = 380
workforce.leave_rate_permanent = 0.4
casework.caseload_cap = 22

[[authority]]
name = "Southville"
code = "E06000002"
region = "South East"
teams = 2
new_referrals_per_year = 360
"#;

fn load(text: &str) -> Scenario {
    Scenario::from_toml(text, Path::new("two.toml")).unwrap()
}

#[test]
fn an_authoritys_own_values_override_the_scenarios_for_it_alone() {
    let s = load(TWO);
    let parts = s.parts();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].workforce.leave_rate_permanent, 0.4);
    assert_eq!(parts[0].casework.caseload_cap, 22);
    assert_eq!(parts[1].workforce.leave_rate_permanent, s.workforce.leave_rate_permanent);
    assert_eq!(parts[1].casework.caseload_cap, s.casework.caseload_cap);
    // And in the run: Northtown loses far more of its staff.
    let r = run_one(&s, Rule::ManagerShared, 3, 0);
    let turnover = |i: usize| r.authorities[i].metrics.get(Metric::Turnover);
    assert!(turnover(0) > 1.5 * turnover(1), "{} against {}", turnover(0), turnover(1));
    // The manifest writes the authority's own values back.
    let again = Scenario::from_toml(&s.to_toml(), Path::new("manifest.toml")).unwrap();
    assert_eq!(again.to_toml(), s.to_toml());
    assert_eq!(again.parts()[0].workforce.leave_rate_permanent, 0.4);
}

#[test]
fn a_run_of_several_authorities_is_the_union_of_their_own_runs() {
    let s = load(TWO);
    let together = run_one(&s, Rule::PractitionerOnly, 11, 2);
    // Each authority alone, in a scenario of its own: the same numbers, bit for bit.
    let (first, second) = TWO.split_at(TWO.find("[[authority]]\nname = \"Southville\"").unwrap());
    let head = &first[..first.find("[[authority]]").unwrap()];
    for (i, alone) in [first.to_string(), format!("{head}{second}")].iter().enumerate() {
        let r = run_one(&load(alone), Rule::PractitionerOnly, 11, 2);
        assert_eq!(r.authorities.len(), usize::from(i == 0), "an authority with own values is a part of its own");
        let metrics = if i == 0 { &r.authorities[0].metrics } else { &r.metrics };
        assert_eq!(metrics, &together.authorities[i].metrics, "authority {i}");
    }
    // The run's totals add up the authorities' counts.
    let sum: f64 = together.authorities.iter().map(|a| a.metrics.get(Metric::ReferralsPerYear)).sum();
    assert!((together.metrics.get(Metric::ReferralsPerYear) - sum).abs() < 1e-9);
    let months: u32 = together.months.iter().map(|m| m.referrals).sum();
    assert_eq!(f64::from(months), together.metrics.get(Metric::ReferralsPerYear) * 2.0);
}

/// Authorities without a code draw from streams of their own, keyed by their names: two
/// with equal values are not copies of each other, and renaming one changes its draws
/// (a lone authority without a code runs on the master seed, as before).
#[test]
fn authorities_without_a_code_have_streams_of_their_own() {
    let twins = "[run]\nwarmup_years = 1\nhorizon_years = 1\n\n[[authority]]\nname = \"A\"\nteams = 2\n\n[[authority]]\nname = \"B\"\nteams = 2\n";
    let r = run_one(&load(twins), Rule::ManagerShared, 5, 0);
    assert_ne!(r.authorities[0].metrics, r.authorities[1].metrics, "equal values, different authorities");
    let renamed = run_one(&load(&twins.replace("\"B\"", "\"C\"")), Rule::ManagerShared, 5, 0);
    assert_eq!(renamed.authorities[0].metrics, r.authorities[0].metrics, "A keeps its streams");
    assert_ne!(renamed.authorities[1].metrics, r.authorities[1].metrics, "C is not B");
    assert_eq!(caseload::model::authority_key("", "A", false), "");
    assert_eq!(caseload::model::authority_seed(5, ""), 5, "a lone authority without a code: the master seed");
}

#[test]
fn an_authoritys_own_values_are_checked_with_their_place() {
    let bad = TWO
        .replace(
            "workforce.leave_rate_permanent = 0.4",
            "workforce.leave_rate_permanet = 0.4\ncasework.direct_work_share = 1.4",
        )
        .replace(
            "casework.caseload_cap = 22",
            "casework.caseload_cap = 22\ncasework.caseload_cap_newly_qualified = 24",
        );
    let e = Scenario::from_toml(&bad, Path::new("two.toml")).unwrap_err().to_string();
    assert!(
        e.contains("two.toml:12:11: authority[0].workforce.leave_rate_permanet: is not a known key; did you mean `leave_rate_permanent`?"),
        "{e}"
    );
    assert!(e.contains("authority[0].casework.direct_work_share: is 1.4; allowed 0.05 to 1"), "{e}");
    assert!(
        e.contains("authority[0].casework.caseload_cap_newly_qualified: is 24; must not exceed caseload_cap (22)"),
        "{e}"
    );
    let twice = TWO.replace("Southville", "Northtown");
    let e = Scenario::from_toml(&twice, Path::new("two.toml")).unwrap_err().to_string();
    assert!(e.contains("names Northtown twice"), "{e}");
}

#[test]
fn a_run_of_several_authorities_writes_each_authoritys_table_and_the_totals() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("authorities_run");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("two.toml");
    std::fs::write(&f, TWO).unwrap();
    let out = dir.join("out");
    let o = crate::caseload(&["run", f.to_str().unwrap(), "-n", "3", "--quiet", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", crate::text(&o.stderr));
    let csv = std::fs::read_to_string(out.join("authorities.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * Metric::ALL.len(), "a row per authority and metric");
    assert!(csv.lines().nth(1).unwrap().starts_with("Northtown,E06000001,North East,"));
    // The total of the run's authorities (not "England": two are not England) is the sum
    // of the regions', replication by replication.
    let regions = std::fs::read_to_string(out.join("regions.csv")).unwrap();
    let total = |area: &str| -> f64 {
        regions
            .lines()
            .filter(|l| l.starts_with(area) && l.contains(",high_risk_under_rated_per_year,"))
            .map(|l| l.split(',').nth(7).unwrap().parse::<f64>().unwrap())
            .sum()
    };
    assert!(!regions.contains("\nEngland,"), "{regions}");
    assert!((total("all 2 authorities") - total("North East") - total("South East")).abs() < 1e-9, "{regions}");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("<h2>Authority by authority</h2>") && report.contains("2 authorities."),
        "the report's section"
    );
    // Redrawn from the tables, the same report.
    let o = crate::caseload(&["chart", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", crate::text(&o.stderr));
    assert_eq!(std::fs::read_to_string(out.join("report.html")).unwrap(), report);
}

#[test]
fn every_authority_is_fitted_to_its_own_figures_whatever_the_threads() {
    use caseload::calibrate::{Runs, Target, Targets, fit_authorities};
    let s = load(&TWO.replace("workforce.leave_rate_permanent = 0.4\n", ""));
    let turnover = |value: f64| Targets {
        name: "own".into(),
        rule: Rule::ManagerShared,
        targets: vec![Target { metric: Metric::Turnover, value, tolerance: 1.0, weight: 1.0, source: "test".into() }],
    };
    let targets = vec![Some(turnover(25.0)), Some(turnover(8.0))];
    let free = vec!["workforce.leave_rate_permanent".to_string()];
    let fit = |threads: usize| {
        let runs = Runs { replications: 4, seed: 5, threads };
        fit_authorities(&s, &targets, &free, runs, 16, &|_| None, &|_, _| {}).unwrap()
    };
    let one = fit(1);
    assert_eq!(one, fit(2), "the fit does not depend on the thread count");
    let rate = |i: usize| one[i].as_ref().unwrap()[0].1;
    // From the scenario-wide 0.12 each moves towards its own figure: up for 25%, down for 8%.
    let start = s.workforce.leave_rate_permanent;
    assert!(rate(0) > start && rate(1) < start, "each authority to its own turnover: {} and {}", rate(0), rate(1));
    // Written back as the authorities' own values.
    let mut fitted = s.clone();
    for i in 0..2 {
        let v = caseload::scenario::Value::Num(rate(i));
        fitted = fitted.with_authority(i, &[("workforce.leave_rate_permanent", v)]).unwrap();
    }
    assert_eq!(fitted.parts()[0].workforce.leave_rate_permanent, rate(0));
    assert_eq!(fitted.parts()[1].workforce.leave_rate_permanent, rate(1));
}

#[test]
fn a_run_cut_into_its_authorities_and_put_back_together_is_the_same_bits() {
    let s = load(TWO);
    assert_eq!(n_parts(&s), 2);
    let whole = run_one(&s, Rule::ManagerShared, 13, 1);
    // Each authority's part as text and back, as a shard keeps it.
    let parts: Vec<Part> = (0..2)
        .map(|i| {
            let text = run_part(&s, Rule::ManagerShared, 13, 1, i).to_text();
            let (part, rest) = Part::from_text(&text, 1).unwrap();
            assert_eq!(rest, "", "one part is all of its text");
            assert_eq!(part.to_text(), text, "read back exactly");
            part
        })
        .collect();
    assert_eq!(caseload::model::assemble(&s, Rule::ManagerShared, 1, parts), whole);
    // A damaged part is refused with its line.
    let text = run_part(&s, Rule::ManagerShared, 13, 1, 0).to_text();
    let e = Part::from_text(&text.replacen("\nreferrals ", "\nreferrals -", 1), 10).unwrap_err();
    assert!(e.starts_with("line 11: `referrals`"), "{e}");
    let e = Part::from_text(&text[..text.len() / 2], 1).unwrap_err();
    assert!(e.contains("expected") || e.contains("ends before") || e.contains("values"), "{e}");
}

#[test]
fn a_national_runs_shards_merge_byte_for_byte() {
    use crate::sweep::{assert_same_files, ok};
    let dir = crate::scratch("run_shards");
    let f = dir.join("two.toml");
    std::fs::write(&f, TWO).unwrap();
    let run = |out: &str, extra: &[&str]| {
        let out = dir.join(out);
        let mut args =
            vec!["run", f.to_str().unwrap(), "-n", "3", "--seed", "4", "--quiet", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        crate::caseload(&args)
    };
    let single = run("single", &[]);
    ok(&single);
    // 2 rules x 3 replications x 2 authorities = 12 tasks in 5 shards: shards cut runs apart.
    for k in 1..=5 {
        ok(&run(&format!("shard-{k}"), &["--shard", &format!("{k}/5"), "--threads", &format!("{}", 1 + k % 2)]));
        assert!(
            std::fs::read_to_string(dir.join(format!("shard-{k}/shard.toml"))).unwrap().contains("command = \"run\"")
        );
    }
    let shard = |k: usize| dir.join(format!("shard-{k}")).to_string_lossy().into_owned();
    let merged = dir.join("merged");
    // Given out of order: the merge orders shards by number.
    let o = crate::caseload(&[
        "merge",
        "--quiet",
        "--out",
        merged.to_str().unwrap(),
        &shard(4),
        &shard(2),
        &shard(1),
        &shard(5),
        &shard(3),
    ]);
    ok(&o);
    assert_same_files(&dir.join("single"), &merged);
    // And it prints the comparison table the single run printed.
    assert!(!single.stdout.is_empty() && o.stdout == single.stdout, "{}", crate::text(&o.stdout));

    // A missing shard is named; a damaged one is refused with its file and line.
    let o = crate::caseload(&[
        "merge",
        &shard(1),
        &shard(2),
        &shard(3),
        &shard(5),
        "--out",
        dir.join("m2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(crate::text(&o.stderr).contains("missing: 4"), "{}", crate::text(&o.stderr));
    let parts = std::path::PathBuf::from(shard(3)).join("parts.txt");
    let text = std::fs::read_to_string(&parts).unwrap();
    // The first line of the first part that starts with `name `, replaced by `with` (and
    // the line after it dropped when `drop_next`).
    let damaged = |name: &str, with: &str, drop_next: bool| -> String {
        let mut lines: Vec<&str> = text.lines().collect();
        let i = lines.iter().position(|l| l.starts_with(&format!("{name} "))).unwrap();
        lines[i] = with;
        if drop_next {
            lines.remove(i + 1);
        }
        lines.join("\n") + "\n"
    };
    let months: usize = text.lines().find_map(|l| l.strip_prefix("months ")).unwrap().parse().unwrap();
    let all: Vec<String> = (1..=5).map(shard).collect();
    let m3 = dir.join("m3");
    let mut args = vec!["merge", "--out", m3.to_str().unwrap()];
    args.extend(all.iter().map(String::as_str));
    for (damage, says) in [
        (damaged("started", "started x", false), "`started`: `x` is not a whole number"),
        // So large that adding the authorities up could overflow.
        (damaged("referrals", "referrals 9007199254740993", false), "from 0 to 9007199254740992"),
        // Parts of another shape than the run's: a shorter horizon, a month missing.
        (damaged("days", "days 200", false), "`days` is 200; this run's horizon is 500 working days"),
        (damaged("months", &format!("months {}", months - 1), true), "`months` is"),
    ] {
        std::fs::write(&parts, damage).unwrap();
        let o = crate::caseload(&args);
        assert_eq!(o.status.code(), Some(2));
        let err = crate::text(&o.stderr);
        assert!(err.contains("parts.txt, task") && err.contains(says), "{says}: {err}");
    }
    std::fs::write(&parts, &text).unwrap();
    assert!(!dir.join("m2").exists() && !dir.join("m3").exists(), "nothing half-written");
    // A shard of another run (the rules the other way round) is refused.
    ok(&run("other-3", &["--shard", "3/5", "--rules", "manager_shared,practitioner_only"]));
    let other = dir.join("other-3").to_string_lossy().into_owned();
    let o = crate::caseload(&[
        "merge",
        &shard(1),
        &shard(2),
        &other,
        &shard(4),
        &shard(5),
        "--out",
        dir.join("m4").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(crate::text(&o.stderr).contains("different runs"), "{}", crate::text(&o.stderr));
    // The case log is a whole run's: not with --shard.
    let o = run("logged", &["--shard", "1/2", "--case-log"]);
    assert_eq!(o.status.code(), Some(2), "{}", crate::text(&o.stderr));
}

#[test]
fn a_national_runs_case_log_names_each_cases_authority() {
    use polars::prelude::*;
    let dir = crate::scratch("authorities_cases");
    let f = dir.join("two.toml");
    std::fs::write(&f, TWO).unwrap();
    let out = dir.join("out");
    let args =
        ["run", f.to_str().unwrap(), "-n", "1", "--seed", "4", "--case-log", "--quiet", "--out", out.to_str().unwrap()];
    crate::sweep::ok(&crate::caseload(&args));
    let cases = ParquetReader::new(std::fs::File::open(out.join("cases.parquet")).unwrap()).finish().unwrap();
    let column = |name: &str| -> Vec<String> {
        cases.column(name).unwrap().str().unwrap().iter().map(|v| v.unwrap().to_string()).collect()
    };
    let (rules, codes) = (column("rule"), column("authority_code"));
    // Each authority's rows are its completed assessments: 2 years of its assessments a year.
    let s = load(TWO);
    for rule in [Rule::PractitionerOnly, Rule::ManagerShared] {
        let r = run_one(&s, rule, 4, 0);
        for a in &r.authorities {
            let rows = rules.iter().zip(&codes).filter(|(r, c)| **r == rule.name() && **c == a.code).count();
            let completed = a.metrics.get(Metric::AssessmentsPerYear) * 2.0;
            assert!(
                rows > 0 && rows as f64 == completed.round(),
                "{} under {}: {rows} rows, {completed}",
                a.code,
                rule.name()
            );
        }
    }
}

#[test]
fn a_single_authority_runs_shards_merge_byte_for_byte() {
    use crate::sweep::{assert_same_files, ok};
    let dir = crate::scratch("run_shards_one");
    let teaching = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/teaching_one_team.toml");
    let run = |out: &str, extra: &[&str]| {
        let out = dir.join(out);
        let mut args = vec!["run", teaching, "-n", "3", "--seed", "8", "--quiet", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        crate::caseload(&args)
    };
    ok(&run("single", &[]));
    // One part a run: 2 rules x 3 replications = 6 tasks in 4 shards.
    for k in 1..=4 {
        ok(&run(&format!("shard-{k}"), &["--shard", &format!("{k}/4")]));
    }
    let shards: Vec<String> = (1..=4).map(|k| dir.join(format!("shard-{k}")).to_string_lossy().into_owned()).collect();
    let merged = dir.join("merged");
    let mut args = vec!["merge", "--quiet", "--out", merged.to_str().unwrap()];
    args.extend(shards.iter().map(String::as_str));
    ok(&crate::caseload(&args));
    assert_same_files(&dir.join("single"), &merged);
}

#[test]
fn the_report_shows_an_authoritys_own_values_and_says_so() {
    let dir = crate::scratch("authorities_report_values");
    // Northtown alone: one authority that sets its own leaving rate and caseload cap.
    let alone = &TWO[..TWO.find("[[authority]]\nname = \"Southville\"").unwrap()];
    let report = |name: &str, text: &str| -> String {
        let f = dir.join(format!("{name}.toml"));
        std::fs::write(&f, text).unwrap();
        let out = dir.join(name);
        crate::sweep::ok(&crate::caseload(&[
            "run",
            f.to_str().unwrap(),
            "-n",
            "2",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]));
        std::fs::read_to_string(out.join("report.html")).unwrap()
    };
    let one = report("northtown", alone);
    assert!(one.contains("<p>Northtown's values (its own where it sets them"), "the values are named as Northtown's");
    let cap = one.lines().find(|l| l.contains("<code>casework.caseload_cap</code>")).unwrap();
    assert!(cap.contains("<td>22</td>") && cap.contains("the authority's own value"), "{cap}");
    let both = report("two", TWO);
    assert!(both.contains("<p>The scenario-wide values; each of the 2 authorities may set its own.</p>"));
    let cap = both.lines().find(|l| l.contains("<code>casework.caseload_cap</code>")).unwrap();
    assert!(!cap.contains("<td>22</td>") && !cap.contains("own value"), "{cap}");
}

/// What a run costs adds up: staff, agency, hiring and managers' time make the total,
/// for each authority and for the run, and the authorities' totals make the run's. A
/// price scales only its own part.
#[test]
fn costs_add_up_by_part_by_authority_and_in_total() {
    let s = load(TWO);
    let parts = [Metric::StaffCost, Metric::AgencyCost, Metric::RecruitmentCost, Metric::ManagerTimeCost];
    for rule in [Rule::PractitionerOnly, Rule::ManagerShared] {
        let r = run_one(&s, rule, 11, 2);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        for m in r.authorities.iter().map(|a| &a.metrics).chain([&r.metrics]) {
            let sum: f64 = parts.iter().map(|&p| m.get(p)).sum();
            assert!(
                close(sum, m.get(Metric::TotalCost)),
                "{rule:?}: the parts {sum} against the total {}",
                m.get(Metric::TotalCost)
            );
            assert!(m.get(Metric::StaffCost) > 0.0 && m.get(Metric::AgencyCost) >= 0.0);
        }
        for &p in parts.iter().chain([&Metric::TotalCost]) {
            let each: f64 = r.authorities.iter().map(|a| a.metrics.get(p)).sum();
            assert!(
                close(each, r.metrics.get(p)),
                "{rule:?} {}: the authorities {each} against the run {}",
                p.name(),
                r.metrics.get(p)
            );
        }
        assert_eq!(
            r.metrics.get(Metric::ManagerTimeCost) > 0.0,
            rule == Rule::ManagerShared,
            "only a shared decision uses the manager"
        );
    }
    // Doubling the agency price doubles the agency cost and nothing else.
    let dear = s.with_all(&[("costs.agency_worker", Value::Num(2.0 * s.costs.agency_worker))]).unwrap();
    let (a, b) = (run_one(&s, Rule::ManagerShared, 11, 2), run_one(&dear, Rule::ManagerShared, 11, 2));
    assert!(
        (b.metrics.get(Metric::AgencyCost) - 2.0 * a.metrics.get(Metric::AgencyCost)).abs()
            < 1e-6 * a.metrics.get(Metric::AgencyCost)
    );
    for m in Metric::ALL.iter().filter(|m| !matches!(m, Metric::AgencyCost | Metric::TotalCost)) {
        assert_eq!(
            a.metrics.get(*m).to_bits(),
            b.metrics.get(*m).to_bits(),
            "{} moved with the agency price",
            m.name()
        );
    }
}
