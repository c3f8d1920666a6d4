//! The command line: parse arguments, call the library, print results. The only place
//! that knows about clap, but for `main.rs` calling [`Cli::parse`].
//!
//! It is long because it declares the arguments and help of every command in one
//! place; what each command does is in the library, and a command here only reads its
//! arguments, calls it, writes what it returns and prints.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::calibrate;
use crate::england;
use crate::experiment::{self, Plan};
use crate::output::{self, Staging};
use crate::scenario::sweep::Concern;
use crate::scenario::{Scenario, Value, params};
use crate::sensitivity;
use crate::sweep::{self, Sweep};
use crate::table;

#[derive(Debug, Parser)]
#[command(
    name = "caseload",
    version,
    about = "Who decides how fast a child's assessment happens? An agent-based model of a children's social care workforce"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every rule for N replications on the same referrals and print the comparison
    Run(RunArgs),
    /// Check a scenario file and run nothing
    Validate(ValidateArgs),
    /// Re-draw the charts and report of an output folder from its tables, without re-running
    Chart(ChartArgs),
    /// What moved between two runs: the scenario values that differ and every metric, B against A
    Compare(CompareArgs),
    /// Compare simulated indicators with published targets; with --fit, fit parameters to them
    Calibrate(CalibrateArgs),
    /// Run every point of the scenario's [sweep] with every rule, paired, and map where a concern holds
    Sweep(SweepArgs),
    /// Combine the folders of `sweep`, `uncertainty` or `run --shard` into the files one machine would write
    Merge(MergeArgs),
    /// Rank the parameters that rest on assumptions by how much they move the rules' differences (Morris)
    Sensitivity(SensitivityArgs),
    /// How likely is "high risk"? Draw every assumption from its prior, compare the rules at each draw, and find what carries the answer
    Uncertainty(UncertaintyArgs),
    /// List every scenario parameter with its label, unit, allowed range, default, source and prior
    Params(ParamsArgs),
    /// Write a scenario of England's local authorities in a year, each with its own published figures
    England(EnglandArgs),
    /// Watch both rules run side by side on a local web page (127.0.0.1 only), for teaching
    #[cfg(feature = "explore")]
    Explore(ExploreArgs),
}

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
    /// caseload (Nelder-Mead on common random numbers)
    #[arg(long)]
    pub fit: bool,
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
    pub quiet: QuietArgs,
}

#[cfg(feature = "explore")]
#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// The scenario file (TOML) the page starts from (at most 5 teams and 10 simulated years)
    #[arg(default_value = crate::explore::DEFAULT_SCENARIO)]
    pub scenario: PathBuf,
    /// Port on 127.0.0.1 (0: any free port; the address is printed)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Open the system browser at the page
    #[arg(long)]
    pub open: bool,
    /// The only folder the server writes in (exports)
    #[arg(long, default_value = "output/explore")]
    pub out: PathBuf,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

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
    pub quiet: QuietArgs,
}

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

#[derive(Debug, Args)]
pub struct ParamsArgs {
    /// Print the table as Markdown (the table in docs/ODD.md is this output)
    #[arg(long)]
    pub markdown: bool,
    /// Rewrite a scenario file with every key present, in table order, each under a
    /// comment generated from the table; its values are kept
    #[arg(long, value_name = "FILE", conflicts_with = "markdown")]
    pub annotate: Option<PathBuf>,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `caseload sweep --shard K/N` (or `uncertainty` or `run`), every K once
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The merged output folder
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

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
    pub quiet: QuietArgs,
}

