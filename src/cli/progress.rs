//! A progress bar on standard error. The clock is read here, in the command line, never
//! in the model.

use std::io::Write;

/// A progress bar: runs done, rate and time left.
pub(super) struct Progress {
    total: usize,
    enabled: bool,
    start: std::time::Instant,
    last: std::sync::Mutex<usize>,
}

impl Progress {
    #[allow(clippy::disallowed_methods)]
    pub(super) fn new(total: usize, enabled: bool) -> Progress {
        Progress { total, enabled, start: std::time::Instant::now(), last: std::sync::Mutex::new(0) }
    }

    pub(super) fn update(&self, done: usize) {
        if !self.enabled {
            return;
        }
        let mut last = self.last.lock().expect("progress");
        if done <= *last {
            return;
        }
        *last = done;
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let rate = done as f64 / secs;
        let left = (self.total - done) as f64 / rate.max(1e-9);
        let width = 30;
        let filled = width * done / self.total.max(1);
        let bar: String = "#".repeat(filled) + &"-".repeat(width - filled);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r[{bar}] {done}/{} runs, {rate:.1}/s, {left:.0}s left ", self.total);
    }

    pub(super) fn finish(&self) {
        if self.enabled {
            let _ = writeln!(std::io::stderr().lock());
        }
    }
}
