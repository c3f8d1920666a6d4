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

/// Reads a shard folder's `shard.toml`: the shard, and the command that wrote it.
pub(crate) fn read_shard(d: &Path) -> Result<(Shard, String)> {
    let text = std::fs::read_to_string(d.join("shard.toml")).with_context(|| {
        format!(
            "{} holds no shard.toml: is it a shard written by `caseload sweep --shard`, `run --shard` or `history --shard`?",
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
    if !["sweep", "run", "history"].contains(&this.as_str()) {
        bail!("{}: command is \"{this}\"; allowed \"sweep\", \"run\" or \"history\"", d.join("shard.toml").display());
    }
    if n == 0 || k == 0 || k > n {
        bail!("{}: shard {k} of {n} is not a shard of a {this} cut into {n}", d.join("shard.toml").display());
    }
    Ok((Shard { k, n, first, end, total, dir: d.to_path_buf() }, this))
}

/// The shards of one command's run, sorted: refused unless every shard 1 to N is there once
/// and every one was written by `command`.
pub(crate) fn read_shards(dirs: &[PathBuf], command: &str) -> Result<Vec<Shard>> {
    let mut shards = Vec::new();
    for d in dirs {
        let (sh, this) = read_shard(d)?;
        if this != command {
            bail!(
                "{} is a shard of a {this} and {} of a {command}: merge the shards of one command",
                d.display(),
                dirs[0].display()
            );
        }
        if sh.n > dirs.len().max(1) * 1000 {
            bail!(
                "{}: shard {} of {} is not one of the {} shard folders given",
                d.join("shard.toml").display(),
                sh.k,
                sh.n,
                dirs.len()
            );
        }
        shards.push(sh);
    }
    if shards.is_empty() {
        bail!("name at least one shard folder to merge");
    }
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
    Ok(shards)
}

/// The command that wrote the first shard folder (`sweep`, `run` or `history`).
pub fn command_of(dirs: &[PathBuf]) -> Result<String> {
    let first = dirs.first().context("name at least one shard folder to merge")?;
    Ok(read_shard(first)?.1)
}

/// Combines shard folders into the files a single-machine sweep, or run, writes.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<Merged> {
    let command = command_of(dirs)?;
    let shards = read_shards(dirs, &command)?;
    let first_dir = shards[0].dir.clone();
    let read_manifest = |d: &Path| {
        std::fs::read_to_string(d.join("manifest.toml"))
            .with_context(|| format!("reading {}", d.join("manifest.toml").display()))
    };
    let manifest = read_manifest(&first_dir)?;
    for sh in &shards[1..] {
        if read_manifest(&sh.dir)? != manifest {
            bail!(
                "{} and {} are shards of different {command}s (their manifests differ)",
                first_dir.display(),
                sh.dir.display()
            );
        }
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
