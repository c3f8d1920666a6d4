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
    /// Port (0: any free port; the address is printed)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Classroom mode: serve a room from this machine; every request must carry a short
    /// class code, printed in the join address (see docs/teaching/README.md)
    #[arg(long)]
    pub classroom: bool,
    /// The address to listen on: 127.0.0.1 (this machine only, the default), or with
    /// --classroom this machine's address on the room's network, or 0.0.0.0 for all
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// With --classroom: the class code (4 to 12 letters or digits) instead of a fresh one
    #[arg(long, requires = "classroom")]
    pub code: Option<String>,
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
    let code =
        a.classroom.then(|| a.code.clone().map(|c| c.to_ascii_uppercase()).unwrap_or_else(crate::explore::new_code));
    let opts =
        crate::explore::Options { scenario: a.scenario, bind: a.bind, port: a.port, out: a.out, code: code.clone() };
    let (say, open) = (Say::new(&a.quiet), a.open);
    crate::explore::serve(opts, |addr| {
        let host = if addr.ip().is_unspecified() {
            // Listening on every interface: the join address names the one a room reaches.
            this_machine().unwrap_or_else(|| "THIS-MACHINE".to_string())
        } else {
            addr.ip().to_string()
        };
        let root = format!("http://{host}:{}/", addr.port());
        let url = code.as_ref().map_or_else(|| root.clone(), |c| format!("{root}?code={c}"));
        // The address is the command's result: a script reads it from standard output.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{url}").and_then(|()| out.flush());
        match &code {
            None => say.note(format!("explore is serving {url} on this machine only; Ctrl-C stops it")),
            Some(c) => {
                let _ = writeln!(out, "{root}board?code={c}").and_then(|()| out.flush());
                say.note(format!(
                    "classroom: students open {url} (class code {c}); the class board is {root}board?code={c}. \
                     Requests without the code are refused. Ctrl-C stops it; exports stay under the --out folder"
                ));
            }
        }
        if open {
            open_browser(&url, say);
        }
    })
}

/// This machine's address on its network, as a room would reach it: the local address
/// of a UDP socket "connected" to a documentation address (192.0.2.1, RFC 5737).
/// Connecting a UDP socket sends nothing; it only picks the route.
fn this_machine() -> Option<String> {
    let socket = std::net::UdpSocket::bind(("0.0.0.0", 0)).ok()?;
    socket.connect(("192.0.2.1", 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then(|| ip.to_string())
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
