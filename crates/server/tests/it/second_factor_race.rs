//! The second factor under bursts, as an attacker or an impatient browser sends them: one
//! code (or recovery code) typed at once in many browsers, through two panel processes on
//! one database, signs in exactly once; a burst of code guesses on the account forms from
//! a session left open gets no more checked than the sign-in throttle allows.

use crate::core_support;
use crate::second_factor::{Enrolled, PAGE, enrol, type_code};

use axum::Router;
use axum::http::StatusCode;
use core_support::{Client, PASSWORD, TestApp};
use lightdeck::state::AppState;
use lightdeck_domain::password_gate::PasswordGate;
use lightdeck_domain::second_factor;
use lightdeck_domain::security_log::{self, DEVICE_MAX_FAILURES, Kind};
use lightdeck_testkit::totp_code;

/// A second panel process on the app's database: its own connections, its own memory
/// (sessions and users cached, sign-ins in flight), the same master key and clock.
async fn second_process(app: &TestApp) -> Router {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(5)
        .connect(app.db.url())
        .await
        .expect("a second pool on the test database");
    let state = AppState::new(
        pool,
        app.state.cloud.clone(),
        (*app.state.keyring).clone(),
        (*app.state.config).clone(),
    )
    .expect("translations load")
    .with_clock(app.clock.clock());
    lightdeck::app::build(state)
}

/// `n` browsers at carol's code step, each from an address of its own (so the throttle
/// checks every one), alternately on `routers[0]` and `routers[1]`.
async fn at_the_code_step(routers: &[Router; 2], n: usize) -> Vec<Client> {
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        let mut c = Client::in_process(routers[i % 2].clone()).with_ip(&format!("198.51.100.{i}"));
        let resp = c.sign_in("carol", PASSWORD).await;
        assert_eq!(resp.location(), Some("/login/code"), "{}", resp.body);
        c.get("/login/code").await;
        clients.push(c);
    }
    clients
}

