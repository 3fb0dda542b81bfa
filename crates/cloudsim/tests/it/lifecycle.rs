//! Purchase → order → instance; renewal; unsubscription; traffic use; the whole state kept
//! in a snapshot across a restart. All on the manual clock.

use crate::common;

use common::*;
use lightdeck_cloudsim::{Handle, SnapshotStatus};
use lightdeck_huaweicloud::model::bss::{OrderDetailsResponse, ResourceOrdersResponse};
use lightdeck_huaweicloud::model::hcss::PurchaseRequest;
use lightdeck_huaweicloud::model::rms::ListAllResourcesResponse;
use serde_json::{Value, json};
use time::Duration;

fn purchase_body(auto_pay: bool) -> Value {
    json!({
        "instance_name": "shop",
        "plan_spec": "hf.small.1.linux",
        "image_ref": {"image_name": "Ubuntu", "image_version": "22.04"},
        "region": "cn-north-4",
        "period_type": "month",
        "period_num": 1,
        "purchase_quantity": 2,
        "is_auto_pay": auto_pay,
    })
}

async fn purchase(h: &Handle, token: &str, crid: &str, body: Value) -> Resp {
    send_token(
        h,
        token,
        Req::new("POST", "/v1/light-instances").header("Client-Request-Id", crid).json(body),
    )
    .await
}

async fn order(h: &Handle, a: &lightdeck_cloudsim::Account, id: &str) -> Value {
    let r = send_as(
        h,
        a,
        Req::new("GET", format!("/v2/orders/customer-orders/details/{id}")).domain(&a.domain_id),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_value::<OrderDetailsResponse>(r.body.clone())
        .expect("decodes as the client's type");
    r.body
}

async fn rms_ids(h: &Handle, a: &lightdeck_cloudsim::Account) -> Vec<String> {
    let r = send_as(
        h,
        a,
        Req::new("GET", format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id))
            .domain(&a.domain_id)
            .query("type", "hcss.l-instance")
            .query("limit", "200"),
    )
    .await;
    let page: ListAllResourcesResponse = serde_json::from_value(r.body).unwrap();
    page.resources.into_iter().map(|r| r.id).collect()
}

const CRID: &str = "5f1c9a52-8a3e-4a0e-9d7c-2b6f1e0c7a11";

#[tokio::test]
async fn purchase_creates_an_order_that_completes_on_the_clock() {
    let h = start().await;
    let a = &h.accounts()[0];
    let t = token(&h, a, json!({"project": {"name": "cn-north-4"}})).await;
    // The body is a valid request of the client crate.
    serde_json::from_value::<PurchaseRequest>(purchase_body(false)).unwrap();

    let r = purchase(&h, &t, CRID, purchase_body(false)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let order_id = r.body["order_id"].as_str().unwrap().to_owned();
    assert!(order_id.starts_with("CS") && order_id.len() == 17, "{order_id}");
    let ids: Vec<String> = serde_json::from_value(r.body["instance_ids"].clone()).unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|i| i.len() == 24));

    // Same Client-Request-Id: same order, nothing bought twice.
    let again = purchase(&h, &t, CRID, purchase_body(false)).await;
    assert_eq!(again.status, 202);
    assert_eq!(again.body["order_id"], order_id.as_str());
    assert_eq!(again.body["instance_ids"], r.body["instance_ids"]);

    let pending = order(&h, a, &order_id).await;
    assert_eq!(pending["order_info"]["status"], 6);
    assert!(pending["order_info"]["payment_time"].is_null());
    assert!(
        pending["order_line_items"][0]["effective_time"].is_null(),
        "no term before completion"
    );
    assert!(!rms_ids(&h, a).await.contains(&ids[0]));
    h.clock().advance(Duration::seconds(10));
    assert_eq!(order(&h, a, &order_id).await["order_info"]["status"], 3);
    h.clock().advance(Duration::seconds(5));
    let done = order(&h, a, &order_id).await;
    assert_eq!(done["order_info"]["status"], 5);
    assert_eq!(done["total_count"], 2);
    let listed = rms_ids(&h, a).await;
    assert!(ids.iter().all(|i| listed.contains(i)));
    let bought = h.instances().into_iter().find(|i| i.id == ids[0]).unwrap();
    assert_eq!(bought.name, "shop-0001");
    assert_eq!(bought.order_id, order_id);
    assert_eq!(bought.expires, START + Duration::seconds(15) + Duration::days(31));
    let line = &done["order_line_items"][0];
    assert_eq!(line["effective_time"], "2025-03-01T08:00:15Z");
    assert_eq!(line["expire_time"], "2025-04-01T08:00:15Z");
    assert_eq!((line["period_type"].as_i64(), line["period_num"].as_i64()), (Some(2), Some(1)));
    assert_eq!(line["product_id"], bought.product_id.as_str());
    let other_id = &done["order_line_items"][1]["resource_id"];
    let other_bought = h.instances().into_iter().find(|i| i.id == *other_id).unwrap();
    assert_eq!(other_bought.product_id, bought.product_id, "one offering per order");
    let p = project(a, "cn-north-4");
    let s = send_as(
        &h,
        a,
        Req::new("GET", format!("/v1/{p}/cloudservers/{}", bought.server.id)).project(&p),
    )
    .await;
    assert_eq!(s.status, 200);

    // Another account using the same Client-Request-Id buys its own.
    let b = &h.accounts()[1];
    let tb = token(&h, b, json!({"project": {"name": "cn-north-4"}})).await;
    let other = purchase(&h, &tb, CRID, purchase_body(true)).await;
    assert_ne!(other.body["order_id"], order_id.as_str());
    assert_eq!(
        order(&h, b, other.body["order_id"].as_str().unwrap()).await["order_info"]["status"],
        3
    );
}

