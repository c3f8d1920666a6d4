//! One way in: every scenario, whether from a file, the command line, a sweep point or a
//! manifest, passes the same checks, and a manifest loads back as the scenario that ran.

use std::path::Path;

use proptest::prelude::*;

use crate::{caseload, scenario, text};
use caseload::experiment::Plan;
use caseload::model::Rule;
use caseload::scenario::params::{PARAMS, Shape};
use caseload::scenario::{Scenario, Value};

/// The numeric keys a random scenario may change: every scalar outside `run` and
/// `authority`.
fn numeric_keys() -> Vec<&'static caseload::scenario::params::Param> {
    PARAMS
        .iter()
        .filter(|p| p.section != "run" && p.section != "authority" && matches!(p.shape, Shape::Num { .. }))
        .collect()
}

/// A value at fraction `u` of a parameter's range (whole where it must be).
fn at(p: &caseload::scenario::params::Param, u: f64) -> Value {
    let Shape::Num { min, max, integer } = p.shape else { unreachable!("numeric keys only") };
    let x = min + (max - min) * u;
    if integer { Value::Int(x.round() as i64) } else { Value::Num(x) }
}

const RULES: &[&str] = &["practitioner_only", "manager_shared", "shared_for_novices:2", "shared_above:high"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn a_manifest_loads_back_as_the_scenario_that_ran(
        picks in proptest::collection::vec((0usize..1000, 0.0f64..=1.0), 0..6),
        seed in prop_oneof![Just(0u64), Just(1u64 << 53), 0u64..(1u64 << 53)],
        replications in prop_oneof![Just(1u32), Just(100_000u32), 1u32..100_000],
        rules in proptest::sample::subsequence(RULES.to_vec(), 1..=RULES.len()),
    ) {
        let keys = numeric_keys();
        let owned: Vec<(String, Value)> =
            picks.iter().map(|&(i, u)| (keys[i % keys.len()].path(), at(keys[i % keys.len()], u))).collect();
        let changes: Vec<(&str, Value)> = owned.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        // Some combinations are inconsistent (a newly qualified cap above the cap): those
        // are refused with a problem, which is the point; skip them here.
        let Ok(s) = scenario("teaching_one_team").with_all(&changes) else { return Ok(()) };
        let plan = Plan { rules: rules.iter().map(|r| Rule::parse(r).unwrap()).collect(), replications, seed };
        let text = caseload::output::manifest(&s, Path::new("x.toml"), &plan, false).unwrap();
        let back = Scenario::from_toml(&text, Path::new("manifest.toml")).unwrap();
        prop_assert_eq!(Plan::of(&back), plan.clone());
        prop_assert_eq!(back.to_toml(), plan.written_into(&s).unwrap().to_toml());
    }
}

#[test]
fn a_run_at_the_largest_seed_repeats_from_its_manifest() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("manifest-extreme");
    let _ = std::fs::remove_dir_all(&dir);
    let (a, b) = (dir.join("a"), dir.join("b"));
    let run = |file: &Path, out: &Path, extra: &[&str]| {
        let mut args = vec!["run", file.to_str().unwrap(), "--quiet", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = caseload(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    };
    run(Path::new("scenarios/teaching_one_team.toml"), &a, &["--seed", "9007199254740992", "-n", "2"]);
    let manifest = std::fs::read_to_string(a.join("manifest.toml")).unwrap();
    assert!(manifest.contains("seed = 9007199254740992\n"), "the seed is written whole");
    run(&a.join("manifest.toml"), &b, &[]);
    assert_eq!(std::fs::read(a.join("runs.csv")).unwrap(), std::fs::read(b.join("runs.csv")).unwrap());
}

#[test]
fn sweep_points_and_overrides_get_the_files_checks() {
    let s = scenario("teaching_one_team");
    let e = s.with_all(&[("casework.direct_work_share", Value::Num(1.3))]).unwrap_err().to_string();
    assert!(e.contains("casework.direct_work_share: is 1.3; allowed 0.05 to 1"), "{e}");
    let e = s.with_all(&[("judgement.combine", Value::Text("vote".into()))]).unwrap_err().to_string();
    assert!(e.contains("judgement.combine: is \"vote\"; allowed one of"), "{e}");
    let e = s.with_all(&[("run.rules", Value::Texts(vec!["sometimes".into()]))]).unwrap_err().to_string();
    assert!(e.contains("run.rules: rule \"sometimes\" is not known"), "{e}");
    let e = s.with_all(&[("authority.teams", Value::Num(2.5))]).unwrap_err().to_string();
    assert!(e.contains("authority.teams: is 2.5, not a whole number"), "{e}");
    // A whole number given as a float is taken as the whole number it is.
    let t = s.with_all(&[("authority.teams", Value::Num(3.0))]).unwrap();
    assert_eq!(t.authorities[0].teams, 3);
}
