//! ECS: show, list, update, batch actions driven by the clock, password reset, jobs.

use crate::common;

use common::*;
use lightdeck_huaweicloud::model::ecs::{
    ListServersDetailsResponse, ShowJobResponse, ShowServerResponse, UpdateServerResponse,
};
use serde_json::{Value, json};
use time::Duration;

async fn show(
    h: &lightdeck_cloudsim::Handle,
    a: &lightdeck_cloudsim::Account,
    p: &str,
    server: &str,
) -> Resp {
    send_as(h, a, Req::new("GET", format!("/v1/{p}/cloudservers/{server}")).project(p)).await
}

async fn action(
    h: &lightdeck_cloudsim::Handle,
    a: &lightdeck_cloudsim::Account,
    p: &str,
    body: Value,
) -> Resp {
    send_as(h, a, Req::new("POST", format!("/v1/{p}/cloudservers/action")).project(p).json(body))
        .await
}

async fn job(
    h: &lightdeck_cloudsim::Handle,
    a: &lightdeck_cloudsim::Account,
    p: &str,
    id: &str,
) -> Value {
    let r = send_as(h, a, Req::new("GET", format!("/v1/{p}/jobs/{id}")).project(p)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_value::<ShowJobResponse>(r.body.clone())
        .expect("decodes as the client's ShowJobResponse");
    r.body
}

fn servers_in(
    h: &lightdeck_cloudsim::Handle,
    a: &lightdeck_cloudsim::Account,
    region: &str,
    status: &str,
) -> Vec<String> {
    h.instances()
        .into_iter()
        .filter(|i| {
            i.domain_id == a.domain_id && i.region.id() == region && i.server.status == status
        })
        .map(|i| i.server.id)
        .collect()
}

#[tokio::test]
async fn show_server_has_the_flexus_shape() {
    let h = start().await;
    let a = &h.accounts()[0];
    let inst = instance_in(&h, a, "cn-north-4");
    let p = project(a, "cn-north-4");
    let r = show(&h, a, &p, &inst.server.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let decoded: ShowServerResponse = serde_json::from_value(r.body.clone()).unwrap();
    let _ = decoded;
    let s = &r.body["server"];
    assert_eq!(s["tenant_id"], p.as_str());
    assert_eq!(s["metadata"]["lockSource"], "hcss");
    assert_eq!(s["metadata"]["lockSourceId"], inst.id.as_str());
    assert_eq!(s["tags"][0], "_sys_type_hcss_l");
    let addrs = s["addresses"][&inst.net.vpc_id].as_array().unwrap();
    assert!(addrs.iter().any(|x| x["OS-EXT-IPS:type"] == "floating" && x["addr"] == inst.net.public_ip.as_str()));
    assert!(
        inst.net.public_ip.starts_with("203.0.113.")
            || inst.net.public_ip.starts_with("198.51.100.")
    );

    let missing = show(&h, a, &p, "00000000-0000-4000-8000-000000000000").await;
    assert_ecs_error(&missing, 404, "Ecs.0114");
    // A server of another region's project is not found in this one.
    let hk = instance_in(&h, a, "ap-southeast-1");
    assert_ecs_error(&show(&h, a, &p, &hk.server.id).await, 404, "Ecs.0114");
}

#[tokio::test]
async fn list_pages_by_page_number() {
    let h = start_with(config().instances_per_account(30)).await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let list = |q: Vec<(&'static str, &'static str)>| {
        let mut req = Req::new("GET", format!("/v1/{p}/cloudservers/detail")).project(&p);
        for (k, v) in q {
            req = req.query(k, v);
        }
        send_as(&h, a, req)
    };
    let all = list(vec![("limit", "1000")]).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let decoded: ListServersDetailsResponse = serde_json::from_value(all.body.clone()).unwrap();
    let _ = decoded;
    assert_eq!(all.body["count"], 15);
    assert_eq!(all.body["servers"].as_array().unwrap().len(), 15);
    let page2 = list(vec![("limit", "10"), ("offset", "2")]).await;
    assert_eq!(page2.body["servers"].as_array().unwrap().len(), 5);
    assert_eq!(page2.body["servers"][0]["id"], all.body["servers"][10]["id"]);
    assert_ecs_error(&list(vec![("limit", "1001")]).await, 400, "Ecs.0005");
    // Page 0 is page 1; a negative or non-numeric page is refused.
    let page0 = list(vec![("limit", "10"), ("offset", "0")]).await;
    let page1 = list(vec![("limit", "10"), ("offset", "1")]).await;
    assert_eq!(page0.status, 200, "{}", page0.text);
    assert_eq!(page0.body["servers"], page1.body["servers"]);
    assert_eq!(page0.body["servers"][0]["id"], all.body["servers"][0]["id"]);
    assert_ecs_error(&list(vec![("offset", "-1")]).await, 400, "Ecs.0005");
    assert_ecs_error(&list(vec![("offset", "two")]).await, 400, "Ecs.0005");
}

#[tokio::test]
async fn reboot_runs_through_transitional_states_on_the_clock() {
    let h = start().await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let active = servers_in(&h, a, "cn-north-4", "ACTIVE");
    let id = &active[0];
    let r = action(&h, a, &p, json!({"reboot": {"type": "SOFT", "servers": [{"id": id}]}})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let job_id = r.body["job_id"].as_str().unwrap().to_owned();
    assert_eq!(job_id.len(), 32);

    let s = show(&h, a, &p, id).await;
    assert_eq!(s.body["server"]["status"], "REBOOT");
    assert_eq!(s.body["server"]["OS-EXT-STS:task_state"], "rebooting");
    let j = job(&h, a, &p, &job_id).await;
    assert_eq!(j["status"], "RUNNING");
    assert_eq!(j["entities"]["sub_jobs_total"], 1);

    h.clock().advance(Duration::seconds(3));
    let j = job(&h, a, &p, &job_id).await;
    assert_eq!(j["status"], "SUCCESS");
    assert_eq!(j["entities"]["sub_jobs"][0]["entities"]["server_id"], id.as_str());
    assert_eq!(j["entities"]["sub_jobs"][0]["status"], "SUCCESS");
    let s = show(&h, a, &p, id).await;
    assert_eq!(s.body["server"]["status"], "ACTIVE");
    assert_eq!(s.body["server"]["OS-EXT-STS:task_state"], Value::Null);

    let r = action(&h, a, &p, json!({"reboot": {"type": "HARD", "servers": [{"id": id}]}})).await;
    assert_eq!(show(&h, a, &p, id).await.body["server"]["status"], "HARD_REBOOT");
    h.clock().advance(Duration::seconds(3));
    assert_eq!(job(&h, a, &p, r.body["job_id"].as_str().unwrap()).await["status"], "SUCCESS");
}

#[tokio::test]
async fn stop_then_start_and_wrong_state_fails_per_server() {
    let h = start_with(config().instances_per_account(12)).await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let active = servers_in(&h, a, "cn-north-4", "ACTIVE");
    let (x, y) = (&active[0], &active[1]);

    let r = action(&h, a, &p, json!({"os-stop": {"servers": [{"id": x}]}})).await;
    let stop_job = r.body["job_id"].as_str().unwrap().to_owned();
    let s = show(&h, a, &p, x).await;
    assert_eq!(s.body["server"]["status"], "ACTIVE");
    assert_eq!(s.body["server"]["OS-EXT-STS:task_state"], "powering-off");
    h.clock().advance(Duration::seconds(3));
    assert_eq!(job(&h, a, &p, &stop_job).await["status"], "SUCCESS");
    let s = show(&h, a, &p, x).await;
    assert_eq!(s.body["server"]["status"], "SHUTOFF");
    assert_eq!(s.body["server"]["OS-EXT-STS:vm_state"], "stopped");

    // Start both: x (stopped) succeeds, y (running) fails; the parent job fails.
    let r = action(&h, a, &p, json!({"os-start": {"servers": [{"id": x}, {"id": y}]}})).await;
    let start_job = r.body["job_id"].as_str().unwrap().to_owned();
    assert_eq!(show(&h, a, &p, x).await.body["server"]["OS-EXT-STS:task_state"], "powering-on");
    let running = job(&h, a, &p, &start_job).await;
    assert_eq!(running["status"], "RUNNING");
    h.clock().advance(Duration::seconds(3));
    let done = job(&h, a, &p, &start_job).await;
    assert_eq!(done["status"], "FAIL");
    let subs = done["entities"]["sub_jobs"].as_array().unwrap();
    let sub = |id: &str| subs.iter().find(|s| s["entities"]["server_id"] == id).unwrap().clone();
    assert_eq!(sub(x)["status"], "SUCCESS");
    assert_eq!(sub(y)["status"], "FAIL");
    assert!(sub(y)["entities"]["errorcode_message"].as_str().unwrap().contains("already running"));
    assert_eq!(show(&h, a, &p, x).await.body["server"]["status"], "ACTIVE");

    // Stopping a stopped server fails too; a forced ERROR server cannot reboot.
    action(&h, a, &p, json!({"os-stop": {"type": "HARD", "servers": [{"id": y}]}})).await;
    h.clock().advance(Duration::seconds(3));
    let r = action(&h, a, &p, json!({"os-stop": {"servers": [{"id": y}]}})).await;
    h.clock().advance(Duration::seconds(3));
    assert_eq!(job(&h, a, &p, r.body["job_id"].as_str().unwrap()).await["status"], "FAIL");
    h.set_server_state(x, "ERROR", None).unwrap();
    let r = action(&h, a, &p, json!({"reboot": {"type": "SOFT", "servers": [{"id": x}]}})).await;
    h.clock().advance(Duration::seconds(3));
    assert_eq!(job(&h, a, &p, r.body["job_id"].as_str().unwrap()).await["status"], "FAIL");
    assert!(show(&h, a, &p, x).await.body["server"]["fault"].is_object());
}

#[tokio::test]
async fn action_bodies_are_checked() {
    let h = start().await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let id = &servers_in(&h, a, "cn-north-4", "ACTIVE")[0];
    let cases = [
        json!({}),
        json!({"os-start": {"servers": [{"id": id}]}, "os-stop": {"servers": [{"id": id}]}}),
        json!({"hibernate": {"servers": [{"id": id}]}}),
        json!({"reboot": {"servers": [{"id": id}]}}),
        json!({"reboot": {"type": "GENTLE", "servers": [{"id": id}]}}),
        json!({"os-start": {"servers": []}}),
        json!({"os-start": {"servers": [{"uuid": id}]}}),
        json!({"os-start": {"servers": "all"}}),
        json!({"os-start": {"servers": vec![json!({"id": id}); 1001]}}),
    ];
    for body in cases {
        let r = action(&h, a, &p, body.clone()).await;
        assert_ecs_error(&r, 400, "Ecs.0005");
        assert!(!r.body["error"]["message"].as_str().unwrap().is_empty(), "{body}");
    }
}

#[tokio::test]
async fn update_changes_name_hostname_description() {
    let h = start().await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let inst = instance_in(&h, a, "cn-north-4");
    let path = format!("/v1/{p}/cloudservers/{}", inst.server.id);
    let body =
        json!({"server": {"name": "web-01", "hostname": "web-01", "description": "front end"}});
    let r = send_as(&h, a, Req::new("PUT", path.clone()).project(&p).json(body)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let decoded: UpdateServerResponse = serde_json::from_value(r.body.clone()).unwrap();
    let _ = decoded;
    assert_eq!(r.body["server"]["name"], "web-01");
    assert_eq!(r.body["server"]["OS-EXT-SRV-ATTR:hostname"], "web-01");
    let s = show(&h, a, &p, &inst.server.id).await;
    assert_eq!(s.body["server"]["description"], "front end");

    for (body, field) in [
        (json!({"server": {"name": ""}}), "server.name"),
        (json!({"server": {"hostname": "-bad-"}}), "server.hostname"),
        (json!({"server": {"description": "<b>"}}), "server.description"),
        (json!({"server": {"name": 7}}), "server.name"),
        (json!({"name": "x"}), "server"),
    ] {
        let r = send_as(&h, a, Req::new("PUT", path.clone()).project(&p).json(body)).await;
        assert_ecs_error(&r, 400, "Ecs.0005");
        assert!(r.body["error"]["message"].as_str().unwrap().starts_with(field), "{}", r.text);
    }
}

#[tokio::test]
async fn reset_password_enforces_the_rules() {
    let h = start().await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let id = instance_in(&h, a, "cn-north-4").server.id;
    let path = format!("/v1/{p}/cloudservers/os-reset-passwords");
    let put = |body: Value| send_as(&h, a, Req::new("PUT", path.clone()).project(&p).json(body));

    let r = put(json!({"new_password": "Lightdeck-2025", "servers": [{"id": id}]})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["response"][0]["id"], id.as_str());

    let weak = put(json!({"new_password": "password", "servers": [{"id": id}]})).await;
    assert_ecs_error(&weak, 400, "Ecs.0011");
    assert!(!weak.text.contains("password\""), "the password is not echoed: {}", weak.text);
    assert_ecs_error(
        &put(json!({"new_password": "Root-Passw0rd", "servers": [{"id": id}]})).await,
        400,
        "Ecs.0011",
    );
    assert_ecs_error(&put(json!({"servers": [{"id": id}]})).await, 400, "Ecs.0005");
    assert_eq!(put(json!({"dry_run": true, "servers": [{"id": id}]})).await.status, 200);
    assert_ecs_error(
        &put(json!({"new_password": "Lightdeck-2025", "servers": []})).await,
        400,
        "Ecs.0005",
    );
    let missing = put(json!({"new_password": "Lightdeck-2025", "servers": [{"id": "00000000-0000-4000-8000-000000000000"}]})).await;
    assert_ecs_error(&missing, 404, "Ecs.0114");
}

#[tokio::test]
async fn jobs_belong_to_their_project() {
    let h = start().await;
    let a = &h.accounts()[0];
    let p = project(a, "cn-north-4");
    let id = &servers_in(&h, a, "cn-north-4", "ACTIVE")[0];
    let r = action(&h, a, &p, json!({"reboot": {"type": "SOFT", "servers": [{"id": id}]}})).await;
    let job_id = r.body["job_id"].as_str().unwrap();
    let other = project(a, "ap-southeast-1");
    let r =
        send_as(&h, a, Req::new("GET", format!("/v1/{other}/jobs/{job_id}")).project(&other)).await;
    assert_ecs_error(&r, 404, "Ecs.0114");
}
