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
use super::params::{self, Param, SECTIONS, Shape, fmt_num};
use super::sweep::{SweepSpec, parse_sweep};
use crate::model::Rule;

/// A checked value of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
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
            Value::Num(v) => fmt_num(*v),
            Value::Nums(vs) => {
                format!("[{}]", vs.iter().map(|v| fmt_num(*v)).collect::<Vec<_>>().join(", "))
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
            params::Default::Num(v) => Value::Num(v),
            params::Default::Nums(vs) => Value::Nums(vs.to_vec()),
            params::Default::Text(s) => Value::Text(s.to_string()),
            params::Default::Texts(ss) => Value::Texts(ss.iter().map(|s| s.to_string()).collect()),
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
        } else if SECTIONS.contains(&name) {
            let Some(table) = as_table(c, name, value) else { continue };
            for (k, v) in table.iter() {
                if let Some((path, val)) = parse_key(c, name, k, v, "") {
                    values.spans.insert(path.clone(), k.span());
                    values.set.insert(path, val);
                }
            }
        } else {
            let mut all: Vec<&str> = SECTIONS.to_vec();
            all.extend(["authority", "sweep"]);
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
        for (k, v) in table.iter() {
            let prefix = format!("[{i}]");
            if let Some((path, val)) = parse_key(c, "authority", k, v, &prefix) {
                values.spans.insert(format!("authority[{i}].{}", k.get_ref()), k.span());
                one.insert(path, val);
            }
        }
        values.authorities.push(one);
    }
}

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
    index: &str,
) -> Option<(String, Value)> {
    let name: &str = key.get_ref();
    let field = format!("{section}{index}.{name}");
    let Some(param) = params::find(section, name) else {
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
    match p.shape {
        Shape::Num { min, max, integer } => {
            let x = number(v)
                .ok_or_else(|| format!("is {}; expected a number, allowed {allowed} ({unit})", type_name(v)))?;
            check_num(x, min, max, integer)
                .map_err(|why| format!("is {}{why}; allowed {allowed} ({unit})", fmt_num(x)))?;
            Ok(Value::Num(x))
        }
        Shape::Nums { len, min, max, integer } => {
            let DeValue::Array(items) = v else {
                return Err(format!("is {}; expected {allowed} ({unit})", type_name(v)));
            };
            if items.len() != len {
                return Err(format!("has {} values; expected {allowed} ({unit})", items.len()));
            }
            let mut out = Vec::with_capacity(len);
            for (i, item) in items.iter().enumerate() {
                let x = number(item.get_ref())
                    .ok_or_else(|| format!("value {} is {}; expected {allowed}", i + 1, type_name(item.get_ref())))?;
                check_num(x, min, max, integer)
                    .map_err(|why| format!("value {} is {}{why}; allowed {allowed} ({unit})", i + 1, fmt_num(x)))?;
                out.push(x);
            }
            Ok(Value::Nums(out))
        }
        Shape::Choice(words) => match v {
            DeValue::String(s) if words.contains(&s.as_ref()) => Ok(Value::Text(s.to_string())),
            DeValue::String(s) => Err(format!("is \"{s}\"; allowed {allowed}")),
            other => Err(format!("is {}; allowed {allowed}", type_name(other))),
        },
        Shape::Text => match v {
            DeValue::String(s) => Ok(Value::Text(s.to_string())),
            other => Err(format!("is {}; expected text", type_name(other))),
        },
        Shape::Rules => {
            let DeValue::Array(items) = v else {
                return Err(format!("is {}; expected {allowed}", type_name(v)));
            };
            if items.is_empty() {
                return Err(format!("is empty; expected {allowed}"));
            }
            let mut out = Vec::new();
            for item in items.iter() {
                let DeValue::String(s) = item.get_ref() else {
                    return Err(format!("holds {}; expected {allowed}", type_name(item.get_ref())));
                };
                Rule::parse(s)?;
                out.push(s.to_string());
            }
            Ok(Value::Texts(out))
        }
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
}
