//! `caseload explore`: a page where a class watches both rules run side by side on the
//! same referrals. The only place that knows about axum and tokio.
//!
//! Each browser tab opens a session: a pair of simulations (both rules, the same seed,
//! replication 0) stepped in lockstep on a thread of its own (`session.rs`). The page's
//! HTML, JavaScript and CSS are compiled in (`page/`), so it works with no network. By
//! default it listens on 127.0.0.1 and answers only requests addressed to this machine
//! from pages of this machine. In classroom mode (`Options::code`) it listens where the
//! lecturer says, every request must carry the class code (`?code=` in the join address,
//! then a cookie), a browser's request must come from a page of this server, and errors
//! name no path of the lecturer's machine. Either way requests in flight, body sizes,
//! sessions and the board are bounded.
//!
//! The JSON API (every session route is under `/api/sessions/{id}`; errors are
//! `{"error": text}`, with `"fields"` naming the keys of a refused setting):
//!
//! | route | does |
//! |---|---|
//! | `GET /api/controls` | the sliders (label, unit, allowed, source, prior, value), the rules, the seed |
//! | `POST /api/sessions` `{rules?, seed?, values?: [[key, number]...]}` | opens a session: `{id}`; 400 with the scenario checks' located messages; 503 when full |
//! | `POST .../settings` (same body) | starts both simulations again from day 0 with new settings |
//! | `POST .../step` `{days}` | steps both rules up to a year of days (not past the end): `{day, end}` |
//! | `GET .../view` | day, end, warm-up; per rule: teams (manager, queues, posts and workers) and figures |
//! | `GET .../events?since=SEQ` | events after `SEQ` (from the first kept, without it) in words, oldest first, 5,000 at most: `{events, next, more, kept_from, tally}`, the tally counting each kind per rule since day 0 |
//! | `GET .../series?from=DAY` | the charts' daily figures per rule from `DAY` |
//! | `POST .../follow` `{key}`, `GET .../follow` | one referral's path under each rule |
//! | `GET .../scenario.toml` | the settings as a scenario file `caseload run` accepts |
//! | `POST .../export` `{replications}` | runs the plan into `<out>/<id>/results`: `{folder, files}` |
//! | `GET .../files/{name}`, `GET .../results.zip` | a file of that export, or all of them (also after the session closed) |
//! | `POST .../record` `{name}` | records the run (rules, seed, settings, both rules' figures today) on the class board: `{recorded}` |
//! | `GET /api/board`, `GET /api/board.csv` | the class board: `{runs, sliders}`; a tidy CSV, a row per run and rule |
//! | `GET /board` | the class board's page (for the projector) |
//! | `DELETE /api/sessions/{id}`, `POST .../close` | closes the session |

mod class;
mod controls;
mod export;
mod json;
mod pair;
mod session;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};

pub use controls::{MAX_TEAMS, MAX_YEARS, SLIDERS};
pub use session::{CODE_LETTERS, IDLE, MAX_SESSIONS, new_code};

use crate::scenario::Scenario;
use controls::Settings;
use session::{SessionError, Sessions};

/// The scenario `caseload explore` starts from when given none.
pub const DEFAULT_SCENARIO: &str = "scenarios/teaching_one_team.toml";

/// What `caseload explore` serves and where it writes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The scenario the page starts from; [`DEFAULT_SCENARIO`] is used from the copy
    /// compiled in when there is no such file here.
    pub scenario: PathBuf,
    /// The address to listen on: 127.0.0.1 (this machine only) unless a classroom code
    /// is set.
    pub bind: IpAddr,
    /// 0: any free port.
    pub port: u16,
    /// The only folder the server writes in (exports).
    pub out: PathBuf,
    /// Classroom mode: the code every request must carry (in the address, `?code=`, then
    /// in a cookie the page sets). `None`: this machine only, no code.
    pub code: Option<String>,
}

struct App {
    base: Scenario,
    sessions: Sessions,
    out: PathBuf,
    code: Option<String>,
    /// Requests being answered, bounded by [`MAX_IN_FLIGHT`].
    in_flight: tokio::sync::Semaphore,
    /// The class board: runs students recorded, oldest first, at most [`MAX_BOARD`].
    board: Mutex<Vec<Json>>,
}