#[derive(Debug, Args)]
pub struct QuietArgs {
    /// Print nothing but results and errors
    #[arg(long, short)]
    pub quiet: bool,
}

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
    /// Output folder for tables, charts and the report (default: output/<scenario name>)
    #[arg(long)]
    pub out: Option<PathBuf>,
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
    pub quiet: QuietArgs,
}

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
    pub quiet: QuietArgs,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// An output folder written by `caseload run`
    pub dir: PathBuf,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The output folder of the run to compare against (`caseload run ... --out A`)
    pub a: PathBuf,
    /// The output folder of the run compared with it (say, of a copy of A's scenario with one number changed)
    pub b: PathBuf,
    /// Also write the comparison as a tidy CSV (metric, rule or difference, means, change, interval)
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML)
    pub scenario: PathBuf,
    #[command(flatten)]
    pub quiet: QuietArgs,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => run_command(a),
        Command::Validate(a) => {
            let s = Scenario::load(&a.scenario)?;
            // A sweep's every point must be a valid scenario too.
            let sweep = match s.sweep() {
                Some(_) => Some(Sweep::of(&s, Plan::of(&s))?),
                None => None,
            };
            if !a.quiet.quiet {
                let n = s.authorities.len();
                println!(
                    "{}: valid ({n} {}, {} {}, {} posts{})",
                    a.scenario.display(),
                    if n == 1 { "authority" } else { "authorities" },
                    s.n_teams(),
                    if s.n_teams() == 1 { "team" } else { "teams" },
                    s.n_posts(),
                    sweep.map_or(String::new(), |sw| format!("; a sweep of {} points", sw.points.len()))
                );
            }
            Ok(())
        }
        Command::Calibrate(a) => calibrate_command(a),
        Command::Chart(a) => {
            output::redraw(&a.dir)?;
            if !a.quiet.quiet {
                eprintln!("caseload: charts and report redrawn in {}", a.dir.display());
            }
            Ok(())
        }
        Command::Compare(a) => {
            let c = output::compare(&a.a, &a.b)?;
            if let Some(path) = &a.csv {
                output::write_atomic(path, c.csv.as_bytes())?;
            }
            std::io::stdout().lock().write_all(c.text.as_bytes()).context("writing the comparison")?;
            if !a.quiet.quiet
                && let Some(path) = &a.csv
            {
                eprintln!("caseload: comparison written to {}", path.display());
            }
            Ok(())
        }
        Command::Sweep(a) => sweep_command(a),
        Command::Merge(a) => {
            let merged = output::merge(&a.dirs, &a.out, a.force)?;
            if let Some(table) = &merged.table {
                std::io::stdout().lock().write_all(table.as_bytes()).context("writing the table")?;
            }
            if !a.quiet.quiet {
                eprintln!("caseload: {} shards merged into {}", a.dirs.len(), merged.dir.display());
            }
            Ok(())
        }
        Command::Sensitivity(a) => sensitivity_command(a),
        #[cfg(feature = "explore")]
        Command::Explore(a) => {
            let opts = crate::explore::Options { scenario: a.scenario, port: a.port, out: a.out };
            let (quiet, open) = (a.quiet.quiet, a.open);
            crate::explore::serve(opts, |addr| {
                let url = format!("http://{addr}/");
                println!("{url}");
                let _ = std::io::stdout().flush();
                if !quiet {
                    eprintln!("caseload: explore is serving {url} on this machine only; Ctrl-C stops it");
                }
                if open {
                    open_browser(&url, quiet);
                }
            })
        }
        Command::Uncertainty(a) => uncertainty_command(a),
        Command::England(a) => england_command(a),
        Command::Params(a) => {
            if let Some(path) = &a.annotate {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                // A file with a mistake is refused, not rewritten: a misspelt key would be
                // kept as it is and the real key added with its default beside it.
                Scenario::from_toml(&text, path)?;
                output::write_atomic(path, crate::scenario::annotate::annotate(&text).as_bytes())?;
                if !a.quiet.quiet {
                    eprintln!("caseload: {} annotated; check it with `caseload validate`", path.display());
                }
            } else if a.markdown {
                print!("{}", params_markdown());
            } else {
                print!("{}", params_table());
            }
            Ok(())
        }
    }
}

/// The scenario with the command line's rules, replications and seed written in, each
/// checked as the same key in a file would be (range, whole number, known rule, each rule
/// once), and its plan.
fn plan_of(
    s: &Scenario,
    rules: &Option<Vec<String>>,
    replications: Option<u32>,
    seed: Option<u64>,
) -> Result<(Scenario, Plan)> {
    let mut changes = Vec::new();
    if let Some(rules) = rules {
        if rules.iter().all(|r| r.trim().is_empty()) {
            bail!("--rules names no rule");
        }
        changes.push(("run.rules", Value::Texts(rules.iter().map(|r| r.trim().to_string()).collect())));
    }
    if let Some(n) = replications {
        changes.push(("run.replications", Value::Int(i64::from(n))));
    }
    if let Some(seed) = seed {
        let p = params::find_path("run.seed").expect("run.seed is a parameter");
        let Ok(seed) = i64::try_from(seed) else {
            bail!("--seed is {seed}; allowed {}", p.allowed());
        };
        changes.push(("run.seed", Value::Int(seed)));
    }
    let s = s.with_all_from(&changes, "command line")?;
    let plan = Plan::of(&s);
    Ok((s, plan))
}

