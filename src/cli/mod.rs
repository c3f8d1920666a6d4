//! The command line: one file a command, each reading its arguments, calling the
//! library and printing what it returns. The only place that knows about clap, but for
//! `main.rs` calling [`Cli::parse`]. Results go to standard output through [`print`] (a
//! closed pipe ends the command quietly); notes and progress to standard error through
//! [`Say`], which `--quiet` silences.

mod calibrate;
mod chart;
mod compare;
mod england;
#[cfg(feature = "explore")]
mod explore;
mod history;
mod merge;
mod params;
mod progress;
mod run;
mod sensitivity;
mod sweep;
mod uncertainty;
mod validate;

use crate::scenario::key;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

pub use params::{params_markdown, params_table};
use progress::Progress;

use crate::experiment::Plan;
use crate::output;
use crate::scenario::{Scenario, Value};

#[derive(Debug, Parser)]
#[command(
    name = "caseload",
    version,
    about = "Who decides how fast a child's assessment happens? An agent-based model of a children's social care workforce"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every rule for N replications on the same referrals and print the comparison
    Run(run::RunArgs),
    /// Check a scenario file and run nothing
    Validate(validate::ValidateArgs),
    /// Re-draw the charts and report of an output folder from its tables, without re-running
    Chart(chart::ChartArgs),
    /// What moved between two runs: the scenario values that differ and every metric, B against A
    Compare(compare::CompareArgs),
    /// Compare simulated indicators with published targets; with --fit, fit parameters to them
    Calibrate(calibrate::CalibrateArgs),
    /// Run every point of the scenario's [sweep] with every rule, paired, and map where a concern holds
    Sweep(sweep::SweepArgs),
    /// Combine the folders of `sweep`, `uncertainty` or `run --shard` into the files one machine would write
    Merge(merge::MergeArgs),
    /// Rank the parameters that rest on assumptions by how much they move the rules' differences (Morris)
    Sensitivity(sensitivity::SensitivityArgs),
    /// How likely is "high risk"? Draw every assumption from its prior, compare the rules at each draw, and find what carries the answer
    Uncertainty(uncertainty::UncertaintyArgs),
    /// List every scenario parameter with its label, unit, allowed range, default, source and prior
    Params(params::ParamsArgs),
    /// Write a scenario of England's local authorities in a year, each with its own published figures
    England(england::EnglandArgs),
    /// Run England's authorities through the years since before 2018, as they lived it and as if the wording had never changed, beside the published figures
    History(history::HistoryArgs),
    /// Watch both rules run side by side on a local web page (127.0.0.1 only), for teaching
    #[cfg(feature = "explore")]
    Explore(explore::ExploreArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Chart(a) => chart::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Calibrate(a) => calibrate::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Sensitivity(a) => sensitivity::run(a),
        Command::Uncertainty(a) => uncertainty::run(a),
        Command::Params(a) => params::run(a),
        Command::England(a) => england::run(a),
        Command::History(a) => history::run(a),
        #[cfg(feature = "explore")]
        Command::Explore(a) => explore::run(a),
    }
}

#[derive(Debug, Args)]
pub struct QuietArgs {
    /// Print nothing but results and errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// What a command tells the person at the terminal besides its results: notes and a
/// progress bar on standard error, both silenced by `--quiet`.
#[derive(Debug, Clone, Copy)]
pub struct Say {
    pub quiet: bool,
}

impl Say {
    pub fn new(q: &QuietArgs) -> Say {
        Say { quiet: q.quiet }
    }

    /// A note, `caseload: ...`, unless quiet.
    pub fn note(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("caseload: {message}");
        }
    }

    /// A progress bar of `total` runs, drawn only on a terminal and unless quiet.
    fn progress(&self, total: usize) -> Progress {
        Progress::new(total, !self.quiet && std::io::stderr().is_terminal())
    }
}

/// Writes a result to standard output. A closed pipe (`caseload params | head`) is an
/// error returned, never a panic: `main` ends quietly on it.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("writing to standard output")
}

/// The scenario with the command line's rules, replications and seed written in, each
/// checked as the same key in a file would be (range, whole number, known rule, each rule
/// once), and its plan.
fn plan_of(
    s: &Scenario,
    rules: &Option<Vec<String>>,
    replications: Option<u32>,
    seed: Option<u64>,
) -> Result<(Scenario, Plan)> {
    let mut changes = Vec::new();
    if let Some(rules) = rules {
        if rules.iter().all(|r| r.trim().is_empty()) {
            bail!("--rules names no rule");
        }
        changes.push((key::run::rules, Value::Texts(rules.iter().map(|r| r.trim().to_string()).collect())));
    }
    if let Some(n) = replications {
        changes.push((key::run::replications, Value::Int(i64::from(n))));
    }
    if let Some(seed) = seed {
        let p = crate::scenario::params::find_path(key::run::seed).expect("run.seed is a parameter");
        let Ok(seed) = i64::try_from(seed) else {
            bail!("--seed is {seed}; allowed {}", p.allowed());
        };
        changes.push((key::run::seed, Value::Int(seed)));
    }
    let s = s.with_all_from(&changes, "command line")?;
    let plan = Plan::of(&s);
    Ok((s, plan))
}

/// `output/<name>-<what>`.
fn default_out(s: &Scenario, what: &str) -> PathBuf {
    let d = output::default_dir(s);
    let name = d.file_name().map_or_else(|| "unnamed".into(), |n| n.to_string_lossy().into_owned());
    d.with_file_name(format!("{name}-{what}"))
}
