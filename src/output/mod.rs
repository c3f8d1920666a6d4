//! Results a person can use: tables (Parquet, CSV), charts (PNG, SVG), a manifest and a
//! one-page report, written so that nothing is half-written.
//!
//! A run writes into a staging folder beside the output folder and renames it into place
//! only when everything is written: an interrupted run leaves the previous results or
//! none, never a mixture. Charts and the report are drawn from the tables as read back
//! from disk, so `caseload chart DIR` draws exactly what the run drew.

pub(crate) mod chart;
pub(crate) mod history;
pub(crate) mod html;
pub(crate) mod merge;
pub(crate) mod run;
pub(crate) mod sensitivity;
pub(crate) mod sweep;
pub(crate) mod table_file;
pub(crate) mod uncertainty;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

pub use chart::{Spec, SpecRow};
pub use merge::{Merged, merge};
pub use run::compare::{Comparison, compare, compare_only};
pub use run::data::RunData;
pub use run::shard::{shard_tasks, write_run_shard};
pub use sensitivity::write_sensitivity;
pub use sweep::checkpoint::KeptPoints;
pub use sweep::{SweepFolder, SweepOptions};

use crate::experiment::{CaseSink, Plan, Results};
use crate::model::Metric;
use crate::scenario::Scenario;

/// Where and how a run's results are written.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    /// Replace an existing output folder.
    pub force: bool,
    /// Write `cases.parquet`, one row per completed case.
    pub case_log: bool,
}

/// The default output folder of a scenario: `output/<name>`.
pub fn default_dir(s: &Scenario) -> PathBuf {
    let name: String =
        s.run.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    PathBuf::from("output").join(if name.is_empty() { "unnamed".to_string() } else { name })
}

/// A staging folder being filled; [`Staging::commit`] puts it in place.
pub struct Staging {
    opts: Options,
    path: PathBuf,
    case_error: Arc<Mutex<Option<String>>>,
}

/// The hidden folders beside `dir` that a run's staging uses, each named for its process:
/// `.<name>.partial-<pid>` while being filled, `.<name>.old-<pid>` for the folder replaced.
const STAGING_TAGS: [&str; 2] = ["partial", "old"];

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    dir.with_file_name(format!(".{}.{tag}-{}", folder_name(dir), std::process::id()))
}

/// The last part of an output folder's path, which names its hidden neighbours.
fn folder_name(dir: &Path) -> String {
    dir.file_name().map_or("output".into(), |n| n.to_string_lossy().into_owned())
}

/// Removes the staging folders beside `dir` that killed runs left: those named for a
/// process that no longer exists. Whether a process exists is read from `/proc`; where
/// there is no `/proc`, nothing is removed. A folder of a live process is left alone, and
/// so is one that cannot be removed (it only wastes space).
fn remove_stale_staging(dir: &Path, parent: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let name = folder_name(dir);
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = STAGING_TAGS.iter().find_map(|tag| {
            let rest = file_name.to_str()?.strip_prefix(&format!(".{name}.{tag}-"))?;
            rest.parse::<u32>().ok().filter(|pid| pid.to_string() == rest)
        }) else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Staging {
    /// Checks the output folder can be written (refusing an existing one without
    /// `force`), removes staging folders beside it whose process is gone, and makes an
    /// empty staging folder beside it.
    pub fn begin(opts: &Options) -> Result<Staging> {
        if opts.dir.exists() && !opts.force {
            bail!(
                "output folder {} already exists; use --force to replace it, or --out for another",
                opts.dir.display()
            );
        }
        let parent = opts.dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        remove_stale_staging(&opts.dir, parent);
        let path = sibling(&opts.dir, "partial");
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Staging { opts: opts.clone(), path, case_error: Arc::new(Mutex::new(None)) })
    }

    fn case_part(&self, run: usize) -> PathBuf {
        self.path.join(format!("cases.part-{run:06}.bin"))
    }

    /// The case-log sink for run number `run` of the plan.
    pub fn case_sink(&self, run: usize) -> Box<dyn CaseSink> {
        Box::new(run::tables::CasePart::new(self.case_part(run), Arc::clone(&self.case_error)))
    }

    /// Fills the staging folder with `write`, then puts it in place.
    pub fn commit_with(self, write: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
        write(&self.path)?;
        self.into_place()
    }

    /// Writes the tables, manifest, charts and report, then puts the folder in place.
    pub fn commit(self, s: &Scenario, scenario_file: &Path, results: &Results) -> Result<PathBuf> {
        let manifest = manifest(s, scenario_file, &results.plan, self.opts.case_log)?;
        self.commit_manifest(s, &manifest, results)
    }

    /// [`Staging::commit`] with the manifest's text given: the merge of a run's shards
    /// writes the manifest they carry.
    fn commit_manifest(self, s: &Scenario, manifest: &str, results: &Results) -> Result<PathBuf> {
        let dir = &self.path;
        run::tables::write_run_tables(dir, results, s.demand.limit_days)?;
        run::authorities::write(dir, results)?;
        if self.opts.case_log {
            if let Some(e) = self.case_error.lock().expect("error slot").take() {
                bail!("writing the case log: {e}");
            }
            let parts: Vec<(PathBuf, String, u32)> = results
                .runs
                .iter()
                .enumerate()
                .map(|(i, r)| (self.case_part(i), r.rule.name(), r.replication as u32))
                .collect();
            let codes: Vec<String> = s.parts().iter().map(|p| p.authorities[0].code.clone()).collect();
            run::tables::merge_case_parts(&parts, &codes, &dir.join("cases.parquet"))?;
        }
        std::fs::write(dir.join("manifest.toml"), manifest).context("writing manifest.toml")?;
        let as_run = read_manifest(dir)?;
        let data = run::tables::read_run_data(dir, &as_run)?;
        run::tables::write_summary(dir, &data.summary_rows(&metric_names()))?;
        draw(dir, &data, &as_run)?;
        self.into_place()
    }

    /// Into place: the old folder aside, the new one in, the old one gone.
    fn into_place(self) -> Result<PathBuf> {
        let dir = &self.path;
        let target = &self.opts.dir;
        let old = sibling(target, "old");
        if target.exists() {
            std::fs::rename(target, &old).with_context(|| format!("moving {} aside", target.display()))?;
        }
        std::fs::rename(dir, target).with_context(|| format!("renaming {} to {}", dir.display(), target.display()))?;
        if old.exists() {
            std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
        }
        Ok(target.clone())
    }
}

