//! Calibration: compare a scenario's simulated indicators with published targets, and fit
//! free parameters to them by a derivative-free search on common random numbers.

use crate::format::significant;
use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::experiment::{self, Plan};
use crate::format::exact;
use crate::model::{Metric, Rule};
use crate::scenario::params::{self, Shape};
use crate::scenario::{Collector, Scenario, ScenarioError, Value, number, type_name, unknown};
use crate::stats::Summary;

/// One published figure to reproduce.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub metric: Metric,
    pub value: f64,
    /// Half-width of the band the simulated mean must fall in.
    pub tolerance: f64,
    /// Weight in the fitting distance.
    pub weight: f64,
    pub source: String,
}

/// A targets file: the rule in force when the figures were published, and the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    pub name: String,
    pub rule: Rule,
    pub targets: Vec<Target>,
}

impl Targets {
    /// Reads a targets file. As for a scenario file, every problem is reported at once,
    /// each with its line and column, the field, the value and what is allowed; the error
    /// is a [`ScenarioError::Invalid`], so the command exits with 1.
    pub fn load(path: &Path) -> Result<Targets> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read targets {}", path.display()))?;
        let mut c = Collector { text: &text, problems: Vec::new() };
        let targets = parse_targets(&mut c);
        c.problems.sort_by_key(|p| (p.line, p.col));
        match targets {
            Some(targets) if c.problems.is_empty() => Ok(targets),
            _ => Err(ScenarioError::Invalid { path: path.to_path_buf(), problems: c.problems }.into()),
        }
    }
}

/// The keys of a targets file and of one `[[target]]`.
const FILE_KEYS: [&str; 3] = ["name", "rule", "target"];
const TARGET_KEYS: [&str; 5] = ["metric", "value", "tolerance", "weight", "source"];

/// Walks a targets file, collecting every problem; `None` when it cannot make targets.
fn parse_targets(c: &mut Collector<'_>) -> Option<Targets> {
    let doc = match DeTable::parse(c.text) {
        Ok(doc) => doc,
        Err(e) => {
            c.at(e.span().as_ref(), "toml", format!("not valid TOML: {}", e.message().trim_end()));
            return None;
        }
    };
    let (mut name, mut rule, mut targets, mut listed) = ("targets".to_string(), None, Vec::new(), false);
    for (key, value) in doc.get_ref().iter() {
        let span = value.span();
        match &**key.get_ref() {
            "name" => match value.get_ref() {
                DeValue::String(s) => name = s.to_string(),
                other => c.at(Some(&span), "name", format!("is {}; expected text", type_name(other))),
            },
            "rule" => match value.get_ref() {
                DeValue::String(s) => match Rule::parse(s) {
                    Ok(r) => rule = Some(r),
                    Err(why) => c.at(Some(&span), "rule", why),
                },
                other => c.at(
                    Some(&span),
                    "rule",
                    format!("is {}; expected text, e.g. \"manager_shared\"", type_name(other)),
                ),
            },
            "target" => {
                listed = true;
                match value.get_ref() {
                    DeValue::Array(items) if items.is_empty() => {
                        c.at(Some(&span), "target", "is empty; expected at least one [[target]] table".into())
                    }
                    DeValue::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            targets.extend(parse_target(c, i, item));
                        }
                    }
                    other => {
                        c.at(Some(&span), "target", format!("is {}; expected [[target]] tables", type_name(other)))
                    }
                }
            }
            other => c.at(Some(&key.span()), other, unknown("key", other, &FILE_KEYS)),
        }
    }
    if rule.is_none() && !c.problems.iter().any(|p| p.field == "rule") {
        c.at(None, "rule", "is missing; expected the rule in force, e.g. rule = \"manager_shared\"".into());
    }
    if !listed {
        c.at(None, "target", "is missing; expected at least one [[target]] table".into());
    }
    Some(Targets { name, rule: rule?, targets })
}

