//! `caseload chart DIR`: redraw the charts and report of an output folder from its tables.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Say;
use crate::output;

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// An output folder written by `caseload run`
    pub dir: PathBuf,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: ChartArgs) -> Result<()> {
    output::redraw(&a.dir)?;
    Say::new(&a.quiet).note(format!("charts and report redrawn in {}", a.dir.display()));
    Ok(())
}
