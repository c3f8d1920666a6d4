//! The `[uncertainty]` section of a scenario file: how `caseload uncertainty` draws the
//! assumed parameters from their priors, which of them get variance-based sensitivity and
//! break-even values, and the concerns whose probability it reports.
//!
//! ```toml
//! [uncertainty]
//! draws = 128            # joint draws from every prior (a Latin hypercube)
//! replications = 4       # paired replications at every point
//! seed = 1               # the design's seed (the runs use the scenario's)
//! sobol_base = 32        # N of the Saltelli design: N (k + 2) points for k factors
//! breakeven_points = 9   # points on each factor's break-even curve
//! factors = ["judgement.lone_rating_shift", "workforce.lone_decision_leave_effect"]
//! concerns = ["late_days_per_high_risk_referral > 0.5", "under_rated_high_pct > 2"]
//! fixed = ["casework.pacing"]   # held at the scenario's value: a prior that is a point
//! ```
//!
//! Every key may be left out; the defaults are below. A manifest writes them all.

use super::key;
use toml::Spanned;
use toml::de::DeValue;

use super::params::{self, On};
use super::parse::{Collector, number, type_name, unknown};
use super::sweep::Concern;

/// The factors that get Sobol indices and break-even values when a file names none: the
/// mechanisms the two sides of the argument rest on.
pub const DEFAULT_FACTORS: &[&str] = &[
    key::judgement::lone_rating_shift,
    key::judgement::shared_rating_shift,
    key::judgement::manager_weight,
    key::judgement::manager_info_penalty,
    key::judgement::manager_sd_ratio,
    key::judgement::rho,
    key::judgement::drift_share,
    key::judgement::drift_overrun_days,
    key::judgement::lone_shift_novice,
    key::quality::consult_supervision,
    key::casework::pacing,
    key::casework::recording_hours_per_shared_decision,
    key::workforce::lone_decision_leave_effect,
    key::workforce::lone_leave_novice,
];

/// The concerns when a file names none (the reason for each is in `scenarios/baseline.toml`).
pub const DEFAULT_CONCERNS: &[&str] = &[
    "late_days_per_high_risk_referral > 0.5",
    "child_days_at_risk_per_year > 1000",
    "under_rated_high_pct > 2",
    "within_limit_pct < -2",
    "turnover_pct > 1",
];

/// A checked `[uncertainty]` section, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintySpec {
    pub draws: u32,
    pub replications: u32,
    pub seed: u64,
    pub sobol_base: u32,
    pub breakeven_points: u32,
    /// `section.key` of each factor given Sobol indices and a break-even value.
    pub factors: Vec<String>,
    pub concerns: Vec<Concern>,
    /// Assumptions held at the scenario's value in the draws (as if their prior were a
    /// point): "what if we knew this one".
    pub fixed: Vec<String>,
}

impl Default for UncertaintySpec {
    fn default() -> Self {
        UncertaintySpec {
            draws: 128,
            replications: 4,
            seed: 1,
            sobol_base: 32,
            breakeven_points: 9,
            factors: DEFAULT_FACTORS.iter().map(|s| s.to_string()).collect(),
            concerns: DEFAULT_CONCERNS.iter().map(|c| Concern::parse(c).expect("a default concern parses")).collect(),
            fixed: Vec::new(),
        }
    }
}

impl UncertaintySpec {
    /// The spec with some of its settings replaced (`draws`, `replications`, `sobol_base`,
    /// `factors`, `concerns`, each as its TOML value), checked as the same settings in a
    /// file are; a problem is reported as from `origin` (the command line, say).
    pub fn with_settings(
        &self,
        settings: &[(&str, String)],
        origin: &str,
    ) -> Result<UncertaintySpec, super::ScenarioError> {
        let text: String = self
            .to_toml()
            .lines()
            .map(|l| {
                let set = settings.iter().find(|(key, _)| l.starts_with(&format!("{key} = ")));
                set.map_or_else(|| l.to_string(), |(key, value)| format!("{key} = {value}")) + "\n"
            })
            .collect();
        let s = super::Scenario::from_toml(&text, std::path::Path::new(origin))?;
        Ok(s.uncertainty().cloned().unwrap_or_default())
    }

    /// The section as TOML with every value written, so a manifest repeats the analysis.
    pub fn to_toml(&self) -> String {
        let list = |xs: Vec<String>| xs.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", ");
        format!(
            "[uncertainty]\ndraws = {}\nreplications = {}\nseed = {}\nsobol_base = {}\nbreakeven_points = {}\nfactors = [{}]\nconcerns = [{}]\nfixed = [{}]\n",
            self.draws,
            self.replications,
            self.seed,
            self.sobol_base,
            self.breakeven_points,
            list(self.factors.clone()),
            list(self.concerns.iter().map(Concern::text).collect()),
            list(self.fixed.clone())
        )
    }

    /// How many points the analysis runs: the draws, the Saltelli design and the
    /// break-even curves (the factors named are the factors found: each is checked).
    pub fn n_points(&self) -> usize {
        let k = self.factors.len();
        self.draws as usize + self.sobol_base as usize * (k + 2) + k * self.breakeven_points as usize
    }
}

