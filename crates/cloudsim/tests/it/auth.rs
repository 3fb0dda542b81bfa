//! The gateway's authentication: signatures, dates, hosts, lockout, tokens and their scope.

use crate::common;

use common::*;
use lightdeck_huaweicloud::signing::{SignableRequest, sign};
use secrecy::ExposeSecret;
use serde_json::json;
use time::Duration;

fn show_path(project: &str, server: &str) -> String {
    format!("/v1/{project}/cloudservers/{server}")
}

#[tokio::test]
async fn good_signature_is_accepted_and_wrong_secret_is_refused() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let ok = send_as(&h, a, Req::new("GET", show_path(&p, &inst.server.id)).project(&p)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["server"]["id"], inst.server.id.as_str());
    assert_request_id(&ok);

    let now = h.clock().now();
    let bad_sk = "x".repeat(40);
    let r = send_signed(
        &h,
        &a.ak,
        &bad_sk,
        now,
        Req::new("GET", show_path(&p, &inst.server.id)).project(&p),
    )
    .await;
    assert_gateway_error(&r, 401, "APIG.0301");
    let msg = r.body["error_msg"].as_str().unwrap();
    assert!(
        msg.starts_with("Incorrect IAM authentication information: verify aksk signature fail"),
        "{msg}"
    );
    assert!(!msg.contains(a.sk.expose_secret()));
}

#[tokio::test]
async fn unsigned_requests_and_unknown_keys_are_refused() {
    let h = start().await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let r = send_raw(
        &h,
        "GET",
        &show_path(&p, "72a270de-665a-4f46-8d64-24ad6edccdd2"),
        vec![],
        String::new(),
    )
    .await;
    assert_gateway_error(&r, 401, "APIG.0301");
    assert!(r.body["error_msg"].as_str().unwrap().contains("x-auth-token not found"));

    let now = h.clock().now();
    let r = send_signed(
        &h,
        "AAAAAAAAAAAAAAAAAAAA",
        &"s".repeat(40),
        now,
        Req::new("GET", show_path(&p, "x")).project(&p),
    )
    .await;
    assert_gateway_error(&r, 401, "APIG.0301");
}

#[tokio::test]
async fn sdk_date_must_be_within_fifteen_minutes() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let sk = a.sk.expose_secret().to_owned();
    let now = h.clock().now();
    for (skew, want) in [(-14, 200), (14, 200), (-16, 401), (16, 401)] {
        let r = send_signed(
            &h,
            &a.ak,
            &sk,
            now + Duration::minutes(skew),
            Req::new("GET", show_path(&p, &inst.server.id)).project(&p),
        )
        .await;
        assert_eq!(r.status, want, "skew {skew} min: {}", r.text);
        if want == 401 {
            assert_eq!(r.body["error_code"], "APIG.0301");
        }
    }
}

#[tokio::test]
async fn the_signed_host_must_include_the_port() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let path = show_path(&p, &inst.server.id);
    let signed = sign(
        SignableRequest {
            method: "GET",
            host: "127.0.0.1",
            path: &path,
            query: &[],
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Project-Id".into(), p.clone()),
            ],
            body: b"",
        },
        &a.ak,
        a.sk.expose_secret().as_bytes(),
        h.clock().now(),
    );
    // reqwest sends Host with the port, so a signature over the bare host cannot match.
    let r = send_raw(&h, "GET", &signed.path_and_query, signed.headers, String::new()).await;
    assert_gateway_error(&r, 401, "APIG.0301");
}

#[tokio::test]
async fn five_bad_signatures_lock_the_key_for_five_minutes() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let req = || Req::new("GET", show_path(&p, &inst.server.id)).project(&p);
    let bad = || async { send_signed(&h, &a.ak, &"z".repeat(40), h.clock().now(), req()).await };

    // Four failures, then a success, reset the count.
    for _ in 0..4 {
        assert_eq!(bad().await.status, 401);
    }
    assert_eq!(send_as(&h, a, req()).await.status, 200);
    for _ in 0..4 {
        assert_eq!(bad().await.status, 401);
    }
    assert_eq!(send_as(&h, a, req()).await.status, 200);

    for _ in 0..5 {
        assert_eq!(bad().await.status, 401);
    }
    let locked = send_as(&h, a, req()).await;
    assert_gateway_error(&locked, 401, "APIG.0301");
    assert!(
        locked.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("AK access failed to reach the limit,forbidden")
    );
    // Another account is not affected.
    let b = &h.accounts()[1];
    let pb = project(b, "cn-north-4");
    let ib = instance_in(&h, b, "cn-north-4");
    assert_eq!(
        send_as(&h, b, Req::new("GET", show_path(&pb, &ib.server.id)).project(&pb)).await.status,
        200
    );

    h.clock().advance(Duration::minutes(4));
    assert_eq!(send_as(&h, a, req()).await.status, 401);
    h.clock().advance(Duration::minutes(1) + Duration::seconds(1));
    assert_eq!(send_as(&h, a, req()).await.status, 200);
}

