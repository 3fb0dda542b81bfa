//! `/_sim/…`: the simulator's own control surface (state, request log, clock, faults,
//! forced server states, paying orders). Not a Huawei API: no authentication, plain JSON
//! errors `{"error": "…"}`. Bind to 127.0.0.1 (the default) so only local tools reach it.

use std::sync::{Arc, PoisonError};

use axum::Router;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::StatusCode;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::faults::FaultRule;
use crate::http::App;
use crate::http::body::{Obj, parse_object};

type AdminResult = Result<Value, (StatusCode, String)>;

fn bad(msg: impl Into<String>) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, msg.into())
}

fn respond(r: AdminResult) -> Response {
    match r {
        Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
        Err((status, msg)) => (status, axum::Json(json!({"error": msg}))).into_response(),
    }
}

async fn split(req: Request) -> (Vec<(String, String)>, Option<String>, Result<Value, String>) {
    let (mut parts, body) = req.into_parts();
    let params = RawPathParams::from_request_parts(&mut parts, &())
        .await
        .map(|p| p.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
        .unwrap_or_default();
    let body = match axum::body::to_bytes(body, 1024 * 1024).await {
        Err(_) => Err("the body is larger than 1 MiB".to_owned()),
        Ok(b) if b.is_empty() => Ok(Value::Object(Default::default())),
        Ok(b) => parse_object(&b).map(Value::Object),
    };
    (params, parts.uri.query().map(str::to_owned), body)
}

macro_rules! admin {
    ($f:path) => {
        |State(app): State<Arc<App>>, req: Request| async move {
            let (params, query, body) = split(req).await;
            respond($f(&app, &params, query.as_deref(), body))
        }
    };
}

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/state", get(admin!(state)))
        .route("/requests", get(admin!(requests)).delete(admin!(clear_requests)))
        .route("/clock", get(admin!(clock)))
        .route("/clock/advance", post(admin!(advance)))
        .route("/clock/set", post(admin!(set_clock)))
        .route("/faults", get(admin!(faults)).post(admin!(add_fault)).delete(admin!(clear_faults)))
        .route("/faults/reseed", post(admin!(reseed)))
        .route("/servers/{server_id}/state", post(admin!(server_state)))
        .route("/orders/{order_id}/pay", post(admin!(pay)))
        .route("/accounts", get(admin!(accounts)))
        .route("/accounts/{name}/balance", get(admin!(balance)).post(admin!(set_balance)))
        .route("/accounts/{name}/quota", get(admin!(quota)).post(admin!(set_quota)))
        .route("/regions/{region}/sold-out", get(admin!(sold_out)).post(admin!(set_sold_out)))
        .fallback(|| async {
            respond(Err((
                StatusCode::NOT_FOUND,
                "no such /_sim path (see the cloudsim crate docs)".to_owned(),
            )))
        })
}

type Params<'a> = &'a [(String, String)];
type Body = Result<Value, String>;

fn param<'a>(p: Params<'a>, name: &str) -> &'a str {
    p.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn state(app: &App, _: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    Ok(app.dump())
}

fn requests(app: &App, _: Params<'_>, query: Option<&str>, _: Body) -> AdminResult {
    let q = crate::http::body::parse_query(query.unwrap_or(""));
    let op = q.iter().find(|(k, _)| k == "operation").map(|(_, v)| v.clone());
    let list: Vec<_> = app
        .requests()
        .into_iter()
        .filter(|r| op.as_ref().is_none_or(|o| &r.operation == o))
        .collect();
    Ok(json!({"count": list.len(), "requests": list}))
}

fn clear_requests(app: &App, _: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    app.log.lock().unwrap_or_else(PoisonError::into_inner).clear();
    Ok(json!({"cleared": true}))
}

fn clock(app: &App, _: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    Ok(json!({"now": crate::state::fmt_millis(app.clock.now()), "manual": app.clock.is_manual()}))
}

fn advance(app: &App, _: Params<'_>, _: Option<&str>, body: Body) -> AdminResult {
    let body = body.map_err(bad)?;
    let o = body.as_object().map(Obj::new).ok_or_else(|| bad("body must be an object"))?;
    let by = match o.get("seconds") {
        Some(v) => v
            .as_f64()
            .and_then(time::Duration::checked_seconds_f64)
            .ok_or_else(|| bad("seconds: must be a number of seconds, e.g. 30 or -1.5"))?,
        None => return Err(bad("seconds: is required, e.g. {\"seconds\": 30}")),
    };
    if !app.clock.advance(by) {
        return Err((
            StatusCode::CONFLICT,
            "the simulator runs on the system clock; start it with a manual clock".into(),
        ));
    }
    clock(app, &[], None, Ok(Value::Null))
}

fn set_clock(app: &App, _: Params<'_>, _: Option<&str>, body: Body) -> AdminResult {
    let body = body.map_err(bad)?;
    let o = body.as_object().map(Obj::new).ok_or_else(|| bad("body must be an object"))?;
    let t = o.req_str("time").map_err(bad)?;
    let t = time::OffsetDateTime::parse(t, &Rfc3339)
        .map_err(|_| bad("time: must be RFC 3339, e.g. 2025-01-01T00:00:00Z"))?;
    if !app.clock.set(t) {
        return Err((StatusCode::CONFLICT, "the simulator runs on the system clock".into()));
    }
    clock(app, &[], None, Ok(Value::Null))
}