const KEYS: &[&str] =
    &["draws", "replications", "seed", "sobol_base", "breakeven_points", "factors", "concerns", "fixed"];

/// A whole number in `min..=max`, or a problem.
fn whole(c: &mut Collector<'_>, field: &str, v: &Spanned<DeValue<'_>>, min: f64, max: f64) -> Option<f64> {
    match number(v.get_ref()) {
        Some(x) if x.fract() == 0.0 && (min..=max).contains(&x) => Some(x),
        Some(x) => {
            c.at(Some(&v.span()), field, format!("is {x}; allowed a whole number {min} to {max}"));
            None
        }
        None => {
            c.at(
                Some(&v.span()),
                field,
                format!("is {}; expected a whole number {min} to {max}", type_name(v.get_ref())),
            );
            None
        }
    }
}

/// A list of text, or a problem.
fn texts(
    c: &mut Collector<'_>,
    field: &str,
    v: &Spanned<DeValue<'_>>,
) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let DeValue::Array(items) = v.get_ref() else {
        c.at(Some(&v.span()), field, format!("is {}; expected a list of text", type_name(v.get_ref())));
        return None;
    };
    let mut out = Vec::new();
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(s) => out.push((s.to_string(), item.span())),
            other => {
                c.at(Some(&item.span()), field, format!("holds {}; expected text", type_name(other)));
                return None;
            }
        }
    }
    Some(out)
}

/// Checks an `[uncertainty]` table; every problem goes to `c`.
pub fn parse_uncertainty(c: &mut Collector<'_>, value: &Spanned<DeValue<'_>>) -> Option<UncertaintySpec> {
    let DeValue::Table(table) = value.get_ref() else {
        c.at(Some(&value.span()), "uncertainty", format!("is {}; expected a table", type_name(value.get_ref())));
        return None;
    };
    let before = c.problems.len();
    let mut spec = UncertaintySpec::default();
    for (k, v) in table.iter() {
        let field = format!("uncertainty.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "draws" => spec.draws = whole(c, &field, v, 2.0, 100_000.0).map_or(spec.draws, |x| x as u32),
            "replications" => {
                spec.replications = whole(c, &field, v, 2.0, 10_000.0).map_or(spec.replications, |x| x as u32)
            }
            "seed" => spec.seed = whole(c, &field, v, 0.0, 2f64.powi(53)).map_or(spec.seed, |x| x as u64),
            "sobol_base" => spec.sobol_base = whole(c, &field, v, 4.0, 100_000.0).map_or(spec.sobol_base, |x| x as u32),
            "breakeven_points" => {
                spec.breakeven_points = whole(c, &field, v, 3.0, 1_000.0).map_or(spec.breakeven_points, |x| x as u32)
            }
            "factors" => {
                let Some(items) = texts(c, &field, v) else { continue };
                let mut factors = Vec::new();
                for (path, span) in items {
                    match params::find_path(&path) {
                        Some(p) if p.prior.is_some_and(|q| q.on == On::Value) => {
                            if factors.contains(&path) {
                                c.at(Some(&span), &field, format!("names {path} twice"));
                            }
                            factors.push(path);
                        }
                        Some(_) => c.at(
                            Some(&span),
                            &field,
                            format!("{path} has no prior on its value: name an assumption with a number prior"),
                        ),
                        None => {
                            let known: Vec<String> = params::PARAMS
                                .iter()
                                .filter(|p| p.prior.is_some_and(|q| q.on == On::Value))
                                .map(|p| p.path())
                                .collect();
                            let known: Vec<&str> = known.iter().map(String::as_str).collect();
                            c.at(Some(&span), &field, format!("\"{path}\" {}", unknown("parameter", &path, &known)));
                        }
                    }
                }
                if factors.is_empty() || factors.len() > 20 {
                    c.at(Some(&v.span()), &field, format!("names {} factors; allowed 1 to 20", factors.len()));
                }
                spec.factors = factors;
            }
            "fixed" => {
                let Some(items) = texts(c, &field, v) else { continue };
                let mut fixed = Vec::new();
                for (path, span) in items {
                    if params::find_path(&path).is_some_and(|p| p.prior.is_some()) {
                        fixed.push(path);
                    } else {
                        c.at(Some(&span), &field, format!("\"{path}\" is not a parameter with a prior"));
                    }
                }
                spec.fixed = fixed;
            }
            "concerns" => {
                let Some(items) = texts(c, &field, v) else { continue };
                let mut concerns = Vec::new();
                for (text, span) in items {
                    match Concern::parse(&text) {
                        Ok(x) => concerns.push(x),
                        Err(e) => c.at(Some(&span), &field, e),
                    }
                }
                if concerns.is_empty() {
                    c.at(
                        Some(&v.span()),
                        &field,
                        "is empty; name at least one concern like \"turnover_pct > 1\"".into(),
                    );
                }
                spec.concerns = concerns;
            }
            name => c.at(Some(&k.span()), &field, unknown("key", name, KEYS)),
        }
    }
    if spec.n_points() > 1_000_000 {
        c.at(Some(&value.span()), "uncertainty", format!("asks for {} points; at most 1000000", spec.n_points()));
    }
    (c.problems.len() == before).then_some(spec)
}
