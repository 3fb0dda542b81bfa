//! Layers every response goes through: security headers, request ids, error pages, static
//! files, compression, limits; `/healthz`, `/metrics`, the language switch, the route table.

use crate::core_support;

use axum::http::{Method, StatusCode};
use core_support::{PASSWORD, Resp, TestApp};
use lightdeck::routing::Access;
use lightdeck::security;

fn assert_security_headers(resp: &Resp, what: &str) {
    for (name, value) in &security::HEADERS {
        assert_eq!(resp.header(name.as_str()), Some(*value), "{what}: {name}");
    }
    let csp = resp.header("content-security-policy").unwrap();
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    let id = resp.header("x-request-id").unwrap_or_default();
    assert_eq!(id.len(), 36, "{what}: x-request-id {id:?}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_a_request_id() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let css = lightdeck::assets::url("app.css");
    let responses = [
        ("sign-in page", c.get("/login").await),
        ("404", c.get("/nope").await),
        ("static file", c.get(&css).await),
        ("missing static file", c.get("/static/nope.js").await),
        ("healthz", c.get("/healthz").await),
        ("metrics", c.get("/metrics").await),
        ("csrf refusal", c.post_raw("/logout", &[]).await),
        ("method not allowed", c.get("/logout").await),
    ];
    for (what, resp) in &responses {
        assert_security_headers(resp, what);
    }
    assert_eq!(responses[6].1.status, StatusCode::FORBIDDEN);
    assert_eq!(responses[7].1.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(responses[7].1.header("allow"), Some("POST"));
}

#[tokio::test]
async fn unknown_paths_get_the_404_page_with_the_request_id_as_reference() {
    let app = TestApp::new().await;
    let mut c = app.client().with_header("x-request-id", "client-chosen<script>");
    let resp = c.get("/teams/not-a-uuid/whatever").await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    assert!(resp.header("content-type").unwrap().starts_with("text/html"));
    let id = resp.header("x-request-id").unwrap().to_owned();
    assert_ne!(id, "client-chosen<script>", "the client does not choose our ids");
    assert_eq!(resp.text("h1").as_deref(), Some("Not found"));
    assert_eq!(resp.text(".reference").map(|t| t.contains(&id)), Some(true));
    assert_eq!(resp.count("link[rel=stylesheet]"), 1);
    assert_eq!(resp.count("script[src]"), 1);
    assert_eq!(resp.count("script:not([src])"), 0, "no inline scripts");
    assert_eq!(resp.count("[style]"), 0, "no inline styles");
    assert_eq!(resp.header("cache-control"), Some("no-store"));

    let zh = app.client().with_header("accept-language", "zh-CN").get("/nope").await;
    assert_eq!(zh.text("h1").as_deref(), Some("未找到"));
    assert!(app.state.i18n.missing().is_empty(), "{:?}", app.state.i18n.missing());
}

#[tokio::test]
async fn htmx_requests_get_an_error_fragment_aimed_at_the_flash_area() {
    let app = TestApp::new().await;
    let mut c = app.client().with_header("hx-request", "true");
    let resp = c.get("/nope").await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    assert_eq!(resp.header("hx-retarget"), Some("#flash"));
    assert_eq!(resp.header("hx-reswap"), Some("innerHTML"));
    assert_eq!(resp.count("html body main"), 0, "a fragment, not a page");
    let id = resp.header("x-request-id").unwrap().to_owned();
    assert_eq!(resp.count("div.flash.error[role=alert]"), 1);
    assert!(resp.text(".reference").unwrap().contains(&id));
}

#[tokio::test]
async fn rejected_input_never_shows_internal_text() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let csrf = c.refresh_csrf().await;
    // A query the sign-in page cannot parse (a repeated field) and an oversized body.
    let bad = c.get("/login?next=a&next=b").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.text("h1").as_deref(), Some("Bad request"));
    assert!(!bad.body.contains("deserialize"), "{}", bad.body);

    let big = format!("csrf={csrf}&login={}", "a".repeat(300 * 1024));
    let resp = c.send(Method::POST, "/login", &[], Some(big.clone())).await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE, "streamed body");
    assert_eq!(resp.text("h1").as_deref(), Some("Too large"));
    let length = big.len().to_string();
    let resp = c.send(Method::POST, "/login", &[("content-length", &length)], Some(big)).await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE, "declared length");
    assert_eq!(resp.text("h1").as_deref(), Some("Too large"));
}

