//! `caseload run`: every rule for N replications on the same referrals, the comparison printed and the folder written; with `--shard K/N`, a slice of its tasks kept for `caseload merge`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{Say, default_out, plan_of, print};
use crate::experiment::{self, Plan};
use crate::output::{self, Staging};
use crate::printout;
use crate::scenario::Scenario;

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
    /// Output folder for tables, charts and the report (default: output/<scenario name>,
    /// or output/<scenario name>-<rules> when --rules, --seed or -n change the run)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the table as CSV (every rule's mean and interval, full names) instead of
    /// the aligned table
    #[arg(long)]
    pub csv: bool,
    /// Replace the output folder if it exists
    #[arg(long)]
    pub force: bool,
    /// Also write cases.parquet, one row per completed case
    #[arg(long)]
    pub case_log: bool,
    /// Run only the K-th of N slices of the runs' tasks (each authority of each
    /// replication and rule is a task) and keep their counters for `caseload merge`
    #[arg(long, value_name = "K/N", conflicts_with = "case_log")]
    pub shard: Option<String>,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: RunArgs) -> Result<()> {
    let say = Say::new(&a.quiet);
    let s = Scenario::load(&a.scenario)?;
    let (s, plan) = plan_of(&s, &a.rules, a.replications, a.seed)?;
    if let Some(shard) = &a.shard {
        return run_shard(&a, &s, &plan, crate::sweep::parse_shard(shard)?, say);
    }
    let total = plan.rules.len() * plan.replications as usize;
    let opts =
        output::Options { dir: a.out.clone().unwrap_or_else(|| run_dir(&s, &a)), force: a.force, case_log: a.case_log };
    // Refuse an existing folder before spending time on the runs.
    let staging = Staging::begin(&opts)?;
    say.note(format!("{total} runs ({} rules x {} replications)", plan.rules.len(), plan.replications));
    let bar = say.progress(total);
    let progress = |done: usize| bar.update(done);
    let results = if a.case_log {
        experiment::run_logged(&s, &plan, a.threads, &progress, &|run| staging.case_sink(run))
    } else {
        experiment::run(&s, &plan, a.threads, &progress)
    };
    bar.finish();
    print(&if a.csv { printout::render_csv(&results) } else { printout::render(&s.run.name, &results) })?;
    let dir = staging.commit(&s, &a.scenario, &results)?;
    say.note(format!("tables, charts and report.html written to {}", dir.display()));
    Ok(())
}

/// `caseload run --shard K/N`: the shard's tasks, their counters kept for the merge.
fn run_shard(a: &RunArgs, s: &Scenario, plan: &Plan, (k, n): (usize, usize), say: Say) -> Result<()> {
    let total = experiment::n_tasks(s, plan);
    let range = output::shard_tasks(s, plan, k, n);
    let opts = output::Options {
        dir: a.out.clone().unwrap_or_else(|| default_out(s, &format!("shard-{k}"))),
        force: a.force,
        case_log: false,
    };
    let manifest = output::manifest(s, &a.scenario, plan, false)?;
    let staging = Staging::begin(&opts)?;
    say.note(format!(
        "shard {k} of {n}: {} of {total} tasks ({} rules x {} replications x {} parts)",
        range.len(),
        plan.rules.len(),
        plan.replications,
        crate::model::n_parts(s)
    ));
    let bar = say.progress(range.len());
    let parts = experiment::run_tasks(s, plan, range.clone(), a.threads, &|d| bar.update(d));
    bar.finish();
    let dir = output::write_run_shard(staging, &manifest, (k, n), range, total, &parts)?;
    say.note(format!("shard {k} of {n} written to {}; `caseload merge` combines the shards", dir.display()));
    Ok(())
}

/// Where a run writes by default: `output/<name>`, or, when the command line changes the
/// rules, the replications or the seed, a folder that says so
/// (`output/baseline-shared_for_novices_2-manager_shared`, `output/baseline-n20-seed7`), so
/// that such a run never meets the main job's folder.
fn run_dir(s: &Scenario, a: &RunArgs) -> PathBuf {
    let mut parts = Vec::new();
    if let Some(rules) = &a.rules {
        parts.push(rules.iter().map(|r| r.trim().to_string()).collect::<Vec<_>>().join("-"));
    }
    if let Some(n) = a.replications {
        parts.push(format!("n{n}"));
    }
    if let Some(seed) = a.seed {
        parts.push(format!("seed{seed}"));
    }
    if parts.is_empty() {
        return output::default_dir(s);
    }
    let base = output::default_dir(s);
    let tail: String = parts
        .join("-")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .collect();
    base.with_file_name(format!("{}-{tail}", base.file_name().map_or("run".into(), |f| f.to_string_lossy())))
}
