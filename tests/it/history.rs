//! Histories: one authority through the years, values and establishment changing each
//! year and the rule switching on a day (`model::History`).

use caseload::model::{History, Metric, Metrics, Rule, Sim, authority_key, authority_seed};
use caseload::scenario::{Scenario, Value};

/// One authority of `teams` teams with a code, a two-year warm-up and `years` horizon years.
fn authority(teams: i64, years: i64) -> Scenario {
    crate::scenario("baseline")
        .with_all(&[
            ("authority.teams", Value::Int(teams)),
            ("authority.new_referrals_per_year", Value::Num(150.0 * teams as f64)),
            ("authority.code", Value::Text("E99000001".into())),
            ("run.warmup_years", Value::Int(2)),
            ("run.horizon_years", Value::Int(years)),
        ])
        .unwrap()
}

/// Each year's outcomes of a history.
fn run_history(h: &History, rule: Rule, seed: u64, replication: u64) -> Vec<Metrics> {
    caseload::model::run_history(h, rule, seed, replication).iter().map(|p| p.metrics()).collect()
}

fn constant(s: &Scenario, open: &[u32], switch: Option<(u32, Rule)>) -> History {
    History { years: vec![s.clone(); open.len()], open_teams: open.to_vec(), switch }
}

#[test]
fn a_history_whose_values_hold_steps_as_the_plain_run_does() {
    let s = authority(4, 3);
    let h = constant(&s, &[4, 4, 4], None);
    let a = &s.authorities[0];
    let seed = authority_seed(11, &authority_key(&a.code, &a.name, true));
    let mut plain = Sim::new(&s, Rule::ManagerShared, seed, 2);
    let mut history = Sim::of_history(&h, Rule::ManagerShared, 11, 2);
    for _ in 0..(5 * 250) {
        plain.step();
        history.step();
        assert_eq!(plain.referrals_today(), history.referrals_today(), "day {}", plain.day());
        assert_eq!(plain.census(), history.census(), "day {}", plain.day());
    }
}

#[test]
fn a_switch_beyond_the_horizon_is_no_switch_and_a_switch_changes_only_what_follows() {
    let s = authority(4, 3);
    let never = run_history(&constant(&s, &[4, 4, 4], None), Rule::ManagerShared, 5, 0);
    let beyond =
        run_history(&constant(&s, &[4, 4, 4], Some((3 * 250, Rule::PractitionerOnly))), Rule::ManagerShared, 5, 0);
    assert_eq!(never, beyond, "a switch on the day after the horizon changes nothing");
    let switched =
        run_history(&constant(&s, &[4, 4, 4], Some((250, Rule::PractitionerOnly))), Rule::ManagerShared, 5, 0);
    assert_eq!(never.len(), 3);
    assert_eq!(never[0], switched[0], "the year before the switch is the same, bit for bit");
    assert_eq!(switched[1].get(Metric::Shared), 0.0, "after the switch no decision is shared");
    assert!(never[1].get(Metric::Shared) > 50.0);
    // The history and its counterfactual run together (copied at the switch) are each run
    // alone, bit for bit.
    let h = constant(&s, &[4, 4, 4], Some((300, Rule::PractitionerOnly)));
    let (both_h, both_c) = caseload::model::run_history_and_counterfactual(&h, Rule::ManagerShared, 5, 0);
    let metrics = |ps: Vec<caseload::model::Part>| ps.iter().map(|p| p.metrics()).collect::<Vec<_>>();
    assert_eq!(metrics(both_h), run_history(&h, Rule::ManagerShared, 5, 0));
    assert_eq!(metrics(both_c), never);
}

