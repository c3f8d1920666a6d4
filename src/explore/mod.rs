//! `caseload explore`: a page on 127.0.0.1 where a class watches both rules run side by
//! side on the same referrals. The only place that knows about axum and tokio.
//!
//! Each browser tab opens a session: a pair of simulations (both rules, the same seed,
//! replication 0) stepped in lockstep on a thread of its own (`session.rs`). The page's
//! HTML, JavaScript and CSS are compiled in (`page/`), so it works with no network.
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
//! | `GET .../events?since=SEQ` | events after `SEQ` (all kept, without it) in words, oldest first, the newest 500 at most: `{events, next}` |
//! | `GET .../series?from=DAY` | the charts' daily figures per rule from `DAY` |
//! | `POST .../follow` `{key}`, `GET .../follow` | one referral's path under each rule |
//! | `GET .../scenario.toml` | the settings as a scenario file `caseload run` accepts |
//! | `POST .../export` `{replications}` | runs the plan into `<out>/<id>/results`: `{folder, files}` |
//! | `GET .../files/{name}`, `GET .../results.zip` | a file of that export, or all of them |
//! | `DELETE /api/sessions/{id}`, `POST .../close` | closes the session |

mod controls;
mod export;
mod pair;
mod session;
mod words;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value as Json, json};

pub use controls::{MAX_TEAMS, MAX_YEARS, SLIDERS};
pub use session::{IDLE, MAX_SESSIONS};

use crate::scenario::Scenario;
use controls::Settings;
use session::{SessionError, Sessions};

/// What `caseload explore` serves and where it writes.
#[derive(Debug, Clone)]
pub struct Options {
    pub scenario: PathBuf,
    /// 0: any free port.
    pub port: u16,
    /// The only folder the server writes in (exports).
    pub out: PathBuf,
}

struct App {
    base: Scenario,
    sessions: Sessions,
    out: PathBuf,
}

type Shared = State<Arc<App>>;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

/// Events one request returns at most.
const EVENTS_PER_REQUEST: usize = 500;

/// Serves the page until Ctrl-C (or SIGTERM), then shuts down gracefully: requests under
/// way finish. `listening` is told the address once the port is bound.
pub fn serve(opts: Options, listening: impl FnOnce(SocketAddr)) -> Result<()> {
    let base = Scenario::load(&opts.scenario)?;
    controls::within_bounds(&base).map_err(|m| anyhow::anyhow!("{}: {m}", opts.scenario.display()))?;
    controls::setup(&base, &Settings::default())
        .map_err(|r| anyhow::anyhow!("{}: {}", opts.scenario.display(), r.message))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))
            .await
            .with_context(|| format!("binding 127.0.0.1:{}", opts.port))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        listening(addr);
        let app = Arc::new(App { base, sessions: Sessions::new(), out: opts.out });
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

/// Closes idle sessions every minute and removes their exports.
async fn expire_idle(app: Arc<App>) {
    let mut tick = tokio::time::interval(session::EXPIRY_TICK);
    loop {
        tick.tick().await;
        for id in app.sessions.expire() {
            remove_exports(&app, &id);
        }
    }
}

fn remove_exports(app: &App, id: &str) {
    let dir = export::session_dir(&app.out, id);
    if dir.exists() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(INDEX) }))
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
        .with_state(app)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

fn session_error(e: SessionError) -> Response {
    match e {
        SessionError::Unknown => {
            error(StatusCode::NOT_FOUND, "no such session (closed or idle too long): reload the page")
        }
        SessionError::Full => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{MAX_SESSIONS} sessions are open, the most this server runs: close a tab or wait"),
        ),
        SessionError::Gone => error(StatusCode::INTERNAL_SERVER_ERROR, "the session stopped; reload the page"),
    }
}

/// Runs `f` on a session's pair and answers with its JSON.
async fn on(app: &App, id: &str, f: impl for<'a> FnOnce(&mut pair::Pair<'a>) -> Json + Send + 'static) -> Response {
    if !Sessions::valid_id(id) {
        return session_error(SessionError::Unknown);
    }
    match app.sessions.with(id, f).await {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => session_error(e),
    }
}

fn parse<T: for<'de> Deserialize<'de> + Default>(body: &str) -> Result<T, String> {
    if body.trim().is_empty() {
        return Ok(T::default());
    }
    serde_json::from_str(body).map_err(|e| format!("the request body: {e}"))
}

async fn controls_route(State(app): Shared) -> Response {
    axum::Json(controls::describe(&app.base)).into_response()
}

