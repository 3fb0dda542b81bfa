//! The purchase is money: sent once, never repeated after an answer that may have been lost,
//! the same `Client-Request-Id` on an explicit retry, its tag sent and found again in RMS,
//! and the account's recent orders listed for reconciliation.

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lightdeck_huaweicloud::client::{ClientRequestId, HuaweiCloud};
use lightdeck_huaweicloud::endpoints::{Endpoints, Service};
use lightdeck_huaweicloud::error::{Error, PurchaseRefusal};
use lightdeck_huaweicloud::model::bss::{ListCustomerOrdersQuery, OrderStatus};
use lightdeck_huaweicloud::model::hcss::{ImageRef, PURCHASE_TAG_KEY, PurchaseRequest, Tag};
use lightdeck_huaweicloud::{Credentials, IamPassword, Region};
use serde_json::json;
use support::{ACCOUNT, Canned, DOMAIN_ID, PASSWORD, Stub, USER};
use tokio::io::AsyncReadExt;

const PATH: &str = "/v1/light-instances";
const PURCHASE_ID: &str = "0b6f3c1e-2a4d-4c59-9f1e-5d7a8b9c0d1e";

fn request() -> PurchaseRequest {
    let mut req = PurchaseRequest {
        instance_name: "shop".into(),
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
        purchase_quantity: Some(1),
        is_auto_renew: None,
        is_auto_pay: Some(true),
        extra_resources: None,
        tags: None,
    };
    req.set_tag(Tag::new("team", "web"));
    req.set_tag(Tag::purchase(PURCHASE_ID));
    req
}

fn assert_unknown(err: &Error) {
    assert!(matches!(err, Error::OutcomeUnknown { service: Service::Hcss, .. }), "{err:?}");
    assert!(err.may_have_taken_effect(), "{err:?}");
    assert_eq!(PurchaseRefusal::of(err), None);
    assert!(err.to_string().contains("may or may not have taken effect"), "{err}");
}

#[tokio::test]
async fn a_server_error_is_not_repeated_and_may_have_reached_the_cloud() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        PATH,
        vec![Canned::json(
            500,
            json!({"error_code": "HCSS.15000001", "error_msg": "Server error."}),
        )],
    );
    let account = stub.password_account();
    let id = ClientRequestId::generate();
    let err = account.purchase(&request(), &id).await.unwrap_err();
    assert_unknown(&err);
    assert_eq!(err.huawei_code(), Some("HCSS.15000001"), "the code stays readable");
    assert_eq!(stub.requests_to(PATH).len(), 1, "sent exactly once");
    assert!(stub.recorded_sleeps().is_empty());

    // The user retries the very same purchase: the same id goes out again.
    stub.on(
        "POST",
        PATH,
        vec![Canned::json(
            202,
            json!({"order_id": "CS24022811305H1EW", "instance_ids": ["65dea8d23005da564c78d9d2"]}),
        )],
    );
    let reply = account.purchase(&request(), &id).await.unwrap();
    assert_eq!(reply.body.order_id, "CS24022811305H1EW");
    let sent = stub.requests_to(PATH);
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|s| s.header("client-request-id") == Some(id.as_str())));
}

#[tokio::test]
async fn a_timeout_is_not_repeated() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        PATH,
        vec![
            Canned::json(202, json!({"order_id": "CS1", "instance_ids": []}))
                .delayed(Duration::from_secs(5)),
        ],
    );
    let mut config = stub.config();
    config.timeout = Duration::from_millis(300);
    let account = HuaweiCloud::new(config)
        .unwrap()
        .account(Credentials::from_password(IamPassword::new(ACCOUNT, USER, PASSWORD)));
    let err = account.purchase(&request(), &ClientRequestId::generate()).await.unwrap_err();
    assert_unknown(&err);
    let Error::OutcomeUnknown { cause, .. } = &err else { unreachable!() };
    assert!(matches!(**cause, Error::Timeout { .. }), "{cause:?}");
    assert_eq!(stub.requests_to(PATH).len(), 1);
}

/// A listener that reads each request's head and closes the connection without a word.
async fn dropping_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            if conn.read(&mut buf).await.is_ok_and(|n| n > 0) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            drop(conn);
        }
    });
    (url, seen)
}

#[tokio::test]
async fn a_dropped_connection_is_not_repeated() {
    let stub = Stub::start().await;
    let (hcss, seen) = dropping_server().await;
    let mut config = stub.config();
    config.endpoints =
        Endpoints::single(&stub.url()).unwrap().with_service(Service::Hcss, &hcss).unwrap();
    let account = HuaweiCloud::new(config)
        .unwrap()
        .account(Credentials::from_password(IamPassword::new(ACCOUNT, USER, PASSWORD)));
    let err = account.purchase(&request(), &ClientRequestId::generate()).await.unwrap_err();
    assert_unknown(&err);
    assert_eq!(seen.load(Ordering::SeqCst), 1, "one request reached the server");
}

