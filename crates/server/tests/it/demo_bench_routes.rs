//! The benchmark-only Fortunes page is not in the default build: no route, no flag, no
//! table. A build with the `bench` feature has it; `tests/bench_routes.rs` checks that one
//! (`cargo test -p lightdeck --features bench --test bench_routes`, which `.ci/run` runs).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use clap::Parser;
use http_body_util::BodyExt;
use lightdeck::cli::Cli;
use lightdeck::config::AppConfig;
use lightdeck::state::AppState;
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::testing::TestDb;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud};
use tower::ServiceExt;

const FORTUNES: &str = "/bench/fortunes";

fn app(db: &TestDb, config: AppConfig) -> axum::Router {
    let cloud =
        HuaweiCloud::new(ClientConfig::new(Endpoints::single("http://127.0.0.1:9").unwrap()))
            .unwrap();
    let state =
        AppState::new(db.pool().clone(), cloud, Keyring::new(MasterKey::generate()), config)
            .unwrap();
    lightdeck::app::build(state)
}

async fn get(app: &axum::Router, path: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// Whether `lightdeck serve --bench-routes` parses.
fn cli_takes_bench_routes() -> bool {
    Cli::try_parse_from(["lightdeck", "serve", "--bench-routes"]).is_ok()
}

#[tokio::test]
async fn the_default_build_has_no_bench_page_and_no_flag_for_it() {
    let db = TestDb::new().await;
    let (status, _) = get(&app(&db, AppConfig::default()), FORTUNES).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!lightdeck::route_table().iter().any(|r| r.path.starts_with("/bench")));
    assert!(!cli_takes_bench_routes(), "serve --bench-routes is refused");
    let tables: i64 =
        sqlx::query_scalar("select count(*) from pg_tables where tablename ~ 'fortune'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(tables, 0);
}