fn run_command(a: RunArgs) -> Result<()> {
    let s = Scenario::load(&a.scenario)?;
    let (s, plan) = plan_of(&s, &a.rules, a.replications, a.seed)?;
    if let Some(shard) = &a.shard {
        return run_shard(&a, &s, &plan, sweep::parse_shard(shard)?);
    }
    let total = plan.rules.len() * plan.replications as usize;
    let opts = output::Options {
        dir: a.out.clone().unwrap_or_else(|| output::default_dir(&s)),
        force: a.force,
        case_log: a.case_log,
    };
    // Refuse an existing folder before spending time on the runs.
    let staging = Staging::begin(&opts)?;
    if !a.quiet.quiet {
        eprintln!("caseload: {total} runs ({} rules x {} replications)", plan.rules.len(), plan.replications);
    }
    let bar = Progress::new(total, !a.quiet.quiet && std::io::stderr().is_terminal());
    let progress = |done: usize| bar.update(done);
    let results = if a.case_log {
        experiment::run_logged(&s, &plan, a.threads, &progress, &|run| staging.case_sink(run))
    } else {
        experiment::run(&s, &plan, a.threads, &progress)
    };
    bar.finish();
    let mut out = std::io::stdout().lock();
    out.write_all(table::render(&s.run.name, &results).as_bytes()).context("writing the table")?;
    let dir = staging.commit(&s, &a.scenario, &results)?;
    if !a.quiet.quiet {
        eprintln!("caseload: tables, charts and report.html written to {}", dir.display());
    }
    Ok(())
}

/// `caseload run --shard K/N`: the shard's tasks, their counters kept for the merge.
fn run_shard(a: &RunArgs, s: &Scenario, plan: &Plan, (k, n): (usize, usize)) -> Result<()> {
    let total = experiment::n_tasks(s, plan);
    let range = output::shard_tasks(s, plan, k, n);
    let opts = output::Options {
        dir: a.out.clone().unwrap_or_else(|| default_out(s, &format!("shard-{k}"))),
        force: a.force,
        case_log: false,
    };
    let manifest = output::manifest(s, &a.scenario, plan, false)?;
    let staging = Staging::begin(&opts)?;
    if !a.quiet.quiet {
        eprintln!(
            "caseload: shard {k} of {n}: {} of {total} tasks ({} rules x {} replications x {} parts)",
            range.len(),
            plan.rules.len(),
            plan.replications,
            crate::model::n_parts(s)
        );
    }
    let bar = Progress::new(range.len(), !a.quiet.quiet && std::io::stderr().is_terminal());
    let parts = experiment::run_tasks(s, plan, range.clone(), a.threads, &|d| bar.update(d));
    bar.finish();
    let dir = output::write_run_shard(staging, &manifest, (k, n), range, total, &parts)?;
    if !a.quiet.quiet {
        eprintln!("caseload: shard {k} of {n} written to {}; `caseload merge` combines the shards", dir.display());
    }
    Ok(())
}

/// `output/<name>-<what>`.
fn default_out(s: &Scenario, what: &str) -> PathBuf {
    let d = output::default_dir(s);
    let name = d.file_name().map_or_else(|| "unnamed".into(), |n| n.to_string_lossy().into_owned());
    d.with_file_name(format!("{name}-{what}"))
}

fn sweep_command(a: SweepArgs) -> Result<()> {
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
    if !a.folder.quiet.quiet {
        eprintln!("caseload: sweep written to {}", dir.display());
    }
    Ok(())
}

