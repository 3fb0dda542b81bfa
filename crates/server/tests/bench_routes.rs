//! The benchmark-only Fortunes page, in a build with the `bench` feature (this test binary
//! exists only then): mounted only with `serve --bench-routes`, its table created on first
//! use, TechEmpower's fortunes plus the one added per request, sorted and escaped.

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

fn rows(html: &str) -> Vec<(String, String)> {
    use scraper::{Html, Selector};
    let doc = Html::parse_document(html);
    let tr = Selector::parse("table tr").unwrap();
    let td = Selector::parse("td").unwrap();
    doc.select(&tr)
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row.select(&td).map(|c| c.text().collect()).collect();
            (cells[0].clone(), cells[1].clone())
        })
        .collect()
}

#[tokio::test]
async fn fortunes_only_with_bench_routes() {
    assert_eq!(lightdeck::routes::bench::FORTUNES_PATH, FORTUNES);
    assert!(cli_takes_bench_routes());
    let db = TestDb::new().await;
    let (status, _) = get(&app(&db, AppConfig::default()), FORTUNES).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!lightdeck::route_table().iter().any(|r| r.path == FORTUNES));

    let app = app(&db, AppConfig { bench_routes: true, ..AppConfig::default() });
    for _ in 0..2 {
        // The first request creates and fills the table, the second finds it.
        let (status, html) = get(&app, FORTUNES).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let rows = rows(&html);
        assert_eq!(rows.len(), 13);
        let messages: Vec<&str> = rows.iter().map(|(_, m)| m.as_str()).collect();
        let mut sorted = messages.clone();
        sorted.sort_unstable();
        assert_eq!(messages, sorted, "sorted by message");
        assert!(rows.contains(&("0".into(), "Additional fortune added at request time.".into())));
        assert!(messages.contains(&"フレームワークのベンチマーク"));
        // The script fortune is text, not markup.
        assert!(messages.iter().any(|m| m.starts_with("<script>alert(")));
        assert!(!html.contains("<script>alert"));
    }
}
