//! The stub's request handling: authentication checks, canned answers, built-in IAM.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use lightdeck_huaweicloud::signing::{ReceivedRequest, verify};
use secrecy::SecretString;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{
    ACCOUNT, AK, Canned, DOMAIN_ID, PASSWORD, PROJECT_ID, Recorded, SK, Shared, TOKEN_PREFIX, USER,
};

pub(super) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let headers = req.headers().clone();
    let body = to_bytes(req.into_body(), 64 << 20).await.unwrap().to_vec();
    let signature = headers.contains_key("authorization").then(|| {
        let received = ReceivedRequest {
            method: &method,
            raw_path: &path,
            raw_query: &query,
            headers: &headers,
            body: &body,
        };
        verify(&received, OffsetDateTime::now_utc(), time::Duration::minutes(15), |ak| {
            (ak == AK).then(|| SecretString::from(SK))
        })
        .map(|v| v.ak)
        .map_err(|e| e.to_string())
    });
    let recorded = Recorded { method, path, query, headers, body, signature };
    shared.requests.lock().unwrap().push(recorded.clone());
    let n = shared.request_counter.fetch_add(1, Ordering::SeqCst);
    let canned = answer(&shared, &recorded).await;
    if let Some(delay) = canned.delay {
        tokio::time::sleep(delay).await;
    }
    let mut builder = Response::builder().status(canned.status);
    if !canned.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("x-request-id")) {
        builder = builder.header("X-Request-Id", format!("stubreq{n:08}"));
    }
    for (k, v) in &canned.headers {
        builder = builder.header(k, v);
    }
    builder.body(Body::from(canned.body)).unwrap()
}

fn gateway_401(msg: &str) -> Canned {
    Canned::json(401, json!({"error_msg": msg, "error_code": "APIG.0301", "request_id": "gw"}))
}

async fn answer(shared: &Shared, r: &Recorded) -> Canned {
    if r.method == "POST" && r.path == "/v3/auth/tokens" {
        return issue_token(shared, r).await;
    }
    // Everything else must be signed correctly or carry a valid token.
    match (&r.signature, r.header("x-auth-token")) {
        (Some(Err(e)), _) => {
            return gateway_401(&format!("Incorrect IAM authentication information: {e}"));
        }
        (Some(Ok(_)), _) => {}
        (None, Some(t)) => {
            if !shared.valid_tokens.lock().unwrap().iter().any(|v| v == t) {
                return gateway_401("Incorrect IAM authentication information: decrypt token fail");
            }
        }
        (None, None) => {
            return gateway_401("Incorrect IAM authentication information: x-auth-token not found");
        }
    }
    {
        let mut routes = shared.routes.lock().unwrap();
        if let Some(route) = routes.iter_mut().find(|x| x.method == r.method && x.path == r.path) {
            return if route.responses.len() > 1 {
                route.responses.pop_front().unwrap()
            } else {
                route.responses.front().cloned().unwrap()
            };
        }
    }
    let q: HashMap<String, String> = r
        .query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/v3/projects") => {
            let name = q.get("name").cloned().unwrap_or_default();
            Canned::json(
                200,
                json!({"projects": [{"id": PROJECT_ID, "name": name, "domain_id": DOMAIN_ID, "parent_id": DOMAIN_ID, "enabled": true, "is_domain": false}]}),
            )
        }
        ("GET", "/v3/auth/domains") => Canned::json(
            200,
            json!({"domains": [{"id": DOMAIN_ID, "name": ACCOUNT, "enabled": true}]}),
        ),
        _ => Canned::json(
            404,
            json!({"error_code": "APIG.0101", "error_msg": "The API does not exist or has not been published in the environment"}),
        ),
    }
}

async fn issue_token(shared: &Shared, r: &Recorded) -> Canned {
    // Long enough that concurrent callers overlap with the request in flight.
    tokio::time::sleep(Duration::from_millis(30)).await;
    let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let user = &body["auth"]["identity"]["password"]["user"];
    if user["password"] != PASSWORD || user["name"] != USER || user["domain"]["name"] != ACCOUNT {
        return Canned::json(
            401,
            json!({"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}),
        );
    }
    let n = shared.token_counter.fetch_add(1, Ordering::SeqCst);
    let token = format!("{TOKEN_PREFIX}{n:04}");
    shared.valid_tokens.lock().unwrap().push(token.clone());
    let lifetime = *shared.token_lifetime.lock().unwrap();
    let now = OffsetDateTime::now_utc();
    let mut t = json!({
        "expires_at": (now + lifetime).format(&Rfc3339).unwrap(),
        "issued_at": now.format(&Rfc3339).unwrap(),
        "methods": ["password"],
        "user": {"name": USER, "id": "u1", "domain": {"name": ACCOUNT, "id": DOMAIN_ID}, "password_expires_at": ""},
        "roles": [{"name": "op_service", "id": "0"}],
    });
    let scope = &body["auth"]["scope"];
    if let Some(name) = scope["project"]["name"].as_str() {
        t["project"] =
            json!({"name": name, "id": PROJECT_ID, "domain": {"name": ACCOUNT, "id": DOMAIN_ID}});
    } else {
        t["domain"] = json!({"name": ACCOUNT, "id": DOMAIN_ID});
    }
    Canned::json(201, json!({"token": t})).header("X-Subject-Token", &token)
}
