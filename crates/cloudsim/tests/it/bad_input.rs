//! Bad requests get Huawei's status and body shape, never axum's defaults or a panic.

use crate::common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn unknown_paths_and_methods_are_the_gateways_404() {
    let h = start().await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let inst = instance_in(&h, a, "cn-north-4");
    for (method, path) in [
        ("GET", "/v2/nothing/here".to_owned()),
        ("GET", "/".to_owned()),
        ("DELETE", format!("/v1/{p}/cloudservers/{}", inst.server.id)),
        ("GET", "/v1/light-instances".to_owned()),
        ("POST", "/v3/projects".to_owned()),
        ("GET", "/v2/orders/subscriptions/resources/renew".to_owned()),
    ] {
        let r = send_as(&h, a, Req::new(method, path.clone()).project(&p)).await;
        assert_gateway_error(&r, 404, "APIG.0101");
    }
}

#[tokio::test]
async fn malformed_bodies_get_each_services_shape() {
    let h = start().await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let action = format!("/v1/{p}/cloudservers/action");
    for body in ["{not json", "[1,2]", "", "\"os-start\"", "{\"os-start\": 5}"] {
        let mut req = Req::new("POST", action.clone()).project(&p);
        req.body = body.to_owned();
        let r = send_as(&h, a, req).await;
        assert_ecs_error(&r, 400, "Ecs.0005");
    }
    for body in
        ["{oops", "{\"resource_ids\": \"abc\", \"period_type\": 2, \"period_num\": 1}", "null"]
    {
        let mut req =
            Req::new("POST", "/v2/orders/subscriptions/resources/renew").domain(&a.domain_id);
        req.body = body.to_owned();
        let r = send_as(&h, a, req).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.body["error_code"], "CBC.0100", "{}", r.text);
        assert!(r.body["error_msg"].is_string());
    }
    let r = send_as(
        &h,
        a,
        Req::new("POST", "/v2/orders/subscriptions/resources/renew")
            .domain(&a.domain_id)
            .json(json!({"resource_ids": [1], "period_type": 2, "period_num": 1})),
    )
    .await;
    assert_eq!(r.body["error_msg"], "resource_ids[0]: must be a string, not a number");

    let r = send_raw(
        &h,
        "POST",
        "/v3/auth/tokens",
        vec![("Content-Type".into(), "application/json".into())],
        "{{{".into(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["title"], "Bad Request");
    assert!(!r.text.contains("Failed to"), "no axum rejection text: {}", r.text);

    let t = token(&h, a, json!({"project": {"name": "cn-north-4"}})).await;
    let mut req = Req::new("POST", "/v1/light-instances")
        .header("Client-Request-Id", "3c1f8e5a-7b2d-4c9e-8f1a-6d5b4c3a2b10");
    req.body = "{\"instance_name\": [\"x\"]}".into();
    let r = send_token(&h, &t, req).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error_code"], "HCSS.14000001");
    assert!(r.body["error_msg"].as_str().unwrap().starts_with("instance_name"));
}

#[tokio::test]
async fn bodies_over_twelve_megabytes_are_refused() {
    let h = start().await;
    let a = &h.accounts()[0];
    let big = format!("{{\"free_resource_ids\": [\"{}\"]}}", "a".repeat(12 * 1024 * 1024 + 10));
    let mut req =
        Req::new("POST", "/v2/payments/free-resources/usages/details/query").domain(&a.domain_id);
    req.body = big;
    let r = send_as(&h, a, req).await;
    assert_gateway_error(&r, 413, "APIG.0201");
}

#[tokio::test]
async fn token_requests_may_be_larger_than_twelve_megabytes() {
    let h = start().await;
    let a = &h.accounts()[0];
    let t = token(&h, a, json!({"domain": {"name": a.name}})).await;
    let big = format!("{{\"free_resource_ids\": [\"{}\"]}}", "a".repeat(13 * 1024 * 1024));
    let mut req = Req::new("POST", "/v2/payments/free-resources/usages/details/query");
    req.body = big;
    // Past the gateway's AK/SK limit; BSS itself then refuses the over-long id.
    let r = send_token(&h, &t, req).await;
    assert_eq!(r.status, 400, "{}", &r.text[..r.text.len().min(200)]);
    assert_eq!(r.body["error_code"], "CBC.0100");
}
