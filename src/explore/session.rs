//! Sessions: each browser tab's pair of simulations, on a thread of its own that owns the
//! scenario the simulations borrow; the handlers send it jobs and await the answer.
//! Bounded in number and expired when idle. The clock is read here (idle time and
//! session ids), never in the model.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::oneshot;

use super::pair::{Pair, Setup};

/// Most sessions at once: a class of 30 with a tab reloaded by a third of them.
pub const MAX_SESSIONS: usize = 48;
/// A session unused this long is closed.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// How often idle sessions are looked for.
pub const EXPIRY_TICK: Duration = Duration::from_secs(60);

/// Work for a session's thread: a closure over its pair, or a new setup (which starts both
/// simulations again from day 0).
enum Msg {
    Job(Box<dyn for<'a> FnOnce(&mut Pair<'a>) + Send>),
    Reset(Box<Setup>),
}

struct Entry {
    tx: mpsc::Sender<Msg>,
    last_used: Instant,
}

/// Why a session could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// No session with that id (never made, closed or expired).
    Unknown,
    /// [`MAX_SESSIONS`] are open and none is idle.
    Full,
    /// Its thread ended (a bug: it panicked).
    Gone,
}

/// Every open session.
#[derive(Clone)]
pub struct Sessions {
    inner: Arc<Mutex<BTreeMap<String, Entry>>>,
    counter: Arc<AtomicU64>,
    started: Instant,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::new()
    }
}

impl Sessions {
    #[allow(clippy::disallowed_methods)]
    pub fn new() -> Sessions {
        Sessions { inner: Arc::default(), counter: Arc::default(), started: Instant::now() }
    }

    #[allow(clippy::disallowed_methods)]
    fn now() -> Instant {
        Instant::now()
    }

    /// A fresh, hard-to-guess id: 32 hex digits mixed from a counter, the process and the
    /// time (ids only name sessions; no result depends on them).
    #[allow(clippy::disallowed_methods)]
    fn new_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let seed = nanos ^ u64::from(std::process::id()).rotate_left(32) ^ self.started.elapsed().as_nanos() as u64;
        let a = splitmix(seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let b = splitmix(a ^ n);
        format!("{a:016x}{b:016x}")
    }

    /// Whether `id` has the form of a session id (it also names a folder).
    pub fn valid_id(id: &str) -> bool {
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    }

    /// Opens a session running `setup`, if fewer than [`MAX_SESSIONS`] are open (the
    /// caller closes idle ones first, with [`Sessions::expire`]).
    pub fn open(&self, setup: Setup) -> Result<String, SessionError> {
        let mut map = self.inner.lock().expect("sessions");
        if map.len() >= MAX_SESSIONS {
            return Err(SessionError::Full);
        }
        let id = self.new_id();
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("explore-session".into())
            .spawn(move || run(setup, rx))
            .map_err(|_| SessionError::Gone)?;
        map.insert(id.clone(), Entry { tx, last_used: Sessions::now() });
        Ok(id)
    }

    /// Closes a session; its thread ends with its channel.
    pub fn close(&self, id: &str) -> bool {
        self.inner.lock().expect("sessions").remove(id).is_some()
    }

    /// Closes the sessions idle for [`IDLE`], returning their ids.
    pub fn expire(&self) -> Vec<String> {
        let now = Sessions::now();
        let mut map = self.inner.lock().expect("sessions");
        let old: Vec<String> =
            map.iter().filter(|(_, e)| now.duration_since(e.last_used) >= IDLE).map(|(k, _)| k.clone()).collect();
        for k in &old {
            map.remove(k);
        }
        old
    }

    /// Marks a session used now; false if there is none with that id.
    pub fn touch(&self, id: &str) -> bool {
        let mut map = self.inner.lock().expect("sessions");
        map.get_mut(id).map(|e| e.last_used = Sessions::now()).is_some()
    }

    fn send(&self, id: &str, msg: Msg) -> Result<(), SessionError> {
        let mut map = self.inner.lock().expect("sessions");
        let e = map.get_mut(id).ok_or(SessionError::Unknown)?;
        e.last_used = Sessions::now();
        e.tx.send(msg).map_err(|_| SessionError::Gone)
    }

