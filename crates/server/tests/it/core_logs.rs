//! One log line per request with method, route, status, latency and request id — and no
//! passwords, cookies, CSRF tokens or bodies.

use crate::core_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use core_support::{PASSWORD, TestApp};

#[derive(Clone, Default)]
pub(crate) struct Buffer(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the calling test again, alone, in a child process of this test binary; `true` in
/// that child (go on with the test), `false` in the parent once the child passed. tracing
/// caches per call site whether any subscriber listens, and a call site first reached by
/// another test's thread while this one installs its subscriber can stay muted for it.
pub(crate) fn alone_in_a_child(test_path: &str) -> bool {
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

/// Everything logged at debug level, for as long as the guard lives (this thread only).
pub(crate) fn capture_logs() -> (Buffer, tracing::subscriber::DefaultGuard) {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_env_filter("debug")
        .with_ansi(false)
        .finish();
    (buffer, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn requests_are_logged_without_secrets() {
    if !alone_in_a_child("core_logs::requests_are_logged_without_secrets") {
        return;
    }
    let (buffer, _guard) = capture_logs();

    let app = TestApp::new().await;
    app.user("alice").await;
    let mut c = app.client();
    let csrf = c.refresh_csrf().await;
    let resp =
        c.post_form("/login", &[("csrf", &csrf), ("login", "alice"), ("password", PASSWORD)]).await;
    let request_id = resp.header("x-request-id").unwrap().to_owned();
    let cookie = c.session_cookie().unwrap_or_default();
    c.get("/nope").await;

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let line = logs
        .lines()
        .find(|l| l.contains(&request_id) && l.contains("response"))
        .unwrap_or_else(|| panic!("no response line for {request_id}:\n{logs}"));
    for part in ["method=POST", "route=\"/login\"", "status=303", "latency_ms="] {
        assert!(line.contains(part), "{part} missing: {line}");
    }
    assert!(logs.contains("route=\"unmatched\"") || logs.contains("status=404"), "{logs}");
    for secret in [PASSWORD, csrf.as_str(), cookie.as_str()] {
        assert!(!logs.contains(secret), "a secret in the logs:\n{logs}");
    }
}

async fn nul_to_postgres(
    axum::extract::State(state): axum::extract::State<lightdeck::AppState>,
) -> Result<&'static str, lightdeck::AppError> {
    sqlx::query("SELECT $1::text")
        .bind("a\0b")
        .execute(&state.db)
        .await
        .map_err(lightdeck_domain::Error::from)?;
    Ok("unreachable")
}

#[tokio::test]
async fn an_internal_error_logs_its_causes_once_and_shows_only_the_reference() {
    if !alone_in_a_child(
        "core_logs::an_internal_error_logs_its_causes_once_and_shows_only_the_reference",
    ) {
        return;
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_env_filter("info")
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let routes =
        lightdeck::RouteTable::new().get("/nul", lightdeck::Access::Public, nul_to_postgres);
    let app = TestApp::with_routes(routes).await;
    let resp = app.client().get("/nul").await;
    assert_eq!(resp.status, axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    let request_id = resp.header("x-request-id").unwrap().to_owned();
    assert!(resp.body.contains(&request_id), "the page names the reference");
    assert!(!resp.body.contains("database") && !resp.body.contains("0x00"), "no internal text");

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> =
        logs.lines().filter(|l| l.contains(&request_id) && l.contains("internal error")).collect();
    assert_eq!(lines.len(), 1, "logged once:\n{logs}");
    assert!(
        lines[0].contains("database error") && lines[0].contains("invalid byte sequence"),
        "the cause, not just \"database error\": {}",
        lines[0]
    );
}