#[test]
fn growth_opens_posts_and_brings_new_staff_and_a_cut_closes_them_without_losing_a_case() {
    let s = authority(8, 4);
    let staff = |ms: &[Metrics], k: usize| ms[k].get(Metric::StaffCost) + ms[k].get(Metric::AgencyCost);
    let held = run_history(&constant(&s, &[4, 4, 4, 4], None), Rule::ManagerShared, 3, 0);
    let grown = run_history(&constant(&s, &[4, 8, 8, 8], None), Rule::ManagerShared, 3, 0);
    assert!(
        staff(&grown, 3) > 1.7 * staff(&held, 3),
        "twice the teams, {} against {}",
        staff(&grown, 3),
        staff(&held, 3)
    );
    assert_eq!(held[0], grown[0], "the year before growth is the same");
    let share = |ms: &[Metrics]| ms[1].get(Metric::UnderFiveYearsInAuthority);
    assert!(
        share(&grown) > share(&held) + 10.0,
        "new posts bring new staff: {} against {}",
        share(&grown),
        share(&held)
    );
    // New posts open vacant at the year's `initial_vacancy_share`, else filled that day.
    let vacant = s.with("workforce.initial_vacancy_share", Value::Num(1.0)).unwrap();
    let opened_vacant = run_history(
        &History {
            years: vec![s.clone(), vacant.clone(), vacant.clone(), vacant],
            open_teams: vec![4, 8, 8, 8],
            switch: None,
        },
        Rule::ManagerShared,
        3,
        0,
    );
    assert!(
        opened_vacant[1].get(Metric::Vacancy) > grown[1].get(Metric::Vacancy) + 10.0,
        "posts opened vacant: {} against {}",
        opened_vacant[1].get(Metric::Vacancy),
        grown[1].get(Metric::Vacancy)
    );

    // A cut: half the teams close in year 1; their waiting work moves, nothing is lost, and
    // what moved is the open team's to allocate and decide (the authority is overloaded, so
    // work is waiting when the cut comes).
    // Slow consultations keep managers' queues long, so a worker can leave with a case in one.
    let busy = s
        .with_all(&[
            ("authority.new_referrals_per_year", Value::Num(300.0 * 8.0)),
            ("managers.minutes_per_consult", Value::Num(120.0)),
        ])
        .unwrap();
    let h = constant(&busy, &[8, 4, 4, 4], None);
    let mut sim = Sim::of_history(&h, Rule::ManagerShared, 3, 0);
    while sim.day() < 6 * 250 {
        sim.step();
        let c = sim.census();
        assert_eq!(c.arrived, c.awaiting_allocation + c.awaiting_decision + c.in_assessment + c.completed);
        assert_eq!(c.misplaced, 0, "day {}: a case in a manager's queue that is not that team's", sim.day());
    }
    let cut = run_history(&constant(&s, &[8, 4, 4, 4], None), Rule::ManagerShared, 3, 0);
    assert!(staff(&cut, 3) < 0.7 * staff(&cut, 0), "the cut's staff, {} against {}", staff(&cut, 3), staff(&cut, 0));
    assert!(cut[3].get(Metric::AssessmentsPerYear) > 0.9 * cut[0].get(Metric::AssessmentsPerYear) * 0.5);
}

/// The values of one column of a CSV file written by caseload (no quoted commas in it).
fn column(path: &std::path::Path, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    lines.map(|l| l.split(',').nth(i).unwrap().to_string()).collect()
}

