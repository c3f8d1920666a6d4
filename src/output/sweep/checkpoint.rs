//! A sweep's checkpoints: each finished point kept as `point-NNNNNN.tsv` in
//! `.<out>.progress/` beside the output folder until the sweep is done, so that an
//! interrupted sweep resumes where it stopped (`caseload sweep --resume`).

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::model::Metric;
use crate::output::sweep::tables::task_words;
use crate::output::table_file::misfit;
use crate::output::{folder_name, write_atomic};
use crate::sweep::{Checkpoints, Row, Sweep};

/// The folder beside `dir` where finished points are kept until the sweep is done.
fn progress_dir(dir: &Path) -> PathBuf {
    dir.with_file_name(format!(".{}.progress", folder_name(dir)))
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
        read_point(&self.point_file(p), self.sw, p, &self.range)
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

/// The rows kept in `path` for point `p` of `sw`, which must be the point's tasks in
/// `range`, in order. A file edited, truncated or from another version is an error naming
/// the file and the line, and saying what was expected.
fn read_point(path: &Path, sw: &Sweep, p: usize, range: &Range<usize>) -> Result<Option<Vec<Row>>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let at = |line: usize, message: String| anyhow::anyhow!("{}:{line}: {message}", path.display());
    if text.is_empty() {
        bail!(at(1, "empty; expected the header and rows of a sweep point".into()));
    }
    let header = point_text(&[]);
    let mut lines = text.lines();
    let names: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let expected: Vec<&str> = header.trim_end().split('\t').collect();
    if let Some(i) = (0..expected.len()).find(|&i| names.get(i) != Some(&expected[i])) {
        let found = names.get(i).map_or("nothing".to_string(), |n| format!("`{n}`"));
        bail!(at(1, format!("column {} is {found}; expected `{}` (the header of a sweep point)", i + 1, expected[i])));
    }
    if names.len() > expected.len() {
        bail!(at(1, format!("{} columns; expected {}", names.len(), expected.len())));
    }
    if !text.ends_with('\n') {
        bail!(at(text.lines().count(), "the last line is cut short (no end of line)".into()));
    }
    let n_rules = sw.plan.rules.len();
    let mut rows = Vec::new();
    let mut found = Vec::new();
    for (i, line) in lines.enumerate() {
        let no = i + 2;
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != expected.len() {
            bail!(at(
                no,
                format!("{} fields; expected {} (rule, replication and every metric)", f.len(), expected.len())
            ));
        }
        let rule: usize =
            f[0].parse().ok().filter(|&r| r < n_rules).ok_or_else(|| {
                at(no, format!("rule is `{}`; expected a rule's number from 0 to {}", f[0], n_rules - 1))
            })?;
        let last = sw.plan.replications.saturating_sub(1);
        let replication: u32 =
            f[1].parse().ok().filter(|&r| r <= last).ok_or_else(|| {
                at(no, format!("replication is `{}`; expected a whole number from 0 to {last}", f[1]))
            })?;
        let mut metrics = Vec::with_capacity(Metric::ALL.len());
        for (x, name) in f[2..].iter().zip(&expected[2..]) {
            metrics.push(x.parse::<f64>().map_err(|_| at(no, format!("{name} is `{x}`; expected a number")))?);
        }
        found.push(format!("point {}, rule {}, replication {replication}", p + 1, sw.plan.rules[rule].name()));
        rows.push(Row { point: p as u32, rule: rule as u32, replication, metrics });
    }
    let whole = format!("the tasks of point {}", p + 1);
    match misfit(&found, &task_words(sw, sw.tasks_of_point(p, range)), &whole) {
        None => Ok(Some(rows)),
        Some((Some(row), message)) => Err(at(row + 2, message)),
        Some((None, message)) => Err(anyhow::anyhow!("{}: {message}", path.display())),
    }
}
