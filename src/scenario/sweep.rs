//! The `[sweep]` section of a scenario file: which parameters a sweep varies and over
//! which values, as a full grid or a Latin hypercube, and the threshold of concern its
//! report maps.
//!
//! ```toml
//! [sweep]
//! design = "grid"                 # or "latin_hypercube" (then also points and seed)
//! concern = "late_days_per_high_risk_referral > 0.5"
//! heatmap = ["workforce.leave_rate_permanent", "workforce.newly_qualified_share"]
//!
//! [sweep.values]
//! "workforce.leave_rate_permanent" = [0.10, 0.15, 0.20]
//! "workforce.newly_qualified_share" = { from = 0.1, to = 0.7, steps = 4 }
//! ```

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::params::{self, Shape};
use super::parse::{Collector, number, type_name, unknown};
use crate::format::exact;
use crate::vocab::Metric;

/// Most points a sweep may have.
pub const MAX_POINTS: usize = 100_000;

/// How a sweep chooses its points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Layout {
    /// Every combination of the listed values, the first parameter changing slowest.
    Grid,
    /// `points` points, each parameter's range cut into `points` equal strata, one point in
    /// each stratum of each parameter, the pairing shuffled by a generator seeded `seed`.
    LatinHypercube { points: u32, seed: u64 },
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// `section.key`.
    pub path: String,
    /// The values of a grid (empty for a Latin hypercube).
    pub values: Vec<f64>,
    /// The range sampled by a Latin hypercube (the grid's smallest and largest value).
    pub from: f64,
    pub to: f64,
    /// The parameter only takes whole numbers.
    pub integer: bool,
}

/// "The difference in `metric` (first rule minus second) is above (or below) `threshold`".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concern {
    pub metric: Metric,
    pub above: bool,
    pub threshold: f64,
}

/// Short names accepted for metrics in a concern, beside every metric's own name.
const ALIASES: &[(&str, Metric)] = &[
    ("late_days_high", Metric::LateDaysPerHighRisk),
    ("started_late_high", Metric::HighRiskLate),
    ("under_rated_high", Metric::UnderRatedHigh),
    ("turnover", Metric::Turnover),
    ("within_limit", Metric::WithinLimit),
    ("within_45", Metric::WithinLimit),
];

impl Concern {
    /// Parses `METRIC > X` or `METRIC < X`.
    pub fn parse(text: &str) -> Result<Concern, String> {
        let (op, above) = if text.contains('>') {
            ('>', true)
        } else if text.contains('<') {
            ('<', false)
        } else {
            return Err(format!("\"{text}\" has no > or <; write e.g. \"late_days_per_high_risk_referral > 0.5\""));
        };
        let (name, x) = text.split_once(op).expect("has the operator");
        let name = name.trim();
        let metric = Metric::by_name(name).or_else(|| ALIASES.iter().find(|(a, _)| *a == name).map(|&(_, m)| m));
        let Some(metric) = metric else {
            let known: Vec<&str> =
                Metric::ALL.iter().map(|m| m.name()).chain(ALIASES.iter().map(|(a, _)| *a)).collect();
            return Err(format!("\"{name}\" {}", unknown("metric", name, &known).trim_start_matches("is ")));
        };
        let threshold: f64 =
            x.trim().parse().map_err(|_| format!("\"{}\" is not a number; write e.g. \"{name} > 0.5\"", x.trim()))?;
        if !threshold.is_finite() {
            return Err(format!("threshold {threshold} is not finite"));
        }
        Ok(Concern { metric, above, threshold })
    }

    /// Whether a difference is beyond the threshold.
    pub fn holds(&self, difference: f64) -> bool {
        if self.above { difference > self.threshold } else { difference < self.threshold }
    }

    /// As written in a scenario file.
    pub fn text(&self) -> String {
        format!("{} {} {}", self.metric.name(), if self.above { ">" } else { "<" }, exact(self.threshold))
    }
}

/// A checked `[sweep]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub design: Layout,
    pub axes: Vec<Axis>,
    pub concern: Option<Concern>,
    /// The two axes (by index) the heatmap puts across and up.
    pub heatmap: Option<[usize; 2]>,
}

