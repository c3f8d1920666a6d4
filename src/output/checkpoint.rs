//! A sweep's checkpoints: each finished point kept as `point-NNNNNN.tsv` in
//! `.<out>.progress/` beside the output folder until the sweep is done, so that an
//! interrupted sweep resumes where it stopped (`caseload sweep --resume`).

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::write_atomic;
use crate::model::Metric;
use crate::sweep::{Checkpoints, Row, Sweep};

/// The folder beside `dir` where finished points are kept until the sweep is done.
fn progress_dir(dir: &Path) -> PathBuf {
    let name = dir.file_name().map_or("output".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.progress"))
}

/// The finished points of one sweep (or one shard of it), kept in files.
pub struct KeptPoints<'a> {
    sw: &'a Sweep,
    /// The sweep's tasks this run covers.
    range: Range<usize>,
    dir: PathBuf,
    /// Whether the folder held an interrupted run's points when opened.
    resumed: bool,
    /// Points kept by this run.
    fresh: usize,
    /// For tests of resuming: stop as if interrupted once this many points are kept.
    stop_after: Option<usize>,
}

impl<'a> KeptPoints<'a> {
    /// Opens the kept points of the tasks `range` of `sw` written into the output folder
    /// `out`. `identity` is the text that tells one sweep (and shard) from another: kept
    /// points of a different sweep are refused. Kept points are refused without `resume`
    /// and discarded with `force`.
    pub fn open(
        sw: &'a Sweep,
        range: Range<usize>,
        out: &Path,
        identity: &str,
        resume: bool,
        force: bool,
    ) -> Result<KeptPoints<'a>> {
        let dir = progress_dir(out);
        let mut resumed = false;
        if dir.exists() {
            if resume {
                let was = std::fs::read_to_string(dir.join("manifest.toml")).unwrap_or_default();
                if was != identity {
                    bail!(
                        "the interrupted sweep kept in {} was a different sweep (scenario, seed, replications, rules or shard); \
                         remove that folder, or run without --resume and with --force to start again",
                        dir.display()
                    );
                }
                resumed = true;
            } else if force {
                std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
            } else {
                bail!(
                    "an interrupted sweep's finished points are kept in {}: add --resume to continue it, or --force to start again",
                    dir.display()
                );
            }
        }
        if !dir.exists() {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            write_atomic(&dir.join("manifest.toml"), identity.as_bytes())?;
        }
        let stop_after = std::env::var("CASELOAD_STOP_AFTER_POINTS").ok().and_then(|v| v.parse().ok());
        Ok(KeptPoints { sw, range, dir, resumed, fresh: 0, stop_after })
    }

    /// When an interrupted run's points were found: how many of this run's points are
    /// kept, of how many, and where.
    pub fn resumed(&self) -> Option<(usize, usize, &Path)> {
        let points = self.sw.points_in(&self.range);
        let n = points.clone().filter(|&p| self.point_file(p).exists()).count();
        self.resumed.then_some((n, points.len(), &self.dir))
    }

    /// Removes the kept points once the results are in place; a folder that cannot be
    /// removed only wastes space, so it is a warning.
    pub fn remove(self) {
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("caseload: warning: could not remove {}: {e}", self.dir.display());
        }
    }

    fn point_file(&self, p: usize) -> PathBuf {
        self.dir.join(format!("point-{:06}.tsv", p + 1))
    }
}

impl Checkpoints for KeptPoints<'_> {
    type Error = anyhow::Error;

    fn kept(&mut self, p: usize) -> Result<Option<Vec<Row>>> {
        read_point(&self.point_file(p), p)
    }

    fn keep(&mut self, p: usize, rows: &[Row]) -> Result<()> {
        write_atomic(&self.point_file(p), point_text(rows).as_bytes())?;
        self.fresh += 1;
        if self.stop_after.is_some_and(|n| self.fresh >= n) {
            bail!("stopped after {} points (CASELOAD_STOP_AFTER_POINTS); continue with --resume", self.fresh);
        }
        Ok(())
    }
}

/// A finished point's rows as text: `rule<TAB>replication<TAB>metric...`, each number in
/// Rust's shortest form that reads back to the same bits.
fn point_text(rows: &[Row]) -> String {
    let mut out = String::from("rule\treplication");
    for m in Metric::ALL {
        out.push('\t');
        out.push_str(m.name());
    }
    out.push('\n');
    for r in rows {
        let _ = write!(out, "{}\t{}", r.rule, r.replication);
        for v in &r.metrics {
            let _ = write!(out, "\t{v}");
        }
        out.push('\n');
    }
    out
}

fn read_point(path: &Path, p: usize) -> Result<Option<Vec<Row>>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let bad = |line: usize| anyhow::anyhow!("{}:{line}: not a caseload sweep point", path.display());
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 2 + Metric::ALL.len() {
            return Err(bad(i + 1));
        }
        let rule = f[0].parse().map_err(|_| bad(i + 1))?;
        let replication = f[1].parse().map_err(|_| bad(i + 1))?;
        let metrics = f[2..].iter().map(|x| x.parse::<f64>()).collect::<Result<Vec<_>, _>>().map_err(|_| bad(i + 1))?;
        rows.push(Row { point: p as u32, rule, replication, metrics });
    }
    Ok(Some(rows))
}
