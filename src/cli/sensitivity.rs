//! `caseload sensitivity`: the assumptions ranked by how much they move the rules' differences (Morris).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{Say, default_out, plan_of, print};
use crate::output::{self, Staging};
use crate::scenario::Scenario;
use crate::sensitivity;

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,
    /// Morris trajectories (each costs one point per parameter, plus one)
    #[arg(long, short = 'r', default_value_t = 10)]
    pub trajectories: u32,
    /// Levels of each parameter's range (even)
    #[arg(long, default_value_t = 4)]
    pub levels: u32,
    /// Replications per point and rule
    #[arg(long, short = 'n', default_value_t = 4)]
    pub replications: u32,
    /// Master seed of the runs and of the design (default: the scenario's)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Rules to compare, comma-separated (default: the scenario's first two)
    #[arg(long, value_delimiter = ',')]
    pub rules: Option<Vec<String>>,
    /// Worker threads (0: one per core); results do not depend on it
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Output folder (default: output/<scenario name>-sensitivity)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: SensitivityArgs) -> Result<()> {
    let say = Say::new(&a.quiet);
    let s = Scenario::load(&a.scenario)?;
    let (s, mut plan) = plan_of(&s, &a.rules, Some(a.replications), a.seed)?;
    plan.rules.truncate(2);
    if a.trajectories < 2 {
        bail!("--trajectories must be at least 2 to give a spread");
    }
    // Refuse an existing folder before drawing the design and checking its points.
    let dir = a.out.clone().unwrap_or_else(|| default_out(&s, "sensitivity"));
    let staging = Staging::begin(&output::Options { dir, force: a.force, case_log: false })?;
    let morris = sensitivity::Morris { trajectories: a.trajectories, levels: a.levels, seed: plan.seed };
    let bar = std::sync::OnceLock::new();
    let progress = |done: usize, total: usize| bar.get_or_init(|| say.progress(total)).update(done);
    let analysis = sensitivity::run(&s, plan, morris, a.threads, &progress)?;
    if let Some(b) = bar.get() {
        b.finish();
    }
    let dir = output::write_sensitivity(staging, &analysis)?;
    print(&sensitivity::render(&analysis))?;
    say.note(format!("sensitivity analysis written to {}", dir.display()));
    Ok(())
}
