//! A headless Chromium driven through the DevTools protocol over a pipe
//! (`--remote-debugging-pipe`: commands in on file descriptor 3, answers out on 4, each
//! message JSON ended by a NUL byte): open a page, evaluate JavaScript, take a screenshot.
//! No WebDriver and no extra crate; the shell maps the pipes onto descriptors 3 and 4.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

pub struct Browser {
    child: Child,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
    next: u64,
    session: Option<String>,
    /// Events read while waiting for an answer, by method name.
    seen: Vec<String>,
}

impl Browser {
    /// Starts `chromium` headless with a fresh profile under `profile`.
    pub fn launch(chromium: &Path, profile: &Path) -> Browser {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null"#)
            .arg(chromium)
            .args(crate::browser::HEADLESS)
            .args(["--hide-scrollbars", "--remote-debugging-pipe"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        let to = child.stdin.take().expect("pipe in");
        let from = BufReader::new(child.stdout.take().expect("pipe out"));
        Browser { child, to, from, next: 1, session: None, seen: Vec::new() }
    }

    /// Sends a command (to the attached page, once there is one) and returns its result,
    /// skipping the events that come before it.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).expect("chromium reads its pipe");
        self.to.flush().unwrap();
        loop {
            let v = self.read(method);
            if v["id"] == json!(id) {
                assert!(v.get("error").is_none(), "{method}: {}", v["error"]);
                return v["result"].clone();
            }
            if let Some(event) = v["method"].as_str() {
                self.seen.push(event.to_string());
            }
        }
    }

    /// The next message from the browser.
    fn read(&mut self, during: &str) -> Value {
        let mut buf = Vec::new();
        let n = self.from.read_until(0, &mut buf).expect("chromium answers");
        assert!(n > 0, "chromium closed its pipe during {during}");
        buf.pop();
        serde_json::from_slice(&buf).expect("a JSON message")
    }

    /// Waits for the event `method` (one seen already counts), then forgets the events seen.
    fn wait_for(&mut self, method: &str) {
        while !self.seen.iter().any(|m| m == method) {
            let v = self.read(method);
            if let Some(event) = v["method"].as_str() {
                self.seen.push(event.to_string());
            }
        }
        self.seen.clear();
    }

    /// Opens a page at `url` in a window of the given size, attaches to it and waits until
    /// it has loaded.
    pub fn open(&mut self, url: &str, width: u32, height: u32) {
        let target = self.call("Target.createTarget", json!({ "url": "about:blank" }));
        let attached = self.call("Target.attachToTarget", json!({ "targetId": target["targetId"], "flatten": true }));
        self.session = Some(attached["sessionId"].as_str().expect("a session").to_string());
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        );
        self.call("Page.enable", json!({}));
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for("Page.loadEventFired");
    }

    /// Evaluates `expression` in the page, awaiting a promise, and returns its value;
    /// panics with the page's message if it throws.
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .call("Runtime.evaluate", json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }));
        if let Some(e) = r.get("exceptionDetails") {
            panic!("the page threw: {}", e["exception"]["description"].as_str().unwrap_or(&e.to_string()));
        }
        r["result"]["value"].clone()
    }

    /// The whole page as PNG bytes.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let r = self.call("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true }));
        base64_decode(r["data"].as_str().expect("image data"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.session = None;
        let id = self.next;
        let mut bytes = serde_json::to_vec(&json!({ "id": id, "method": "Browser.close" })).unwrap();
        bytes.push(0);
        let _ = self.to.write_all(&bytes);
        let _ = self.to.flush();
        if self.child.wait().is_err() {
            let _ = self.child.kill();
        }
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}