#[tokio::test]
async fn static_files_are_cacheable_and_compressed() {
    let app = TestApp::new().await;
    let page = app.client().get("/login").await;
    let js = page.attr("script[src]", "src").unwrap();
    let css = page.attr("link[rel=stylesheet]", "href").unwrap();
    assert!(js.starts_with("/static/htmx.min.js?v="), "{js}");
    assert!(css.starts_with("/static/app.css?v="), "{css}");

    let mut c = app.client().with_header("accept-encoding", "gzip");
    let resp = c.get(&js).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert_eq!(resp.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(resp.header(core_support::SENT_ENCODING), Some("gzip"));
    assert!(resp.body.contains("htmx"), "decoded, it is the script");
    assert!(resp.header("set-cookie").is_none(), "no session for static files");

    let css = app.client().get(&css).await;
    assert!(css.body.contains(".status-ok"));
    assert_eq!(app.client().get("/static/../Cargo.toml").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn healthz_checks_the_database() {
    let app = TestApp::new().await;
    let ok = app.client().get("/healthz").await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "ok\n"));
    app.db.pool().close().await;
    let down = app.client().get("/healthz").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.body, "database unavailable\n");
}

#[tokio::test]
async fn metrics_count_requests_per_route_pattern() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.get("/login").await;
    c.get("/static/app.css").await;
    let resp = c.get("/metrics").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert!(resp.header("content-type").unwrap().starts_with("text/plain"));
    let line = |needle: &str| resp.body.lines().any(|l| l.starts_with(needle));
    assert!(
        line(r#"lightdeck_http_requests_total{method="GET",route="/login",status="200"}"#),
        "{}",
        resp.body
    );
    assert!(line(
        r#"lightdeck_http_requests_total{method="GET",route="/static/{*path}",status="200"}"#
    ));
    assert!(line("lightdeck_http_request_duration_seconds_bucket{"));
}

#[tokio::test]
async fn the_language_switch_is_remembered_for_visitors_and_users() {
    let app = TestApp::new().await;
    let alice = app.user("alice").await;
    let mut c = app.client();
    let csrf = c.refresh_csrf().await;
    let resp =
        c.post_form("/language", &[("csrf", &csrf), ("lang", "zh-CN"), ("next", "/login")]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.header("location"), Some("/login"));
    let page = c.get("/login").await;
    assert_eq!(page.text("h1").as_deref(), Some("登录 Lightdeck"));
    assert_eq!(page.attr("select[name=lang] option[selected]", "value").as_deref(), Some("zh-CN"));

    let bad = c.post_form("/language", &[("csrf", &csrf), ("lang", "fr")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text(".details").unwrap().contains("zh-CN or en"));

    // Signed in, the user's own setting wins, and the switch changes it.
    assert_eq!(c.sign_in("alice", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/nope").await.attr("html", "lang").as_deref(), Some("en"));
    let csrf = c.refresh_csrf().await;
    let resp = c
        .post_form("/language", &[("csrf", &csrf), ("lang", "zh-CN"), ("next", "//evil.example")])
        .await;
    assert_eq!(resp.header("location"), Some("/"), "no open redirect");
    let user = lightdeck_domain::users::get(app.db.pool(), alice.id).await.unwrap();
    assert_eq!(user.language.as_str(), "zh-CN");
    let page = c.get("/nope").await;
    assert_eq!(page.text(".who").as_deref(), Some("已登录：alice (display)"));
    assert!(app.state.i18n.missing().is_empty(), "{:?}", app.state.i18n.missing());
}

#[tokio::test]
async fn the_layout_lists_the_users_teams_and_carries_the_csrf_header_for_htmx() {
    let app = TestApp::new().await;
    let alice = app.user("alice").await;
    let name = lightdeck_domain::values::TeamName::parse("Ops").unwrap();
    let team = lightdeck_domain::teams::create(app.db.pool(), &name, Some(alice.id)).await.unwrap();
    let mut c = app.client();
    c.sign_in("alice", PASSWORD).await;
    let page = c.get("/nope").await;
    let href = format!("/teams/{}/instances", team.id);
    assert_eq!(page.text(&format!("nav.teams a[href='{href}']")).as_deref(), Some("Ops"));
    let csrf = page.attr("form[action='/logout'] input[name=csrf]", "value").unwrap();
    let headers = page.attr("body", "hx-headers").unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&headers).unwrap();
    assert_eq!(parsed["X-CSRF-Token"], csrf.as_str());
    let config = page.attr("meta[name=htmx-config]", "content").unwrap();
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["includeIndicatorStyles"], false);
}

#[test]
fn the_route_table_lists_every_core_route_with_its_access() {
    let routes = lightdeck::app::route_table();
    let find = |method: &str, path: &str| {
        routes
            .iter()
            .find(|r| r.method.as_str() == method && r.path == path)
            .unwrap_or_else(|| panic!("{method} {path} missing from {routes:?}"))
    };
    for (method, path) in
        [("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("POST", "/language")]
    {
        let r = find(method, path);
        assert_eq!(r.access, Access::Public);
        assert!(r.sessions);
    }
    for path in ["/healthz", "/metrics", "/static/{*path}"] {
        assert!(!find("GET", path).sessions);
    }
}
