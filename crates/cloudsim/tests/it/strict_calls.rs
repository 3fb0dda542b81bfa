//! Strict ECS and HCSS calls: password resets only for ACTIVE or SHUTOFF servers (dry runs
//! included, and changing nothing), HCSS throttling with its own code.

use crate::common;
use crate::lifecycle_strict::{now_of, pick, reset};

use common::*;
use serde_json::json;

#[tokio::test]
async fn password_resets_need_active_or_shutoff_and_dry_runs_change_nothing() {
    let h = start().await;
    let a = h.accounts()[0].clone();
    let active = pick(&h, |i| i.server.status == "ACTIVE");
    let other = pick(&h, |i| i.id != active.id);
    let p = active.project_id.clone();
    h.set_server_state(&other.server.id, "REBOOT", Some("rebooting")).unwrap();
    let jobs_before = h.state()["jobs"].as_array().unwrap().len();

    for dry_run in [false, true] {
        let r = reset(&h, &a, &p, &[&active.server.id, &other.server.id], dry_run).await;
        assert_ecs_error(&r, 400, "Ecs.0112");
        let details = r.body["error"]["details"].as_array().unwrap();
        assert_eq!(details.len(), 1, "only the rebooting server is refused: {}", r.text);
        assert!(details[0]["message"].as_str().unwrap().contains(&other.server.id));
        assert!(details[0]["message"].as_str().unwrap().contains("REBOOT"));
    }
    assert!(now_of(&h, &active.id).server.password_reset_at.is_none(), "all or nothing");

    // A dry run that passes answers as the real call would, and changes nothing.
    let before = now_of(&h, &active.id);
    let r = reset(&h, &a, &p, &[&active.server.id], true).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["response"][0]["id"], active.server.id.as_str());
    let after = now_of(&h, &active.id);
    assert!(after.server.password_reset_at.is_none());
    assert_eq!(
        (after.server.status, after.server.updated),
        (before.server.status, before.server.updated)
    );
    assert_eq!(h.state()["jobs"].as_array().unwrap().len(), jobs_before, "no job");

    // A stopped server is fine; the real call records the reset.
    h.set_server_state(&other.server.id, "SHUTOFF", None).unwrap();
    let r = reset(&h, &a, &p, &[&active.server.id, &other.server.id], false).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["response"].as_array().unwrap().len(), 2);
    assert!(now_of(&h, &other.id).server.password_reset_at.is_some());
    for status in ["ERROR", "BUILD", "HARD_REBOOT"] {
        h.set_server_state(&other.server.id, status, None).unwrap();
        let r = reset(&h, &a, &p, &[&other.server.id], false).await;
        assert_ecs_error(&r, 400, "Ecs.0112");
    }
}

#[tokio::test]
async fn hcss_can_throttle_with_its_own_code() {
    let h = start().await;
    let a = h.accounts()[0].clone();
    let t = token(&h, &a, json!({"project": {"name": "cn-north-4"}})).await;
    let buy = || {
        let body = json!({
            "instance_name": "busy", "plan_spec": "hf.small.1.linux",
            "image_ref": {"image_name": "Ubuntu", "image_version": "22.04"},
            "region": "cn-north-4", "period_type": "month", "period_num": 1,
        });
        let req = Req::new("POST", "/v1/light-instances")
            .header("Client-Request-Id", "2d9b8c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f")
            .json(body);
        send_token(&h, &t, req)
    };
    h.faults().add("PurchaseLightInstances:429svc:1".parse().unwrap());
    let r = buy().await;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error_code"], "HCSS.14290001", "{}", r.text);
    assert!(r.body["error_msg"].is_string());
    assert!(r.body.get("request_id").is_none(), "HCSS's body, not the gateway's");
    assert_request_id(&r);
    assert_eq!(h.requests().last().unwrap().error_code.as_deref(), Some("HCSS.14290001"));

    // The gateway's throttling is still there, on HCSS too.
    h.faults().clear();
    h.faults().add("PurchaseLightInstances:429:1".parse().unwrap());
    assert_gateway_error(&buy().await, 429, "APIG.0308");

    // A service without a documented code of its own throttles as its gateway does; the
    // admin API takes the JSON form.
    h.faults().clear();
    let url = format!("{}/_sim/faults", h.base_url());
    let rule =
        json!({"operation": "ListAllResources", "kind": "service_throttle", "probability": 1.0});
    let added = read(http().post(url).json(&rule).send().await.unwrap()).await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!(added.body["faults"][0]["kind"], "service_throttle");
    let path = format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id);
    let r = send_as(&h, &a, Req::new("GET", path).domain(&a.domain_id)).await;
    assert_gateway_error(&r, 429, "APIG.0308");
    h.faults().clear();
    assert_eq!(buy().await.status, 202);
}
