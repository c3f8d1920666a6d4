//! The command line: parse arguments, call the library, print results. The only place
//! that knows about clap.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::experiment::{self, Plan};
use crate::model::Rule;
use crate::scenario::{Scenario, params};
use crate::table;

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
    Run(RunArgs),
    /// Check a scenario file and run nothing
    Validate(ValidateArgs),
    /// List every scenario parameter with its unit, allowed range, default and source
    Params(QuietArgs),
}

#[derive(Debug, Args)]
pub struct QuietArgs {
    /// Print nothing but results and errors
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,
    /// Rules to compare, comma-separated (default: the scenario's); the first two are paired
    #[arg(long, value_delimiter = ',')]
    pub rules: Option<Vec<String>>,
    /// Replications per rule (default: the scenario's)
    #[arg(long, short = 'n')]
    pub replications: Option<u32>,
    /// Master seed (default: the scenario's)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0: one per core); results do not depend on it
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => run_command(a),
        Command::Validate(a) => {
            let s = Scenario::load(&a.scenario)?;
            if !a.quiet.quiet {
                println!(
                    "{}: valid ({} authorities, {} teams, {} posts)",
                    a.scenario.display(),
                    s.authorities.len(),
                    s.n_teams(),
                    s.n_posts()
                );
            }
            Ok(())
        }
        Command::Params(_) => {
            print!("{}", params_table());
            Ok(())
        }
    }
}

fn run_command(a: RunArgs) -> Result<()> {
    let s = Scenario::load(&a.scenario)?;
    let mut plan = Plan::of(&s);
    if let Some(rules) = &a.rules {
        plan.rules = rules.iter().map(|r| Rule::parse(r.trim()).map_err(anyhow::Error::msg)).collect::<Result<_>>()?;
        if plan.rules.is_empty() {
            bail!("--rules names no rule");
        }
    }
    if let Some(n) = a.replications {
        if n == 0 {
            bail!("--replications must be at least 1");
        }
        plan.replications = n;
    }
    if let Some(seed) = a.seed {
        plan.seed = seed;
    }
    let total = plan.rules.len() * plan.replications as usize;
    let show = !a.quiet.quiet && std::io::stderr().is_terminal();
    if !a.quiet.quiet {
        eprintln!("caseload: {total} runs ({} rules x {} replications)", plan.rules.len(), plan.replications);
    }
    let progress = |done: usize| {
        if show && (done == total || done.is_multiple_of(8)) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{done}/{total} runs");
            if done == total {
                let _ = writeln!(err);
            }
        }
    };
    let results = experiment::run(&s, &plan, a.threads, &progress);
    let mut out = std::io::stdout().lock();
    out.write_all(table::render(&s.run.name, &results).as_bytes()).context("writing the table")?;
    Ok(())
}

/// Every parameter, for `caseload params`.
pub fn params_table() -> String {
    let mut out = String::from("parameter\tunit\tallowed\tdefault\tsource\n");
    for p in params::PARAMS {
        let default = crate::scenario::Value::default_of(p).to_toml();
        out.push_str(&format!("{}\t{}\t{}\t{}\t{}\n", p.path(), p.unit, p.allowed(), default, p.source));
    }
    out
}
