//! The audit log page: one line per action (and every event with `?view=events`) as
//! sentences in both languages, details on expand, filters, keyset pagination, htmx
//! partials, who may read it, and that no secret shows. Lines, names with their accounts
//! and orders waiting for payment: `audit_lines`.

use crate::audit_support;
use crate::core_support;

use audit_support::{Fixture, action_event, append, backdate, fixture, iid, instance, sync};
use axum::http::StatusCode;
use core_support::{Client, PASSWORD, Resp};
use lightdeck_domain::audit::Outcome;
use lightdeck_domain::users;
use lightdeck_domain::values::Language;
use serde_json::json;
use time::macros::datetime;

pub(crate) async fn signed_in(f: &Fixture, login: &str) -> Client {
    let mut c = f.app.client();
    let resp = c.sign_in(login, PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "sign-in of {login}");
    c
}

pub(crate) fn audit_url(f: &Fixture, query: &str) -> String {
    if query.is_empty() {
        format!("/teams/{}/audit", f.team)
    } else {
        format!("/teams/{}/audit?{query}", f.team)
    }
}

/// The sentences of the every-event view.
fn sentences(resp: &Resp) -> Vec<String> {
    resp.texts("li.event .sentence")
}

/// The sentences of the one-line-per-action view.
pub(crate) fn lines(resp: &Resp) -> Vec<String> {
    resp.texts("li.line > details > summary .sentence")
}

/// web-01/02 and db-01 in the inventory; six events of four kinds (four actions).
pub(crate) async fn seed_story(f: &Fixture) {
    sync(
        &f.app,
        f.account,
        &[
            instance(1, "web-01", "ACTIVE"),
            instance(2, "web-02", "SHUTOFF"),
            instance(3, "db-01", "ACTIVE"),
        ],
    )
    .await;
    audit_support::seed_reboot(f).await;
    let stop = action_event(
        f,
        &f.bob,
        "stop",
        Outcome::Requested,
        &[iid(2), iid(3)],
        json!({"type": "HARD"}),
        "req-2",
    );
    append(f, stop).await;
    let mut start =
        action_event(f, &f.adam, "start", Outcome::Failed, &[iid(2)], json!({}), "req-3");
    start.error_code = Some("Ecs.0114".into());
    start.error_message = Some("The server is locked.".into());
    start.http_status = Some(409);
    append(f, start).await;
    let rename = action_event(
        f,
        &f.alice,
        "update",
        Outcome::Succeeded,
        &[iid(1)],
        json!({"name": "web-01-new"}),
        "req-4",
    );
    append(f, rename).await;
}

#[tokio::test]
async fn every_event_reads_as_a_sentence_in_english_and_chinese() {
    let f = fixture().await;
    seed_story(&f).await;
    let mut c = signed_in(&f, "alice").await;

    let resp = c.get(&audit_url(&f, "view=events")).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        sentences(&resp),
        [
            "Alice renamed the cloud server of web-01 to “web-01-new” in cn-north-4 — succeeded",
            "Adam started web-02 in cn-north-4 — failed (Ecs.0114)",
            "bob asked to force-stop web-02, db-01 in cn-north-4",
            "bob rebooted web-01 in cn-north-4 — succeeded after 12 s",
            "bob rebooted web-01 in cn-north-4 — accepted by Huawei Cloud",
            "bob asked to reboot web-01 in cn-north-4",
        ]
    );
    assert_eq!(resp.text("li.event.outcome-failed .badge.outcome").as_deref(), Some("Failed"));

    // The toggle leads back to one line per action, keeping the view in the page links.
    assert_eq!(resp.attr("a.view-toggle", "href"), Some(audit_url(&f, "")));
    assert_eq!(
        resp.attr("form.audit-filters input[name=view]", "value").as_deref(),
        Some("events")
    );

    users::set_language(f.app.db.pool(), f.alice.id, Language::ZhCn).await.unwrap();
    let resp = c.get(&audit_url(&f, "view=events")).await;
    assert_eq!(resp.attr("html", "lang").as_deref(), Some("zh-CN"));
    assert_eq!(
        sentences(&resp),
        [
            "Alice 将 web-01（华北-北京四） 的云主机重命名为“web-01-new” — 成功",
            "Adam 启动了 web-02（华北-北京四） — 失败（Ecs.0114）",
            "bob 请求强制关机 web-02、db-01（华北-北京四）",
            "bob 重启了 web-01（华北-北京四） — 成功，用时 12 秒",
            "bob 重启了 web-01（华北-北京四） — 华为云已受理",
            "bob 请求重启 web-01（华北-北京四）",
        ]
    );
    assert!(f.app.state.i18n.missing().is_empty(), "{:?}", f.app.state.i18n.missing());
}

