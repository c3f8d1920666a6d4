//! `caseload compare A B`: what moved between two runs. The scenario values that differ
//! (read from the two manifests), then every metric of each rule, and the difference
//! between the first two rules, in A and in B with the change `B - A` and its 95%
//! interval. When both ran the same seed and number of replications, replication `i` of
//! B saw the same referrals and chance events as replication `i` of A (common random
//! numbers), so the change is paired replication by replication; otherwise Welch's
//! interval for two independent samples.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};

use crate::experiment::Plan;
use crate::model::Metric;
use crate::output::{metric_names, read_manifest};
use crate::printout::{aligned, cell, num};
use crate::stats::{Summary, paired, unpaired};

/// The comparison as text for a person and as a tidy CSV.
pub struct Comparison {
    pub text: String,
    pub csv: String,
}

/// Every value of a manifest by its dotted key (`workforce.leave_rate_permanent`,
/// `authority[2].name`), as TOML writes it.
fn flatten(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, String>) {
    let key = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    match v {
        toml::Value::Table(t) => t.iter().for_each(|(k, v)| flatten(&key(k), v, out)),
        toml::Value::Array(a) if a.iter().all(toml::Value::is_table) && !a.is_empty() => {
            a.iter().enumerate().for_each(|(i, v)| flatten(&format!("{prefix}[{i}]"), v, out))
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn values(dir: &Path) -> Result<BTreeMap<String, String>> {
    let path = dir.join("manifest.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    let t: toml::Table = text.parse().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    flatten("", &toml::Value::Table(t), &mut out);
    Ok(out)
}

/// Compares the output folders of two `caseload run`s, `b` against `a`.
/// The change of one metric of one rule (or of the rules' difference) between A and B.
struct Change {
    metric: String,
    of: String,
    a: Summary,
    b: Summary,
    change: Summary,
}

impl Change {
    /// The size of the change: relative to the larger of the two means, so that metrics in
    /// different units sort together (`NaN` where nothing was measured: last).
    fn size(&self) -> f64 {
        let scale = self.a.mean.abs().max(self.b.mean.abs());
        if scale == 0.0 && self.change.mean == 0.0 { 0.0 } else { self.change.mean.abs() / scale }
    }
}

/// Compares the runs in folders `a` and `b`, every metric; with `only` non-empty, the
/// metrics whose name contains one of its words. The text lists the changes largest first
/// within [`crate::printout::WIDTH`] columns; the CSV holds every number and full name.
pub fn compare(a: &Path, b: &Path) -> Result<Comparison> {
    compare_only(a, b, &[])
}

pub fn compare_only(a: &Path, b: &Path, only: &[String]) -> Result<Comparison> {
    for d in [a, b] {
        if !d.join("runs.parquet").exists() {
            bail!("{} holds no runs.parquet: is it an output folder of `caseload run`?", d.display());
        }
    }
    let (sa, sb) = (read_manifest(a)?, read_manifest(b)?);
    let (da, db) =
        (crate::output::run::tables::read_run_data(a, &sa)?, crate::output::run::tables::read_run_data(b, &sb)?);
    let (pa, pb) = (Plan::of(&sa), Plan::of(&sb));
    let rules: Vec<&String> = da.rules.iter().filter(|r| db.rules.contains(r)).collect();
    if rules.is_empty() {
        bail!(
            "{} ran {:?} and {} ran {:?}: no rule in common to compare",
            a.display(),
            da.rules,
            b.display(),
            db.rules
        );
    }
    let is_paired = pa.seed == pb.seed && pa.replications == pb.replications;
    let change = |x: &[f64], y: &[f64]| if is_paired { paired(y, x) } else { unpaired(y, x) };

    let mut text = String::new();
    let _ = writeln!(text, "A: {}\nB: {}", a.display(), b.display());
    let (va, vb) = (values(a)?, values(b)?);
    let differ: Vec<String> = va
        .keys()
        .chain(vb.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| va.get(*k) != vb.get(*k))
        .map(|k| {
            let show = |v: Option<&String>| v.map_or("(absent)".to_string(), Clone::clone);
            crate::printout::wrap(&format!("  {k}: {} -> {}", show(va.get(k)), show(vb.get(k))), 4)
                .trim_end()
                .to_string()
        })
        .collect();
    if differ.is_empty() {
        let _ = writeln!(text, "The scenarios are the same, value for value.");
    } else {
        let _ = writeln!(text, "What differs in the scenario (A -> B):\n{}", differ.join("\n"));
    }
    text.push_str(&crate::printout::wrap(
        &if is_paired {
            format!(
                "Both ran seed {} with {} replications: each replication of B is compared with the same one of A \
                 (common random numbers), so B - A is paired.",
                pa.seed, pa.replications
            )
        } else {
            format!(
                "A ran seed {} x {} replications, B seed {} x {}: B - A is unpaired (Welch's interval).",
                pa.seed, pa.replications, pb.seed, pb.replications
            )
        },
        0,
    ));
    let key: Vec<String> = rules.iter().enumerate().map(|(i, r)| format!("{} = {r}", i + 1)).collect();
    let _ = writeln!(text, "of: {}{}", key.join(", "), if rules.len() >= 2 { ", 1-2 = their difference" } else { "" });
    let _ = writeln!(text, "means over replications; B - A with its 95% CI; largest change first\n");
    let wanted = |name: &str| only.is_empty() || only.iter().any(|w| name.contains(w.as_str()));
    if !metric_names().iter().any(|m| wanted(m)) {
        bail!(
            "--metric {}: no metric's name contains it (names such as within_limit_pct, turnover_pct; every one is in summary.csv)",
            only.join(",")
        );
    }
    let mut changes: Vec<Change> = Vec::new();
    let mut csv = String::from("metric,unit,of,paired,replications,mean_a,mean_b,change,ci_low,ci_high\n");
    let ia = |r: &String| da.rule_index(r).expect("a common rule");
    let ib = |r: &String| db.rule_index(r).expect("a common rule");
    for name in metric_names().into_iter().filter(|m| wanted(m)) {
        let unit = Metric::by_name(name).map_or("", Metric::unit);
        let mut series: Vec<(String, Vec<f64>, Vec<f64>)> = rules
            .iter()
            .map(|r| (r.to_string(), da.values(ia(r), name).to_vec(), db.values(ib(r), name).to_vec()))
            .collect();
        if rules.len() >= 2 {
            let diff = |d: &crate::output::RunData, i: &dyn Fn(&String) -> usize| -> Vec<f64> {
                d.values(i(rules[0]), name).iter().zip(d.values(i(rules[1]), name)).map(|(x, y)| x - y).collect()
            };
            series.push((format!("{} - {}", rules[0], rules[1]), diff(&da, &ia), diff(&db, &ib)));
        }
        for (i, (of, x, y)) in series.into_iter().enumerate() {
            let (s_a, s_b, c) = (Summary::of(x.iter().copied()), Summary::of(y.iter().copied()), change(&x, &y));
            let _ = writeln!(
                csv,
                "{name},{unit},{of},{is_paired},{},{},{},{},{},{}",
                c.n, s_a.mean, s_b.mean, c.mean, c.lo, c.hi
            );
            let short = if i < rules.len() { (i + 1).to_string() } else { "1-2".to_string() };
            changes.push(Change { metric: name.to_string(), of: short, a: s_a, b: s_b, change: c });
        }
    }
    // Largest first; a change that could not be measured last; ties in table order.
    changes.sort_by(|x, y| {
        let (sx, sy) = (x.size(), y.size());
        sy.is_finite().cmp(&sx.is_finite()).then(sy.partial_cmp(&sx).unwrap_or(std::cmp::Ordering::Equal))
    });
    let mut rows = vec![["metric", "of", "A", "B", "B - A [95% CI]", "change"].map(String::from).to_vec()];
    for c in &changes {
        let pct = c.size() * 100.0 * c.change.mean.signum();
        let pct = if c.size().is_finite() && c.change.n > 0 { format!("{pct:+.1}%") } else { "-".to_string() };
        rows.push(vec![c.metric.clone(), c.of.clone(), num(c.a.mean), num(c.b.mean), cell(&c.change), pct]);
    }
    text.push_str(&aligned(&rows));
    Ok(Comparison { text, csv })
}
