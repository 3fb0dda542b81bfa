//! Sign in, sign out, session lifetime, CSRF and sign-in throttling.

use crate::core_support;

use axum::http::{Method, StatusCode};
use core_support::{PASSWORD, TestApp};
use lightdeck_domain::security_log::{self, Kind};
use time::Duration;

#[tokio::test]
async fn sign_in_page_has_a_form_with_a_csrf_token_in_the_requested_language() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let page = c.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1").as_deref(), Some("Sign in to Lightdeck"));
    assert_eq!(page.attr("html", "lang").as_deref(), Some("en"));
    let csrf = page.attr("form[action='/login'] input[name=csrf]", "value").unwrap();
    assert!(csrf.len() >= 40, "{csrf}");
    assert_eq!(page.count("form[action='/login'] input[name=password][type=password]"), 1);
    assert_eq!(page.count("form[action='/logout']"), 0, "no sign-out before sign-in");
    // The token is the visitor's own (a signed double-submit): no session yet.
    assert!(c.session_cookie().is_none(), "an anonymous page view stores no session");
    let visitor = page.header("set-cookie").unwrap_or_default();
    assert!(visitor.starts_with("lightdeck_csrf="), "{visitor}");

    let mut zh = app.client().with_header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5");
    let page = zh.get("/login").await;
    assert_eq!(page.text("h1").as_deref(), Some("登录 Lightdeck"));
    assert_eq!(page.attr("html", "lang").as_deref(), Some("zh-CN"));
    assert!(app.state.i18n.missing().is_empty(), "{:?}", app.state.i18n.missing());
}

#[tokio::test]
async fn good_sign_in_rotates_the_session_id_and_redirects_home() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let mut c = app.client();
    let csrf = c.refresh_csrf().await;
    let before = c.session_cookie().unwrap_or_default();
    let resp =
        c.post_form("/login", &[("csrf", &csrf), ("login", "alice"), ("password", PASSWORD)]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.header("location"), Some("/"));
    let after = c.session_cookie().unwrap_or_default();
    assert!(!after.is_empty());
    assert_ne!(before, after, "a new session id at sign-in");
    let cookie = resp.header("set-cookie").unwrap().to_ascii_lowercase();
    assert!(cookie.contains("httponly") && cookie.contains("samesite=lax"), "{cookie}");
    assert!(!cookie.contains("secure"), "plain http: no Secure flag: {cookie}");

    // Signed in: the layout shows the user and a sign-out form; the old id is worthless.
    let page = c.get("/no-such-page").await;
    assert_eq!(page.text(".who").as_deref(), Some("Signed in as alice (display)"));
    assert_eq!(page.count("form[action='/logout'] input[name=csrf]"), 1);
    let mut old = app.client();
    old.set_session_cookie(&before);
    assert_eq!(old.get("/no-such-page").await.count(".who"), 0);

    // The CSRF token changed at sign-in too.
    assert_ne!(c.refresh_csrf().await, csrf);
}

