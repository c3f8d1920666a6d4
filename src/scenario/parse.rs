//! Reads scenario TOML into checked [`Values`], collecting every problem with its place.
//!
//! The file is parsed into toml's spanned document tree and walked against the parameter
//! table, so an unknown key, a wrong type and an out-of-range value are all reported in
//! one pass, each with its line and column.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{Problem, line_col};
use super::params::{self, Param, SECTIONS, Shape};
use super::sweep::{SweepSpec, parse_sweep};
use super::uncertainty::{UncertaintySpec, parse_uncertainty};
use crate::format::exact;
use crate::vocab::Rule;

/// A checked value of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A whole number (a scalar parameter whose shape is `integer`), never a float: seeds,
    /// replications, counts and days stay exact end to end.
    Int(i64),
    Num(f64),
    Nums(Vec<f64>),
    Text(String),
    Texts(Vec<String>),
}

impl Value {
    /// The value as TOML source text.
    pub fn to_toml(&self) -> String {
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        match self {
            Value::Int(i) => i.to_string(),
            Value::Num(v) => exact(*v),
            Value::Nums(vs) => {
                format!("[{}]", vs.iter().map(|v| exact(*v)).collect::<Vec<_>>().join(", "))
            }
            Value::Text(s) => quote(s),
            Value::Texts(ss) => {
                format!("[{}]", ss.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
            }
        }
    }

    /// The default of a parameter as a value.
    pub fn default_of(p: &Param) -> Value {
        match p.default {
            params::Default::Num(v) if matches!(p.shape, Shape::Num { integer: true, .. }) => Value::Int(v as i64),
            params::Default::Num(v) => Value::Num(v),
            params::Default::Nums(vs) => Value::Nums(vs.to_vec()),
            params::Default::Text(s) => Value::Text(s.to_string()),
            params::Default::Texts(ss) => Value::Texts(ss.iter().map(|s| s.to_string()).collect()),
        }
    }

    /// The value as a number, if it is one (a whole number or not).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Num(v) => Some(*v),
            _ => None,
        }
    }
}

/// The values a file set, keyed by `section.key`, with where each was written.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub set: BTreeMap<String, Value>,
    pub authorities: Vec<BTreeMap<String, Value>>,
    /// Byte spans of keys written in the file (`section.key` or `authority[i].key`),
    /// for pointing at them in later consistency checks.
    pub spans: BTreeMap<String, Range<usize>>,
    /// The `[sweep]` section, if the file has one.
    pub sweep: Option<SweepSpec>,
    /// The `[uncertainty]` section, if the file has one.
    pub uncertainty: Option<UncertaintySpec>,
    /// The `[priors]` section: the scenario's own priors, by path.
    pub priors: BTreeMap<String, super::priors::Setting>,
}

/// Collects problems against one source text.
pub struct Collector<'t> {
    pub text: &'t str,
    pub problems: Vec<Problem>,
}

impl Collector<'_> {
    pub fn at(&mut self, span: Option<&Range<usize>>, field: &str, message: String) {
        let (line, col) = span.map_or((0, 0), |s| line_col(self.text, s.start));
        self.problems.push(Problem { line, col, field: field.to_string(), message });
    }
}

/// Keys of the previous release that the fair contest replaced, with what to write instead.
const FORMER_KEYS: &[(&str, &str)] = &[
    (
        "judgement.sd_novice",
        "write judgement.novice_sd_ratio, the novice's rating error over the expert's (sd_novice / sd_expert)",
    ),
    (
        "judgement.lone_decision_bias",
        "write judgement.lone_rating_shift (the same shift when deciding alone); judgement.shared_rating_shift is its counterpart for shared decisions",
    ),
    (
        "workforce.exposure_effect",
        "write workforce.lone_decision_leave_effect, which now follows any lone decision and may be negative (autonomy)",
    ),
    ("workforce.exposure_window_days", "write workforce.lone_decision_window_days"),
];

/// Parses `text` into values; problems go to `c`.
pub fn parse(c: &mut Collector<'_>) -> Values {
    let mut values = Values::default();
    let doc = match DeTable::parse(c.text) {
        Ok(doc) => doc,
        Err(e) => {
            let span = e.span();
            c.at(span.as_ref(), "toml", format!("not valid TOML: {}", e.message().trim_end()));
            return values;
        }
    };
    for (key, value) in doc.get_ref().iter() {
        let name: &str = key.get_ref();
        if name == "authority" {
            parse_authorities(c, value, &mut values);
        } else if name == "sweep" {
            values.sweep = parse_sweep(c, value);
        } else if name == "uncertainty" {
            values.uncertainty = parse_uncertainty(c, value);
        } else if name == "priors" {
            values.priors = super::priors::parse_priors(c, value);
        } else if SECTIONS.contains(&name) {
            let Some(table) = as_table(c, name, value) else { continue };
            for (k, v) in table.iter() {
                if let Some((path, val)) = parse_key(c, name, k, v, name) {
                    values.spans.insert(path.clone(), k.span());
                    values.set.insert(path, val);
                }
            }
        } else {
            let mut all: Vec<&str> = SECTIONS.to_vec();
            all.extend(["authority", "sweep", "uncertainty", "priors"]);
            c.at(Some(&key.span()), name, unknown("section", name, &all));
        }
    }
    values
}

