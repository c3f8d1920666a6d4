//! Integration tests: one binary, a module per area.

mod browser;
mod calibration;
mod cli;
mod crn;
mod determinism;
mod invariants;
mod output;
mod scenario_errors;
mod scenarios;
mod validation;

use caseload::scenario::Scenario;

/// A bundled scenario by name.
pub fn scenario(name: &str) -> Scenario {
    Scenario::load(format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"))).expect("bundled scenario")
}
