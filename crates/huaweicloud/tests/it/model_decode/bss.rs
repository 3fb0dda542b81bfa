use lightdeck_huaweicloud::model::bss::*;
use serde_json::json;

use super::{decode, fixture, fixture_entry, round_trip, to_value, with_unknown_field};

#[test]
fn order_details_decode() {
    let resp: OrderDetailsResponse = decode(&fixture("bss_order_details.json"));
    assert_eq!(resp.total_count, 1);
    let o = &resp.order_info;
    assert_eq!(o.order_id, "CS2409131529QL4NJ");
    assert_eq!(o.status, 5);
    assert_eq!(o.order_status(), OrderStatus::Completed);
    assert!(o.order_status().is_final());
    assert_eq!(o.order_kind(), Some(OrderType::NewPurchase));
    assert_eq!(o.source_type, Some(1));
    assert_eq!(o.amount_after_discount, Some(34.0));
    assert_eq!(o.measure_id, Some(1));
    assert_eq!(o.payment_time.as_deref(), Some("2024-09-13T07:29:58Z"));
    assert_eq!(o.contract_id, None);
    let amount = o.amount_info.as_ref().unwrap();
    assert_eq!(amount.discounts.as_ref().unwrap()[0].discount_amount, Some(6.5));
    assert_eq!(amount.coupon_amount, Some(0.0));
    let item = &resp.order_line_items[0];
    assert_eq!(item.period_type, Some(2));
    assert_eq!(item.period_num, Some(1));
    assert_eq!(item.expire_time.as_deref(), Some("2024-10-13T15:59:59Z"));
    assert_eq!(
        item.base_product_info.as_ref().unwrap().commercial_resource.as_deref(),
        Some("hws.resource.type.hecsfusion")
    );
    round_trip(&resp);
}

#[test]
fn order_status_and_type_codes() {
    let named = [
        (1, OrderStatus::PendingReview),
        (2, OrderStatus::PendingRefund),
        (3, OrderStatus::Processing),
        (4, OrderStatus::Cancelled),
        (5, OrderStatus::Completed),
        (6, OrderStatus::PendingPayment),
        (9, OrderStatus::PendingConfirmation),
        (10, OrderStatus::PendingShipment),
        (11, OrderStatus::PendingReceipt),
        (12, OrderStatus::PendingPickup),
        (13, OrderStatus::ReplacementInProgress),
    ];
    for (code, status) in named {
        assert_eq!(OrderStatus::from_code(code), status);
        assert_eq!(status.code(), code);
    }
    assert!(!OrderStatus::PendingPayment.is_final());
    assert!(OrderStatus::Cancelled.is_final());
    assert_eq!(OrderStatus::from_code(7), OrderStatus::Other(7));
    assert_eq!(OrderType::from_code(2), OrderType::Renewal);
    assert_eq!(OrderType::from_code(4), OrderType::Unsubscribe);
    assert_eq!(OrderType::from_code(99), OrderType::Other(99));
}

#[test]
fn order_with_an_unseen_status_decodes() {
    let resp: OrderDetailsResponse = decode(&json!({
        "total_count": 0,
        "order_info": {"order_id": "CS1", "status": 42, "order_type": 77},
        "order_line_items": null
    }));
    assert_eq!(resp.order_info.order_status(), OrderStatus::Other(42));
    assert_eq!(resp.order_info.order_kind(), Some(OrderType::Other(77)));
    assert!(resp.order_line_items.is_empty());
    round_trip(&resp);
}

#[test]
fn renew_request_matches_the_seed() {
    let seed = fixture_entry("seed_requests.json", "renew");
    let decoded: RenewalResourcesRequest = decode(&seed);
    assert_eq!(PeriodType::from_code(decoded.period_type), Some(PeriodType::Month));
    assert_eq!(to_value(&decoded), seed);
    let built = RenewalResourcesRequest::new(
        vec!["6743d0e3708be6007b8c8012".into()],
        PeriodType::Month,
        1,
        false,
    );
    assert_eq!(
        to_value(&built),
        json!({"resource_ids": ["6743d0e3708be6007b8c8012"], "period_type": 2, "period_num": 1, "is_auto_pay": 0})
    );
    let yearly = RenewalResourcesRequest::new(vec!["a".into()], PeriodType::Year, 3, true);
    assert_eq!((yearly.period_type, yearly.is_auto_pay), (3, Some(1)));
    round_trip(&built);
    round_trip(&yearly);
}

#[test]
fn renew_request_accepts_expire_policy() {
    let req: RenewalResourcesRequest = decode(&json!({
        "resource_ids": ["a"], "period_type": 3, "period_num": 1, "is_auto_pay": 1, "expire_policy": 0
    }));
    assert_eq!(req.expire_policy, Some(0));
    round_trip(&req);
}

#[test]
fn unsubscribe_request_matches_the_seed() {
    let seed = fixture_entry("seed_requests.json", "unsubscribe");
    let built = UnsubscribeResourcesRequest::new(
        vec!["6743d0e3708be6007b8c8012".into()],
        UnsubscribeType::ResourceAndRenewals,
    );
    assert_eq!(to_value(&built), seed);
    let with_reason = UnsubscribeResourcesRequest {
        unsubscribe_reason_type: Some(5),
        unsubscribe_reason: Some("moving to another region".into()),
        ..UnsubscribeResourcesRequest::new(vec!["a".into()], UnsubscribeType::RenewalsOnly)
    };
    assert_eq!(to_value(&with_reason)["unsubscribe_type"], 2);
    round_trip(&built);
    round_trip(&with_reason);
}

