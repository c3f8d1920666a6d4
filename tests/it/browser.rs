//! The report in a real browser: headless Chromium (Debian's, installed by `.ci/run`)
//! loads report.html from disk with the network off and every chart image must load.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian's Chromium, or `None` (the test then passes without checking), unless
/// `CASELOAD_REQUIRE_BROWSER` is set, when its absence fails the test.
pub(crate) fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CASELOAD_REQUIRE_BROWSER").is_none(),
            "CASELOAD_REQUIRE_BROWSER is set but no chromium is installed"
        );
        eprintln!("skipped: no chromium here (.ci/run installs it and sets CASELOAD_REQUIRE_BROWSER)");
    }
    found
}

/// Flags for a root, offline, headless run (as the machine's notes advise).
pub(crate) const HEADLESS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// [`HEADLESS`], with virtual time so that the page's scripts run before the DOM is dumped.
fn headless(profile: &Path) -> Vec<String> {
    HEADLESS
        .iter()
        .map(|s| s.to_string())
        .chain(["--virtual-time-budget=10000".to_string(), format!("--user-data-dir={}", profile.display())])
        .collect()
}

fn attribute(dom: &str, name: &str) -> Option<usize> {
    let at = dom.find(&format!("{name}=\""))? + name.len() + 2;
    dom[at..].split('"').next()?.parse().ok()
}

/// Runs `caseload args...` (with `--out DIR/report` appended), opens the report in headless
/// Chromium and checks its title rendered and all `images` images loaded.
fn report_loads(name: &str, args: &[&str], title: &str, images: usize) {
    let Some(browser) = chromium() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("report");
    let run = Command::new(env!("CARGO_BIN_EXE_caseload"))
        .args(args)
        .args(["--quiet", "--out", out.to_str().unwrap()])
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
    assert!(dom.contains(title), "the page did not render: {}", String::from_utf8_lossy(&o.stderr));
    let shown = attribute(&dom, "data-images").expect("the load handler ran");
    let loaded = attribute(&dom, "data-images-loaded").expect("the load handler ran");
    assert_eq!(shown, images, "{images} charts in the report");
    assert_eq!(loaded, shown, "every chart image loads");
}

#[test]
fn every_chart_in_the_report_loads_in_a_real_browser() {
    report_loads(
        "browser",
        &["run", "scenarios/teaching_one_team.toml", "-n", "3"],
        "Who decides how fast an assessment happens?",
        6,
    );
}

#[test]
fn the_sweep_and_sensitivity_reports_load_in_a_real_browser() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser_sweep_input");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/teaching_one_team.toml")).unwrap();
    let scen = dir.join("sweep.toml");
    let sweep = "[sweep]\nconcern = \"late_days_high > 0\"\n[sweep.values]\n\"workforce.leave_rate_permanent\" = [0.1, 0.3]\n\"workforce.newly_qualified_share\" = [0.2, 0.8]\n";
    std::fs::write(&scen, format!("{base}\n{sweep}")).unwrap();
    report_loads(
        "browser_sweep",
        &["sweep", scen.to_str().unwrap(), "-n", "2"],
        "Where is deciding alone high risk?",
        3,
    );
    report_loads(
        "browser_sensitivity",
        &["sensitivity", "scenarios/teaching_one_team.toml", "-r", "2", "-n", "2"],
        "Which assumptions drive the answer?",
        4,
    );
    report_loads(
        "browser_uncertainty",
        &["uncertainty", "scenarios/teaching_one_team.toml", "--draws", "4", "-n", "2", "--sobol-base", "4"],
        "Is deciding alone high risk, and how sure can we be?",
        // The three of the concerns, and the plane, the acceptability curve and the value
        // of information.
        6,
    );
}
