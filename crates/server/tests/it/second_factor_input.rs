//! Hostile input in the fields that take a code (the system fuzz crawls the pages as users
//! without a second factor, so it never fills these fields in). Where each input stops:
//!
//! - NUL, other control characters (tab, CR/LF) and bytes that are not UTF-8 never reach
//!   a handler: the input filter (`input::refuse_unreadable`) answers 422 with an error
//!   page naming the field `code`, on every route.
//! - A body over the panel's 256 KiB limit (`app::BODY_LIMIT`) is refused with 413 before
//!   anything reads it.
//! - Everything else reaches the handler and is refused beside the code field: 422 on the
//!   account forms (an empty code is "type a code", anything else a wrong code), and at
//!   sign-in 422 for an empty code, 401 for a wrong one (a failed sign-in).
//!
//! Never a 5xx, and nothing is turned on or off. The security log is cleared after each
//! input, so that each is answered by its handler rather than refused by the throttle.

use crate::core_support;
use crate::second_factor::{PAGE, at_code_step, enrol};

use axum::http::{Method, StatusCode};
use core_support::{Client, PASSWORD, Resp, TestApp};
use lightdeck_domain::second_factor;
use lightdeck_testkit::totp_code;
use time::Duration;

/// Where an input is meant to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The input filter: a control character or not UTF-8.
    Filter,
    /// The body limit.
    TooLarge,
    /// The handler, with the field empty.
    Empty,
    /// The handler: not a code of hers.
    Wrong,
}

/// Form-encoded values for `code`, and where each stops.
fn hostile() -> Vec<(String, Stop)> {
    use Stop::*;
    let mut v: Vec<(String, Stop)> = [
        ("%00", Filter),
        ("a%00b", Filter),
        ("%FF%FE", Filter),
        ("%C3%28", Filter),
        ("%E2%82", Filter),
        ("%0D%0A", Filter),
        ("%09123456%09", Filter),
        // A lone or broken escape is read as the text it is.
        ("%", Wrong),
        ("%zz", Wrong),
        // A format character (right-to-left override) is not a control character.
        ("%E2%80%AE123456", Wrong),
        // Digits that are not ASCII, signs, spaces and separators around six digits.
        ("%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96", Wrong),
        ("%2B12345", Wrong),
        ("-12345", Wrong),
        ("123+456", Wrong),
        ("1%C2%A023456", Wrong),
        ("------", Wrong),
        ("0000-0000-0000-0000-0000", Wrong),
        ("zzzz-zzzz-zzzz-zzzz", Wrong),
        ("99999999999999999999", Wrong),
        ("NaN", Wrong),
        ("null", Wrong),
        ("", Empty),
        ("+++", Empty),
    ]
    .map(|(raw, stop)| (raw.to_owned(), stop))
    .to_vec();
    v.push(("7".repeat(10 * 1024), Wrong));
    v.push(("z".repeat(1024 * 1024), TooLarge));
    v
}

/// `body` (with the session's CSRF token) posted to `path`.
async fn post(c: &mut Client, path: &str, body: &str) -> Resp {
    let csrf = c.csrf.clone().unwrap_or_default();
    c.send(Method::POST, path, &[], Some(format!("csrf={csrf}&{body}"))).await
}

/// Checks where `resp` stopped; `field` is the id of the code's error beside the field,
/// `wrong` the status of a wrong code there.
fn assert_stopped(resp: &Resp, stop: Stop, field: &str, wrong: StatusCode, what: &str) {
    match stop {
        Stop::Filter => {
            assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", resp.body);
            let details = resp.texts(".error-page .details li");
            assert!(details.iter().any(|d| d.contains("code")), "{what}: {details:?}");
        }
        Stop::TooLarge => assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE, "{what}"),
        Stop::Empty | Stop::Wrong => {
            let status = if stop == Stop::Empty { StatusCode::UNPROCESSABLE_ENTITY } else { wrong };
            assert_eq!(resp.status, status, "{what}: {}", resp.body);
            let error = resp.text(&format!("#{field}"));
            assert!(error.is_some_and(|e| !e.is_empty()), "{what}: no #{field}: {}", resp.body);
        }
    }
}

/// Moves the clock on while the app's code for now could be mistaken for one of the
/// hostile inputs ("123 456" is six digits).
fn not_a_hostile_code(app: &TestApp, secret: &str) {
    while totp_code(secret, app.clock.now()) == "123456" {
        app.clock.advance(Duration::seconds(30));
    }
}

async fn clear_security_log(app: &TestApp) {
    sqlx::query("delete from security_log").execute(app.db.pool()).await.unwrap();
}

#[tokio::test]
async fn hostile_codes_are_refused_cleanly_everywhere_a_code_is_typed() {
    let app = TestApp::new().await;
    let carol = app.user("carol").await;
    let mut c = app.client();
    c.sign_in("carol", PASSWORD).await;
    // Confirming a set-up: a secret is being set up, and stays so.
    let start = c.post_form(&format!("{PAGE}/start"), &[]).await;
    assert_eq!(start.status, StatusCode::OK);
    let secret = start.text("#totp-secret").unwrap().replace(' ', "");
    not_a_hostile_code(&app, &secret);
    let confirm = format!("{PAGE}/confirm");
    for (raw, stop) in hostile() {
        let resp = post(&mut c, &confirm, &format!("code={raw}")).await;
        let what = format!("confirm {raw:.40}");
        assert_stopped(&resp, stop, "enrol-code-error", StatusCode::UNPROCESSABLE_ENTITY, &what);
    }
    assert!(!second_factor::status(app.db.pool(), carol.id).await.unwrap().on());

    // With it on: new recovery codes and turning it off, with the right password.
    let enrolled = enrol(&app, &mut c).await;
    not_a_hostile_code(&app, &enrolled.secret);
    for (path, field) in
        [("recovery-codes", "new-codes-code-error"), ("disable", "turn-off-code-error")]
    {
        for (raw, stop) in hostile() {
            let body = format!("current_password={PASSWORD}&code={raw}");
            let resp = post(&mut c, &format!("{PAGE}/{path}"), &body).await;
            let what = format!("{path} {raw:.40}");
            assert_stopped(&resp, stop, field, StatusCode::UNPROCESSABLE_ENTITY, &what);
            clear_security_log(&app).await;
        }
    }
    let status = second_factor::status(app.db.pool(), carol.id).await.unwrap();
    assert!(status.on() && status.recovery_left == 10, "nothing changed: {status:?}");

    // At sign-in, each from its own browser.
    c.sign_out().await;
    for (raw, stop) in hostile() {
        let mut b = at_code_step(&app, "carol").await;
        let resp = post(&mut b, "/login/code", &format!("code={raw}")).await;
        let what = format!("sign-in {raw:.40}");
        assert_stopped(&resp, stop, "code-error", StatusCode::UNAUTHORIZED, &what);
        assert!(b.get("/account").await.is_login_redirect(), "not signed in by {raw:.40}");
        clear_security_log(&app).await;
    }
}
