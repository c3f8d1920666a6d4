//! The `caseload` binary: parse, call the library, print one error with its context
//! chain, and choose the exit code (0 success, 1 invalid scenario, 2 anything else).

use std::process::ExitCode;

use clap::Parser;

use caseload::cli::{self, Cli};
use caseload::scenario::ScenarioError;

fn main() -> ExitCode {
    let args = Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            match e.downcast_ref::<ScenarioError>() {
                Some(ScenarioError::Invalid { .. }) => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}
