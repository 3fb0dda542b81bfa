//! A burst of parallel wrong passwords: bounded argon2 work, at most the throttle's limit
//! checked, quick refusals for the rest.

use crate::core_support;

use std::time::{Duration as StdDuration, Instant};

use axum::http::StatusCode;
use core_support::{Client, PASSWORD, TestApp};
use lightdeck_domain::password_gate::PasswordGate;
use lightdeck_domain::security_log::{self, Kind, MAX_FAILURES, WINDOW};
use time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_passwords_checks_at_most_the_limit_and_refuses_the_rest_quickly() {
    let app = TestApp::new().await;
    app.user("alice").await;
    // A gate of this test's own, so that the counters are this burst's alone.
    let gate = PasswordGate::new(2, 4);
    let router = lightdeck::app::build(app.state.clone().with_password_gate(gate.clone()));
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let mut c = Client::in_process(router.clone()).with_ip("192.0.2.9");
            tokio::spawn(async move {
                let csrf = c.refresh_csrf().await;
                let started = Instant::now();
                let password = format!("wrong password {i}");
                let resp = c
                    .post_form(
                        "/login",
                        &[("csrf", &csrf), ("login", "alice"), ("password", &password)],
                    )
                    .await;
                (resp, started.elapsed())
            })
        })
        .collect();
    let mut failed = 0;
    let mut refused = 0;
    for task in tasks {
        let (resp, took) = task.await.unwrap();
        match resp.status {
            StatusCode::UNAUTHORIZED => failed += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                refused += 1;
                assert_eq!(resp.header("retry-after"), Some("1"));
                assert_eq!(
                    resp.text(".notice.error").as_deref(),
                    Some("The panel is busy checking other sign-ins; try again in a moment.")
                );
                assert!(took < StdDuration::from_secs(5), "refused quickly: {took:?}");
            }
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}: {}", resp.body),
        }
    }
    let stats = gate.stats();
    assert!(stats.checks <= MAX_FAILURES as u64, "{stats:?}");
    assert!(stats.max_concurrent <= 2, "{stats:?}");
    assert_eq!(failed, stats.checks, "every check was a wrong password: {stats:?}");
    assert_eq!(failed + refused, 100);
    assert_eq!(app.state.sign_ins.held(), 0, "every reservation was released");

    // Only the checked attempts count as failures; refusals for a full panel are not logged.
    let events = security_log::list(app.db.pool(), None, 500).await.unwrap();
    let logged = events.iter().filter(|e| e.kind == Kind::SignInFailed).count();
    assert_eq!(logged as u64, stats.checks);

    // Once the failures have left the window, the right password works.
    app.clock.advance(WINDOW + Duration::seconds(1));
    let mut alice = Client::in_process(router.clone()).with_ip("192.0.2.9");
    assert_eq!(alice.sign_in("alice", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_busy_refusal_is_translated() {
    let app = TestApp::new().await;
    app.user("alice").await;
    // No permit and no queue: every check is refused.
    let gate = PasswordGate::new(1, 0);
    let router = lightdeck::app::build(app.state.clone().with_password_gate(gate.clone()));
    let hold = gate.clone();
    let (started, release) =
        (tokio::sync::oneshot::channel::<()>(), std::sync::mpsc::channel::<()>());
    let (started_tx, started_rx) = started;
    let (release_tx, release_rx) = release;
    let busy = tokio::spawn(async move {
        hold.run(move || {
            let _ = started_tx.send(());
            let _ = release_rx.recv();
        })
        .await
    });
    started_rx.await.unwrap();
    let mut zh = Client::in_process(router).with_header("accept-language", "zh-CN");
    let resp = zh.sign_in("alice", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        resp.text(".notice.error").as_deref(),
        Some("面板正在核对其他登录请求，请稍后再试。")
    );
    assert_eq!(gate.stats().refused, 1);
    release_tx.send(()).unwrap();
    busy.await.unwrap().unwrap();
    let events = security_log::list(app.db.pool(), None, 10).await.unwrap();
    assert!(events.is_empty(), "not logged as a failed password: {events:?}");
}
