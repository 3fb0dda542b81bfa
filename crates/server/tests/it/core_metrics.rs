//! `/metrics` cannot be grown by strangers: made-up methods and paths add no series.

use crate::core_support;

use axum::http::Method;
use core_support::{Client, TestApp};

fn token(len: usize) -> String {
    (0..len).map(|_| char::from(b'A' + rand::random_range(0..26u8))).collect()
}

/// A made-up method on a made-up path and on a real one, and GET on the made-up path.
async fn send_random(c: &mut Client, sent: &mut Vec<String>) {
    let method = format!("X{}", token(8));
    let path = format!("/{}/{}", token(6).to_lowercase(), token(6).to_lowercase());
    let made_up = || Method::from_bytes(method.as_bytes()).unwrap();
    c.send(made_up(), &path, &[], None).await;
    c.send(made_up(), "/login", &[], None).await;
    c.get(&path).await;
    sent.push(method);
    sent.push(path);
}

#[tokio::test]
async fn random_methods_and_paths_leave_the_metrics_the_same_size() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let mut sent = Vec::new();
    // The first few create the series for `other` and `unmatched`.
    for _ in 0..10 {
        send_random(&mut c, &mut sent).await;
    }
    let before = c.get("/metrics").await.body;
    for _ in 0..1_000 {
        send_random(&mut c, &mut sent).await;
    }
    let after = c.get("/metrics").await.body;

    let others = |body: &str| body.lines().filter(|l| l.contains(r#"method="other""#)).count();
    assert!(others(&before) > 0, "{before}");
    assert_eq!(others(&after), others(&before), "{after}");
    // Other tests in this binary share the recorder and may add their own series meanwhile;
    // 1,000 new series per label would be thousands of lines.
    let lines = |body: &str| body.lines().count();
    assert!(lines(&after) < lines(&before) + 100, "{} -> {}", lines(&before), lines(&after));
    for s in &sent {
        assert!(!after.contains(s.as_str()), "{s} became a label");
    }
    assert!(after.contains(r#"route="unmatched""#));
}

/// A panel with a public URL serves `/metrics` only as told: off by default, behind a
/// bearer token when one is set.
#[tokio::test]
async fn a_public_panel_serves_metrics_only_with_the_token() {
    use lightdeck::config::AppConfig;
    use lightdeck::metrics_access::MetricsAccess;

    let public = |metrics| AppConfig {
        public_url: Some("http://panel.example.test".to_owned()),
        metrics,
        ..AppConfig::default()
    };
    let off = TestApp::with_config(public(MetricsAccess::new(None, None, true))).await;
    let page = off.client().get("/metrics").await;
    assert_eq!(page.status.as_u16(), 404, "{}", page.body);

    let token = "0123456789abcdef0123456789abcdef-metrics";
    let guarded = TestApp::with_config(public(MetricsAccess::new(None, Some(token), true))).await;
    let mut c = guarded.client();
    let page = c.get("/metrics").await;
    assert_eq!(page.status.as_u16(), 401, "{}", page.body);
    let wrong = [("authorization", "Bearer not-the-token")];
    assert_eq!(c.send(Method::GET, "/metrics", &wrong, None).await.status.as_u16(), 401);
    let bearer = format!("Bearer {token}");
    let right = [("authorization", bearer.as_str())];
    let page = c.send(Method::GET, "/metrics", &right, None).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(page.body.contains("lightdeck_http_requests_total"), "{}", page.body);
}
