//! Token caching, single flight, refresh, 401 handling, discovery and credential headers.

use crate::support;

use std::sync::{Arc, Mutex};

use lightdeck_huaweicloud::client::{Account, ClockFn, HuaweiCloud};
use lightdeck_huaweicloud::error::{AuthError, Error};
use lightdeck_huaweicloud::{AkSk, Credentials, IamPassword, JobId, Region};
use serde_json::json;
use support::{
    ACCOUNT, AK, Canned, DOMAIN_ID, PASSWORD, PROJECT_ID, SECURITY_TOKEN, SK, Stub, USER,
};
use time::OffsetDateTime;

const JOB: &str = "ff80808290c6b7b60191ef4d78411d8d";

fn job() -> JobId {
    JOB.parse().unwrap()
}

fn job_path() -> String {
    format!("/v1/{PROJECT_ID}/jobs/{JOB}")
}

fn job_ok() -> Canned {
    Canned::json(200, json!({"job_id": JOB, "status": "SUCCESS"}))
}

/// `n` ShowJob calls started at once on clones of `account`, in start order.
async fn concurrent_show_jobs(account: &Account, n: usize) -> Vec<Result<(), Error>> {
    let calls = (0..n).map(|_| {
        let account = account.clone();
        tokio::spawn(async move { account.show_job(Region::CnNorth4, &job()).await.map(|_| ()) })
    });
    futures_util::future::join_all(calls).await.into_iter().map(|c| c.unwrap()).collect()
}

#[tokio::test]
async fn hundred_concurrent_calls_share_one_token_request() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    for result in concurrent_show_jobs(&stub.password_account(), 100).await {
        result.unwrap();
    }
    assert_eq!(stub.token_requests(), 1);
    assert_eq!(stub.requests_to(&job_path()).len(), 100);
}

#[tokio::test]
async fn concurrent_callers_share_a_refused_password_instead_of_locking_the_user() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    let wrong = Credentials::from_password(IamPassword::new(ACCOUNT, USER, "wrong-password"));
    let account = stub.cloud().account(wrong);
    for result in concurrent_show_jobs(&account, 20).await {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Auth(AuthError::Rejected(_))), "{err:?}");
        assert_eq!(err.huawei_code(), Some("401"));
    }
    assert_eq!(stub.token_requests(), 1, "IAM locks users after a few wrong passwords");
    // A later call is a new attempt, not a remembered failure.
    account.show_job(Region::CnNorth4, &job()).await.unwrap_err();
    assert_eq!(stub.token_requests(), 2);
    assert!(stub.operation_requests().is_empty());
}

#[tokio::test]
async fn tokens_are_cached_per_scope_and_shared_by_clones() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    let cloud = stub.cloud();
    let creds = || Credentials::from_password(IamPassword::new(ACCOUNT, USER, PASSWORD));
    cloud.account(creds()).show_job(Region::CnNorth4, &job()).await.unwrap();
    cloud.clone().account(creds()).show_job(Region::CnNorth4, &job()).await.unwrap();
    assert_eq!(stub.token_requests(), 1);
    // Another region is another project: another token.
    cloud.account(creds()).show_job(Region::CnEast3, &job()).await.unwrap();
    assert_eq!(stub.token_requests(), 2);
    let tokens: Vec<_> = stub
        .requests_to(&job_path())
        .iter()
        .map(|r| r.header("x-auth-token").unwrap().to_owned())
        .collect();
    assert_eq!(tokens[0], tokens[1]);
    assert_ne!(tokens[1], tokens[2]);
}

fn clocked_account(stub: &Stub) -> (Account, Arc<Mutex<OffsetDateTime>>) {
    let now = Arc::new(Mutex::new(OffsetDateTime::now_utc()));
    let clock_now = now.clone();
    let clock: ClockFn = Arc::new(move || *clock_now.lock().unwrap());
    let mut config = stub.config();
    config.clock = clock;
    let creds = Credentials::from_password(IamPassword::new(ACCOUNT, USER, PASSWORD));
    (HuaweiCloud::new(config).unwrap().account(creds), now)
}

#[tokio::test]
async fn a_short_lived_token_is_kept_for_half_its_life() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    stub.set_token_lifetime(time::Duration::minutes(50));
    let (account, now) = clocked_account(&stub);
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    assert_eq!(stub.token_requests(), 1, "not fetched again on every call");
    *now.lock().unwrap() += time::Duration::minutes(26);
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    assert_eq!(stub.token_requests(), 2);
}

