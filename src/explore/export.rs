//! Exports of a session: its settings as a scenario file `caseload run` accepts (built by
//! `Scenario::with_all` and `to_toml`, so it passed the same checks), and its results as
//! the output folder `caseload run` writes, inside the explore output folder, with the
//! folder's files offered one by one or as a zip. Nothing is read or written outside
//! `<out>/<session id>/`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::pair::Setup;
use crate::experiment::{self, Plan};
use crate::output::{self, Staging};

/// Most replications an export runs: every exercise of the teaching pack (the most, 80,
/// in exercise d) with room to spare; 200 of the teaching team take a few seconds.
pub const MAX_REPLICATIONS: u32 = 200;

/// The session's settings as an annotated scenario file.
pub fn scenario_text(setup: &Setup) -> String {
    let s = &setup.scenario;
    let head = format!(
        "# Exported by `caseload explore`: the page's settings as a scenario file ({} against {}, seed {}).\n\
         # Check it with `caseload validate FILE`; run it with `caseload run FILE`.\n\n",
        setup.rules[0].name(),
        setup.rules[1].name(),
        s.run.seed
    );
    head + &crate::scenario::annotate::annotate(&s.to_toml())
}

/// A session's folder inside the explore output folder.
pub fn session_dir(out: &Path, id: &str) -> PathBuf {
    out.join(id)
}

/// Runs the session's plan with `replications` (replication 0 is the run the page shows)
/// and writes the output folder `caseload run` writes to `<out>/<id>/results`, replacing
/// an earlier export. Returns the folder and its files' names.
pub fn results(setup: &Setup, out: &Path, id: &str, replications: u32) -> Result<(PathBuf, Vec<String>)> {
    if !(1..=MAX_REPLICATIONS).contains(&replications) {
        bail!("replications is {replications}; allowed a whole number 1 to {MAX_REPLICATIONS}");
    }
    let plan = Plan { rules: setup.rules.to_vec(), replications, seed: setup.scenario.run.seed };
    let s = plan.written_into(&setup.scenario)?;
    let dir = session_dir(out, id).join("results");
    let staging = Staging::begin(&output::Options { dir, force: true, case_log: false })?;
    let results = experiment::run(&s, &plan, 1, &|_| {});
    let dir = staging.commit(&s, Path::new("caseload explore settings"), &results)?;
    let files = files(&dir)?;
    Ok((dir, files))
}

/// The plain files of an export folder, by name.
pub fn files(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file()
            && let Some(name) = entry.file_name().to_str()
        {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// One file of a session's export, by a name that its folder lists (never a path).
pub fn read(out: &Path, id: &str, name: &str) -> Result<Vec<u8>> {
    let dir = session_dir(out, id).join("results");
    if !files(&dir)?.iter().any(|n| n == name) {
        bail!("{name} is not a file of this session's export");
    }
    std::fs::read(dir.join(name)).with_context(|| format!("reading {name}"))
}

/// Every file of a session's export in one zip.
pub fn zip(out: &Path, id: &str) -> Result<Vec<u8>> {
    let dir = session_dir(out, id).join("results");
    let mut entries = Vec::new();
    for name in files(&dir)? {
        let bytes = std::fs::read(dir.join(&name)).with_context(|| format!("reading {name}"))?;
        entries.push((format!("results/{name}"), bytes));
    }
    Ok(stored_zip(&entries))
}

/// A zip archive of `entries` stored without compression (every unzip reads it).
pub fn stored_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let u16le = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let u32le = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for (name, data) in entries {
        let (crc, size, offset) = (crc32(data), data.len() as u32, out.len() as u32);
        // Local header: version 2.0, no flags, stored, a fixed date (1980-01-01), no extra.
        u32le(&mut out, 0x0403_4b50);
        for x in [20, 0, 0, 0, 0x21] {
            u16le(&mut out, x);
        }
        for x in [crc, size, size] {
            u32le(&mut out, x);
        }
        u16le(&mut out, name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        u32le(&mut central, 0x0201_4b50);
        for x in [20, 20, 0, 0, 0, 0x21] {
            u16le(&mut central, x);
        }
        for x in [crc, size, size] {
            u32le(&mut central, x);
        }
        for x in [name.len() as u16, 0, 0, 0, 0] {
            u16le(&mut central, x);
        }
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let (at, len) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    for x in [0, 0, entries.len() as u16, entries.len() as u16] {
        u16le(&mut out, x);
    }
    u32le(&mut out, len);
    u32le(&mut out, at);
    u16le(&mut out, 0);
    out
}

/// CRC-32 (IEEE), as zip needs.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_of_the_check_string() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn a_stored_zip_has_its_headers_and_directory() {
        let z = stored_zip(&[("a.txt".into(), b"hello".to_vec())]);
        assert_eq!(&z[..4], &[0x50, 0x4b, 0x03, 0x04]);
        assert_eq!(z.len(), 30 + 5 + 5 + 46 + 5 + 22);
        assert!(z.windows(5).any(|w| w == b"hello"));
    }
}
