//! Faults (reproducible by seed) and the `/_sim` admin surface.

use crate::common;

use common::*;
use lightdeck_cloudsim::{FaultRule, Handle};
use serde_json::{Value, json};

async fn show_statuses(h: &Handle, n: usize) -> Vec<u16> {
    let a = &h.accounts()[0];
    let inst = instance_in(h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let mut out = Vec::new();
    for _ in 0..n {
        let r = send_as(
            h,
            a,
            Req::new("GET", format!("/v1/{p}/cloudservers/{}", inst.server.id)).project(&p),
        )
        .await;
        if r.status == 500 {
            assert_ecs_error(&r, 500, "Ecs.0004");
        }
        out.push(r.status);
    }
    out
}

#[tokio::test]
async fn faults_repeat_with_the_same_seed() {
    let rule: FaultRule = "ShowServer:500:0.5".parse().unwrap();
    let a = start_with(config().fault(rule.clone())).await;
    let b = start_with(config().fault(rule)).await;
    let (x, y) = (show_statuses(&a, 40).await, show_statuses(&b, 40).await);
    assert_eq!(x, y);
    assert!(x.contains(&500) && x.contains(&200), "{x:?}");
    let c = start_with(config().seed(43).fault("ShowServer:500:0.5".parse().unwrap())).await;
    assert_ne!(show_statuses(&c, 40).await, x, "another seed draws differently");
}

#[tokio::test]
async fn throttle_drop_and_hang() {
    let h = start_with(config().hang(std::time::Duration::from_secs(30))).await;
    let a = &h.accounts()[0];
    let rms = format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id);
    h.faults().add("ListAllResources:429:1".parse().unwrap());
    let r = send_as(&h, a, Req::new("GET", rms.clone()).domain(&a.domain_id)).await;
    assert_gateway_error(&r, 429, "APIG.0308");
    assert!(r.body["error_msg"].as_str().unwrap().contains("throttling threshold"));

    h.faults().clear();
    h.faults().add("ListAllResources:drop:1".parse().unwrap());
    let url = format!("{}{rms}", h.base_url());
    let err =
        http().get(&url).send().await.expect_err("the connection is closed without a response");
    assert!(!err.is_timeout(), "{err}");

    h.faults().clear();
    h.faults().add("*:hang:1".parse().unwrap());
    let client =
        reqwest::Client::builder().timeout(std::time::Duration::from_millis(300)).build().unwrap();
    let err = client.get(&url).send().await.expect_err("hangs past the client's timeout");
    assert!(err.is_timeout(), "{err}");

    h.faults().clear();
    h.faults().add("ListAllResources:latency=1:1".parse().unwrap());
    assert_eq!(send_as(&h, a, Req::new("GET", rms).domain(&a.domain_id)).await.status, 200);
    let logged = h.requests();
    assert!(logged.iter().any(|r| r.operation == "ListAllResources" && r.status == 429));
    // Shutting down does not wait for the hung request's 30 s.
    tokio::time::timeout(std::time::Duration::from_secs(5), h.shutdown()).await.unwrap();
}

async fn admin(h: &Handle, method: &str, path: &str, body: Value) -> Resp {
    let rb = http().request(method.parse().unwrap(), format!("{}/_sim{path}", h.base_url()));
    read(rb.header("content-type", "application/json").body(body.to_string()).send().await.unwrap())
        .await
}

