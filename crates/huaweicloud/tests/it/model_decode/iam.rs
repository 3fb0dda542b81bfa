use lightdeck_huaweicloud::credentials::IamPassword;
use lightdeck_huaweicloud::model::iam::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::{
    decode, fixture, fixture_entry, round_trip, round_trip_wire, to_value, with_unknown_field,
};

fn seed_token_request() -> PasswordTokenRequest {
    PasswordTokenRequest::new(
        "username",
        SecretString::from("$ADMIN_PASS"),
        "domainname",
        AuthScope::project_name("cn-north-1"),
    )
}

#[test]
fn token_request_serializes_exactly_like_the_seed_example() {
    assert_eq!(to_value(&seed_token_request()), fixture_entry("seed_requests.json", "token"));
}

#[test]
fn token_request_decodes_and_round_trips() {
    let req: PasswordTokenRequest = decode(&fixture_entry("seed_requests.json", "token"));
    assert_eq!(req.user().name, "username");
    assert_eq!(req.user().password.expose_secret(), "$ADMIN_PASS");
    assert_eq!(req.user().domain.name, "domainname");
    assert_eq!(req.auth.identity.methods, ["password"]);
    assert_eq!(req.auth.scope, AuthScope::project_name("cn-north-1"));
    round_trip_wire(&req);
}

#[test]
fn token_request_debug_never_shows_the_password() {
    let req = PasswordTokenRequest::new(
        "alice",
        SecretString::from("S3cret-Pa55!"),
        "acme",
        AuthScope::project_id("067cf8aecf3845d1ad7a5d308322f13b"),
    );
    let debug = format!("{req:?} {:?}", req.user());
    assert!(!debug.contains("S3cret-Pa55!"), "{debug}");
    assert!(debug.contains("alice"), "{debug}");
    // The clear text is on the wire, where it belongs.
    assert!(serde_json::to_string(&req).unwrap().contains("\"password\":\"S3cret-Pa55!\""));
}

#[test]
fn token_request_from_credentials_and_each_scope_shape() {
    let creds = IamPassword::new("acme", "alice", "pw-1");
    let req = PasswordTokenRequest::from_credentials(&creds, AuthScope::project_id("p1"));
    let v = to_value(&req);
    assert_eq!(v["auth"]["identity"]["password"]["user"]["name"], "alice");
    assert_eq!(v["auth"]["identity"]["password"]["user"]["domain"]["name"], "acme");
    assert_eq!(v["auth"]["identity"]["password"]["user"]["password"], "pw-1");
    assert_eq!(v["auth"]["scope"], json!({"project": {"id": "p1"}}));
    assert_eq!(to_value(&AuthScope::domain_name("acme")), json!({"domain": {"name": "acme"}}));
    assert_eq!(to_value(&AuthScope::domain_id("d1")), json!({"domain": {"id": "d1"}}));
}

#[test]
fn token_response_decodes_every_field() {
    let resp: TokenResponse = decode(&fixture("iam_token_response.json"));
    let t = &resp.token;
    assert_eq!(t.expires_at, "2024-05-22T09:03:40.701000Z");
    assert_eq!(t.expires_at_time().map(|d| (d.year(), d.hour())), Some((2024, 9)));
    assert_eq!(t.issued_at.as_deref(), Some("2024-05-21T09:03:40.701000Z"));
    assert_eq!(t.methods, ["password"]);
    assert_eq!(t.project_id(), Some("067cf8aecf3845d1ad7a5d308322f13b"));
    assert_eq!(t.domain_id(), Some("d78cbcac1a8e4f6c9f3b2a1d0e9f8c7b"));
    assert_eq!(t.project.as_ref().and_then(|p| p.name.as_deref()), Some("cn-north-4"));
    let user = t.user.as_ref().unwrap();
    assert_eq!(user.name.as_deref(), Some("username"));
    assert_eq!(user.password_expires_at.as_deref(), Some(""));
    assert_eq!(t.roles.as_ref().map(Vec::len), Some(2));
    let catalog = t.catalog.as_ref().unwrap();
    assert_eq!(catalog[0].kind.as_deref(), Some("compute"));
    assert_eq!(catalog[0].endpoints[0].interface.as_deref(), Some("public"));
    assert_eq!(catalog[0].endpoints[0].region_id.as_deref(), Some("cn-north-4"));
    round_trip(&resp);
}

