//! `caseload uncertainty`: every assumption drawn from its prior, the rules compared at each draw, and what carries the answer.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::sweep::{FolderArgs, run_folder};
use super::{Say, default_out, plan_of, print};
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct UncertaintyArgs {
    /// The scenario file (TOML); its [uncertainty] section, if any, sets the analysis
    pub scenario: PathBuf,
    /// Joint draws from the priors (default: the section's, else 128)
    #[arg(long)]
    pub draws: Option<u32>,
    /// Paired replications at every point (default: the section's, else 4)
    #[arg(long, short = 'n')]
    pub replications: Option<u32>,
    /// N of the Saltelli design for the Sobol indices (default: the section's, else 32)
    #[arg(long)]
    pub sobol_base: Option<u32>,
    /// Factors given Sobol indices and break-even values, comma-separated
    #[arg(long, value_delimiter = ',')]
    pub factors: Option<Vec<String>>,
    /// A concern, e.g. "under_rated_high_pct > 2" (repeat for several; replaces the section's)
    #[arg(long)]
    pub concern: Vec<String>,
    /// Master seed of the runs (default: the scenario's); the design's seed is the section's
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub folder: FolderArgs,
}

pub(super) fn run(a: UncertaintyArgs) -> Result<()> {
    let say = Say::new(&a.folder.quiet);
    let s = Scenario::load(&a.scenario)?;
    // Command-line settings replace the section's and are checked as the file's are.
    let quote =
        |xs: &[String]| format!("[{}]", xs.iter().map(|x| format!("\"{}\"", x.trim())).collect::<Vec<_>>().join(", "));
    let mut settings = Vec::new();
    if let Some(d) = a.draws {
        settings.push(("draws", d.to_string()));
    }
    if let Some(n) = a.replications {
        settings.push(("replications", n.to_string()));
    }
    if let Some(n) = a.sobol_base {
        settings.push(("sobol_base", n.to_string()));
    }
    if let Some(f) = &a.factors {
        settings.push(("factors", quote(f)));
    }
    if !a.concern.is_empty() {
        settings.push(("concerns", quote(&a.concern)));
    }
    let spec = Some(s.uncertainty().cloned().unwrap_or_default().with_settings(&settings, "command line")?);
    let s = s.with_uncertainty(spec).with_sweep(None);
    let (s, _) = plan_of(&s, &None, None, a.seed)?;
    let design = crate::uncertainty::Design::of(&s);
    let sw = design.sweep(&s)?;
    let heading = format!(
        "uncertainty analysis of {} points ({} draws, Sobol on {} factors, break-even curves) x 2 rules x {} replications",
        sw.points.len(),
        design.spec.draws,
        design.sobol.len(),
        sw.plan.replications
    );
    let (dir, rows) = run_folder(&sw, &a.folder, default_out(&s, "uncertainty"), &heading)?;
    if a.folder.shard.is_none() {
        let analysis = crate::uncertainty::analyse(design, &sw, &rows);
        print(&crate::uncertainty::render(&analysis, &sw.plan.rules[0].name(), &sw.plan.rules[1].name()))?;
    }
    say.note(format!("uncertainty analysis written to {}", dir.display()));
    Ok(())
}
