//! How a request reaches the panel: through the router in this process, or over a socket.
//! Either way the response is decoded here, by the same layer, so both transports report
//! the encoding the panel chose and fail the same way on a body that breaks off.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, header};
use http_body_util::BodyExt;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::decompression::DecompressionLayer;

use crate::page::{Page, SENT_ENCODING};

#[derive(Clone)]
pub(crate) enum Transport {
    InProcess {
        router: Router,
        /// The peer address the panel sees; none means no `ConnectInfo` at all.
        ip: Option<IpAddr>,
    },
    Socket {
        http: reqwest::Client,
        base: String,
    },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::InProcess { ip, .. } => write!(f, "in-process (peer {ip:?})"),
            Transport::Socket { base, .. } => write!(f, "socket ({base})"),
        }
    }
}

impl Transport {
    pub(crate) fn socket(base: &str) -> Transport {
        // reqwest is built without a default crypto provider; the first client installs one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            // Bodies arrive as the panel encoded them: decoding is ours, for both transports.
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .no_zstd()
            .build()
            .expect("an HTTP client");
        Transport::Socket { http, base: base.trim_end_matches('/').to_owned() }
    }

    /// Sends `req`, decodes the body as a browser would and reads all of it.
    pub(crate) async fn exchange(&self, req: Request<Body>) -> Page {
        let what = format!("{} {}", req.method(), req.uri());
        let inner = tower::service_fn(|req: Request<Body>| async move {
            Ok::<_, Infallible>(self.call(req).await)
        });
        let service = ServiceBuilder::new()
            .layer(DecompressionLayer::new())
            .map_response(|mut r: Response<Body>| {
                if let Some(v) = r.headers().get(header::CONTENT_ENCODING).cloned() {
                    r.headers_mut().insert(SENT_ENCODING, v);
                }
                r
            })
            .service(inner);
        let response = match service.oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = match response.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => panic!("the response body of {what} (status {status}) broke off: {e}"),
        };
        Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn call(&self, mut req: Request<Body>) -> Response<Body> {
        match self {
            Transport::InProcess { router, ip } => {
                req.headers_mut().insert(header::HOST, HeaderValue::from_static("localhost"));
                if let Some(ip) = ip {
                    req.extensions_mut().insert(ConnectInfo(SocketAddr::new(*ip, 40000)));
                }
                match router.clone().oneshot(req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                }
            }
            Transport::Socket { http, base } => {
                let (parts, body) = req.into_parts();
                let body = body.collect().await.expect("an in-memory request body").to_bytes();
                let url = format!("{base}{}", parts.uri);
                let resp = http
                    .request(parts.method, &url)
                    .headers(parts.headers)
                    .body(body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("request to {url} failed: {e}"));
                Response::from(resp).map(Body::new)
            }
        }
    }
}