/// Requests answered at once; more get 503.
pub const MAX_IN_FLIGHT: usize = 64;
/// Largest request body accepted (a settings body is under 2 KB).
pub const MAX_BODY: usize = 64 * 1024;
/// Runs the class board keeps.
pub const MAX_BOARD: usize = 500;
/// Events one request returns at most (the page asks again while `more`).
const EVENTS_PER_REQUEST: usize = 5000;

type Shared = State<Arc<App>>;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");
const BOARD: &str = include_str!("page/board.html");
const BOARD_SCRIPT: &str = include_str!("page/board.js");

/// Serves the page until Ctrl-C (or SIGTERM), then shuts down gracefully: requests under
/// way finish. `listening` is told the address once the port is bound. Without a class
/// code the server binds only to a loopback address.
pub fn serve(opts: Options, listening: impl FnOnce(SocketAddr)) -> Result<()> {
    if opts.code.is_none() && !opts.bind.is_loopback() {
        anyhow::bail!(
            "explore binds to {} only in classroom mode (--classroom), where every request must carry the class code",
            opts.bind
        );
    }
    if let Some(code) = &opts.code {
        class::check_code(code)?;
    }
    let base = match Scenario::load(&opts.scenario) {
        // The default scenario is compiled in, so the page starts from any folder.
        Err(crate::scenario::ScenarioError::Io { .. }) if opts.scenario == std::path::Path::new(DEFAULT_SCENARIO) => {
            Scenario::from_toml(include_str!("../../scenarios/teaching_one_team.toml"), &opts.scenario)?
        }
        loaded => loaded?,
    };
    controls::setup(&base, &Settings::default())
        .map_err(|r| anyhow::anyhow!("{}: {}", opts.scenario.display(), r.message))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((opts.bind, opts.port))
            .await
            .with_context(|| format!("binding {}", SocketAddr::new(opts.bind, opts.port)))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        listening(addr);
        let app = Arc::new(App {
            base,
            sessions: Sessions::new(),
            out: opts.out,
            code: opts.code,
            in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
            board: Mutex::new(Vec::new()),
        });
        tokio::spawn(expire_idle(Arc::clone(&app)));
        axum::serve(listener, router(app)).with_graceful_shutdown(shutdown_signal()).await.context("serving")
    })
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// Closes idle sessions every minute. Their exports stay on disk (under `--out`) until
/// someone deletes them.
async fn expire_idle(app: Arc<App>) {
    let mut tick = tokio::time::interval(session::EXPIRY_TICK);
    loop {
        tick.tick().await;
        app.sessions.expire();
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(INDEX) }))
        .route("/board", get(|| async { Html(BOARD) }))
        .route(
            "/board.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], BOARD_SCRIPT) }),
        )
        .route("/api/board", get(class::board))
        .route("/api/board.csv", get(class::board_csv))
        .route("/api/sessions/{id}/record", post(class::record))
        .route("/app.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT) }))
        .route("/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }))
        .route("/api/controls", get(controls_route))
        .route("/api/sessions", post(open))
        .route("/api/sessions/{id}", axum::routing::delete(close))
        .route("/api/sessions/{id}/close", post(close))
        .route("/api/sessions/{id}/settings", post(settings))
        .route("/api/sessions/{id}/step", post(step))
        .route("/api/sessions/{id}/view", get(view))
        .route("/api/sessions/{id}/events", get(events))
        .route("/api/sessions/{id}/series", get(series))
        .route("/api/sessions/{id}/follow", get(follow_get).post(follow_post))
        .route("/api/sessions/{id}/scenario.toml", get(scenario_toml))
        .route("/api/sessions/{id}/export", post(export_results))
        .route("/api/sessions/{id}/files/{name}", get(file))
        .route("/api/sessions/{id}/results.zip", get(zip))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&app), class::guard))
        .with_state(app)
}

/// A request that failed: its status and a JSON body `{"error": ...}`.
#[derive(Debug)]
struct Failure(StatusCode, Json);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

fn failure(status: StatusCode, message: impl Into<String>) -> Failure {
    Failure(status, json!({ "error": message.into() }))
}

fn bad(message: impl Into<String>) -> Failure {
    failure(StatusCode::BAD_REQUEST, message)
}