async fn open(State(app): Shared, body: String) -> Response {
    let settings: Settings = match parse(&body) {
        Ok(s) => s,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    let setup = match controls::setup(&app.base, &settings) {
        Ok(s) => s,
        Err(refused) => return (StatusCode::BAD_REQUEST, axum::Json(refused.json())).into_response(),
    };
    for id in app.sessions.expire() {
        remove_exports(&app, &id);
    }
    match app.sessions.open(setup) {
        Ok(id) => axum::Json(json!({ "id": id })).into_response(),
        Err(e) => session_error(e),
    }
}

async fn close(State(app): Shared, Path(id): Path<String>) -> Response {
    if Sessions::valid_id(&id) && app.sessions.close(&id) {
        remove_exports(&app, &id);
        axum::Json(json!({ "closed": id })).into_response()
    } else {
        session_error(SessionError::Unknown)
    }
}

async fn settings(State(app): Shared, Path(id): Path<String>, body: String) -> Response {
    let settings: Settings = match parse(&body) {
        Ok(s) => s,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    let setup = match controls::setup(&app.base, &settings) {
        Ok(s) => s,
        Err(refused) => return (StatusCode::BAD_REQUEST, axum::Json(refused.json())).into_response(),
    };
    if !Sessions::valid_id(&id) {
        return session_error(SessionError::Unknown);
    }
    match app.sessions.reset(&id, setup) {
        Ok(()) => on(&app, &id, |p| json!({ "day": p.day(), "end": p.end() })).await,
        Err(e) => session_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepBody {
    days: u32,
}

async fn step(State(app): Shared, Path(id): Path<String>, body: String) -> Response {
    let b: StepBody = match parse(&body) {
        Ok(b) => b,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    if b.days > crate::scenario::DAYS_PER_YEAR {
        return error(StatusCode::BAD_REQUEST, format!("days is {}; allowed 0 to 250 a request", b.days));
    }
    on(&app, &id, move |p| {
        p.step(b.days);
        json!({ "day": p.day(), "end": p.end() })
    })
    .await
}

async fn view(State(app): Shared, Path(id): Path<String>) -> Response {
    on(&app, &id, |p| words::view(p)).await
}

#[derive(Debug, Deserialize)]
struct Since {
    since: Option<u64>,
}

async fn events(State(app): Shared, Path(id): Path<String>, Query(q): Query<Since>) -> Response {
    on(&app, &id, move |p| {
        let from = q.since.map_or(0, |s| s + 1);
        let after = p.events.iter().filter(|(seq, _, _)| *seq >= from).count();
        let list: Vec<Json> = p
            .events
            .iter()
            .filter(|(seq, _, _)| *seq >= from)
            .skip(after.saturating_sub(EVENTS_PER_REQUEST))
            .map(|(seq, side, e)| words::event(*seq, *side, e))
            .collect();
        json!({ "events": list, "next": p.next_seq })
    })
    .await
}

#[derive(Debug, Deserialize)]
struct FromDay {
    from: Option<u32>,
}

async fn series(State(app): Shared, Path(id): Path<String>, Query(q): Query<FromDay>) -> Response {
    on(&app, &id, move |p| words::series(p, q.from.unwrap_or(0))).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowBody {
    key: String,
}

async fn follow_post(State(app): Shared, Path(id): Path<String>, body: String) -> Response {
    let b: FollowBody = match parse(&body) {
        Ok(b) => b,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    let Ok(key) = b.key.trim().parse::<u64>() else {
        return error(StatusCode::BAD_REQUEST, format!("key is \"{}\"; a referral's number is needed", b.key));
    };
    on(&app, &id, move |p| {
        p.follow(key);
        words::follow(p)
    })
    .await
}

async fn follow_get(State(app): Shared, Path(id): Path<String>) -> Response {
    on(&app, &id, |p| words::follow(p)).await
}

async fn scenario_toml(State(app): Shared, Path(id): Path<String>) -> Response {
    if !Sessions::valid_id(&id) {
        return session_error(SessionError::Unknown);
    }
    match app.sessions.with(&id, |p| export::scenario_text(p.setup)).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"explore.toml\""),
            ],
            text,
        )
            .into_response(),
        Err(e) => session_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportBody {
    replications: Option<u32>,
}

async fn export_results(State(app): Shared, Path(id): Path<String>, body: String) -> Response {
    let b: ExportBody = match parse(&body) {
        Ok(b) => b,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    if !Sessions::valid_id(&id) {
        return session_error(SessionError::Unknown);
    }
    let (out, sid) = (app.out.clone(), id.clone());
    let n = b.replications.unwrap_or(1);
    match app.sessions.with(&id, move |p| export::results(p.setup, &out, &sid, n).map_err(|e| format!("{e:#}"))).await {
        Ok(Ok((dir, files))) => {
            axum::Json(json!({ "folder": dir.display().to_string(), "files": files })).into_response()
        }
        Ok(Err(message)) => error(StatusCode::BAD_REQUEST, message),
        Err(e) => session_error(e),
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

async fn file(State(app): Shared, Path((id, name)): Path<(String, String)>) -> Response {
    if !Sessions::valid_id(&id) || !app.sessions.touch(&id) {
        return session_error(SessionError::Unknown);
    }
    match export::read(&app.out, &id, &name) {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&name))], bytes).into_response(),
        Err(e) => error(StatusCode::NOT_FOUND, format!("{e:#}")),
    }
}

async fn zip(State(app): Shared, Path(id): Path<String>) -> Response {
    if !Sessions::valid_id(&id) || !app.sessions.touch(&id) {
        return session_error(SessionError::Unknown);
    }
    match export::zip(&app.out, &id) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/zip"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"results.zip\""),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error(StatusCode::NOT_FOUND, format!("export first: {e:#}")),
    }
}
