//! The dashboard: per-team counts from a seeded inventory, recent activity by role, the
//! no-teams explanation and the site administrator's note, in both languages.

use crate::audit_support;
use crate::core_support;

use audit_support::{Fixture, action_event, append, fixture, iid, instance, sync};
use axum::http::StatusCode;
use core_support::{Client, PASSWORD, Resp};
use lightdeck_domain::audit::Outcome;
use lightdeck_domain::inventory::SyncedInstance;
use lightdeck_domain::values::Language;
use lightdeck_domain::{teams, users};
use serde_json::json;
use time::{Duration, OffsetDateTime};

async fn signed_in(f: &Fixture, login: &str) -> Client {
    let mut c = f.app.client();
    let resp = c.sign_in(login, PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "sign-in of {login}");
    c
}

fn count(resp: &Resp, card: &str, selector: &str) -> Option<i64> {
    resp.text(&format!("{card} {selector} .count")).map(|t| t.parse().unwrap())
}

/// Eight instances: 3 running, 2 stopped, 1 rebooting, 1 error, 1 unknown status; expiring
/// in 3, 20 and 60 days (and one already expired); traffic 10 %, 19.9 %, 50 % left.
fn inventory() -> Vec<SyncedInstance> {
    let now = OffsetDateTime::now_utc();
    let days = |d: i64| Some(now + Duration::days(d));
    let traffic = |left: f64| (Some(left), Some(100.0));
    let mut items = vec![
        instance(1, "web-01", "ACTIVE"),
        instance(2, "web-02", "ACTIVE"),
        instance(3, "web-03", "ACTIVE"),
        instance(4, "db-01", "SHUTOFF"),
        instance(5, "db-02", "SHUTOFF"),
        instance(6, "app-01", "REBOOT"),
        instance(7, "app-02", "ERROR"),
        instance(8, "odd-01", "SOMETHING_NEW"),
    ];
    items[0].expires_at = days(3);
    items[1].expires_at = days(20);
    items[2].expires_at = days(60);
    items[3].expires_at = days(-1);
    (items[0].traffic_remaining_gb, items[0].traffic_total_gb) = traffic(10.0);
    (items[1].traffic_remaining_gb, items[1].traffic_total_gb) = traffic(19.9);
    (items[2].traffic_remaining_gb, items[2].traffic_total_gb) = traffic(50.0);
    items
}

#[tokio::test]
async fn counts_per_team_come_from_the_inventory() {
    let f = fixture().await;
    sync(&f.app, f.account, &inventory()).await;
    // A second team of alice's, empty, and a team she is not in, with instances.
    let empty = audit_support::team(&f.app, "Empty").await;
    teams::add_member(f.app.db.pool(), empty, f.alice.id, lightdeck_domain::policy::Role::Viewer)
        .await
        .unwrap();
    let foreign = audit_support::team(&f.app, "Foreign").await;
    let foreign_account = audit_support::account(&f.app, foreign, "Theirs").await;
    sync(&f.app, foreign_account, &[instance(99, "theirs", "ACTIVE")]).await;

    let mut c = signed_in(&f, "alice").await;
    let resp = c.get("/").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.count("article.team-card"), 2, "only alice's teams");
    assert_eq!(resp.count(&format!("#team-{foreign}")), 0);

    let ops = format!("#team-{}", f.team);
    assert_eq!(resp.text(&format!("{ops} h2")).as_deref(), Some("Ops"));
    assert_eq!(resp.text(&format!("{ops} .total")).as_deref(), Some("8 instances"));
    assert_eq!(count(&resp, &ops, ".state-running"), Some(3));
    assert_eq!(count(&resp, &ops, ".state-stopped"), Some(2));
    assert_eq!(count(&resp, &ops, ".state-transitional"), Some(1));
    assert_eq!(count(&resp, &ops, ".state-error"), Some(1));
    assert_eq!(count(&resp, &ops, ".state-unknown"), Some(1));
    assert_eq!(count(&resp, &ops, ".expiring-7"), Some(2), "3 days and already expired");
    assert_eq!(count(&resp, &ops, ".expiring-30"), Some(3));
    assert_eq!(count(&resp, &ops, ".low-traffic"), Some(2));
    assert_eq!(
        resp.attr(&format!("{ops} .state-running .status"), "class").as_deref(),
        Some("status status-ok")
    );
    assert_eq!(
        resp.attr(&format!("{ops} .state-error .status"), "class").as_deref(),
        Some("status status-error")
    );
    let running = resp.attr(&format!("{ops} .state-running a"), "href").unwrap();
    assert_eq!(running, format!("/teams/{}/instances?status=running", f.team));
    // Each figure links to the table of exactly those instances, the most urgent first.
    let expiring = resp.attr(&format!("{ops} .expiring-7 a"), "href").unwrap();
    assert_eq!(expiring, format!("/teams/{}/instances?expires_within=7&sort=expiry", f.team));
    let table = c.get(&expiring).await;
    assert_eq!(table.status, StatusCode::OK);
    assert_eq!(table.texts("table.instances td.name"), ["db-01", "web-01"], "expired first");
    let renew = format!("/teams/{}/renewals/new?expires_within=7", f.team);
    assert_eq!(table.attr("p.renew-all a", "href"), Some(renew), "alice owns the team");
    assert_eq!(table.text("p.renew-all a").as_deref(), Some("Renew these 2 instances…"));
    let expiring = resp.attr(&format!("{ops} .expiring-30 a"), "href").unwrap();
    assert_eq!(expiring, format!("/teams/{}/instances?expires_within=30&sort=expiry", f.team));
    let table = c.get(&expiring).await;
    assert_eq!(table.texts("table.instances td.name"), ["db-01", "web-01", "web-02"]);
    let low = resp.attr(&format!("{ops} .low-traffic a"), "href").unwrap();
    assert_eq!(low, format!("/teams/{}/instances?traffic_below=20&sort=traffic", f.team));
    let table = c.get(&low).await;
    assert_eq!(table.texts("table.instances td.name"), ["web-01", "web-02"], "least left first");
    assert_eq!(table.count("p.renew-all"), 0, "only an expiry filter offers to renew");

    let other = format!("#team-{empty}");
    assert_eq!(count(&resp, &other, ".state-running"), Some(0));
    assert_eq!(count(&resp, &other, ".expiring-30"), Some(0));
    assert_eq!(count(&resp, &other, ".state-unknown"), None, "unknown only when present");
    assert_eq!(resp.count(".admin-note"), 0, "alice is no site administrator");
}