#[test]
fn domain_scoped_token_without_catalog_decodes() {
    let resp: TokenResponse = decode(&json!({"token": {
        "expires_at": "2024-05-22T09:03:40.701000Z",
        "methods": ["password"],
        "domain": {"name": "acme", "id": "d-acme"},
        "user": {"name": "alice", "id": "u1", "domain": {"name": "acme", "id": "d-acme"},
                 "password_expires_at": null}
    }}));
    assert!(resp.token.catalog.is_none());
    assert!(resp.token.project_id().is_none());
    assert_eq!(resp.token.domain_id(), Some("d-acme"));
    assert_eq!(resp.token.user.as_ref().unwrap().password_expires_at, None);
}

#[test]
fn token_with_a_bad_expiry_still_decodes() {
    let resp: TokenResponse =
        decode(&json!({"token": {"expires_at": "tomorrow", "methods": null}}));
    assert_eq!(resp.token.expires_at_time(), None);
    assert!(resp.token.methods.is_empty());
}

#[test]
fn projects_response_decodes() {
    let resp: ListProjectsResponse = decode(&fixture("iam_projects.json"));
    assert_eq!(resp.projects.len(), 1);
    let p = &resp.projects[0];
    assert_eq!(p.id, "067cf8aecf3845d1ad7a5d308322f13b");
    assert_eq!(p.name, "cn-north-4");
    assert_eq!(p.parent_id, p.domain_id);
    assert_eq!((p.enabled, p.is_domain), (Some(true), Some(false)));
    assert_eq!(p.description.as_deref(), Some(""));
    let links = resp.links.as_ref().unwrap();
    assert!(links.self_.as_deref().unwrap().ends_with("?name=cn-north-4"));
    assert_eq!(links.next, None);
    round_trip(&resp);
}

#[test]
fn auth_domains_response_decodes() {
    let resp: ListAuthDomainsResponse = decode(&fixture("iam_auth_domains.json"));
    assert_eq!(resp.domains[0].id, "d78cbcac1a8e4f6c9f3b2a1d0e9f8c7b");
    assert_eq!(resp.domains[0].name, "domainname");
    assert_eq!(resp.domains[0].enabled, Some(true));
    round_trip(&resp);
}

#[test]
fn unknown_fields_are_ignored_at_every_level() {
    let v = with_unknown_field(fixture("iam_token_response.json"), "");
    let v = with_unknown_field(v, "/token/project");
    let v = with_unknown_field(v, "/token/catalog/0/endpoints/0");
    let resp: TokenResponse = decode(&v);
    assert_eq!(resp.token.project_id(), Some("067cf8aecf3845d1ad7a5d308322f13b"));
    let v = with_unknown_field(fixture("iam_projects.json"), "/projects/0");
    let _: ListProjectsResponse = decode(&v);
}

#[test]
fn list_projects_query_pairs() {
    assert_eq!(
        ListProjectsQuery::by_name("cn-north-4").query_pairs(),
        [("name", "cn-north-4".to_owned())]
    );
    let q = ListProjectsQuery {
        enabled: Some(true),
        page: Some(2),
        per_page: Some(50),
        ..Default::default()
    };
    assert_eq!(
        q.query_pairs(),
        [("enabled", "true".to_owned()), ("page", "2".to_owned()), ("per_page", "50".to_owned())]
    );
    round_trip(&q);
}

#[test]
fn error_body_decodes_with_a_numeric_or_string_code() {
    let e: IamErrorBody = decode(&super::fixture_entry("errors.json", "iam"));
    assert_eq!(e.error.code, 401);
    assert_eq!(e.error.title.as_deref(), Some("Unauthorized"));
    assert_eq!(e.error.message, "The username or password is wrong.");
    round_trip(&e);
    let e: IamErrorBody = decode(&json!({"error": {"code": "403", "message": "no"}}));
    assert_eq!(e.error.code, 403);
    assert!(serde_json::from_value::<IamErrorBody>(json!({"error": {"code": "x"}})).is_err());
    assert_eq!(
        to_value(&IamErrorBody::new(401, "Unauthorized", "bad token")),
        json!({"error": {"code": 401, "message": "bad token", "title": "Unauthorized"}})
    );
}
