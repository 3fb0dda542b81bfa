//! The audit page's default view, one line per action: its outcome and duration, its
//! events on expand, pages that never split an action, instance names that carry their
//! account when another account has the same name (here and in the progress panel), and an
//! order waiting for payment.
//!
//! (Kept beside the audit page's support because the test binary's module list is not this
//! feature's to edit; it belongs with `audit_page`.)

use axum::http::StatusCode;
use lightdeck::i18n::Tr;
use lightdeck::views::actions::{HUAWEI_ORDERS_URL, named};
use lightdeck_domain::actions::Params;
use lightdeck_domain::audit::Outcome;
use lightdeck_domain::inventory;
use lightdeck_domain::users;
use lightdeck_domain::values::Language;
use serde_json::json;

use crate::audit_page::{audit_url, lines, seed_story, signed_in};
use crate::audit_support::{
    account, action_event, append, batch, fixture, iid, instance, seed_reboot, sync,
};

#[tokio::test]
async fn each_action_is_one_line_with_its_outcome_and_duration() {
    let f = fixture().await;
    seed_story(&f).await;
    let mut c = signed_in(&f, "alice").await;

    let resp = c.get(&audit_url(&f, "")).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        lines(&resp),
        [
            "Alice renamed the cloud server of web-01 to “web-01-new” in cn-north-4 — succeeded",
            "Adam started web-02 in cn-north-4 — failed (Ecs.0114)",
            "bob asked to force-stop web-02, db-01 in cn-north-4",
            "bob rebooted web-01 in cn-north-4 — succeeded after 12 s",
        ]
    );
    assert_eq!(resp.count("li.line"), 4);
    assert_eq!(resp.count("li.line.outcome-failed"), 1);
    assert_eq!(resp.attr("a.view-toggle", "href"), Some(audit_url(&f, "view=events")));
    assert_eq!(resp.count("form.audit-filters input[name=view]"), 0);

    users::set_language(f.app.db.pool(), f.alice.id, Language::ZhCn).await.unwrap();
    let resp = c.get(&audit_url(&f, "")).await;
    assert_eq!(lines(&resp)[3], "bob 重启了 web-01（华北-北京四） — 成功，用时 12 秒");
    assert!(f.app.state.i18n.missing().is_empty(), "{:?}", f.app.state.i18n.missing());
}

#[tokio::test]
async fn a_line_expands_to_the_events_of_its_action() {
    let f = fixture().await;
    sync(&f.app, f.account, &[instance(1, "web-01", "ACTIVE")]).await;
    let (requested, accepted, succeeded) = seed_reboot(&f).await;
    let mut c = signed_in(&f, "adam").await;
    let resp = c.get(&audit_url(&f, "")).await;

    let line = format!("li.line#line-{}", succeeded.seq);
    assert_eq!(
        resp.count(&format!("{line} > details > summary")),
        1,
        "a <details> with a <summary>"
    );
    let ids: Vec<String> = resp.attrs(&format!("{line} li.event"), "id");
    let expected: Vec<String> =
        [&requested, &accepted, &succeeded].iter().map(|e| format!("event-{}", e.seq)).collect();
    assert_eq!(ids, expected, "oldest first");
    assert_eq!(resp.text(&format!("{line} .line-events-label")).as_deref(), Some("3 events"));
    let each = format!("{line} #event-{} details", accepted.seq);
    assert_eq!(
        resp.text(&format!("{each} .job-id")).as_deref(),
        Some("ff8080817a0b1c2d017a0b3e4f5a0001")
    );
    assert_eq!(
        resp.text(&format!("{line} #event-{} .sentence", succeeded.seq)).as_deref(),
        Some("bob rebooted web-01 in cn-north-4 — succeeded after 12 s")
    );

    // The filters pick actions by their newest event; the every-event view is unchanged.
    assert_eq!(c.get(&audit_url(&f, "outcome=succeeded")).await.count("li.line"), 1);
    assert_eq!(c.get(&audit_url(&f, "outcome=accepted")).await.count("li.line"), 0);
    assert_eq!(c.get(&audit_url(&f, "view=events&outcome=accepted")).await.count("li.event"), 1);
}

#[tokio::test]
async fn pages_of_actions_never_split_one() {
    let f = fixture().await;
    // 60 actions whose events interleave: every request first, then every outcome.
    for outcome in [Outcome::Requested, Outcome::Accepted, Outcome::Succeeded] {
        for i in 1..=60u32 {
            let panel = format!("p-{i}");
            let draft = action_event(&f, &f.bob, "start", outcome, &[iid(i)], json!({}), &panel);
            append(&f, draft).await;
        }
    }
    let mut c = signed_in(&f, "alice").await;
    let p1 = c.get(&audit_url(&f, "")).await;
    assert_eq!(p1.count("li.line"), 50);
    assert_eq!(p1.count("li.line li.event"), 150, "each line holds its three events");
    let older = p1.attr("a.older", "href").unwrap();
    assert!(!older.contains("view="), "{older}");
    let p2 = c.get(&older).await;
    assert_eq!(p2.count("li.line"), 10);
    assert_eq!(p2.count("li.line li.event"), 30);
    assert_eq!(p2.count("a.older"), 0);
    let mut seen: Vec<String> = p1.attrs("li.line", "id");
    seen.extend(p2.attrs("li.line", "id"));
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 60, "every action once");
    let back = c.get(&p2.attr("a.newer", "href").unwrap()).await;
    assert_eq!(back.attrs("li.line", "id"), p1.attrs("li.line", "id"));
}