#[test]
fn the_history_command_writes_its_files_and_a_switch_after_the_last_year_changes_nothing() {
    let dir = crate::scratch("history_command");
    let run = |name: &str, extra: &[&str]| {
        let out = dir.join(name);
        let mut args = vec![
            "history",
            "--authority",
            "Rutland",
            "-n",
            "2",
            "--abc",
            "0",
            "--from",
            "2016",
            "--to",
            "2020",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let out_s = out.display().to_string();
        args.extend_from_slice(&["--out", &out_s]);
        let o = crate::caseload(&args);
        assert!(o.status.success(), "{}", crate::text(&o.stderr));
        (out, crate::text(&o.stdout))
    };
    let (a, words) = run("a", &[]);
    assert!(words.starts_with("What the model says the 2018 change did in Rutland"), "{words}");
    for f in [
        "history.csv",
        "history.parquet",
        "effect.csv",
        "effect.parquet",
        "record_fit.csv",
        "held.csv",
        "report.html",
        "manifest.toml",
        "fan_turnover_pct.png",
        "fan_turnover_pct.svg",
        // The authorities chosen (at most 16) as small multiples.
        "panels_turnover_pct.png",
        "panels_turnover_pct.svg",
    ] {
        assert!(a.join(f).exists(), "{f} missing");
    }
    let years = column(&a.join("history.csv"), "year");
    assert!(years.iter().any(|y| y == "2016") && years.iter().any(|y| y == "2020"));
    let published = column(&a.join("history.csv"), "published");
    assert!(
        published.iter().any(|p| p != "NaN" && !p.is_empty()),
        "Rutland's published figures are beside the history"
    );
    // The wording changed in 2019: from then on the history differs from its counterfactual.
    let diffs = column(&a.join("effect.csv"), "difference");
    assert!(diffs.iter().any(|d| d.parse::<f64>().is_ok_and(|x| x != 0.0)));

    let report = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(report.contains("panels_turnover_pct.svg"), "the report shows the small multiples");
    let nowhere = dir.join("nowhere").display().to_string();
    let o = crate::caseload(&["history", "--authority", "Rutland", "--panel", "Nowhere", "--out", &nowhere, "--quiet"]);
    assert!(
        !o.status.success() && crate::text(&o.stderr).contains("--panel \"nowhere\""),
        "{}",
        crate::text(&o.stderr)
    );

    let (late, _) = run("late", &["--switch-year", "2021"]);
    for d in column(&late.join("effect.csv"), "difference") {
        assert!(d == "NaN" || d.parse::<f64>().unwrap() == 0.0, "a switch after the last year changed {d}");
    }
    // Same seed, same bytes, on one thread or two.
    let (one, _) = run("one", &["--threads", "1"]);
    assert_eq!(std::fs::read(a.join("history.csv")).unwrap(), std::fs::read(one.join("history.csv")).unwrap());
    assert_eq!(std::fs::read(a.join("effect.csv")).unwrap(), std::fs::read(one.join("effect.csv")).unwrap());
}

/// A history cut into shards and merged, and one interrupted and resumed, write the same
/// bytes as one run straight through: tables, charts, report and the reference table.
#[test]
fn a_history_in_shards_or_resumed_writes_the_same_bytes_as_one_run() {
    let dir = crate::scratch("history_shards");
    let base = [
        "history",
        "--authority",
        "Rutland,Hartlepool,Darlington",
        "-n",
        "2",
        "--abc",
        "3",
        "--from",
        "2016",
        "--to",
        "2020",
        "--threads",
        "1",
        "--quiet",
    ];
    let run = |extra: &[&str], env: Option<&str>| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_caseload"));
        c.args(base).args(extra).current_dir(env!("CARGO_MANIFEST_DIR"));
        if let Some(n) = env {
            c.env("CASELOAD_STOP_AFTER_POINTS", n);
        }
        c.output().unwrap()
    };
    let path = |name: &str| dir.join(name).display().to_string();
    let o = run(&["--out", &path("whole")], None);
    assert!(o.status.success(), "{}", crate::text(&o.stderr));
    let whole = crate::files(&dir.join("whole"));
    assert!(whole.contains_key("posterior.csv") && whole.contains_key("report.html"));
    // What finding out is worth, for each authority: never more for one unknown than for all.
    let value = String::from_utf8(whole["value.csv"].clone()).unwrap();
    for name in ["Rutland", "Hartlepool", "Darlington"] {
        assert!(value.lines().any(|l| l.starts_with(&format!("{name},"))), "{name} is priced");
    }
    let rows: Vec<Vec<&str>> = value.lines().skip(1).map(|l| l.split(',').collect()).collect();
    for r in rows.iter().filter(|r| r[3].starts_with("evppi")) {
        let whole = rows.iter().find(|w| w[0] == r[0] && w[2] == r[2] && w[3] == "evpi_gbp_a_year").unwrap();
        assert!(r[4].parse::<f64>().unwrap() <= whole[4].parse::<f64>().unwrap(), "{r:?} above {whole:?}");
    }

    // Three shards (4 replication arms, 3 draws and 2 planted answers: 9 tasks), merged.
    for k in 1..=3 {
        let o = run(&["--shard", &format!("{k}/3"), "--out", &path(&format!("shard-{k}"))], None);
        assert!(o.status.success(), "{}", crate::text(&o.stderr));
    }
    let (s1, s2, s3, merged) = (path("shard-1"), path("shard-2"), path("shard-3"), path("merged"));
    let o = crate::caseload(&["merge", &s1, &s2, &s3, "--out", &merged, "--quiet"]);
    assert!(o.status.success(), "{}", crate::text(&o.stderr));
    assert_eq!(crate::files(&dir.join("merged")), whole, "the merged shards are the one run, byte for byte");
    let o = crate::caseload(&["merge", &s1, &s3, "--out", &path("partial"), "--quiet"]);
    assert!(!o.status.success() && crate::text(&o.stderr).contains("missing: 2"), "{}", crate::text(&o.stderr));

    // Interrupted after two tasks: no folder, two tasks kept; refused without --resume.
    let o = run(&["--out", &path("resumed")], Some("2"));
    assert_eq!(o.status.code(), Some(2), "{}", crate::text(&o.stderr));
    assert!(!dir.join("resumed").exists(), "an interrupted history leaves no output folder");
    let kept: Vec<String> =
        crate::files(&dir.join(".resumed.progress")).into_keys().filter(|n| n.starts_with("task-")).collect();
    assert_eq!(kept, vec!["task-000000.txt", "task-000001.txt"]);
    let o = run(&["--out", &path("resumed")], None);
    assert!(crate::text(&o.stderr).contains("--resume"), "{}", crate::text(&o.stderr));
    let o = run(&["--out", &path("resumed"), "--resume", "--seed", "9"], None);
    assert!(crate::text(&o.stderr).contains("different"), "{}", crate::text(&o.stderr));
    let o = run(&["--out", &path("resumed"), "--resume"], None);
    assert!(o.status.success(), "{}", crate::text(&o.stderr));
    assert_eq!(crate::files(&dir.join("resumed")), whole, "the resumed history is the one run, byte for byte");
    assert!(!dir.join(".resumed.progress").exists(), "the kept tasks are removed once the history is written");
}