/// One `[[target]]`, the `i`th (from 0).
fn parse_target(c: &mut Collector<'_>, i: usize, item: &Spanned<DeValue<'_>>) -> Option<Target> {
    let at = format!("target[{i}]");
    let DeValue::Table(t) = item.get_ref() else {
        c.at(Some(&item.span()), &at, format!("is {}; expected a [[target]] table", type_name(item.get_ref())));
        return None;
    };
    let (mut metric, mut value, mut tolerance, mut weight, mut source) = (None, None, None, Some(1.0), String::new());
    let mut ok = true;
    for (key, v) in t.iter() {
        let span = v.span();
        let field = format!("{at}.{}", key.get_ref());
        let mut bad = |c: &mut Collector<'_>, message: String| {
            ok = false;
            c.at(Some(&span), &field, message);
        };
        // A number in `allowed`, by `check`.
        let num = |check: fn(f64) -> bool, allowed: &str| match number(v.get_ref()) {
            Some(x) if check(x) => Ok(x),
            Some(x) => Err(format!("is {}; allowed {allowed}", exact(x))),
            None => Err(format!("is {}; expected a number, allowed {allowed}", type_name(v.get_ref()))),
        };
        match &**key.get_ref() {
            "metric" => match v.get_ref() {
                DeValue::String(s) => match Metric::by_name(s) {
                    Some(m) => metric = Some(m),
                    None => {
                        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                        bad(c, format!("\"{s}\" {}", unknown("metric", s, &names)));
                    }
                },
                other => {
                    bad(c, format!("is {}; expected the name of a metric, e.g. \"turnover_pct\"", type_name(other)))
                }
            },
            "value" => match num(f64::is_finite, "any number (in the metric's unit)") {
                Ok(x) => value = Some(x),
                Err(why) => bad(c, why),
            },
            "tolerance" => match num(|x| x > 0.0 && x.is_finite(), "above 0 (in the metric's unit)") {
                Ok(x) => tolerance = Some(x),
                Err(why) => bad(c, why),
            },
            "weight" => match num(|x| x >= 0.0 && x.is_finite(), "0 or more") {
                Ok(x) => weight = Some(x),
                Err(why) => bad(c, why),
            },
            "source" => match v.get_ref() {
                DeValue::String(s) => source = s.to_string(),
                other => bad(c, format!("is {}; expected text", type_name(other))),
            },
            other => {
                ok = false;
                c.at(Some(&key.span()), &field, unknown("key", other, &TARGET_KEYS));
            }
        }
    }
    for (present, key, expected) in [
        (metric.is_some(), "metric", "the name of a metric"),
        (value.is_some(), "value", "the published figure"),
        (tolerance.is_some(), "tolerance", "a number above 0"),
    ] {
        if !present && !c.problems.iter().any(|p| p.field == format!("{at}.{key}")) {
            c.at(Some(&item.span()), &format!("{at}.{key}"), format!("is missing; expected {expected}"));
        }
    }
    if !ok {
        return None;
    }
    Some(Target { metric: metric?, value: value?, tolerance: tolerance?, weight: weight?, source })
}

/// Simulated against published, target by target.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub target: Target,
    pub simulated: Summary,
}

impl Comparison {
    pub fn passes(&self) -> bool {
        (self.simulated.mean - self.target.value).abs() <= self.target.tolerance
    }
}

/// How each comparison is run: the same seeds every time (common random numbers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Runs {
    pub replications: u32,
    pub seed: u64,
    pub threads: usize,
}

/// Runs the scenario under the targets' rule and compares.
pub fn compare(s: &Scenario, targets: &Targets, runs: Runs) -> Vec<Comparison> {
    let plan = Plan { rules: vec![targets.rule], replications: runs.replications, seed: runs.seed };
    let r = experiment::run(s, &plan, runs.threads, &|_| {});
    targets.targets.iter().map(|t| Comparison { target: t.clone(), simulated: r.summary(0, t.metric) }).collect()
}

/// The weighted squared distance the fit minimises: each miss in units of its tolerance.
pub fn distance(cs: &[Comparison]) -> f64 {
    cs.iter()
        .map(|c| {
            let z = (c.simulated.mean - c.target.value) / c.target.tolerance;
            c.target.weight * if z.is_finite() { z * z } else { 1e6 }
        })
        .sum()
}

