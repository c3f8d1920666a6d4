//! The page's controls: which scenario keys the teaching sliders move (with the ranges a
//! slider spans; what is allowed, the unit, the source and the prior come from the
//! parameter table), the rule pair and seed, and how a page's settings become a validated
//! [`Setup`] through the same checks as a scenario file, within the session's size bounds.

use crate::scenario::key;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::pair::Setup;
use crate::scenario::params::{self, Shape};
use crate::scenario::{DAYS_PER_YEAR, Scenario, Value};

/// A teaching slider: the key it sets and the stretch of the allowed range it spans (the
/// number box beside it takes any value, checked as a file's would be).
pub struct Slider {
    pub path: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

/// The sliders, in the page's order: demand and the team, turnover and hiring, the
/// manager's time, then the judgement parameters that carry the comparison.
pub const SLIDERS: &[Slider] = &[
    Slider { path: key::authority::new_referrals_per_year, min: 20.0, max: 600.0, step: 5.0 },
    Slider { path: key::authority::posts_per_team, min: 2.0, max: 15.0, step: 1.0 },
    Slider { path: key::workforce::leave_rate_permanent, min: 0.0, max: 0.6, step: 0.01 },
    Slider { path: key::workforce::newly_qualified_share, min: 0.0, max: 1.0, step: 0.05 },
    Slider { path: key::managers::consult_hours_per_day, min: 0.1, max: 4.0, step: 0.05 },
    Slider { path: key::judgement::lone_rating_shift, min: -0.15, max: 0.15, step: 0.01 },
    Slider { path: key::judgement::manager_weight, min: 0.5, max: 1.0, step: 0.05 },
    Slider { path: key::workforce::lone_decision_leave_effect, min: -0.5, max: 1.0, step: 0.05 },
    Slider { path: key::judgement::rho, min: -0.5, max: 0.95, step: 0.05 },
    Slider { path: key::judgement::manager_info_penalty, min: 0.0, max: 1.0, step: 0.05 },
];

/// Rules offered for each side.
pub const RULES: &[&str] = &["practitioner_only", "manager_shared", "shared_for_novices:2", "shared_above:high"];

/// A session's simulated size: one authority of at most this many teams ...
pub const MAX_TEAMS: usize = 5;
/// ... simulated years (warm-up and horizon) ...
pub const MAX_YEARS: u32 = 10;
/// ... and new referrals a year per team.
pub const MAX_REFERRALS_PER_TEAM: f64 = 2000.0;

/// What the page sends: the rule pair, the seed and slider values by key. Missing
/// entries keep the base scenario's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub rules: Option<Vec<String>>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub values: Vec<(String, f64)>,
}

/// Settings that cannot run, in words: the scenario checks' located messages, each
/// problem's key for the page to mark.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub message: String,
    pub fields: Vec<String>,
}

impl Refused {
    fn new(message: String, fields: Vec<String>) -> Refused {
        Refused { message, fields }
    }

    pub fn json(&self) -> Json {
        json!({ "error": self.message, "fields": self.fields })
    }
}

/// Whether a scenario is small enough for a session.
pub fn within_bounds(s: &Scenario) -> Result<(), String> {
    if s.authorities.len() != 1 {
        // A run of several authorities runs each on its own; a session watches one.
        return Err(format!("explore runs one authority; this scenario has {}", s.authorities.len()));
    }
    if s.n_teams() > MAX_TEAMS {
        return Err(format!("explore runs at most {MAX_TEAMS} teams; this scenario has {}", s.n_teams()));
    }
    let years = (s.run.warmup_days() + s.run.horizon_days()) / DAYS_PER_YEAR;
    if years > MAX_YEARS {
        return Err(format!(
            "explore runs at most {MAX_YEARS} simulated years (warm-up and horizon); this scenario has {years}"
        ));
    }
    for a in &s.authorities {
        let per_team = a.new_referrals_per_year / f64::from(a.teams);
        if per_team > MAX_REFERRALS_PER_TEAM {
            return Err(format!(
                "explore runs at most {MAX_REFERRALS_PER_TEAM} new referrals a year per team; {} has {per_team:.0}",
                a.name
            ));
        }
    }
    Ok(())
}