fn parse_authorities(c: &mut Collector<'_>, value: &Spanned<DeValue<'_>>, values: &mut Values) {
    let tables: Vec<&DeTable<'_>> = match value.get_ref() {
        DeValue::Array(items) => {
            let mut out = Vec::new();
            for item in items.iter() {
                if let Some(t) = as_table(c, "authority", item) {
                    out.push(t);
                }
            }
            out
        }
        DeValue::Table(t) => vec![t],
        other => {
            c.at(Some(&value.span()), "authority", format!("is {}; expected [[authority]] tables", type_name(other)));
            return;
        }
    };
    for (i, table) in tables.into_iter().enumerate() {
        let mut one = BTreeMap::new();
        let prefix = format!("[{i}]");
        for (k, v) in table.iter() {
            let name: &str = k.get_ref();
            // `workforce.leave_rate_permanent = 0.2` inside [[authority]]: the authority's
            // own value of a scenario-wide key, checked as the key is anywhere.
            if let (true, DeValue::Table(inner)) = (OVERRIDABLE.contains(&name), v.get_ref()) {
                for (ik, iv) in inner.iter() {
                    let field_prefix = format!("authority{prefix}.{name}");
                    if let Some((path, val)) = parse_key(c, name, ik, iv, &field_prefix) {
                        values.spans.insert(format!("authority[{i}].{path}"), ik.span());
                        one.insert(path, val);
                    }
                }
                continue;
            }
            if let Some((path, val)) = parse_key(c, "authority", k, v, &format!("authority{prefix}")) {
                values.spans.insert(format!("authority[{i}].{name}"), k.span());
                one.insert(path, val);
            }
        }
        values.authorities.push(one);
    }
}

/// The sections whose keys an authority may set for itself, inside its [[authority]] table.
pub const OVERRIDABLE: &[&str] = &["demand", "casework", "judgement", "quality", "managers", "workforce", "costs"];

fn as_table<'a, 'i>(c: &mut Collector<'_>, field: &str, value: &'a Spanned<DeValue<'i>>) -> Option<&'a DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(t) => Some(t),
        other => {
            c.at(Some(&value.span()), field, format!("is {}; expected a table", type_name(other)));
            None
        }
    }
}

/// Checks one key against the table; returns its `section.key` and value when valid.
fn parse_key(
    c: &mut Collector<'_>,
    section: &str,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
    field_prefix: &str,
) -> Option<(String, Value)> {
    let name: &str = key.get_ref();
    let field = format!("{field_prefix}.{name}");
    let Some(param) = params::find(section, name) else {
        if let Some((_, why)) = FORMER_KEYS.iter().find(|(old, _)| *old == format!("{section}.{name}")) {
            c.at(Some(&key.span()), &field, format!("is no longer a key: {why}"));
            return None;
        }
        let known: Vec<&str> = params::keys_of(section).map(|p| p.key).collect();
        c.at(Some(&key.span()), &field, unknown("key", name, &known));
        return None;
    };
    match convert(param, value.get_ref()) {
        Ok(v) => Some((param.path(), v)),
        Err(message) => {
            c.at(Some(&value.span()), &field, message);
            None
        }
    }
}

fn convert(p: &Param, v: &DeValue<'_>) -> Result<Value, String> {
    let allowed = p.allowed();
    let unit = p.unit;
    let value = match (p.shape, v) {
        // A list item of the wrong type is named by its place, as the range check does.
        (Shape::Nums { .. }, DeValue::Array(items)) => {
            let mut xs = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let x = number(item.get_ref())
                    .ok_or_else(|| format!("value {} is {}; expected {allowed}", i + 1, type_name(item.get_ref())))?;
                xs.push(x);
            }
            Value::Nums(xs)
        }
        (Shape::Rules, DeValue::Array(items)) => {
            let mut rules = Vec::with_capacity(items.len());
            for item in items.iter() {
                let DeValue::String(s) = item.get_ref() else {
                    return Err(format!("holds {}; expected {allowed}", type_name(item.get_ref())));
                };
                rules.push(s.to_string());
            }
            Value::Texts(rules)
        }
        (_, DeValue::Integer(i)) => i64::from_str_radix(i.as_str(), i.radix())
            .map(Value::Int)
            .map_err(|_| format!("is too large; allowed {allowed} ({unit})"))?,
        (_, DeValue::Float(_)) => Value::Num(number(v).unwrap_or(f64::NAN)),
        (_, DeValue::String(s)) => Value::Text(s.to_string()),
        (Shape::Num { .. }, other) => {
            return Err(format!("is {}; expected a number, allowed {allowed} ({unit})", type_name(other)));
        }
        (Shape::Nums { .. }, other) => return Err(format!("is {}; expected {allowed} ({unit})", type_name(other))),
        (Shape::Text, other) => return Err(format!("is {}; expected text", type_name(other))),
        (Shape::Choice(_) | Shape::Rules, other) => return Err(format!("is {}; allowed {allowed}", type_name(other))),
    };
    check(p, value)
}

