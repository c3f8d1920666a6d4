//! Shards of a sweep: the `shard.toml` each shard's folder carries, and `caseload merge`,
//! which checks the shards and writes from their rows the files one machine would write.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{Options, Staging, sweep_tables};
use crate::experiment::Plan;
use crate::scenario::Scenario;
use crate::sweep::{self, Sweep};

/// `shard.toml`: which shard of how many a folder holds, and its tasks.
pub(super) fn shard_toml(k: usize, n: usize, range: &std::ops::Range<usize>, total: usize) -> String {
    format!(
        "# One shard of a caseload sweep: `caseload merge` combines the shards.\nshard = {k}\nshards = {n}\nfirst_task = {}\nend_task = {}\ntotal_tasks = {total}\n",
        range.start, range.end
    )
}

/// Combines shard folders into the files a single-machine sweep writes.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<PathBuf> {
    let mut shards = Vec::new();
    let mut manifest: Option<(String, PathBuf)> = None;
    for d in dirs {
        let text = std::fs::read_to_string(d.join("shard.toml")).with_context(|| {
            format!("{} holds no shard.toml: is it a shard written by `caseload sweep --shard`?", d.display())
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
        let m = std::fs::read_to_string(d.join("manifest.toml"))
            .with_context(|| format!("reading {}", d.join("manifest.toml").display()))?;
        match &manifest {
            None => manifest = Some((m, d.clone())),
            Some((first_m, first_d)) if *first_m != m => bail!(
                "{} and {} are shards of different sweeps (their manifests differ)",
                first_d.display(),
                d.display()
            ),
            Some(_) => {}
        }
        if n == 0 || n > dirs.len().max(1) * 1000 || k == 0 || k > n {
            bail!("{}: shard {k} of {n} is not a shard of a sweep cut into {n}", d.join("shard.toml").display());
        }
        shards.push((k, n, first, end, total, d.clone()));
    }
    let Some((manifest, first_dir)) = manifest else { bail!("name at least one shard folder to merge") };
    shards.sort_by_key(|s| s.0);
    let n = shards[0].1;
    let ks: Vec<usize> = shards.iter().map(|s| s.0).collect();
    if shards.iter().any(|s| s.1 != n) || ks != (1..=n).collect::<Vec<_>>() {
        let missing: Vec<String> = (1..=n).filter(|k| !ks.contains(k)).map(|k| k.to_string()).collect();
        bail!(
            "the shards given are {:?} of {n}; every shard 1 to {n} is needed once (missing: {})",
            ks,
            if missing.is_empty() { "none, but some twice".into() } else { missing.join(", ") }
        );
    }
    let s = Scenario::from_toml(&manifest, &first_dir.join("manifest.toml"))
        .context("the shards' manifest is not a valid scenario")?;
    let sw = if s.uncertainty().is_some() {
        crate::uncertainty::Design::of(&s).sweep(&s)?
    } else {
        Sweep::of(&s, Plan::of(&s))?
    };
    let total = sw.n_tasks();
    let mut rows = Vec::new();
    for (k, n, first, end, t, d) in &shards {
        let should = sweep::shard(total, *k, *n);
        if *t != total || (*first..*end) != should {
            bail!(
                "{}: shard {k} of {n} holds tasks {} to {end} of {t}; this sweep gives it tasks {} to {} of {total}",
                d.join("shard.toml").display(),
                first + 1,
                should.start + 1,
                should.end
            );
        }
        let whole = format!("shard {k} of {n}: tasks {} to {end} of the sweep", first + 1);
        rows.extend(sweep_tables::read_rows(&sw, &d.join("sweep.parquet"), *first..*end, &whole)?);
    }
    let staging = Staging::begin(&Options { dir: out.to_path_buf(), force, case_log: false })?;
    staging.commit_with(|path| super::sweep::write_final(path, &sw, &manifest, &rows))
}