/// The method recovers what it is given: each draw of a small reference table in turn
/// stands in for the record (simulation-based calibration, leave one out), and a record
/// made with no leaving effect at all is covered by its posterior.
#[test]
fn the_abc_posterior_covers_planted_answers() {
    use caseload::abc;
    use caseload::england::history::{Request, SWITCH_DAY, SWITCH_YEAR};
    let s = crate::scenario("england_2025_authorities");
    let req = Request {
        base: &s,
        base_year: 2025,
        from: 2016,
        to: 2022,
        switch_year: SWITCH_YEAR,
        switch_day: SWITCH_DAY,
        share_changed: 1.0,
        lag_days: 0,
        seed: 7,
        before: Rule::ManagerShared,
        after: Rule::PractitionerOnly,
    };
    // Twelve authorities spread through the file.
    let keep: Vec<usize> = (0..12).map(|i| i * 12).collect();
    let unknowns = abc::unknowns(&s);
    assert_eq!(
        unknowns.len(),
        abc::MECHANISMS.len() + abc::SWITCH_PRIORS.len() + abc::NUISANCE_PRIORS.len(),
        "every mechanism has a prior"
    );
    let n = 60;
    let draws = abc::run(&req, &unknowns, n, &keep, 0, &|_| {}).unwrap();
    assert_eq!(draws.len(), n);
    let scales = abc::scales(&draws);
    let accept = 0.2;
    // Calibrated, the drawn value lies within the range of the 12 accepted draws with
    // probability 11/13 (0.85); the 99% binomial lower bound for 60 draws is 0.72.
    let expected = abc::expected_coverage(abc::n_accepted(n, accept));
    let bound = expected - 2.58 * (expected * (1.0 - expected) / n as f64).sqrt();
    for (u, c) in abc::coverage(&draws, &scales, accept).iter().enumerate() {
        assert!(*c >= bound, "{}: coverage {c}, expected {expected}, bound {bound}", unknowns[u].name);
    }
    let leave = unknowns.iter().position(|u| u.name == "workforce.lone_decision_leave_effect").unwrap();
    let none = abc::planted(&req, &unknowns, 0.0, &keep).unwrap();
    assert_eq!(none.values[leave], 0.0);
    let acc = abc::accepted(&draws, &none.statistics, &scales, accept, None);
    let m = abc::marginal(&acc.iter().map(|&i| draws[i].values[leave]).collect::<Vec<_>>());
    assert!(m.p05 <= 0.0 && 0.0 <= m.p95, "no leaving effect planted: posterior {m:?}");
}

