//! `lightdeck serve`: the panel and its workers until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud};
use secrecy::ExposeSecret;

use crate::cli::ServeArgs;
use crate::config::{HUAWEI_ENDPOINT_VAR, ServeConfig};
use crate::state::AppState;

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = match ServeConfig::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(super::EXIT_ERROR));
        }
    };
    let pool = lightdeck_domain::db::connect(config.database_url.expose_secret())
        .await
        .context("connecting to the database named by DATABASE_URL")?;
    lightdeck_domain::db::migrate(&pool).await.context("applying database migrations")?;
    let cloud = cloud_client(config.app.huawei_endpoint.as_deref())?;
    let listen = config.app.listen;
    let state = AppState::new(pool, cloud, config.keyring, config.app)
        .context("loading the translations")?;
    serve(state, listen).await?;
    Ok(ExitCode::SUCCESS)
}

/// The Huawei Cloud client, pointed at `endpoint` (cloudsim) when given.
pub fn cloud_client(endpoint: Option<&str>) -> anyhow::Result<HuaweiCloud> {
    let mut config = ClientConfig::default();
    if let Some(url) = endpoint {
        config.endpoints =
            Endpoints::single(url).map_err(|e| anyhow::anyhow!("{HUAWEI_ENDPOINT_VAR}: {e}"))?;
    }
    Ok(HuaweiCloud::new(config)?)
}

/// Binds `listen`, starts the workers and serves until Ctrl-C or SIGTERM (or until
/// `state.shutdown` is triggered), then lets in-flight requests finish.
pub async fn serve(state: AppState, listen: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, "lightdeck serving");
    eprintln!("lightdeck listening on http://{local}");
    serve_on(state, listener).await
}

/// Like [`serve`] on a listener already bound (the demo binds first to print the URL).
/// Returns only when the background work has stopped too (or was given up on after
/// 10 s), so the caller may close the database.
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    // Bound before anything starts, so a taken port stops nothing half-started.
    let metrics = match state.config.metrics.listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening for /metrics on {addr}"))?,
        ),
        None => None,
    };
    let audit_head = crate::audit_head::open(&state)?;
    let mut tasks =
        crate::workers::spawn(state.workers(), state.shutdown.clone(), state.config.sync_interval);
    if let Some(writer) = audit_head {
        tasks.push(crate::audit_head::spawn(writer, &state));
    }
    if state.config.memory_cache {
        tasks.push(state.spawn_auth_cache());
    }
    tasks.push(tokio::spawn(housekeeping(state.clone())));
    let shutdown = state.shutdown.clone();
    let stop = {
        let shutdown = shutdown.clone();
        async move { shutdown.wait_or_signal().await }
    };
    tracing::info!("{}", state.config.metrics.describe());
    if let Some(metrics) = metrics {
        let router = crate::routes::health::metrics_router(state.clone());
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            let served = axum::serve(metrics, router)
                .with_graceful_shutdown(async move { stop.wait().await })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "the metrics listener stopped");
            }
        }));
    }
    let app = crate::app::build(state);
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(stop)
        .await
        .context("serving HTTP");
    // Also when serving failed: the workers must not outlive this call.
    shutdown.trigger();
    shutdown.join(tasks, STOP_WORKERS_WITHIN).await;
    served
}

/// How long a worker pass (or a request's cloud calls) under way at shutdown may take to
/// finish.
const STOP_WORKERS_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Hourly: deletes expired sessions and security-log entries older than 90 days.
async fn housekeeping(state: AppState) {
    use tower_sessions::ExpiredDeletion;
    let store = tower_sessions_sqlx_store::PostgresStore::new(state.db.clone());
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = state.shutdown.wait() => return,
        }
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
        let cutoff = state.now() - time::Duration::days(90);
        if let Err(e) = lightdeck_domain::security_log::prune(&state.db, cutoff).await {
            tracing::warn!(error = %e, "could not prune the security log");
        }
    }
}
