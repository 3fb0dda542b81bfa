//! The kit against a tiny app that echoes what it was sent, compressed as the panel does.

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use tower_http::compression::CompressionLayer;

use crate::{Client, SENT_ENCODING};

/// Shows the request's language, cookie and form body; sets a session and a token.
fn echo() -> Router {
    let page = |headers: HeaderMap, body: String| async move {
        let header = |name: &str| {
            headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
        };
        let html = format!(
            r#"<body hx-headers='{{"X-CSRF-Token": "tok-1"}}'><p class=lang>{}</p>
            <p class=cookie>{}</p><p class=form>{body}</p></body>"#,
            header("accept-language"),
            header("cookie"),
        );
        ([("set-cookie", "lightdeck_session=s-1; Path=/; HttpOnly")], html)
    };
    Router::new().route("/", get(page).post(page)).layer(CompressionLayer::new())
}

#[tokio::test]
async fn in_process_it_sends_what_a_browser_sends_and_keeps_what_the_app_gives_it() {
    behaves_like_a_browser(Client::in_process(echo())).await;
}

#[tokio::test]
async fn on_a_socket_it_does_the_same() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, echo()).await });
    behaves_like_a_browser(Client::socket(&base)).await;
    server.abort();
}

async fn behaves_like_a_browser(mut c: Client) {
    let first = c.get("/").await;
    assert_eq!(first.text(".lang").as_deref(), Some("en-US,en;q=0.9"));
    assert_eq!(first.text(".cookie").as_deref(), Some(""));
    assert!(matches!(first.header(SENT_ENCODING), Some("gzip" | "br")), "{:?}", first.headers);
    assert_eq!(c.csrf.as_deref(), Some("tok-1"));
    assert_eq!(c.session_cookie().as_deref(), Some("s-1"));

    let mut zh = c.clone().with_header("accept-language", "zh-CN");
    let page = zh.post_form("/", &[("q", "a b&c")]).await;
    assert_eq!(page.text(".lang").as_deref(), Some("zh-CN"), "the test's header wins");
    assert_eq!(page.text(".cookie").as_deref(), Some("lightdeck_session=s-1"));
    assert_eq!(page.text(".form").as_deref(), Some("q=a%20b%26c&csrf=tok-1"));
    let page = zh.post_raw("/", &[("q", "x")]).await;
    assert_eq!(page.text(".form").as_deref(), Some("q=x"), "no token added");
}
