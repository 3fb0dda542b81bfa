//! BSS operations against the stub: bodies, splitting, merging, no-repeat on renew.

use crate::support;

use lightdeck_huaweicloud::client::{RenewOptions, UnsubscribeOptions};
use lightdeck_huaweicloud::error::Error;
use lightdeck_huaweicloud::model::bss::{PeriodType, QueryResourcesRequest, UnsubscribeType};
use lightdeck_huaweicloud::{InstanceId, OrderId, PackageId};
use serde_json::json;
use support::{Canned, DOMAIN_ID, Stub};

const RENEW: &str = "/v2/orders/subscriptions/resources/renew";
const UNSUBSCRIBE: &str = "/v2/orders/subscriptions/resources/unsubscribe";
const USAGE: &str = "/v2/payments/free-resources/usages/details/query";
const QUERY: &str = "/v2/orders/suscriptions/resources/query";

fn instance(n: usize) -> InstanceId {
    format!("{n:024x}").parse().unwrap()
}

fn package(n: usize) -> PackageId {
    format!("{n:08x}-73f8-4313-bc1b-{n:012x}").parse().unwrap()
}

fn month(count: i64) -> RenewOptions {
    RenewOptions { period: PeriodType::Month, count, auto_pay: true }
}

fn assert_bss_headers(s: &support::Recorded) {
    assert!(s.signed_ok(), "{:?}", s.signature);
    assert_eq!(s.header("content-type"), Some("application/json"));
    assert_eq!(s.header("x-domain-id"), Some(DOMAIN_ID));
    assert_eq!(s.header("x-project-id"), None);
}

#[tokio::test]
async fn order_details_decode() {
    let stub = Stub::start().await;
    let path = "/v2/orders/customer-orders/details/CS24022811305H1EW";
    stub.on("GET", path, vec![Canned::json(200, json!({
        "total_count": 1,
        "order_info": {"order_id": "CS24022811305H1EW", "customer_id": DOMAIN_ID, "service_type_code": "hws.service.type.hcss",
            "service_type_name": "Flexus L", "source_type": 1, "status": 5, "order_type": 1, "amount_after_discount": 108.0,
            "official_amount": 120.0, "measure_id": 1, "create_time": "2024-02-28T11:30:05Z", "payment_time": "2024-02-28T11:30:20Z",
            "currency": "CNY", "amount_info": {"discounts": [{"discount_type": "700", "discount_amount": 12.0}], "coupon_amount": 0.0}},
        "order_line_items": [{"order_line_item_id": "CS24022811305H1EW-000001", "service_type_code": "hws.service.type.hcss",
            "period_type": 2, "period_num": 1, "subscription_num": 1, "commercial_resource": "hws.resource.type.hecsfusion"}]
    }))]);
    let reply = stub
        .aksk_account()
        .order_details(&"CS24022811305H1EW".parse::<OrderId>().unwrap())
        .await
        .unwrap();
    assert_eq!(reply.body.order_info.status, 5);
    assert_eq!(reply.body.order_line_items.len(), 1);
    assert!(reply.request_id.is_some());
    let sent = &stub.requests_to(path)[0];
    assert_eq!((sent.method.as_str(), sent.query.as_str()), ("GET", ""));
    assert_bss_headers(sent);
}

#[tokio::test]
async fn renew_splits_into_tens() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        RENEW,
        vec![Canned::json(
            200,
            json!({"order_ids": ["CS241125185460CZY"], "fail_resource_infos": []}),
        )],
    );
    let ids: Vec<InstanceId> = (0..25).map(instance).collect();
    let results = stub.aksk_account().renew(&ids, &month(3)).await.unwrap();
    let sizes: Vec<usize> = results.iter().map(|c| c.ids.len()).collect();
    assert_eq!(sizes, [10, 10, 5]);
    assert!(
        results.iter().all(|c| c.result.as_ref().unwrap().body.order_ids == ["CS241125185460CZY"])
    );

    let sent = stub.requests_to(RENEW);
    assert_eq!(sent.len(), 3);
    let first: Vec<String> = ids[..10].iter().map(|i| i.to_string()).collect();
    assert_eq!(
        sent[0].json(),
        json!({"resource_ids": first, "period_type": 2, "period_num": 3, "is_auto_pay": 1})
    );
    assert_eq!(sent[2].json()["resource_ids"].as_array().unwrap().len(), 5);
    sent.iter().for_each(assert_bss_headers);

    let err = stub.aksk_account().renew(&ids, &month(12)).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(f) if f.get("period_num").is_some()));
    assert_eq!(stub.requests_to(RENEW).len(), 3, "an invalid renewal sends nothing");
}

#[tokio::test]
async fn renew_after_a_server_error_is_outcome_unknown_and_sent_once() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        RENEW,
        vec![
            Canned::json(500, json!({"error_code": "CBC.0999", "error_msg": "system error"}))
                .header("X-Request-Id", "rq-500"),
            Canned::json(200, json!({"order_ids": ["CS241125185460CZY"]})),
        ],
    );
    let results = stub.aksk_account().renew(&[instance(1)], &month(1)).await.unwrap();
    let err = results[0].result.as_ref().unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert!(err.may_have_taken_effect());
    assert!(!err.is_retryable());
    assert_eq!(err.request_id(), Some("rq-500"));
    assert_eq!(err.huawei_code(), Some("CBC.0999"));
    let text = err.to_string();
    assert!(text.contains("may or may not") && text.contains("check"), "{text}");
    assert_eq!(stub.requests_to(RENEW).len(), 1);
    assert!(stub.recorded_sleeps().is_empty());
}

