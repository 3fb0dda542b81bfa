//! The axum application: every route from [`crate::routes`] and the layers around them.
//!
//! From the outside in: a fresh request id (`X-Request-Id`, also on the response), one
//! tracing span per request, security headers, error pages, panic catching, timeout, body
//! limit, compression, metrics; then, for routes with sessions: the session, the request
//! context (user, teams, language), CSRF, the refusal of unreadable input (control
//! characters, non-UTF-8), and each route's access check.

use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Response;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::AppError;
use crate::extract::REQUEST_ID_HEADER;
use crate::routes;
use crate::routing::{RouteInfo, RouteTable};
use crate::state::AppState;

/// Larger request bodies are refused with 413.
pub const BODY_LIMIT: usize = 256 * 1024;
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Every route of the app with its method, path and access (benchmark routes excluded).
pub fn route_table() -> Vec<RouteInfo> {
    routes::all().infos().to_vec()
}

pub fn build(state: AppState) -> Router {
    let table = routes::all();
    #[cfg(feature = "bench")]
    let table = if state.config.bench_routes { routes::bench::routes(table) } else { table };
    build_with_routes(state, table)
}

/// The app with exactly `table`'s routes (tests use it to try the layers on routes of
/// their own).
pub fn build_with_routes(state: AppState, table: RouteTable) -> Router {
    let (with_sessions, bare, _) = table.into_routers();
    let with_sessions = with_sessions
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), crate::input::refuse_unreadable))
        .layer(from_fn_with_state(state.clone(), crate::csrf::protect))
        .layer(from_fn_with_state(state.clone(), crate::session::load_context))
        .layer(crate::session::layer(&state));
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    with_sessions
        .merge(bare)
        .layer(from_fn(crate::metrics::track))
        .layer(CompressionLayer::new().gzip(true).br(true))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(CatchPanicLayer::new())
        .layer(from_fn_with_state(state.clone(), crate::error::render_errors))
        .layer(from_fn_with_state(state.config.https_only(), crate::security::headers))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(make_span)
                .on_request(())
                .on_response(on_response)
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        // A client's own X-Request-Id would end up in our logs and error pages: replace it.
        .layer(axum::middleware::map_request(strip_request_id))
        // First of all, so every layer and handler sees the client's address.
        .layer(from_fn_with_state(state.clone(), crate::client_addr::resolve))
        .with_state(state)
}

async fn strip_request_id(mut req: Request) -> Request {
    req.headers_mut().remove(REQUEST_ID_HEADER);
    req
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Method, route pattern (not the raw path, which may hold ids) and request id; never
/// headers, cookies or bodies.
fn make_span(req: &Request) -> Span {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
    let id = req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %req.method(),
        route,
        request_id = id,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    )
}

fn on_response(response: &Response, latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
    span.record("latency_ms", latency.as_millis() as u64);
    tracing::info!(parent: span, status = response.status().as_u16(), latency_ms = latency.as_millis() as u64, "response");
}
