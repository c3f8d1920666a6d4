//! `caseload validate`: check a scenario file (and every point of its sweep) and run nothing.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{Say, print};
use crate::experiment::Plan;
use crate::scenario::Scenario;
use crate::sweep::Sweep;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: ValidateArgs) -> Result<()> {
    let s = Scenario::load(&a.scenario)?;
    // A sweep's every point must be a valid scenario too.
    let sweep = match s.sweep() {
        Some(_) => Some(Sweep::of(&s, Plan::of(&s))?),
        None => None,
    };
    if Say::new(&a.quiet).quiet {
        return Ok(());
    }
    let n = s.authorities.len();
    print(&format!(
        "{}: valid ({n} {}, {} {}, {} posts{})\n",
        a.scenario.display(),
        if n == 1 { "authority" } else { "authorities" },
        s.n_teams(),
        if s.n_teams() == 1 { "team" } else { "teams" },
        s.n_posts(),
        sweep.map_or(String::new(), |sw| format!("; a sweep of {} points", sw.points.len()))
    ))
}
