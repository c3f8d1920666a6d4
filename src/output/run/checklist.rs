//! The report's appendix following the STRESS-ABS checklist for agent-based simulation
//! studies (Monks et al. 2019, "Strengthening the reporting of empirical simulation
//! studies"): objectives, logic, data, experimentation, implementation and code access,
//! filled from the run's manifest (scenario, seed, replications, rules, version, git
//! revision) and pointing to the model's documentation, `docs/ODD.md`, one line an item.

use std::fmt::Write;
use std::path::Path;

use crate::model::Metric;
use crate::output::html::esc;
use crate::output::run::data::RunData;
use crate::scenario::{Scenario, params};

/// A provenance comment of the folder's manifest (`# caseload version: ...`).
fn manifest_comment(dir: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(dir.join("manifest.toml")).unwrap_or_default();
    let prefix = format!("# {name}: ");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or("unknown").to_string()
}

/// The checklist's items: number, item, what this run reports.
pub fn items(s: &Scenario, data: &RunData, dir: &Path) -> Vec<(&'static str, &'static str, String)> {
    let rules = data.rules.join(", ");
    let reps = data.values(0, "turnover_pct").len();
    let run = &s.run;
    let assumptions = params::PARAMS.iter().filter(|p| p.is_assumption()).count();
    let comparison = match data.rules.as_slice() {
        [a, b, ..] => format!(
            "paired differences {a} minus {b}, each replication running every rule on the same referrals, people and chance events (common random numbers)"
        ),
        _ => "one rule: no comparison".to_string(),
    };
    vec![
        ("1.1", "Purpose of the model", "Who decides how fast a child's assessment happens, and is deciding alone \"high risk\" given turnover and inexperience: docs/ODD.md section 1.1".to_string()),
        ("1.2", "Model outputs", format!("{} outcome metrics per rule and replication (runs.csv), monthly series (monthly.parquet), completion days (completion_days.parquet); definitions in docs/ODD.md section 4.11", Metric::ALL.len())),
        ("1.3", "Experimentation aims", format!("Scenario {} ({}): rules {rules}; {comparison}", run.name, run.description)),
        ("2.1", "Base model overview diagram", "The day's seven phases in order: docs/ODD.md section 3".to_string()),
        ("2.2", "Base model logic", "Process overview and scheduling, docs/ODD.md section 3; submodels, section 7".to_string()),
        ("2.3", "Scenario logic", format!("The rules differ only in who sets an assessment's timescale (docs/ODD.md section 7.3); this run compares {rules}")),
        ("2.4", "Algorithms", "Submodels (demand, allocation, judgement, consultation, casework, quality, workforce): docs/ODD.md section 7; stochasticity, section 4.10".to_string()),
        ("2.5.1", "Agents", "Social workers, managers and cases, with their state variables: docs/ODD.md sections 2.3 to 2.6".to_string()),
        ("2.5.2", "Environment", "Authorities and teams, no space; a working day a step, 250 a year: docs/ODD.md sections 2.1, 2.2 and 2.9".to_string()),
        ("2.5.3", "Interactions", "Allocation to the roomiest worker, consultation queues, hand-overs when workers leave: docs/ODD.md section 4.8".to_string()),
        ("3.1", "Data sources", "DfE children's social work workforce and children in need statistics; each parameter's source in the parameter table, docs/ODD.md section 6.2".to_string()),
        ("3.2", "Pre-processing", "Published figures to parameters and calibration targets: docs/ODD.md sections 6.2 and 6.4".to_string()),
        ("3.3", "Input parameters", format!("Every value of this run in manifest.toml beside this report ({} parameters)", params::PARAMS.len())),
        ("3.4", "Assumptions", format!("{assumptions} parameters rest on assumptions, each with a prior (\"What rests on assumptions\" above; docs/ODD.md sections 6.2 and 8)")),
        ("4.1", "Initialisation", format!("Day 0 as docs/ODD.md section 5 describes; a warm-up of {} years, not measured", run.warmup_days() / crate::scenario::DAYS_PER_YEAR)),
        ("4.2", "Run length", format!("{} years measured after the warm-up", run.horizon_days() / crate::scenario::DAYS_PER_YEAR)),
        ("4.3", "Estimation approach", format!("{reps} replications per rule; means with 95% t intervals and paired differences across replications: docs/ODD.md section 7.10")),
        ("5.1", "Software or programming language", format!("caseload {} (Rust), git revision {}", manifest_comment(dir, "caseload version"), manifest_comment(dir, "git revision"))),
        ("5.2", "Random sampling", format!("Master seed {}; one PCG64 stream per (seed, replication, purpose, index): docs/ODD.md section 4.10", run.seed)),
        ("5.3", "Model execution", "One working day a step, phases in a fixed order (docs/ODD.md section 3); runs in parallel, results identical on any number of threads".to_string()),
        ("5.4", "System specification", "Any machine: the same seed gives the same bytes on any platform (the model takes exp and ln from libm)".to_string()),
        ("6.1", "Computer model sharing statement", "The repository holds the code, scenarios, tests and docs/ODD.md; caseload run manifest.toml repeats this run".to_string()),
    ]
}

/// The appendix as HTML.
pub fn appendix(s: &Scenario, data: &RunData, dir: &Path) -> String {
    let mut h = String::from(
        "<h2>Appendix: STRESS-ABS checklist</h2>\n<p class=\"muted\">Reporting items for agent-based simulation studies (Monks et al. 2019, STRESS-ABS), filled from this run's manifest and pointing to the model's description, docs/ODD.md.</p>\n<table id=\"stress\"><tr><th>item</th><th></th><th>this study</th></tr>\n",
    );
    for (n, item, text) in items(s, data, dir) {
        let _ = writeln!(h, "<tr><td>{n}</td><td>{}</td><td>{}</td></tr>", esc(item), esc(&text));
    }
    h.push_str("</table>\n");
    h
}