/// Runs a sweep (or an uncertainty analysis's points) into its output folder: the shard,
/// the kept points of an interrupted run, a progress bar. Returns the folder and the rows
/// of the tasks run (all of them, or the shard's).
fn run_folder(sw: &Sweep, a: &FolderArgs, default: PathBuf, heading: &str) -> Result<(PathBuf, Vec<sweep::Row>)> {
    let shard = a.shard.as_deref().map(sweep::parse_shard).transpose()?;
    let opts = output::SweepOptions { dir: a.out.clone().unwrap_or(default), force: a.force, resume: a.resume, shard };
    let total = match shard {
        Some((k, n)) => sweep::shard(sw.n_tasks(), k, n).len(),
        None => sw.n_tasks(),
    };
    if !a.quiet.quiet {
        eprintln!(
            "caseload: {heading}{}: {total} runs",
            shard.map_or(String::new(), |(k, n)| format!(", shard {k} of {n}"))
        );
    }
    let mut folder = output::SweepFolder::begin(sw, &opts)?;
    if let Some((n_kept, n, dir)) = folder.kept.resumed()
        && !a.quiet.quiet
    {
        eprintln!("caseload: resuming: {n_kept} of {n} points kept in {}", dir.display());
    }
    let bar = Progress::new(total, !a.quiet.quiet && std::io::stderr().is_terminal());
    let rows = sweep::run(sw, folder.tasks(), a.threads, &mut folder.kept, &|d| bar.update(d))?;
    bar.finish();
    Ok((folder.commit(&rows)?, rows))
}

fn uncertainty_command(a: UncertaintyArgs) -> Result<()> {
    let s = Scenario::load(&a.scenario)?;
    let mut text = s.uncertainty().cloned().unwrap_or_default().to_toml();
    // Command-line settings are written into the section's text and checked as the file's are.
    let set = |text: &mut String, key: &str, value: String| {
        let lines: Vec<String> = text
            .lines()
            .map(|l| if l.starts_with(&format!("{key} = ")) { format!("{key} = {value}") } else { l.to_string() })
            .collect();
        *text = lines.join("\n") + "\n";
    };
    let quote = |xs: &[String]| xs.iter().map(|x| format!("\"{}\"", x.trim())).collect::<Vec<_>>().join(", ");
    if let Some(d) = a.draws {
        set(&mut text, "draws", d.to_string());
    }
    if let Some(n) = a.replications {
        set(&mut text, "replications", n.to_string());
    }
    if let Some(n) = a.sobol_base {
        set(&mut text, "sobol_base", n.to_string());
    }
    if let Some(f) = &a.factors {
        set(&mut text, "factors", format!("[{}]", quote(f)));
    }
    if !a.concern.is_empty() {
        set(&mut text, "concerns", format!("[{}]", quote(&a.concern)));
    }
    let spec = Scenario::from_toml(&text, std::path::Path::new("command line"))?.uncertainty().cloned();
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
        print!("{}", crate::uncertainty::render(&analysis, &sw.plan.rules[0].name(), &sw.plan.rules[1].name()));
    }
    if !a.folder.quiet.quiet {
        eprintln!("caseload: uncertainty analysis written to {}", dir.display());
    }
    Ok(())
}

fn sensitivity_command(a: SensitivityArgs) -> Result<()> {
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
    let quiet = a.quiet.quiet;
    let progress = |done: usize, total: usize| {
        bar.get_or_init(|| Progress::new(total, !quiet && std::io::stderr().is_terminal())).update(done)
    };
    let analysis = sensitivity::run(&s, plan, morris, a.threads, &progress)?;
    if let Some(b) = bar.get() {
        b.finish();
    }
    let dir = output::write_sensitivity(staging, &analysis)?;
    print!("{}", sensitivity::render(&analysis));
    if !quiet {
        eprintln!("caseload: sensitivity analysis written to {}", dir.display());
    }
    Ok(())
}

