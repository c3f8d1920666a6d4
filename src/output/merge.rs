//! Shards of a sweep or a run: the `shard.toml` each shard's folder carries, and
//! `caseload merge`, which checks the shards and writes from them the files one machine
//! would write.

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::experiment::Plan;
use crate::output::{Options, Staging};
use crate::scenario::Scenario;
use crate::sweep::{self, Sweep};

/// `shard.toml`: which shard of how many a folder holds, and its tasks, for the command
/// that wrote it (`sweep`, which an uncertainty analysis's shards share, or `run`). A
/// sweep's names no command: it is the one `merge` assumes.
pub(crate) fn shard_toml(command: &str, k: usize, n: usize, range: &Range<usize>, total: usize) -> String {
    let key = if command == "sweep" { String::new() } else { format!("command = \"{command}\"\n") };
    format!(
        "# One shard of a caseload {command}: `caseload merge` combines the shards.\n{key}shard = {k}\nshards = {n}\nfirst_task = {}\nend_task = {}\ntotal_tasks = {total}\n",
        range.start, range.end
    )
}

/// One shard folder as its `shard.toml` describes it.
pub(crate) struct Shard {
    pub k: usize,
    pub n: usize,
    pub first: usize,
    pub end: usize,
    pub total: usize,
    pub dir: PathBuf,
}

/// Checks each shard holds the tasks shard `k` of `n` of `total` tasks holds.
pub(crate) fn check_ranges(shards: &[Shard], total: usize, what: &str) -> Result<()> {
    for Shard { k, n, first, end, total: t, dir } in shards {
        let should = sweep::shard(total, *k, *n);
        if *t != total || (*first..*end) != should {
            bail!(
                "{}: shard {k} of {n} holds tasks {} to {end} of {t}; {what} gives it tasks {} to {} of {total}",
                dir.join("shard.toml").display(),
                first + 1,
                should.start + 1,
                should.end
            );
        }
    }
    Ok(())
}

/// What a merge wrote: the folder, and for a run's shards the comparison table
/// `caseload run` prints.
pub struct Merged {
    pub dir: PathBuf,
    pub table: Option<String>,
}

/// Combines shard folders into the files a single-machine sweep, or run, writes.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<Merged> {
    let mut shards = Vec::new();
    let mut manifest: Option<(String, PathBuf)> = None;
    let mut command: Option<String> = None;
    for d in dirs {
        let text = std::fs::read_to_string(d.join("shard.toml")).with_context(|| {
            format!(
                "{} holds no shard.toml: is it a shard written by `caseload sweep --shard` or `caseload run --shard`?",
                d.display()
            )
        })?;
        let t: toml::Table =
            text.parse::<toml::Table>().map_err(|e| anyhow::anyhow!("{}: {e}", d.join("shard.toml").display()))?;
        let get = |k: &str| -> Result<usize> {
            t.get(k)
                .and_then(toml::Value::as_integer)
                .and_then(|v| usize::try_from(v).ok())
                .with_context(|| format!("{}: no {k}, or not a whole number 0 or more", d.join("shard.toml").display()))
        };
        let (k, n, first, end, total) =
            (get("shard")?, get("shards")?, get("first_task")?, get("end_task")?, get("total_tasks")?);
        let this = t.get("command").and_then(toml::Value::as_str).unwrap_or("sweep").to_string();
        if !["sweep", "run"].contains(&this.as_str()) {
            bail!("{}: command is \"{this}\"; allowed \"sweep\" or \"run\"", d.join("shard.toml").display());
        }
        let m = std::fs::read_to_string(d.join("manifest.toml"))
            .with_context(|| format!("reading {}", d.join("manifest.toml").display()))?;
        match (&manifest, &command) {
            (Some((first_m, first_d)), Some(c)) if *first_m != m || *c != this => bail!(
                "{} and {} are shards of different {} (their {} differ)",
                first_d.display(),
                d.display(),
                if *c == this { format!("{c}s") } else { "commands".into() },
                if *c == this { "manifests" } else { "commands" },
            ),
            _ => {}
        }
        if n == 0 || n > dirs.len().max(1) * 1000 || k == 0 || k > n {
            bail!("{}: shard {k} of {n} is not a shard of a {this} cut into {n}", d.join("shard.toml").display());
        }
        if manifest.is_none() {
            manifest = Some((m, d.clone()));
            command = Some(this);
        }
        shards.push(Shard { k, n, first, end, total, dir: d.clone() });
    }
    let (Some((manifest, first_dir)), Some(command)) = (manifest, command) else {
        bail!("name at least one shard folder to merge")
    };
    shards.sort_by_key(|s| s.k);
    let n = shards[0].n;
    let ks: Vec<usize> = shards.iter().map(|s| s.k).collect();
    if shards.iter().any(|s| s.n != n) || ks != (1..=n).collect::<Vec<_>>() {
        let missing: Vec<String> = (1..=n).filter(|k| !ks.contains(k)).map(|k| k.to_string()).collect();
        bail!(
            "the shards given are {:?} of {n}; every shard 1 to {n} is needed once (missing: {})",
            ks,
            if missing.is_empty() { "none, but some twice".into() } else { missing.join(", ") }
        );
    }
    let s = Scenario::from_toml(&manifest, &first_dir.join("manifest.toml"))
        .context("the shards' manifest is not a valid scenario")?;
    if command == "run" {
        let (dir, table) = crate::output::run::shard::merge(&shards, &s, &manifest, out, force)?;
        return Ok(Merged { dir, table: Some(table) });
    }
    let sw = if s.uncertainty().is_some() {
        crate::uncertainty::Design::of(&s).sweep(&s)?
    } else {
        Sweep::of(&s, Plan::of(&s))?
    };
    check_ranges(&shards, sw.n_tasks(), "this sweep")?;
    let mut rows = Vec::new();
    for sh in &shards {
        let whole = format!("shard {} of {}: tasks {} to {} of the sweep", sh.k, sh.n, sh.first + 1, sh.end);
        rows.extend(crate::output::sweep::tables::read_rows(
            &sw,
            &sh.dir.join("sweep.parquet"),
            sh.first..sh.end,
            &whole,
        )?);
    }
    let staging = Staging::begin(&Options { dir: out.to_path_buf(), force, case_log: false })?;
    let dir = staging.commit_with(|path| crate::output::sweep::write_final(path, &sw, &manifest, &rows))?;
    Ok(Merged { dir, table: None })
}