fn faults(app: &App, _: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    Ok(json!({"faults": app.faults.rules()}))
}

/// Body: `{"spec": "ShowServer:429:0.5"}` or `{"operation", "kind", "probability", "ms"?}`.
fn add_fault(app: &App, _: Params<'_>, _: Option<&str>, body: Body) -> AdminResult {
    let body = body.map_err(bad)?;
    let rule: FaultRule = match body.get("spec").and_then(Value::as_str) {
        Some(spec) => spec.parse().map_err(|e: crate::faults::BadFault| bad(e.to_string()))?,
        None => serde_json::from_value(body).map_err(|e| bad(format!("fault: {e}")))?,
    };
    if !(0.0..=1.0).contains(&rule.probability) {
        return Err(bad("probability: must be between 0 and 1"));
    }
    app.faults.add(rule);
    faults(app, &[], None, Ok(Value::Null))
}

fn clear_faults(app: &App, _: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    app.faults.clear();
    Ok(json!({"faults": []}))
}

fn reseed(app: &App, _: Params<'_>, _: Option<&str>, body: Body) -> AdminResult {
    let body = body.map_err(bad)?;
    let seed = body
        .get("seed")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("seed: is required (a whole number)"))?;
    app.faults.reseed(seed);
    Ok(json!({"seed": seed}))
}

fn server_state(app: &App, p: Params<'_>, _: Option<&str>, body: Body) -> AdminResult {
    let body = body.map_err(bad)?;
    let o = body.as_object().map(Obj::new).ok_or_else(|| bad("body must be an object"))?;
    let status = o.req_str("status").map_err(bad)?;
    let task = o.str("task_state").map_err(bad)?;
    app.set_server_state(param(p, "server_id"), status, task)
        .map_err(|e| (StatusCode::NOT_FOUND, e.to_string()))?;
    Ok(json!({"server_id": param(p, "server_id"), "status": status, "task_state": task}))
}

fn pay(app: &App, p: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    let id = param(p, "order_id");
    if app.pay_order(id) {
        Ok(json!({"order_id": id, "paid": true}))
    } else {
        Err((
            StatusCode::CONFLICT,
            format!("order {id} does not exist or is not waiting for payment"),
        ))
    }
}

fn accounts(app: &App, _: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    Ok(crate::accounts_json(&app.dir.accounts))
}

fn not_found(e: crate::Error) -> (StatusCode, String) {
    let status = match e {
        crate::Error::UnknownAccount(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    (status, e.to_string())
}

fn balance(app: &App, p: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    let name = param(p, "name");
    let balance = app.balance(name).map_err(not_found)?;
    Ok(json!({"account": name, "balance": balance, "currency": "CNY"}))
}

/// Body: `{"balance": 12.5}` (yuan).
fn set_balance(app: &App, p: Params<'_>, q: Option<&str>, body: Body) -> AdminResult {
    let body = body.map_err(bad)?;
    let yuan = body
        .get("balance")
        .and_then(Value::as_f64)
        .ok_or_else(|| bad("balance: is required, a number of yuan, e.g. {\"balance\": 12.5}"))?;
    app.set_balance(param(p, "name"), yuan).map_err(not_found)?;
    balance(app, p, q, Ok(Value::Null))
}

fn quota(app: &App, p: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    let name = param(p, "name");
    let (quota, held) = app.quota(name).map_err(not_found)?;
    Ok(json!({"account": name, "instances": quota, "held": held}))
}

/// Body: `{"instances": 3}`, or `{"instances": null}` for no limit.
fn set_quota(app: &App, p: Params<'_>, q: Option<&str>, body: Body) -> AdminResult {
    let body = body.map_err(bad)?;
    let limit = match body.get("instances") {
        Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| bad("instances: must be a whole number or null"))?,
        ),
        None => {
            return Err(bad("instances: is required, e.g. {\"instances\": 3} (null: no limit)"));
        }
    };
    app.set_quota(param(p, "name"), limit).map_err(not_found)?;
    quota(app, p, q, Ok(Value::Null))
}

fn sold_out(app: &App, p: Params<'_>, _: Option<&str>, _: Body) -> AdminResult {
    let region = param(p, "region");
    let specs = app.sold_out(region).map_err(not_found)?;
    Ok(json!({"region": region, "specs": specs}))
}

/// Body: `{"specs": ["hf.small.1.linux"]}` (replaces the list; `[]` restocks everything).
fn set_sold_out(app: &App, p: Params<'_>, q: Option<&str>, body: Body) -> AdminResult {
    let body = body.map_err(bad)?;
    let o = body.as_object().map(Obj::new).ok_or_else(|| bad("body must be an object"))?;
    let specs = o
        .str_array("specs")
        .map_err(bad)?
        .ok_or_else(|| bad("specs: is required, e.g. {\"specs\": [\"hf.small.1.linux\"]}"))?;
    let specs = specs.into_iter().map(str::to_owned).collect();
    app.set_sold_out(param(p, "region"), specs).map_err(not_found)?;
    sold_out(app, p, q, Ok(Value::Null))
}
