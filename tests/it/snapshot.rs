//! The snapshot of results: a small fixed set of runs (five bundled scenarios, every rule,
//! two seeds) whose every metric, and a digest of every monthly record and duration
//! histogram, is stored in `tests/snapshots/`. A change that moves any of them fails here
//! with a readable diff. When the change is meant to move results (a new mechanism, a
//! recalibration), accept it with
//!
//! ```text
//! CASELOAD_UPDATE_SNAPSHOT=1 cargo test --release snapshot
//! ```
//!
//! and say in the commit message which results moved and why. A refactor or a speed-up
//! must leave every line as it is: that is the proof that it changed nothing.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::scenario;
use caseload::model::{Metric, Rule, run_one};

const RULES: &[&str] = &["practitioner_only", "manager_shared", "shared_for_novices:2", "shared_above:high"];
const SEEDS: &[u64] = &[1, 2];

/// FNV-1a over 64-bit words: a digest that is the same on every platform and release.
fn digest(words: impl IntoIterator<Item = u64>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The snapshot text of one scenario: one line per rule, seed and metric.
fn snapshot_of(name: &str) -> String {
    let s = scenario(name);
    let mut out = format!(
        "# caseload results snapshot: scenarios/{name}.toml, replication 0 of seeds 1 and 2, every rule.\n\
         # Rewrite with: CASELOAD_UPDATE_SNAPSHOT=1 cargo test --release snapshot\n\
         rule\tseed\tmetric\tvalue\n"
    );
    for rule in RULES {
        let rule = Rule::parse(rule).expect("rule");
        for &seed in SEEDS {
            let r = run_one(&s, rule, seed, 0);
            for &m in Metric::ALL {
                let _ = writeln!(out, "{rule}\t{seed}\t{}\t{:?}", m.name(), r.metrics.get(m));
            }
            let months = r.months.iter().flat_map(|m| {
                [
                    u64::from(m.month),
                    u64::from(m.referrals),
                    u64::from(m.completed),
                    m.within_limit_to_date_pct.to_bits(),
                    u64::from(m.open_assessments),
                    u64::from(m.unallocated),
                    m.caseload_mean.to_bits(),
                    u64::from(m.headcount),
                    u64::from(m.vacancies),
                    u64::from(m.agency),
                    u64::from(m.leavers),
                    m.under_two_years_pct.to_bits(),
                    u64::from(m.consult_queue),
                ]
            });
            let _ = writeln!(out, "{rule}\t{seed}\tmonthly_digest\t{:016x}", digest(months));
            let _ = writeln!(
                out,
                "{rule}\t{seed}\tcompletion_days_digest\t{:016x}",
                digest(r.completion_days.iter().copied())
            );
        }
    }
    out
}

/// Compares a scenario's runs with its stored snapshot, or rewrites it on request.
fn check(name: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(format!("{name}.tsv"));
    let now = snapshot_of(name);
    if std::env::var_os("CASELOAD_UPDATE_SNAPSHOT").is_some() {
        std::fs::write(&path, &now).expect("writing the snapshot");
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    if stored == now {
        return;
    }
    let key =
        |l: &str| l.rsplit_once('\t').map_or((l.to_string(), String::new()), |(k, v)| (k.to_string(), v.to_string()));
    let old: std::collections::BTreeMap<String, String> =
        stored.lines().filter(|l| !l.starts_with('#')).map(key).collect();
    let new: std::collections::BTreeMap<String, String> =
        now.lines().filter(|l| !l.starts_with('#')).map(key).collect();
    let mut diff = String::new();
    let mut n = 0;
    for k in old.keys().chain(new.keys().filter(|k| !old.contains_key(*k))) {
        let (a, b) = (old.get(k).map_or("(none)", String::as_str), new.get(k).map_or("(none)", String::as_str));
        if a != b {
            n += 1;
            if n <= 40 {
                let _ = writeln!(diff, "  {:<60} {a} -> {b}", k.replace('\t', " "));
            }
        }
    }
    panic!(
        "{n} results of scenarios/{name}.toml differ from {} (stored -> now){}:\n{diff}\
         If the change is meant to move results, rewrite the snapshot with\n  \
         CASELOAD_UPDATE_SNAPSHOT=1 cargo test --release snapshot\nand say why in the commit message.",
        path.display(),
        if n > 40 { ", the first 40" } else { "" }
    );
}

#[test]
fn snapshot_baseline() {
    check("baseline");
}

#[test]
fn snapshot_england_2025() {
    check("england_2025");
}

#[test]
fn snapshot_high_turnover() {
    check("high_turnover");
}

#[test]
fn snapshot_stretched_managers() {
    check("stretched_managers");
}

#[test]
fn snapshot_teaching_one_team() {
    check("teaching_one_team");
}
