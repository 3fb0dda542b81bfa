//! Seeding: formats, realism, determinism and scale.

use crate::common;

use std::collections::HashMap;

use common::*;
use lightdeck_huaweicloud::catalog;
use lightdeck_huaweicloud::model::bss::OrderDetailsResponse;
use secrecy::ExposeSecret;
use time::Duration;

fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[tokio::test]
async fn seeded_fleet_is_realistic_and_valid() {
    let h = start_with(config().accounts(3).instances_per_account(60)).await;
    assert_eq!(h.instance_count(), 180);
    for a in h.accounts() {
        assert!(is_hex(&a.domain_id, 32));
        assert_eq!(a.ak.len(), 20);
        assert!(a.ak.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!(a.sk.expose_secret().len(), 40);
        assert!(a.sk.expose_secret().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(a.projects.len(), 6);
        assert!(a.projects.values().all(|p| is_hex(p, 32)));
        assert!(
            lightdeck_huaweicloud::validate::new_password(a.iam_password.expose_secret()).is_ok()
        );
        assert!(!format!("{a:?}").contains(a.sk.expose_secret()), "Debug hides the secret key");
    }
    let now = START;
    let all = h.instances();
    let (mut week, mut month, mut low_traffic) = (0, 0, 0);
    for i in &all {
        assert!(is_hex(&i.id, 24), "{}", i.id);
        assert!(i.server.id.parse::<lightdeck_huaweicloud::ServerId>().is_ok());
        assert!(i.package.id.parse::<lightdeck_huaweicloud::PackageId>().is_ok());
        assert!(i.order_id.parse::<lightdeck_huaweicloud::OrderId>().is_ok(), "{}", i.order_id);
        assert_eq!(i.order_id.len(), 17);
        catalog::check(i.region.id(), &i.image_name, &i.image_version, &i.plan_spec)
            .unwrap_or_else(|e| {
                panic!("{} {} {} {}: {e}", i.region, i.image_name, i.image_version, i.plan_spec)
            });
        let ip = &i.net.public_ip;
        assert!(
            ip.starts_with("203.0.113.")
                || ip.starts_with("198.51.100.")
                || ip.starts_with("192.0.2."),
            "{ip}"
        );
        assert!(i.name.chars().next().unwrap().is_ascii_lowercase(), "{}", i.name);
        let left = i.expires - now;
        if left < Duration::days(7) {
            week += 1;
        } else if left < Duration::days(30) {
            month += 1;
        }
        if i.package.remaining(now) < 0.2 * i.package.total_gb {
            low_traffic += 1;
        }
        assert!(i.expires > now);
    }
    assert!(week > 0 && month > 0 && low_traffic > 0, "{week} {month} {low_traffic}");
    let ips: std::collections::HashSet<_> = all.iter().map(|i| &i.net.public_ip).collect();
    assert_eq!(ips.len(), all.len(), "public IPs are unique");
}

#[tokio::test]
async fn seeded_instances_come_with_their_completed_purchase_orders() {
    let h = start_with(config().accounts(2).instances_per_account(40)).await;
    let state = h.state();
    let orders = state["orders"].as_array().unwrap();
    let mut bought: HashMap<String, String> = HashMap::new();
    for o in orders {
        assert_eq!((o["order_type"].as_i64(), o["status"].as_i64()), (Some(1), Some(5)), "{o}");
        for rid in o["resource_ids"].as_array().unwrap() {
            let order_id = o["order_id"].as_str().unwrap().to_owned();
            assert!(bought.insert(rid.as_str().unwrap().to_owned(), order_id).is_none());
        }
    }
    let instances = h.instances();
    assert_eq!(bought.len(), instances.len(), "every instance was bought exactly once");
    assert!(orders.len() < instances.len(), "some orders bought several instances");
    for i in &instances {
        assert_eq!(bought[&i.id], i.order_id);
    }

    // Through BSS, as the account that bought them: one line per instance, the period paid
    // for ends when the instance expires.
    let a = &h.accounts()[1];
    let mine: Vec<_> = instances.iter().filter(|i| i.domain_id == a.domain_id).collect();
    let multi = mine
        .iter()
        .find(|i| mine.iter().filter(|j| j.order_id == i.order_id).count() > 1)
        .expect("a multi-instance order");
    let r = send_as(
        &h,
        a,
        Req::new("GET", format!("/v2/orders/customer-orders/details/{}", multi.order_id))
            .domain(&a.domain_id),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let decoded: OrderDetailsResponse = serde_json::from_value(r.body.clone()).unwrap();
    assert_eq!(decoded.order_info.order_id, multi.order_id);
    let info = &r.body["order_info"];
    assert_eq!(info["customer_id"], a.domain_id.as_str());
    assert_eq!((info["status"].as_i64(), info["order_type"].as_i64()), (Some(5), Some(1)));
    let created = parse(info["create_time"].as_str().unwrap());
    let paid = parse(info["payment_time"].as_str().unwrap());
    assert!(created <= paid && paid < START, "{created} {paid}");
    let items = r.body["order_line_items"].as_array().unwrap();
    assert_eq!(r.body["total_count"].as_u64(), Some(items.len() as u64));
    let mut lines: Vec<&str> = items.iter().map(|l| l["resource_id"].as_str().unwrap()).collect();
    lines.sort_unstable();
    let mut expected: Vec<&str> =
        mine.iter().filter(|i| i.order_id == multi.order_id).map(|i| i.id.as_str()).collect();
    expected.sort_unstable();
    assert_eq!(lines, expected);
    for item in items {
        let i = mine.iter().find(|i| i.id == item["resource_id"]).unwrap();
        assert_eq!(item["order_id"], multi.order_id.as_str());
        assert!(item["product_id"].as_str().unwrap().starts_with("OFFI"));
        assert_eq!(parse(item["effective_time"].as_str().unwrap()), i.created);
        assert_eq!(parse(item["expire_time"].as_str().unwrap()), i.expires);
        let months = match item["period_type"].as_i64() {
            Some(2) => item["period_num"].as_i64().unwrap(),
            Some(3) => 12 * item["period_num"].as_i64().unwrap(),
            other => panic!("period_type {other:?}"),
        };
        assert!(months >= 1 && i.created < START && i.expires > START);
    }
    // Another account cannot read it.
    let b = &h.accounts()[0];
    let r = send_as(
        &h,
        b,
        Req::new("GET", format!("/v2/orders/customer-orders/details/{}", multi.order_id))
            .domain(&b.domain_id),
    )
    .await;
    assert_eq!((r.status, r.body["error_code"].as_str()), (400, Some("CBC.0101")), "{}", r.text);
}

fn parse(t: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test]
async fn same_seed_same_world() {
    let a = start().await;
    let b = start().await;
    let ids = |h: &lightdeck_cloudsim::Handle| {
        h.instances().into_iter().map(|i| (i.id, i.name, i.server.id)).collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a.accounts()[0].ak, b.accounts()[0].ak);
    let c = start_with(config().seed(99)).await;
    assert_ne!(ids(&a), ids(&c));
}

#[tokio::test]
async fn ten_thousand_instances() {
    let h = start_with(config().accounts(10).instances_per_account(1000)).await;
    assert_eq!(h.instance_count(), 10_000);
    let a = &h.accounts()[3];
    let r = send_as(
        &h,
        a,
        Req::new("GET", format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id))
            .domain(&a.domain_id)
            .query("limit", "200"),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["page_info"]["current_count"], 200);
    assert!(r.body["page_info"]["next_marker"].is_string());
}
