//! A sweep's output folder: opened before the sweep runs (refusing an existing folder and
//! finding kept points), then filled with a shard's partial table or the whole sweep's
//! files. The sweep itself is run by `crate::sweep`.
//!
//! A single-machine sweep and the merge of its shards both end in [`write_final`] with the
//! same manifest text and the same rows, so they write the same bytes.

pub(crate) mod charts;
pub(crate) mod checkpoint;
pub(crate) mod report;
pub(crate) mod tables;

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::output::merge::shard_toml;
use crate::output::sweep::checkpoint::KeptPoints;
use crate::output::{Options, Staging, write_atomic};
use crate::sweep::{self, Row, Sweep};

/// Where and how a sweep writes.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub dir: PathBuf,
    pub force: bool,
    /// Continue an interrupted sweep from its kept points.
    pub resume: bool,
    /// Run only shard `k` of `n` (1-based) and write its partial tables.
    pub shard: Option<(usize, usize)>,
}

/// The manifest of a sweep: the scenario as run (seed, replications, rules and the
/// `[sweep]` section filled in), itself a scenario that repeats the sweep. No paths, not
/// even the scenario file's name, and no timestamps: shards run anywhere, from copies of the
/// scenario under any name, agree on it, and so does their merge with a single run.
pub fn sweep_manifest(sw: &Sweep) -> String {
    let mut out = String::new();
    out.push_str("# caseload sweep manifest: the scenario exactly as swept, every default filled in.\n");
    out.push_str(&format!("# caseload version: {}\n", env!("CARGO_PKG_VERSION")));
    out.push_str(&format!("# git revision: {}\n", option_env!("CASELOAD_GIT_REVISION").unwrap_or("unknown")));
    let command = if sw.base.uncertainty().is_some() { "uncertainty" } else { "sweep" };
    out.push_str(&format!("# Run it again with: caseload {command} manifest.toml\n\n"));
    out.push_str(&sw.base.to_toml());
    out
}

/// A sweep's output folder being filled: the staging folder and the kept points.
pub struct SweepFolder<'a> {
    sw: &'a Sweep,
    shard: Option<(usize, usize)>,
    range: Range<usize>,
    manifest: String,
    staging: Staging,
    /// Where each finished point is kept; hand it to [`sweep::run`].
    pub kept: KeptPoints<'a>,
}

impl<'a> SweepFolder<'a> {
    /// Refuses an existing output folder (without `force`) or an interrupted sweep's kept
    /// points (without `resume`, or kept for a different sweep), before anything runs.
    pub fn begin(sw: &'a Sweep, opts: &SweepOptions) -> Result<SweepFolder<'a>> {
        let total = sw.n_tasks();
        let range = match opts.shard {
            Some((k, n)) => sweep::shard(total, k, n),
            None => 0..total,
        };
        let manifest = sweep_manifest(sw);
        let identity = match opts.shard {
            Some((k, n)) => format!("{manifest}\n# {}", shard_toml("sweep", k, n, &range, total).replace('\n', "\n# ")),
            None => manifest.clone(),
        };
        let staging = Staging::begin(&Options { dir: opts.dir.clone(), force: opts.force, case_log: false })?;
        let kept = KeptPoints::open(sw, range.clone(), &opts.dir, &identity, opts.resume, opts.force)?;
        Ok(SweepFolder { sw, shard: opts.shard, range, manifest, staging, kept })
    }

    /// The sweep's tasks this folder is for: the shard's, or all.
    pub fn tasks(&self) -> Range<usize> {
        self.range.clone()
    }

    /// Writes `rows`, every row of [`SweepFolder::tasks`] in task order: a shard gets
    /// `manifest.toml`, `shard.toml` and its rows in `sweep.parquet`; a whole sweep gets
    /// [`write_final`]. Then the folder is put in place and the kept points removed.
    pub fn commit(self, rows: &[Row]) -> Result<PathBuf> {
        let SweepFolder { sw, shard, range, manifest, staging, kept } = self;
        let dir = staging.commit_with(|path| match shard {
            Some((k, n)) => {
                write_atomic(&path.join("manifest.toml"), manifest.as_bytes())?;
                write_atomic(&path.join("shard.toml"), shard_toml("sweep", k, n, &range, sw.n_tasks()).as_bytes())?;
                crate::output::sweep::tables::write_rows(sw, rows, &path.join("sweep.parquet"))
            }
            None => write_final(path, sw, &manifest, rows),
        })?;
        kept.remove();
        Ok(dir)
    }
}

/// The whole sweep's files: manifest, tables, charts and report (an uncertainty analysis's,
/// when the sweep is one).
pub(crate) fn write_final(dir: &Path, sw: &Sweep, manifest: &str, rows: &[Row]) -> Result<()> {
    if sw.base.uncertainty().is_some() {
        return crate::output::uncertainty::write_final(dir, sw, manifest, rows);
    }
    write_atomic(&dir.join("manifest.toml"), manifest.as_bytes())?;
    crate::output::sweep::tables::write_rows(sw, rows, &dir.join("sweep.parquet"))?;
    let diffs = sweep::differences(sw, rows);
    crate::output::sweep::tables::write_summary(sw, &diffs, &dir.join("sweep_summary.csv"))?;
    crate::output::sweep::report::write(dir, sw, &diffs)
}
