//! What a purchase can run into: the same Client-Request-Id with the same or another body,
//! balance and auto-pay, sold-out specs, the instance quota, extras and private images in
//! RMS, and the answer lost after the order was created (the real client then reconciles
//! by tag and by the account's recent orders).

use crate::common;

use std::sync::Arc;

use common::*;
use lightdeck_cloudsim::Handle;
use lightdeck_huaweicloud::client::{ClientConfig, ClientRequestId, HuaweiCloud, RetryPolicy};
use lightdeck_huaweicloud::endpoints::Endpoints;
use lightdeck_huaweicloud::error::{Error, PurchaseRefusal};
use lightdeck_huaweicloud::model::bss::{ListCustomerOrdersQuery, OrderStatus};
use lightdeck_huaweicloud::model::hcss::{ImageRef, PurchaseRequest, Tag};
use lightdeck_huaweicloud::model::rms::{ListAllResourcesResponse, ResourceEntity};
use lightdeck_huaweicloud::{Credentials, IamPassword, Region};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use time::Duration;

const CRID: &str = "7d2f0c4e-1b3a-4c5d-8e9f-0a1b2c3d4e5f";

fn body(quantity: i64, auto_pay: bool) -> Value {
    json!({
        "instance_name": "shop",
        "plan_spec": "hf.small.1.linux",
        "image_ref": {"image_name": "Ubuntu", "image_version": "22.04"},
        "region": "cn-north-4",
        "period_type": "month",
        "period_num": 1,
        "purchase_quantity": quantity,
        "is_auto_pay": auto_pay,
    })
}

async fn buy(h: &Handle, token: &str, crid: &str, body: Value) -> Resp {
    let req = Req::new("POST", "/v1/light-instances").header("Client-Request-Id", crid).json(body);
    send_token(h, token, req).await
}

async fn north_token(h: &Handle, i: usize) -> String {
    token(h, &h.accounts()[i], json!({"project": {"name": "cn-north-4"}})).await
}

fn assert_hcss_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["error_code"], code, "{}", r.text);
    assert!(r.body["error_msg"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.text);
    assert_request_id(r);
}

