//! Classroom mode and the class board: who may ask (this machine only, or anyone with the
//! class code whose page is this server's), how many at once, and the runs students
//! record for the lecturer's board (JSON and a tidy CSV).

use anyhow::Result;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::json as words;
use super::{Answer, Body, MAX_BOARD, Shared, bad, controls, failure, on, pair};

/// A class code: 4 to 12 letters or digits.
pub fn check_code(code: &str) -> Result<()> {
    if (4..=12).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        anyhow::bail!("the class code is \"{code}\"; allowed 4 to 12 letters or digits")
    }
}

/// Whether a `Host` or `Origin` authority names this machine (any port).
fn local(authority: &str) -> bool {
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    host == "127.0.0.1" || host == "localhost"
}

/// Without a class code, whether a request is addressed to 127.0.0.1 or localhost and,
/// when the browser says where it comes from, from a page of this machine: another site
/// open in the same browser cannot drive sessions or write exports (cross-site requests,
/// DNS rebinding).
fn same_machine(req: &Request) -> bool {
    let h = req.headers();
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).is_some_and(local);
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    host && origin.is_none_or(|o| o.strip_prefix("http://").is_some_and(local))
}

/// The class code a request carries: `?code=` in its address, the cookie the page set,
/// or an `X-Caseload-Code` header (scripts).
fn code_given(req: &Request) -> (Option<String>, bool) {
    let in_query = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("code=")).map(|c| c.trim().to_ascii_uppercase()));
    if let Some(c) = in_query {
        return (Some(c), true);
    }
    let h = req.headers();
    let cookie = h
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').find_map(|kv| kv.trim().strip_prefix("caseload_code=")).map(str::to_string));
    let header = h.get("x-caseload-code").and_then(|v| v.to_str().ok()).map(|c| c.trim().to_ascii_uppercase());
    (cookie.or(header), false)
}

/// Equal strings, compared in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Every request passes here. Without a class code: this machine only ([`same_machine`]).
/// In classroom mode: the request must carry the code, and a browser's request must come
/// from a page of this server (its `Origin`, when sent, names the `Host` it was sent to);
/// an address with the right `?code=` sets a cookie so the page's own requests carry it.
/// At most [`super::MAX_IN_FLIGHT`] requests are answered at once.
pub(super) async fn guard(State(app): Shared, req: Request, next: axum::middleware::Next) -> Response {
    let Ok(_permit) = app.in_flight.try_acquire() else {
        return failure(StatusCode::SERVICE_UNAVAILABLE, "the server is busy: try again in a moment").into_response();
    };
    let Some(code) = &app.code else {
        if same_machine(&req) {
            return next.run(req).await;
        }
        return failure(StatusCode::FORBIDDEN, "explore answers only pages of this machine (127.0.0.1)")
            .into_response();
    };
    let h = req.headers();
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| o.strip_prefix("http://") != Some(host)) {
        return failure(StatusCode::FORBIDDEN, "explore answers only its own pages").into_response();
    }
    let (given, in_address) = code_given(&req);
    if !given.is_some_and(|g| same(&g, code)) {
        return failure(
            StatusCode::FORBIDDEN,
            "this class needs its code: open the address the lecturer gave (it ends ?code=...)",
        )
        .into_response();
    }
    let mut response = next.run(req).await;
    if in_address {
        let cookie = format!("caseload_code={code}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(v) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecordBody {
    pub(super) name: String,
}

/// Records the session's run on the class board: who, the rules, seed and settings, and
/// today's figures of both rules.
pub(super) async fn record(State(app): Shared, Path(id): Path<String>, Body(b): Body<RecordBody>) -> Answer {
    let name = b.name.trim().to_string();
    if !(1..=40).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(bad(format!("name is \"{}\"; allowed 1 to 40 characters", b.name.trim())));
    }
    let run = on(&app, &id, |p| {
        let sides = p.sides.iter().map(|s| words::figures(&pair::point(&s.sim))).collect::<Vec<_>>();
        json!({
            "day": p.day(),
            "rules": p.setup.rules.iter().map(|r| r.name()).collect::<Vec<_>>(),
            "seed": p.setup.scenario.run.seed,
            "values": controls::slider_values(&p.setup.scenario),
            "figures": sides,
        })
    })
    .await?;
    let base = controls::slider_values(&app.base);
    let changed: serde_json::Map<String, Json> = run["values"]
        .as_object()
        .map(|m| {
            m.iter().filter(|(k, v)| base.get(k.as_str()) != Some(v)).map(|(k, v)| (k.clone(), v.clone())).collect()
        })
        .unwrap_or_default();
    let mut board = app.board.lock().expect("board");
    if board.len() >= MAX_BOARD {
        return Err(failure(
            StatusCode::INSUFFICIENT_STORAGE,
            format!("the board holds {MAX_BOARD} runs, the most it keeps"),
        ));
    }
    let mut run = run;
    run["n"] = json!(board.len() + 1);
    run["name"] = json!(name);
    run["settings"] = Json::Object(changed);
    board.push(run);
    Ok(axum::Json(json!({ "recorded": board.len() })))
}

/// The class board: every recorded run, and the sliders (for the settings' words).
pub(super) async fn board(State(app): Shared) -> axum::Json<Json> {
    let runs = app.board.lock().expect("board").clone();
    axum::Json(json!({ "runs": runs, "sliders": controls::describe(&app.base)["sliders"].clone() }))
}

/// The class board as a tidy table: a row per run and rule.
pub(super) async fn board_csv(State(app): Shared) -> Response {
    let runs = app.board.lock().expect("board").clone();
    let text = words::board_csv(&runs);
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"class_board.csv\""),
    ];
    (headers, text).into_response()
}