/// England's history from 2014 (every authority, one replication, the 2018 change at the
/// central values) puts the share of staff under five years in their authority within the
/// target's tolerance (`targets/england_2017.toml`) of each year's published figure: 59%
/// (2018), 61% (2019), 60% (2021). The one-year 2017 scenario, whose establishment is
/// fixed, misses it (calibration.rs); what brings it in is growth, before the census by
/// England's quoted FTE in post. (Leavers under two years' service, the other figure the
/// one-year run cannot reach, is not asserted: the history gives about 40.5% in 2019
/// against 35 +/- 5, docs/VALIDATION.md section 4e.)
#[test]
fn englands_history_puts_the_share_under_five_years_within_its_target_where_published() {
    use caseload::england::history::{Request, SWITCH_DAY, SWITCH_YEAR, histories};
    use caseload::history::{Arm, run_replication};
    let under_five = Metric::UnderFiveYearsInAuthority;
    let targets = caseload::calibrate::Targets::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/targets/england_2017.toml"
    )))
    .unwrap();
    let t = targets.targets.iter().find(|t| t.metric == under_five).unwrap().tolerance;
    let published: Vec<(u32, f64)> = caseload::england::press()
        .into_iter()
        .filter(|(_, n, _)| n == under_five.name())
        .map(|(y, _, v)| (y, v))
        .collect();
    assert_eq!(published.iter().map(|p| p.0).collect::<Vec<_>>(), [2018, 2019, 2021]);
    let s = crate::scenario("england_2025_authorities");
    let (from, to) = (2014, 2021);
    let req = Request {
        base: &s,
        base_year: 2025,
        from,
        to,
        switch_year: SWITCH_YEAR,
        switch_day: SWITCH_DAY,
        share_changed: 1.0,
        lag_days: 0,
        seed: 2017,
        before: Rule::ManagerShared,
        after: Rule::PractitionerOnly,
    };
    let hs = histories(&req).unwrap();
    assert!(
        hs.iter().filter(|h| !h.held.iter().any(|m| m == "establishment 2014 from the scenario")).all(|h| h
            .held
            .iter()
            .any(|m| m.starts_with("establishment 2014 from ") && m.contains(" x England's FTE in post 2014 / "))),
        "before the census every authority with figures follows England's growth"
    );
    let england = run_replication(&hs, Arm::History, Rule::ManagerShared, 2017, 0).england;
    let at = |y: u32, m: Metric| england[(y - from) as usize].get(m);
    for (y, p) in published {
        let got = at(y, under_five);
        assert!((got - p).abs() <= t, "{y}: {got:.1}% against {p}% published (tolerance {t})");
    }
    assert!(
        at(2014, under_five) + 5.0 < at(2018, under_five),
        "the share rises with growth: {:.1} to {:.1}",
        at(2014, under_five),
        at(2018, under_five)
    );
}