impl Drop for Staging {
    /// A staging folder left behind by an error is removed.
    fn drop(&mut self) {
        if self.path.exists() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn metric_names() -> Vec<&'static str> {
    Metric::ALL.iter().map(|m| m.name()).collect()
}

/// The scenario of the output folder `dir` as run, from its manifest.
fn read_manifest(dir: &Path) -> Result<Scenario> {
    let path = dir.join("manifest.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Scenario::from_toml(&text, &path).context("the manifest is not a valid scenario")
}

/// Draws the charts and report of the output folder `dir` from `data` and the scenario
/// of its manifest, each file written under a temporary name and renamed when complete.
fn draw(dir: &Path, data: &RunData, scenario: &Scenario) -> Result<()> {
    let mut made = run::charts::draw_all(dir, data, scenario)?;
    let mut extra = String::new();
    if let Some(rows) = run::authorities::read(dir)? {
        let (charts, html) = run::authorities::section(dir, &rows, scenario)?;
        made.extend(charts);
        extra = html;
    }
    let html = run::report::render(scenario, data, &made, dir, &extra)?;
    write_atomic(&dir.join("report.html"), html.as_bytes())
}

/// Re-draws the charts and report of an output folder from its tables, checked against
/// its manifest.
/// What every chart of the run in `dir` says: titles, axes, legends and the forest plot's
/// rows and key, from the tables as read back (the same the charts are drawn from).
pub fn chart_specs(dir: &Path) -> Result<Vec<Spec>> {
    let scenario = read_manifest(dir)?;
    let data = run::tables::read_run_data(dir, &scenario)?;
    Ok(run::charts::specs(&data, &scenario))
}

pub fn redraw(dir: &Path) -> Result<()> {
    if !dir.join("runs.parquet").exists() {
        bail!("{} holds no runs.parquet: is it a caseload output folder?", dir.display());
    }
    let scenario = read_manifest(dir)?;
    let data = run::tables::read_run_data(dir, &scenario)?;
    draw(dir, &data, &scenario)
}

/// Writes a file under a temporary name, then renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("{}.tmp", path.extension().and_then(|e| e.to_str()).unwrap_or("")));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming {}", tmp.display()))
}

/// The scenario exactly as run, every default filled in, with the plan's seed,
/// replications and rules: itself a scenario file that repeats the run. Provenance goes
/// in comments, so the file stays a valid scenario. No timestamps.
pub fn manifest(s: &Scenario, scenario_file: &Path, plan: &Plan, case_log: bool) -> Result<String> {
    let as_run = plan.written_into(s)?;
    let mut out = String::new();
    out.push_str("# caseload manifest: the scenario exactly as run, every default filled in.\n");
    out.push_str(&format!("# caseload version: {}\n", env!("CARGO_PKG_VERSION")));
    out.push_str(&format!("# git revision: {}\n", option_env!("CASELOAD_GIT_REVISION").unwrap_or("unknown")));
    out.push_str(&format!("# scenario file: {}\n", scenario_file.display()));
    out.push_str(&format!("# case log: {}\n", if case_log { "yes" } else { "no" }));
    out.push_str("# Run it again with: caseload run manifest.toml\n\n");
    out.push_str(&as_run.to_toml());
    Ok(out)
}
