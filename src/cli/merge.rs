//! `caseload merge`: the shards of a sweep, an uncertainty analysis, a run or a history combined into the files one machine would write.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{Say, print};
use crate::output;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `caseload sweep --shard K/N` (or `uncertainty`, `run` or `history`), every K once
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The merged output folder
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: MergeArgs) -> Result<()> {
    if output::merge::command_of(&a.dirs)? == "history" {
        let shards = output::merge::read_shards(&a.dirs, "history")?;
        let (dir, words) = super::history::merge(&shards, &a.out, a.force)?;
        print(&words)?;
        Say::new(&a.quiet).note(format!("{} shards merged into {}", a.dirs.len(), dir.display()));
        return Ok(());
    }
    let merged = output::merge(&a.dirs, &a.out, a.force)?;
    if let Some(table) = &merged.table {
        print(table)?;
    }
    Say::new(&a.quiet).note(format!("{} shards merged into {}", a.dirs.len(), merged.dir.display()));
    Ok(())
}
