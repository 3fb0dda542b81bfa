//! ECS operations against the stub: exact requests, decoding, request ids, paging.

use crate::support;

use lightdeck_huaweicloud::error::Error;
use lightdeck_huaweicloud::model::ecs::{JobStatus, ServerStatus, UpdateServerOption};
use lightdeck_huaweicloud::{JobId, Region, ServerId};
use serde_json::json;
use support::{Canned, PROJECT_ID, Stub};

const SERVER: &str = "72a270de-665a-4f46-8d64-24ad6edccdd2";
const JOB: &str = "ff80808290c6b7b60191ef4d78411d8d";

fn server_id(n: usize) -> ServerId {
    format!("{n:08x}-0000-4000-8000-{n:012x}").parse().unwrap()
}

fn server_json() -> serde_json::Value {
    json!({"server": {
        "id": SERVER, "name": "hcss_ecs_ff60", "status": "ACTIVE",
        "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:task_state": null, "OS-EXT-STS:power_state": 1,
        "addresses": {"0c8a0a8b-1a5c-4a2e-a7f2-6a4e64f0b0d7": [
            {"version": "4", "addr": "192.168.0.58", "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:9a:1b:2c", "OS-EXT-IPS:port_id": "p1"},
            {"version": "4", "addr": "119.3.166.187", "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:9a:1b:2c", "OS-EXT-IPS:port_id": "p1"}]},
        "flavor": {"id": "at7.large.1", "name": "at7.large.1", "disk": "0", "vcpus": "2", "ram": "2048"},
        "image": {"id": "b2a2d3e4-1c5f-4a1e-9c55-3c8e1f0d2a11"},
        "metadata": {"charging_mode": "1", "lockSource": "hcss", "lockSourceId": "66e3e9f8b271f8319ef19e86", "os_type": "Linux"},
        "tags": ["_sys_type_hcss_l"],
        "created": "2024-09-13T07:29:19Z", "updated": "2024-09-13T07:31:02Z",
        "OS-EXT-AZ:availability_zone": "cn-north-4g", "OS-EXT-SRV-ATTR:hostname": "hcss-ecs-ff60",
        "tenant_id": PROJECT_ID, "locked": false, "progress": 0, "host_status": "UP",
        "os-extended-volumes:volumes_attached": [{"id": "v1", "delete_on_termination": "true", "bootIndex": "0", "device": "/dev/vda"}]
    }})
}

#[tokio::test]
async fn show_server_sends_a_signed_get_with_the_project_header() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/{SERVER}");
    stub.on(
        "GET",
        &path,
        vec![
            Canned::json(200, server_json())
                .header("X-Request-Id", "af2953f2bcc67a42325a69a19e6c32a2"),
        ],
    );
    let account = stub.aksk_account();

    let reply = account.show_server(Region::CnNorth4, &SERVER.parse().unwrap()).await.unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.request_id.as_deref(), Some("af2953f2bcc67a42325a69a19e6c32a2"));
    assert_eq!(reply.body.id, SERVER);
    assert_eq!(reply.body.status, Some(ServerStatus::Active));
    assert_eq!(reply.body.power_state, Some(1));
    assert_eq!(reply.body.availability_zone.as_deref(), Some("cn-north-4g"));

    // The project id was discovered first with a signed IAM call.
    let projects = stub.requests_to("/v3/projects");
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0].query, "name=cn-north-4");
    assert!(projects[0].signed_ok());
    assert_eq!(projects[0].header("x-project-id"), None);

    let sent = &stub.requests_to(&path)[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(sent.query, "");
    assert!(sent.signed_ok(), "{:?}", sent.signature);
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("x-project-id"), Some(PROJECT_ID));
    assert_eq!(sent.header("user-agent"), Some("lightdeck-test/1.0"));
    assert_eq!(sent.header("host"), Some(stub.addr.to_string().as_str()));
    let signed = sent.signed_headers();
    for h in ["content-type", "host", "user-agent", "x-project-id", "x-sdk-date"] {
        assert!(signed.contains(&h.to_owned()), "{h} not signed: {signed:?}");
    }
    assert!(sent.body.is_empty());

    // Cached: a second call does not look the project up again.
    account.show_server(Region::CnNorth4, &SERVER.parse().unwrap()).await.unwrap();
    assert_eq!(stub.requests_to("/v3/projects").len(), 1);
}