async fn admin(h: &Handle, method: &str, path: &str, body: Value) -> Value {
    let url = format!("{}/_sim{path}", h.base_url());
    let mut req = http().request(method.parse().unwrap(), url);
    if !body.is_null() {
        req = req.json(&body);
    }
    let r = read(req.send().await.unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

async fn resources(h: &Handle, i: usize) -> Vec<ResourceEntity> {
    let a = &h.accounts()[i];
    let r = send_as(
        h,
        a,
        Req::new("GET", format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id))
            .domain(&a.domain_id)
            .query("limit", "200"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_value::<ListAllResourcesResponse>(r.body).unwrap().resources
}

fn order_count(h: &Handle) -> usize {
    h.state()["orders"].as_array().unwrap().len()
}

#[tokio::test]
async fn the_same_id_gets_the_same_order_and_another_body_is_refused() {
    let h = start().await;
    let t = north_token(&h, 0).await;
    let first = buy(&h, &t, CRID, body(1, true)).await;
    assert_eq!(first.status, 202, "{}", first.text);

    // Same request, keys in another order and period_num as digits: the same order.
    let same = json!({
        "period_num": "1", "is_auto_pay": true, "purchase_quantity": 1, "period_type": "month",
        "region": "cn-north-4", "image_ref": {"image_version": "22.04", "image_name": "Ubuntu"},
        "plan_spec": "hf.small.1.linux", "instance_name": "shop",
    });
    let again = buy(&h, &t, CRID, same).await;
    assert_eq!(again.status, 202, "{}", again.text);
    assert_eq!(again.body, first.body);

    let orders = order_count(&h);
    let other = buy(&h, &t, CRID, body(2, true)).await;
    assert_hcss_error(&other, 400, "HCSS.14000001");
    let msg = other.body["error_msg"].as_str().unwrap();
    assert!(msg.starts_with("Client-Request-Id:") && msg.contains("different purchase"), "{msg}");
    assert!(msg.contains(first.body["order_id"].as_str().unwrap()), "{msg}");
    assert_eq!(order_count(&h), orders, "nothing new was ordered");
}

#[tokio::test]
async fn auto_pay_needs_the_balance() {
    let h = start().await;
    let a = &h.accounts()[0];
    let t = north_token(&h, 0).await;
    // hf.small.1 is 2 GiB: 42 yuan a month; two of them for three months is 252.
    let mut three_months = body(2, true);
    three_months["period_num"] = json!(3);
    let set =
        admin(&h, "POST", &format!("/accounts/{}/balance", a.name), json!({"balance": 100})).await;
    assert_eq!(set["balance"], 100.0);
    let before = (h.instance_count(), order_count(&h));

    let r = buy(&h, &t, CRID, three_months.clone()).await;
    assert_hcss_error(&r, 400, "CBC.30050006");
    let msg = r.body["error_msg"].as_str().unwrap();
    assert!(msg.contains("100.00") && msg.contains("252.00"), "{msg}");
    h.clock().advance(Duration::minutes(5));
    assert_eq!((h.instance_count(), order_count(&h)), before, "no order, no instances");
    assert_eq!(h.balance(&a.name).unwrap(), 100.0);

    // Without auto-pay the order is placed and waits for payment; nothing is taken.
    let crid2 = ClientRequestId::generate();
    let mut unpaid_body = three_months.clone();
    unpaid_body["is_auto_pay"] = json!(false);
    let unpaid = buy(&h, &t, crid2.as_str(), unpaid_body).await;
    assert_eq!(unpaid.status, 202, "{}", unpaid.text);
    assert_eq!(h.balance(&a.name).unwrap(), 100.0);

    h.set_balance(&a.name, 300.0).unwrap();
    let paid = buy(&h, &t, &ClientRequestId::generate().to_string(), three_months).await;
    assert_eq!(paid.status, 202, "{}", paid.text);
    let left = admin(&h, "GET", &format!("/accounts/{}/balance", a.name), Value::Null).await;
    assert_eq!(left["balance"], 48.0);
}

#[tokio::test]
async fn sold_out_specs_and_the_quota_refuse_with_huawei_codes() {
    let h = start().await;
    let a = &h.accounts()[0];
    let t = north_token(&h, 0).await;
    let set =
        admin(&h, "POST", "/regions/cn-north-4/sold-out", json!({"specs": ["hf.small.1.linux"]}))
            .await;
    assert_eq!(set["specs"], json!(["hf.small.1.linux"]));
    let before = order_count(&h);
    let r = buy(&h, &t, CRID, body(1, true)).await;
    assert_hcss_error(&r, 400, "HCSS.14000010");
    assert!(r.body["error_msg"].as_str().unwrap().starts_with("plan_spec:"), "{}", r.text);
    // Only that spec, only there.
    let mut other_spec = body(1, true);
    other_spec["plan_spec"] = json!("hf.small.2.linux");
    assert_eq!(buy(&h, &t, &ClientRequestId::generate().to_string(), other_spec).await.status, 202);
    h.set_sold_out("cn-north-4", &[]).unwrap();
    assert_eq!(buy(&h, &t, CRID, body(1, true)).await.status, 202, "restocked");
    assert_eq!(order_count(&h), before + 2);

    // The seed gave the account 6 instances; 2 were just bought (still on order).
    let q =
        admin(&h, "POST", &format!("/accounts/{}/quota", a.name), json!({"instances": 10})).await;
    assert_eq!((q["instances"].as_u64(), q["held"].as_u64()), (Some(10), Some(8)));
    let r = buy(&h, &t, &ClientRequestId::generate().to_string(), body(3, true)).await;
    assert_hcss_error(&r, 400, "HCSS.14000011");
    assert!(r.body["error_msg"].as_str().unwrap().contains("quota is 10"), "{}", r.text);
    assert_eq!(
        buy(&h, &t, &ClientRequestId::generate().to_string(), body(2, true)).await.status,
        202
    );
    h.set_quota(&a.name, None).unwrap();
    assert_eq!(
        buy(&h, &t, &ClientRequestId::generate().to_string(), body(3, true)).await.status,
        202
    );

    // Another account's quota is its own.
    h.set_quota(&h.accounts()[1].name, Some(0)).unwrap();
    let tb = north_token(&h, 1).await;
    assert_hcss_error(&buy(&h, &tb, CRID, body(1, true)).await, 400, "HCSS.14000011");

    let bad = format!("{}/_sim/accounts/nobody/balance", h.base_url());
    assert_eq!(http().get(bad).send().await.unwrap().status(), 404);
    let bad = format!("{}/_sim/regions/mars-1/sold-out", h.base_url());
    assert_eq!(http().get(bad).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn extras_tags_and_a_private_image_show_in_rms() {
    let h = start().await;
    let t = north_token(&h, 0).await;
    let image_id = "a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b";
    let mut b = body(1, true);
    b["image_ref"] = json!({"image_id": image_id});
    b["extra_resources"] =
        json!([{"type": "evs", "size": 100}, {"type": "cbr", "size": 50}, {"type": "hss"}]);
    b["tags"] =
        json!([{"key": "lightdeck-purchase", "value": "p-1"}, {"key": "team", "value": "web"}]);
    let r = buy(&h, &t, CRID, b).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["instance_ids"][0].as_str().unwrap().to_owned();
    h.clock().advance(Duration::minutes(1));
    let res = resources(&h, 0).await.into_iter().find(|r| r.id == id).expect("listed");
    assert_eq!(res.purchase_id(), Some("p-1"));
    assert_eq!(res.tag("team"), Some("web"));
    let ecs = res.sub_resource("huaweicloudinternal_ecs_instance").unwrap();
    assert_eq!(ecs.attribute("image_id"), Some(image_id));
    let disks: Vec<_> = res.sub_resources("hws.resource.type.volume").collect();
    assert_eq!(disks.len(), 2, "system disk and data disk");
    assert_eq!(disks[1].attribute("size"), Some("100"));
    assert_eq!(
        disks[1].logical_resource_name.as_deref(),
        Some("huaweicloudinternal_ecs_instance_data_disk")
    );
    let vault = res.sub_resource("hws.resource.type.vault").expect("backup vault");
    assert_eq!(vault.attribute("size"), Some("50"));
    let hss = res.sub_resource("hws.resource.type.hss").expect("host security");
    assert_eq!(hss.attribute("host_id"), res.server_id());
    assert_eq!(h.instances().into_iter().find(|i| i.id == id).unwrap().image_id, image_id);
    // The extras are paid for: 42 + 35 + 10 + 15 yuan for the month.
    let a = &h.accounts()[0];
    let o = send_as(
        &h,
        a,
        Req::new(
            "GET",
            format!("/v2/orders/customer-orders/details/{}", r.body["order_id"].as_str().unwrap()),
        )
        .domain(&a.domain_id),
    )
    .await;
    assert_eq!(o.body["order_info"]["amount_after_discount"], 102.0, "{}", o.text);
}

#[tokio::test]
async fn renewal_auto_pay_needs_the_balance_too() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    h.set_balance(&a.name, 1.0).unwrap();
    let renew = |auto_pay: i64| {
        Req::new("POST", "/v2/orders/subscriptions/resources/renew").domain(&a.domain_id).json(json!({
            "resource_ids": [inst.id], "period_type": 2, "period_num": 1, "is_auto_pay": auto_pay,
        }))
    };
    let r = send_as(&h, a, renew(1)).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error_code"], "CBC.30050006");
    let r = send_as(&h, a, renew(0)).await;
    assert_eq!(r.status, 200, "without auto-pay the order waits for payment: {}", r.text);
}

fn cloud(h: &Handle, timeout: std::time::Duration) -> HuaweiCloud {
    let clock = h.clock().clone();
    let mut config = ClientConfig::new(Endpoints::single(h.base_url()).unwrap());
    config.clock = Arc::new(move || clock.now());
    config.sleep = Arc::new(|_| Box::pin(async {}));
    config.retry = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
    config.timeout = timeout;
    HuaweiCloud::new(config).unwrap()
}

fn request(purchase_id: &str) -> PurchaseRequest {
    let mut req = PurchaseRequest {
        instance_name: "api".into(),
        description: None,
        plan_spec: "hf.small.1.linux".into(),
        image_ref: Some(ImageRef {
            image_name: Some("Ubuntu".into()),
            image_version: Some("22.04".into()),
            image_id: None,
        }),
        region: "cn-north-4".into(),
        charging_mode: None,
        period_type: "month".into(),
        period_num: 1,
        purchase_quantity: Some(2),
        is_auto_renew: None,
        is_auto_pay: Some(true),
        extra_resources: None,
        tags: None,
    };
    req.set_tag(Tag::purchase(purchase_id));
    req
}

/// The order is created, the answer never arrives: the client says "may have reached the
/// cloud" after one request, and finds the order and then the instances by their tag.
async fn lost_answer(kind: &str) {
    let h = start_with(config().hang(std::time::Duration::from_secs(30))).await;
    let a = &h.accounts()[0];
    let acct =
        cloud(&h, std::time::Duration::from_millis(800)).account(Credentials::from_password(
            IamPassword::new(a.name.clone(), a.iam_user.clone(), a.iam_password.expose_secret()),
        ));
    let started =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let since = h.clock().now().format(&started).unwrap();
    let purchase_id = "1c9e6f0a-3b2d-4e8f-9a7b-6c5d4e3f2a10";
    h.faults().add(format!("PurchaseLightInstances:{kind}:1").parse().unwrap());

    let err = acct.purchase(&request(purchase_id), &ClientRequestId::generate()).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{kind}: {err:?}");
    assert!(err.may_have_taken_effect() && PurchaseRefusal::of(&err).is_none());
    assert_eq!(h.count_requests("PurchaseLightInstances"), 1, "{kind}: sent once");
    let logged =
        h.requests().into_iter().find(|r| r.operation == "PurchaseLightInstances").unwrap();
    assert_eq!((logged.status, logged.error_code.as_deref()), (499, Some(kind)));
    h.faults().clear();

    // The order exists although nobody was told.
    let orders = acct
        .list_all_customer_orders(&ListCustomerOrdersQuery::flexus_purchases_since(&since))
        .await
        .unwrap();
    assert_eq!(orders.items.len(), 1, "{kind}");
    assert_eq!(orders.items[0].order_status(), OrderStatus::Processing);
    // Once it completes, the instances carry the purchase tag.
    h.clock().advance(Duration::minutes(1));
    let found = acct
        .list_l_instances_tagged(Some(Region::CnNorth4), &[Tag::purchase(purchase_id).filter()])
        .await
        .unwrap();
    assert_eq!(found.items.len(), 2, "{kind}");
    assert!(found.items.iter().all(|r| r.purchase_id() == Some(purchase_id)));
    assert!(found.items.iter().all(|r| r.order_id() == Some(orders.items[0].order_id.as_str())));
    let untagged = acct.list_l_instances(Some(Region::CnNorth4)).await.unwrap();
    assert!(untagged.items.len() > found.items.len(), "the filter filters");
}

#[tokio::test]
async fn a_dropped_answer_after_the_order_is_reconciled() {
    lost_answer("drop_after").await;
}

#[tokio::test]
async fn a_hung_answer_after_the_order_is_reconciled() {
    lost_answer("hang_after").await;
}

#[tokio::test]
async fn refusals_reach_the_client_by_name() {
    let h = start().await;
    let a = &h.accounts()[0];
    let acct = cloud(&h, std::time::Duration::from_secs(10)).account(Credentials::from_password(
        IamPassword::new(a.name.clone(), a.iam_user.clone(), a.iam_password.expose_secret()),
    ));
    h.set_balance(&a.name, 10.0).unwrap();
    let err = acct.purchase(&request("p-balance"), &ClientRequestId::generate()).await.unwrap_err();
    assert_eq!(PurchaseRefusal::of(&err), Some(PurchaseRefusal::InsufficientBalance), "{err:?}");
    assert!(!err.may_have_taken_effect());
    h.set_balance(&a.name, 10_000.0).unwrap();
    h.set_sold_out("cn-north-4", &["hf.small.1.linux"]).unwrap();
    let err = acct.purchase(&request("p-sold"), &ClientRequestId::generate()).await.unwrap_err();
    assert_eq!(PurchaseRefusal::of(&err), Some(PurchaseRefusal::SoldOut), "{err:?}");
    h.set_sold_out("cn-north-4", &[]).unwrap();
    h.set_quota(&a.name, Some(1)).unwrap();
    let err = acct.purchase(&request("p-quota"), &ClientRequestId::generate()).await.unwrap_err();
    assert_eq!(PurchaseRefusal::of(&err), Some(PurchaseRefusal::QuotaExceeded), "{err:?}");
    h.set_quota(&a.name, None).unwrap();
    h.faults().add("PurchaseLightInstances:429svc:1".parse().unwrap());
    let err = acct.purchase(&request("p-429"), &ClientRequestId::generate()).await.unwrap_err();
    assert_eq!(PurchaseRefusal::of(&err), Some(PurchaseRefusal::Throttled), "{err:?}");
    assert_eq!(err.huawei_code(), Some("HCSS.14290001"));
    h.faults().clear();
    h.faults().add("PurchaseLightInstances:500:1".parse().unwrap());
    let before = h.count_requests("PurchaseLightInstances");
    let err = acct.purchase(&request("p-500"), &ClientRequestId::generate()).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(h.count_requests("PurchaseLightInstances"), before + 1, "a 500 is not repeated");
}
