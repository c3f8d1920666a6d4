//! `caseload compare A B`: what moved between two runs.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{Say, print};
use crate::output;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The output folder of the run to compare against (`caseload run ... --out A`)
    pub a: PathBuf,
    /// The output folder of the run compared with it (say, of a copy of A's scenario with one number changed)
    pub b: PathBuf,
    /// Also write the comparison as a tidy CSV (metric, rule or difference, means, change, interval)
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Only the metrics whose name contains this word (repeat or comma-separate for more:
    /// --metric within_limit,turnover)
    #[arg(long, value_delimiter = ',')]
    pub metric: Vec<String>,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: CompareArgs) -> Result<()> {
    let c = output::compare_only(&a.a, &a.b, &a.metric)?;
    if let Some(path) = &a.csv {
        output::write_atomic(path, c.csv.as_bytes())?;
    }
    print(&c.text)?;
    if let Some(path) = &a.csv {
        Say::new(&a.quiet).note(format!("comparison written to {}", path.display()));
    }
    Ok(())
}