    /// Runs `f` on the session's pair, on its thread, and returns what it gives.
    pub async fn with<T: Send + 'static>(
        &self,
        id: &str,
        f: impl for<'a> FnOnce(&mut Pair<'a>) -> T + Send + 'static,
    ) -> Result<T, SessionError> {
        let (tx, rx) = oneshot::channel();
        self.send(
            id,
            Msg::Job(Box::new(move |pair: &mut Pair<'_>| {
                let _ = tx.send(f(pair));
            })),
        )?;
        rx.await.map_err(|_| SessionError::Gone)
    }

    /// Starts the session again from day 0 with a new setup.
    pub fn reset(&self, id: &str, setup: Setup) -> Result<(), SessionError> {
        self.send(id, Msg::Reset(Box::new(setup)))
    }
}

/// A session's thread: owns the setup its pair borrows, until the channel closes.
fn run(first: Setup, rx: mpsc::Receiver<Msg>) {
    let mut next = Some(first);
    while let Some(setup) = next.take() {
        let mut pair = Pair::new(&setup);
        while let Ok(msg) = rx.recv() {
            match msg {
                Msg::Job(f) => f(&mut pair),
                Msg::Reset(s) => {
                    next = Some(*s);
                    break;
                }
            }
        }
    }
}

/// SplitMix64's finaliser.
/// The letters of a class code: no 0/O, 1/I/L, so that it can be read off a projector.
pub const CODE_LETTERS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A fresh class code of six letters from [`CODE_LETTERS`] (about 887 million codes),
/// mixed from the time and the process.
#[allow(clippy::disallowed_methods)]
pub fn new_code() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let mut z = splitmix(nanos ^ u64::from(std::process::id()).rotate_left(40));
    (0..6)
        .map(|_| {
            z = splitmix(z);
            CODE_LETTERS[(z % CODE_LETTERS.len() as u64) as usize] as char
        })
        .collect()
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> Setup {
        let text = include_str!("../../scenarios/teaching_one_team.toml");
        let scenario = crate::scenario::Scenario::from_toml(text, std::path::Path::new("teaching")).unwrap();
        let rules = [scenario.run.rules[0], scenario.run.rules[1]];
        Setup { scenario, rules }
    }

    #[test]
    fn sessions_are_bounded_and_the_idle_ones_expire() {
        let s = Sessions::new();
        let ids: Vec<String> = (0..MAX_SESSIONS).map(|_| s.open(setup()).unwrap()).collect();
        assert_eq!(s.open(setup()), Err(SessionError::Full));
        assert!(s.expire().is_empty(), "none is idle yet");
        // One left alone for longer than IDLE is closed, and its place can be taken.
        let long_ago = Sessions::now().checked_sub(IDLE + Duration::from_secs(1)).unwrap();
        s.inner.lock().unwrap().get_mut(&ids[3]).unwrap().last_used = long_ago;
        assert_eq!(s.expire(), vec![ids[3].clone()]);
        assert!(!s.touch(&ids[3]) && s.touch(&ids[4]));
        assert!(s.open(setup()).is_ok());
        assert!(s.close(&ids[0]) && !s.close(&ids[0]));
    }

    #[test]
    fn a_session_answers_on_its_own_thread_and_starts_again_on_reset() {
        let s = Sessions::new();
        let id = s.open(setup()).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let day = runtime.block_on(s.with(&id, |p| {
            p.step(30);
            p.day()
        }));
        assert_eq!(day, Ok(30));
        s.reset(&id, setup()).unwrap();
        assert_eq!(runtime.block_on(s.with(&id, |p| p.day())), Ok(0));
        assert_eq!(runtime.block_on(s.with("nobody", |p| p.day())), Err(SessionError::Unknown));
    }

    #[test]
    fn ids_are_distinct_and_well_formed() {
        let s = Sessions::new();
        let (a, b) = (s.new_id(), s.new_id());
        assert_ne!(a, b);
        assert!(Sessions::valid_id(&a) && Sessions::valid_id(&b));
        assert!(!Sessions::valid_id("../../etc") && !Sessions::valid_id(&a.to_uppercase()));
    }
}
