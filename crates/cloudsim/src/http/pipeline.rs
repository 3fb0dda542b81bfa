//! The path every Huawei request takes: request id → body (≤ 12 MB) → faults →
//! authentication → lazy progress → the operation → a response in the service's shape,
//! logged.

use std::sync::{Arc, PoisonError};

use axum::extract::{FromRequestParts, RawPathParams, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use rand::Rng;
use serde_json::Value;
use time::OffsetDateTime;

use super::errors::{ApiError, ApiResult, Shape};
use super::server::ConnKill;
use super::{App, LoggedRequest, Op};
use crate::auth::{Caller, Gateway, Incoming, Need};
use crate::faults::FaultKind;
use crate::state::{Directory, fmt_millis};

/// AK/SK-signed bodies are limited to 12 MB (seed); larger requests must use a token.
pub const MAX_SIGNED_BODY: usize = 12 * 1024 * 1024;
/// The simulator's own cap for token requests (Huawei documents none).
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// A successful answer.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: Vec<(HeaderName, String)>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply { status: StatusCode::OK, body, headers: Vec::new() }
    }

    pub fn status(status: StatusCode, body: Value) -> Self {
        Reply { status, body, headers: Vec::new() }
    }

    pub fn header(mut self, name: HeaderName, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// What an operation handler gets to see.
pub struct Ctx<'a> {
    pub now: OffsetDateTime,
    pub params: &'a [(String, String)],
    pub query: Vec<(String, String)>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub caller: Option<Caller>,
    pub dir: &'a Directory,
}

impl Ctx<'_> {
    pub fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A whole-number query parameter within `min..=max`, `default` when absent; the error
    /// names the parameter (callers wrap it in their service's shape).
    pub fn query_int(&self, name: &str, min: i64, max: i64, default: i64) -> Result<i64, String> {
        match self.query(name) {
            None => Ok(default),
            Some(v) => v.parse::<i64>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
                format!("{name}: must be a whole number from {min} to {max}, not {v:?}")
            }),
        }
    }

    pub fn query_all(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The authenticated caller (every operation but the password token has one).
    pub fn caller(&self) -> ApiResult<&Caller> {
        self.caller.as_ref().ok_or_else(|| ApiError::auth("x-auth-token not found"))
    }
}

impl Op {
    fn shape(self) -> Shape {
        match self {
            Op::KeystoneCreateUserTokenByPassword
            | Op::KeystoneListProjects
            | Op::KeystoneListAuthDomains => Shape::Iam,
            Op::PurchaseLightInstances => Shape::Hcss,
            Op::ListAllResources => Shape::Rms,
            Op::ShowServer
            | Op::UpdateServer
            | Op::ListServersDetails
            | Op::ServersAction
            | Op::BatchStartServers
            | Op::BatchStopServers
            | Op::BatchRebootServers
            | Op::BatchResetServersPassword
            | Op::ShowJob => Shape::Ecs,
            Op::ShowCustomerOrderDetails
            | Op::ListCustomerOrders
            | Op::RenewalResources
            | Op::CancelResourcesSubscription
            | Op::ListFreeResourceUsages
            | Op::ListPayPerUseCustomerResources => Shape::Bss,
            Op::Unknown => Shape::Gateway,
        }
    }

    fn need(self) -> Need {
        match self.shape() {
            Shape::Iam if self == Op::KeystoneCreateUserTokenByPassword => Need::None,
            Shape::Iam => Need::Any,
            Shape::Hcss => Need::ProjectToken,
            Shape::Ecs => Need::Project,
            Shape::Rms | Shape::Bss => Need::Domain,
            Shape::Gateway => Need::None,
        }
    }

    /// `POST …/cloudservers/action` is three operations; the body's single key says which.
    fn refine(self, body: &[u8]) -> Op {
        if self != Op::ServersAction {
            return self;
        }
        let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) else { return self };
        if m.len() != 1 {
            return self;
        }
        match m.keys().next().map(String::as_str) {
            Some("os-start") => Op::BatchStartServers,
            Some("os-stop") => Op::BatchStopServers,
            Some("reboot") => Op::BatchRebootServers,
            _ => self,
        }
    }
}

fn request_id() -> String {
    let mut rng = rand::rng();
    (0..32).map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)])).collect()
}

struct Outcome {
    status: StatusCode,
    error_code: Option<String>,
    caller: Option<Caller>,
}

