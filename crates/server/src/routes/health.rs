//! `/healthz` (is Postgres answering?) and `/metrics` (Prometheus text format, where
//! [`crate::metrics_access`] allows it).

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::KeepBody;
use crate::metrics_access::Refusal;
use crate::routing::RouteTable;
use crate::state::AppState;

pub fn routes(t: RouteTable) -> RouteTable {
    t.bare_get("/healthz", healthz).bare_get("/metrics", metrics)
}

async fn healthz(State(state): State<AppState>) -> Response {
    let check = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&state.db);
    let ok = matches!(tokio::time::timeout(Duration::from_secs(3), check).await, Ok(Ok(1)));
    let (status, body) = if ok {
        (StatusCode::OK, "ok\n")
    } else {
        tracing::warn!("health check: the database does not answer");
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    };
    let mut response =
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response();
    response.extensions_mut().insert(KeepBody);
    response
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    render(&state, true, &headers)
}

/// The router of the metrics listener (`LIGHTDECK_METRICS_LISTEN`): `/metrics` only.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>, headers: HeaderMap| async move {
                render(&state, false, &headers)
            }),
        )
        .with_state(state)
}

fn render(state: &AppState, on_panel: bool, headers: &HeaderMap) -> Response {
    match state.config.metrics.check(on_panel, headers) {
        Ok(()) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            state.metrics.render(),
        )
            .into_response(),
        Err(Refusal::NotHere) => StatusCode::NOT_FOUND.into_response(),
        Err(Refusal::Token) => {
            (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response()
        }
    }
}