#[tokio::test]
async fn refusals_are_named_and_certain() {
    let stub = Stub::start().await;
    let account = stub.password_account();
    for (status, code, refusal) in [
        (400, "CBC.30050006", PurchaseRefusal::InsufficientBalance),
        (400, "HCSS.14000010", PurchaseRefusal::SoldOut),
        (400, "HCSS.14000011", PurchaseRefusal::QuotaExceeded),
        (429, "HCSS.14290001", PurchaseRefusal::Throttled),
    ] {
        stub.on(
            "POST",
            PATH,
            vec![Canned::json(status, json!({"error_code": code, "error_msg": "no"}))],
        );
        let err = account.purchase(&request(), &ClientRequestId::generate()).await.unwrap_err();
        assert!(!err.may_have_taken_effect(), "{code}: {err:?}");
        assert_eq!(err.huawei_code(), Some(code));
        assert_eq!(PurchaseRefusal::of(&err), Some(refusal), "{code}");
    }
    // 429 is retried (nothing was processed), the others are not.
    assert_eq!(stub.requests_to(PATH).len(), 3 + 3);
}

#[tokio::test]
async fn tags_are_sent_and_found_again_in_rms() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        PATH,
        vec![Canned::json(
            202,
            json!({"order_id": "CS1", "instance_ids": ["65dea8d23005da564c78d9d2"]}),
        )],
    );
    let account = stub.password_account();
    account.purchase(&request(), &ClientRequestId::generate()).await.unwrap();
    let body = stub.requests_to(PATH)[0].json();
    assert_eq!(
        body["tags"],
        json!([{"key": "team", "value": "web"}, {"key": PURCHASE_TAG_KEY, "value": PURCHASE_ID}])
    );

    let rms = format!("/v1/resource-manager/domains/{DOMAIN_ID}/all-resources");
    let resource = json!({"id": "65dea8d23005da564c78d9d2", "name": "shop", "tags": {PURCHASE_TAG_KEY: PURCHASE_ID, "team": "web"}});
    stub.on("GET", &rms, vec![Canned::json(200, json!({"resources": [resource], "page_info": {"current_count": 1, "next_marker": null}}))]);
    let filter = Tag::purchase(PURCHASE_ID).filter();
    let found = account.list_l_instances_tagged(Some(Region::CnNorth4), &[filter]).await.unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].purchase_id(), Some(PURCHASE_ID));
    assert_eq!(found.items[0].tag("team"), Some("web"));
    let sent = &stub.requests_to(&rms)[0];
    assert!(
        sent.query.contains(&format!("tags={PURCHASE_TAG_KEY}%3D{PURCHASE_ID}")),
        "{}",
        sent.query
    );
    assert!(sent.query.contains("type=hcss.l-instance"), "{}", sent.query);

    let err = account.list_l_instances_tagged(None, &[]).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(f) if f.get("tags").is_some()), "{err:?}");
    let six: Vec<String> = (0..6).map(|i| format!("k{i}")).collect();
    assert!(matches!(account.list_l_instances_tagged(None, &six).await, Err(Error::Validation(_))));
}

#[tokio::test]
async fn recent_purchase_orders_are_listed_page_by_page() {
    let stub = Stub::start().await;
    let order = |id: &str, status: i64| json!({"order_id": id, "status": status, "order_type": 1, "service_type_code": "hws.service.type.hcss", "create_time": "2025-03-01T08:00:00Z"});
    let first: Vec<_> = (0..50).map(|i| order(&format!("CS{i:015}"), 5)).collect();
    stub.on(
        "GET",
        "/v2/orders/customer-orders",
        vec![
            Canned::json(200, json!({"total_count": 51, "order_infos": first})),
            Canned::json(200, json!({"total_count": 51, "order_infos": [order("CSLAST", 6)]})),
        ],
    );
    let account = stub.password_account();
    let query = ListCustomerOrdersQuery::flexus_purchases_since("2025-03-01T07:00:00Z");
    let all = account.list_all_customer_orders(&query).await.unwrap();
    assert_eq!(all.items.len(), 51);
    assert_eq!(all.items[50].order_status(), OrderStatus::PendingPayment);
    let sent = stub.requests_to("/v2/orders/customer-orders");
    assert_eq!(sent.len(), 2);
    for part in [
        "create_time_begin=2025-03-01T07%3A00%3A00Z",
        "service_type_code=hws.service.type.hcss",
        "order_type=1",
        "order_by=-createTime",
        "limit=50",
    ] {
        assert!(sent[0].query.contains(part), "{part} in {}", sent[0].query);
    }
    assert!(sent[1].query.contains("offset=50"), "{}", sent[1].query);
}
