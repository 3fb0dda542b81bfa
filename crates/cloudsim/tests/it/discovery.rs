//! IAM (tokens, projects, domains) and RMS (listing, filters, paging).

use crate::common;

use std::collections::HashSet;

use common::*;
use lightdeck_huaweicloud::model::iam::{
    ListAuthDomainsResponse, ListProjectsResponse, TokenResponse,
};
use lightdeck_huaweicloud::model::rms::ListAllResourcesResponse;
use secrecy::ExposeSecret;
use serde_json::json;

#[tokio::test]
async fn password_tokens_project_and_domain_scoped() {
    let h = start().await;
    let a = &h.accounts()[0];
    let body = |scope: serde_json::Value, pwd: &str| {
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": a.iam_user, "password": pwd, "domain": {"name": a.name}}}}, "scope": scope}})
        .to_string()
    };
    let pwd = a.iam_password.expose_secret();
    let ct = || vec![("Content-Type".to_owned(), "application/json;charset=utf8".to_owned())];

    let r = send_raw(
        &h,
        "POST",
        "/v3/auth/tokens",
        ct(),
        body(json!({"project": {"name": "cn-north-4"}}), pwd),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.header("x-subject-token").unwrap().starts_with("MII"));
    assert_request_id(&r);
    let t: TokenResponse = serde_json::from_value(r.body.clone()).unwrap();
    assert_eq!(t.token.project_id(), Some(a.projects["cn-north-4"].as_str()));
    assert_eq!(t.token.domain_id(), Some(a.domain_id.as_str()));
    assert_eq!(t.token.expires_at, "2025-03-02T08:00:00.000Z");
    assert!(t.token.catalog.is_some());

    let r = send_raw(
        &h,
        "POST",
        "/v3/auth/tokens?nocatalog=1",
        ct(),
        body(json!({"domain": {"id": a.domain_id}}), pwd),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t: TokenResponse = serde_json::from_value(r.body).unwrap();
    assert!(t.token.project.is_none() && t.token.catalog.is_none());
    assert_eq!(t.token.domain_id(), Some(a.domain_id.as_str()));

    let r = send_raw(
        &h,
        "POST",
        "/v3/auth/tokens",
        ct(),
        body(json!({"project": {"name": "cn-north-4"}}), "wrong"),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}})
    );
    let r = send_raw(
        &h,
        "POST",
        "/v3/auth/tokens",
        ct(),
        body(json!({"domain": {"name": h.accounts()[1].name}}), pwd),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = send_raw(&h, "POST", "/v3/auth/tokens", ct(), "{\"auth\": {}}".into()).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], 400);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("auth.identity"));
}

#[tokio::test]
async fn projects_and_domains_by_aksk_or_token() {
    let h = start().await;
    let a = &h.accounts()[0];
    let r = send_as(&h, a, Req::new("GET", "/v3/projects").query("name", "ap-southeast-1")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let p: ListProjectsResponse = serde_json::from_value(r.body).unwrap();
    assert_eq!(p.projects.len(), 1);
    assert_eq!(p.projects[0].id, a.projects["ap-southeast-1"]);
    assert_eq!(p.projects[0].name, "ap-southeast-1");

    let t = token(&h, a, json!({"domain": {"name": a.name}})).await;
    let r = send_token(&h, &t, Req::new("GET", "/v3/projects")).await;
    let p: ListProjectsResponse = serde_json::from_value(r.body).unwrap();
    assert_eq!(p.projects.len(), 6);

    let r = send_as(&h, a, Req::new("GET", "/v3/auth/domains")).await;
    let d: ListAuthDomainsResponse = serde_json::from_value(r.body).unwrap();
    assert_eq!(d.domains[0].id, a.domain_id);
    assert_eq!(d.domains[0].name, a.name);

    let r = send_as(&h, a, Req::new("GET", "/v3/projects").query("page", "1")).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn rms_pages_with_an_opaque_marker() {
    let h = start_with(config().instances_per_account(25)).await;
    let a = &h.accounts()[0];
    let path = format!("/v1/resource-manager/domains/{}/all-resources", a.domain_id);
    let mut marker: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let mut req = Req::new("GET", path.clone())
            .domain(&a.domain_id)
            .query("type", "hcss.l-instance")
            .query("limit", "10");
        if let Some(m) = &marker {
            req = req.query("marker", m);
        }
        let r = send_as(&h, a, req).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let page: ListAllResourcesResponse = serde_json::from_value(r.body.clone()).unwrap();
        assert_eq!(page.page_info.current_count as usize, page.resources.len());
        for res in &page.resources {
            assert_eq!(
                res.properties.metadata.as_ref().unwrap()["cloud_service_type"],
                "hws.service.type.hcss"
            );
            assert!(
                res.server_id().is_some()
                    && res.traffic_package_id().is_some()
                    && res.public_ip().is_some()
            );
            assert!(res.traffic_package_end_time().is_some() && res.spec_code().is_some());
            seen.push(res.id.clone());
        }
        match page.page_info.next_marker {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);

    let by_region = send_as(
        &h,
        a,
        Req::new("GET", path.clone())
            .domain(&a.domain_id)
            .query("region_id", "ap-southeast-1")
            .query("limit", "200"),
    )
    .await;
    let page: ListAllResourcesResponse = serde_json::from_value(by_region.body).unwrap();
    assert_eq!(page.resources.len(), 12);
    assert!(page.resources.iter().all(|r| r.region_id.as_deref() == Some("ap-southeast-1")));
    let other_type = send_as(
        &h,
        a,
        Req::new("GET", path.clone()).domain(&a.domain_id).query("type", "ecs.cloudservers"),
    )
    .await;
    assert_eq!(other_type.body["resources"].as_array().unwrap().len(), 0);
    assert_eq!(other_type.body["page_info"]["next_marker"], serde_json::Value::Null);

    for (k, v) in [("limit", "0"), ("limit", "201"), ("limit", "ten"), ("marker", "bogus-marker")] {
        let r =
            send_as(&h, a, Req::new("GET", path.clone()).domain(&a.domain_id).query(k, v)).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(r.body["error_code"].as_str().unwrap().starts_with("RMS."));
        assert!(r.body["error_msg"].as_str().unwrap().starts_with(k));
        assert_request_id(&r);
    }
}
