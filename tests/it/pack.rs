//! The teaching pack cannot go stale. Every command the pack shows with its output (a
//! `<!-- output: COMMAND -->` line before a fenced `text` block) is run, in the pack's
//! order, from a fresh folder holding the repository's scenarios, with this build's
//! `caseload` first on the PATH, and what it prints must be what the pack shows. The
//! student handout (`docs/teaching/handout/`) must be the pack without its answers (the
//! lines between `<!-- answer -->` and `<!-- /answer -->`).
//!
//! When results change by design, `CASELOAD_UPDATE_PACK=1 cargo test --release --test it
//! pack` writes the outputs and the handout from the binary, as the snapshot test does.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{scratch, text};

/// The exercises, in the order of the session (and of their outputs).
pub const EXERCISES: [&str; 4] = ["a-littles-law.md", "c-team-size.md", "b-second-view.md", "d-paired-differences.md"];

const OUTPUT: &str = "<!-- output: ";
const ANSWER: &str = "<!-- answer -->";
const END_ANSWER: &str = "<!-- /answer -->";

fn teaching() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/teaching")
}

fn updating() -> bool {
    std::env::var_os("CASELOAD_UPDATE_PACK").is_some()
}

/// A fresh folder as a user's clone looks to the commands: the scenarios, targets and
/// docs (read only, linked), and nothing written yet.
fn fresh() -> PathBuf {
    let dir = scratch("pack");
    for name in ["scenarios", "targets", "docs", "data"] {
        std::os::unix::fs::symlink(Path::new(env!("CARGO_MANIFEST_DIR")).join(name), dir.join(name)).unwrap();
    }
    dir
}

/// Runs one of the pack's commands in `dir` with this build's `caseload` on the PATH.
fn run(dir: &Path, command: &str) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_caseload")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let o = Command::new("sh").args(["-c", command]).current_dir(dir).env("PATH", path).output().unwrap();
    assert!(o.status.success(), "the pack's command failed: {command}\n{}", text(&o.stderr));
    text(&o.stdout)
}

/// The file with each marked command's output block replaced by `fill(command)`, and the
/// commands in order. Panics on a marker without a fenced block after it.
fn with_outputs(file: &str, name: &str, fill: &mut dyn FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut lines = file.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let Some(command) = line.strip_prefix(OUTPUT).and_then(|l| l.strip_suffix(" -->")) else { continue };
        let fence = lines.next().unwrap_or_else(|| panic!("{name}: `{command}` has no output block"));
        assert_eq!(fence, "```text", "{name}: the line after `{command}` must open a ```text block");
        for l in lines.by_ref() {
            if l == "```" {
                break;
            }
        }
        out.push_str("```text\n");
        out.push_str(&fill(command));
        out.push_str("```\n");
    }
    out
}

/// The handout of an exercise: its text without the answers.
pub fn handout(file: &str, name: &str) -> String {
    let mut out = format!(
        "<!-- The student handout of ../{name}, without its answers: written by the pack test \
         (CASELOAD_UPDATE_PACK=1); edit ../{name}, not this file. -->\n"
    );
    let mut in_answer = false;
    for line in file.lines() {
        if line.trim() == ANSWER {
            assert!(!in_answer, "{name}: an answer opens inside another");
            in_answer = true;
            out.push_str("*Your answer here. (The worked answer is in the lecturer's copy.)*\n");
        } else if line.trim() == END_ANSWER {
            assert!(in_answer, "{name}: an answer closes that never opened");
            in_answer = false;
        } else if !in_answer {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!in_answer, "{name}: an answer is never closed");
    out.replace("](../", "](../../")
}

#[test]
fn the_packs_outputs_are_what_the_binary_prints() {
    let dir = fresh();
    let mut stale = Vec::new();
    for name in EXERCISES {
        let path = teaching().join(name);
        let file = std::fs::read_to_string(&path).unwrap();
        let mut commands = 0;
        let mut differs = Vec::new();
        let shown = file.clone();
        let now = with_outputs(&file, name, &mut |command| {
            commands += 1;
            let printed = run(&dir, command);
            let in_pack = block_after(&shown, command);
            if in_pack != printed {
                differs.push(format!("{name}: `{command}` prints\n{printed}\nbut the pack shows\n{in_pack}"));
            }
            printed
        });
        assert!(commands > 0, "{name} shows no command's output");
        if updating() {
            std::fs::write(&path, now).unwrap();
        } else {
            stale.extend(differs);
        }
    }
    assert!(stale.is_empty(), "the pack is stale (CASELOAD_UPDATE_PACK=1 rewrites it):\n{}", stale.join("\n"));
}

/// The text of the fenced block after `command`'s marker.
fn block_after(file: &str, command: &str) -> String {
    let marker = format!("{OUTPUT}{command} -->\n```text\n");
    let at = file.find(&marker).map(|i| i + marker.len()).unwrap_or(file.len());
    let end = file[at..].find("```\n").map_or(file.len(), |e| at + e);
    file[at..end].to_string()
}

#[test]
fn the_handout_is_the_pack_without_its_answers() {
    let dir = teaching().join("handout");
    for name in EXERCISES {
        let file = std::fs::read_to_string(teaching().join(name)).unwrap();
        assert!(file.contains(ANSWER), "{name} marks no answer");
        let want = handout(&file, name);
        let path = dir.join(name);
        if updating() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            have,
            want,
            "{} is not the pack without answers (CASELOAD_UPDATE_PACK=1 rewrites it)",
            path.display()
        );
    }
}