/// The comparison as a table for a person.
pub fn render(name: &str, targets: &Targets, cs: &[Comparison]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "calibration of {name} against {} (rule {}):", targets.name, targets.rule);
    let _ = writeln!(
        out,
        "{:<36} {:>22} {:>10} {:>10}  {:<5}",
        "indicator", "simulated [95% CI]", "published", "tolerance", ""
    );
    for c in cs {
        let s = &c.simulated;
        let sim =
            if s.lo.is_finite() { crate::format::interval(s.mean, s.lo, s.hi) } else { crate::format::num(s.mean) };
        let _ = writeln!(
            out,
            "{:<36} {:>22} {:>10} {:>10}  {:<5}",
            c.target.metric.name(),
            sim,
            crate::format::num(c.target.value),
            format!("±{}", c.target.tolerance),
            if c.passes() { "pass" } else { "FAIL" },
        );
    }
    let passed = cs.iter().filter(|c| c.passes()).count();
    let _ = writeln!(out, "{passed} of {} within tolerance; weighted distance {:.3}", cs.len(), distance(cs));
    let _ = writeln!(out, "(each published figure's source is beside it in the targets file)");
    out
}

/// The numeric parameters a fit may move, with the range it may move them in: the
/// allowed range, or (`within_prior`) for an assumption its prior's range, so a fitted
/// national value never contradicts the evidence the prior states. A prior describes the
/// national value; one authority may sit outside it, so authority fits use the allowed range.
fn free_parameter(path: &str, within_prior: bool) -> Result<(f64, f64)> {
    let p = params::find_path(path).with_context(|| format!("--fit: `{path}` is not a parameter"))?;
    match p.shape {
        Shape::Num { min, max, integer: false } if p.section != "run" && p.section != "authority" => {
            Ok(match p.prior {
                Some(prior) if within_prior && prior.on == params::On::Value => {
                    (prior.dist.low().max(min), prior.dist.high().min(max))
                }
                _ => (min, max),
            })
        }
        _ => bail!(
            "--fit: `{path}` cannot be fitted ({}); fit continuous parameters outside [run] and [[authority]], like workforce.leave_rate_permanent",
            p.allowed()
        ),
    }
}

fn current(s: &Scenario, path: &str) -> f64 {
    crate::scenario::describe(s)
        .into_iter()
        .find(|(p, _)| p.path() == path)
        .and_then(|(_, v)| v.as_f64())
        .unwrap_or(f64::NAN)
}

/// The outcome of a fit.
#[derive(Debug, Clone)]
pub struct Fit {
    pub scenario: Scenario,
    pub values: Vec<(String, f64)>,
    pub comparisons: Vec<Comparison>,
    pub evaluations: usize,
}

/// Fits `free` parameters by Nelder–Mead within their allowed ranges, every evaluation on
/// the same seeds (common random numbers), so the distance is a smooth-enough function of
/// the parameters and the search is repeatable.
pub fn fit(
    s: &Scenario,
    targets: &Targets,
    free: &[String],
    runs: Runs,
    max_evaluations: usize,
    progress: &dyn Fn(usize, f64),
) -> Result<Fit> {
    fit_within(s, targets, free, runs, max_evaluations, progress, true)
}

