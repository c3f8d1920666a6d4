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
    /// values in place of the defaults
    #[arg(value_name = "SCENARIO", conflicts_with = "annotate")]
    pub scenario: Option<PathBuf>,
    /// Print the table as Markdown (the table in docs/ODD.md is this output)
    #[arg(long)]
    pub markdown: bool,
    /// Rewrite a scenario file with every key present, in table order, each under a
    /// comment generated from the table; its values are kept
    #[arg(long, value_name = "FILE", conflicts_with = "markdown")]
    pub annotate: Option<PathBuf>,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: ParamsArgs) -> Result<()> {
    if let Some(path) = &a.scenario {
        let s = Scenario::load(path)?;
        return print(&params_in(&s));
    }
    let Some(path) = &a.annotate else {
        return print(&if a.markdown { params_markdown() } else { params_table() });
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
