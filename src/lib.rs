//! `caseload`: an agent-based model of a children's social care workforce, built to test
//! whether deciding assessment timescales without a manager is "high risk".
//!
//! Data flows one way: scenario file -> [`scenario::Scenario`] -> [`experiment::Plan`] ->
//! [`model::run_one`] in parallel -> [`experiment::Results`] -> tables and reports.
//! See `ARCHITECTURE.md` for the map.

pub mod abc;
pub mod calibrate;
#[cfg(feature = "output")]
pub mod cli;
pub mod england;
pub mod experiment;
#[cfg(feature = "explore")]
pub mod explore;
pub mod format;
pub mod history;
pub mod model;
#[cfg(feature = "output")]
pub mod output;
pub mod printout;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
pub mod uncertainty;
pub mod vocab;