#[tokio::test]
async fn admin_paths_control_the_simulator() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let show = || {
        send_as(
            &h,
            a,
            Req::new("GET", format!("/v1/{p}/cloudservers/{}", inst.server.id)).project(&p),
        )
    };

    let r = admin(&h, "POST", "/faults", json!({"spec": "ShowServer:429:1"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(show().await.status, 429);
    assert_eq!(admin(&h, "DELETE", "/faults", json!({})).await.status, 200);
    assert_eq!(show().await.status, 200);
    assert_eq!(
        admin(
            &h,
            "POST",
            "/faults",
            json!({"operation": "ShowJob", "kind": "latency", "ms": 5, "probability": 1.0})
        )
        .await
        .status,
        200
    );
    assert_eq!(admin(&h, "GET", "/faults", json!({})).await.body["faults"][0]["kind"], "latency");
    assert_eq!(
        admin(&h, "POST", "/faults", json!({"spec": "ShowServer:teapot:1"})).await.status,
        400
    );

    let log = admin(&h, "GET", "/requests?operation=ShowServer", json!({})).await;
    assert_eq!(log.body["count"], 2);
    // The throttled request never reached authentication; the next one did.
    assert_eq!(log.body["requests"][0]["status"], 429);
    assert_eq!(log.body["requests"][0]["ak"], a.ak.as_str());
    assert_eq!(log.body["requests"][1]["status"], 200);
    assert_eq!(log.body["requests"][1]["account"], a.name.as_str());
    assert_eq!(h.count_requests("ShowServer"), 2);

    let r = admin(
        &h,
        "POST",
        &format!("/servers/{}/state", inst.server.id),
        json!({"status": "ERROR"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(show().await.body["server"]["status"], "ERROR");
    assert_eq!(
        admin(
            &h,
            "POST",
            &format!("/servers/{}/state", inst.server.id),
            json!({"status": "ON_FIRE"})
        )
        .await
        .status,
        404
    );

    let r = admin(&h, "POST", "/clock/advance", json!({"seconds": 90})).await;
    assert_eq!(r.body["now"], "2025-03-01T08:01:30.000Z");
    assert_eq!(h.clock().now(), START + time::Duration::seconds(90));
    // Absurd amounts are refused or stop at the clock's range; the simulator keeps serving.
    let r = admin(&h, "POST", "/clock/advance", json!({"seconds": 1e300})).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.body["error"].as_str().unwrap().starts_with("seconds:"), "{}", r.text);
    let r = admin(&h, "POST", "/clock/set", json!({"time": "9999-12-31T23:59:59Z"})).await;
    assert_eq!(r.body["now"], "2999-12-31T00:00:00.000Z", "{}", r.text);
    let r = admin(&h, "POST", "/clock/advance", json!({"seconds": 9.0e15})).await;
    assert_eq!(r.body["now"], "2999-12-31T00:00:00.000Z", "{}", r.text);
    let late = token(&h, a, json!({"project": {"name": "cn-north-4"}})).await;
    assert!(!late.is_empty());
    admin(&h, "POST", "/clock/set", json!({"time": "2025-03-01T08:01:30Z"})).await;

    let state = admin(&h, "GET", "/state", json!({})).await;
    assert_eq!(state.body["instances"].as_array().unwrap().len(), 12);
    assert!(
        !state.text.contains(secrecy::ExposeSecret::expose_secret(&a.sk)),
        "no secrets in the state dump"
    );
    assert_eq!(admin(&h, "GET", "/nope", json!({})).await.status, 404);

    // Paying an unpaid order at once.
    let t = token(&h, a, json!({"project": {"name": "cn-north-4"}})).await;
    let buy = send_token(
        &h,
        &t,
        Req::new("POST", "/v1/light-instances")
            .header("Client-Request-Id", "0b7d5c1e-6a1f-4f3e-9a55-3c2b1d0e9f88")
            .json(json!({"instance_name": "blog", "plan_spec": "hf.small.1.linux",
            "image_ref": {"image_name": "Ubuntu", "image_version": "22.04"},
            "region": "cn-north-4", "period_type": "month", "period_num": 1})),
    )
    .await;
    let order = buy.body["order_id"].as_str().unwrap();
    assert_eq!(admin(&h, "POST", &format!("/orders/{order}/pay"), json!({})).await.status, 200);
    assert_eq!(admin(&h, "POST", &format!("/orders/{order}/pay"), json!({})).await.status, 409);
}
