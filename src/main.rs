//! The `caseload` binary: parse, call the library, print one error with its context
//! chain, and choose the exit code (0 success, 1 invalid scenario, 2 anything else).

use std::process::ExitCode;

use clap::Parser;

use caseload::cli::{self, Cli};
use caseload::scenario::ScenarioError;

fn main() -> ExitCode {
    let args = Cli::parse();
    let result = cli::run(args);
    if std::env::var_os("CASELOAD_PEAK_MEMORY").is_some() {
        // A diagnostic for the memory tests: the process's peak resident memory.
        if let Some(kb) = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string())))
        {
            eprintln!("caseload: peak memory {kb}");
        }
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped reading (`caseload params | head`) is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            // An invalid scenario anywhere in the chain (a sweep's point, say) is still one.
            let invalid = e.chain().any(|c| matches!(c.downcast_ref(), Some(ScenarioError::Invalid { .. })));
            ExitCode::from(if invalid { 1 } else { 2 })
        }
    }
}
