//! Scenarios: a TOML file, checked against the parameter table, becomes a validated
//! [`Scenario`] whose fields carry the guarantees the model relies on.
//!
//! It is long because `from_values` reads every key of the parameter table into its typed
//! field, one line a key, and `check_consistency` states every rule between keys: both
//! belong beside the types they fill.

pub mod annotate;
mod error;
pub mod params;
mod parse;
pub mod sweep;
pub mod uncertainty;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::{Problem, ScenarioError};
pub use parse::{Value, Values};

use crate::model::{Rule, Tier};
use params::{PARAMS, Param, SECTIONS};
pub(crate) use parse::{Collector, nearest, number, type_name, unknown};

/// Working days in a year.
pub const DAYS_PER_YEAR: u32 = 250;

/// How a shared decision combines the worker's and the manager's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// A weighted mean of the two ratings, `manager_weight` on the manager's: weights that
    /// people choose, not ones that know the true error sizes.
    Average,
    DeferToManager,
    /// The more urgent (higher) of the two ratings.
    MoreUrgent,
}

/// How long a manager's consultation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsultTime {
    Fixed,
    Exponential,
}

#[derive(Debug, Clone)]
pub struct Run {
    pub name: String,
    pub description: String,
    pub warmup_days: u32,
    pub horizon_days: u32,
    pub replications: u32,
    pub seed: u64,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct Authority {
    pub name: String,
    /// The DfE's codes and region (empty when the file gives none).
    pub code: String,
    pub old_code: String,
    pub region: String,
    pub teams: u32,
    pub posts_per_team: u32,
    pub new_referrals_per_year: f64,
}

#[derive(Debug, Clone)]
pub struct Demand {
    pub seasonality: [f64; 12],
    pub risk_mix: [f64; 4],
    pub risk_cuts: [f64; 3],
    pub assessment_hours: [f64; 4],
    pub assessment_hours_cv: f64,
    pub needed_start_days: [u32; 4],
    pub completion_days: [u32; 4],
    pub limit_days: u32,
}

#[derive(Debug, Clone)]
pub struct Casework {
    pub hours_per_day: f64,
    pub direct_work_share: f64,
    pub max_assessment_hours_per_day: f64,
    pub ongoing_share: [f64; 4],
    pub ongoing_days_mean: f64,
    pub ongoing_days_cv: f64,
    pub ongoing_hours_per_day: f64,
    pub caseload_cap: u32,
    pub caseload_cap_newly_qualified: u32,
    pub manageable_caseload: f64,
    pub handover_loss: f64,
    pub rush_cut_share: f64,
    /// Share of assessments worked evenly to their completion target.
    pub pacing: f64,
    pub recording_hours_per_shared_decision: f64,
}

#[derive(Debug, Clone)]
pub struct Judgement {
    pub sd_expert: f64,
    /// `sd_expert * novice_sd_ratio`: the rating error sd with no experience.
    pub sd_novice: f64,
    pub learning_years: f64,
    pub load_effect: f64,
    pub rho: f64,
    pub manager_weight: f64,
    pub manager_sd_ratio: f64,
    pub manager_info_penalty: f64,
    pub manager_queue_effect: f64,
    pub lone_rating_shift: f64,
    pub shared_rating_shift: f64,
    pub drift_share: f64,
    pub combine: Combine,
}

#[derive(Debug, Clone)]
pub struct Quality {
    pub q_novice: f64,
    pub q_expert: f64,
    pub supervision_bonus: f64,
    pub rush_penalty: f64,
    pub rereferral_if_missed: f64,
    pub rereferral_base: f64,
}

#[derive(Debug, Clone)]
pub struct Managers {
    pub consult_hours_per_day: f64,
    pub minutes_per_consult: f64,
    pub consult_time: ConsultTime,
    /// Whether consultation time a rule does not use goes to supervision.
    pub freed_time_to_supervision: bool,
    pub leave_rate_per_year: f64,
    pub vacancy_days: u32,
    pub promotion_share: f64,
    pub experience_years_mean: f64,
    pub experience_years_cv: f64,
    pub supervision_window_days: f64,
}

#[derive(Debug, Clone)]
pub struct Workforce {
    pub leave_rate_permanent: f64,
    pub leave_rate_newly_qualified: f64,
    pub leave_rate_agency: f64,
    pub tenure_hazard_ratio_under_2: f64,
    pub tenure_hazard_ratio_2_to_5: f64,
    pub stress_effect: f64,
    pub stress_window_days: f64,
    pub lone_decision_leave_effect: f64,
    pub lone_decision_window_days: f64,
    pub notice_days: u32,
    pub agency_notice_days: u32,
    pub time_to_hire_days_mean: f64,
    pub time_to_hire_days_cv: f64,
    pub newly_qualified_share: f64,
    pub experienced_hire_years_mean: f64,
    pub experienced_hire_years_cv: f64,
    pub agency_cover_share: f64,
    pub agency_start_days: u32,
    pub long_absence_share: f64,
    pub long_absence_days_mean: f64,
    pub absence_agency_cover_share: f64,
    pub initial_experience_years_mean: f64,
    pub initial_experience_years_cv: f64,
    pub initial_vacancy_share: f64,
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
        out
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
    pub fn n_teams(&self) -> usize {
        self.authorities.iter().map(|a| a.teams as usize).sum()
    }