#[tokio::test]
async fn an_event_expands_to_its_huawei_ids_and_request_details() {
    let f = fixture().await;
    let (requested, _, succeeded) = audit_support::seed_reboot(&f).await;
    let mut c = signed_in(&f, "adam").await;
    let resp = c.get(&audit_url(&f, "")).await;
    assert_eq!(resp.status, StatusCode::OK);

    let done = format!("#event-{} details", succeeded.seq);
    assert_eq!(resp.text(&format!("{done} .request-id")).as_deref(), Some("hw-req-0001"));
    assert_eq!(
        resp.text(&format!("{done} .job-id")).as_deref(),
        Some("ff8080817a0b1c2d017a0b3e4f5a0001")
    );
    assert_eq!(resp.text(&format!("{done} .http-status")).as_deref(), Some("200"));
    assert_eq!(resp.text(&format!("{done} .panel-request-id")).as_deref(), Some("req-1"));
    assert_eq!(resp.text(&format!("{done} .action")).as_deref(), Some("instance.reboot.succeeded"));
    let time = resp.text(&format!("{done} dd.time")).unwrap();
    assert!(time.ends_with(" UTC") && time.len() == "2026-03-31 08:15:02 UTC".len(), "{time}");
    assert!(resp.text(&format!("{done} pre.params")).unwrap().contains("SOFT"));

    let asked = format!("#event-{} details", requested.seq);
    assert_eq!(resp.text(&format!("{asked} .source-ip")).as_deref(), Some("203.0.113.7"));
    assert_eq!(resp.text(&format!("{asked} .user-agent")).as_deref(), Some("Mozilla/5.0 (Test)"));
}

#[tokio::test]
async fn filters_by_who_action_instance_outcome_and_dates() {
    let f = fixture().await;
    seed_story(&f).await;
    // The failed start (seq 5) happened long ago.
    backdate(&f, 5, datetime!(2020-05-10 12:00 UTC)).await;
    let mut c = signed_in(&f, "alice").await;
    let mut count = async |query: &str| {
        let resp = c.get(&audit_url(&f, &format!("view=events&{query}"))).await;
        assert_eq!(resp.status, StatusCode::OK, "{query}");
        resp.count("li.event")
    };
    assert_eq!(count("").await, 6);
    assert_eq!(count("who=bob").await, 4, "by login");
    assert_eq!(count("who=adam").await, 1);
    assert_eq!(count("who=Alice").await, 1, "by display name");
    assert_eq!(count("who=nobody-at-all").await, 0);
    assert_eq!(count("outcome=failed").await, 1);
    assert_eq!(count("outcome=requested").await, 2);
    assert_eq!(count("action=instance.reboot.").await, 3);
    assert_eq!(count("action=instance.reboot.&outcome=succeeded").await, 1);
    assert_eq!(count("instance=web-02").await, 2, "by name");
    assert_eq!(count(&format!("instance={}", iid(1))).await, 4, "by instance id");
    assert_eq!(count("from=2020-05-10&to=2020-05-10").await, 1);
    assert_eq!(count("to=2020-05-09").await, 0);
    assert_eq!(count("from=2020-05-11").await, 5);

    let resp = c.get(&audit_url(&f, "who=nobody-at-all")).await;
    assert_eq!(resp.text("p.empty").as_deref(), Some("No events match these filters."));
    assert_eq!(resp.attr("#audit-who", "value").as_deref(), Some("nobody-at-all"));
    // The export links carry the filters.
    let resp = c.get(&audit_url(&f, "outcome=failed&who=bob")).await;
    let csv = resp.attr(".audit-export a[href*='export.csv']", "href").unwrap();
    assert!(csv.ends_with("/audit/export.csv?who=bob&outcome=failed"), "{csv}");
}

#[tokio::test]
async fn bad_filters_are_named_next_to_their_fields() {
    let f = fixture().await;
    seed_story(&f).await;
    let mut c = signed_in(&f, "alice").await;
    let resp =
        c.get(&audit_url(&f, "outcome=maybe&from=31.12.2020&to=2020-01-01&action=drop")).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.count("li.event"), 0);
    assert_eq!(
        resp.text("#audit-outcome-error").as_deref(),
        Some("Choose an outcome from the list.")
    );
    assert_eq!(resp.text("#audit-from-error").as_deref(), Some("Enter a date like 2026-03-31."));
    assert_eq!(
        resp.text("#audit-action-error").as_deref(),
        Some("Choose an action from the list.")
    );
    assert_eq!(resp.attr("#audit-from", "value").as_deref(), Some("31.12.2020"));

    let resp = c.get(&audit_url(&f, "from=2021-01-02&to=2021-01-01")).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp.text("#audit-to-error").as_deref(), Some("“To” must not be before “From”."));
}

