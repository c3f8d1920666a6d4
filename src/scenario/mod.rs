//! Scenarios: a TOML file, checked against the parameter table, becomes a validated
//! [`Scenario`] whose fields carry the guarantees the model relies on.
//!
//! The typed sections and their readers are generated from the rows of `keys.rs`; here
//! are the scenario as a whole, its authorities as scenarios of their own, the changes
//! sweeps and fits make to it, and `check_consistency`, every rule between keys.

pub mod annotate;
mod error;
pub mod keys;
pub mod params;
mod parse;
pub mod priors;
pub mod sweep;
pub mod uncertainty;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::{Problem, ScenarioError};
pub use keys::{Authority, Casework, Costs, Demand, Judgement, Managers, Quality, Run, Workforce, key};
pub use parse::{Value, Values};

use crate::vocab::Tier;
pub use crate::vocab::{Combine, ConsultTime, DAYS_PER_YEAR, FreedTimeUse};
use params::{PARAMS, Param, SECTIONS};
pub(crate) use parse::{Collector, nearest, number, type_name, unknown};

impl Run {
    /// The warm-up in working days.
    pub fn warmup_days(&self) -> u32 {
        self.warmup_years * DAYS_PER_YEAR
    }

    /// The measured horizon in working days.
    pub fn horizon_days(&self) -> u32 {
        self.horizon_years * DAYS_PER_YEAR
    }
}

impl Judgement {
    /// The rating error sd with no experience: `sd_expert * novice_sd_ratio`.
    pub fn sd_novice(&self) -> f64 {
        self.sd_expert * self.novice_sd_ratio
    }
}

impl Managers {
    /// Whether consultation time a rule does not use goes to supervision.
    pub fn freed_time_to_supervision(&self) -> bool {
        self.freed_time_use == FreedTimeUse::Supervision
    }
}

/// A validated scenario: every value in range and consistent with the others.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub run: Run,
    pub authorities: Vec<Authority>,
    pub demand: Demand,
    pub casework: Casework,
    pub judgement: Judgement,
    pub quality: Quality,
    pub managers: Managers,
    pub workforce: Workforce,
    pub costs: Costs,
    values: Values,
    /// With several authorities, or one that sets its own values: each authority as a
    /// scenario of its own (one authority, the scenario-wide values with its own in their
    /// place). A run simulates them one by one; empty otherwise.
    parts: Vec<Scenario>,
}

impl Scenario {
    /// Each authority as a scenario of its own, when the scenario has several or one sets
    /// its own values; empty for a single authority that sets none.
    pub fn parts(&self) -> &[Scenario] {
        &self.parts
    }

