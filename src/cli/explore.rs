//! `caseload explore`: both rules side by side on a local web page.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Say;

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// The scenario file (TOML) the page starts from (at most 5 teams and 10 simulated years)
    #[arg(default_value = crate::explore::DEFAULT_SCENARIO)]
    pub scenario: PathBuf,
    /// Port on 127.0.0.1 (0: any free port; the address is printed)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Open the system browser at the page
    #[arg(long)]
    pub open: bool,
    /// The only folder the server writes in (exports)
    #[arg(long, default_value = "output/explore")]
    pub out: PathBuf,
    #[command(flatten)]
    pub quiet: super::QuietArgs,
}

pub(super) fn run(a: ExploreArgs) -> Result<()> {
    let opts = crate::explore::Options { scenario: a.scenario, port: a.port, out: a.out };
    let (say, open) = (Say::new(&a.quiet), a.open);
    crate::explore::serve(opts, |addr| {
        let url = format!("http://{addr}/");
        // The address is the command's result: a script reads it from standard output.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{url}").and_then(|()| out.flush());
        say.note(format!("explore is serving {url} on this machine only; Ctrl-C stops it"));
        if open {
            open_browser(&url, say);
        }
    })
}

/// Opens the system browser at `url` (`xdg-open`); a machine without one only gets a note.
fn open_browser(url: &str, say: Say) {
    use std::process::{Command, Stdio};
    let opened =
        Command::new("xdg-open").arg(url).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    if opened.is_err() {
        say.note(format!("no browser could be opened; open {url} yourself"));
    }
}