pub async fn run(app: Arc<App>, op: Op, req: Request) -> Response {
    let request_id = request_id();
    let now = app.clock.now();
    let (mut parts, body) = req.into_parts();
    let params: Vec<(String, String)> =
        match RawPathParams::from_request_parts(&mut parts, &()).await {
            Ok(p) => p.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            Err(_) => Vec::new(),
        };
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let claimed_ak = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split("Access=").nth(1))
        .map(|rest| {
            rest.split(',').next().unwrap_or(rest).trim().chars().take(40).collect::<String>()
        });
    let log = |op: Op, status: StatusCode, error_code: Option<String>, caller: Option<&Caller>| {
        let entry = LoggedRequest {
            operation: op.name().to_owned(),
            method: method.clone(),
            path: path.clone(),
            status: status.as_u16(),
            time: fmt_millis(now),
            request_id: request_id.clone(),
            ak: caller.and_then(|c| c.ak.clone()).or_else(|| claimed_ak.clone()),
            account: caller.and_then(|c| app.dir.get(c.account)).map(|a| a.name.clone()),
            error_code,
        };
        let mut log = app.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log.len() >= app.log_capacity.max(1) {
            log.pop_front();
        }
        log.push_back(entry);
    };

    let signed = !parts.headers.contains_key("x-auth-token");
    let limit = if signed { MAX_SIGNED_BODY } else { MAX_BODY };
    let body: Bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            let e = ApiError::too_large(limit);
            log(op, e.status, Some(e.code.clone()), None);
            return render_error(&e, &request_id);
        }
    };
    let op = op.refine(&body);

    let decision = app.faults.decide(op.name());
    if decision.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(decision.latency_ms)).await;
    }
    match decision.outcome {
        Some(kind @ (FaultKind::Throttle | FaultKind::ServiceThrottle)) => {
            let e = if kind == FaultKind::ServiceThrottle {
                ApiError::service_throttled(op.shape())
            } else {
                ApiError::throttled()
            };
            log(op, e.status, Some(e.code.clone()), None);
            return render_error(&e, &request_id);
        }
        Some(FaultKind::ServerError) => {
            let e = ApiError::server_error(op.shape());
            log(op, e.status, Some(e.code.clone()), None);
            return render_error(&e, &request_id);
        }
        Some(FaultKind::Drop | FaultKind::Hang) => {
            let hang = decision.outcome == Some(FaultKind::Hang);
            log(op, cut_off_status(), Some(if hang { "hang" } else { "drop" }.to_owned()), None);
            return cut_off(&app, &parts, hang).await;
        }
        _ => {}
    }

    let (result, caller) = authenticate_and_handle(&app, op, &parts, &params, &body, now);
    let (status, error_code, response) = match result {
        Ok(reply) => (reply.status, None, render_reply(reply, &request_id, op)),
        Err(e) => (e.status, Some(e.code.clone()), render_error(&e, &request_id)),
    };
    // The operation has been carried out (an order placed, a job started); the caller
    // never learns it.
    if let Some(kind) = decision.outcome.filter(FaultKind::after_handler) {
        let hang = kind == FaultKind::HangAfter;
        let code = if hang { "hang_after" } else { "drop_after" };
        drop(response);
        log(op, cut_off_status(), Some(code.to_owned()), caller.as_ref());
        return cut_off(&app, &parts, hang).await;
    }
    let outcome = Outcome { status, error_code, caller };
    let code = outcome.error_code.filter(|c| !c.is_empty()).or_else(|| {
        (outcome.status.is_client_error() || outcome.status.is_server_error())
            .then(|| outcome.status.as_u16().to_string())
    });
    log(op, outcome.status, code, outcome.caller.as_ref());
    response
}

/// What the request log shows for a request that got no answer (nginx's "client closed").
fn cut_off_status() -> StatusCode {
    StatusCode::from_u16(499).unwrap_or(StatusCode::REQUEST_TIMEOUT)
}

/// Answers nothing: waits for the configured hang (or shutdown) first if `hang`, then
/// closes the connection. Without the server's kill switch (a test router), a 502 stands in.
async fn cut_off(app: &App, parts: &http::request::Parts, hang: bool) -> Response {
    if hang {
        let mut shutdown = app.shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(app.hang) => {}
            _ = shutdown.wait_for(|s| *s) => {}
        }
    }
    if let Some(kill) = parts.extensions.get::<ConnKill>() {
        kill.kill();
        return std::future::pending().await;
    }
    StatusCode::BAD_GATEWAY.into_response()
}

/// Gateway authentication, then the operation under the state lock (after applying the
/// progress due by `now`). Also returns the caller, for the request log.
fn authenticate_and_handle(
    app: &App,
    op: Op,
    parts: &http::request::Parts,
    params: &[(String, String)],
    body: &[u8],
    now: OffsetDateTime,
) -> (ApiResult<Reply>, Option<Caller>) {
    if op == Op::Unknown {
        return (Err(ApiError::no_api()), None);
    }
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let incoming = Incoming {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body,
        path_project: param("project_id"),
        path_domain: param("domain_id"),
    };
    let gateway = Gateway { dir: &app.dir, lockouts: &app.lockouts, max_skew: app.max_skew };
    let caller = match gateway.check(op.need(), &incoming, &app.state, now) {
        Ok(caller) => caller,
        Err(e) => return (Err(e), None),
    };
    let ctx = Ctx {
        now,
        params,
        query: super::body::parse_query(parts.uri.query().unwrap_or("")),
        headers: &parts.headers,
        body,
        caller,
        dir: &app.dir,
    };
    let mut state = app.state.lock().unwrap_or_else(PoisonError::into_inner);
    state.tick(now);
    let result = crate::services::dispatch(op, &ctx, &mut state);
    (result, ctx.caller)
}

fn json_response(status: StatusCode, body: &Value, request_id: &str) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = (status, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-request-id", v);
    }
    resp
}

fn render_reply(reply: Reply, request_id: &str, op: Op) -> Response {
    let mut resp = json_response(reply.status, &reply.body, request_id);
    let h = resp.headers_mut();
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    if op.shape() == Shape::Iam
        && let Ok(v) = HeaderValue::from_str(&format!("token_sim_null_{request_id}"))
    {
        h.insert("x-iam-trace-id", v);
    }
    resp
}

pub fn render_error(e: &ApiError, request_id: &str) -> Response {
    json_response(e.status, &e.body(request_id), request_id)
}