#[tokio::test]
async fn keyset_pages_go_older_and_back_newer_keeping_the_filters() {
    let f = fixture().await;
    for i in 1..=125u32 {
        // Every 25th event is an outcome, which the filter below leaves out.
        let outcome = if i % 25 == 0 { Outcome::Succeeded } else { Outcome::Requested };
        let draft = action_event(&f, &f.bob, "start", outcome, &[iid(i)], json!({}), "r");
        append(&f, draft).await;
    }
    let mut c = signed_in(&f, "alice").await;
    let first_url = audit_url(&f, "view=events&outcome=requested");
    let ids = |r: &Resp| -> Vec<i64> {
        let sel = scraper::Selector::parse("li.event").unwrap();
        r.html()
            .select(&sel)
            .map(|e| e.value().id().unwrap().trim_start_matches("event-").parse().unwrap())
            .collect()
    };
    let expected: Vec<i64> = (1..=125).rev().filter(|i| i % 25 != 0).collect();

    let p1 = c.get(&first_url).await;
    assert_eq!(ids(&p1), expected[..50]);
    assert_eq!(p1.count("a.newer") + p1.count("a.newest"), 0);
    let older = p1.attr("a.older", "href").unwrap();
    assert!(older.contains("outcome=requested") && older.contains("view=events"), "{older}");

    let p2 = c.get(&older).await;
    assert_eq!(ids(&p2), expected[50..100]);
    let p3 = c.get(&p2.attr("a.older", "href").unwrap()).await;
    assert_eq!(ids(&p3), expected[100..]);
    assert_eq!(p3.count("a.older"), 0, "the last page");

    let back = c.get(&p3.attr("a.newer", "href").unwrap()).await;
    assert_eq!(ids(&back), expected[50..100]);
    assert!(back.attr("a.newer", "href").unwrap().contains("outcome=requested"));
    let top = c.get(&back.attr("a.newer", "href").unwrap()).await;
    assert_eq!(ids(&top), expected[..50]);
    let newest = c.get(&p3.attr("a.newest", "href").unwrap()).await;
    assert_eq!(ids(&newest), expected[..50]);

    // A cursor that was never handed out: the first page, and a note saying so.
    let forged = c.get(&audit_url(&f, "view=events&cursor=bm90LWEtY3Vyc29y")).await;
    assert_eq!(forged.status, StatusCode::OK);
    assert!(forged.text(".page-error").is_some());
    assert_eq!(ids(&forged).len(), 50);
}

#[tokio::test]
async fn htmx_filter_requests_get_the_partial() {
    let f = fixture().await;
    seed_story(&f).await;
    let mut c = signed_in(&f, "alice").await.with_header("hx-request", "true");
    let resp = c.get(&audit_url(&f, "who=bob")).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.count("header.topbar"), 0, "no layout around a partial");
    assert_eq!(resp.count("#audit-log"), 1);
    assert_eq!(resp.count("li.line"), 2, "bob's reboot and his stop");
    let resp = c.get(&audit_url(&f, "who=bob&view=events")).await;
    assert_eq!(resp.count("li.event"), 4);
    assert_eq!(resp.attr("form.audit-filters", "hx-target").as_deref(), Some("#audit-log"));
}

#[tokio::test]
async fn only_admins_and_owners_read_the_log_and_other_teams_get_404() {
    let f = fixture().await;
    seed_story(&f).await;
    let outsider = audit_support::user(&f.app, "dave", "Dave", Language::En, false).await;
    let other = audit_support::team(&f.app, "Elsewhere").await;
    lightdeck_domain::teams::add_member(
        f.app.db.pool(),
        other,
        outsider.id,
        lightdeck_domain::policy::Role::Owner,
    )
    .await
    .unwrap();

    for (login, expected) in [
        ("alice", StatusCode::OK),
        ("adam", StatusCode::OK),
        ("bob", StatusCode::FORBIDDEN),
        ("carol", StatusCode::FORBIDDEN),
        ("dave", StatusCode::NOT_FOUND),
    ] {
        let mut c = signed_in(&f, login).await;
        for path in ["", "/export.csv", "/export.jsonl"] {
            let url = format!("/teams/{}/audit{path}", f.team);
            assert_eq!(c.get(&url).await.status, expected, "{login} {url}");
        }
    }
    let anonymous = f.app.client().get(&audit_url(&f, "")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn no_secret_reaches_the_page() {
    let f = fixture().await;
    let draft = action_event(
        &f,
        &f.alice,
        "reset_password",
        Outcome::Requested,
        &[iid(7)],
        json!({
            "password": "hunter2-Secret!",
            "new_password": "hunter3-Secret!",
            "adminPass": "hunter4-Secret!",
            "auth": {"token": "tok-SECRET-123", "user": "root"},
        }),
        "req-9",
    );
    append(&f, draft).await;
    let mut c = signed_in(&f, "alice").await;
    for view in ["", "view=events"] {
        let resp = c.get(&audit_url(&f, view)).await;
        assert_eq!(resp.count("ol.events > li"), 1, "{view}");
        assert!(resp.text("pre.params").unwrap().contains("root"), "the rest of the params shows");
        for secret in ["hunter2", "hunter3", "hunter4", "tok-SECRET"] {
            assert!(!resp.body.contains(secret), "{secret} on the page");
        }
    }
}