#[tokio::test]
async fn purchase_validation_matches_the_client() {
    let h = start().await;
    let a = &h.accounts()[0];
    let t = token(&h, a, json!({"project": {"name": "cn-north-4"}})).await;
    let with = |k: &str, v: Value| {
        let mut b = purchase_body(true);
        b[k] = v;
        b
    };
    let cases = [
        (with("instance_name", json!("1bad")), "instance_name"),
        (with("plan_spec", json!("hf.huge.9.linux")), "plan_spec"),
        (with("period_num", json!(10)), "period_num"),
        (with("period_type", json!("week")), "period_type"),
        (with("purchase_quantity", json!(201)), "purchase_quantity"),
        (with("region", json!("eu-west-0")), "region"),
        (with("region", json!("cn-east-3")), "X-Auth-Token is scoped"),
        (with("period_num", json!(true)), "period_num"),
        (with("is_auto_pay", json!("yes")), "is_auto_pay"),
    ];
    for (i, (body, field)) in cases.into_iter().enumerate() {
        let crid = format!("{i:08}-aaaa-4bbb-8ccc-dddddddddddd");
        let r = purchase(&h, &t, &crid, body).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.body["error_code"], "HCSS.14000001", "{}", r.text);
        assert!(r.body["error_msg"].as_str().unwrap().contains(field), "{field}: {}", r.text);
        assert_request_id(&r);
    }
    // The seed's example sends period_num as a string in its table; accepted.
    assert_eq!(purchase(&h, &t, CRID, with("period_num", json!("2"))).await.status, 202);

    for (crid, why) in [(None, "required"), (Some("short"), "Client-Request-Id")] {
        let mut req = Req::new("POST", "/v1/light-instances").json(purchase_body(true));
        if let Some(c) = crid {
            req = req.header("Client-Request-Id", c);
        }
        let r = send_token(&h, &t, req).await;
        assert_eq!(r.status, 400);
        assert!(r.body["error_msg"].as_str().unwrap().contains(why), "{}", r.text);
    }
}