impl From<SessionError> for Failure {
    fn from(e: SessionError) -> Failure {
        match e {
            SessionError::Unknown => {
                failure(StatusCode::NOT_FOUND, "no such session (closed or idle too long): reload the page")
            }
            SessionError::Full => failure(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{MAX_SESSIONS} sessions are open, the most this server runs: close a tab or wait"),
            ),
            SessionError::Gone => failure(StatusCode::INTERNAL_SERVER_ERROR, "the session stopped; reload the page"),
        }
    }
}

impl From<controls::Refused> for Failure {
    fn from(r: controls::Refused) -> Failure {
        Failure(StatusCode::BAD_REQUEST, r.json())
    }
}

type Answer = Result<axum::Json<Json>, Failure>;

/// A request's JSON body (an empty body is the type's default), refused with a message.
struct Body<T>(T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for Body<T> {
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Failure> {
        let text = String::from_request(req, state).await.map_err(|e| failure(e.status(), e.body_text()))?;
        if text.trim().is_empty() {
            return Ok(Body(T::default()));
        }
        serde_json::from_str(&text).map(Body).map_err(|e| bad(format!("the request body: {e}")))
    }
}

/// The id, if it has the form of one (it names a folder).
fn valid(id: &str) -> Result<&str, Failure> {
    if Sessions::valid_id(id) { Ok(id) } else { Err(SessionError::Unknown.into()) }
}

/// Runs `f` on a session's pair, on its thread, and answers with what it gives.
async fn on<T: Send + 'static>(
    app: &App,
    id: &str,
    f: impl for<'a> FnOnce(&mut pair::Pair<'a>) -> T + Send + 'static,
) -> Result<T, Failure> {
    Ok(app.sessions.with(valid(id)?, f).await?)
}

async fn controls_route(State(app): Shared) -> axum::Json<Json> {
    let mut c = controls::describe(&app.base);
    c["classroom"] = json!(app.code.is_some());
    c["max_export_replications"] = json!(export::MAX_REPLICATIONS);
    axum::Json(c)
}

async fn open(State(app): Shared, Body(settings): Body<Settings>) -> Answer {
    let setup = controls::setup(&app.base, &settings)?;
    app.sessions.expire();
    let id = app.sessions.open(setup)?;
    Ok(axum::Json(json!({ "id": id })))
}

async fn close(State(app): Shared, Path(id): Path<String>) -> Answer {
    if !app.sessions.close(valid(&id)?) {
        return Err(SessionError::Unknown.into());
    }
    Ok(axum::Json(json!({ "closed": id })))
}

