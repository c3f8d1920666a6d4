//! The bundled scenarios: valid, documented key by key, and faithful when written back.

use std::path::Path;

use caseload::model::{Rule, Tier, run_one, worker_sd};
use caseload::scenario::{Scenario, params};

const BUNDLED: &[&str] = &[
    "baseline",
    "baseline_without_leaving_effect",
    "where_is_it_high_risk",
    "high_turnover",
    "inexperienced",
    "stretched_managers",
    "teaching_one_team",
    "england_2017",
    "england_2025",
    "england_2025_authorities",
];

#[test]
fn every_bundled_scenario_is_valid() {
    for name in BUNDLED {
        let s = crate::scenario(name);
        assert_eq!(s.run.name, *name);
    }
}

/// Each scenario file is a manual: every key is present, in the table's order, under the
/// comment the parameter table generates (label, unit, allowed range, default, source and
/// prior). Rewrite a file with `caseload params --annotate FILE` after changing the table.
#[test]
fn every_key_is_commented_from_the_parameter_table() {
    for name in BUNDLED {
        let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let annotated = caseload::scenario::annotate::annotate(&text);
        if annotated != text {
            let first = text.lines().zip(annotated.lines()).position(|(a, b)| a != b).unwrap_or(0);
            panic!(
                "scenarios/{name}.toml is not as `caseload params --annotate` writes it; first difference at line {}:\n  file: {}\n  want: {}",
                first + 1,
                text.lines().nth(first).unwrap_or(""),
                annotated.lines().nth(first).unwrap_or("")
            );
        }
        for p in params::PARAMS {
            assert!(text.contains(&format!("\n{} = ", p.key)), "{name}: no key {}", p.path());
        }
    }
}

#[test]
fn the_baseline_holds_the_defaults() {
    let file = crate::scenario("baseline");
    let defaults = Scenario::default();
    // Apart from its names, the baseline file is the parameter table's defaults.
    // (Its [uncertainty] section, the defaults written out with their reasons, is the
    // scenario file's own.)
    let strip = |t: String| {
        t.split("[uncertainty]")
            .next()
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with("name") && !l.starts_with("description"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(file.to_toml()), strip(defaults.to_toml()));
    assert_eq!(file.uncertainty(), Some(&caseload::scenario::uncertainty::UncertaintySpec::default()));
}

#[test]
fn a_scenario_written_back_runs_the_same() {
    let s = crate::scenario("teaching_one_team");
    let again = Scenario::from_toml(&s.to_toml(), Path::new("manifest.toml")).expect("written scenario is valid");
    assert_eq!(s.to_toml(), again.to_toml());
    assert_eq!(run_one(&s, Rule::ManagerShared, 5, 1), run_one(&again, Rule::ManagerShared, 5, 1));
}

/// Cohen's kappa between two workers rating the same referrals lies in the range the
/// literature reports (0.2 to 0.5; Kang and Poertner 2006) for the default judgement noise,
/// whether both are new or both experienced.
#[test]
fn two_workers_agree_as_the_literature_says() {
    let s = Scenario::default();
    let j = &s.judgement;
    let cuts = s.demand.risk_cuts;
    for years in [0.0, 2.0, 10.0] {
        let sd = worker_sd(j, years, 0.7);
        let n = 200_000;
        let mut table = [[0u64; 4]; 4];
        // Deterministic quasi-random points: tier by the mix, score within its band, and
        // two independent standard normal errors by the inverse CDF.
        for i in 0..n {
            let u = |k: u64| ((i as u64 * k + 12345) % 1_000_003) as f64 / 1_000_003.0 + 0.5 / 1_000_003.0;
            let tier = pick(&s.demand.risk_mix, u(7919));
            let (lo, hi) = caseload::model::band(tier, &cuts);
            let x = lo + (hi - lo) * u(104_729);
            let a = Tier::of_rating(x + sd * probit(u(15_485_863)), &cuts);
            let b = Tier::of_rating(x + sd * probit(u(32_452_843)), &cuts);
            table[a.index()][b.index()] += 1;
        }
        let k = kappa(&table);
        assert!((0.2..=0.5).contains(&k), "kappa {k:.3} at {years} years");
    }
}

fn pick(mix: &[f64; 4], u: f64) -> Tier {
    let mut acc = 0.0;
    for t in Tier::ALL {
        acc += mix[t.index()];
        if u < acc {
            return t;
        }
    }
    Tier::Immediate
}

fn kappa(t: &[[u64; 4]; 4]) -> f64 {
    let n: u64 = t.iter().flatten().sum();
    let n = n as f64;
    let agree: f64 = (0..4).map(|i| t[i][i] as f64).sum::<f64>() / n;
    let chance: f64 = (0..4)
        .map(|i| {
            let row: u64 = t[i].iter().sum();
            let col: u64 = t.iter().map(|r| r[i]).sum();
            row as f64 * col as f64 / (n * n)
        })
        .sum();
    (agree - chance) / (1.0 - chance)
}

/// The standard normal quantile (Acklam's rational approximation, error below 1.2e-9).
fn probit(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let pl = 0.02425;
    if p < pl {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - pl {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -probit(1.0 - p)
    }
}

/// The teaching pack's sweeps (docs/teaching/) are the teaching scenario but for the keys
/// their comments name, and every point of each is a valid scenario.
#[test]
fn the_teaching_packs_sweeps_are_the_teaching_team_but_for_what_they_say() {
    let teaching = crate::scenario("teaching_one_team");
    let base: Vec<_> = caseload::scenario::describe(&teaching);
    for (file, changed) in [
        ("second_view.toml", &["run.name", "run.description", "run.replications", "judgement.lone_rating_shift"][..]),
        ("team_size.toml", &["run.name", "run.description", "run.replications"][..]),
    ] {
        let path = format!("{}/docs/teaching/{file}", env!("CARGO_MANIFEST_DIR"));
        let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        caseload::sweep::Sweep::of(&s, caseload::experiment::Plan::of(&s)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for ((p, a), (_, b)) in caseload::scenario::describe(&s).iter().zip(&base) {
            assert!(
                a == b || changed.contains(&p.path().as_str()),
                "{file}: {} is {a:?}, not the teaching team's {b:?}",
                p.path()
            );
        }
        assert_eq!(s.authorities[0].posts_per_team, teaching.authorities[0].posts_per_team, "{file}");
    }
}