#[tokio::test]
async fn the_refresh_follows_the_clock() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    stub.set_token_lifetime(time::Duration::hours(24));
    let (account, now) = clocked_account(&stub);
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    *now.lock().unwrap() += time::Duration::hours(22);
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    assert_eq!(stub.token_requests(), 1, "22 h in, the token still has 2 h left");
    *now.lock().unwrap() += time::Duration::minutes(61);
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    assert_eq!(stub.token_requests(), 2, "23 h 01 in, less than an hour is left");
}

#[tokio::test]
async fn a_refused_token_is_dropped_and_the_call_retried_once() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    let account = stub.password_account();
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    stub.revoke_tokens();
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    assert_eq!(stub.token_requests(), 2);
    let sent = stub.requests_to(&job_path());
    assert_eq!(sent.len(), 3, "ok, 401, ok");
    assert_ne!(sent[1].header("x-auth-token"), sent[2].header("x-auth-token"));
}

#[tokio::test]
async fn a_second_401_is_returned_not_looped() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        &job_path(),
        vec![Canned::json(401, json!({"error_code": "APIG.0301", "error_msg": "token expires"}))],
    );
    let err = stub.password_account().show_job(Region::CnNorth4, &job()).await.unwrap_err();
    assert!(err.is_auth());
    assert_eq!(stub.requests_to(&job_path()).len(), 2);
    assert_eq!(stub.token_requests(), 2);
}

#[tokio::test]
async fn temporary_credentials_send_a_signed_security_token() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    let account = stub
        .cloud()
        .account(Credentials::from_aksk(AkSk::new(AK, SK).with_security_token(SECURITY_TOKEN)));
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    let sent = &stub.requests_to(&job_path())[0];
    assert!(sent.signed_ok());
    assert_eq!(sent.header("x-security-token"), Some(SECURITY_TOKEN));
    assert!(sent.signed_headers().contains(&"x-security-token".to_owned()));
}

#[tokio::test]
async fn project_discovery_errors_are_clear() {
    let stub = Stub::start().await;
    stub.on("GET", "/v3/projects", vec![Canned::json(200, json!({"projects": []}))]);
    let err = stub.aksk_account().show_job(Region::CnSouthwest2, &job()).await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }));
    assert!(err.to_string().contains("no project named cn-southwest-2"), "{err}");

    let two = json!({"projects": [{"id": PROJECT_ID, "name": "cn-north-4"}, {"id": "1123456789abcdef0123456789abcdef", "name": "cn-north-4"}]});
    stub.on("GET", "/v3/projects", vec![Canned::json(200, two)]);
    let err = stub.aksk_account().show_job(Region::CnNorth4, &job()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(PROJECT_ID) && text.contains("1123456789abcdef0123456789abcdef"),
        "{text}"
    );
    assert!(stub.operation_requests().is_empty());
}

#[tokio::test]
async fn known_ids_skip_discovery_and_verify_credentials_checks_both_kinds() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    let account = stub.aksk_account();
    account.remember_project_id(Region::CnNorth4, PROJECT_ID.parse().unwrap());
    account.show_job(Region::CnNorth4, &job()).await.unwrap();
    assert!(stub.requests_to("/v3/projects").is_empty());

    let both =
        Credentials::new(Some(AkSk::new(AK, SK)), Some(IamPassword::new(ACCOUNT, USER, PASSWORD)))
            .unwrap();
    let id = stub.cloud().account(both).verify_credentials().await.unwrap();
    assert_eq!(id.as_str(), DOMAIN_ID);
    assert_eq!(stub.requests_to("/v3/auth/domains").len(), 1);
    assert_eq!(stub.token_requests(), 1);

    let wrong = Credentials::from_password(IamPassword::new(ACCOUNT, USER, "nope"));
    assert!(stub.cloud().account(wrong).verify_credentials().await.unwrap_err().is_auth());
}

#[tokio::test]
async fn concurrent_first_calls_share_one_project_look_up() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    for result in concurrent_show_jobs(&stub.aksk_account(), 50).await {
        result.unwrap();
    }
    assert_eq!(stub.requests_to("/v3/projects").len(), 1);
    assert_eq!(stub.requests_to(&job_path()).len(), 50);
}

#[tokio::test]
async fn concurrent_first_calls_with_a_wrong_key_cost_one_refusal() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![job_ok()]);
    let account = stub.cloud().account(Credentials::from_aksk(AkSk::new(AK, "not-the-secret")));
    for result in concurrent_show_jobs(&account, 20).await {
        assert_eq!(result.unwrap_err().huawei_code(), Some("APIG.0301"));
    }
    // Huawei locks an AK for 5 minutes after 5 bad signatures in a row.
    assert_eq!(stub.requests_to("/v3/projects").len(), 1);
    assert!(stub.operation_requests().is_empty());
}