fn england_command(a: EnglandArgs) -> Result<()> {
    if let Some(dir) = &a.check {
        return england_check(a.year, dir);
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
    let text = if a.fit { fit_england(&a, &out, &written)? } else { written.text.clone() };
    output::write_atomic(&out, text.as_bytes())?;
    if !a.quiet.quiet {
        let fell_back: Vec<String> =
            written.fallbacks.iter().filter(|(_, n)| *n > 0).map(|(col, n)| format!("{col} {n}")).collect();
        eprintln!(
            "caseload: {} {} of England in {} written to {} (figures from their region: {}; {} values kept in range); check it with `caseload validate`",
            written.authorities,
            if written.authorities == 1 { "authority" } else { "authorities" },
            a.year,
            out.display(),
            if fell_back.is_empty() { "none".to_string() } else { fell_back.join(", ") },
            written.clamped
        );
    }
    Ok(())
}

/// Prints how a national run's authorities compare with the published figures they were
/// not fitted to (`caseload england --check DIR`).
fn england_check(year: u32, dir: &std::path::Path) -> Result<()> {
    let path = dir.join("authorities.csv");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!("reading {}: is {} the output of `caseload run` on an England scenario?", path.display(), dir.display())
    })?;
    let csv = england::Csv::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let col = |name: &str| csv.column(name).with_context(|| format!("{}: no column `{name}`", path.display()));
    let (code, metric, rule_a, mean_a, mean_b) =
        (col("code")?, col("metric")?, col("rule_a")?, col("mean_a")?, col("mean_b")?);
    // The rule in force that year gives the simulated figure.
    let in_force = england::rule_in_force(year).name();
    let simulated: Vec<(String, crate::model::Metric, f64)> = csv
        .rows
        .iter()
        .filter_map(|r| {
            let m = crate::model::Metric::by_name(&r[metric])?;
            let v = if r[rule_a] == in_force { &r[mean_a] } else { &r[mean_b] };
            Some((r[code].clone(), m, v.parse().ok()?))
        })
        .collect();
    println!("out of sample, {year} ({in_force}): each authority's simulated figure against its published one");
    println!(
        "{:<54} {:>11} {:>10} {:>10} {:>12} {:>11} {:>11}",
        "figure", "authorities", "published", "simulated", "correlation", "mean error", "mean |error|"
    );
    for c in england::out_of_sample(year, &simulated)? {
        println!(
            "{:<54} {:>11} {:>10.2} {:>10.2} {:>12} {:>11.2} {:>11.2}",
            format!("{} / {}", c.metric.name(), c.column),
            c.authorities,
            c.published_mean,
            c.simulated_mean,
            // No correlation across fewer than two authorities (or with no spread).
            if c.correlation.is_finite() { format!("{:.3}", c.correlation) } else { "-".into() },
            c.mean_error,
            c.mean_abs_error
        );
    }
    Ok(())
}

/// Fits every authority of a written England scenario to its own turnover, vacancy and
/// agency rates and caseload, keeping each finished authority beside the output file so an
/// interrupted fit resumes; returns the scenario text with the fitted values (each marked).
fn fit_england(a: &EnglandArgs, out: &std::path::Path, written: &england::England) -> Result<String> {
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
    let (quiet, total) = (a.quiet.quiet, targets.len());
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
    let one = calibrate::Runs { threads: 1, ..runs };
    let passes: Vec<Vec<bool>> = experiment::Pool::new(a.threads).map(0..fitted.parts().len(), &|k| {
        targets[k].as_ref().map_or_else(Vec::new, |t| {
            calibrate::compare(&fitted.parts()[k], t, one).iter().map(calibrate::Comparison::passes).collect()
        })
    });
    for (j, (m, tol)) in england::OWN_TARGETS.iter().enumerate() {
        let n = passes.iter().filter(|p| p.get(j) == Some(&true)).count();
        println!("{}: {n} of {} authorities within ±{tol} of their own figure", m.name(), passes.len());
    }
    let _ = std::fs::remove_dir_all(&kept);
    Ok(text)
}