    fn from_values(values: Values, c: &mut Collector<'_>) -> Option<Scenario> {
        let g = Get { map: &values.set };
        let mut rules = Vec::new();
        for r in g.texts("run.rules") {
            match Rule::parse(&r) {
                Ok(rule) => rules.push(rule),
                Err(message) => c.at(values.spans.get("run.rules"), "run.rules", message),
            }
        }
        let run = Run {
            name: g.text("run.name"),
            description: g.text("run.description"),
            warmup_days: g.num("run.warmup_years") as u32 * DAYS_PER_YEAR,
            horizon_days: g.num("run.horizon_years") as u32 * DAYS_PER_YEAR,
            replications: g.num("run.replications") as u32,
            seed: g.int("run.seed") as u64,
            rules,
        };
        let authority_maps: Vec<BTreeMap<String, Value>> =
            if values.authorities.is_empty() { vec![BTreeMap::new()] } else { values.authorities.clone() };
        let authorities = authority_maps
            .iter()
            .map(|m| {
                let g = Get { map: m };
                Authority {
                    name: g.text("authority.name"),
                    code: g.text("authority.code"),
                    old_code: g.text("authority.old_code"),
                    region: g.text("authority.region"),
                    teams: g.num("authority.teams") as u32,
                    posts_per_team: g.num("authority.posts_per_team") as u32,
                    new_referrals_per_year: g.num("authority.new_referrals_per_year"),
                }
            })
            .collect();
        let demand = Demand {
            seasonality: g.array("demand.seasonality"),
            risk_mix: g.array("demand.risk_mix"),
            risk_cuts: g.array("demand.risk_cuts"),
            assessment_hours: g.array("demand.assessment_hours"),
            assessment_hours_cv: g.num("demand.assessment_hours_cv"),
            needed_start_days: g.array("demand.needed_start_days").map(|d: f64| d as u32),
            completion_days: g.array("demand.completion_days").map(|d: f64| d as u32),
            limit_days: g.num("demand.limit_days") as u32,
        };
        let casework = Casework {
            hours_per_day: g.num("casework.hours_per_day"),
            direct_work_share: g.num("casework.direct_work_share"),
            max_assessment_hours_per_day: g.num("casework.max_assessment_hours_per_day"),
            ongoing_share: g.array("casework.ongoing_share"),
            ongoing_days_mean: g.num("casework.ongoing_days_mean"),
            ongoing_days_cv: g.num("casework.ongoing_days_cv"),
            ongoing_hours_per_day: g.num("casework.ongoing_hours_per_day"),
            caseload_cap: g.num("casework.caseload_cap") as u32,
            caseload_cap_newly_qualified: g.num("casework.caseload_cap_newly_qualified") as u32,
            manageable_caseload: g.num("casework.manageable_caseload"),
            handover_loss: g.num("casework.handover_loss"),
            rush_cut_share: g.num("casework.rush_cut_share"),
            pacing: g.num("casework.pacing"),
            recording_hours_per_shared_decision: g.num("casework.recording_hours_per_shared_decision"),
        };
        let judgement = Judgement {
            sd_expert: g.num("judgement.sd_expert"),
            sd_novice: g.num("judgement.sd_expert") * g.num("judgement.novice_sd_ratio"),
            learning_years: g.num("judgement.learning_years"),
            load_effect: g.num("judgement.load_effect"),
            rho: g.num("judgement.rho"),
            manager_weight: g.num("judgement.manager_weight"),
            manager_sd_ratio: g.num("judgement.manager_sd_ratio"),
            manager_info_penalty: g.num("judgement.manager_info_penalty"),
            manager_queue_effect: g.num("judgement.manager_queue_effect"),
            lone_rating_shift: g.num("judgement.lone_rating_shift"),
            shared_rating_shift: g.num("judgement.shared_rating_shift"),
            drift_share: g.num("judgement.drift_share"),
            combine: match g.text("judgement.combine").as_str() {
                "average" => Combine::Average,
                "defer_to_manager" => Combine::DeferToManager,
                "more_urgent" => Combine::MoreUrgent,
                other => {
                    c.at(
                        values.spans.get("judgement.combine"),
                        "judgement.combine",
                        format!("is \"{other}\"; not a known way"),
                    );
                    Combine::Average
                }
            },
        };
        let quality = Quality {
            q_novice: g.num("quality.q_novice"),
            q_expert: g.num("quality.q_expert"),
            supervision_bonus: g.num("quality.supervision_bonus"),
            rush_penalty: g.num("quality.rush_penalty"),
            rereferral_if_missed: g.num("quality.rereferral_if_missed"),
            rereferral_base: g.num("quality.rereferral_base"),
        };
        let managers = Managers {
            consult_hours_per_day: g.num("managers.consult_hours_per_day"),
            minutes_per_consult: g.num("managers.minutes_per_consult"),
            consult_time: match g.text("managers.consult_time").as_str() {
                "fixed" => ConsultTime::Fixed,
                "exponential" => ConsultTime::Exponential,
                other => {
                    c.at(
                        values.spans.get("managers.consult_time"),
                        "managers.consult_time",
                        format!("is \"{other}\"; not a known way"),
                    );
                    ConsultTime::Fixed
                }
            },
            freed_time_to_supervision: match g.text("managers.freed_time_use").as_str() {
                "supervision" => true,
                "none" => false,
                other => {
                    c.at(
                        values.spans.get("managers.freed_time_use"),
                        "managers.freed_time_use",
                        format!("is \"{other}\"; not a known use"),
                    );
                    true
                }
            },
            leave_rate_per_year: g.num("managers.leave_rate_per_year"),
            vacancy_days: g.num("managers.vacancy_days") as u32,
            promotion_share: g.num("managers.promotion_share"),
            experience_years_mean: g.num("managers.experience_years_mean"),
            experience_years_cv: g.num("managers.experience_years_cv"),
            supervision_window_days: g.num("managers.supervision_window_days"),
        };
        let workforce = Workforce {
            leave_rate_permanent: g.num("workforce.leave_rate_permanent"),
            leave_rate_newly_qualified: g.num("workforce.leave_rate_newly_qualified"),
            leave_rate_agency: g.num("workforce.leave_rate_agency"),
            tenure_hazard_ratio_under_2: g.num("workforce.tenure_hazard_ratio_under_2"),
            tenure_hazard_ratio_2_to_5: g.num("workforce.tenure_hazard_ratio_2_to_5"),
            stress_effect: g.num("workforce.stress_effect"),
            stress_window_days: g.num("workforce.stress_window_days"),
            lone_decision_leave_effect: g.num("workforce.lone_decision_leave_effect"),
            lone_decision_window_days: g.num("workforce.lone_decision_window_days"),
            notice_days: g.num("workforce.notice_days") as u32,
            agency_notice_days: g.num("workforce.agency_notice_days") as u32,
            time_to_hire_days_mean: g.num("workforce.time_to_hire_days_mean"),
            time_to_hire_days_cv: g.num("workforce.time_to_hire_days_cv"),
            newly_qualified_share: g.num("workforce.newly_qualified_share"),
            experienced_hire_years_mean: g.num("workforce.experienced_hire_years_mean"),
            experienced_hire_years_cv: g.num("workforce.experienced_hire_years_cv"),
            agency_cover_share: g.num("workforce.agency_cover_share"),
            agency_start_days: g.num("workforce.agency_start_days") as u32,
            long_absence_share: g.num("workforce.long_absence_share"),
            long_absence_days_mean: g.num("workforce.long_absence_days_mean"),
            absence_agency_cover_share: g.num("workforce.absence_agency_cover_share"),
            initial_experience_years_mean: g.num("workforce.initial_experience_years_mean"),
            initial_experience_years_cv: g.num("workforce.initial_experience_years_cv"),
            initial_vacancy_share: g.num("workforce.initial_vacancy_share"),
        };
        let parts = Scenario::parts_of(&values, c);
        let scenario =
            Scenario { run, authorities, demand, casework, judgement, quality, managers, workforce, values, parts };
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
                span("demand.risk_mix").as_ref(),
                "demand.risk_mix",
                format!("sums to {}; the four shares must sum to 1", round6(sum)),
            );
        }
        if !(0.0 < d.risk_cuts[0]
            && d.risk_cuts[0] < d.risk_cuts[1]
            && d.risk_cuts[1] < d.risk_cuts[2]
            && d.risk_cuts[2] < 1.0)
        {
            c.at(
                span("demand.risk_cuts").as_ref(),
                "demand.risk_cuts",
                format!("is {:?}; cut-points must increase strictly inside 0 to 1", d.risk_cuts),
            );
        }
        let mean = d.seasonality.iter().sum::<f64>() / 12.0;
        if (mean - 1.0).abs() > 0.01 {
            c.at(
                span("demand.seasonality").as_ref(),
                "demand.seasonality",
                format!("averages {}; the 12 factors must average 1 (within 0.01)", round6(mean)),
            );
        }
        for t in 0..4 {
            for (key, days) in
                [("demand.needed_start_days", d.needed_start_days[t]), ("demand.completion_days", d.completion_days[t])]
            {
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
                    span("demand.completion_days").as_ref(),
                    "demand.completion_days",
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
            c.at(span("run.rules").as_ref(), "run.rules", format!("names {twice} twice; each rule once"));
        }
        let cw = &self.casework;
        if cw.caseload_cap_newly_qualified > cw.caseload_cap {
            c.at(
                span("casework.caseload_cap_newly_qualified").as_ref(),
                "casework.caseload_cap_newly_qualified",
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

/// Reads checked values with the table's default where the file is silent.
struct Get<'a> {
    map: &'a BTreeMap<String, Value>,
}

impl Get<'_> {
    fn value(&self, path: &str) -> Value {
        self.map.get(path).cloned().unwrap_or_else(|| {
            let p: &Param = params::find_path(path).unwrap_or_else(|| panic!("no parameter {path}"));
            Value::default_of(p)
        })
    }
    fn num(&self, path: &str) -> f64 {
        match self.value(path) {
            Value::Num(v) => v,
            Value::Int(i) => i as f64,
            other => panic!("{path} is {other:?}, not a number"),
        }
    }
    fn int(&self, path: &str) -> i64 {
        match self.value(path) {
            Value::Int(i) => i,
            other => panic!("{path} is {other:?}, not a whole number"),
        }
    }
    fn array<const N: usize>(&self, path: &str) -> [f64; N] {
        match self.value(path) {
            Value::Nums(vs) => vs.try_into().unwrap_or_else(|_| panic!("{path} has the wrong length")),
            other => panic!("{path} is {other:?}, not numbers"),
        }
    }
    fn text(&self, path: &str) -> String {
        match self.value(path) {
            Value::Text(s) => s,
            other => panic!("{path} is {other:?}, not text"),
        }
    }
    fn texts(&self, path: &str) -> Vec<String> {
        match self.value(path) {
            Value::Texts(s) => s,
            other => panic!("{path} is {other:?}, not a list of text"),
        }
    }
}

impl Default for Scenario {
    /// The scenario of the parameter table's defaults (the 2017 baseline authority).
    fn default() -> Self {
        Scenario::from_toml("", Path::new("<defaults>")).expect("defaults are valid")
    }
}

/// Every parameter with its resolved value, for listing.
pub fn describe(s: &Scenario) -> Vec<(&'static Param, Value)> {
    PARAMS
        .iter()
        .filter(|p| p.section != "authority")
        .map(|p| (p, s.values.set.get(&p.path()).cloned().unwrap_or_else(|| Value::default_of(p))))
        .collect()
}
