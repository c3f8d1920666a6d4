//! The `[priors]` section: a scenario's own priors for its assumptions, replacing or
//! narrowing the parameter table's. Each entry names an assumption by its path and gives
//! a distribution, checked like any value (located errors, allowed ranges):
//!
//! ```toml
//! [priors]
//! "workforce.lone_decision_leave_effect" = { dist = "point" }   # held at the scenario's value
//! "judgement.lone_rating_shift" = { dist = "triangular", low = -0.03, mode = 0.03, high = 0.06 }
//! "judgement.manager_weight" = { dist = "uniform", low = 0.6, high = 0.9 }
//! ```
//!
//! A point prior holds the parameter at the scenario's own value: the uncertainty analysis
//! does not draw it, and its report says so.

use std::collections::BTreeMap;

use toml::Spanned;
use toml::de::DeValue;

use super::params::{self, Dist, On, Param, Prior, Shape};
use super::parse::{Collector, number, type_name, unknown};
use crate::format::exact;

/// A scenario's own prior for one assumption.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Setting {
    /// Held at the scenario's value: not drawn.
    Held,
    /// Drawn from this distribution (on what the table's prior is on: the value, or a
    /// factor on a list).
    Drawn(Dist),
}

impl Setting {
    /// The setting as the manifest writes it.
    pub fn to_toml(&self) -> String {
        match *self {
            Setting::Held => "{ dist = \"point\" }".to_string(),
            Setting::Drawn(Dist::Uniform { low, high }) => {
                format!("{{ dist = \"uniform\", low = {}, high = {} }}", exact(low), exact(high))
            }
            Setting::Drawn(Dist::Triangular { low, mode, high }) => format!(
                "{{ dist = \"triangular\", low = {}, mode = {}, high = {} }}",
                exact(low),
                exact(mode),
                exact(high)
            ),
        }
    }
}

/// The prior in force for `p` given a scenario's settings: `None` when it has none or is
/// held; the scenario's distribution (source "scenario file") where it sets one.
pub fn in_force(p: &Param, settings: &BTreeMap<String, Setting>) -> Option<Prior> {
    let table = p.prior?;
    match settings.get(&p.path()) {
        None => Some(table),
        Some(Setting::Held) => None,
        Some(&Setting::Drawn(dist)) => Some(Prior { dist, on: table.on, source: "the scenario file's [priors]" }),
    }
}

const DISTS: &[&str] = &["point", "uniform", "triangular"];

/// Checks a `[priors]` table; every problem goes to `c`.
pub fn parse_priors(c: &mut Collector<'_>, value: &Spanned<DeValue<'_>>) -> BTreeMap<String, Setting> {
    let mut out = BTreeMap::new();
    let DeValue::Table(table) = value.get_ref() else {
        c.at(Some(&value.span()), "priors", format!("is {}; expected a table", type_name(value.get_ref())));
        return out;
    };
    // Entries may be written `"section.key" = {...}` or, unquoted, as a dotted key that
    // TOML reads as a table of tables.
    let mut entries = Vec::new();
    for (k, v) in table.iter() {
        let name: &str = k.get_ref();
        match v.get_ref() {
            DeValue::Table(inner) if !name.contains('.') && !inner.iter().any(|(ik, _)| ik.get_ref() == "dist") => {
                for (ik, iv) in inner.iter() {
                    entries.push((format!("{name}.{}", ik.get_ref()), ik.span(), iv));
                }
            }
            _ => entries.push((name.to_string(), k.span(), v)),
        }
    }
    for (path, span, v) in entries {
        let field = format!("priors.{path}");
        let Some(p) = params::find_path(&path) else {
            let known: Vec<String> = params::PARAMS.iter().filter(|p| p.prior.is_some()).map(|p| p.path()).collect();
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            c.at(Some(&span), &field, format!("\"{path}\" {}", unknown("assumption", &path, &known)));
            continue;
        };
        let Some(table_prior) = p.prior else {
            c.at(Some(&span), &field, format!("{path} is not an assumption: it has a source, not a prior"));
            continue;
        };
        if let Some(setting) = parse_setting(c, &field, p, table_prior, v) {
            out.insert(path, setting);
        }
    }
    out
}

