//! `caseload params`: every scenario parameter with its label, unit, allowed range, default, source and prior; `--annotate FILE` rewrites a scenario file with every key under its comment.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::{Say, print};
use crate::output;
use crate::scenario::params::PARAMS;
use crate::scenario::{Scenario, Value};

#[derive(Debug, Args)]
pub struct ParamsArgs {
    /// A scenario file: show the prior in force in it (its own [priors], or held) and its
    /// values in place of the defaults. Or a parameter's name (or part of it, such as
    /// lone_rating): show everything about the parameters it names
    #[arg(value_name = "SCENARIO|NAME", conflicts_with = "annotate")]
    pub scenario: Option<PathBuf>,
    /// Print the table as Markdown (the table in docs/ODD.md is this output)
    #[arg(long)]
    pub markdown: bool,
    /// Print every column, tab-separated (for scripts), instead of the table within 100
    /// columns
    #[arg(long, conflicts_with = "markdown")]
    pub tsv: bool,
    /// Rewrite a scenario file with every key present, in table order, each under a
    /// comment generated from the table; its values are kept
    #[arg(long, value_name = "FILE", conflicts_with = "markdown")]
    pub annotate: Option<PathBuf>,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: ParamsArgs) -> Result<()> {
    if let Some(path) = &a.scenario {
        if !path.exists() {
            let name = path.to_string_lossy();
            if let Some(cards) = params_named(&name) {
                return print(&cards);
            }
            anyhow::bail!("{name}: no such file, and no parameter's name contains it (`caseload params` lists them)");
        }
        let s = Scenario::load(path)?;
        return print(&if a.tsv { params_in(&s) } else { narrow(&params_in(&s), &[0, 4, 6]) });
    }
    let Some(path) = &a.annotate else {
        return print(&if a.markdown {
            params_markdown()
        } else if a.tsv {
            params_table()
        } else {
            narrow(&params_table(), &[0, 2, 4])
        });
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    // A file with a mistake is refused, not rewritten: a misspelt key would be kept as it
    // is and the real key added with its default beside it.
    Scenario::from_toml(&text, path)?;
    output::write_atomic(path, crate::scenario::annotate::annotate(&text).as_bytes())?;
    Say::new(&a.quiet).note(format!("{} annotated; check it with `caseload validate`", path.display()));
    Ok(())
}

/// Every scenario-wide parameter with its value and the prior in force in `s`, for
/// `caseload params SCENARIO`: tab-separated, one row a key.
pub fn params_in(s: &Scenario) -> String {
    let mut out = String::from("parameter\tlabel\tunit\tallowed\tvalue\tsource\tprior in force\n");
    for p in PARAMS.iter().filter(|p| p.section != "authority") {
        let prior = match (p.prior, s.prior(p)) {
            (None, _) => String::new(),
            (Some(_), None) => "held at the scenario's value (not drawn)".to_string(),
            (Some(_), Some(q)) => q.words(),
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{prior}\n",
            p.path(),
            p.label,
            p.unit,
            p.allowed(),
            s.value(&p.path()).to_toml(),
            p.source
        ));
    }
    out
}

/// Every parameter, for `caseload params`: tab-separated, one row a key.
pub fn params_table() -> String {
    let mut out = String::from("parameter\tlabel\tunit\tallowed\tdefault\tsource\tprior\n");
    for p in PARAMS {
        let default = Value::default_of(p).to_toml();
        let prior = p.prior.map_or(String::new(), |q| q.words());
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{default}\t{}\t{prior}\n",
            p.path(),
            p.label,
            p.unit,
            p.allowed(),
            p.source
        ));
    }
    out
}

/// Chosen columns of a tab-separated table, aligned and cut to fit
/// [`crate::printout::WIDTH`] columns (a cut cell ends in `~`), with a line saying where
/// the rest is.
fn narrow(tsv: &str, columns: &[usize]) -> String {
    let rows: Vec<Vec<String>> = tsv
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            columns.iter().map(|&c| cells.get(c).copied().unwrap_or("").to_string()).collect()
        })
        .collect();
    let first = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0);
    let room = crate::printout::WIDTH.saturating_sub(first + 2);
    let per = room / columns.len().saturating_sub(1).max(1) - 2;
    let cut = |s: &str| {
        if s.chars().count() > per {
            format!("{}~", s.chars().take(per.saturating_sub(1)).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().enumerate().map(|(i, c)| if i == 0 { c.clone() } else { cut(c) }).collect())
        .collect();
    let mut out = crate::printout::aligned(&rows);
    out.push_str("(caseload params NAME: everything about a parameter; --tsv: every column, full text)\n");
    out
}

/// Everything about the parameters whose name contains `name` (exactly that one, if a
/// parameter has that name), or `None` when none does.
pub fn params_named(name: &str) -> Option<String> {
    let name = name.trim();
    let exact: Vec<_> = PARAMS.iter().filter(|p| p.path() == name).collect();
    let found: Vec<_> =
        if exact.is_empty() { PARAMS.iter().filter(|p| p.path().contains(name)).collect() } else { exact };
    if found.is_empty() || name.is_empty() {
        return None;
    }
    let mut out = String::new();
    for p in found {
        out.push_str(&format!("{}\n", p.path()));
        let field = |label: &str, v: &str| {
            if v.is_empty() { String::new() } else { crate::printout::wrap(&format!("  {label}: {v}"), 4) }
        };
        out.push_str(&field("what it is", p.label));
        out.push_str(&field("unit", p.unit));
        out.push_str(&field("allowed", &p.allowed()));
        out.push_str(&field("default", &Value::default_of(p).to_toml()));
        out.push_str(&field("source", p.source));
        out.push_str(&field("prior", &p.prior.map_or(String::new(), |q| q.words())));
        out.push('\n');
    }
    Some(out)
}

/// Every parameter as a Markdown table, for `caseload params --markdown` and docs/ODD.md.
pub fn params_markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from(
        "| parameter | what it is | unit | allowed | default | source | prior (assumptions) |\n|---|---|---|---|---|---|---|\n",
    );
    for p in PARAMS {
        let default = Value::default_of(p).to_toml();
        let prior = p.prior.map_or(String::new(), |q| q.words());
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | `{}` | {} | {} |\n",
            p.path(),
            cell(p.label),
            cell(p.unit),
            cell(&p.allowed()),
            cell(&default),
            cell(p.source),
            cell(&prior)
        ));
    }
    out
}
