//! `/healthz` (is Postgres answering?) and `/metrics` (Prometheus text format).

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::KeepBody;
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

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
        .into_response()
}
