//! `caseload england`: a scenario of England's authorities in a year from the DfE's figures; `--fit` fits each to its own; `--check DIR` compares a national run with the figures it was not fitted to.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::{Say, print};
use crate::calibrate;
use crate::england;
use crate::output;
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct EnglandArgs {
    /// The year of the DfE figures (time_period): the workforce at 30 September, the referrals of the year to 31 March
    #[arg(long)]
    pub year: u32,
    /// Keep only this authority, by name or code, new or old (repeat, or separate with commas)
    #[arg(long = "authority", value_name = "NAME|CODE")]
    pub authorities: Vec<String>,
    /// The scenario whose scenario-wide values the authorities start from (default:
    /// scenarios/england_2025.toml for 2022 on, scenarios/england_2017.toml before)
    #[arg(long, value_name = "SCENARIO")]
    pub base: Option<PathBuf>,
    /// Where to write the scenario
    #[arg(long, value_name = "FILE", required_unless_present = "check")]
    pub out: Option<PathBuf>,
    /// Compare a national run's authorities (the output folder of `caseload run` on an
    /// England scenario) with the figures they were not fitted to, and write nothing
    #[arg(long, value_name = "DIR", conflicts_with_all = ["fit", "out"])]
    pub check: Option<PathBuf>,
    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
    /// Fit each authority's leaving rate, time to hire, agency cover, days a child stays
    /// open and direct-work share to its own turnover, vacancy and agency rates and
    /// caseload (Nelder-Mead on common random numbers). The default with --authority;
    /// for every authority it takes about ten minutes on two cores
    #[arg(long, conflicts_with = "no_fit")]
    pub fit: bool,
    /// With --authority: write the starting values, unfitted (the file and the closing
    /// message say so: they give other figures than the authority's own)
    #[arg(long)]
    pub no_fit: bool,
    /// Most evaluations of each authority's fit
    #[arg(long, default_value_t = 40)]
    pub fit_evaluations: usize,
    /// Replications for each evaluation of a fit
    #[arg(long, short = 'n', default_value_t = 4)]
    pub replications: u32,
    /// Continue an interrupted fit from the authorities it finished
    #[arg(long)]
    pub resume: bool,
    /// Worker threads for the fit (0: one per core); results do not depend on it
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: EnglandArgs) -> Result<()> {
    let say = Say::new(&a.quiet);
    if let Some(dir) = &a.check {
        let path = dir.join("authorities.csv");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "reading {}: is {} the output of `caseload run` on an England scenario?",
                path.display(),
                dir.display()
            )
        })?;
        return print(&england::check_report(a.year, &text, &path.display().to_string()).map_err(anyhow::Error::msg)?);
    }
    let Some(out) = a.out.clone() else { bail!("caseload england needs --out FILE (or --check DIR)") };
    if out.exists() && !a.force {
        bail!("{} already exists; use --force to replace it", out.display());
    }
    let base_path = a.base.clone().unwrap_or_else(|| PathBuf::from(england::default_base(a.year)));
    // The default base is compiled in too, so the command works from any folder; a copy
    // in the folder it runs from is used first.
    let base = if a.base.is_none() && !base_path.exists() {
        Scenario::from_toml(england::default_base_text(a.year), &base_path)
    } else {
        Scenario::load(&base_path)
    }
    .with_context(|| format!("reading the base scenario {}", base_path.display()))?;
    let request = england::Request {
        year: a.year,
        only: &a.authorities,
        base: &base,
        base_name: &base_path.display().to_string(),
    };
    let written = england::scenario(&request).context("caseload england")?;
    // A chosen authority is fitted unless told not to: its starting values, scaled from
    // the national fit, give other figures than its own.
    let fitting = a.fit || (!a.authorities.is_empty() && !a.no_fit);
    let text = if fitting { fit(&a, &out, &written, say)? } else { format!("{UNFITTED}{}", written.text) };
    output::write_atomic(&out, text.as_bytes())?;
    {
        let fell_back: Vec<String> =
            written.fallbacks.iter().filter(|(_, n)| *n > 0).map(|(col, n)| format!("{col} {n}")).collect();
        say.note(format!(
            "{} {} of England in {} written to {} (figures from their region: {}; {} values kept in range); check it with `caseload validate`",
            written.authorities,
            if written.authorities == 1 { "authority" } else { "authorities" },
            a.year,
            out.display(),
            if fell_back.is_empty() { "none".to_string() } else { fell_back.join(", ") },
            written.clamped
        ));
    }
    if !fitting {
        // Said whatever --quiet says: the file is not what a reader of the README expects.
        eprintln!(
            "caseload: NOT FITTED: {} holds starting values scaled from the national fit, which give other \
             turnover, vacancy, agency and caseload figures than each authority's own; add --fit to fit them",
            out.display()
        );
    }
    Ok(())
}

/// The first lines of an unfitted England scenario.
const UNFITTED: &str = "# NOT FITTED: starting values scaled from the national fit, which give other turnover,\n\
# vacancy, agency and caseload figures than each authority's own. `caseload england --fit`\n\
# fits them.\n";

/// Fits every authority of a written England scenario to its own turnover, vacancy and
/// agency rates and caseload, keeping each finished authority beside the output file so an
/// interrupted fit resumes; returns the scenario text with the fitted values (each marked).
fn fit(a: &EnglandArgs, out: &std::path::Path, written: &england::England, say: Say) -> Result<String> {
    let s = &written.scenario;
    let targets = england::own_targets(written, a.year);
    let kept =
        out.with_file_name(format!(".{}.fit", out.file_name().map_or("england".into(), |n| n.to_string_lossy())));
    if kept.exists() && !a.resume {
        bail!(
            "an interrupted fit's authorities are kept in {}: add --resume to continue it, or remove it",
            kept.display()
        );
    }
    std::fs::create_dir_all(&kept).with_context(|| format!("creating {}", kept.display()))?;
    let file = |i: usize| kept.join(format!("authority-{:04}.txt", i + 1));
    let read = |i: usize| england::read_fit(&std::fs::read_to_string(file(i)).ok()?);
    let (quiet, total) = (say.quiet, targets.len());
    let finished = std::sync::atomic::AtomicUsize::new(0);
    let done = |i: usize, f: &calibrate::Fit| {
        let _ = output::write_atomic(&file(i), england::fit_text(&f.values).as_bytes());
        let n = finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if !quiet {
            eprint!("\rcaseload: {n} of {total} authorities fitted ");
        }
    };
    let free: Vec<String> = england::OWN_FREE.iter().map(|s| s.to_string()).collect();
    let runs = calibrate::Runs { replications: a.replications, seed: s.run.seed, threads: a.threads };
    let fits = calibrate::fit_authorities(s, &targets, &free, runs, a.fit_evaluations, &read, &done)?;
    if !quiet {
        eprintln!();
    }
    let note = format!(
        "fitted by caseload england --fit to this authority's own turnover, vacancy and agency rates and caseload ({} evaluations, {} replications)",
        a.fit_evaluations, a.replications
    );
    let text = england::with_fits(&written.text, &fits, &note);
    let fitted = Scenario::from_toml(&text, out).context("the fitted scenario does not validate (a bug)")?;
    // How many authorities land within tolerance on each indicator.
    print(&england::within_own(&fitted, &targets, runs))?;
    let _ = std::fs::remove_dir_all(&kept);
    Ok(text)
}