/// Checks a value against its parameter's shape, range and choices: the one check every
/// scenario value passes, whether it came from a file, a manifest, a sweep point, a fit
/// or the command line. A whole number comes back as [`Value::Int`] where the shape is an
/// integer, so counts, days and seeds never pass through a float.
pub fn check(p: &Param, v: Value) -> Result<Value, String> {
    let allowed = p.allowed();
    let unit = p.unit;
    match p.shape {
        Shape::Num { min, max, integer } => {
            let (x, shown) = match &v {
                Value::Int(i) => (*i as f64, i.to_string()),
                Value::Num(x) => (*x, exact(*x)),
                other => return Err(format!("is {}; expected a number, allowed {allowed} ({unit})", kind(other))),
            };
            check_num(x, min, max, integer).map_err(|why| format!("is {shown}{why}; allowed {allowed} ({unit})"))?;
            // Whole numbers are compared as whole numbers: 2^53 + 1 is not 2^53.
            if let Value::Int(i) = v
                && (i128::from(i) < min as i128 || i128::from(i) > max as i128)
            {
                return Err(format!("is {shown}; allowed {allowed} ({unit})"));
            }
            Ok(match v {
                Value::Num(x) if integer => Value::Int(x as i64),
                Value::Int(i) if !integer => Value::Num(i as f64),
                v => v,
            })
        }
        Shape::Nums { len, min, max, integer } => {
            let Value::Nums(xs) = v else {
                return Err(format!("is {}; expected {allowed} ({unit})", kind(&v)));
            };
            if xs.len() != len {
                return Err(format!("has {} values; expected {allowed} ({unit})", xs.len()));
            }
            for (i, &x) in xs.iter().enumerate() {
                check_num(x, min, max, integer)
                    .map_err(|why| format!("value {} is {}{why}; allowed {allowed} ({unit})", i + 1, exact(x)))?;
            }
            Ok(Value::Nums(xs))
        }
        Shape::Choice(words) => match v {
            Value::Text(s) if words.contains(&s.as_str()) => Ok(Value::Text(s)),
            Value::Text(s) => Err(format!("is \"{s}\"; allowed {allowed}")),
            other => Err(format!("is {}; allowed {allowed}", kind(&other))),
        },
        Shape::Text => match v {
            Value::Text(s) => Ok(Value::Text(s)),
            other => Err(format!("is {}; expected text", kind(&other))),
        },
        Shape::Rules => {
            let Value::Texts(rules) = v else {
                return Err(format!("is {}; expected {allowed}", kind(&v)));
            };
            if rules.is_empty() {
                return Err(format!("is empty; expected {allowed}"));
            }
            for r in &rules {
                Rule::parse(r)?;
            }
            Ok(Value::Texts(rules))
        }
    }
}

/// The kind of a value in words, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Int(_) => "an integer",
        Value::Num(_) => "a number",
        Value::Nums(_) => "a list of numbers",
        Value::Text(_) => "text",
        Value::Texts(_) => "a list of text",
    }
}

fn check_num(x: f64, min: f64, max: f64, integer: bool) -> Result<(), &'static str> {
    if !x.is_finite() || x < min || x > max {
        return Err("");
    }
    if integer && x.fract() != 0.0 {
        return Err(", not a whole number");
    }
    Ok(())
}

pub(crate) fn number(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|x| x as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

pub(crate) fn unknown(what: &str, name: &str, known: &[&str]) -> String {
    let best = known.iter().map(|k| (edit_distance(name, k), *k)).min();
    match best {
        Some((d, k)) if d <= 3 => format!("is not a known {what}; did you mean `{k}`?"),
        _ => format!("is not a known {what}; known: {}", known.join(", ")),
    }
}

/// The `n` names of `known` nearest to `name` by edit distance, ignoring case, nearest
/// first (ties in `known`'s order): for "did you mean" among many names.
pub(crate) fn nearest<'a>(name: &str, known: &[&'a str], n: usize) -> Vec<&'a str> {
    let name = name.to_lowercase();
    let mut by_distance: Vec<(usize, usize, &str)> =
        known.iter().enumerate().map(|(i, k)| (edit_distance(&name, &k.to_lowercase()), i, *k)).collect();
    by_distance.sort_unstable();
    by_distance.into_iter().take(n).map(|(_, _, k)| k).collect()
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("hours_per_dya", "hours_per_day"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn nearest_names_ignore_case_and_come_nearest_first() {
        let known = ["Barnet", "Barnsley", "Burnley", "Bury", "Sheffield"];
        assert_eq!(nearest("barnsly", &known, 3), ["Barnsley", "Barnet", "Burnley"]);
        assert_eq!(nearest("x", &known, 9).len(), 5);
    }
}
