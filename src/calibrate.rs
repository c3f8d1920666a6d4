//! Calibration: compare a scenario's simulated indicators with published targets, and fit
//! free parameters to them by a derivative-free search on common random numbers.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::experiment::{self, Plan};
use crate::model::{Metric, Rule};
use crate::scenario::params::{self, Shape};
use crate::scenario::{Scenario, Value};
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

fn field<'a>(t: &'a toml::Table, key: &str, at: &str) -> Result<&'a toml::Value> {
    t.get(key).with_context(|| format!("{at}: missing `{key}`"))
}

fn number(v: &toml::Value, at: &str) -> Result<f64> {
    match v {
        toml::Value::Float(x) => Ok(*x),
        toml::Value::Integer(i) => Ok(*i as f64),
        other => bail!("{at}: expected a number, found {}", other.type_str()),
    }
}

impl Targets {
    /// Reads a targets file; errors name the file and the target.
    pub fn load(path: &Path) -> Result<Targets> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read targets {}", path.display()))?;
        let doc: toml::Table = toml::from_str(&text).with_context(|| format!("{}: not valid TOML", path.display()))?;
        let file = path.display().to_string();
        let allowed = ["name", "rule", "target"];
        if let Some(k) = doc.keys().find(|k| !allowed.contains(&k.as_str())) {
            bail!("{file}: `{k}` is not a known key; known: {}", allowed.join(", "));
        }
        let name = doc.get("name").and_then(|v| v.as_str()).unwrap_or("targets").to_string();
        let rule_text = field(&doc, "rule", &file)?.as_str().with_context(|| format!("{file}: `rule` must be text"))?;
        let rule = Rule::parse(rule_text).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        let list = field(&doc, "target", &file)?
            .as_array()
            .with_context(|| format!("{file}: `target` must be [[target]] tables"))?;
        let mut targets = Vec::new();
        for (i, t) in list.iter().enumerate() {
            let at = format!("{file}: target {}", i + 1);
            let t = t.as_table().with_context(|| format!("{at}: not a table"))?;
            let known = ["metric", "value", "tolerance", "weight", "source"];
            if let Some(k) = t.keys().find(|k| !known.contains(&k.as_str())) {
                bail!("{at}: `{k}` is not a known key; known: {}", known.join(", "));
            }
            let name = field(t, "metric", &at)?.as_str().with_context(|| format!("{at}: `metric` must be text"))?;
            let metric = Metric::ALL.iter().copied().find(|m| m.name() == name).with_context(|| {
                format!(
                    "{at}: `{name}` is not a metric; metrics: {}",
                    Metric::ALL.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")
                )
            })?;
            let value = number(field(t, "value", &at)?, &at)?;
            let tolerance = number(field(t, "tolerance", &at)?, &at)?;
            let weight = t.get("weight").map(|w| number(w, &at)).transpose()?.unwrap_or(1.0);
            let valid = tolerance > 0.0 && weight >= 0.0 && value.is_finite();
            if !valid {
                bail!("{at}: value must be a number, tolerance above 0 and weight at least 0");
            }
            let source = t.get("source").and_then(|v| v.as_str()).unwrap_or("").to_string();
            targets.push(Target { metric, value, tolerance, weight, source });
        }
        Ok(Targets { name, rule, targets })
    }
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
        "{:<36} {:>20} {:>10} {:>10}  {:<5} source",
        "indicator", "simulated [95% CI]", "published", "tolerance", ""
    );
    for c in cs {
        let s = &c.simulated;
        let sim = if s.lo.is_finite() {
            format!("{:.2} [{:.2}, {:.2}]", s.mean, s.lo, s.hi)
        } else {
            format!("{:.2}", s.mean)
        };
        let _ = writeln!(
            out,
            "{:<36} {:>20} {:>10.2} {:>10}  {:<5} {}",
            c.target.metric.name(),
            sim,
            c.target.value,
            format!("±{}", c.target.tolerance),
            if c.passes() { "pass" } else { "FAIL" },
            c.target.source
        );
    }
    let passed = cs.iter().filter(|c| c.passes()).count();
    let _ = writeln!(out, "{passed} of {} within tolerance; weighted distance {:.3}", cs.len(), distance(cs));
    out
}

/// The numeric parameters a fit may move, with their allowed ranges.
fn free_parameter(path: &str) -> Result<(f64, f64)> {
    let p = params::find_path(path).with_context(|| format!("--fit: `{path}` is not a parameter"))?;
    match p.shape {
        Shape::Num { min, max, integer: false } if p.section != "run" && p.section != "authority" => Ok((min, max)),
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
        .and_then(|(_, v)| if let Value::Num(x) = v { Some(x) } else { None })
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
    let bounds: Vec<(f64, f64)> = free.iter().map(|p| free_parameter(p)).collect::<Result<_>>()?;
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
    let fitted = build(&best)?;
    let comparisons = compare(&fitted, targets, runs);
    let values = free.iter().cloned().zip(best.iter().zip(&bounds).map(|(v, (lo, hi))| v.clamp(*lo, *hi))).collect();
    Ok(Fit { scenario: fitted, values, comparisons, evaluations })
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

#[cfg(test)]
mod tests {
    use super::*;

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
