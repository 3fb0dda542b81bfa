//! RMS listing and the HCSS purchase against the stub.

use crate::support;

use lightdeck_huaweicloud::client::ClientRequestId;
use lightdeck_huaweicloud::error::{AuthError, Error};
use lightdeck_huaweicloud::model::hcss::{ImageRef, PurchaseRequest};
use lightdeck_huaweicloud::{AkSk, Credentials, IamPassword, Region};
use serde_json::json;
use support::{ACCOUNT, AK, Canned, DOMAIN_ID, PASSWORD, SK, Stub, USER};

fn rms_path() -> String {
    format!("/v1/resource-manager/domains/{DOMAIN_ID}/all-resources")
}

fn resource(id: &str, server: &str) -> serde_json::Value {
    json!({
        "id": id, "name": "hcss-test", "provider": "hcss", "type": "l-instance", "region_id": "cn-north-4",
        "project_id": support::PROJECT_ID, "project_name": "cn-north-4", "ep_id": "0", "ep_name": "default",
        "checksum": "c1", "created": "2024-09-13T07:30:00.000Z", "updated": "2024-09-13T07:30:00.000Z",
        "provisioning_state": "Succeeded", "tags": {}, "state": "Normal",
        "properties": {
            "metadata": {"charging_mode": "prePaid", "resource_type": "hws.resource.type.hecsfusion",
                "resource_spec_code": "hf.small.1.linux", "order_id": "CS2409131529QL4NJ",
                "cloud_service_type": "hws.service.type.hcss"},
            "status": "RUNNING", "plan_name": "basic_v12",
            "resources": [
                {"physical_resource_type": "hws.resource.type.vm", "logical_resource_type": "huaweicloudinternal_ecs_instance",
                 "physical_resource_id": server, "physical_resource_name": "hcss_ecs_ff60", "logical_resource_name": "ecs",
                 "cloud_service_type": "hws.service.type.ec2", "resource_attributes": [{"key": "status", "value": "ACTIVE"}]},
                {"physical_resource_type": "hws.resource.type.freeresource", "logical_resource_type": "huaweicloudinternal_cbc_freeresource",
                 "physical_resource_id": "4fb5cd67-73f8-4313-bc1b-f76ed15c9d09", "logical_resource_name": "traffic",
                 "cloud_service_type": "hws.service.type.cbc", "resource_attributes": [{"key": "end_time", "value": "2024-10-13 16:00:00"}]}
            ]
        }
    })
}

/// One ListAllResources page; `next` is the marker of the page after it.
fn rms_page(resources: Vec<serde_json::Value>, next: Option<&str>) -> Canned {
    let count = resources.len();
    Canned::json(
        200,
        json!({"resources": resources, "page_info": {"current_count": count, "next_marker": next}}),
    )
}

#[tokio::test]
async fn rms_pages_are_walked_with_the_domain_header() {
    let stub = Stub::start().await;
    let first = resource("66e3e9f8b271f8319ef19e86", "72a270de-665a-4f46-8d64-24ad6edccdd2");
    let second = resource("6743d0e3708be6007b8c8012", "11111111-665a-4f46-8d64-24ad6edccdd2");
    stub.on(
        "GET",
        &rms_path(),
        vec![rms_page(vec![first], Some("bWFya2VyLTE=")), rms_page(vec![second], None)],
    );
    let account = stub.aksk_account();
    let all = account.list_l_instances(Some(Region::CnNorth4)).await.unwrap();
    assert_eq!(all.items.len(), 2);
    assert_eq!(all.request_ids.len(), 2);
    assert_eq!(all.items[0].server_id(), Some("72a270de-665a-4f46-8d64-24ad6edccdd2"));
    assert_eq!(all.items[0].traffic_package_id(), Some("4fb5cd67-73f8-4313-bc1b-f76ed15c9d09"));
    assert_eq!(all.items[0].spec_code(), Some("hf.small.1.linux"));
    assert_eq!(all.items[0].order_id(), Some("CS2409131529QL4NJ"));

    let domains = stub.requests_to("/v3/auth/domains");
    assert_eq!(domains.len(), 1);
    assert!(domains[0].signed_ok());
    let sent = stub.requests_to(&rms_path());
    assert_eq!(sent[0].query, "limit=200&region_id=cn-north-4&type=hcss.l-instance");
    assert_eq!(
        sent[1].query,
        "limit=200&marker=bWFya2VyLTE%3D&region_id=cn-north-4&type=hcss.l-instance"
    );
    for s in &sent {
        assert_eq!(s.method, "GET");
        assert!(s.signed_ok());
        assert_eq!(s.header("x-domain-id"), Some(DOMAIN_ID));
        assert_eq!(s.header("x-project-id"), None);
        assert_eq!(s.header("content-type"), Some("application/json"));
        assert!(s.signed_headers().contains(&"x-domain-id".to_owned()));
    }
}

