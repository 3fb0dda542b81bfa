//! The benchmark-only Fortunes page (`serve --bench-routes`): absent by default; when
//! mounted it creates its table on first use and renders TechEmpower's fortunes plus the one
//! added per request, sorted and escaped.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use lightdeck::config::AppConfig;
use lightdeck::routes::bench::FORTUNES_PATH;
use lightdeck::state::AppState;
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::testing::TestDb;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud};
use scraper::{Html, Selector};
use tower::ServiceExt;

async fn app(db: &TestDb, bench_routes: bool) -> axum::Router {
    let cloud =
        HuaweiCloud::new(ClientConfig::new(Endpoints::single("http://127.0.0.1:9").unwrap()))
            .unwrap();
    let config = AppConfig { bench_routes, ..AppConfig::default() };
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

fn rows(html: &str) -> Vec<(String, String)> {
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
    let db = TestDb::new().await;
    let (status, _) = get(&app(&db, false).await, FORTUNES_PATH).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!lightdeck::route_table().iter().any(|r| r.path == FORTUNES_PATH));

    let app = app(&db, true).await;
    for _ in 0..2 {
        // The first request creates and fills the table, the second finds it.
        let (status, html) = get(&app, FORTUNES_PATH).await;
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