#[tokio::test]
async fn sign_in_goes_to_a_safe_next_path_only() {
    let app = TestApp::new().await;
    app.user("alice").await;
    for (next, expected) in [
        ("/teams/x/instances?page=2", "/teams/x/instances?page=2"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ] {
        let mut c = app.client();
        let csrf = c.refresh_csrf().await;
        let resp = c
            .post_form(
                "/login",
                &[("csrf", &csrf), ("login", "alice"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(resp.header("location"), Some(expected), "next={next}");
    }
}

#[tokio::test]
async fn the_secure_cookie_flag_and_hsts_follow_an_https_public_url() {
    let app = TestApp::with_config(lightdeck::config::AppConfig {
        public_url: Some("https://panel.example".into()),
        ..Default::default()
    })
    .await;
    app.user("alice").await;
    let mut c = app.client();
    let resp = c.get("/login").await;
    let visitor = resp.header("set-cookie").unwrap();
    assert!(visitor.starts_with("__Host-lightdeck_csrf="), "{visitor}");
    assert!(visitor.to_ascii_lowercase().contains("secure"), "{visitor}");
    let signed_in = c.sign_in("alice", PASSWORD).await;
    let cookie = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-lightdeck_session="))
        .unwrap_or_else(|| panic!("no session cookie at sign-in: {:?}", signed_in.headers))
        .to_owned();
    assert!(cookie.to_ascii_lowercase().contains("secure"), "{cookie}");
    // And browsers are told to use https only, on every response (errors too).
    assert_eq!(resp.header("strict-transport-security"), Some(lightdeck::security::HSTS));
    let missing = c.get("/nope").await;
    assert_eq!(missing.header("strict-transport-security"), Some(lightdeck::security::HSTS));

    // Plain http (the demo, a loopback listener without a public URL): no HSTS, which would
    // lock the browser out of the http address.
    let plain = TestApp::new().await;
    let resp = plain.client().get("/login").await;
    assert_eq!(resp.header("strict-transport-security"), None);
}

#[tokio::test]
async fn bad_sign_in_shows_one_message_and_is_logged() {
    let app = TestApp::new().await;
    let alice = app.user("alice").await;
    let mut c = app.client().with_header("user-agent", "test-agent");
    for (login, password) in [("alice", "wrong password!"), ("nobody", PASSWORD)] {
        let resp = c.sign_in(login, password).await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
        assert_eq!(resp.text(".notice.error").as_deref(), Some("Wrong login name or password."));
        assert_eq!(
            resp.attr("input[name=login]", "value").as_deref(),
            Some(login),
            "the login is kept"
        );
        assert!(!resp.body.contains(password), "never echo the password");
    }
    let events = security_log::list(app.db.pool(), None, 10).await.unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.kind == Kind::SignInFailed));
    assert_eq!(events[1].user_id, Some(alice.id));
    assert_eq!(events[1].reason, "wrong password");
    assert_eq!(events[0].reason, "unknown login");
    assert_eq!(events[0].user_agent.as_deref(), Some("test-agent"));

    let empty = c.sign_in("", "").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.text("#login-error").as_deref(), Some("Enter your login name."));
    assert_eq!(empty.text("#password-error").as_deref(), Some("Enter your password."));
}

#[tokio::test]
async fn control_characters_in_a_form_are_a_field_error_never_a_500() {
    let app = TestApp::new().await;
    app.user("alice").await;
    for (lang, says) in [("en", "contains a control character"), ("zh-CN", "包含控制字符")] {
        let mut c = app.client().with_header("accept-language", lang);
        let csrf = c.refresh_csrf().await;
        let resp = c
            .post_form(
                "/login",
                &[("csrf", &csrf), ("login", "\0\u{1}"), ("password", "secret\0pass word")],
            )
            .await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", resp.body);
        let details = resp.texts("ul.details li");
        assert_eq!(details.len(), 2, "{details:?}");
        assert!(details[0].starts_with("login") && details[0].contains(says), "{details:?}");
        assert!(details[1].starts_with("password") && details[1].contains(says), "{details:?}");
        assert!(!resp.body.contains("secret"), "never echo the password");
    }
    // Bytes that are not UTF-8 and a control character in the query of a GET, through htmx.
    let mut c = app.client();
    c.sign_in("alice", PASSWORD).await;
    let resp = c.get("/?q=%FF%FE&next=a%0Db").await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = resp.texts("ul.details li");
    assert!(details.iter().any(|d| d.starts_with("q") && d.contains("UTF-8")), "{details:?}");
    assert!(details.iter().any(|d| d.starts_with("next") && d.contains("control")), "{details:?}");
    assert_eq!(resp.count("form[action='/logout']"), 1, "the page keeps the user's header");
    assert!(security_log::list(app.db.pool(), None, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_or_stay_signed_in() {
    let app = TestApp::new().await;
    let alice = app.user("alice").await;
    let mut c = app.client();
    assert_eq!(c.sign_in("alice", PASSWORD).await.status, StatusCode::SEE_OTHER);
    lightdeck_domain::users::set_disabled(app.db.pool(), alice.id, true).await.unwrap();
    assert_eq!(c.get("/no-such-page").await.count(".who"), 0);
    assert_eq!(c.sign_in("alice", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_idle_session_ends_after_the_idle_timeout() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let mut c = app.client();
    c.sign_in("alice", PASSWORD).await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(c.get("/no-such-page").await.count(".who"), 1, "29 min idle: still in");
    app.clock.advance(Duration::minutes(29));
    assert_eq!(c.get("/no-such-page").await.count(".who"), 1, "activity reset the idle time");
    app.clock.advance(Duration::minutes(31));
    let page = c.get("/login").await;
    assert_eq!(page.status, StatusCode::OK, "not redirected: signed out");
    assert_eq!(page.text(".notice").as_deref(), Some("Your session ended. Please sign in again."));
    assert_eq!(c.get("/no-such-page").await.count(".who"), 0);
}

#[tokio::test]
async fn a_session_ends_after_the_absolute_timeout_however_active() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let mut c = app.client();
    c.sign_in("alice", PASSWORD).await;
    for _ in 0..(12 * 60 / 20 - 1) {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(c.get("/no-such-page").await.count(".who"), 1);
    }
    // 11 h 40 min so far; 25 more minutes passes 12 h while within the idle limit.
    app.clock.advance(Duration::minutes(25));
    assert_eq!(c.get("/no-such-page").await.count(".who"), 0);
}

#[tokio::test]
async fn logout_ends_the_session_and_needs_the_csrf_token() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let mut c = app.client();
    c.sign_in("alice", PASSWORD).await;
    let signed_in_cookie = c.session_cookie().expect("a session");
    let csrf = c.refresh_csrf().await;

    let refused = c.post_raw("/logout", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get("/no-such-page").await.count(".who"), 1, "still signed in");

    let resp = c.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.header("location"), Some("/login?from=signed-out"));
    assert!(c.session_cookie().is_none(), "the cookie is cleared");
    let page = c.get("/login?from=signed-out").await;
    assert_eq!(page.text(".notice").as_deref(), Some("You have signed out."));

    let mut replay = app.client();
    replay.set_session_cookie(&signed_in_cookie);
    assert_eq!(replay.get("/no-such-page").await.count(".who"), 0, "the old session is gone");
}

#[tokio::test]
async fn state_changing_requests_without_a_valid_token_or_from_another_site_are_refused() {
    let app = TestApp::new().await;
    let alice = app.user("alice").await;
    let mut c = app.client();
    c.sign_in("alice", PASSWORD).await;
    let csrf = c.refresh_csrf().await;
    let session = c.session_cookie().expect("a session");

    let missing = c.post_raw("/language", &[("lang", "zh-CN")]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong =
        c.post_form("/language", &[("lang", "zh-CN"), ("csrf", "x".repeat(43).as_str())]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(wrong.text(".reference").is_some(), "a 403 page with a reference");

    let mut cross = app.client().with_header("origin", "https://evil.example");
    cross.set_session_cookie(&session);
    let resp = cross.post_form("/language", &[("lang", "zh-CN"), ("csrf", &csrf)]).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "right token, wrong origin");

    let mut fetch = app.client().with_header("sec-fetch-site", "cross-site");
    fetch.set_session_cookie(&session);
    let resp = fetch.post_form("/language", &[("lang", "zh-CN"), ("csrf", &csrf)]).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "right token, cross-site fetch");

    // The header works like the form field, and the same origin is fine.
    let mut same = app.client().with_header("origin", "http://localhost");
    same.set_session_cookie(&session);
    let body = Some("lang=zh-CN&next=/login".to_owned());
    let ok = same.send(Method::POST, "/language", &[("x-csrf-token", &csrf)], body).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let user = lightdeck_domain::users::get(app.db.pool(), alice.id).await.unwrap();
    assert_eq!(user.language.as_str(), "zh-CN");

    let denied: Vec<_> = security_log::list(app.db.pool(), None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == Kind::RequestDenied)
        .collect();
    assert_eq!(denied.len(), 4, "{denied:?}");
    assert!(
        denied
            .iter()
            .all(|e| e.user_id == Some(alice.id) && e.route.as_deref() == Some("/language"))
    );
}

/// Issue 14: ten failures for a login from elsewhere used to lock it for 15 minutes (anyone
/// could lock anyone out). Now they slow down browsers without the login's device cookie to
/// one attempt a minute after the last failure; no 15-minute lockout.
#[tokio::test]
async fn sign_in_is_slowed_down_after_ten_failures_per_login() {
    let app = TestApp::new().await;
    app.user("alice").await;
    for i in 0..10 {
        // Different addresses: only the login counts here.
        let mut c = app.client().with_ip(&format!("10.0.0.{}", i + 1));
        assert_eq!(c.sign_in("alice", "wrong password!").await.status, StatusCode::UNAUTHORIZED);
    }
    let mut c = app.client().with_ip("10.0.1.1");
    let resp = c.sign_in("alice", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        resp.text(".notice.error").as_deref(),
        Some(
            "Too many failed sign-ins for this login from browsers it has not used before. \
             Try again in 60 seconds."
        )
    );
    assert_eq!(resp.header("retry-after"), Some("60"));

    app.clock.advance(Duration::seconds(20));
    let resp = c.sign_in("alice", PASSWORD).await;
    assert_eq!(resp.header("retry-after"), Some("40"));

    let mut zh = app.client().with_header("accept-language", "zh-CN");
    let resp = zh.sign_in("alice", PASSWORD).await;
    assert_eq!(
        resp.text(".notice.error").as_deref(),
        Some("此账号在未用过的浏览器上登录失败次数过多，请 40 秒后再试。")
    );

    // Another login is not affected; the refused attempts were logged, not counted.
    let mut other = app.client().with_ip("10.0.1.1");
    assert_eq!(other.sign_in("bob", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    let throttled = app.security_events(Kind::SignInThrottled).await;
    assert_eq!(throttled, 3);

    // A minute after the last failure one attempt is checked: a wrong one restarts the
    // minute, the right one (a minute later) signs in.
    app.clock.advance(Duration::seconds(41));
    let mut guess = app.client().with_ip("10.0.2.1");
    assert_eq!(guess.sign_in("alice", "wrong again!").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(c.sign_in("alice", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(Duration::seconds(60));
    assert_eq!(c.sign_in("alice", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_is_throttled_after_ten_failures_per_address() {
    let app = TestApp::new().await;
    app.user("alice").await;
    for i in 0..10 {
        let mut c = app.client().with_ip("192.0.2.7");
        let resp = c.sign_in(&format!("guess{i}"), "wrong password!").await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
        app.clock.advance(Duration::minutes(1));
    }
    let mut c = app.client().with_ip("192.0.2.7");
    let resp = c.sign_in("alice", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::TOO_MANY_REQUESTS);
    // The first failure, 10 min ago, leaves the window in 5 min.
    assert_eq!(
        resp.text(".notice.error").as_deref(),
        Some("Too many failed sign-ins. Try again in 5 minutes.")
    );
    let mut elsewhere = app.client().with_ip("192.0.2.8");
    assert_eq!(elsewhere.sign_in("alice", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

/// Behind a trusted proxy the security log names the client the proxy forwarded; from
/// anyone else a forwarded address is a claim and is ignored.
#[tokio::test]
async fn behind_a_trusted_proxy_the_client_address_is_the_forwarded_one() {
    use lightdeck::client_addr::parse_list;
    use lightdeck::config::AppConfig;

    let config =
        AppConfig { trusted_proxies: parse_list("127.0.0.1").unwrap(), ..AppConfig::default() };
    let app = TestApp::with_config(config).await;
    app.user("alice").await;
    // Through the proxy: it appended the real client to what the client claimed.
    let mut proxied =
        app.client().with_ip("127.0.0.1").with_header("x-forwarded-for", "6.6.6.6, 198.51.100.7");
    proxied.sign_in("alice", "wrong password!").await;
    // Straight from a stranger who claims to be someone else.
    let mut direct =
        app.client().with_ip("203.0.113.5").with_header("x-forwarded-for", "198.51.100.99");
    direct.sign_in("alice", "wrong password!").await;

    let events = security_log::list(app.db.pool(), None, 10).await.unwrap();
    let mut seen: Vec<_> = events.iter().filter_map(|e| e.source_ip.clone()).collect();
    seen.sort();
    assert_eq!(seen, ["198.51.100.7", "203.0.113.5"], "{events:?}");
}

/// Looking at the sign-in page (or any page, as a stranger) stores nothing: the form's
/// token is a signed double-submit, not a session. Signing in still works with it, and a
/// token that does not match the visitor's cookie is refused.
#[tokio::test]
async fn anonymous_page_views_write_no_session_and_sign_in_still_works() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let rows = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from tower_sessions.session")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
    };
    let mut c = app.client();
    for path in ["/login", "/login?next=/", "/healthz", "/no-such-page", "/"] {
        c.get(path).await;
    }
    assert_eq!(rows().await, 0, "anonymous GETs stored a session");

    // Someone else's token with this browser's cookie: refused.
    let mut other = app.client();
    other.get("/login").await;
    let foreign = other.csrf.clone().expect("a token on the sign-in form");
    c.get("/login").await;
    let mine = c.csrf.clone().expect("a token on the sign-in form");
    assert_ne!(mine, foreign, "each visitor has a token of their own");
    let refused = c
        .post_raw("/login", &[("csrf", &foreign), ("login", "alice"), ("password", PASSWORD)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(rows().await, 0);

    let resp = c.sign_in("alice", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(rows().await, 1, "signing in stores the session");
    assert_eq!(c.get("/").await.status, StatusCode::OK);
}
