//! The report in a real browser: headless Chromium (Debian's, installed by `.ci/run`)
//! loads report.html from disk with the network off and every chart image must load.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.exists())
}

/// Flags for a root, offline, headless run (as the machine's notes advise).
fn headless(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=10000",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

fn attribute(dom: &str, name: &str) -> Option<usize> {
    let at = dom.find(&format!("{name}=\""))? + name.len() + 2;
    dom[at..].split('"').next()?.parse().ok()
}

#[test]
fn every_chart_in_the_report_loads_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CASELOAD_REQUIRE_BROWSER").is_none(),
            "CASELOAD_REQUIRE_BROWSER is set but no chromium is installed"
        );
        eprintln!("skipped: no chromium here (.ci/run installs it and sets CASELOAD_REQUIRE_BROWSER)");
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("report");
    let run = Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(["run", "scenarios/teaching_one_team.toml", "-n", "3", "--quiet", "--out", out.to_str().unwrap()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report = out.join("report.html").canonicalize().unwrap();
    let o = Command::new(&browser)
        .args(headless(&dir.join("profile")))
        .arg("--dump-dom")
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(
        dom.contains("Who decides how fast an assessment happens?"),
        "the page did not render: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let images = attribute(&dom, "data-images").expect("the load handler ran");
    let loaded = attribute(&dom, "data-images-loaded").expect("the load handler ran");
    assert_eq!(images, 6, "six charts in the report");
    assert_eq!(loaded, images, "every chart image loads");
}