#[tokio::test]
async fn recent_activity_is_the_team_log_for_admins_and_own_actions_for_the_rest() {
    let f = fixture().await;
    sync(&f.app, f.account, &[instance(1, "web-01", "ACTIVE")]).await;
    audit_support::seed_reboot(&f).await;
    let start = action_event(&f, &f.adam, "start", Outcome::Requested, &[iid(1)], json!({}), "x");
    append(&f, start).await;
    let card = format!("#team-{}", f.team);

    let mut owner = signed_in(&f, "alice").await;
    let resp = owner.get("/").await;
    assert_eq!(resp.count(&format!("{card} .activity-team")), 1);
    assert_eq!(
        resp.texts(&format!("{card} li.event .sentence")),
        [
            "Adam asked to start web-01 in cn-north-4",
            "bob rebooted web-01 in cn-north-4 — succeeded after 12 s",
            "bob rebooted web-01 in cn-north-4 — accepted by Huawei Cloud",
            "bob asked to reboot web-01 in cn-north-4",
        ]
    );
    assert!(resp.attr(&format!("{card} .activity a[href$='/audit']"), "href").is_some());

    let mut operator = signed_in(&f, "bob").await;
    let resp = operator.get("/").await;
    assert_eq!(resp.count(&format!("{card} .activity-own")), 1);
    let own = resp.texts(&format!("{card} li.event .sentence"));
    assert_eq!(own.len(), 3, "{own:?}");
    assert!(own.iter().all(|s| s.starts_with("bob ")), "{own:?}");
    assert_eq!(resp.count(&format!("{card} .activity a[href$='/audit']")), 0);

    let mut viewer = signed_in(&f, "carol").await;
    let resp = viewer.get("/").await;
    assert_eq!(resp.count(&format!("{card} li.event")), 0);
    assert_eq!(
        resp.text(&format!("{card} .activity .empty")).as_deref(),
        Some("Nothing has happened yet.")
    );
}

#[tokio::test]
async fn without_teams_a_plain_explanation_and_admins_get_the_cli_note() {
    let f = fixture().await;
    audit_support::user(&f.app, "newbie", "Newbie", Language::En, false).await;
    audit_support::user(&f.app, "root", "Root", Language::ZhCn, true).await;

    let mut c = signed_in(&f, "newbie").await;
    let resp = c.get("/").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.count("article.team-card"), 0);
    assert_eq!(resp.text(".no-teams h2").as_deref(), Some("You are not in a team yet"));
    assert!(resp.text(".no-teams p").unwrap().contains("Ask an owner"));
    assert_eq!(resp.count(".admin-note"), 0);

    let mut admin = signed_in(&f, "root").await;
    let resp = admin.get("/").await;
    assert_eq!(resp.attr("html", "lang").as_deref(), Some("zh-CN"));
    assert_eq!(resp.text(".no-teams h2").as_deref(), Some("你还没有加入任何团队"));
    assert_eq!(resp.text(".admin-note h2").as_deref(), Some("管理用户和团队"));
    let commands = resp.texts(".admin-note code");
    assert!(commands.iter().any(|c| c.starts_with("lightdeck user add")), "{commands:?}");
    assert!(commands.iter().any(|c| c.starts_with("lightdeck team member add")), "{commands:?}");
    assert!(f.app.state.i18n.missing().is_empty(), "{:?}", f.app.state.i18n.missing());
}

#[tokio::test]
async fn the_dashboard_in_chinese() {
    let f = fixture().await;
    sync(&f.app, f.account, &inventory()).await;
    audit_support::seed_reboot(&f).await;
    users::set_language(f.app.db.pool(), f.alice.id, Language::ZhCn).await.unwrap();
    let mut c = signed_in(&f, "alice").await;
    let resp = c.get("/").await;
    let ops = format!("#team-{}", f.team);
    assert_eq!(resp.text(&format!("{ops} .total")).as_deref(), Some("共 8 台实例"));
    assert_eq!(resp.text(&format!("{ops} .state-running .status")).as_deref(), Some("运行中"));
    assert_eq!(resp.text(&format!("{ops} .role")).as_deref(), Some("我的角色：所有者"));
    assert_eq!(
        resp.text(&format!("{ops} li.event .sentence")).as_deref(),
        Some("bob 重启了 web-01（华北-北京四） — 成功，用时 12 秒")
    );
    assert!(f.app.state.i18n.missing().is_empty(), "{:?}", f.app.state.i18n.missing());
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in() {
    let f = fixture().await;
    let resp = f.app.client().get("/").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert!(resp.header("location").unwrap().starts_with("/login"));
}
