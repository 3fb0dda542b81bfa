//! The access each route declares in the RouteTable is enforced before its handler runs:
//! anonymous visitors are sent to sign in, other teams' ids are 404, a role without the
//! permission is 403 and logged.

use crate::core_support;

use axum::http::StatusCode;
use core_support::{PASSWORD, TestApp};
use lightdeck::extract::{CurrentUser, TeamCtx};
use lightdeck::routing::{Access, RouteTable};
use lightdeck_domain::policy::{Permission, Role};
use lightdeck_domain::security_log::{self, Kind};
use lightdeck_domain::teams;
use lightdeck_domain::values::TeamName;
use uuid::Uuid;

async fn me(user: CurrentUser) -> String {
    format!("hello {}", user.user.login)
}

async fn view(ctx: TeamCtx) -> String {
    format!("{} as {}", ctx.team.name, ctx.role)
}

async fn power(ctx: TeamCtx) -> String {
    format!("powered by {}", ctx.user.user.login)
}

fn routes() -> RouteTable {
    lightdeck::routes::auth::routes(RouteTable::new())
        .get("/me", Access::SignedIn, me)
        .get("/teams/{team}/view", Access::Team(Permission::ViewInstances), view)
        .post("/teams/{team}/power", Access::Team(Permission::PowerActions), power)
}

struct World {
    app: TestApp,
    ops: Uuid,
    other: Uuid,
}

async fn world() -> World {
    let app = TestApp::with_routes(routes()).await;
    let pool = app.db.pool().clone();
    let owner = app.user("olga").await;
    let viewer = app.user("vera").await;
    let operator = app.user("otto").await;
    let ops = teams::create(&pool, &TeamName::parse("Ops").unwrap(), Some(owner.id)).await.unwrap();
    teams::add_member(&pool, ops.id, viewer.id, Role::Viewer).await.unwrap();
    teams::add_member(&pool, ops.id, operator.id, Role::Operator).await.unwrap();
    let stranger = app.user("sam").await;
    let other =
        teams::create(&pool, &TeamName::parse("Other").unwrap(), Some(stranger.id)).await.unwrap();
    World { app, ops: ops.id, other: other.id }
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_come_back() {
    let w = world().await;
    let mut c = w.app.client();
    let resp = c.get("/me").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.header("location"), Some("/login?next=/me"));
    let view = format!("/teams/{}/view?x=1", w.ops);
    let resp = c.get(&view).await;
    assert_eq!(
        resp.header("location").map(str::to_owned),
        Some(format!("/login?next=/teams/{}/view%3Fx%3D1", w.ops))
    );

    let mut htmx = w.app.client().with_header("hx-request", "true");
    let resp = htmx.get("/me").await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(resp.header("hx-redirect"), Some("/login"));

    // The sign-in form carries `next` through.
    let page = c.get("/login?next=/me").await;
    let csrf = page.attr("input[name=csrf]", "value").unwrap();
    assert_eq!(
        page.attr("form[action='/login'] input[name=next]", "value").as_deref(),
        Some("/me")
    );
    let resp = c
        .post_form(
            "/login",
            &[("csrf", &csrf), ("login", "vera"), ("password", PASSWORD), ("next", "/me")],
        )
        .await;
    assert_eq!(resp.header("location"), Some("/me"));
    assert_eq!(c.get("/me").await.body, "hello vera");
}

#[tokio::test]
async fn other_teams_and_bad_ids_are_not_found() {
    let w = world().await;
    let mut c = w.app.client();
    c.sign_in("vera", PASSWORD).await;
    assert_eq!(c.get(&format!("/teams/{}/view", w.ops)).await.body, "Ops as viewer");
    for path in [
        format!("/teams/{}/view", w.other),
        format!("/teams/{}/view", Uuid::new_v4()),
        "/teams/not-a-uuid/view".to_owned(),
    ] {
        let resp = c.get(&path).await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(resp.text("h1").as_deref(), Some("Not found"));
    }
}