#[tokio::test]
async fn renew_moves_expiry_and_unsubscribe_removes_everything() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let post = |path: &'static str, body: Value| {
        send_as(&h, a, Req::new("POST", path).domain(&a.domain_id).json(body))
    };

    let r = post("/v2/orders/subscriptions/resources/renew", json!({
        "resource_ids": [inst.id, "0123456789abcdef01234567"], "period_type": 2, "period_num": 3, "is_auto_pay": 1
    })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let decoded: ResourceOrdersResponse = serde_json::from_value(r.body.clone()).unwrap();
    assert_eq!(decoded.order_ids.len(), 1);
    assert_eq!(r.body["fail_resource_infos"][0]["error_code"], "CBC.99003016");
    let order_id = r.body["order_ids"][0].as_str().unwrap().to_owned();
    // A second renewal while the first is in progress is refused for that resource.
    let busy = post(
        "/v2/orders/subscriptions/resources/renew",
        json!({
            "resource_ids": [inst.id], "period_type": 2, "period_num": 1, "is_auto_pay": 1
        }),
    )
    .await;
    assert_eq!(busy.body["fail_resource_infos"][0]["error_code"], "CBC.99003144");
    h.clock().advance(Duration::seconds(5));
    let renewal = order(&h, a, &order_id).await;
    assert_eq!(renewal["order_info"]["order_type"], 2);
    let renewed = h.instances().into_iter().find(|i| i.id == inst.id).unwrap();
    assert_eq!(renewed.expires, lightdeck_cloudsim_add_months(inst.expires, 3));
    // The renewal's line runs from the old expiry to the new one.
    let line = &renewal["order_line_items"][0];
    let at = |v: &Value| {
        time::OffsetDateTime::parse(
            v.as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    assert_eq!(at(&line["effective_time"]), inst.expires);
    assert_eq!(at(&line["expire_time"]), renewed.expires);

    for (body, code) in [
        (json!({"resource_ids": [inst.id], "period_type": 1, "period_num": 1}), "CBC.0100"),
        (json!({"resource_ids": [inst.id], "period_type": 2, "period_num": 12}), "CBC.30010069"),
        (json!({"resource_ids": [], "period_type": 2, "period_num": 1}), "CBC.0100"),
        (json!({"period_type": 2, "period_num": 1}), "CBC.0100"),
        (json!({"resource_ids": [inst.id], "period_type": "2", "period_num": 1}), "CBC.0100"),
    ] {
        let r = post("/v2/orders/subscriptions/resources/renew", body).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.body["error_code"], code, "{}", r.text);
    }

    let r = post(
        "/v2/orders/subscriptions/resources/unsubscribe",
        json!({"resource_ids": [inst.id], "unsubscribe_type": 1}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Unsubscribing takes time, and RMS lags behind it (lifecycle_strict.rs has the steps).
    h.clock().advance(Duration::seconds(30) + Duration::minutes(10));
    assert_eq!(
        order(&h, a, r.body["order_ids"][0].as_str().unwrap()).await["order_info"]["status"],
        5
    );
    assert!(!rms_ids(&h, a).await.contains(&inst.id));
    let p = project(a, "cn-north-4");
    let gone = send_as(
        &h,
        a,
        Req::new("GET", format!("/v1/{p}/cloudservers/{}", inst.server.id)).project(&p),
    )
    .await;
    assert_ecs_error(&gone, 404, "Ecs.0114");
    let usage = post(
        "/v2/payments/free-resources/usages/details/query",
        json!({"free_resource_ids": [inst.package.id]}),
    )
    .await;
    assert_eq!(usage.body["free_resources"].as_array().unwrap().len(), 0);
    let r = post(
        "/v2/orders/subscriptions/resources/unsubscribe",
        json!({"resource_ids": [inst.id], "unsubscribe_type": 1}),
    )
    .await;
    assert_eq!(r.body["fail_resource_infos"][0]["error_code"], "CBC.99003016");
    let r =
        post("/v2/orders/subscriptions/resources/unsubscribe", json!({"resource_ids": [inst.id]}))
            .await;
    assert_eq!(r.body["error_code"], "CBC.0100");
}

fn lightdeck_cloudsim_add_months(t: time::OffsetDateTime, months: u8) -> time::OffsetDateTime {
    let mut d = t.date();
    for _ in 0..months {
        let (y, m) = (d.year(), d.month());
        let next = m.next();
        let y = if next == time::Month::January { y + 1 } else { y };
        let day = d.day().min(next.length(y));
        d = time::Date::from_calendar_date(y, next, day).unwrap();
    }
    t.replace_date(d)
}

#[tokio::test]
async fn traffic_is_consumed_over_time() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let query = || {
        send_as(
            &h,
            a,
            Req::new("POST", "/v2/payments/free-resources/usages/details/query")
                .domain(&a.domain_id)
                .json(json!({"free_resource_ids": [inst.package.id]})),
        )
    };
    let before = query().await;
    assert_eq!(before.status, 200, "{}", before.text);
    let first = &before.body["free_resources"][0];
    assert_eq!(first["free_resource_id"], inst.package.id.as_str());
    assert_eq!(first["original_amount"].as_f64().unwrap(), inst.package.total_gb);
    h.clock().advance(Duration::days(3));
    let after = query().await;
    let (x, y) = (
        first["amount"].as_f64().unwrap(),
        after.body["free_resources"][0]["amount"].as_f64().unwrap(),
    );
    assert!(y < x, "{x} -> {y}");

    let r = send_as(
        &h,
        a,
        Req::new("POST", "/v2/payments/free-resources/usages/details/query")
            .domain(&a.domain_id)
            .json(json!({"free_resource_ids": []})),
    )
    .await;
    assert_eq!(r.body["error_code"], "CBC.0100");
}

#[tokio::test]
async fn pay_per_use_query_shows_expiry_and_policy() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let r = send_as(
        &h,
        a,
        Req::new("POST", "/v2/orders/suscriptions/resources/query")
            .domain(&a.domain_id)
            .json(json!({"resource_ids": [inst.id], "only_main_resource": 1})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_value::<lightdeck_huaweicloud::model::bss::QueryResourcesResponse>(
        r.body.clone(),
    )
    .unwrap();
    assert_eq!(r.body["total_count"], 1);
    assert_eq!(r.body["data"][0]["resource_id"], inst.id.as_str());
    assert_eq!(r.body["data"][0]["is_main_resource"], 1);
    assert_eq!(r.body["data"][0]["expire_policy"], if inst.auto_renew { 3 } else { 0 });
    let all = send_as(
        &h,
        a,
        Req::new("POST", "/v2/orders/suscriptions/resources/query")
            .domain(&a.domain_id)
            .json(json!({"limit": 500})),
    )
    .await;
    assert_eq!(all.body["total_count"], 12, "main resources and their traffic packages");
    let bad = send_as(
        &h,
        a,
        Req::new("POST", "/v2/orders/suscriptions/resources/query")
            .domain(&a.domain_id)
            .json(json!({"only_main_resource": 2})),
    )
    .await;
    assert_eq!(bad.body["error_code"], "CBC.0100");
}

/// A folder for snapshot files, removed at the end of the test.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cloudsim-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self) -> std::path::PathBuf {
        self.0.join("cloudsim.json")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn ecs_action(h: &Handle, a: &lightdeck_cloudsim::Account, p: &str, body: Value) -> String {
    let r = send_as(
        h,
        a,
        Req::new("POST", format!("/v1/{p}/cloudservers/action")).project(p).json(body),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["job_id"].as_str().unwrap().to_owned()
}

async fn job_status(h: &Handle, a: &lightdeck_cloudsim::Account, p: &str, id: &str) -> Value {
    let r = send_as(h, a, Req::new("GET", format!("/v1/{p}/jobs/{id}")).project(p)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["status"].clone()
}

fn server(h: &Handle, id: &str) -> lightdeck_cloudsim::Server {
    h.instances().into_iter().find(|i| i.server.id == id).expect("the server exists").server
}

fn keys(h: &Handle) -> Vec<(String, String)> {
    use secrecy::ExposeSecret;
    h.accounts().iter().map(|a| (a.ak.clone(), a.sk.expose_secret().to_owned())).collect()
}

#[tokio::test]
async fn a_snapshot_brings_back_stopped_renamed_servers_and_orders_in_progress() {
    let scratch = Scratch::new("roundtrip");
    let h = start_with(config().snapshot(scratch.file())).await;
    assert_eq!(h.snapshot_status(), &SnapshotStatus::Fresh, "no file yet");
    let a = h.accounts()[0].clone();
    let p = project(&a, "cn-north-4");
    let target = h
        .instances()
        .into_iter()
        .find(|i| {
            i.domain_id == a.domain_id
                && i.region.id() == "cn-north-4"
                && i.server.status == "ACTIVE"
        })
        .unwrap();
    let sid = target.server.id.clone();
    ecs_action(&h, &a, &p, json!({"os-stop": {"servers": [{"id": sid}]}})).await;
    h.clock().advance(Duration::seconds(3));
    let r = send_as(
        &h,
        &a,
        Req::new("PUT", format!("/v1/{p}/cloudservers/{sid}"))
            .project(&p)
            .json(json!({"server": {"name": "renamed-01"}})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A purchase waiting for payment: its instances exist only once it completes.
    let t = token(&h, &a, json!({"project": {"name": "cn-north-4"}})).await;
    let bought = purchase(&h, &t, CRID, purchase_body(false)).await;
    assert_eq!(bought.status, 202, "{}", bought.text);
    let order_id = bought.body["order_id"].as_str().unwrap().to_owned();
    let count = h.instance_count();
    h.set_balance(&a.name, 321.5).unwrap();
    h.set_sold_out("cn-north-4", &["hf.medium.1.linux"]).unwrap();
    let saved = h.save_snapshot(&scratch.file()).unwrap();
    assert_eq!(saved.instances, count);
    let saved_keys = keys(&h);
    h.shutdown().await;
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(scratch.file()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "it holds secret keys");
    }
    assert!(
        std::fs::read_dir(&scratch.0).unwrap().count() == 1,
        "no temporary file is left behind"
    );

    let h = start_with(config().snapshot(scratch.file())).await;
    assert!(
        matches!(h.snapshot_status(), SnapshotStatus::Loaded { .. }),
        "{:?}",
        h.snapshot_status()
    );
    assert_eq!(keys(&h), saved_keys, "the same credentials");
    let s = server(&h, &sid);
    assert_eq!((s.status.as_str(), s.name.as_str()), ("SHUTOFF", "renamed-01"));
    assert_eq!(h.instance_count(), count);
    // The token the first run issued still works, and the order goes on.
    let a = h.accounts()[0].clone();
    assert_eq!(order(&h, &a, &order_id).await["order_info"]["status"], 6);
    let again = purchase(&h, &t, CRID, purchase_body(false)).await;
    assert_eq!(again.body["order_id"], order_id.as_str(), "idempotent across the restart");
    let other = purchase(&h, &t, CRID, purchase_body(true)).await;
    assert_eq!(other.body["error_code"], "HCSS.14000001", "the first body is remembered too");
    assert_eq!(h.balance(&a.name).unwrap(), 321.5, "balances are kept");
    assert_eq!(h.state()["market"]["sold_out"]["cn-north-4"][0], "hf.medium.1.linux");
    h.clock().advance(Duration::seconds(15));
    assert_eq!(order(&h, &a, &order_id).await["order_info"]["status"], 5);
    assert_eq!(h.instance_count(), count + 2);
    h.shutdown().await;

    // Without the snapshot, the seed's server is back as it was.
    let fresh = start().await;
    assert_eq!(server(&fresh, &sid).status, "ACTIVE");
}

#[tokio::test]
async fn a_reboot_running_at_save_finishes_after_the_restart() {
    let scratch = Scratch::new("reboot");
    let h = start_with(config().snapshot(scratch.file())).await;
    let a = h.accounts()[0].clone();
    let p = project(&a, "cn-north-4");
    let sid = h
        .instances()
        .into_iter()
        .find(|i| {
            i.domain_id == a.domain_id
                && i.region.id() == "cn-north-4"
                && i.server.status == "ACTIVE"
        })
        .unwrap()
        .server
        .id;
    let job =
        ecs_action(&h, &a, &p, json!({"reboot": {"type": "SOFT", "servers": [{"id": sid}]}})).await;
    h.clock().advance(Duration::seconds(1));
    let snapshotter = h.snapshotter();
    assert!(snapshotter.save_if_changed(&scratch.file()).unwrap().is_some(), "never saved yet");
    assert!(snapshotter.save_if_changed(&scratch.file()).unwrap().is_none(), "nothing changed");
    h.shutdown().await;

    let h = start_with(config().snapshot(scratch.file())).await;
    let SnapshotStatus::Loaded { saved_at } = h.snapshot_status().clone() else {
        panic!("{:?}", h.snapshot_status())
    };
    assert_eq!(h.clock().now(), saved_at, "the manual clock resumes where it was");
    assert_eq!(job_status(&h, &a, &p, &job).await, "RUNNING");
    assert_eq!(server(&h, &sid).status, "REBOOT");
    let snapshotter = h.snapshotter();
    assert!(snapshotter.save_if_changed(&scratch.file()).unwrap().is_none(), "as loaded");
    h.clock().advance(Duration::seconds(2));
    assert_eq!(job_status(&h, &a, &p, &job).await, "SUCCESS");
    assert_eq!(server(&h, &sid).status, "ACTIVE");
    assert!(snapshotter.save_if_changed(&scratch.file()).unwrap().is_some(), "the job ended");
}

#[tokio::test]
async fn unusable_snapshots_fall_back_to_the_seed_with_a_reason() {
    let scratch = Scratch::new("unusable");
    let seeded = start().await;
    let seed_ids: Vec<String> = seeded.instances().into_iter().map(|i| i.id).collect();
    let seed_keys = keys(&seeded);
    let good = scratch.0.join("good.json");
    seeded.set_server_state(&seeded.instances()[0].server.id, "ERROR", None).unwrap();
    seeded.save_snapshot(&good).unwrap();
    seeded.shutdown().await;
    let good: Value = serde_json::from_slice(&std::fs::read(good).unwrap()).unwrap();
    let edited = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v.to_string()
    };
    let whole = good.to_string();
    let cases: Vec<(&str, String, &str)> = vec![
        ("corrupt", "{\"format\": \"lightdeck-cloudsim-snap".to_owned(), "not valid JSON"),
        ("truncated", whole[..whole.len() / 2].to_owned(), "not valid JSON"),
        ("empty", String::new(), "not valid JSON"),
        ("other JSON", "[1, 2]".to_owned(), "not a cloudsim snapshot"),
        ("other kind", r#"{"version": 1}"#.to_owned(), "not a cloudsim snapshot"),
        (
            "newer version",
            edited(&|v| v["version"] = json!(99)),
            "version 99; this cloudsim reads version 1",
        ),
        ("wrong shape", edited(&|v| v["instances"] = json!("many")), "shape of version 1"),
        ("other seed", edited(&|v| v["fleet"]["seed"] = json!(7)), "made for seed 7"),
        (
            "unknown account",
            edited(&|v| v["instances"][0]["domain_id"] = json!("0".repeat(32))),
            "inconsistent",
        ),
    ];
    for (what, text, reason) in cases {
        std::fs::write(scratch.file(), &text).unwrap();
        let h = start_with(config().snapshot(scratch.file())).await;
        match h.snapshot_status() {
            SnapshotStatus::Discarded { reason: r } => {
                assert!(r.contains(reason), "{what}: {r:?} should say {reason:?}")
            }
            other => panic!("{what}: {other:?}"),
        }
        let ids: Vec<String> = h.instances().into_iter().map(|i| i.id).collect();
        assert_eq!(ids, seed_ids, "{what}: the seed's instances");
        assert_eq!(keys(&h), seed_keys, "{what}: the seed's credentials");
        assert!(h.instances().iter().all(|i| i.server.status != "ERROR"), "{what}");
        h.shutdown().await;
    }
    // The unchanged file loads, so the cases above failed for the reason they name.
    std::fs::write(scratch.file(), whole).unwrap();
    let h = start_with(config().snapshot(scratch.file())).await;
    assert!(matches!(h.snapshot_status(), SnapshotStatus::Loaded { .. }));
    assert_eq!(h.instances().iter().filter(|i| i.server.status == "ERROR").count(), 1);
}