#[tokio::test]
async fn same_names_in_two_accounts_carry_their_account_and_unique_names_do_not() {
    let f = fixture().await;
    let staging = account(&f.app, f.team, "Staging").await;
    sync(&f.app, f.account, &[instance(1, "api-01", "ACTIVE"), instance(3, "db-01", "ACTIVE")])
        .await;
    sync(&f.app, staging, &[instance(2, "api-01", "ACTIVE")]).await;
    let ids = [iid(1), iid(2), iid(3)];
    let recorded = batch::record(&f, &f.bob, &ids, Params::Reboot { hard: false }, "req-x").await;
    assert_eq!(recorded.actions.len(), 2, "one action per account");

    let mut c = signed_in(&f, "alice").await;
    let mut said = lines(&c.get(&audit_url(&f, "")).await);
    said.sort();
    assert_eq!(
        said,
        [
            "bob asked to reboot api-01 (Production), db-01 in cn-north-4",
            "bob asked to reboot api-01 (Staging) in cn-north-4",
        ]
    );

    let panel = c.get(&format!("/teams/{}/batches/{}", f.team, recorded.id)).await;
    assert_eq!(panel.status, StatusCode::OK);
    let mut names = panel.texts("tr.item td:first-child a");
    names.sort();
    assert_eq!(names, ["api-01 (Production)", "api-01 (Staging)", "db-01"]);

    // The confirmation's list, from the same helper.
    let pool = f.app.db.pool();
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    let tr = Tr::new(f.app.state.i18n.clone(), Language::ZhCn);
    let mut confirmed: Vec<String> =
        named(pool, f.team, &tr, &targets).await.unwrap().into_iter().map(|n| n.name).collect();
    confirmed.sort();
    assert_eq!(confirmed, ["api-01（Production）", "api-01（Staging）", "db-01"]);
}

#[tokio::test]
async fn an_order_waiting_for_payment_says_so_with_its_order_id() {
    let f = fixture().await;
    sync(&f.app, f.account, &[instance(1, "web-01", "ACTIVE")]).await;
    let order = "CS24112518546OCZY";
    // The fields matter, not the kind: a kind followed through an order, by any name.
    let recorded = batch::record(&f, &f.bob, &[iid(1)], Params::Start, "req-renew").await;
    batch::await_payment(&f, recorded.actions[0].id, order).await;
    let renew = |outcome| {
        let mut e = action_event(&f, &f.bob, "renew", outcome, &[iid(1)], json!({}), "req-renew");
        e.order_id = (outcome == Outcome::Accepted).then(|| order.to_owned());
        e
    };
    append(&f, renew(Outcome::Requested)).await;
    append(&f, renew(Outcome::Accepted)).await;

    let mut c = signed_in(&f, "alice").await;
    let resp = c.get(&audit_url(&f, "")).await;
    let waiting = "li.line.outcome-payment";
    assert_eq!(
        resp.text(&format!("{waiting} > details > summary .sentence")).as_deref(),
        Some(
            "bob asked to renew web-01 in cn-north-4 — waiting for payment in the Huawei console \
             — order CS24112518546OCZY"
        )
    );
    assert_eq!(
        resp.attr(&format!("{waiting} .payment a"), "href").as_deref(),
        Some(HUAWEI_ORDERS_URL)
    );
    assert_eq!(resp.count("li.line.outcome-payment"), 1, "the start itself is only requested");

    let panel = c.get(&format!("/teams/{}/batches/{}", f.team, recorded.id)).await;
    let item = "tr.item[data-state=payment]";
    assert_eq!(
        panel.text(&format!("{item} .status")).as_deref(),
        Some("Waiting for payment in the Huawei console — order CS24112518546OCZY")
    );
    assert_eq!(
        panel.attr(&format!("{item} .payment a"), "href").as_deref(),
        Some(HUAWEI_ORDERS_URL)
    );
    assert!(panel.attr("section.progress-panel", "hx-trigger").is_some(), "it keeps refreshing");

    users::set_language(f.app.db.pool(), f.alice.id, Language::ZhCn).await.unwrap();
    let resp = c.get(&audit_url(&f, "")).await;
    let zh = resp.text(&format!("{waiting} > details > summary .sentence")).unwrap();
    assert!(zh.ends_with("等待在华为云控制台付款 — 订单 CS24112518546OCZY"), "{zh}");
}