#[tokio::test]
async fn a_role_without_the_permission_is_forbidden_and_logged() {
    let w = world().await;
    let power = format!("/teams/{}/power", w.ops);

    let mut viewer = w.app.client();
    viewer.sign_in("vera", PASSWORD).await;
    let csrf = viewer.refresh_csrf().await;
    let resp = viewer.post_form(&power, &[("csrf", &csrf)]).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(resp.text("h1").as_deref(), Some("Not allowed"));
    assert!(!resp.body.contains("PowerActions"), "the reason stays in the log");

    let denied = security_log::list(w.app.db.pool(), None, 10).await.unwrap();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].kind, Kind::RequestDenied);
    assert_eq!(denied[0].login.as_deref(), Some("vera"));
    assert_eq!(denied[0].route.as_deref(), Some(power.as_str()));
    assert!(denied[0].reason.contains("PowerActions"), "{}", denied[0].reason);

    let mut operator = w.app.client();
    operator.sign_in("otto", PASSWORD).await;
    let csrf = operator.refresh_csrf().await;
    let resp = operator.post_form(&power, &[("csrf", &csrf)]).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.body, "powered by otto");

    // Not a member at all: 404, whatever the permission.
    let mut stranger = w.app.client();
    stranger.sign_in("sam", PASSWORD).await;
    let csrf = stranger.refresh_csrf().await;
    assert_eq!(stranger.post_form(&power, &[("csrf", &csrf)]).await.status, StatusCode::NOT_FOUND);
}

#[test]
fn the_table_records_what_it_enforces() {
    let table = routes();
    let infos = table.infos();
    let find = |m: &str, p: &str| {
        infos.iter().find(|r| r.method.as_str() == m && r.path == p).unwrap().access
    };
    assert_eq!(find("GET", "/me"), Access::SignedIn);
    assert_eq!(find("POST", "/teams/{team}/power"), Access::Team(Permission::PowerActions));
    assert_eq!(find("GET", "/login"), Access::Public);
}

/// A script hammering a forbidden URL is refused every time, but writes at most
/// `PER_WINDOW` security-log rows a minute; another address is not held back by it.
#[tokio::test]
async fn a_flood_of_refusals_writes_a_bounded_security_log() {
    use lightdeck::denial_log::PER_WINDOW;

    let w = world().await;
    let power = format!("/teams/{}/power", w.ops);
    let mut flood = w.app.client().with_ip("192.0.2.10");
    flood.sign_in("vera", PASSWORD).await;
    let csrf = flood.refresh_csrf().await;
    for _ in 0..(PER_WINDOW + 20) {
        let resp = flood.post_form(&power, &[("csrf", &csrf)]).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN);
    }
    let mut other = w.app.client().with_ip("192.0.2.11");
    other.sign_in("vera", PASSWORD).await;
    let csrf = other.refresh_csrf().await;
    assert_eq!(other.post_form(&power, &[("csrf", &csrf)]).await.status, StatusCode::FORBIDDEN);

    let rows = security_log::list(w.app.db.pool(), None, 500).await.unwrap();
    let from = |ip: &str| rows.iter().filter(|e| e.source_ip.as_deref() == Some(ip)).count();
    assert_eq!(from("192.0.2.10"), PER_WINDOW as usize);
    assert_eq!(from("192.0.2.11"), 1);

    // A minute later the address has a new allowance.
    w.app.clock.advance(time::Duration::seconds(61));
    assert_eq!(flood.post_form(&power, &[("csrf", &csrf)]).await.status, StatusCode::FORBIDDEN);
    let rows = security_log::list(w.app.db.pool(), None, 500).await.unwrap();
    let flooded = rows.iter().filter(|e| e.source_ip.as_deref() == Some("192.0.2.10")).count();
    assert_eq!(flooded, PER_WINDOW as usize + 1);
}
