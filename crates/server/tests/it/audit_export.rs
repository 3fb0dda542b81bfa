//! The CSV and JSON Lines exports: headers, content, filters, the `audit.exported` event
//! they leave behind, a log bigger than the pipe, and no secrets.

use crate::audit_support;
use crate::core_support;

use audit_support::{Fixture, action_event, append, fixture, iid};
use axum::http::StatusCode;
use core_support::{Client, PASSWORD};
use lightdeck_domain::audit::{self, AuditFilter, Outcome};
use lightdeck_domain::inventory::PageRequest;
use serde_json::{Value, json};

async fn signed_in(f: &Fixture, login: &str) -> Client {
    let mut c = f.app.client();
    let resp = c.sign_in(login, PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "sign-in of {login}");
    c
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    lightdeck_testkit::parse_csv(text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

async fn seed(f: &Fixture) {
    audit_support::seed_reboot(f).await;
    let mut failed = action_event(f, &f.adam, "start", Outcome::Failed, &[iid(2)], json!({}), "r2");
    failed.error_code = Some("Ecs.0114".into());
    failed.error_message = Some("locked, \"really\"\nsecond line".into());
    append(f, failed).await;
}

#[tokio::test]
async fn csv_export_is_an_attachment_with_every_matching_event() {
    let f = fixture().await;
    seed(&f).await;
    let mut c = signed_in(&f, "alice").await;
    let resp = c.get(&format!("/teams/{}/audit/export.csv", f.team)).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    let disposition = resp.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"lightdeck-audit-ops-")
            && disposition.ends_with("Z.csv\""),
        "{disposition}"
    );

    let body = resp.body.strip_prefix('\u{feff}').expect("a byte order mark for Excel");
    let rows = parse_csv(body);
    assert_eq!(rows[0][..3], ["seq", "time", "actor_user_id"]);
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    // The four events (oldest first) and the export's own event, appended before streaming.
    let actions: Vec<&str> = rows[1..].iter().map(|r| r[col("action")].as_str()).collect();
    assert_eq!(
        actions,
        [
            "instance.reboot.requested",
            "instance.reboot.accepted",
            "instance.reboot.succeeded",
            "instance.start.failed",
            "audit.exported",
        ]
    );
    let failed = &rows[4];
    assert_eq!(failed[col("error_message")], "locked, \"really\"\nsecond line");
    assert_eq!(failed[col("actor_name")], "Adam");
    assert_eq!(rows[3][col("job_id")], "ff8080817a0b1c2d017a0b3e4f5a0001");
    assert_eq!(rows[3][col("request_id")], "hw-req-0001");
}

#[tokio::test]
async fn jsonl_export_applies_the_filters_and_is_recorded() {
    let f = fixture().await;
    seed(&f).await;
    let mut c = signed_in(&f, "adam").await;
    let url = format!("/teams/{}/audit/export.jsonl?who=bob&outcome=succeeded", f.team);
    let resp = c.get(&url).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.header(core_support::SENT_ENCODING), Some("br"), "br is preferred");
    assert_eq!(resp.header("content-type"), Some("application/x-ndjson; charset=utf-8"));
    assert!(resp.header("content-disposition").unwrap().ends_with(".jsonl\""));
    let lines: Vec<Value> = resp.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["action"], "instance.reboot.succeeded");
    assert_eq!(lines[0]["actor_name"], "bob");
    assert_eq!(lines[0]["job_id"], "ff8080817a0b1c2d017a0b3e4f5a0001");

    let filter = AuditFilter { action_prefix: Some("audit.".into()), ..AuditFilter::default() };
    let exports =
        audit::list(f.app.db.pool(), f.team, &filter, &PageRequest::first(10)).await.unwrap();
    assert_eq!(exports.items.len(), 1);
    let e = &exports.items[0];
    assert_eq!(e.action, "audit.exported");
    assert_eq!(e.actor_user_id, Some(f.adam.id));
    assert_eq!(e.params["format"], "jsonl");
    assert_eq!(e.params["filter"]["who"], "bob");
    assert_eq!(e.params["filter"]["outcome"], "succeeded");
    assert!(e.panel_request_id.is_some());

    // And the log page says so in words.
    let page = c.get(&format!("/teams/{}/audit?action=audit.", f.team)).await;
    assert_eq!(
        page.text("li.event .sentence").as_deref(),
        Some("Adam exported the audit log as JSON Lines (filtered) — succeeded")
    );
}

#[tokio::test]
async fn a_log_larger_than_the_pipe_streams_whole() {
    let f = fixture().await;
    let padding = "x".repeat(800);
    for i in 0..400u32 {
        let draft = action_event(
            &f,
            &f.bob,
            "reboot",
            Outcome::Requested,
            &[iid(i)],
            json!({"type": "SOFT", "note": padding}),
            &format!("req-{i}"),
        );
        append(&f, draft).await;
    }
    let mut c = signed_in(&f, "alice").await;
    let resp = c.get(&format!("/teams/{}/audit/export.csv", f.team)).await;
    assert_eq!(resp.status, StatusCode::OK);
    // Compressed, as every browser asks: the stream once broke only then.
    assert!(
        matches!(resp.header(core_support::SENT_ENCODING), Some("gzip" | "br")),
        "{:?}",
        resp.header(core_support::SENT_ENCODING)
    );
    assert!(resp.body.len() > 4 * 64 * 1024, "{} bytes", resp.body.len());
    let rows = parse_csv(&resp.body);
    assert_eq!(rows.len(), 1 + 400 + 1, "header, the events, the export event");
    let seqs: Vec<i64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(seqs, (1..=401).collect::<Vec<_>>());
}

#[tokio::test]
async fn bad_filters_refuse_the_export_and_secrets_never_leave() {
    let f = fixture().await;
    let draft = action_event(
        &f,
        &f.alice,
        "reset_password",
        Outcome::Requested,
        &[iid(7)],
        json!({"new_password": "hunter2-Secret!", "password": "hunter3-Secret!", "keep": "me"}),
        "req-9",
    );
    append(&f, draft).await;
    let mut c = signed_in(&f, "alice").await;

    let bad = c.get(&format!("/teams/{}/audit/export.csv?from=yesterday", f.team)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Enter a date like 2026-03-31."));
    let filter = AuditFilter { action_prefix: Some("audit.".into()), ..AuditFilter::default() };
    let exports =
        audit::list(f.app.db.pool(), f.team, &filter, &PageRequest::first(10)).await.unwrap();
    assert!(exports.items.is_empty(), "a refused export is not recorded as one");

    for ext in ["csv", "jsonl"] {
        let resp = c.get(&format!("/teams/{}/audit/export.{ext}", f.team)).await;
        assert_eq!(resp.status, StatusCode::OK);
        assert!(resp.body.contains("keep"), "{ext}: the rest of the params is there");
        assert!(!resp.body.contains("hunter"), "{ext}: a password left the building");
    }
}
