//! `caseload explore`: the server on a free port of 127.0.0.1, its JSON API over plain
//! HTTP, and the page in headless Chromium (Debian's, which `.ci/run` installs): a slider
//! moved, a month stepped, the teams, charts and a figure checked against the library,
//! and the exported scenario validated by `caseload validate`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use caseload::model::{Rule, Sim, authority_seed};
use caseload::scenario::{Scenario, Value as ScenarioValue};

use crate::{caseload, scratch, text};

/// A running `caseload explore --port 0`, stopped with Ctrl-C (SIGINT) when dropped.
struct Server {
    child: Child,
    port: u16,
    out: PathBuf,
    /// In classroom mode, the class code it printed.
    code: Option<String>,
}

impl Server {
    fn start(name: &str) -> Server {
        Server::start_with(name, &[])
    }

    /// With more arguments (`--classroom`): the server still listens on 127.0.0.1 only.
    fn start_with(name: &str, extra: &[&str]) -> Server {
        let out = scratch(name).join("explore");
        let mut child = Command::new(env!("CARGO_BIN_EXE_caseload"))
            .args(["explore", "--port", "0", "--quiet", "--out", out.to_str().unwrap()])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let (address, code) = match line.trim().split_once("/?code=") {
            Some((a, c)) => (a.to_string(), Some(c.to_string())),
            None => (line.trim().trim_end_matches('/').to_string(), None),
        };
        let port = address
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.parse().ok())
            .unwrap_or_else(|| panic!("explore printed {line:?}, not its address"));
        Server { child, port, out, code }
    }

    /// The page's address (the join address, with its code, in classroom mode).
    fn url(&self) -> String {
        match &self.code {
            Some(c) => format!("http://127.0.0.1:{}/?code={c}", self.port),
            None => format!("http://127.0.0.1:{}/", self.port),
        }
    }

    /// One request (carrying the class code, in classroom mode); the status and the body.
    fn http(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Vec<u8>) {
        match &self.code {
            Some(c) => self.http_as(method, path, body, &format!("Host: 127.0.0.1\r\nX-Caseload-Code: {c}")),
            None => self.http_as(method, path, body, "Host: 127.0.0.1"),
        }
    }

    /// One request with the given `Host` (and any other) header lines.
    fn http_as(&self, method: &str, path: &str, body: Option<&Value>, headers: &str) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("the server listens");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\n{headers}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("headers end");
        let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("a status");
        let mut payload = raw[split + 4..].to_vec();
        if head.contains("transfer-encoding: chunked") {
            payload = dechunk(&payload);
        }
        (status, payload)
    }

    fn json(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, bytes) = self.http(method, path, body.as_ref());
        (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("{path}: not JSON: {}", text(&bytes))))
    }

    /// Ctrl-C: the server must shut down cleanly.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        // The shell's own kill: no procps needed.
        assert!(Command::new("sh").args(["-c", &format!("kill -INT {pid}")]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "explore did not shut down cleanly on Ctrl-C: {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = b.windows(2).position(|w| w == b"\r\n").expect("chunk size");
        let size = usize::from_str_radix(std::str::from_utf8(&b[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[line_end + 2..line_end + 2 + size]);
        b = &b[line_end + 4 + size..];
    }
}

/// Open assessments of both rules of `s` after `days` days, from the library.
fn open_assessments(s: &Scenario, days: u32) -> [u32; 2] {
    [Rule::PractitionerOnly, Rule::ManagerShared].map(|rule| {
        let mut sim = Sim::new(s, rule, authority_seed(s.run.seed, &s.authorities[0].code), 0);
        for _ in 0..days {
            sim.step();
        }
        sim.open_assessments()
    })
}

fn validate(dir: &Path, toml: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("exported.toml");
    std::fs::write(&file, toml).unwrap();
    let v = caseload(&["validate", file.to_str().unwrap()]);
    assert!(v.status.success(), "the exported scenario does not validate: {}", text(&v.stderr));
}

#[test]
fn the_api_runs_a_session_steps_it_and_exports_what_caseload_run_accepts() {
    let server = Server::start("explore_api");
    let (status, controls) = server.json("GET", "/api/controls", None);
    assert_eq!(status, 200);
    let sliders = controls["sliders"].as_array().unwrap();
    assert!(sliders.len() >= 8);
    for s in sliders {
        assert!(s["unit"].is_string() && s["allowed"].is_string() && s["source"].is_string(), "{s}");
    }
    let (status, opened) = server.json("POST", "/api/sessions", Some(json!({})));
    assert_eq!(status, 200, "{opened}");
    let id = opened["id"].as_str().unwrap().to_string();
    let at = |route: &str| format!("/api/sessions/{id}/{route}");

    let (status, stepped) = server.json("POST", &at("step"), Some(json!({ "days": 21 })));
    assert_eq!((status, stepped["day"].as_u64()), (200, Some(21)));
    let (_, view) = server.json("GET", &at("view"), None);
    let want = open_assessments(&crate::scenario("teaching_one_team"), 21);
    for (i, side) in view["sides"].as_array().unwrap().iter().enumerate() {
        assert_eq!(side["figures"]["open_assessments"].as_u64(), Some(u64::from(want[i])), "side {i}");
        assert_eq!(side["teams"][0]["posts"].as_array().unwrap().len(), 7);
    }
    assert_eq!(view["sides"][0]["rule"], "practitioner_only");

    let (_, events) = server.json("GET", &at("events"), None);
    let events = events["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["kind"] == "decision" && e["text"].as_str().unwrap().contains("deciding alone")));
    assert!(events.iter().any(|e| e["kind"] == "decision" && e["text"].as_str().unwrap().contains("with the manager")));
    let keys = |side: u64| -> Vec<String> {
        let mut k: Vec<String> = events
            .iter()
            .filter(|e| e["side"] == side && e["kind"] == "referral")
            .map(|e| e["key"].as_str().unwrap().to_string())
            .collect();
        k.sort();
        k
    };
    assert_eq!(keys(0), keys(1), "both rules see the same referrals");
    assert!(events.iter().all(|e| e["text"].as_str().unwrap().starts_with("day ")));
    let (_, series) = server.json("GET", &at("series?from=0"), None);
    assert_eq!(series["sides"][0]["day"].as_array().unwrap().len(), 21);

    let key = keys(0)[0].clone();
    let (status, follow) = server.json("POST", &at("follow"), Some(json!({ "key": key })));
    assert_eq!(status, 200);
    assert!(!follow["sides"][0]["events"].as_array().unwrap().is_empty(), "{follow}");

    let (status, refused) =
        server.json("POST", &at("settings"), Some(json!({ "values": [["judgement.manager_weight", 1.3]] })));
    assert_eq!(status, 400);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .starts_with("explore settings: judgement.manager_weight: is 1.3; allowed 0.5 to 1"),
        "{refused}"
    );
    assert_eq!(refused["fields"], json!(["judgement.manager_weight"]));
    let (status, _) = server.json("POST", &at("step"), Some(json!({ "days": 251 })));
    assert_eq!(status, 400, "a step is at most a year");
    let (status, _) = server.json("GET", "/api/sessions/0123456789abcdef0123456789abcdef/view", None);
    assert_eq!(status, 404);
    // Only pages of this machine: another site in the same browser, or a name rebound to
    // 127.0.0.1, is refused.
    let step = json!({ "days": 1 });
    let (status, _) =
        server.http_as("POST", &at("step"), Some(&step), "Host: 127.0.0.1\r\nOrigin: http://evil.example");
    assert_eq!(status, 403);
    let (status, _) = server.http_as("GET", &at("view"), None, "Host: evil.example");
    assert_eq!(status, 403);
    let (status, _) = server.http_as("GET", &at("view"), None, "Host: localhost:1\r\nOrigin: http://127.0.0.1:1");
    assert_eq!(status, 200);

    let (status, changed) =
        server.json("POST", &at("settings"), Some(json!({ "seed": 9, "values": [["authority.posts_per_team", 4]] })));
    assert_eq!((status, changed["day"].as_u64()), (200, Some(0)), "{changed}");
    let (status, toml) = server.http("GET", &at("scenario.toml"), None);
    assert_eq!(status, 200);
    let toml = text(&toml);
    assert!(toml.contains("posts_per_team = 4\n") && toml.contains("seed = 9\n"), "{toml}");
    validate(&server.out, &toml);

    let (status, exported) = server.json("POST", &at("export"), Some(json!({ "replications": 2 })));
    assert_eq!(status, 200, "{exported}");
    let files: Vec<&str> = exported["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    for f in ["runs.csv", "summary.csv", "manifest.toml", "report.html", "runs.parquet"] {
        assert!(files.contains(&f), "{f} in {files:?}");
    }
    let (status, runs) = server.http("GET", &at("files/runs.csv"), None);
    assert_eq!((status, text(&runs).lines().count()), (200, 5), "a header and 2 rules x 2 replications");
    let (status, _) = server.http("GET", &at("files/..%2F..%2FCargo.toml"), None);
    assert_eq!(status, 404, "only the export's own files are served");
    let (status, zip) = server.http("GET", &at("results.zip"), None);
    assert_eq!((status, &zip[..2]), (200, &b"PK"[..]));
    let manifest = std::fs::read_to_string(server.out.join(&id).join("results/manifest.toml")).unwrap();
    validate(&server.out, &manifest);
    // Everything the server wrote is inside its output folder, in the session's own.
    let entries: Vec<String> = std::fs::read_dir(&server.out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(entries.contains(&id), "{entries:?}");
    let (status, _) = server.json("DELETE", &format!("/api/sessions/{id}"), None);
    assert_eq!(status, 200);
    assert!(server.out.join(&id).exists(), "a closed session's export stays on disk until someone deletes it");
    server.stop();
}

#[test]
fn a_bad_scenario_or_one_too_big_is_refused_before_serving() {
    let o = caseload(&["explore", "scenarios/baseline.toml", "--port", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("explore runs at most 5 teams"), "{}", text(&o.stderr));
    let o = caseload(&["explore", "tests/fixtures/out_of_range.toml", "--port", "0"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
}

/// Waits (by polling in the page, a bounded number of times) until the page has loaded
/// and its queue of requests is empty.
const READY: &str = "new Promise((ok, fail) => { let n = 0; const t = setInterval(() => { \
    if (window.explore && document.body.dataset.day !== undefined) { clearInterval(t); window.explore.idle().then(() => ok(true)); } \
    else if (++n > 1200) { clearInterval(t); fail(new Error('the page did not load')); } }, 25); })";

#[test]
fn the_page_runs_in_a_real_browser() {
    let Some(browser) = crate::browser::chromium() else { return };
    let server = Server::start("explore_browser");
    let dir = server.out.parent().unwrap().to_path_buf();
    let mut b = crate::cdp::Browser::launch(&browser, &dir.join("profile"));
    b.open(&server.url(), 1400, 1900);
    assert_eq!(b.eval(READY), json!(true));
    let before = b.eval(
        "({ rows: document.querySelectorAll('#team-0 tr').length, points: document.getElementById('chart-open_assessments').dataset.points })",
    );
    // Move a slider (team size 7 -> 9), then step a month.
    let after = b.eval(
        "(async () => { const r = document.querySelector('.slider[data-path=\"authority.posts_per_team\"] input[type=range]'); \
         r.value = 9; r.dispatchEvent(new Event('change')); await window.explore.idle(); \
         document.getElementById('step-month').click(); await window.explore.idle(); \
         const fig = (i) => document.getElementById('fig-' + i + '-open_assessments').textContent; \
         return { day: document.body.dataset.day, rows: document.querySelectorAll('#team-0 tr').length, \
           points: document.getElementById('chart-open_assessments').dataset.points, open: [fig(0), fig(1)], \
           error: document.getElementById('error').hidden, message: document.getElementById('error').textContent, feed: document.querySelectorAll('#feed li').length }; })()",
    );
    assert_eq!(after["day"], "21", "{after}");
    assert_eq!(after["error"], true, "no error shown: {after}");
    assert_eq!(before["rows"], 8, "7 posts and a header: {before}");
    assert_eq!(after["rows"], 10, "the team view shows the 9 posts the slider asked for: {after}");
    assert_eq!(before["points"], "0");
    assert_eq!(after["points"], "42", "the chart draws 21 days of both rules: {after}");
    assert!(after["feed"].as_u64().unwrap() > 0, "the feed lists events: {after}");
    let s = crate::scenario("teaching_one_team").with("authority.posts_per_team", ScenarioValue::Int(9)).unwrap();
    let want = open_assessments(&s, 21);
    assert_eq!(after["open"], json!([want[0].to_string(), want[1].to_string()]), "the page shows the library's figure");

    // The exported scenario is the settings on the page, and caseload validates it.
    let toml = b.eval("(async () => (await fetch(document.getElementById('scenario-link').href)).text())()");
    let toml = toml.as_str().unwrap();
    assert!(toml.contains("posts_per_team = 9\n"), "{toml}");
    validate(&dir, toml);

    // A year and a half on, following a child, for the screenshot in docs/img/explore.png.
    b.eval(
        "(async () => { for (let i = 0; i < 18; i++) await window.explore.stepDays(21); \
         const li = [...document.querySelectorAll('#feed li.keyed.high')].find((l) => /rated/.test(l.textContent)) || document.querySelector('#feed li.keyed'); \
         li.click(); await window.explore.idle(); window.scrollTo(0, 0); return true; })()",
    );
    assert!(b.eval("document.querySelectorAll('#follow-out li').length").as_u64().unwrap() > 0, "a child is followed");
    let png = b.screenshot();
    assert_eq!(&png[1..4], b"PNG");
    std::fs::write(dir.join("explore.png"), png).unwrap();

    // A bad value typed in a box gets the scenario checks' located message.
    let error = b.eval(
        "(async () => { const n = document.querySelector('.slider[data-path=\"judgement.manager_weight\"] input[type=number]'); \
         n.value = 1.3; n.dispatchEvent(new Event('change')); await window.explore.idle(); \
         const e = document.getElementById('error'); return e.hidden ? '' : e.textContent; })()",
    );
    assert!(error.as_str().unwrap().contains("judgement.manager_weight: is 1.3; allowed 0.5 to 1"), "{error}");
    drop(b);
    server.stop();
}

/// Classroom mode over loopback: the code is required (in the address, a cookie or a
/// header), a page of another site is refused, bodies are bounded, errors name no path,
/// students record runs and the board gathers them as a table and a tidy CSV.
#[test]
fn classroom_mode_needs_its_code_and_gathers_runs_on_the_board() {
    // Without --classroom a network address is refused before anything binds.
    let o = caseload(&["explore", "--bind", "0.0.0.0", "--port", "0"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(text(&o.stderr).contains("only in classroom mode"), "{}", text(&o.stderr));
    let o = caseload(&["explore", "--classroom", "--code", "ab", "--port", "0"]);
    assert!(text(&o.stderr).contains("allowed 4 to 12 letters or digits"), "{}", text(&o.stderr));

    let server = Server::start_with("explore_classroom", &["--classroom", "--bind", "127.0.0.1", "--code", "TEST42"]);
    assert_eq!(server.code.as_deref(), Some("TEST42"));
    let (status, body) = server.http_as("GET", "/api/controls", None, "Host: 127.0.0.1");
    assert_eq!(status, 403, "no code: {}", text(&body));
    assert!(text(&body).contains("needs its code"), "{}", text(&body));
    let (status, _) = server.http_as("GET", "/api/controls", None, "Host: 127.0.0.1\r\nX-Caseload-Code: TEST41");
    assert_eq!(status, 403, "a wrong code");
    let (status, _) = server.http_as("GET", "/", None, "Host: 127.0.0.1\r\nCookie: caseload_code=TEST42");
    assert_eq!(status, 200, "the cookie the page sets");
    let (status, controls) = server.json("GET", "/api/controls", None);
    assert_eq!(status, 200);
    assert_eq!(controls["classroom"], json!(true));
    assert_eq!(controls["max_export_replications"], json!(200));
    // A page of another site cannot drive a session, even with the code.
    let (status, _) = server.http_as(
        "POST",
        "/api/sessions",
        Some(&json!({})),
        "Host: 127.0.0.1\r\nX-Caseload-Code: TEST42\r\nOrigin: http://elsewhere.example",
    );
    assert_eq!(status, 403);
    // Bodies are bounded.
    let big = json!({ "values": vec![json!(["authority.posts_per_team", 7]); 5000] });
    let (status, _) = server.http("POST", "/api/sessions", Some(&big));
    assert_eq!(status, 413, "a body over 64 KB");

    // Two students run and record; the board has both.
    let mut ids = Vec::new();
    for (name, posts) in [("Amira", 7), ("Ben, the second", 9)] {
        let (status, opened) =
            server.json("POST", "/api/sessions", Some(json!({ "values": [["authority.posts_per_team", posts]] })));
        assert_eq!(status, 200, "{opened}");
        let id = opened["id"].as_str().unwrap().to_string();
        // Past the warm-up (a year), so that the measured figures exist.
        for _ in 0..2 {
            assert_eq!(server.json("POST", &format!("/api/sessions/{id}/step"), Some(json!({ "days": 200 }))).0, 200);
        }
        let (status, r) = server.json("POST", &format!("/api/sessions/{id}/record"), Some(json!({ "name": name })));
        assert_eq!(status, 200, "{r}");
        ids.push(id);
    }
    let (status, bad_name) =
        server.json("POST", &format!("/api/sessions/{}/record", ids[0]), Some(json!({ "name": "" })));
    assert_eq!(status, 400, "{bad_name}");
    let (_, board) = server.json("GET", "/api/board", None);
    let runs = board["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{board}");
    assert_eq!(runs[1]["name"], json!("Ben, the second"));
    assert_eq!(runs[1]["settings"], json!({ "authority.posts_per_team": 9.0 }), "only what differs from the base");
    assert_eq!(runs[0]["settings"], json!({}));
    assert_eq!(runs[0]["rules"], json!(["practitioner_only", "manager_shared"]));
    assert!(runs[0]["figures"][1]["assessments_per_day"].as_f64().unwrap() > 0.0, "{board}");
    let (status, csv) = server.http("GET", "/api/board.csv", None);
    assert_eq!(status, 200);
    let csv = text(&csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "a header and a row per run and rule: {csv}");
    assert!(lines[0].starts_with("run,name,day,seed,rule,"), "{csv}");
    assert!(lines[3].starts_with("2,\"Ben, the second\",400,"), "{csv}");
    // The feed: a tally by kind, lateness marked, re-referrals by label.
    let (_, events) = server.json("GET", &format!("/api/sessions/{}/events", ids[0]), None);
    let tally = &events["tally"];
    for kind in ["referral", "decision", "start", "completion", "workforce", "late_start", "over_limit", "rereferral"] {
        assert!(tally[kind].as_array().is_some_and(|a| a.len() == 2), "{kind}: {tally}");
    }
    let list = events["events"].as_array().unwrap();
    assert_eq!(
        list.len() as u64,
        tally
            .as_object()
            .unwrap()
            .iter()
            .filter(
                |(k, _)| ["referral", "decision", "start", "completion", "workforce", "manager"].contains(&k.as_str())
            )
            .map(|(_, v)| v[0].as_u64().unwrap() + v[1].as_u64().unwrap())
            .sum::<u64>(),
        "the whole year is kept"
    );
    let rereferrals: Vec<&str> =
        list.iter().filter_map(|e| e["text"].as_str()).filter(|t| t.contains(" re-referral ")).collect();
    assert!(!rereferrals.is_empty() && rereferrals.iter().all(|t| t.contains("-R")), "{rereferrals:?}");
    assert!(list.iter().any(|e| e["late"] == json!(true)), "some work is late in two years");
    assert!(list.iter().filter(|e| e["late"] == json!(true)).all(|e| {
        let t = e["text"].as_str().unwrap();
        t.contains("late") || t.contains("over the limit")
    }));
    // An export names no folder of the lecturer's machine; nor does a failure.
    let (status, exported) =
        server.json("POST", &format!("/api/sessions/{}/export", ids[0]), Some(json!({ "replications": 2 })));
    assert_eq!(status, 200, "{exported}");
    assert_eq!(exported["folder"], Value::Null);
    let (status, missing) = server.http("GET", &format!("/api/sessions/{}/files/nothing.csv", ids[0]), None);
    assert_eq!(status, 404);
    let out = server.out.display().to_string();
    assert!(!text(&missing).contains(&out) && !text(&missing).contains('/'), "{}", text(&missing));
    // Exports outlive their session.
    assert_eq!(server.json("POST", &format!("/api/sessions/{}/close", ids[0]), None).0, 200);
    let (status, _) = server.http("GET", &format!("/api/sessions/{}/results.zip", ids[0]), None);
    assert_eq!(status, 200, "the zip after the session closed");
    server.stop();
}

/// The seminar in Chromium over loopback: two students join with the code from browsers
/// of their own, record their runs, and the board shows both; a browser without the code
/// is refused.
#[test]
fn two_students_and_the_board_in_a_real_browser() {
    let Some(browser) = crate::browser::chromium() else { return };
    let server = Server::start_with("explore_seminar", &["--classroom", "--bind", "127.0.0.1"]);
    let code = server.code.clone().expect("a class code");
    assert_eq!(code.len(), 6);
    let dir = server.out.parent().unwrap().to_path_buf();
    let record = |b: &mut crate::cdp::Browser, name: &str| {
        b.eval(&format!(
            "(async () => {{ await window.explore.stepDays(60); document.getElementById('record-name').value = '{name}'; \
             document.getElementById('record').click(); await window.explore.idle(); \
             for (let i = 0; i < 200 && !/recorded/.test(document.getElementById('record-status').textContent); i++) \
               await new Promise((r) => setTimeout(r, 25)); \
             return document.getElementById('record-status').textContent; }})()"
        ))
    };
    let mut first = crate::cdp::Browser::launch(&browser, &dir.join("profile-1"));
    first.open(&server.url(), 1024, 768);
    assert_eq!(first.eval(READY), json!(true));
    let said = record(&mut first, "Amira");
    assert!(said.as_str().unwrap().contains("recorded"), "{said}");
    let mut second = crate::cdp::Browser::launch(&browser, &dir.join("profile-2"));
    // The second student shares a link with settings in the address.
    second.open(&format!("{}&authority.posts_per_team=9", server.url()), 1024, 768);
    assert_eq!(second.eval(READY), json!(true));
    let rows = second.eval("document.querySelectorAll('#team-0 tr').length");
    assert_eq!(rows, json!(10), "the address's settings are applied: 9 posts and a header");
    let said = record(&mut second, "Ben");
    assert!(said.as_str().unwrap().contains("recorded (2"), "{said}");
    // The lecturer's board.
    first.open(&format!("http://127.0.0.1:{}/board?code={code}", server.port), 1024, 768);
    let board = first.eval(
        "new Promise((ok) => { let n = 0; const t = setInterval(() => { \
           if (document.body.dataset.runs === '2' || ++n > 400) { clearInterval(t); \
             ok({ runs: document.body.dataset.runs, rows: document.querySelectorAll('#board-table tbody tr').length, \
                  text: document.getElementById('board-table').textContent, \
                  chart: document.querySelectorAll('#board-chart svg, svg#board-chart').length }); } }, 25); })",
    );
    assert_eq!(board["runs"], json!("2"), "{board}");
    assert_eq!(board["rows"], json!(2), "{board}");
    let words = board["text"].as_str().unwrap();
    assert!(words.contains("Amira") && words.contains("Ben") && words.contains("practitioner_only"), "{words}");
    assert!(board["chart"].as_u64().unwrap() >= 1, "{board}");
    // A browser without the code is refused.
    let mut stranger = crate::cdp::Browser::launch(&browser, &dir.join("profile-3"));
    stranger.open(&format!("http://127.0.0.1:{}/", server.port), 1024, 768);
    let shown = stranger.eval("document.body.textContent");
    assert!(shown.as_str().unwrap().contains("needs its code"), "{shown}");
    drop((first, second, stranger));
    server.stop();
}