#[tokio::test]
async fn update_server_validates_then_puts_utf8_json() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/{SERVER}");
    let result = json!({"server": {"id": SERVER, "name": "web-1", "status": "ACTIVE", "tenant_id": PROJECT_ID,
        "addresses": {"vpc": [{"addr": "192.168.0.58", "version": 4}]}, "image": "", "metadata": {}, "locked": false,
        "OS-EXT-SRV-ATTR:hostname": "web-1", "description": "front"}});
    stub.on("PUT", &path, vec![Canned::json(200, result)]);
    let account = stub.aksk_account();
    let server: ServerId = SERVER.parse().unwrap();

    let bad = UpdateServerOption {
        name: Some("bad name!".into()),
        hostname: Some("-x".into()),
        description: Some("<b>".into()),
    };
    let err = account.update_server(Region::CnNorth4, &server, &bad).await.unwrap_err();
    let Error::Validation(fields) = &err else { panic!("{err:?}") };
    for f in ["name", "hostname", "description"] {
        assert!(fields.get(f).is_some(), "{f} not reported: {fields}");
    }
    let empty = UpdateServerOption::default();
    assert!(matches!(
        account.update_server(Region::CnNorth4, &server, &empty).await,
        Err(Error::Validation(_))
    ));
    assert!(stub.requests().is_empty(), "nothing may be sent for an invalid change");

    let change = UpdateServerOption {
        name: Some("web-1".into()),
        hostname: Some("web-1".into()),
        description: Some("front".into()),
    };
    let reply = account.update_server(Region::CnNorth4, &server, &change).await.unwrap();
    assert_eq!(reply.body.name.as_deref(), Some("web-1"));
    let sent = &stub.requests_to(&path)[0];
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.header("content-type"), Some("application/json;charset=utf-8"));
    assert!(sent.signed_ok());
    assert_eq!(
        sent.json(),
        json!({"server": {"name": "web-1", "hostname": "web-1", "description": "front"}})
    );
}

#[tokio::test]
async fn show_job_decodes_sub_jobs() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/jobs/{JOB}");
    stub.on("GET", &path, vec![Canned::json(200, json!({
        "job_id": JOB, "job_type": "batchRebootServers", "status": "FAIL",
        "begin_time": "2024-09-13T07:40:00.000Z", "end_time": "2024-09-13T07:41:10.000Z",
        "error_code": "Ecs.0104", "fail_reason": "partial failure",
        "entities": {"sub_jobs_total": 2, "sub_jobs": [
            {"status": "SUCCESS", "job_id": "s1", "job_type": "rebootServer", "entities": {"server_id": SERVER}},
            {"status": "FAIL", "job_id": "s2", "job_type": "rebootServer", "error_code": "Ecs.0104",
             "entities": {"server_id": "00000001-0000-4000-8000-000000000001", "errorcode_message": "server is locked"}}]}
    }))]);
    let account = stub.aksk_account();
    let reply = account.show_job(Region::CnNorth4, &JOB.parse::<JobId>().unwrap()).await.unwrap();
    assert_eq!(reply.body.status, Some(JobStatus::Fail));
    assert_eq!(reply.body.sub_jobs().len(), 2);
    assert_eq!(reply.body.sub_jobs()[0].server_id(), Some(SERVER));
    let sent = &stub.requests_to(&path)[0];
    assert_eq!(
        (sent.method.as_str(), sent.header("content-type")),
        ("GET", Some("application/json"))
    );
}

#[tokio::test]
async fn list_servers_walks_pages_by_page_number() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/detail");
    let page = |from: usize, n: usize| {
        let servers: Vec<_> = (from..from + n)
            .map(|i| json!({"id": server_id(i).as_str(), "name": format!("s{i}")}))
            .collect();
        Canned::json(200, json!({"count": 1500, "servers": servers}))
    };
    stub.on("GET", &path, vec![page(0, 1000), page(1000, 500)]);
    let account = stub.aksk_account();

    let all = account.list_servers(Region::CnSouth1).await.unwrap();
    assert_eq!(all.items.len(), 1500);
    assert_eq!(all.request_ids.len(), 2);
    let sent = stub.requests_to(&path);
    let queries: Vec<&str> = sent.iter().map(|s| s.query.as_str()).collect();
    assert_eq!(queries, ["limit=1000&offset=1", "limit=1000&offset=2"]);
    assert!(sent.iter().all(|s| s.signed_ok()));

    let err = account.list_servers_page(Region::CnSouth1, 1, 1001).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(f) if f.get("limit").is_some()));
}

#[tokio::test]
async fn a_repeating_server_list_is_an_error_not_a_hang() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/detail");
    let servers: Vec<_> = (0..1000).map(|i| json!({"id": server_id(i).as_str()})).collect();
    stub.on("GET", &path, vec![Canned::json(200, json!({"count": 99999, "servers": servers}))]);
    let err = stub.aksk_account().list_servers(Region::CnSouth1).await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert_eq!(stub.requests_to(&path).len(), 2);
}

#[tokio::test]
async fn password_accounts_use_a_project_token_instead_of_a_signature() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/{SERVER}");
    stub.on("GET", &path, vec![Canned::json(200, server_json())]);
    let account = stub.password_account();
    account.show_server(Region::ApSoutheast3, &SERVER.parse().unwrap()).await.unwrap();

    let token_req = &stub.requests_to("/v3/auth/tokens")[0];
    assert_eq!(token_req.query, "nocatalog=true");
    assert_eq!(token_req.header("content-type"), Some("application/json;charset=utf-8"));
    assert_eq!(token_req.method, "POST");
    assert!(
        token_req.header("authorization").is_none() && token_req.header("x-auth-token").is_none()
    );
    assert_eq!(
        token_req.json(),
        json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": support::USER, "password": support::PASSWORD,
                "domain": {"name": support::ACCOUNT}}}},
            "scope": {"project": {"name": "ap-southeast-3"}}}})
    );
    let sent = &stub.requests_to(&path)[0];
    assert!(sent.header("authorization").is_none());
    assert!(sent.header("x-auth-token").unwrap().starts_with(support::TOKEN_PREFIX));
    assert_eq!(stub.requests_to("/v3/projects").len(), 0, "the token body gave the project id");
}