fn fit_within(
    s: &Scenario,
    targets: &Targets,
    free: &[String],
    runs: Runs,
    max_evaluations: usize,
    progress: &dyn Fn(usize, f64),
    within_prior: bool,
) -> Result<Fit> {
    let bounds: Vec<(f64, f64)> = free.iter().map(|p| free_parameter(p, within_prior)).collect::<Result<_>>()?;
    let start: Vec<f64> = free.iter().map(|p| current(s, p)).collect();
    let build = |x: &[f64]| -> Result<Scenario> {
        let changes: Vec<(&str, Value)> = free
            .iter()
            .zip(x)
            .zip(&bounds)
            .map(|((p, v), (lo, hi))| (p.as_str(), Value::Num(v.clamp(*lo, *hi))))
            .collect();
        Ok(s.with_all(&changes)?)
    };
    let mut evaluations = 0;
    let mut eval = |x: &[f64]| -> Result<f64> {
        evaluations += 1;
        let d = distance(&compare(&build(x)?, targets, runs));
        progress(evaluations, d);
        Ok(d)
    };
    let best = nelder_mead(&start, &bounds, max_evaluations, &mut eval)?;
    // Four significant figures: what is written is what is compared.
    let best: Vec<f64> = best.iter().zip(&bounds).map(|(v, (lo, hi))| significant(v.clamp(*lo, *hi), 4)).collect();
    let fitted = build(&best)?;
    let comparisons = compare(&fitted, targets, runs);
    let values = free.iter().cloned().zip(best).collect();
    Ok(Fit { scenario: fitted, values, comparisons, evaluations })
}

/// Fits every authority of a scenario to its own targets at once: authority `i` (its part,
/// [`Scenario::parts`]) is fitted to `targets[i]` (none: left as it is), the authorities
/// spread over `threads` workers, each fit on one, so the fitted values do not depend on
/// the thread count. `done(i, fit)` hears each authority's fit as it ends (to keep it, so
/// that an interrupted batch resumes); `kept(i)` gives a fit kept by an earlier run instead
/// of fitting again. Each value may move over its allowed range, not its national prior.
/// Returns each authority's fitted values, in authority order.
#[allow(clippy::type_complexity)]
pub fn fit_authorities(
    s: &Scenario,
    targets: &[Option<Targets>],
    free: &[String],
    runs: Runs,
    max_evaluations: usize,
    kept: &(dyn Fn(usize) -> Option<Vec<(String, f64)>> + Sync),
    done: &(dyn Fn(usize, &Fit) + Sync),
) -> Result<Vec<Option<Vec<(String, f64)>>>> {
    let parts = s.parts();
    if parts.len() != targets.len() {
        bail!("{} authorities but targets for {}", parts.len(), targets.len());
    }
    let one = Runs { threads: 1, ..runs };
    let fits =
        crate::experiment::Pool::new(runs.threads).map(0..parts.len(), &|i| -> Result<Option<Vec<(String, f64)>>> {
            let Some(t) = &targets[i] else { return Ok(None) };
            if let Some(values) = kept(i) {
                return Ok(Some(values));
            }
            let f = fit_within(&parts[i], t, free, one, max_evaluations, &|_, _| {}, false)?;
            done(i, &f);
            Ok(Some(f.values))
        });
    fits.into_iter().collect()
}

