//! Shards of a run. `caseload run --shard K/N` runs a slice of the run's tasks (each
//! authority of each replication under each rule is one task: [`experiment::n_tasks`])
//! and keeps every task's counters exactly, floats by their bits, in `parts.txt`;
//! `caseload merge` adds them up in authority order into the files one `caseload run`
//! writes, byte for byte.

use std::ops::Range;
use std::path::Path;

use anyhow::{Result, bail};

use crate::experiment::{self, Plan};
use crate::model::{Part, n_parts};
use crate::output::merge::{Shard, shard_toml};
use crate::output::{Options, Staging, write_atomic};
use crate::scenario::Scenario;
use crate::sweep;

/// The file of a run shard that holds its tasks' counters.
pub const PARTS: &str = "parts.txt";

/// The tasks of shard `k` of `n` of a run of `s` under `plan`.
pub fn shard_tasks(s: &Scenario, plan: &Plan, k: usize, n: usize) -> Range<usize> {
    sweep::shard(experiment::n_tasks(s, plan), k, n)
}

/// Writes a shard's folder: the run's manifest (the same text one `caseload run` writes),
/// `shard.toml`, and the counters of tasks `range` in `parts.txt`.
pub fn write_run_shard(
    staging: Staging,
    manifest: &str,
    (k, n): (usize, usize),
    range: Range<usize>,
    total: usize,
    parts: &[Part],
) -> Result<std::path::PathBuf> {
    staging.commit_with(|path| {
        let mut text = String::from("# The counters of one shard of a caseload run, task by task.\n");
        for (t, part) in range.clone().zip(parts) {
            text.push_str(&format!("task {t}\n"));
            text.push_str(&part.to_text());
        }
        write_atomic(&path.join("manifest.toml"), manifest.as_bytes())?;
        write_atomic(&path.join(PARTS), text.as_bytes())?;
        write_atomic(&path.join("shard.toml"), shard_toml("run", k, n, &range, total).as_bytes())
    })
}

/// The tasks of `range` in words, numbered as `parts.txt` numbers them (from 0).
fn tasks_text(range: &Range<usize>) -> String {
    match range.len() {
        0 => "no tasks".into(),
        1 => format!("task {}", range.start),
        _ => format!("tasks {} to {}", range.start, range.end - 1),
    }
}

/// Reads the parts of tasks `range` of a run of `s` from a shard's `parts.txt`, each
/// checked to have the shape the run gives it.
fn read(path: &Path, range: Range<usize>, s: &Scenario) -> Result<Vec<Part>> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    let mut rest = text.as_str();
    let mut line = 1;
    if rest.starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
        line += 1;
    }
    let mut parts = Vec::with_capacity(range.len());
    for t in range.clone() {
        let (head, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let head = head.trim_end();
        if head != format!("task {t}") {
            bail!(
                "{}, line {line}: expected `task {t}` (this shard holds {}), found `{head}`",
                path.display(),
                tasks_text(&range)
            );
        }
        let task = |e: String| anyhow::anyhow!("{}, task {t}: {e}", path.display());
        let (part, next) = Part::from_text(after, line + 1).map_err(task)?;
        part.check(s).map_err(task)?;
        line += 1 + after[..after.len() - next.len()].lines().count();
        parts.push(part);
        rest = next;
    }
    if !rest.trim().is_empty() {
        bail!("{}, line {line}: more than the {} this shard holds", path.display(), tasks_text(&range));
    }
    Ok(parts)
}

/// Merges the shards of one run, already checked to be every shard once of the same run
/// (its manifest `manifest`, the scenario `s`), into `out`; the folder, and the table
/// `caseload run` prints.
pub(crate) fn merge(
    shards: &[Shard],
    s: &Scenario,
    manifest: &str,
    out: &Path,
    force: bool,
) -> Result<(std::path::PathBuf, String)> {
    let plan = Plan::of(s);
    let total = experiment::n_tasks(s, &plan);
    crate::output::merge::check_ranges(
        shards,
        total,
        &format!("this run ({} tasks: {} runs of {} parts)", total, plan.runs().len(), n_parts(s)),
    )?;
    let mut parts = Vec::with_capacity(total);
    for sh in shards {
        parts.extend(read(&sh.dir.join(PARTS), sh.first..sh.end, s)?);
    }
    let results = experiment::assemble(s, &plan, parts);
    let staging = Staging::begin(&Options { dir: out.to_path_buf(), force, case_log: false })?;
    let dir = staging.commit_manifest(s, manifest, &results)?;
    Ok((dir, crate::printout::render(&s.run.name, &results)))
}