    /// Reads and validates a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text =
            std::fs::read_to_string(path).map_err(|source| ScenarioError::Io { path: path.to_path_buf(), source })?;
        Scenario::from_toml(&text, path)
    }

    /// Validates scenario text; `path` is only used to name the file in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
        let mut c = Collector { text, problems: Vec::new() };
        let values = parse::parse(&mut c);
        let scenario = Scenario::from_values(values, &mut c);
        c.problems.sort_by_key(|p| (p.line, p.col));
        match scenario {
            Some(s) if c.problems.is_empty() => Ok(s),
            _ => Err(ScenarioError::Invalid { path: PathBuf::from(path), problems: c.problems }),
        }
    }

    /// The `[sweep]` section, if the file has one.
    pub fn sweep(&self) -> Option<&sweep::SweepSpec> {
        self.values.sweep.as_ref()
    }

    /// A copy with the `[sweep]` section replaced (e.g. a concern given on the command line).
    pub fn with_sweep(&self, spec: Option<sweep::SweepSpec>) -> Scenario {
        let mut s = self.clone();
        s.values.sweep = spec;
        s
    }

    /// The `[uncertainty]` section, if the file has one.
    pub fn uncertainty(&self) -> Option<&uncertainty::UncertaintySpec> {
        self.values.uncertainty.as_ref()
    }

    /// A copy with the `[uncertainty]` section replaced.
    pub fn with_uncertainty(&self, spec: Option<uncertainty::UncertaintySpec>) -> Scenario {
        let mut s = self.clone();
        s.values.uncertainty = spec;
        s
    }

    /// The values behind this scenario, for re-validating a changed copy.
    pub fn values(&self) -> &Values {
        &self.values
    }

    /// A copy with `section.key` set to `value`, validated again (used by sweeps).
    pub fn with(&self, path: &str, value: Value) -> Result<Scenario, ScenarioError> {
        self.with_all(&[(path, value)])
    }

    /// A copy with several `section.key`s set at once, validated once, so that values
    /// that must agree (a cap and the newly qualified cap) can change together.
    /// An `authority.` key is set for every authority. Every value passes the same checks
    /// as a file's ([`parse::check`]); problems are reported against `<override>`.
    pub fn with_all(&self, changes: &[(&str, Value)]) -> Result<Scenario, ScenarioError> {
        self.with_all_from(changes, "<override>")
    }

    /// [`Scenario::with_all`], naming where the changes came from (`command line`, a sweep
    /// point) in any problem.
    pub fn with_all_from(&self, changes: &[(&str, Value)], origin: &str) -> Result<Scenario, ScenarioError> {
        let mut values = self.values.clone();
        values.spans.clear();
        let mut c = Collector { text: "", problems: Vec::new() };
        for (path, value) in changes {
            let Some(param) = params::find_path(path) else {
                c.at(None, path, "is not a known key".to_string());
                continue;
            };
            let value = match parse::check(param, value.clone()) {
                Ok(v) => v,
                Err(message) => {
                    c.at(None, path, message);
                    continue;
                }
            };
            if let Some(key) = path.strip_prefix("authority.") {
                let n = values.authorities.len().max(1);
                values.authorities.resize_with(n, BTreeMap::new);
                for a in &mut values.authorities {
                    a.insert(format!("authority.{key}"), value.clone());
                }
            } else {
                values.set.insert(path.to_string(), value);
            }
        }
        if !c.problems.is_empty() {
            return Err(ScenarioError::Invalid { path: PathBuf::from(origin), problems: c.problems });
        }
        match Scenario::from_values(values, &mut c) {
            Some(s) if c.problems.is_empty() => Ok(s),
            _ => Err(ScenarioError::Invalid { path: PathBuf::from(origin), problems: c.problems }),
        }
    }

    /// A copy with parameters set by single numbers, as sweeps and the uncertainty
    /// analysis give them: a number for a one-number key is its value (rounded where it
    /// must be whole); for a list it is a factor, applied as the key's prior says (on every
    /// value, or on each value's departure from 1), to this scenario's list, each result
    /// kept within the allowed range. Then checked as [`Scenario::with_all`] checks.
    pub fn with_factors(&self, changes: &[(&str, f64)]) -> Result<Scenario, ScenarioError> {
        let current = |path: &str| -> Option<Value> {
            let p = params::find_path(path)?;
            if let Some(key) = path.strip_prefix("authority.") {
                let first = self.values.authorities.first();
                return Some(
                    first
                        .and_then(|a| a.get(&format!("authority.{key}")).cloned())
                        .unwrap_or_else(|| Value::default_of(p)),
                );
            }
            Some(self.values.set.get(path).cloned().unwrap_or_else(|| Value::default_of(p)))
        };
        let values: Vec<(&str, Value)> = changes
            .iter()
            .map(|&(path, x)| {
                let value = match params::find_path(path).map(|p| (p.shape, p.prior)) {
                    Some((params::Shape::Num { integer: true, .. }, _)) => Value::Int(x.round() as i64),
                    Some((params::Shape::Nums { min, max, integer, .. }, prior)) => {
                        let on = prior.map_or(params::On::Scale, |q| q.on);
                        let list = match current(path) {
                            Some(Value::Nums(xs)) => xs,
                            _ => Vec::new(),
                        };
                        Value::Nums(
                            list.iter()
                                .map(|&v| {
                                    let y = if on == params::On::Amplitude { 1.0 + x * (v - 1.0) } else { v * x };
                                    let y = if integer { y.round() } else { y };
                                    y.clamp(min, max)
                                })
                                .collect(),
                        )
                    }
                    _ => Value::Num(x),
                };
                (path, value)
            })
            .collect();
        self.with_all(&values)
    }

    /// A copy in which authority `i` sets `changes` (scenario-wide keys, `section.key`) as its
    /// own values, validated again: a fit of one authority written back.
    pub fn with_authority(&self, i: usize, changes: &[(&str, Value)]) -> Result<Scenario, ScenarioError> {
        let mut values = self.values.clone();
        values.spans.clear();
        let mut c = Collector { text: "", problems: Vec::new() };
        if values.authorities.is_empty() {
            values.authorities.push(BTreeMap::new());
        }
        match values.authorities.get_mut(i) {
            None => c.at(None, "authority", format!("has no authority {}", i + 1)),
            Some(a) => {
                for (path, value) in changes {
                    match params::find_path(path) {
                        Some(p) if p.section != "run" && p.section != "authority" => {
                            match parse::check(p, value.clone()) {
                                Ok(v) => {
                                    a.insert(path.to_string(), v);
                                }
                                Err(message) => c.at(None, &format!("authority[{i}].{path}"), message),
                            }
                        }
                        _ => c.at(None, path, "is not a key an authority may set for itself".to_string()),
                    }
                }
            }
        }
        if !c.problems.is_empty() {
            return Err(ScenarioError::Invalid { path: PathBuf::from("<fit>"), problems: c.problems });
        }
        match Scenario::from_values(values, &mut c) {
            Some(s) if c.problems.is_empty() => Ok(s),
            _ => Err(ScenarioError::Invalid { path: PathBuf::from("<fit>"), problems: c.problems }),
        }
    }

    /// The scenario as TOML with every default filled in: a run can be repeated from it.
    pub fn to_toml(&self) -> String {
        let mut out = self.sections_toml();
        for a in self.authority_values() {
            out.push_str("[[authority]]\n");
            for p in params::keys_of("authority") {
                let v = a.get(&p.path()).cloned().unwrap_or_else(|| Value::default_of(p));
                out.push_str(&format!("{} = {}\n", p.key, v.to_toml()));
            }
            // The authority's own values of scenario-wide keys, as dotted keys.
            for (k, v) in a.iter().filter(|(k, _)| !k.starts_with("authority.")) {
                out.push_str(&format!("{k} = {}\n", v.to_toml()));
            }
            out.push('\n');
        }
        if let Some(sweep) = &self.values.sweep {
            out.push_str(&sweep.to_toml());
        }
        if let Some(u) = &self.values.uncertainty {
            if self.values.sweep.is_some() {
                out.push('\n');
            }
            out.push_str(&u.to_toml());
        }
        if !self.values.priors.is_empty() {
            if self.values.sweep.is_some() || self.values.uncertainty.is_some() {
                out.push('\n');
            }
            out.push_str("[priors]\n");
            for (path, setting) in &self.values.priors {
                out.push_str(&format!("\"{path}\" = {}\n", setting.to_toml()));
            }
        }
        out
    }

    /// The prior in force for `p`: the scenario's own (`[priors]`) or the table's; `None`
    /// for a parameter with no prior, one the file holds at a point, or one the
    /// `[uncertainty]` section lists as `fixed`.
    pub fn prior(&self, p: &Param) -> Option<params::Prior> {
        let fixed = self.values.uncertainty.as_ref().is_some_and(|u| u.fixed.contains(&p.path()));
        if fixed { None } else { priors::in_force(p, &self.values.priors) }
    }

    /// The assumptions held at the scenario's value rather than drawn: a point prior in
    /// `[priors]` or a `fixed` entry of `[uncertainty]`, in table order.
    pub fn held(&self) -> Vec<&'static Param> {
        PARAMS.iter().filter(|p| p.prior.is_some() && self.prior(p).is_none()).collect()
    }

    /// The scenario-wide sections as TOML, every default filled in: [`Scenario::to_toml`]
    /// without the authorities, `[sweep]` or `[uncertainty]`.
    pub fn sections_toml(&self) -> String {
        let mut out = String::new();
        for section in SECTIONS {
            out.push_str(&format!("[{section}]\n"));
            for p in params::keys_of(section) {
                let v = self.values.set.get(&p.path()).cloned().unwrap_or_else(|| Value::default_of(p));
                out.push_str(&format!("{} = {}\n", p.key, v.to_toml()));
            }
            out.push('\n');
        }
        out
    }

    fn authority_values(&self) -> Vec<BTreeMap<String, Value>> {
        if self.values.authorities.is_empty() { vec![BTreeMap::new()] } else { self.values.authorities.clone() }
    }

    /// Total social worker posts across authorities.
    pub fn n_posts(&self) -> usize {
        self.authorities.iter().map(|a| (a.teams * a.posts_per_team) as usize).sum()
    }

    /// Total teams across authorities.
    /// The value of a scenario-wide key (`key::casework::caseload_cap`, say): the file's,
    /// or its default. The one answer to "what is key K in this scenario".
    ///
    /// # Panics
    /// If `path` is not a key of the parameter table.
    pub fn value(&self, path: &str) -> Value {
        value_in(&self.values.set, path)
    }

    pub fn n_teams(&self) -> usize {
        self.authorities.iter().map(|a| a.teams as usize).sum()
    }

    fn from_values(values: Values, c: &mut Collector<'_>) -> Option<Scenario> {
        let get = |path: &str| value_in(&values.set, path);
        let authority_maps: Vec<BTreeMap<String, Value>> =
            if values.authorities.is_empty() { vec![BTreeMap::new()] } else { values.authorities.clone() };
        let authorities = authority_maps.iter().map(|m| Authority::read(&|path: &str| value_in(m, path))).collect();
        let (run, demand, casework) = (Run::read(&get), Demand::read(&get), Casework::read(&get));
        let (judgement, quality) = (Judgement::read(&get), Quality::read(&get));
        let (managers, workforce) = (Managers::read(&get), Workforce::read(&get));
        let costs = Costs::read(&get);
        let parts = Scenario::parts_of(&values, c);
        let scenario = Scenario {
            run,
            authorities,
            demand,
            casework,
            judgement,
            quality,
            managers,
            workforce,
            costs,
            values,
            parts,
        };
        scenario.check_consistency(c);
        if c.problems.is_empty() { Some(scenario) } else { None }
    }

    /// The authorities as scenarios of their own (see [`Scenario::parts`]), each checked as
    /// a whole scenario; a problem with an authority's own values is reported at its place
    /// in the file, under `authority[i]`.
    fn parts_of(values: &Values, c: &mut Collector<'_>) -> Vec<Scenario> {
        let own = |a: &BTreeMap<String, Value>| a.keys().any(|k| !k.starts_with("authority."));
        if values.authorities.len() <= 1 && !values.authorities.iter().any(own) {
            return Vec::new();
        }
        let mut parts = Vec::new();
        for (i, a) in values.authorities.iter().enumerate() {
            let mut v = Values { set: values.set.clone(), ..Values::default() };
            let mut keys = BTreeMap::new();
            for (k, x) in a {
                if k.starts_with("authority.") {
                    keys.insert(k.clone(), x.clone());
                } else {
                    v.set.insert(k.clone(), x.clone());
                    if let Some(span) = values.spans.get(&format!("authority[{i}].{k}")) {
                        v.spans.insert(k.clone(), span.clone());
                    }
                }
            }
            for (k, span) in &values.spans {
                if !v.spans.contains_key(k) && !k.starts_with("authority") {
                    v.spans.insert(k.clone(), span.clone());
                }
            }
            v.authorities.push(keys);
            let mut inner = Collector { text: c.text, problems: Vec::new() };
            let part = Scenario::from_values(v, &mut inner);
            for mut p in inner.problems {
                if !p.field.starts_with("authority") {
                    p.field = format!("authority[{i}].{}", p.field);
                }
                c.problems.push(p);
            }
            if let Some(part) = part {
                parts.push(part);
            }
        }
        parts
    }

    /// Checks that combinations of values make sense together.
    fn check_consistency(&self, c: &mut Collector<'_>) {
        let span = |k: &str| self.values.spans.get(k).cloned();
        let d = &self.demand;
        let sum: f64 = d.risk_mix.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            c.at(
                span(key::demand::risk_mix).as_ref(),
                key::demand::risk_mix,
                format!("sums to {}; the four shares must sum to 1", round6(sum)),
            );
        }
        if !(0.0 < d.risk_cuts[0]
            && d.risk_cuts[0] < d.risk_cuts[1]
            && d.risk_cuts[1] < d.risk_cuts[2]
            && d.risk_cuts[2] < 1.0)
        {
            c.at(
                span(key::demand::risk_cuts).as_ref(),
                key::demand::risk_cuts,
                format!("is {:?}; cut-points must increase strictly inside 0 to 1", d.risk_cuts),
            );
        }
        let mean = d.seasonality.iter().sum::<f64>() / 12.0;
        if (mean - 1.0).abs() > 0.01 {
            c.at(
                span(key::demand::seasonality).as_ref(),
                key::demand::seasonality,
                format!("averages {}; the 12 factors must average 1 (within 0.01)", round6(mean)),
            );
        }
        for t in 0..4 {
            for (key, days) in [
                (key::demand::needed_start_days, d.needed_start_days[t]),
                (key::demand::completion_days, d.completion_days[t]),
            ] {
                if days > d.limit_days {
                    c.at(
                        span(key).as_ref(),
                        key,
                        format!(
                            "{} tier is {days}; must not exceed limit_days ({})",
                            Tier::ALL[t].name(),
                            d.limit_days
                        ),
                    );
                }
            }
            if d.completion_days[t] < d.needed_start_days[t] {
                c.at(
                    span(key::demand::completion_days).as_ref(),
                    key::demand::completion_days,
                    format!(
                        "{} tier: completion ({}) before the needed start ({})",
                        Tier::ALL[t].name(),
                        d.completion_days[t],
                        d.needed_start_days[t]
                    ),
                );
            }
        }
        let rules: Vec<String> = self.run.rules.iter().map(|r| r.name()).collect();
        if let Some(twice) = rules.iter().enumerate().find(|(i, r)| rules[..*i].contains(r)).map(|(_, r)| r) {
            c.at(span(key::run::rules).as_ref(), key::run::rules, format!("names {twice} twice; each rule once"));
        }
        let cw = &self.casework;
        if cw.caseload_cap_newly_qualified > cw.caseload_cap {
            c.at(
                span(key::casework::caseload_cap_newly_qualified).as_ref(),
                key::casework::caseload_cap_newly_qualified,
                format!("is {}; must not exceed caseload_cap ({})", cw.caseload_cap_newly_qualified, cw.caseload_cap),
            );
        }
        if self.values.authorities.len() > 400 {
            c.at(None, "authority", "more than 400 authorities; split the scenario".to_string());
        }
        let mut names: Vec<&str> = self.authorities.iter().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            c.at(None, "authority", format!("names {} twice; each authority's name once", w[0]));
        }
        let posts = self.n_posts();
        if posts > 200_000 {
            c.at(None, "authority", format!("{posts} posts in all; at most 200000"));
        }
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The checked value of `path` in `map`, or the table's default where the file is silent.
fn value_in(map: &BTreeMap<String, Value>, path: &str) -> Value {
    map.get(path).cloned().unwrap_or_else(|| {
        let p: &Param = params::find_path(path).unwrap_or_else(|| panic!("no parameter {path}"));
        Value::default_of(p)
    })
}

impl Default for Scenario {
    /// The scenario of the parameter table's defaults (the 2017 baseline authority).
    fn default() -> Self {
        Scenario::from_toml("", Path::new("<defaults>")).expect("defaults are valid")
    }
}

/// Every parameter with its resolved value, for listing.
pub fn describe(s: &Scenario) -> Vec<(&'static Param, Value)> {
    PARAMS.iter().filter(|p| p.section != "authority").map(|p| (p, s.value(&p.path()))).collect()
}