fn calibrate_command(a: CalibrateArgs) -> Result<()> {
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
            let quiet = a.quiet.quiet;
            let progress = |n: usize, d: f64| {
                if !quiet {
                    eprintln!("caseload: fit evaluation {n}: distance {d:.3}");
                }
            };
            let fit = calibrate::fit(&s, &targets, free, runs, a.max_evaluations, &progress)?;
            let mut text = format!(
                "# Fitted by `caseload calibrate` to {} ({} evaluations, {} replications, seed {seed}).\n",
                a.targets.display(),
                fit.evaluations,
                a.replications
            );
            for (p, v) in &fit.values {
                text.push_str(&format!("# fitted {p} = {v}\n"));
            }
            text.push_str(&format!("# remaining weighted distance {:.4}\n\n", calibrate::distance(&fit.comparisons)));
            // Each fitted key says so in its comment; the rest come from the table.
            let source = format!("fitted by caseload calibrate to {}", a.targets.display());
            for line in fit.scenario.to_toml().lines() {
                let key = line.split(" = ").next().unwrap_or("");
                if fit.values.iter().any(|(p, _)| p.rsplit('.').next() == Some(key)) {
                    text.push_str(&format!("# Allowed: fitted.\n# Source: {source}.\n"));
                }
                text.push_str(line);
                text.push('\n');
            }
            let text = crate::scenario::annotate::annotate(&text);
            output::write_atomic(&out, text.as_bytes())?;
            if !quiet {
                eprintln!("caseload: fitted scenario written to {}", out.display());
            }
            for (p, v) in &fit.values {
                println!("fitted {p} = {v:.6}");
            }
            fit.comparisons
        }
    };
    print!("{}", calibrate::render(&s.run.name, &targets, &comparisons));
    let failed = comparisons.iter().filter(|c| !c.passes()).count();
    if failed > 0 {
        bail!("{failed} of {} targets outside tolerance", comparisons.len());
    }
    Ok(())
}

/// Opens the system browser at `url` (`xdg-open`); a machine without one only gets a note.
#[cfg(feature = "explore")]
fn open_browser(url: &str, quiet: bool) {
    use std::process::{Command, Stdio};
    let opened =
        Command::new("xdg-open").arg(url).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    if opened.is_err() && !quiet {
        eprintln!("caseload: no browser could be opened; open {url} yourself");
    }
}

/// A progress bar on stderr: runs done, rate and time left. The clock is read here, in
/// the command line, never in the model.
struct Progress {
    total: usize,
    enabled: bool,
    start: std::time::Instant,
    last: std::sync::Mutex<usize>,
}

impl Progress {
    #[allow(clippy::disallowed_methods)]
    fn new(total: usize, enabled: bool) -> Progress {
        Progress { total, enabled, start: std::time::Instant::now(), last: std::sync::Mutex::new(0) }
    }

    fn update(&self, done: usize) {
        if !self.enabled {
            return;
        }
        let mut last = self.last.lock().expect("progress");
        if done <= *last {
            return;
        }
        *last = done;
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let rate = done as f64 / secs;
        let left = (self.total - done) as f64 / rate.max(1e-9);
        let width = 30;
        let filled = width * done / self.total.max(1);
        let bar: String = "#".repeat(filled) + &"-".repeat(width - filled);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r[{bar}] {done}/{} runs, {rate:.1}/s, {left:.0}s left ", self.total);
    }

    fn finish(&self) {
        if self.enabled {
            let _ = writeln!(std::io::stderr().lock());
        }
    }
}

/// Every parameter, for `caseload params`: tab-separated, one row a key.
pub fn params_table() -> String {
    let mut out = String::from("parameter\tlabel\tunit\tallowed\tdefault\tsource\tprior\n");
    for p in params::PARAMS {
        let default = Value::default_of(p).to_toml();
        let prior = p.prior.map_or(String::new(), |q| q.words());
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{default}\t{}\t{prior}\n",
            p.path(),
            p.label,
            p.unit,
            p.allowed(),
            p.source
        ));
    }
    out
}

/// Every parameter as a Markdown table, for `caseload params --markdown` and docs/ODD.md.
pub fn params_markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from(
        "| parameter | what it is | unit | allowed | default | source | prior (assumptions) |\n|---|---|---|---|---|---|---|\n",
    );
    for p in params::PARAMS {
        let default = Value::default_of(p).to_toml();
        let prior = p.prior.map_or(String::new(), |q| q.words());
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | `{}` | {} | {} |\n",
            p.path(),
            cell(p.label),
            cell(p.unit),
            cell(&p.allowed()),
            cell(&default),
            cell(p.source),
            cell(&prior)
        ));
    }
    out
}
