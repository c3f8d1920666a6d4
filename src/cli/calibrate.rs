//! `caseload calibrate`: simulated indicators against published targets; with `--fit`, the free parameters fitted to them.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{Say, print};
use crate::calibrate;
use crate::output;
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,
    /// The published targets (TOML; see targets/)
    #[arg(long)]
    pub targets: PathBuf,
    /// Parameters to fit, comma-separated (e.g. workforce.leave_rate_permanent)
    #[arg(long, value_delimiter = ',')]
    pub fit: Option<Vec<String>>,
    /// Replications for each comparison
    #[arg(long, short = 'n', default_value_t = 40)]
    pub replications: u32,
    /// Master seed (default: the scenario's); every fitting step uses the same seeds
    #[arg(long)]
    pub seed: Option<u64>,
    /// Most scenario evaluations the fit may spend
    #[arg(long, default_value_t = 60)]
    pub max_evaluations: usize,
    /// Where to write the fitted scenario (default: SCENARIO with .fitted.toml)
    #[arg(long)]
    pub write: Option<PathBuf>,
    /// Replace the fitted scenario file if it exists
    #[arg(long)]
    pub force: bool,
    /// Worker threads (0: one per core)
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: CalibrateArgs) -> Result<()> {
    let say = Say::new(&a.quiet);
    let s = Scenario::load(&a.scenario)?;
    let targets = calibrate::Targets::load(&a.targets)?;
    if a.replications < 2 {
        bail!("--replications must be at least 2 to give an interval");
    }
    if a.fit.is_none() && (a.write.is_some() || a.force) {
        bail!("--write and --force go with --fit");
    }
    let seed = a.seed.unwrap_or(s.run.seed);
    let runs = calibrate::Runs { replications: a.replications, seed, threads: a.threads };
    let comparisons = match &a.fit {
        None => calibrate::compare(&s, &targets, runs),
        Some(free) => {
            let out = a.write.clone().unwrap_or_else(|| a.scenario.with_extension("fitted.toml"));
            if out.exists() && !a.force {
                bail!("{} already exists; use --force to replace it, or --write for another", out.display());
            }
            let progress = |n: usize, d: f64| {
                say.note(format!("fit evaluation {n}: distance {d:.3}"));
            };
            let fit = calibrate::fit(&s, &targets, free, runs, a.max_evaluations, &progress)?;
            let text = calibrate::fitted_text(&fit, &a.targets.display().to_string(), a.replications, seed);
            output::write_atomic(&out, text.as_bytes())?;
            say.note(format!("fitted scenario written to {}", out.display()));
            print(&fit.values.iter().map(|(p, v)| format!("fitted {p} = {v:.6}\n")).collect::<String>())?;
            fit.comparisons
        }
    };
    print(&calibrate::render(&s.run.name, &targets, &comparisons))?;
    let failed = comparisons.iter().filter(|c| !c.passes()).count();
    if failed > 0 {
        bail!("{failed} of {} targets outside tolerance", comparisons.len());
    }
    Ok(())
}