impl SweepSpec {
    /// The section as TOML, values resolved (a grid's `from`/`to`/`steps` written out as the
    /// list it makes), so a manifest repeats exactly these points.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("[sweep]\n");
        match self.design {
            Layout::Grid => out.push_str("design = \"grid\"\n"),
            Layout::LatinHypercube { points, seed } => {
                out.push_str(&format!("design = \"latin_hypercube\"\npoints = {points}\nseed = {seed}\n"))
            }
        }
        if let Some(c) = &self.concern {
            out.push_str(&format!("concern = \"{}\"\n", c.text()));
        }
        if let Some([x, y]) = self.heatmap {
            out.push_str(&format!("heatmap = [\"{}\", \"{}\"]\n", self.axes[x].path, self.axes[y].path));
        }
        out.push_str("\n[sweep.values]\n");
        for a in &self.axes {
            let v = match self.design {
                Layout::Grid => format!("[{}]", a.values.iter().map(|v| exact(*v)).collect::<Vec<_>>().join(", ")),
                Layout::LatinHypercube { .. } => format!("{{ from = {}, to = {} }}", exact(a.from), exact(a.to)),
            };
            out.push_str(&format!("\"{}\" = {v}\n", a.path));
        }
        out
    }

    /// How many points the design has.
    pub fn n_points(&self) -> usize {
        match self.design {
            // Saturates rather than overflows, so a huge grid is refused, not wrapped.
            Layout::Grid => {
                self.axes.iter().try_fold(1usize, |a, x| a.checked_mul(x.values.len())).unwrap_or(usize::MAX)
            }
            Layout::LatinHypercube { points, .. } => points as usize,
        }
    }
}

type Item<'a, 'i> = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>);

