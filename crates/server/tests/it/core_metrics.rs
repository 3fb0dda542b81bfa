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
