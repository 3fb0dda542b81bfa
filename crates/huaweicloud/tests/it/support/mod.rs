//! A local stand-in for Huawei's gateway used by the client tests: it checks every request's
//! signature (with the crate's own verifier) or token, records what it received, and answers
//! from canned responses, with built-in IAM answers for tokens, projects and domains.

mod server;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::HeaderMap;
use lightdeck_huaweicloud::client::{Account, ClientConfig, HuaweiCloud, RetryPolicy, SleepFn};
use lightdeck_huaweicloud::endpoints::Endpoints;
use lightdeck_huaweicloud::{AkSk, Credentials, IamPassword};
use serde_json::Value;

pub const AK: &str = "AKSTUBTEST0000000001";
pub const SK: &str = "SKstubSecretValue-0000000000000000000001";
pub const SECURITY_TOKEN: &str = "SECTOKEN-stub-temporary-credential-0001";
pub const ACCOUNT: &str = "acme-account";
pub const USER: &str = "ops";
pub const PASSWORD: &str = "IamPassw0rd!-stub-0001";
pub const PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
pub const DOMAIN_ID: &str = "fedcba9876543210fedcba9876543210";
/// Issued tokens are this prefix plus a counter.
pub const TOKEN_PREFIX: &str = "MIIstubIssuedToken-";

/// One request as the stub received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// `Ok(ak)` for a valid signature, `Err(reason)` for a bad one, `None` if unsigned.
    pub signature: Option<Result<String, String>>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    pub fn signed_ok(&self) -> bool {
        matches!(self.signature, Some(Ok(_)))
    }

    /// The signed header list from the Authorization header.
    pub fn signed_headers(&self) -> Vec<String> {
        let auth = self.header("authorization").unwrap_or_default();
        auth.split(", ")
            .find_map(|p| p.strip_prefix("SignedHeaders="))
            .map(|s| s.split(';').map(str::to_owned).collect())
            .unwrap_or_default()
    }
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering (to provoke client timeouts).
    pub delay: Option<Duration>,
}

impl Canned {
    pub fn json(status: u16, body: Value) -> Self {
        Canned {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: None,
        }
    }

    /// ECS's error shape, `{"error": {"code", "message"}}`.
    pub fn ecs_error(status: u16, code: &str, message: &str) -> Self {
        Canned::json(status, serde_json::json!({"error": {"code": code, "message": message}}))
    }

    pub fn text(status: u16, body: &str) -> Self {
        Canned {
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: body.to_owned(),
            delay: None,
        }
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

struct Route {
    method: String,
    path: String,
    /// The last one repeats.
    responses: VecDeque<Canned>,
}

struct Shared {
    requests: Mutex<Vec<Recorded>>,
    routes: Mutex<Vec<Route>>,
    valid_tokens: Mutex<Vec<String>>,
    token_counter: AtomicU64,
    request_counter: AtomicU64,
    token_lifetime: Mutex<time::Duration>,
}

pub struct Stub {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    pub sleeps: Arc<Mutex<Vec<Duration>>>,
}

impl Stub {
    pub async fn start() -> Stub {
        let shared = Arc::new(Shared {
            requests: Mutex::new(Vec::new()),
            routes: Mutex::new(Vec::new()),
            valid_tokens: Mutex::new(Vec::new()),
            token_counter: AtomicU64::new(0),
            request_counter: AtomicU64::new(0),
            token_lifetime: Mutex::new(time::Duration::hours(24)),
        });
        let app = axum::Router::new().fallback(server::handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Stub { addr, shared, sleeps: Arc::new(Mutex::new(Vec::new())) }
    }

    /// Runs the stub on its own thread and runtime, so that a thread-local tracing
    /// subscriber of the test sees only the client's logs.
    pub fn start_on_own_thread() -> Stub {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                tx.send(Stub::start().await).unwrap();
                std::future::pending::<()>().await
            });
        });
        rx.recv().unwrap()
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers `method path` (exact path, no query) with `responses` in turn; the last repeats.
    pub fn on(&self, method: &str, path: &str, responses: Vec<Canned>) {
        let mut routes = self.shared.routes.lock().unwrap();
        routes.retain(|r| !(r.method == method && r.path == path));
        routes.push(Route {
            method: method.into(),
            path: path.into(),
            responses: responses.into(),
        });
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Requests to `path`, any method.
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.path == path).collect()
    }

    pub fn token_requests(&self) -> usize {
        self.requests_to("/v3/auth/tokens").len()
    }

    /// Requests other than IAM's (the operation calls themselves).
    pub fn operation_requests(&self) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| !r.path.starts_with("/v3/")).collect()
    }

    /// How long tokens issued from now on live.
    pub fn set_token_lifetime(&self, lifetime: time::Duration) {
        *self.shared.token_lifetime.lock().unwrap() = lifetime;
    }

    /// Makes every token issued so far invalid (as after a password change).
    pub fn revoke_tokens(&self) {
        self.shared.valid_tokens.lock().unwrap().clear();
    }

    pub fn config(&self) -> ClientConfig {
        let sleeps = self.sleeps.clone();
        let sleep: SleepFn = Arc::new(move |d| {
            sleeps.lock().unwrap().push(d);
            Box::pin(async {})
        });
        ClientConfig {
            endpoints: Endpoints::single(&self.url()).unwrap(),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(100),
                max_delay: Duration::from_secs(5),
            },
            sleep,
            user_agent: "lightdeck-test/1.0".into(),
            ..ClientConfig::default()
        }
    }

    pub fn cloud(&self) -> HuaweiCloud {
        HuaweiCloud::new(self.config()).unwrap()
    }

    pub fn aksk_account(&self) -> Account {
        self.cloud().account(Credentials::from_aksk(AkSk::new(AK, SK)))
    }

    pub fn password_account(&self) -> Account {
        self.cloud().account(Credentials::from_password(IamPassword::new(ACCOUNT, USER, PASSWORD)))
    }

    pub fn recorded_sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

/// Runs the calling test again, alone, in a child process of this test binary; `true` in
/// that child (go on with the test), `false` in the parent once the child passed. For tests
/// that capture logs: tracing caches per call site whether any subscriber listens, and a
/// call site first reached by another test's thread while this one installs its
/// subscriber can stay muted for it, which made the log checks fail now and then.
pub fn alone_in_a_child(test_path: &str) -> bool {
    const CHILD: &str = "LIGHTDECK_TEST_ALONE";
    if std::env::var_os(CHILD).is_some() {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", test_path, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{test_path} failed in its own process:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{test_path} did not run in the child:\n{stdout}");
    false
}