/// Minimises `f` from `start` by Nelder–Mead, points clamped into `bounds`; the first
/// simplex steps each parameter by a tenth of the smaller of its range and ten times its
/// size (so a rate near 0.1 in a range of 0 to 5 steps by 0.1, not 0.5).
pub fn nelder_mead(
    start: &[f64],
    bounds: &[(f64, f64)],
    max_evaluations: usize,
    f: &mut dyn FnMut(&[f64]) -> Result<f64>,
) -> Result<Vec<f64>> {
    let n = start.len();
    let clamp = |x: Vec<f64>| -> Vec<f64> { x.iter().zip(bounds).map(|(v, (lo, hi))| v.clamp(*lo, *hi)).collect() };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    let x0 = clamp(start.to_vec());
    let f0 = f(&x0)?;
    simplex.push((x0.clone(), f0));
    for i in 0..n {
        let mut x = x0.clone();
        let step = 0.1 * (bounds[i].1 - bounds[i].0).min(10.0 * x0[i].abs().max(1e-3));
        x[i] = if x[i] + step <= bounds[i].1 { x[i] + step } else { x[i] - step };
        let x = clamp(x);
        let fx = f(&x)?;
        simplex.push((x, fx));
    }
    let mut used = n + 1;
    while used < max_evaluations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let spread = simplex[n].1 - simplex[0].1;
        if spread.abs() < 1e-6 {
            break;
        }
        let centroid: Vec<f64> = (0..n).map(|j| simplex[..n].iter().map(|p| p.0[j]).sum::<f64>() / n as f64).collect();
        let towards = |t: f64| clamp((0..n).map(|j| centroid[j] + t * (simplex[n].0[j] - centroid[j])).collect());
        let xr = towards(-1.0);
        let fr = f(&xr)?;
        used += 1;
        if fr < simplex[0].1 {
            let xe = towards(-2.0);
            let fe = f(&xe)?;
            used += 1;
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else {
            let xc = towards(if fr < simplex[n].1 { -0.5 } else { 0.5 });
            let fc = f(&xc)?;
            used += 1;
            if fc < simplex[n].1.min(fr) {
                simplex[n] = (xc, fc);
            } else {
                let best = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    let x = clamp((0..n).map(|j| best[j] + 0.5 * (p.0[j] - best[j])).collect());
                    p.1 = f(&x)?;
                    p.0 = x;
                    used += 1;
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    Ok(simplex.swap_remove(0).0)
}

/// The text of a fitted scenario file: a header saying how it was fitted (to the targets
/// named `targets`, with `replications` and `seed`), each fitted key's comment saying so,
/// and every other key under its comment from the parameter table.
pub fn fitted_text(fit: &Fit, targets: &str, replications: u32, seed: u64) -> String {
    let mut text = format!(
        "# Fitted by `caseload calibrate` to {targets} ({} evaluations, {replications} replications, seed {seed}).\n",
        fit.evaluations
    );
    for (p, v) in &fit.values {
        text.push_str(&format!("# fitted {p} = {v}\n"));
    }
    text.push_str(&format!("# remaining weighted distance {:.4}\n\n", distance(&fit.comparisons)));
    let source = format!("fitted by caseload calibrate to {targets}");
    for line in fit.scenario.to_toml().lines() {
        let key = line.split(" = ").next().unwrap_or("");
        if fit.values.iter().any(|(p, _)| p.rsplit('.').next() == Some(key)) {
            text.push_str(&format!("# Allowed: fitted.\n# Source: {source}.\n"));
        }
        text.push_str(line);
        text.push('\n');
    }
    crate::scenario::annotate::annotate(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problems `parse_targets` finds in `text`, as `line:col: field: message`.
    fn problems(text: &str) -> Vec<String> {
        let mut c = Collector { text, problems: Vec::new() };
        parse_targets(&mut c);
        c.problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_targets_file_needs_a_rule_and_at_least_one_target() {
        assert_eq!(
            problems("name = \"x\"\n"),
            [
                "0:0: rule: is missing; expected the rule in force, e.g. rule = \"manager_shared\"",
                "0:0: target: is missing; expected at least one [[target]] table"
            ]
        );
        assert_eq!(
            problems("rule = \"manager_shared\"\ntarget = []\n"),
            ["2:10: target: is empty; expected at least one [[target]] table"]
        );
        let good = "rule = \"practitioner_only\"\n[[target]]\nmetric = \"turnover_pct\"\nvalue = 13\ntolerance = 1\n";
        assert!(problems(good).is_empty());
    }

    #[test]
    fn nelder_mead_finds_the_minimum_of_a_bowl() {
        let mut f = |x: &[f64]| -> Result<f64> { Ok((x[0] - 0.3).powi(2) + 10.0 * (x[1] - 2.0).powi(2)) };
        let best = nelder_mead(&[0.9, 0.5], &[(0.0, 1.0), (0.0, 5.0)], 400, &mut f).unwrap();
        assert!((best[0] - 0.3).abs() < 1e-3 && (best[1] - 2.0).abs() < 1e-3, "{best:?}");
    }

    #[test]
    fn nelder_mead_respects_bounds() {
        let mut f = |x: &[f64]| -> Result<f64> { Ok((x[0] + 5.0).powi(2)) };
        let best = nelder_mead(&[0.5], &[(0.0, 1.0)], 200, &mut f).unwrap();
        assert!(best[0] >= 0.0 && best[0] < 1e-3, "{best:?}");
    }
}