/// Every client types `code` at the same moment; the statuses.
async fn all_at_once(clients: Vec<Client>, code: &str) -> Vec<StatusCode> {
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut c| {
            let code = code.to_owned();
            tokio::spawn(async move { type_code(&mut c, &code).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_typed_in_many_browsers_through_two_processes_signs_in_once() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut carol = app.client();
    carol.sign_in("carol", PASSWORD).await;
    let Enrolled { secret, recovery } = enrol(&app, &mut carol).await;
    let routers = [app.router.clone(), second_process(&app).await];
    const N: usize = 8;

    let statuses =
        all_at_once(at_the_code_step(&routers, N).await, &totp_code(&secret, app.clock.now()))
            .await;
    let signed_in = statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
    assert_eq!(signed_in, 1, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| matches!(*s, StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED))
    );
    let used = security_log::list(app.db.pool(), None, 100).await.unwrap();
    let used = used.iter().filter(|e| e.reason == "second-factor code already used").count();
    assert_eq!(used, N - 1, "the others were refused as used, each a failed sign-in");

    // The same for one recovery code (the log cleared, so that every browser is checked).
    sqlx::query("delete from security_log").execute(app.db.pool()).await.unwrap();
    let statuses = all_at_once(at_the_code_step(&routers, N).await, &recovery[0]).await;
    let signed_in = statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
    assert_eq!(signed_in, 1, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| matches!(*s, StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED))
    );
    let carol_id = lightdeck_domain::users::find_by_login(app.db.pool(), "carol").await.unwrap();
    let left = second_factor::status(app.db.pool(), carol_id.unwrap().id).await.unwrap();
    assert_eq!(left.recovery_left, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_code_guesses_on_the_account_forms_checks_at_most_the_limit() {
    let app = TestApp::new().await;
    let carol = app.user("carol").await;
    // A gate of this test's own, so that its count is this burst's password checks.
    let gate = PasswordGate::new(2, 64);
    let router = lightdeck::app::build(app.state.clone().with_password_gate(gate.clone()));
    let mut c = Client::in_process(router);
    c.sign_in("carol", PASSWORD).await;
    let enrolled = enrol(&app, &mut c).await;
    let right = totp_code(&enrolled.secret, app.clock.now());
    let wrong = if right == "000000" { "000001" } else { "000000" };
    let before = gate.stats().checks;

    // Someone with carol's open session (and her password) guesses codes, 30 at once, on
    // both forms that take one.
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let mut c = c.clone();
            let form = if i % 2 == 0 { "disable" } else { "recovery-codes" };
            tokio::spawn(async move {
                let url = format!("{PAGE}/{form}");
                c.post_form(&url, &[("current_password", PASSWORD), ("code", wrong)]).await
            })
        })
        .collect();
    let (mut checked, mut refused) = (0, 0);
    for task in tasks {
        let resp = task.await.unwrap();
        match resp.status {
            StatusCode::UNPROCESSABLE_ENTITY => {
                checked += 1;
                let errors = resp.texts(".field-error[id$=code-error]");
                assert_eq!(errors.len(), 1, "{}", resp.body);
            }
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                refused += 1;
                assert!(resp.header("retry-after").is_some());
                assert!(resp.text("div.flash.error").is_some(), "{}", resp.body);
            }
            other => panic!("unexpected {other}: {}", resp.body),
        }
    }
    assert_eq!(checked + refused, 30);
    assert!(checked <= DEVICE_MAX_FAILURES, "{checked} codes checked");
    let passwords = gate.stats().checks - before;
    assert!(passwords <= DEVICE_MAX_FAILURES as u64, "{passwords} passwords checked");
    assert_eq!(app.state.sign_ins.held(), 0, "every reservation was released");

    // Each check is a failed sign-in on the form's route, from carol's browser.
    let events = security_log::list(app.db.pool(), None, 100).await.unwrap();
    let failed: Vec<_> = events.iter().filter(|e| e.kind == Kind::SignInFailed).collect();
    assert_eq!(failed.len() as i64, checked);
    assert!(failed.iter().all(|e| e.route.as_deref() == Some(PAGE)
        && e.reason == "wrong second-factor code"
        && e.user_id == Some(carol.id)));
    let status = second_factor::status(app.db.pool(), carol.id).await.unwrap();
    assert!(status.on() && status.recovery_left == 10, "nothing changed: {status:?}");

    // One at a time, guesses go on being checked only up to the limit; then even the right
    // code waits until the failures leave the window.
    let off = format!("{PAGE}/disable");
    let guess = [("current_password", PASSWORD), ("code", wrong)];
    let mut total = checked;
    while c.post_form(&off, &guess).await.status == StatusCode::UNPROCESSABLE_ENTITY {
        total += 1;
        assert!(total <= DEVICE_MAX_FAILURES, "{total} codes checked");
    }
    assert_eq!(total, DEVICE_MAX_FAILURES);
    let held = c.post_form(&off, &[("current_password", PASSWORD), ("code", &right)]).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.body);
    app.clock.advance(security_log::WINDOW + time::Duration::seconds(30));
    let code = totp_code(&enrolled.secret, app.clock.now());
    let done = c.post_form(&off, &[("current_password", PASSWORD), ("code", &code)]).await;
    assert_eq!(done.location(), Some("/account/second-factor?done=disabled"), "{}", done.body);
}

/// Not a burst, but where every code typed on "Your account" is logged: the device.
#[tokio::test]
async fn a_wrong_code_on_the_account_forms_is_logged_against_this_browser_only() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut c = app.client();
    c.sign_in("carol", PASSWORD).await;
    let enrolled = enrol(&app, &mut c).await;
    let right = totp_code(&enrolled.secret, app.clock.now());
    let wrong = if right == "000000" { "000001" } else { "000000" };
    let off = format!("{PAGE}/disable");
    let resp = c.post_form(&off, &[("current_password", PASSWORD), ("code", wrong)]).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let device: Option<String> =
        sqlx::query_scalar("select device from security_log where kind = 'sign_in_failed'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(device.is_some_and(|d| d.len() == 32), "counted against carol's browser");
    // So a stranger guessing at the sign-in page does not shut her out of this form.
    for _ in 0..12 {
        let mut stranger = app.client().with_ip("203.0.113.66");
        stranger.sign_in("carol", "not her password at all").await;
    }
    let resp = c.post_form(&off, &[("current_password", PASSWORD), ("code", wrong)]).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "checked, not throttled");
}
