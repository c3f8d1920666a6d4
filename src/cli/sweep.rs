//! `caseload sweep`: every point of the scenario's [sweep] with every rule, paired; and the folder a sweep or an uncertainty analysis runs into (shards, resuming).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{Say, default_out, plan_of};
use crate::output;
use crate::scenario::Scenario;
use crate::scenario::sweep::Concern;
use crate::sweep::{self, Sweep};

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML) with a [sweep] section
    pub scenario: PathBuf,
    /// Replications per point and rule (default: the scenario's)
    #[arg(long, short = 'n')]
    pub replications: Option<u32>,
    /// Master seed (default: the scenario's); every point uses the same seeds
    #[arg(long)]
    pub seed: Option<u64>,
    /// Rules to compare, comma-separated (default: the scenario's); the first two are paired
    #[arg(long, value_delimiter = ',')]
    pub rules: Option<Vec<String>>,
    /// The threshold of concern the report maps, e.g. "late_days_per_high_risk_referral > 0.5"
    /// (replaces the [sweep] section's)
    #[arg(long)]
    pub concern: Option<String>,
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// Where a sweep or an uncertainty analysis runs and writes: shards, resuming, threads,
/// the output folder.
#[derive(Debug, Args)]
pub struct FolderArgs {
    /// Run only the K-th of N slices of the runs and write its partial tables (1 <= K <= N)
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Continue an interrupted run from the points it finished
    #[arg(long)]
    pub resume: bool,
    /// Worker threads (0: one per core); results do not depend on it
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Output folder (default: output/<scenario name>-sweep, or -uncertainty)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists (and discard an interrupted run's points)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: SweepArgs) -> Result<()> {
    let say = Say::new(&a.folder.quiet);
    let mut s = Scenario::load(&a.scenario)?;
    if let Some(text) = &a.concern {
        let Some(mut spec) = s.sweep().cloned() else {
            bail!("{} has no [sweep] section to map a concern over", a.scenario.display());
        };
        spec.concern = Some(Concern::parse(text).map_err(|e| anyhow::anyhow!("--concern: {e}"))?);
        s = s.with_sweep(Some(spec));
    }
    let (s, plan) = plan_of(&s, &a.rules, a.replications, a.seed)?;
    // A sweep's manifest holds the [sweep] section only: an [uncertainty] section is for
    // `caseload uncertainty`, and its presence is how a manifest says which it is.
    let s = s.with_uncertainty(None);
    let sw = Sweep::of(&s, plan)?;
    let heading = format!(
        "sweep of {} points x {} rules x {} replications",
        sw.points.len(),
        sw.plan.rules.len(),
        sw.plan.replications
    );
    let (dir, _) = run_folder(&sw, &a.folder, default_out(&s, "sweep"), &heading)?;
    say.note(format!("sweep written to {}", dir.display()));
    Ok(())
}

/// Runs a sweep (or an uncertainty analysis's points) into its output folder: the shard,
/// the kept points of an interrupted run, a progress bar. Returns the folder and the rows
/// of the tasks run (all of them, or the shard's).
pub(super) fn run_folder(
    sw: &Sweep,
    a: &FolderArgs,
    default: PathBuf,
    heading: &str,
) -> Result<(PathBuf, Vec<sweep::Row>)> {
    let say = Say::new(&a.quiet);
    let shard = a.shard.as_deref().map(sweep::parse_shard).transpose()?;
    let opts = output::SweepOptions { dir: a.out.clone().unwrap_or(default), force: a.force, resume: a.resume, shard };
    let total = match shard {
        Some((k, n)) => sweep::shard(sw.n_tasks(), k, n).len(),
        None => sw.n_tasks(),
    };
    say.note(format!("{heading}{}: {total} runs", shard.map_or(String::new(), |(k, n)| format!(", shard {k} of {n}"))));
    let mut folder = output::SweepFolder::begin(sw, &opts)?;
    if let Some((n_kept, n, dir)) = folder.kept.resumed() {
        say.note(format!("resuming: {n_kept} of {n} points kept in {}", dir.display()));
    }
    let bar = say.progress(total);
    let rows = sweep::run(sw, folder.tasks(), a.threads, &mut folder.kept, &|d| bar.update(d))?;
    bar.finish();
    Ok((folder.commit(&rows)?, rows))
}