/// The base scenario with the page's settings written in, checked as a file's values are
/// (problems are reported against `explore settings`), within the session's bounds.
pub fn setup(base: &Scenario, settings: &Settings) -> Result<Setup, Refused> {
    let mut changes: Vec<(&str, Value)> = Vec::new();
    let mut unknown = Vec::new();
    for (path, x) in &settings.values {
        match SLIDERS.iter().find(|s| s.path == path) {
            Some(slider) => {
                let integer =
                    params::find_path(slider.path).is_some_and(|p| matches!(p.shape, Shape::Num { integer: true, .. }));
                let v =
                    if integer && x.fract() == 0.0 && x.abs() < 1e15 { Value::Int(*x as i64) } else { Value::Num(*x) };
                changes.push((slider.path, v));
            }
            None => unknown.push(format!("explore settings: {path}: is not one of the page's controls")),
        }
    }
    if !unknown.is_empty() {
        let fields = settings.values.iter().map(|(p, _)| p.clone()).filter(|p| !SLIDERS.iter().any(|s| s.path == p));
        return Err(Refused::new(unknown.join("\n"), fields.collect()));
    }
    if let Some(seed) = settings.seed {
        changes.push((key::run::seed, Value::Int(i64::try_from(seed).unwrap_or(i64::MAX))));
    }
    let rules = settings.rules.clone().unwrap_or_else(|| base.run.rules.iter().map(|r| r.name()).collect());
    changes.push((key::run::rules, Value::Texts(rules)));
    let s = base
        .with_all_from(&changes, "explore settings")
        .map_err(|e| Refused::new(e.to_string(), e.problems().iter().map(|p| p.field.clone()).collect()))?;
    within_bounds(&s).map_err(|m| Refused::new(m, Vec::new()))?;
    let [a, b, ..] = s.run.rules[..] else {
        return Err(Refused::new(
            "explore settings: run.rules: name two rules to compare".into(),
            vec![key::run::rules.into()],
        ));
    };
    Ok(Setup { scenario: s, rules: [a, b] })
}

/// A parameter's current value in a scenario, as a number.
fn current(s: &Scenario, path: &str) -> Option<f64> {
    let first = s.authorities.first();
    match path {
        key::authority::new_referrals_per_year => first.map(|a| a.new_referrals_per_year),
        key::authority::posts_per_team => first.map(|a| f64::from(a.posts_per_team)),
        _ => crate::scenario::describe(s).into_iter().find(|(p, _)| p.path() == path).and_then(|(_, v)| v.as_f64()),
    }
}

/// Every slider's value in a scenario, by key.
pub fn slider_values(s: &Scenario) -> serde_json::Map<String, Json> {
    SLIDERS.iter().map(|sl| (sl.path.to_string(), json!(current(s, sl.path)))).collect()
}

/// The controls as the page builds them: each slider with its label, unit, allowed range,
/// source, prior and the base scenario's value; the rules; the base seed.
pub fn describe(base: &Scenario) -> Json {
    let sliders: Vec<Json> = SLIDERS
        .iter()
        .filter_map(|sl| {
            let p = params::find_path(sl.path)?;
            Some(json!({
                "path": sl.path,
                "label": p.label,
                "unit": p.unit,
                "allowed": p.allowed(),
                "source": p.source,
                "prior": p.prior.map(|q| q.words()),
                "assumption": p.is_assumption(),
                "min": sl.min,
                "max": sl.max,
                "step": sl.step,
                "value": current(base, sl.path),
            }))
        })
        .collect();
    json!({
        "scenario": base.run.name,
        "description": base.run.description,
        "seed": base.run.seed,
        "rules": base.run.rules.iter().take(2).map(|r| r.name()).collect::<Vec<_>>(),
        "rule_choices": RULES,
        "sliders": sliders,
        "bounds": { "teams": MAX_TEAMS, "years": MAX_YEARS, "referrals_per_team": MAX_REFERRALS_PER_TEAM },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Rule;

    fn base() -> Scenario {
        let text = include_str!("../../scenarios/teaching_one_team.toml");
        Scenario::from_toml(text, std::path::Path::new("teaching_one_team.toml")).unwrap()
    }

    #[test]
    fn every_slider_is_a_parameter_and_spans_allowed_values() {
        for sl in SLIDERS {
            let p = params::find_path(sl.path).unwrap_or_else(|| panic!("{} is not a parameter", sl.path));
            let Shape::Num { min, max, .. } = p.shape else { panic!("{} is not one number", sl.path) };
            assert!(min <= sl.min && sl.max <= max && sl.min < sl.max, "{}", sl.path);
        }
        for r in RULES {
            assert!(Rule::parse(r).is_ok());
        }
    }

    #[test]
    fn settings_pass_the_scenario_checks_and_bad_values_are_located() {
        let s = base();
        let ok = Settings { values: vec![("authority.posts_per_team".into(), 9.0)], seed: Some(5), rules: None };
        let setup = setup(&s, &ok).unwrap();
        assert_eq!((setup.scenario.authorities[0].posts_per_team, setup.scenario.run.seed), (9, 5));
        let bad = Settings { values: vec![("judgement.manager_weight".into(), 1.3)], ..Settings::default() };
        let e = super::setup(&s, &bad).unwrap_err();
        assert!(
            e.message.starts_with("explore settings: judgement.manager_weight: is 1.3; allowed 0.5 to 1"),
            "{}",
            e.message
        );
        assert_eq!(e.fields, ["judgement.manager_weight"]);
        let two = Scenario::from_toml(
            "[[authority]]\nname = \"a\"\nteams = 1\n[[authority]]\nname = \"b\"\nteams = 1\n",
            std::path::Path::new("two"),
        )
        .unwrap();
        assert_eq!(within_bounds(&two), Err("explore runs one authority; this scenario has 2".to_string()));
        let big = Settings { values: vec![("authority.new_referrals_per_year".into(), 5000.0)], ..Settings::default() };
        assert!(super::setup(&s, &big).unwrap_err().message.contains("at most 2000 new referrals"));
    }
}