#[tokio::test]
async fn renew_is_retried_after_throttling_because_nothing_was_processed() {
    let stub = Stub::start().await;
    stub.on("POST", RENEW, vec![
        Canned::json(429, json!({"error_code": "APIG.0308", "error_msg": "The throttling threshold has been reached"})).header("Retry-After", "2"),
        Canned::json(200, json!({"order_ids": ["CS241125185460CZY"]})),
    ]);
    let results = stub.aksk_account().renew(&[instance(1)], &month(1)).await.unwrap();
    assert!(results[0].result.is_ok());
    assert_eq!(stub.requests_to(RENEW).len(), 2);
    assert_eq!(stub.recorded_sleeps(), [std::time::Duration::from_secs(2)]);
}

#[tokio::test]
async fn unsubscribe_sends_type_and_reason() {
    let stub = Stub::start().await;
    stub.on("POST", UNSUBSCRIBE, vec![Canned::json(200, json!({"order_ids": ["CS241125191112O62"], "fail_resource_infos": [
        {"resource_id": "000000000000000000000001", "error_code": "CBC.99003651", "error_msg": "transaction in progress"}]}))]);
    let options = UnsubscribeOptions {
        kind: UnsubscribeType::ResourceAndRenewals,
        reason_type: Some(5),
        reason: Some("moving".into()),
    };
    let ids: Vec<InstanceId> = (0..12).map(instance).collect();
    let results = stub.aksk_account().unsubscribe(&ids, &options).await.unwrap();
    assert_eq!(results.len(), 2);
    let body = &results[0].result.as_ref().unwrap().body;
    assert_eq!(body.fail_resource_infos[0].error_code, "CBC.99003651");
    let sent = stub.requests_to(UNSUBSCRIBE);
    let first: Vec<String> = ids[..10].iter().map(|i| i.to_string()).collect();
    assert_eq!(
        sent[0].json(),
        json!({"resource_ids": first, "unsubscribe_type": 1, "unsubscribe_reason_type": 5, "unsubscribe_reason": "moving"})
    );
    sent.iter().for_each(assert_bss_headers);
}

#[tokio::test]
async fn usage_queries_split_at_100_and_merge() {
    let stub = Stub::start().await;
    let detail = |id: &str| {
        json!({"free_resource_id": id, "free_resource_type_name": "轻量BGP流量套餐包", "usage_type_name": "上行流量",
        "quota_reuse_cycle": 4, "quota_reuse_cycle_type": 2, "start_time": "2024-11-25T08:00:00Z", "end_time": "2024-12-25T08:00:00Z",
        "amount": 180, "original_amount": 200, "measure_id": 10})
    };
    stub.on(
        "POST",
        USAGE,
        vec![
            Canned::json(200, json!({"free_resources": [detail("a")]})),
            Canned::json(200, json!({"free_resources": [detail("b")]})),
            Canned::json(200, json!({"free_resources": [detail("c")]})),
        ],
    );
    let ids: Vec<PackageId> = (0..250).map(package).collect();
    let merged = stub.aksk_account().free_resource_usages(&ids).await.unwrap();
    let got: Vec<&str> = merged.items.iter().map(|d| d.free_resource_id.as_str()).collect();
    assert_eq!(got, ["a", "b", "c"]);
    assert_eq!(merged.items[0].amount, Some(180.0));
    assert_eq!(merged.request_ids.len(), 3);
    let sent = stub.requests_to(USAGE);
    let sizes: Vec<usize> =
        sent.iter().map(|s| s.json()["free_resource_ids"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(sent[1].json()["free_resource_ids"][0], ids[100].as_str());
    sent.iter().for_each(assert_bss_headers);
}

#[tokio::test]
async fn pay_per_period_query_splits_ids_and_walks_offsets() {
    let stub = Stub::start().await;
    let item = |id: String| {
        json!({"id": "x", "resource_id": id, "is_main_resource": 1, "status": 2,
        "expire_time": "2025-10-13T16:00:00Z", "expire_policy": 3, "service_type_code": "hws.service.type.hcss"})
    };
    let page = |range: std::ops::Range<usize>, total: usize| {
        let data: Vec<_> = range.map(|n| item(instance(n).to_string())).collect();
        Canned::json(200, json!({"data": data, "total_count": total}))
    };
    // Chunk 1 (50 ids) answers in one page; chunk 2 (10 ids) in two pages.
    stub.on("POST", QUERY, vec![page(0..50, 50), page(50..55, 10), page(55..60, 10)]);
    let ids: Vec<InstanceId> = (0..60).map(instance).collect();
    let all = stub.aksk_account().instance_expiry(&ids).await.unwrap();
    assert_eq!(all.items.len(), 60);
    assert!(all.items[0].is_auto_renew());
    let sent = stub.requests_to(QUERY);
    assert_eq!(sent.len(), 3);
    let bodies: Vec<_> = sent.iter().map(|s| s.json()).collect();
    assert_eq!(bodies[0]["resource_ids"].as_array().unwrap().len(), 50);
    assert_eq!(bodies[0]["only_main_resource"], 1);
    assert_eq!((bodies[0]["offset"].clone(), bodies[0]["limit"].clone()), (json!(0), json!(100)));
    assert_eq!(bodies[1]["resource_ids"].as_array().unwrap().len(), 10);
    assert_eq!(bodies[2]["offset"], 5);
    sent.iter().for_each(assert_bss_headers);

    // Without ids: one walk over every resource.
    let stub = Stub::start().await;
    stub.on("POST", QUERY, vec![page(0..0, 0)]);
    let none = stub
        .aksk_account()
        .pay_per_period_resources(&QueryResourcesRequest::default())
        .await
        .unwrap();
    assert!(none.items.is_empty());
    assert!(stub.requests_to(QUERY)[0].json().get("resource_ids").is_none());
}
