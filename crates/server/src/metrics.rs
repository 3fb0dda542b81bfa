//! Prometheus metrics: requests and latency per route (the route pattern, never the raw
//! path), cloud calls per operation and status, jobs in flight. Served at `/metrics`.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "lightdeck_http_requests_total";
pub const HTTP_DURATION: &str = "lightdeck_http_request_duration_seconds";
pub const CLOUD_CALLS: &str = "lightdeck_cloud_calls_total";
pub const JOBS_IN_FLIGHT: &str = "lightdeck_jobs_in_flight";

/// The process-wide recorder's handle. The recorder is installed once per process (tests
/// build many apps; they share it).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets =
                [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), &buckets)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Err: another recorder is installed (e.g. by an embedding program); our
            // handle then renders only what this recorder saw, which is nothing.
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
            }
            handle
        })
        .clone()
}

/// Counts requests and their latency by method, route pattern and status. Every label
/// comes from a short fixed list or the route table: a label taken from the request would
/// let anyone add series (kept forever) with made-up methods or paths.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

fn method_label(method: &Method) -> &'static str {
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ]
    .iter()
    .find(|m| *m == method)
    .map_or("other", Method::as_str)
}

/// One call to Huawei Cloud, e.g. `("BatchRebootServers", "202")` or `("ShowServer",
/// "error")`.
pub fn cloud_call(operation: &str, status: &str) {
    metrics::counter!(CLOUD_CALLS, "operation" => operation.to_owned(), "status" => status.to_owned())
        .increment(1);
}

/// The number of jobs being polled right now.
pub fn set_jobs_in_flight(n: usize) {
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!(JOBS_IN_FLIGHT).set(n as f64);
}