async fn settings(State(app): Shared, Path(id): Path<String>, Body(settings): Body<Settings>) -> Answer {
    let setup = controls::setup(&app.base, &settings)?;
    app.sessions.reset(valid(&id)?, setup)?;
    Ok(axum::Json(on(&app, &id, |p| json!({ "day": p.day(), "end": p.end() })).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepBody {
    days: u32,
}

async fn step(State(app): Shared, Path(id): Path<String>, Body(b): Body<StepBody>) -> Answer {
    if b.days > crate::scenario::DAYS_PER_YEAR {
        return Err(bad(format!("days is {}; allowed 0 to 250 a request", b.days)));
    }
    let answer = on(&app, &id, move |p| {
        p.step(b.days);
        json!({ "day": p.day(), "end": p.end() })
    });
    Ok(axum::Json(answer.await?))
}

async fn view(State(app): Shared, Path(id): Path<String>) -> Answer {
    Ok(axum::Json(on(&app, &id, |p| json::view(p)).await?))
}

#[derive(Debug, Deserialize)]
struct Since {
    since: Option<u64>,
}

async fn events(State(app): Shared, Path(id): Path<String>, Query(q): Query<Since>) -> Answer {
    let answer = on(&app, &id, move |p| {
        let from = q.since.map_or(0, |s| s + 1);
        let after: Vec<&(u64, usize, crate::model::ModelEvent)> =
            p.events.iter().filter(|(seq, _, _)| *seq >= from).collect();
        let more = after.len() > EVENTS_PER_REQUEST;
        let label = |k: u64| p.label(k);
        let list: Vec<Json> =
            after.iter().take(EVENTS_PER_REQUEST).map(|(seq, side, e)| json::event(*seq, *side, e, &label)).collect();
        let next = if more { after[EVENTS_PER_REQUEST].0 } else { p.next_seq };
        json!({ "events": list, "next": next, "more": more, "kept_from": p.events.front().map(|e| e.0), "tally": json::tally(p) })
    });
    Ok(axum::Json(answer.await?))
}

#[derive(Debug, Deserialize)]
struct FromDay {
    from: Option<u32>,
}

async fn series(State(app): Shared, Path(id): Path<String>, Query(q): Query<FromDay>) -> Answer {
    Ok(axum::Json(on(&app, &id, move |p| json::series(p, q.from.unwrap_or(0))).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowBody {
    key: String,
}

async fn follow_post(State(app): Shared, Path(id): Path<String>, Body(b): Body<FollowBody>) -> Answer {
    let answer = on(&app, &id, move |p| {
        let key = p.key_of(&b.key).ok_or_else(|| {
            format!("key is \"{}\"; a referral's number (4411) or a re-referral's label (4411-R) is needed", b.key)
        })?;
        p.follow(key);
        Ok::<Json, String>(json::follow(p))
    });
    Ok(axum::Json(answer.await?.map_err(bad)?))
}

async fn follow_get(State(app): Shared, Path(id): Path<String>) -> Answer {
    Ok(axum::Json(on(&app, &id, |p| json::follow(p)).await?))
}

async fn scenario_toml(State(app): Shared, Path(id): Path<String>) -> Result<Response, Failure> {
    let text = on(&app, &id, |p| export::scenario_text(p.setup)).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"explore.toml\""),
    ];
    Ok((headers, text).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportBody {
    replications: Option<u32>,
}

async fn export_results(State(app): Shared, Path(id): Path<String>, Body(b): Body<ExportBody>) -> Answer {
    let (out, sid, n) = (app.out.clone(), id.clone(), b.replications.unwrap_or(1));
    if !(1..=export::MAX_REPLICATIONS).contains(&n) {
        return Err(bad(format!("replications is {n}; allowed a whole number 1 to {}", export::MAX_REPLICATIONS)));
    }
    let written = on(&app, &id, move |p| export::results(p.setup, &out, &sid, n).map_err(|e| format!("{e:#}")));
    let (dir, files) = written.await?.map_err(|e| bad(private(&app, e, "the export failed")))?;
    // In a classroom the server's folders are not the students' business.
    let folder = if app.code.is_some() { Json::Null } else { json!(dir.display().to_string()) };
    Ok(axum::Json(json!({ "folder": folder, "files": files })))
}

/// An error's words for the page: in classroom mode a fixed message (the full one goes to
/// the lecturer's terminal), so that no path or detail of the lecturer's machine is shown.
fn private(app: &App, full: String, words: &str) -> String {
    if app.code.is_some() {
        eprintln!("explore: {full}");
        words.to_string()
    } else {
        full
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("csv") => "text/csv; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("toml") => "application/toml; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// A session's id, marked used if the session is open. Its exports outlive it: the id,
/// 128 bits no one can guess, is what lets a student fetch them again.
fn session_of<'i>(app: &App, id: &'i str) -> Result<&'i str, Failure> {
    let id = valid(id)?;
    app.sessions.touch(id);
    Ok(id)
}

async fn file(State(app): Shared, Path((id, name)): Path<(String, String)>) -> Result<Response, Failure> {
    let bytes = export::read(&app.out, session_of(&app, &id)?, &name)
        .map_err(|e| failure(StatusCode::NOT_FOUND, private(&app, format!("{e:#}"), "no such file: export first")))?;
    Ok(([(header::CONTENT_TYPE, content_type(&name))], bytes).into_response())
}

async fn zip(State(app): Shared, Path(id): Path<String>) -> Result<Response, Failure> {
    let bytes = export::zip(&app.out, session_of(&app, &id)?).map_err(|e| {
        failure(
            StatusCode::NOT_FOUND,
            private(&app, format!("export first: {e:#}"), "nothing exported yet: export first"),
        )
    })?;
    let headers = [
        (header::CONTENT_TYPE, "application/zip"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"results.zip\""),
    ];
    Ok((headers, bytes).into_response())
}
