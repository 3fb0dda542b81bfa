//! Shared test helpers: a simulator on a manual clock and a signing HTTP client.

use lightdeck_cloudsim::{Account, Config, Handle};
use lightdeck_huaweicloud::signing::{SignableRequest, sign};
use secrecy::ExposeSecret;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;

pub const START: OffsetDateTime = datetime!(2025-03-01 08:00 UTC);

pub fn config() -> Config {
    Config::builder().seed(42).accounts(2).instances_per_account(6).manual_clock(START)
}

pub async fn start() -> Handle {
    start_with(config()).await
}

pub async fn start_with(config: Config) -> Handle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    lightdeck_cloudsim::spawn(config).await.unwrap()
}

thread_local! {
    // Building a client costs tens of milliseconds; tests on one thread share one. No idle
    // connections are kept, so nothing outlives the runtime of the test that opened it.
    static CLIENT: reqwest::Client = {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
    };
}

pub fn http() -> reqwest::Client {
    CLIENT.with(Clone::clone)
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn read(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp { status, headers, body, text }
}

/// A request to sign and send.
pub struct Req<'a> {
    pub method: &'a str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl<'a> Req<'a> {
    pub fn new(method: &'a str, path: impl Into<String>) -> Self {
        Req {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn query(mut self, k: &str, v: &str) -> Self {
        self.query.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn json(mut self, v: Value) -> Self {
        self.body = v.to_string();
        self
    }

    /// `X-Project-Id` as `BasicCredentials` adds it.
    pub fn project(self, p: &str) -> Self {
        self.header("X-Project-Id", p)
    }

    /// `X-Domain-Id` as `GlobalCredentials` adds it.
    pub fn domain(self, d: &str) -> Self {
        self.header("X-Domain-Id", d)
    }
}

/// Signs with `ak`/`sk` at `now` and sends.
pub async fn send_signed(
    h: &Handle,
    ak: &str,
    sk: &str,
    now: OffsetDateTime,
    req: Req<'_>,
) -> Resp {
    let host = h.addr().to_string();
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    headers.extend(req.headers);
    let signed = sign(
        SignableRequest {
            method: req.method,
            host: &host,
            path: &req.path,
            query: &req.query,
            headers,
            body: req.body.as_bytes(),
        },
        ak,
        sk.as_bytes(),
        now,
    );
    send_raw(h, req.method, &signed.path_and_query, signed.headers, req.body).await
}

pub async fn send_raw(
    h: &Handle,
    method: &str,
    path_and_query: &str,
    headers: Vec<(String, String)>,
    body: String,
) -> Resp {
    let url = format!("{}{path_and_query}", h.base_url());
    let mut rb = http().request(method.parse().unwrap(), url);
    for (k, v) in headers {
        if !k.eq_ignore_ascii_case("host") {
            rb = rb.header(k, v);
        }
    }
    read(rb.body(body).send().await.unwrap()).await
}

/// Signed as `account` at the simulator's current time.
pub async fn send_as(h: &Handle, account: &Account, req: Req<'_>) -> Resp {
    let now = h.clock().now();
    send_signed(h, &account.ak, account.sk.expose_secret(), now, req).await
}

/// A request with an `X-Auth-Token` instead of a signature.
pub async fn send_token(h: &Handle, token: &str, req: Req<'_>) -> Resp {
    let mut headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Auth-Token".to_owned(), token.to_owned()),
    ];
    headers.extend(req.headers);
    let q = lightdeck_huaweicloud::signing::canonical_query(&req.query);
    let pq = if q.is_empty() { req.path.clone() } else { format!("{}?{q}", req.path) };
    send_raw(h, req.method, &pq, headers, req.body).await
}

/// A token from the simulator's IAM; `scope` is the `auth.scope` object.
pub async fn token(h: &Handle, account: &Account, scope: Value) -> String {
    let body = serde_json::json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": account.iam_user,
            "password": account.iam_password.expose_secret(),
            "domain": {"name": account.name},
        }}},
        "scope": scope,
    }});
    let r = send_raw(
        h,
        "POST",
        "/v3/auth/tokens?nocatalog=true",
        vec![("Content-Type".into(), "application/json;charset=utf8".into())],
        body.to_string(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.header("x-subject-token").unwrap().to_owned()
}

pub fn project(a: &Account, region: &str) -> String {
    a.projects[region].clone()
}

/// The first seeded instance of `account` in `region`.
pub fn instance_in(h: &Handle, account: &Account, region: &str) -> lightdeck_cloudsim::Instance {
    h.instances()
        .into_iter()
        .find(|i| i.domain_id == account.domain_id && i.region.id() == region)
        .expect("a seeded instance in that region")
}

pub fn assert_request_id(r: &Resp) {
    let id = r.header("x-request-id").expect("X-Request-Id");
    assert_eq!(id.len(), 32, "{id}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
}

pub fn assert_gateway_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["error_code"], code, "{}", r.text);
    assert_eq!(r.body["request_id"].as_str(), r.header("x-request-id"), "{}", r.text);
    assert_request_id(r);
}

pub fn assert_ecs_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["error"]["code"], code, "{}", r.text);
    assert_request_id(r);
}
