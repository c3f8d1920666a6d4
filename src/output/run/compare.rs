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
use crate::printout::{aligned, cell};
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
pub fn compare(a: &Path, b: &Path) -> Result<Comparison> {
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
            format!("  {k}: {} -> {}", show(va.get(k)), show(vb.get(k)))
        })
        .collect();
    if differ.is_empty() {
        let _ = writeln!(text, "The scenarios are the same, value for value.");
    } else {
        let _ = writeln!(text, "What differs in the scenario (A -> B):\n{}", differ.join("\n"));
    }
    let _ = writeln!(
        text,
        "{}",
        if is_paired {
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
        }
    );
    let _ = writeln!(text, "mean [95% CI] over replications\n");

    let mut rows = vec![["metric", "unit", "of", "A", "B", "B - A"].map(String::from).to_vec()];
    let mut csv = String::from("metric,unit,of,paired,replications,mean_a,mean_b,change,ci_low,ci_high\n");
    let ia = |r: &String| da.rule_index(r).expect("a common rule");
    let ib = |r: &String| db.rule_index(r).expect("a common rule");
    for name in metric_names() {
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
        for (of, x, y) in series {
            let (s_a, s_b, c) = (Summary::of(x.iter().copied()), Summary::of(y.iter().copied()), change(&x, &y));
            rows.push(vec![name.to_string(), unit.to_string(), of.clone(), cell(&s_a), cell(&s_b), cell(&c)]);
            let _ = writeln!(
                csv,
                "{name},{unit},{of},{is_paired},{},{},{},{},{},{}",
                c.n, s_a.mean, s_b.mean, c.mean, c.lo, c.hi
            );
        }
    }
    text.push_str(&aligned(&rows));
    Ok(Comparison { text, csv })
}