fn parse_setting(
    c: &mut Collector<'_>,
    field: &str,
    p: &Param,
    table_prior: Prior,
    v: &Spanned<DeValue<'_>>,
) -> Option<Setting> {
    let DeValue::Table(t) = v.get_ref() else {
        c.at(
            Some(&v.span()),
            field,
            format!(
                "is {}; expected a table such as {{ dist = \"triangular\", low = 0, mode = 0.1, high = 0.3 }} or {{ dist = \"point\" }}",
                type_name(v.get_ref())
            ),
        );
        return None;
    };
    let mut dist = None;
    let mut nums: BTreeMap<String, (f64, std::ops::Range<usize>)> = BTreeMap::new();
    for (k, x) in t.iter() {
        match k.get_ref().as_ref() {
            "dist" => match x.get_ref() {
                DeValue::String(s) if DISTS.contains(&s.as_ref()) => dist = Some(s.to_string()),
                DeValue::String(s) => {
                    c.at(Some(&x.span()), field, format!("dist {}", unknown("distribution", s, DISTS)))
                }
                other => c.at(
                    Some(&x.span()),
                    field,
                    format!("dist is {}; expected one of {}", type_name(other), DISTS.join(", ")),
                ),
            },
            name @ ("low" | "mode" | "high") => match number(x.get_ref()) {
                Some(n) => {
                    nums.insert(name.to_string(), (n, x.span()));
                }
                None => {
                    c.at(Some(&x.span()), field, format!("{name} is {}; expected a number", type_name(x.get_ref())))
                }
            },
            name => c.at(Some(&k.span()), field, unknown("key", name, &["dist", "low", "mode", "high"])),
        }
    }
    let Some(dist) = dist else {
        c.at(Some(&v.span()), field, format!("names no dist; one of {}", DISTS.join(", ")));
        return None;
    };
    let wanted: &[&str] = match dist.as_str() {
        "point" => &[],
        "uniform" => &["low", "high"],
        _ => &["low", "mode", "high"],
    };
    for name in nums.keys().filter(|n| !wanted.contains(&n.as_str())) {
        c.at(Some(&nums[name].1), field, format!("a {dist} prior takes no {name}"));
    }
    let mut get = |name: &str| match nums.get(name) {
        Some((n, _)) => Some(*n),
        None => {
            c.at(Some(&v.span()), field, format!("a {dist} prior needs {}", wanted.join(", ")));
            None
        }
    };
    let setting = match dist.as_str() {
        "point" => Setting::Held,
        "uniform" => Setting::Drawn(Dist::Uniform { low: get("low")?, high: get("high")? }),
        _ => Setting::Drawn(Dist::Triangular { low: get("low")?, mode: get("mode")?, high: get("high")? }),
    };
    if let Setting::Drawn(d) = setting {
        let (low, high) = (d.low(), d.high());
        if !(low <= d.centre() && d.centre() <= high) || low > high {
            c.at(Some(&v.span()), field, format!("needs low <= mode <= high; is {}", setting.to_toml()));
            return None;
        }
        // A prior on the value stays inside the parameter's allowed range; a factor on a
        // list is at least 0.
        let (min, max) = match (table_prior.on, p.shape) {
            (On::Value, Shape::Num { min, max, .. }) => (min, max),
            _ => (0.0, f64::INFINITY),
        };
        if low < min || high > max {
            let what = if table_prior.on == On::Value { p.allowed() } else { "a factor of at least 0".to_string() };
            c.at(
                Some(&v.span()),
                field,
                format!("runs from {} to {}; allowed {what} ({})", exact(low), exact(high), p.unit),
            );
            return None;
        }
    }
    Some(setting)
}