#[tokio::test]
async fn ecs_needs_a_signed_project_header_of_the_callers_account() {
    let h = start().await;
    let (a, b) = (&h.accounts()[0], &h.accounts()[1]);
    let inst = instance_in(&h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let path = show_path(&p, &inst.server.id);

    let r = send_as(&h, a, Req::new("GET", path.clone())).await;
    assert_gateway_error(&r, 401, "APIG.0301");
    assert!(r.body["error_msg"].as_str().unwrap().contains("X-Project-Id"));

    let r = send_as(&h, a, Req::new("GET", path.clone()).project(&project(b, "cn-north-4"))).await;
    assert_gateway_error(&r, 401, "APIG.0301");

    let other = project(a, "cn-east-3");
    let r = send_as(&h, a, Req::new("GET", path.clone()).project(&other)).await;
    assert_gateway_error(&r, 403, "APIG.0302");

    // B signing for A's project in both places: still not B's project.
    let r = send_as(&h, b, Req::new("GET", path).project(&p)).await;
    assert_gateway_error(&r, 401, "APIG.0301");
}

#[tokio::test]
async fn tokens_are_scoped_and_expire() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let path = show_path(&p, &inst.server.id);

    let project_token = token(&h, a, json!({"project": {"name": "cn-north-4"}})).await;
    assert_eq!(send_token(&h, &project_token, Req::new("GET", path.clone())).await.status, 200);
    let elsewhere = show_path(&project(a, "cn-east-3"), &inst.server.id);
    assert_gateway_error(
        &send_token(&h, &project_token, Req::new("GET", elsewhere)).await,
        403,
        "APIG.0302",
    );

    let domain_token = token(&h, a, json!({"domain": {"name": a.name}})).await;
    assert_gateway_error(
        &send_token(&h, &domain_token, Req::new("GET", path.clone())).await,
        403,
        "APIG.0302",
    );
    let rms = format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id);
    let r = send_token(
        &h,
        &domain_token,
        Req::new("GET", rms.clone()).query("type", "hcss.l-instance"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let other_domain =
        format!("/v1/resource-manager/domains/{}/all-resources", h.accounts()[1].domain_id);
    assert_gateway_error(
        &send_token(&h, &domain_token, Req::new("GET", other_domain)).await,
        403,
        "APIG.0302",
    );

    let by_id = token(&h, a, json!({"project": {"id": p}})).await;
    assert_eq!(send_token(&h, &by_id, Req::new("GET", path.clone())).await.status, 200);

    let r = send_token(&h, "MIInot-a-token", Req::new("GET", path.clone())).await;
    assert_gateway_error(&r, 401, "APIG.0301");
    assert!(r.body["error_msg"].as_str().unwrap().contains("decrypt token fail"));

    h.clock().advance(Duration::hours(24) + Duration::seconds(1));
    let r = send_token(&h, &project_token, Req::new("GET", path)).await;
    assert_gateway_error(&r, 401, "APIG.0301");
    assert!(
        r.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("token expires, expires_at: 2025-03-02T08:00:00.000Z")
    );
}

#[tokio::test]
async fn purchase_refuses_aksk_only() {
    let h = start().await;
    let a = &h.accounts()[0];
    let r = send_as(
        &h,
        a,
        Req::new("POST", "/v1/light-instances").project(&project(a, "cn-north-4")).json(json!({})),
    )
    .await;
    assert_gateway_error(&r, 401, "APIG.0301");
}

#[tokio::test]
async fn rms_and_bss_need_a_signed_domain_header() {
    let h = start().await;
    let a = &h.accounts()[0];
    let rms = format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id);
    assert_gateway_error(&send_as(&h, a, Req::new("GET", rms.clone())).await, 401, "APIG.0301");
    let r = send_as(&h, a, Req::new("GET", rms).domain(&a.domain_id)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let other = format!("/v1/resource-manager/domains/{}/all-resources", h.accounts()[1].domain_id);
    assert_gateway_error(
        &send_as(&h, a, Req::new("GET", other).domain(&a.domain_id)).await,
        403,
        "APIG.0302",
    );
    let r = send_as(
        &h,
        a,
        Req::new("GET", "/v2/orders/customer-orders/details/CS2409131529QL4NJ")
            .domain(&h.accounts()[1].domain_id),
    )
    .await;
    assert_gateway_error(&r, 401, "APIG.0301");
}