#[test]
fn renew_and_unsubscribe_responses_decode() {
    let r: RenewalResourcesResponse = decode(&fixture("bss_renew_response.json"));
    assert_eq!(r.order_ids, ["CS241125185460CZY"]);
    assert!(r.fail_resource_infos.is_empty());
    round_trip(&r);
    let u: UnsubscribeResourcesResponse = decode(&fixture("bss_unsubscribe_response.json"));
    assert_eq!(u.order_ids, ["CS241125191112O62"]);
    round_trip(&u);
    let failed: RenewalResourcesResponse = decode(&json!({
        "order_ids": null,
        "fail_resource_infos": [{"resource_id": "a", "error_code": "CBC.99003016", "error_msg": "resource missing"}]
    }));
    assert!(failed.order_ids.is_empty());
    assert_eq!(failed.fail_resource_infos[0].error_code, "CBC.99003016");
    round_trip(&failed);
}

#[test]
fn free_resource_usages_match_the_seed() {
    let seed = fixture_entry("seed_requests.json", "free_resource_usages");
    let req = ListFreeResourceUsagesRequest {
        free_resource_ids: vec!["828e2c7c-3c8c-45a2-bebc-98cb3e77d06e".into()],
    };
    assert_eq!(to_value(&req), seed);
    round_trip(&req);

    let resp: ListFreeResourceUsagesResponse = decode(&fixture("bss_free_resource_usages.json"));
    let d = &resp.free_resources[0];
    assert_eq!(d.free_resource_id, "828e2c7c-3c8c-45a2-bebc-98cb3e77d06e");
    assert_eq!(d.free_resource_type_name.as_deref(), Some("轻量BGP流量套餐包"));
    assert_eq!(d.usage_type_name.as_deref(), Some("上行流量"));
    assert_eq!((d.quota_reuse_cycle, d.quota_reuse_cycle_type), (Some(4), Some(2)));
    assert_eq!(d.start_time.as_deref(), Some("2024-12-25T08:00:00Z"));
    assert_eq!(d.end_time.as_deref(), Some("2025-01-25T16:00:00Z"));
    assert_eq!((d.amount, d.original_amount), (Some(180.0), Some(200.0)));
    assert_eq!(d.measure_id, Some(10));
    round_trip(&resp);
    let fractional: FreeResourceDetail =
        decode(&json!({"free_resource_id": "x", "amount": 179.25}));
    assert_eq!(fractional.amount, Some(179.25));
}

#[test]
fn pay_per_use_resources() {
    let req = QueryResourcesRequest::main_resources(vec!["66e3e9f8b271f8319ef19e86".into()]);
    assert_eq!(
        to_value(&req),
        json!({"resource_ids": ["66e3e9f8b271f8319ef19e86"], "only_main_resource": 1, "limit": 1})
    );
    round_trip(&req);
    let full = QueryResourcesRequest {
        order_id: Some("CS1".into()),
        status_list: Some(vec![2, 5]),
        offset: Some(0),
        expire_time_begin: Some("2024-01-01T00:00:00Z".into()),
        expire_time_end: Some("2025-01-01T00:00:00Z".into()),
        service_type_code: Some("hws.service.type.hcss".into()),
        ..req
    };
    round_trip(&full);

    let resp: QueryResourcesResponse = decode(&fixture("bss_pay_per_use_resources.json"));
    assert_eq!(resp.total_count, 1);
    let r = &resp.data[0];
    assert_eq!(r.resource_id, "66e3e9f8b271f8319ef19e86");
    assert_eq!(r.resource_spec_code.as_deref(), Some("ahf.large.1.40g.2m.linux"));
    assert!(r.is_main());
    assert!(r.is_auto_renew());
    assert_eq!(r.resource_status(), Some(ResourceStatus::InUse));
    assert_eq!(r.expiry_policy(), Some(ExpirePolicy::AutoRenew));
    assert_eq!(r.expire_time.as_deref(), Some("2024-10-13T15:59:59Z"));
    assert_eq!(r.parent_resource_id, None);
    assert_eq!(r.enterprise_project.as_ref().unwrap().name.as_deref(), Some("default"));
    round_trip(&resp);
    let odd: OrderInstance = decode(&json!({"resource_id": "x", "status": 9, "expire_policy": 8}));
    assert_eq!(odd.resource_status(), Some(ResourceStatus::Other(9)));
    assert_eq!(odd.expiry_policy(), Some(ExpirePolicy::Other(8)));
    assert!(!odd.is_auto_renew() && !odd.is_main());
}

#[test]
fn unknown_fields_are_ignored() {
    let v = with_unknown_field(fixture("bss_order_details.json"), "/order_info");
    let v = with_unknown_field(v, "/order_info/amount_info");
    let v = with_unknown_field(v, "/order_line_items/0/base_product_info");
    let resp: OrderDetailsResponse = decode(&v);
    assert_eq!(resp.order_info.status, 5);
    let v = with_unknown_field(fixture("bss_pay_per_use_resources.json"), "/data/0");
    let _: QueryResourcesResponse = decode(&v);
    let v = with_unknown_field(fixture("bss_free_resource_usages.json"), "/free_resources/0");
    let _: ListFreeResourceUsagesResponse = decode(&v);
}

#[test]
fn error_body_decodes() {
    let e: BssErrorBody = decode(&fixture_entry("errors.json", "bss"));
    assert_eq!(e.error_code, "CBC.0100");
    assert_eq!(e.error_msg, "Parameter error.");
    round_trip(&e);
    assert_eq!(
        to_value(&BssErrorBody::new("CBC.0151", "Access denied.")),
        json!({"error_code": "CBC.0151", "error_msg": "Access denied."})
    );
}
