//! Integration tests: one binary, a module per area.

mod authorities;
mod browser;
mod calibration;
#[cfg(feature = "explore")]
mod cdp;
mod cli;
mod contest;
mod crn;
mod damaged;
mod determinism;
mod docs;
mod england;
#[cfg(feature = "explore")]
mod explore;
mod history;
mod invariants;
mod manifest;
mod output;
mod pack;
mod scenario_errors;
mod scenarios;
mod snapshot;
mod sweep;
mod uncertainty;
mod validation;
mod view;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caseload::scenario::Scenario;

/// Runs the `caseload` binary in the project folder.
pub fn caseload(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// A process's output as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A bundled scenario by name.
pub fn scenario(name: &str) -> Scenario {
    Scenario::load(format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"))).expect("bundled scenario")
}

/// A fresh folder under the target directory for one test's outputs.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file of a folder, by name, with its bytes.
pub fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}
