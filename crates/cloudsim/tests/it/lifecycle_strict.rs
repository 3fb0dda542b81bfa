//! The strict lifecycle: expiry, grace and freeze, auto-renewal, unsubscriptions that take
//! time while RMS lags, the renewal maximum, unpaid renewals lapsing. All on the manual
//! clock.

use crate::common;

use common::*;
use lightdeck_cloudsim::{Account, Handle, Instance};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// Reference-open durations the simulator chose (documented in `state::lifecycle`).
const GRACE: Duration = Duration::days(15);
const UNSUBSCRIBE_PROCESSING: Duration = Duration::seconds(30);
const RMS_LAG: Duration = Duration::minutes(10);
const PAYMENT_DEADLINE: Duration = Duration::days(7);
const ORDER: Duration = Duration::seconds(5);

pub(crate) async fn bss(h: &Handle, a: &Account, path: &str, body: Value) -> Resp {
    send_as(h, a, Req::new("POST", path).domain(&a.domain_id).json(body)).await
}

pub(crate) async fn renew(h: &Handle, a: &Account, id: &str, body: Value) -> Resp {
    let mut body = body;
    body["resource_ids"] = json!([id]);
    let r = bss(h, a, "/v2/orders/subscriptions/resources/renew", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

pub(crate) async fn unsubscribe(h: &Handle, a: &Account, id: &str, kind: i32) -> Resp {
    let body = json!({"resource_ids": [id], "unsubscribe_type": kind});
    let r = bss(h, a, "/v2/orders/subscriptions/resources/unsubscribe", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

pub(crate) async fn order(h: &Handle, a: &Account, id: &str) -> Value {
    let path = format!("/v2/orders/customer-orders/details/{id}");
    let r = send_as(h, a, Req::new("GET", path).domain(&a.domain_id)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

pub(crate) async fn order_status(h: &Handle, a: &Account, id: &str) -> i64 {
    order(h, a, id).await["order_info"]["status"].as_i64().unwrap()
}

/// BSS's resource status (2 in use, 5 expired, 4 frozen), or None when BSS has no such
/// resource.
async fn bss_status(h: &Handle, a: &Account, id: &str) -> Option<i64> {
    let body = json!({"resource_ids": [id], "only_main_resource": 1});
    let r = bss(h, a, "/v2/orders/suscriptions/resources/query", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["data"][0]["status"].as_i64()
}

pub(crate) async fn rms_entry(h: &Handle, a: &Account, id: &str) -> Option<Value> {
    let path = format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id);
    let req = Req::new("GET", path).domain(&a.domain_id).query("id", id);
    let r = send_as(h, a, req).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["resources"].as_array().unwrap().first().cloned()
}

async fn show(h: &Handle, a: &Account, i: &Instance) -> Resp {
    let p = &i.project_id;
    send_as(h, a, Req::new("GET", format!("/v1/{p}/cloudservers/{}", i.server.id)).project(p)).await
}

pub(crate) async fn power(h: &Handle, a: &Account, i: &Instance, key: &str) -> Resp {
    let p = &i.project_id;
    let body = json!({key: {"type": "SOFT", "servers": [{"id": i.server.id}]}});
    send_as(h, a, Req::new("POST", format!("/v1/{p}/cloudservers/action")).project(p).json(body))
        .await
}

pub(crate) async fn reset(
    h: &Handle,
    a: &Account,
    project: &str,
    servers: &[&str],
    dry_run: bool,
) -> Resp {
    let servers: Vec<Value> = servers.iter().map(|s| json!({"id": s})).collect();
    let body = json!({"new_password": "Lightdeck-2025", "dry_run": dry_run, "servers": servers});
    let path = format!("/v1/{project}/cloudservers/os-reset-passwords");
    send_as(h, a, Req::new("PUT", path).project(project).json(body)).await
}

pub(crate) fn now_of(h: &Handle, id: &str) -> Instance {
    h.instances().into_iter().find(|i| i.id == id).expect("the instance is still there")
}

/// A seeded instance of account 0 in cn-north-4 matching `f`.
pub(crate) fn pick(h: &Handle, f: impl Fn(&Instance) -> bool) -> Instance {
    let a = &h.accounts()[0];
    h.instances()
        .into_iter()
        .find(|i| i.domain_id == a.domain_id && i.region.id() == "cn-north-4" && f(i))
        .expect("a seeded instance like that")
}

fn months(t: OffsetDateTime, n: u8) -> OffsetDateTime {
    let mut d = t.date();
    for _ in 0..n {
        let next = d.month().next();
        let y = if next == time::Month::January { d.year() + 1 } else { d.year() };
        d = time::Date::from_calendar_date(y, next, d.day().min(next.length(y))).unwrap();
    }
    t.replace_date(d)
}

#[tokio::test]
async fn an_expired_instance_freezes_after_its_grace_and_a_renewal_thaws_it() {
    let h = start().await;
    let a = h.accounts()[0].clone();
    let inst = pick(&h, |i| !i.auto_renew && i.server.status == "ACTIVE");
    assert!(inst.expires > h.clock().now(), "seeded instances start paid up");
    assert_eq!(bss_status(&h, &a, &inst.id).await, Some(2));

    // In the grace period: expired for BSS, still usable.
    h.clock().set(inst.expires + Duration::days(1));
    assert_eq!(bss_status(&h, &a, &inst.id).await, Some(5));
    assert!(show(&h, &a, &inst).await.body["server"]["metadata"]["EcmResStatus"].is_null());
    assert_eq!(rms_entry(&h, &a, &inst.id).await.unwrap()["properties"]["status"], "RUNNING");

    h.clock().set(inst.expires + GRACE);
    assert_eq!(bss_status(&h, &a, &inst.id).await, Some(4), "frozen");
    let rms = rms_entry(&h, &a, &inst.id).await.unwrap();
    assert_eq!(rms["properties"]["status"], "FROZEN");
    assert_eq!(rms["state"], "Normal");
    assert_eq!(show(&h, &a, &inst).await.body["server"]["metadata"]["EcmResStatus"], "freeze");
    for key in ["reboot", "os-stop"] {
        let r = power(&h, &a, &inst, key).await;
        assert_ecs_error(&r, 403, "Ecs.0003");
        assert_eq!(r.body["error"]["details"][0]["code"], "Ecs.0003", "{}", r.text);
        let msg = r.body["error"]["details"][0]["message"].as_str().unwrap();
        assert!(msg.contains(&inst.server.id), "{msg}");
    }
    assert_ecs_error(
        &reset(&h, &a, &inst.project_id, &[&inst.server.id], false).await,
        403,
        "Ecs.0003",
    );
    assert_ecs_error(
        &reset(&h, &a, &inst.project_id, &[&inst.server.id], true).await,
        403,
        "Ecs.0003",
    );
    assert!(now_of(&h, &inst.id).server.password_reset_at.is_none());
    assert_eq!(h.state()["jobs"].as_array().unwrap().len(), 0, "no job was submitted");

    // A renewal runs from the old expiry; once complete the instance is usable again.
    let r =
        renew(&h, &a, &inst.id, json!({"period_type": 2, "period_num": 1, "is_auto_pay": 1})).await;
    let order_id = r.body["order_ids"][0].as_str().unwrap().to_owned();
    assert_ecs_error(&power(&h, &a, &inst, "reboot").await, 403, "Ecs.0003");
    h.clock().advance(ORDER);
    assert_eq!(order_status(&h, &a, &order_id).await, 5);
    assert_eq!(now_of(&h, &inst.id).expires, months(inst.expires, 1));
    assert_eq!(bss_status(&h, &a, &inst.id).await, Some(2));
    assert_eq!(show(&h, &a, &inst).await.body["server"]["metadata"]["EcmResStatus"], "normal");
    assert_eq!(rms_entry(&h, &a, &inst.id).await.unwrap()["properties"]["status"], "RUNNING");
    assert_eq!(power(&h, &a, &inst, "reboot").await.status, 200);
}

#[tokio::test]
async fn an_auto_renewing_instance_renews_itself_at_expiry() {
    let h = start().await;
    let a = h.accounts()[0].clone();
    let t = token(&h, &a, json!({"project": {"name": "cn-north-4"}})).await;
    let body = json!({
        "instance_name": "renews", "plan_spec": "hf.small.1.linux",
        "image_ref": {"image_name": "Ubuntu", "image_version": "22.04"},
        "region": "cn-north-4", "period_type": "month", "period_num": 1,
        "is_auto_pay": true, "is_auto_renew": true,
    });
    let crid = "7c0e4b7a-2f3d-4e61-9a0b-5d6c7e8f9a01";
    let req = Req::new("POST", "/v1/light-instances").header("Client-Request-Id", crid).json(body);
    let r = send_token(&h, &t, req).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["instance_ids"][0].as_str().unwrap().to_owned();
    h.clock().advance(ORDER);
    let bought = now_of(&h, &id);
    assert!(bought.auto_renew);

    // Past expiry and well past the grace period: renewed on the day, never frozen.
    h.clock().set(bought.expires + GRACE + Duration::days(1));
    let renewed = now_of(&h, &id);
    assert_eq!(renewed.expires, months(bought.expires, 1));
    assert_eq!(bss_status(&h, &a, &id).await, Some(2));
    assert_eq!(power(&h, &a, &renewed, "reboot").await.status, 200);
    // And again a month later.
    h.clock().set(renewed.expires + GRACE + Duration::days(1));
    assert_eq!(now_of(&h, &id).expires, months(bought.expires, 2));
    assert_eq!(bss_status(&h, &a, &id).await, Some(2));
    let state = h.state();
    let mut renewals: Vec<&Value> = state["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["order_type"] == 2 && o["resource_ids"][0] == id.as_str())
        .collect();
    renewals.sort_by_key(|o| o["created"].as_str().unwrap().to_owned());
    assert_eq!(renewals.len(), 2, "{renewals:?}");
    let first = order(&h, &a, renewals[0]["order_id"].as_str().unwrap()).await;
    assert_eq!(first["order_info"]["status"], 5);
    assert_eq!(first["order_info"]["order_type"], 2);
    let line = &first["order_line_items"][0];
    assert_eq!(line["period_type"], 2, "monthly, as it was bought");
    assert_eq!(line["effective_time"].as_str(), Some(&*rfc(bought.expires)));
    assert_eq!(line["expire_time"].as_str(), Some(&*rfc(months(bought.expires, 1))));
}

/// BSS's `2025-04-01T08:00:05Z`.
fn rfc(t: OffsetDateTime) -> String {
    let d = t.date();
    let (h, m, s) = (t.hour(), t.minute(), t.second());
    format!("{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}Z", d.year(), u8::from(d.month()), d.day())
}

#[tokio::test]
async fn renewals_stop_at_the_maximum_duration() {
    let h = start().await;
    let a = h.accounts()[0].clone();
    let inst = pick(&h, |_| true);
    let three_years = json!({"period_type": 3, "period_num": 3, "is_auto_pay": 1});
    let r = renew(&h, &a, &inst.id, three_years.clone()).await;
    assert_eq!(r.body["order_ids"].as_array().unwrap().len(), 1, "{}", r.text);
    h.clock().advance(ORDER);
    let renewed = now_of(&h, &inst.id).expires;
    assert_eq!(renewed, months(inst.expires, 36));

    // Three more years would put it more than five years ahead.
    let r = renew(&h, &a, &inst.id, three_years).await;
    assert_eq!(r.body["order_ids"].as_array().unwrap().len(), 0, "{}", r.text);
    assert_eq!(r.body["fail_resource_infos"][0]["error_code"], "CBC.99003154", "{}", r.text);
    assert_eq!(r.body["fail_resource_infos"][0]["resource_id"], inst.id.as_str());
    h.clock().advance(ORDER);
    assert_eq!(now_of(&h, &inst.id).expires, renewed, "nothing changed");
    // What still fits is accepted.
    let r =
        renew(&h, &a, &inst.id, json!({"period_type": 2, "period_num": 1, "is_auto_pay": 1})).await;
    assert_eq!(r.body["order_ids"].as_array().unwrap().len(), 1, "{}", r.text);
}

#[tokio::test]
async fn an_unpaid_renewal_waits_for_payment_then_lapses() {
    let h = start().await;
    let a = h.accounts()[0].clone();
    let inst = pick(&h, |_| true);
    let manual = json!({"period_type": 2, "period_num": 1, "is_auto_pay": 0});
    let r = renew(&h, &a, &inst.id, manual.clone()).await;
    let first = r.body["order_ids"][0].as_str().unwrap().to_owned();
    let placed = h.clock().now();
    // Nobody pays it: the simulated customer only pays purchases.
    h.clock().advance(Duration::hours(1));
    let o = order(&h, &a, &first).await;
    assert_eq!(o["order_info"]["status"], 6);
    let deadline = placed + PAYMENT_DEADLINE;
    assert_eq!(o["order_info"]["pending_payment_end_time"].as_str(), Some(&*rfc(deadline)));
    let busy = renew(&h, &a, &inst.id, manual.clone()).await;
    assert_eq!(busy.body["fail_resource_infos"][0]["error_code"], "CBC.99003144");

    h.clock().set(deadline);
    assert_eq!(order_status(&h, &a, &first).await, 4, "cancelled at the deadline");
    assert_eq!(now_of(&h, &inst.id).expires, inst.expires, "the lapsed renewal did nothing");
    let url = |id: &str| format!("{}/_sim/orders/{id}/pay", h.base_url());
    let late = read(http().post(url(&first)).send().await.unwrap()).await;
    assert_eq!(late.status, 409, "a cancelled order cannot be paid: {}", late.text);

    // The instance is free again; paying the next one through the admin route completes it.
    let r = renew(&h, &a, &inst.id, manual).await;
    let second = r.body["order_ids"][0].as_str().unwrap().to_owned();
    assert_eq!(order_status(&h, &a, &second).await, 6);
    let paid = read(http().post(url(&second)).send().await.unwrap()).await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    assert_eq!(order_status(&h, &a, &second).await, 3);
    h.clock().advance(ORDER);
    assert_eq!(order_status(&h, &a, &second).await, 5);
    assert_eq!(now_of(&h, &inst.id).expires, months(inst.expires, 1));
    h.clock().advance(PAYMENT_DEADLINE);
    assert_eq!(order_status(&h, &a, &second).await, 5, "a paid order never lapses");
}

#[tokio::test]
async fn unsubscribing_renewals_needs_a_renewal_not_started() {
    let h = start().await;
    let a = h.accounts()[0].clone();
    let inst = pick(&h, |_| true);
    let r = unsubscribe(&h, &a, &inst.id, 2).await;
    assert_eq!(r.body["order_ids"].as_array().unwrap().len(), 0, "{}", r.text);
    assert_eq!(r.body["fail_resource_infos"][0]["error_code"], "CBC.30010069", "{}", r.text);

    renew(&h, &a, &inst.id, json!({"period_type": 2, "period_num": 2, "is_auto_pay": 1})).await;
    h.clock().advance(ORDER);
    assert_eq!(now_of(&h, &inst.id).expires, months(inst.expires, 2));
    let r = unsubscribe(&h, &a, &inst.id, 2).await;
    let id = r.body["order_ids"][0].as_str().unwrap().to_owned();
    assert_eq!(order_status(&h, &a, &id).await, 3);
    h.clock().advance(UNSUBSCRIBE_PROCESSING);
    assert_eq!(order_status(&h, &a, &id).await, 5);
    let after = now_of(&h, &inst.id);
    assert_eq!(after.expires, inst.expires, "back to the term already running");
    assert_eq!(rms_entry(&h, &a, &inst.id).await.unwrap()["state"], "Normal");
    let again = unsubscribe(&h, &a, &inst.id, 2).await;
    assert_eq!(again.body["fail_resource_infos"][0]["error_code"], "CBC.30010069");
}

#[tokio::test]
async fn unsubscribing_processes_then_rms_shows_deleted_then_forgets() {
    let h = start().await;
    let a = h.accounts()[0].clone();
    let inst = pick(&h, |_| true);
    let r = unsubscribe(&h, &a, &inst.id, 1).await;
    let id = r.body["order_ids"][0].as_str().unwrap().to_owned();
    assert_eq!(order_status(&h, &a, &id).await, 3, "processing");
    assert_eq!(show(&h, &a, &inst).await.status, 200, "still there while processing");
    assert_eq!(rms_entry(&h, &a, &inst.id).await.unwrap()["state"], "Normal");
    let busy = unsubscribe(&h, &a, &inst.id, 1).await;
    assert_eq!(busy.body["fail_resource_infos"][0]["error_code"], "CBC.99003651");

    h.clock().advance(UNSUBSCRIBE_PROCESSING);
    assert_eq!(order_status(&h, &a, &id).await, 5);
    assert_ecs_error(&show(&h, &a, &inst).await, 404, "Ecs.0114");
    let rms = rms_entry(&h, &a, &inst.id).await.expect("RMS lags behind the deletion");
    assert_eq!(rms["state"], "Deleted");
    assert_eq!(rms["properties"]["status"], "DELETED");
    assert_eq!(bss_status(&h, &a, &inst.id).await, None);
    let r = bss(
        &h,
        &a,
        "/v2/orders/subscriptions/resources/renew",
        json!({"resource_ids": [inst.id], "period_type": 2, "period_num": 1}),
    )
    .await;
    assert_eq!(r.body["fail_resource_infos"][0]["error_code"], "CBC.99003016");

    h.clock().advance(RMS_LAG - Duration::seconds(1));
    assert_eq!(rms_entry(&h, &a, &inst.id).await.unwrap()["state"], "Deleted");
    h.clock().advance(Duration::seconds(1));
    assert!(rms_entry(&h, &a, &inst.id).await.is_none(), "gone once RMS caught up");
    assert!(h.instances().iter().all(|i| i.id != inst.id));
}
