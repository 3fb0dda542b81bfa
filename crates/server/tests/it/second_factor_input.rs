//! Hostile input in the fields that take a code: the system fuzz crawls the pages as users
//! without a second factor, so it never sees these fields filled. Broken UTF-8, control
//! characters, digits of other scripts, signs, huge values: each is refused beside its
//! field (or as a failed sign-in), never a 5xx, and nothing is turned on or off.

use crate::core_support;
use crate::second_factor::{PAGE, at_code_step, enrol};

use axum::http::{Method, StatusCode};
use core_support::{PASSWORD, TestApp};
use lightdeck_domain::second_factor;

fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "%00",
        "a%00b",
        "%FF%FE",
        "%C3%28",
        "%E2%82",
        "%",
        "%zz",
        "%0D%0A",
        "%E2%80%AE123456",
        // Digits that are not ASCII, signs, spaces and separators around six digits.
        "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96",
        "%2B12345",
        "-12345",
        "123+456",
        "1%C2%A023456",
        "%09123456%09",
        "------",
        "0000-0000-0000-0000-0000",
        "zzzz-zzzz-zzzz-zzzz",
        "99999999999999999999",
        "NaN",
        "null",
        "",
    ]
    .map(String::from)
    .to_vec();
    v.push("7".repeat(10 * 1024));
    v.push("z".repeat(1024 * 1024));
    v
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
    for raw in hostile() {
        let csrf = c.csrf.clone().unwrap_or_default();
        let body = format!("csrf={csrf}&code={raw}");
        let page = c.send(Method::POST, &format!("{PAGE}/confirm"), &[], Some(body)).await;
        assert!(page.status.is_client_error(), "confirm {:.40}: {}", raw, page.status);
    }
    assert!(!second_factor::status(app.db.pool(), carol.id).await.unwrap().on());

    // With it on: new recovery codes and turning it off, with the right password.
    enrol(&app, &mut c).await;
    for path in ["recovery-codes", "disable"] {
        for raw in hostile() {
            let csrf = c.csrf.clone().unwrap_or_default();
            let body = format!("csrf={csrf}&current_password={PASSWORD}&code={raw}");
            let url = format!("{PAGE}/{path}");
            let page = c.send(Method::POST, &url, &[], Some(body)).await;
            assert!(page.status.is_client_error(), "{path} {:.40}: {}", raw, page.status);
        }
        // The wrong codes were failed sign-ins: clear them so the next form is not throttled.
        sqlx::query("delete from security_log").execute(app.db.pool()).await.unwrap();
    }
    let status = second_factor::status(app.db.pool(), carol.id).await.unwrap();
    assert!(status.on() && status.recovery_left == 10, "nothing changed: {status:?}");

    // At sign-in (each from its own browser, so the throttle answers no sooner than it must).
    c.sign_out().await;
    for raw in hostile() {
        let mut b = at_code_step(&app, "carol").await;
        let csrf = b.csrf.clone().unwrap_or_default();
        let body = format!("csrf={csrf}&code={raw}");
        let page = b.send(Method::POST, "/login/code", &[], Some(body)).await;
        assert!(page.status.is_client_error(), "sign-in {:.40}: {}", raw, page.status);
        assert!(b.get("/account").await.is_login_redirect(), "not signed in by {raw:.40}");
        sqlx::query("delete from security_log").execute(app.db.pool()).await.unwrap();
    }
}