/// Checks a `[sweep]` table; every problem goes to `c`.
pub fn parse_sweep(c: &mut Collector<'_>, value: &Spanned<DeValue<'_>>) -> Option<SweepSpec> {
    let DeValue::Table(table) = value.get_ref() else {
        c.at(Some(&value.span()), "sweep", format!("is {}; expected a table", type_name(value.get_ref())));
        return None;
    };
    let before = c.problems.len();
    let mut design_word = None;
    let mut points_given = false;
    let (mut points, mut seed, mut concern, mut heatmap, mut values) = (None, None, None, None, None);
    for (k, v) in table.iter() {
        let field = format!("sweep.{}", k.get_ref());
        match k.get_ref().as_ref() {
            "design" => match v.get_ref() {
                DeValue::String(s) if s == "grid" || s == "latin_hypercube" => design_word = Some(s.to_string()),
                other => c.at(
                    Some(&v.span()),
                    &field,
                    format!("is {}; allowed \"grid\" or \"latin_hypercube\"", shown(other)),
                ),
            },
            "points" => {
                points_given = true;
                points = whole(c, &field, v, 2.0, MAX_POINTS as f64).map(|x| (x as u32, k.span()))
            }
            "seed" => seed = whole(c, &field, v, 0.0, 2f64.powi(53)).map(|x| (x as u64, k.span())),
            "concern" => match v.get_ref() {
                DeValue::String(s) => match Concern::parse(s) {
                    Ok(x) => concern = Some(x),
                    Err(e) => c.at(Some(&v.span()), &field, e),
                },
                other => c.at(
                    Some(&v.span()),
                    &field,
                    format!("is {}; expected text like \"metric > 0.5\"", type_name(other)),
                ),
            },
            "heatmap" => heatmap = Some(v),
            "values" => values = Some(v),
            name => c.at(
                Some(&k.span()),
                &field,
                unknown("key", name, &["design", "points", "seed", "concern", "heatmap", "values"]),
            ),
        }
    }
    let lhs = design_word.as_deref() == Some("latin_hypercube");
    let design = if lhs {
        match points {
            Some((p, _)) => Layout::LatinHypercube { points: p, seed: seed.as_ref().map_or(1, |s| s.0) },
            None => {
                if !points_given {
                    c.at(Some(&value.span()), "sweep.points", "a latin_hypercube needs points (2 to 100000)".into());
                }
                Layout::Grid
            }
        }
    } else {
        if let Some((_, span)) = &points {
            c.at(
                Some(span),
                "sweep.points",
                "goes with design = \"latin_hypercube\"; a grid has every combination".into(),
            );
        }
        if let Some((_, span)) = &seed {
            c.at(Some(span), "sweep.seed", "goes with design = \"latin_hypercube\"; a grid draws nothing".into());
        }
        Layout::Grid
    };
    let Some(values) = values else {
        c.at(Some(&value.span()), "sweep.values", "is missing: a [sweep.values] table names what to vary".into());
        return None;
    };
    let DeValue::Table(vt) = values.get_ref() else {
        c.at(Some(&values.span()), "sweep.values", format!("is {}; expected a table", type_name(values.get_ref())));
        return None;
    };
    // `"workforce.x" = ...` and the dotted `workforce.x = ...` (a nested table) both work.
    let mut items: Vec<(String, Item<'_, '_>)> = Vec::new();
    for (k, v) in vt.iter() {
        let name: &str = k.get_ref();
        match v.get_ref() {
            DeValue::Table(inner) if !name.contains('.') && !is_range(inner) => {
                for (k2, v2) in inner.iter() {
                    items.push((format!("{name}.{}", k2.get_ref()), (k2, v2)));
                }
            }
            _ => items.push((name.to_string(), (k, v))),
        }
    }
    // In the order written: a grid's first parameter changes slowest.
    items.sort_by_key(|(_, (k, _))| k.span().start);
    if items.is_empty() {
        c.at(Some(&values.span()), "sweep.values", "names no parameter to vary".into());
    }
    let mut axes = Vec::new();
    for (path, (k, v)) in items {
        if let Some(axis) = parse_axis(c, &path, k, v, lhs) {
            if axes.iter().any(|a: &Axis| a.path == axis.path) {
                c.at(Some(&k.span()), &format!("sweep.values.{path}"), "is named twice".into());
            }
            axes.push(axis);
        }
    }
    let heat = heatmap.and_then(|v| {
        let names: Option<Vec<String>> = match v.get_ref() {
            DeValue::Array(xs) if xs.len() == 2 => xs
                .iter()
                .map(|x| match x.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        let Some(names) = names else {
            c.at(Some(&v.span()), "sweep.heatmap", "expected two swept parameters, e.g. [\"a.x\", \"b.y\"]".into());
            return None;
        };
        let find = |n: &str| axes.iter().position(|a| a.path == n);
        match (find(&names[0]), find(&names[1])) {
            (Some(x), Some(y)) if x != y => Some([x, y]),
            _ => {
                c.at(Some(&v.span()), "sweep.heatmap", "must name two different parameters of [sweep.values]".into());
                None
            }
        }
    });
    let heatmap = if lhs {
        if let (Some(v), Some(_)) = (heatmap, heat) {
            let why = "goes with a grid; a latin_hypercube's points are drawn against each parameter";
            c.at(Some(&v.span()), "sweep.heatmap", why.into());
        }
        None
    } else {
        heat.or(if axes.len() >= 2 { Some([0, 1]) } else { None })
    };
    let spec = SweepSpec { design, axes, concern, heatmap };
    if spec.n_points() > MAX_POINTS {
        c.at(Some(&values.span()), "sweep.values", format!("make {} points; at most {MAX_POINTS}", spec.n_points()));
    }
    if c.problems.len() > before { None } else { Some(spec) }
}

fn is_range(t: &DeTable<'_>) -> bool {
    t.iter().any(|(k, _)| matches!(k.get_ref().as_ref(), "from" | "to" | "steps"))
}

fn shown(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("\"{s}\""),
        DeValue::Integer(_) | DeValue::Float(_) => number(v).map_or_else(|| type_name(v).to_string(), exact),
        other => type_name(other).to_string(),
    }
}

fn whole(c: &mut Collector<'_>, field: &str, v: &Spanned<DeValue<'_>>, min: f64, max: f64) -> Option<f64> {
    match number(v.get_ref()) {
        Some(x) if x.fract() == 0.0 && (min..=max).contains(&x) => Some(x),
        _ => {
            c.at(
                Some(&v.span()),
                field,
                format!("is {}; allowed a whole number {} to {}", shown(v.get_ref()), exact(min), exact(max)),
            );
            None
        }
    }
}

/// Rounds away the binary noise of `from + i * step` (0.15000000000000002 becomes 0.15).
fn tidy(x: f64) -> f64 {
    let scale = 1e10;
    (x * scale).round() / scale
}

fn parse_axis(
    c: &mut Collector<'_>,
    path: &str,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    v: &Spanned<DeValue<'_>>,
    lhs: bool,
) -> Option<Axis> {
    let field = format!("sweep.values.{path}");
    let param = path.split_once('.').and_then(|(s, k)| params::find(s, k));
    let Some(param) = param else {
        let all: Vec<String> =
            params::PARAMS.iter().filter(|p| matches!(p.shape, Shape::Num { .. })).map(|p| p.path()).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        c.at(Some(&key.span()), &field, unknown("parameter", path, &all));
        return None;
    };
    let Shape::Num { min, max, integer } = param.shape else {
        c.at(Some(&key.span()), &field, "only single-number parameters can be swept".into());
        return None;
    };
    if param.section == "run" {
        c.at(Some(&key.span()), &field, "run settings are not swept; sweep model parameters".into());
        return None;
    }
    let allowed = param.allowed();
    let check = |c: &mut Collector<'_>, x: f64, span| {
        if !x.is_finite() || x < min || x > max || (integer && x.fract() != 0.0) {
            c.at(Some(&span), &field, format!("value {} is outside the allowed {allowed} ({})", exact(x), param.unit));
            false
        } else {
            true
        }
    };
    match v.get_ref() {
        DeValue::Array(items) if !lhs => {
            if items.is_empty() {
                c.at(Some(&v.span()), &field, "is an empty list".into());
                return None;
            }
            let mut values = Vec::new();
            let mut ok = true;
            for item in items.iter() {
                match number(item.get_ref()) {
                    Some(x) => ok &= check(c, x, item.span()),
                    None => {
                        c.at(
                            Some(&item.span()),
                            &field,
                            format!("holds {}; expected numbers", type_name(item.get_ref())),
                        );
                        ok = false;
                    }
                }
                values.push(number(item.get_ref()).unwrap_or(f64::NAN));
            }
            if values.windows(2).any(|w| w[1] <= w[0]) && ok {
                c.at(Some(&v.span()), &field, "values must increase".into());
                ok = false;
            }
            let (from, to) = (values[0], values[values.len() - 1]);
            ok.then_some(Axis { path: path.to_string(), values, from, to, integer })
        }
        DeValue::Table(t) => {
            let (mut from, mut to, mut steps) = (None, None, None);
            let named = |k: &str| t.iter().any(|(key, _)| key.get_ref() == k);
            let (has_from, has_to) = (named("from"), named("to"));
            for (k, x) in t.iter() {
                match (k.get_ref().as_ref(), number(x.get_ref())) {
                    ("from", Some(n)) => from = check(c, n, x.span()).then_some(n),
                    ("to", Some(n)) => to = check(c, n, x.span()).then_some(n),
                    ("steps", Some(n)) if !lhs && n.fract() == 0.0 && (2.0..=1000.0).contains(&n) => {
                        steps = Some(n as usize)
                    }
                    ("steps", _) if lhs => c.at(
                        Some(&k.span()),
                        &field,
                        "a latin_hypercube samples the range; steps go with a grid".into(),
                    ),
                    ("steps", _) => c.at(Some(&x.span()), &field, "steps must be a whole number 2 to 1000".into()),
                    ("from" | "to", None) => c.at(
                        Some(&x.span()),
                        &field,
                        format!("{} is {}; expected a number", k.get_ref(), type_name(x.get_ref())),
                    ),
                    (other, _) => c.at(Some(&k.span()), &field, unknown("key", other, &["from", "to", "steps"])),
                }
            }
            let (Some(from), Some(to)) = (from, to) else {
                if !has_from || !has_to {
                    c.at(Some(&v.span()), &field, "needs both from and to".into());
                }
                return None;
            };
            if to <= from {
                c.at(Some(&v.span()), &field, format!("from ({}) must be below to ({})", exact(from), exact(to)));
                return None;
            }
            if lhs {
                return Some(Axis { path: path.to_string(), values: Vec::new(), from, to, integer });
            }
            let Some(steps) = steps else {
                c.at(Some(&v.span()), &field, "a grid range needs steps (how many values from `from` to `to`)".into());
                return None;
            };
            let values: Vec<f64> =
                (0..steps).map(|i| tidy(from + (to - from) * i as f64 / (steps - 1) as f64)).collect();
            if integer && values.iter().any(|x| x.fract() != 0.0) {
                c.at(
                    Some(&v.span()),
                    &field,
                    "takes whole numbers; choose steps so each step is whole, or list the values".into(),
                );
                return None;
            }
            Some(Axis { path: path.to_string(), values, from, to, integer })
        }
        DeValue::Array(_) => {
            c.at(Some(&v.span()), &field, "a latin_hypercube samples a range: write { from = .., to = .. }".into());
            None
        }
        other => {
            c.at(
                Some(&v.span()),
                &field,
                format!("is {}; expected a list of values or {{ from, to, steps }}", type_name(other)),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concern_parses_names_aliases_and_direction() {
        let c = Concern::parse("late_days_high > 1").unwrap();
        assert_eq!((c.metric, c.above, c.threshold), (Metric::LateDaysPerHighRisk, true, 1.0));
        let c = Concern::parse(" within_limit_pct < -2.5 ").unwrap();
        assert_eq!((c.metric, c.above, c.threshold), (Metric::WithinLimit, false, -2.5));
        assert!(c.holds(-3.0) && !c.holds(-2.5));
        assert_eq!(c.text(), "within_limit_pct < -2.5");
        assert!(Concern::parse("late_days_hihg > 1").unwrap_err().contains("did you mean"));
        assert!(Concern::parse("turnover = 1").is_err());
        assert!(Concern::parse("turnover > lots").is_err());
    }
}
