//! A load test of `caseload explore` in classroom mode, run by hand (not in CI): it
//! starts the server on a free port of 127.0.0.1 (`--classroom --bind 127.0.0.1`, a fixed
//! code), then from this second process opens 30 sessions at once, a seminar's worth, each
//! stepping its pair of one-team simulations through a simulated year one day a tick as
//! the page does (a step, then the view, the new events and the new chart points), and
//! recording its run on the class board at the end; it checks the board holds every run,
//! and reports the latency of a step and of a whole tick (median and 95th percentile) and
//! the server's peak resident memory (VmHWM from /proc). Bounded: 30 x 250 ticks, then it
//! stops the server with Ctrl-C (SIGINT) and ends. Traffic goes to 127.0.0.1 only.
//!
//! ```text
//! cargo build --release && cargo run --release --example explore_load [-- SESSIONS DAYS]
//! ```
//! The figures are recorded in docs/decisions/0003-explore-load.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One request on a fresh connection; the status and the body.
fn request(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Caseload-Code: LOAD30\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// The value of a JSON field that is a plain string or number, found by its name.
fn field<'a>(json: &'a str, name: &str) -> &'a str {
    let at = json.find(&format!("\"{name}\":")).expect("the field") + name.len() + 3;
    json[at..].trim_start_matches('"').split(['"', ',', '}']).next().unwrap()
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

#[allow(clippy::disallowed_methods)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sessions: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let days: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(250);
    let out = std::env::temp_dir().join(format!("caseload-explore-load-{}", std::process::id()));
    let mut server = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/caseload"))
        .args(["explore", "--port", "0", "--quiet", "--out", out.to_str().unwrap()])
        .args(["--classroom", "--bind", "127.0.0.1", "--code", "LOAD30"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("target/release/caseload runs (cargo build --release first)");
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port: u16 = line
        .trim()
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("a port");
    println!("server {} at {}; {sessions} sessions x {days} days, a day a tick", server.id(), line.trim());

    let start = Instant::now();
    let workers: Vec<_> = (0..sessions)
        .map(|_| {
            std::thread::spawn(move || {
                let (status, opened) = request(port, "POST", "/api/sessions", "{}");
                assert_eq!(status, 200, "{opened}");
                let id = field(&opened, "id").to_string();
                let (mut steps, mut ticks) = (Vec::new(), Vec::new());
                let mut next = String::new();
                for day in 0..days {
                    let t0 = Instant::now();
                    let (status, body) = request(port, "POST", &format!("/api/sessions/{id}/step"), "{\"days\":1}");
                    let t1 = Instant::now();
                    assert_eq!(status, 200, "{body}");
                    request(port, "GET", &format!("/api/sessions/{id}/view"), "");
                    let (_, events) = request(port, "GET", &format!("/api/sessions/{id}/events{next}"), "");
                    let seq: u64 = field(&events, "next").parse().unwrap_or(0);
                    next = if seq > 0 { format!("?since={}", seq - 1) } else { String::new() };
                    request(port, "GET", &format!("/api/sessions/{id}/series?from={day}"), "");
                    steps.push(t1 - t0);
                    ticks.push(t0.elapsed());
                }
                let (status, body) =
                    request(port, "POST", &format!("/api/sessions/{id}/record"), "{\"name\":\"load\"}");
                assert_eq!(status, 200, "{body}");
                request(port, "DELETE", &format!("/api/sessions/{id}"), "");
                (steps, ticks)
            })
        })
        .collect();
    let (mut steps, mut ticks) = (Vec::new(), Vec::new());
    for w in workers {
        let (s, t) = w.join().expect("a session ran");
        steps.extend(s);
        ticks.extend(t);
    }
    let wall = start.elapsed();
    let (status, csv) = request(port, "GET", "/api/board.csv", "");
    assert_eq!(status, 200);
    let recorded = csv.lines().count().saturating_sub(1) / 2;
    assert_eq!(recorded, sessions, "every session's run is on the board");
    println!("class board: {recorded} runs recorded");
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.id())).unwrap_or_default();
    let peak = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).map_or("unknown".into(), |v| v.trim().to_string());
    let _ = Command::new("sh").args(["-c", &format!("kill -INT {}", server.id())]).status();
    let stopped = server.wait().expect("the server ends");
    let _ = std::fs::remove_dir_all(&out);
    steps.sort();
    ticks.sort();
    println!("requests: {} ticks of 4 requests in {:.1} s", ticks.len(), wall.as_secs_f64());
    println!(
        "step (POST .../step, a day of both rules): median {}, 95th {}",
        ms(percentile(&steps, 0.5)),
        ms(percentile(&steps, 0.95))
    );
    println!(
        "tick (step + view + events + series): median {}, 95th {}",
        ms(percentile(&ticks, 0.5)),
        ms(percentile(&ticks, 0.95))
    );
    println!("server peak resident memory (VmHWM): {peak}");
    println!("server stopped on Ctrl-C: {stopped}");
}
