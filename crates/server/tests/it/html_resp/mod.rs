//! A response read into memory, with CSS-selector helpers: shared by the test harnesses
//! (`core_support`, `instances_support`) so pages are asserted the same way everywhere.
//! Requests go in as a browser sends them ([`send_as_browser`]).

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use tower::{ServiceBuilder, ServiceExt};
use tower_http::decompression::DecompressionLayer;

/// What Chromium sends with every navigation; a test's own header of the same name wins.
/// Every browser accepts compressed bodies, and the audit export once broke only then.
pub const BROWSER_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::ACCEPT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    (header::ACCEPT_ENCODING, "gzip, deflate, br, zstd"),
    (header::ACCEPT_LANGUAGE, "en-US,en;q=0.9"),
    (
        header::USER_AGENT,
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
];

/// The `Content-Encoding` the panel answered with, kept by [`send_as_browser`] under this
/// name because decoding removes the original.
pub const SENT_ENCODING: &str = "x-test-content-encoding";

/// Sends `req` to `router` with [`BROWSER_HEADERS`] added where the test set none, decodes
/// the body as a browser would, and reads all of it (a body that fails halfway fails the
/// test).
pub async fn send_as_browser(router: Router, mut req: Request<Body>) -> Resp {
    for (name, value) in BROWSER_HEADERS {
        if !req.headers().contains_key(&name) {
            req.headers_mut().insert(name, HeaderValue::from_static(value));
        }
    }
    let service = ServiceBuilder::new()
        .layer(DecompressionLayer::new())
        .map_response(|mut r: axum::response::Response| {
            if let Some(v) = r.headers().get(header::CONTENT_ENCODING).cloned() {
                r.headers_mut().insert(SENT_ENCODING, v);
            }
            r
        })
        .service(router);
    let response = service.oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = match response.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => panic!("the response body (status {status}) broke off: {e}"),
    };
    Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Texts of every element matching `selector`, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html()
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn text(&self, selector: &str) -> Option<String> {
        self.texts(selector).into_iter().next()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html().select(&sel).next().and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html().select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    pub fn count(&self, selector: &str) -> usize {
        let sel = Selector::parse(selector).unwrap();
        self.html().select(&sel).count()
    }
}