#[tokio::test]
async fn a_repeated_marker_stops_the_walk_with_an_error() {
    let stub = Stub::start().await;
    stub.on("GET", &rms_path(), vec![rms_page(Vec::new(), Some("same"))]);
    let err = stub.aksk_account().list_l_instances(None).await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("marker"));
    assert_eq!(stub.requests_to(&rms_path()).len(), 2);
    assert_eq!(stub.requests_to(&rms_path())[0].query, "limit=200&type=hcss.l-instance");
}

#[tokio::test]
async fn rms_limit_is_checked_before_sending() {
    let stub = Stub::start().await;
    let err = stub.aksk_account().list_l_instances_page(None, 201, None).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(f) if f.get("limit").is_some()));
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn password_accounts_list_with_a_domain_token() {
    let stub = Stub::start().await;
    stub.on("GET", &rms_path(), vec![rms_page(Vec::new(), None)]);
    let account = stub.password_account();
    account.list_l_instances(None).await.unwrap();
    let token = &stub.requests_to("/v3/auth/tokens")[0];
    assert_eq!(token.json()["auth"]["scope"], json!({"domain": {"name": ACCOUNT}}));
    let sent = &stub.requests_to(&rms_path())[0];
    assert!(sent.header("x-auth-token").is_some());
    assert!(sent.header("authorization").is_none());
}

fn purchase_request() -> PurchaseRequest {
    PurchaseRequest {
        instance_name: "hcss-test".into(),
        description: None,
        plan_spec: "hf.small.1.linux".into(),
        image_ref: Some(ImageRef {
            image_name: Some("Ubuntu".into()),
            image_version: Some("22.04".into()),
            image_id: None,
        }),
        region: "cn-north-4".into(),
        charging_mode: Some("prePaid".into()),
        period_type: "month".into(),
        period_num: 1,
        purchase_quantity: Some(2),
        is_auto_renew: Some(false),
        is_auto_pay: Some(true),
        extra_resources: None,
        tags: None,
    }
}

#[tokio::test]
async fn purchase_uses_a_token_and_reuses_the_client_request_id_on_retry() {
    let stub = Stub::start().await;
    stub.on("POST", "/v1/light-instances", vec![
        Canned::json(429, json!({"error_code": "HCSS.14290001", "error_msg": "too many requests"})),
        Canned::json(202, json!({"order_id": "CS24022811305H1EW", "instance_ids": ["65dea8d23005da564c78d9d2", "65dea8d23005da564c78d9d3"]})),
    ]);
    let both =
        Credentials::new(Some(AkSk::new(AK, SK)), Some(IamPassword::new(ACCOUNT, USER, PASSWORD)))
            .unwrap();
    let account = stub.cloud().account(both);
    let id = ClientRequestId::generate();
    let req = purchase_request();

    let reply = account.purchase(&req, &id).await.unwrap();
    assert_eq!(reply.status, 202);
    assert_eq!(reply.body.order_id, "CS24022811305H1EW");
    assert_eq!(reply.body.instance_ids.len(), 2);

    let sent = stub.requests_to("/v1/light-instances");
    assert_eq!(sent.len(), 2);
    for s in &sent {
        assert_eq!(s.method, "POST");
        assert_eq!(s.header("client-request-id"), Some(id.as_str()));
        assert_eq!(s.header("content-type"), Some("application/json"));
        assert!(s.header("x-auth-token").unwrap().starts_with(support::TOKEN_PREFIX));
        assert!(s.header("authorization").is_none(), "purchase is token-authenticated");
        assert_eq!(s.json(), serde_json::to_value(&req).unwrap());
    }
    assert_eq!(sent[0].json()["region"], "cn-north-4");
    assert_eq!(stub.token_requests(), 1);
    assert_eq!(
        stub.requests_to("/v3/auth/tokens")[0].json()["auth"]["scope"],
        json!({"project": {"name": "cn-north-4"}})
    );
}

#[tokio::test]
async fn purchase_needs_a_password_and_a_valid_request() {
    let stub = Stub::start().await;
    let id = ClientRequestId::generate();
    let err = stub.aksk_account().purchase(&purchase_request(), &id).await.unwrap_err();
    assert!(matches!(err, Error::Auth(AuthError::MissingCredentials { .. })), "{err:?}");
    assert!(err.to_string().contains("IAM user name and password"), "{err}");

    let mut bad = purchase_request();
    bad.instance_name = String::new();
    bad.period_num = 99;
    let err = stub.password_account().purchase(&bad, &id).await.unwrap_err();
    let Error::Validation(fields) = &err else { panic!("{err:?}") };
    assert!(
        fields.get("instance_name").is_some() && fields.get("period_num").is_some(),
        "{fields}"
    );
    assert!(stub.requests().is_empty(), "nothing may be sent");
}

#[test]
fn client_request_ids_are_uuids_and_parse_back() {
    let id = ClientRequestId::generate();
    assert_eq!(id.as_str().len(), 36);
    assert_eq!(ClientRequestId::parse(id.as_str()).unwrap(), id);
    assert_ne!(ClientRequestId::generate(), id);
    assert!(ClientRequestId::parse("short").is_err());
}
