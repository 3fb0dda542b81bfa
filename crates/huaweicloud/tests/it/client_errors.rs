//! Error bodies of every documented shape, retries, and the cases that must not retry.

use crate::support;

use std::time::Duration;

use lightdeck_huaweicloud::client::{ClientRequestId, HuaweiCloud, RenewOptions};
use lightdeck_huaweicloud::endpoints::{Endpoints, Service};
use lightdeck_huaweicloud::error::{AuthError, Error};
use lightdeck_huaweicloud::model::bss::PeriodType;
use lightdeck_huaweicloud::model::hcss::PurchaseRequest;
use lightdeck_huaweicloud::{AkSk, Credentials, IamPassword, InstanceId, JobId, OrderId, Region};
use serde_json::json;
use support::{ACCOUNT, AK, Canned, DOMAIN_ID, PROJECT_ID, Stub, USER};

const JOB: &str = "ff80808290c6b7b60191ef4d78411d8d";

fn job_path() -> String {
    format!("/v1/{PROJECT_ID}/jobs/{JOB}")
}

async fn show_job(stub: &Stub) -> Result<(), Error> {
    stub.aksk_account().show_job(Region::CnNorth4, &JOB.parse::<JobId>().unwrap()).await.map(|_| ())
}

fn instance() -> InstanceId {
    "66e3e9f8b271f8319ef19e86".parse().unwrap()
}

fn renew_options() -> RenewOptions {
    RenewOptions { period: PeriodType::Month, count: 1, auto_pay: false }
}

#[tokio::test]
async fn ecs_error_shape() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        &job_path(),
        vec![
            Canned::json(
                400,
                json!({"error": {"code": "Ecs.0005", "message": "Invalid job id.",
        "details": [{"code": "Ecs.0005", "message": "detail"}]}}),
            )
            .header("X-Request-Id", "req-ecs"),
        ],
    );
    let err = show_job(&stub).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.status, api.code.as_str(), api.message.as_str()),
        (400, "Ecs.0005", "Invalid job id.")
    );
    assert_eq!((api.service, api.operation), (Service::Ecs, "show_job"));
    assert_eq!(err.request_id(), Some("req-ecs"));
    assert!(!err.is_retryable() && !err.may_have_taken_effect());
    let text = err.to_string();
    assert!(
        text.contains("Ecs.0005") && text.contains("req-ecs") && text.contains("HTTP 400"),
        "{text}"
    );
    assert_eq!(stub.requests_to(&job_path()).len(), 1, "a 400 is not retried");
}

#[tokio::test]
async fn bss_and_rms_error_shapes() {
    let stub = Stub::start().await;
    let order_path = "/v2/orders/customer-orders/details/CS24022811305H1EW";
    stub.on(
        "GET",
        order_path,
        vec![Canned::json(
            400,
            json!({"error_code": "CBC.0100", "error_msg": "Invalid parameter."}),
        )],
    );
    let rms = format!("/v1/resource-manager/domains/{DOMAIN_ID}/all-resources");
    stub.on(
        "GET",
        &rms,
        vec![Canned::json(
            400,
            json!({"error_code": "RMS.00010001", "error_msg": "Invalid limit"}),
        )],
    );
    let account = stub.aksk_account();
    let err =
        account.order_details(&"CS24022811305H1EW".parse::<OrderId>().unwrap()).await.unwrap_err();
    assert_eq!((err.huawei_code(), err.status()), (Some("CBC.0100"), Some(400)));
    assert_eq!(err.api().unwrap().message, "Invalid parameter.");
    let err = account.list_l_instances(None).await.unwrap_err();
    assert_eq!(err.huawei_code(), Some("RMS.00010001"));
    assert_eq!(err.api().unwrap().service, Service::Rms);
}

#[tokio::test]
async fn iam_numeric_code_on_a_wrong_password() {
    let stub = Stub::start().await;
    let account = stub.cloud().account(Credentials::from_password(IamPassword::new(
        ACCOUNT,
        USER,
        "wrong-password",
    )));
    let err = account.show_job(Region::CnNorth4, &JOB.parse().unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Auth(AuthError::Rejected(_))), "{err:?}");
    assert_eq!((err.huawei_code(), err.status()), (Some("401"), Some(401)));
    assert_eq!(err.api().unwrap().message, "The username or password is wrong.");
    assert_eq!(stub.token_requests(), 1, "a refused password is not retried");
    assert!(stub.operation_requests().is_empty());
}

#[tokio::test]
async fn gateway_signature_failure() {
    let stub = Stub::start().await;
    let account = stub.cloud().account(Credentials::from_aksk(AkSk::new(AK, "not-the-secret-key")));
    let err = account.show_job(Region::CnNorth4, &JOB.parse().unwrap()).await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert_eq!(err.huawei_code(), Some("APIG.0301"));
    assert!(err.api().unwrap().message.contains("Incorrect IAM authentication information"));
    // The project look-up was the first call, and it was refused.
    assert!(!stub.requests()[0].signed_ok());
}

#[tokio::test]
async fn hcss_error_shape() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        "/v1/light-instances",
        vec![Canned::json(
            400,
            json!({"error_code": "HCSS.14000010", "error_msg": "flavor capacity is insufficient"}),
        )],
    );
    let req: PurchaseRequest = serde_json::from_value(json!({"instance_name": "hcss-test", "plan_spec": "hf.small.1.linux",
        "image_ref": {"image_name": "Ubuntu", "image_version": "22.04"}, "region": "cn-north-4", "period_type": "month", "period_num": 1}))
    .unwrap();
    let err =
        stub.password_account().purchase(&req, &ClientRequestId::generate()).await.unwrap_err();
    assert_eq!(err.huawei_code(), Some("HCSS.14000010"));
    assert_eq!(err.api().unwrap().service, Service::Hcss);
}

#[tokio::test]
async fn non_json_and_empty_bodies() {
    let stub = Stub::start().await;
    let long_page = format!("<html><body>Bad gateway {}</body></html>", "x".repeat(5000));
    stub.on("GET", &job_path(), vec![Canned::text(502, &long_page)]);
    let err = show_job(&stub).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.status, api.code.as_str()), (502, "502"));
    assert!(api.message.starts_with("<html><body>Bad gateway"));
    assert!(api.message.chars().count() < 400, "long bodies are cut");
    assert!(err.to_string().len() < 600);
    assert!(err.is_retryable());
    assert_eq!(stub.requests_to(&job_path()).len(), 3, "a read is retried up to max_attempts");
    assert_eq!(stub.recorded_sleeps().len(), 2);

    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![Canned::text(404, "")]);
    let err = show_job(&stub).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.code.as_str(), api.message.as_str()), ("404", ""));
}

#[tokio::test]
async fn throttling_then_success_with_bounded_jittered_wait() {
    let stub = Stub::start().await;
    stub.on("GET", &job_path(), vec![
        Canned::json(429, json!({"error_code": "APIG.0308", "error_msg": "The throttling threshold has been reached"})),
        Canned::json(200, json!({"job_id": JOB, "status": "RUNNING"})),
    ]);
    show_job(&stub).await.unwrap();
    assert_eq!(stub.requests_to(&job_path()).len(), 2);
    let sleeps = stub.recorded_sleeps();
    assert_eq!(sleeps.len(), 1);
    assert!(
        sleeps[0] <= Duration::from_millis(100),
        "first wait is at most the base delay: {sleeps:?}"
    );
}

#[tokio::test]
async fn server_error_then_success_for_a_read() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        &job_path(),
        vec![
            Canned::ecs_error(500, "Ecs.0002", "system error"),
            Canned::ecs_error(503, "Ecs.0004", "busy"),
            Canned::json(200, json!({"job_id": JOB, "status": "SUCCESS"})),
        ],
    );
    show_job(&stub).await.unwrap();
    assert_eq!(stub.requests_to(&job_path()).len(), 3);
    let sleeps = stub.recorded_sleeps();
    assert!(
        sleeps[0] <= Duration::from_millis(100) && sleeps[1] <= Duration::from_millis(200),
        "{sleeps:?}"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_capped() {
    let stub = Stub::start().await;
    let throttled = |after: &str| {
        Canned::json(429, json!({"error_code": "APIG.0308", "error_msg": "slow down"}))
            .header("Retry-After", after)
    };
    stub.on(
        "GET",
        &job_path(),
        vec![throttled("3"), throttled("3600"), Canned::json(200, json!({"job_id": JOB}))],
    );
    show_job(&stub).await.unwrap();
    assert_eq!(stub.recorded_sleeps(), [Duration::from_secs(3), Duration::from_secs(5)]);
}

#[tokio::test]
async fn renew_timeout_is_outcome_unknown() {
    let stub = Stub::start().await;
    let path = "/v2/orders/subscriptions/resources/renew";
    stub.on(
        "POST",
        path,
        vec![Canned::json(200, json!({"order_ids": []})).delayed(Duration::from_secs(5))],
    );
    let mut config = stub.config();
    config.timeout = Duration::from_millis(300);
    let account = HuaweiCloud::new(config)
        .unwrap()
        .account(Credentials::from_aksk(AkSk::new(AK, support::SK)));
    let results = account.renew(&[instance()], &renew_options()).await.unwrap();
    let err = results[0].result.as_ref().unwrap_err();
    let Error::OutcomeUnknown { cause, .. } = err else { panic!("{err:?}") };
    assert!(matches!(**cause, Error::Timeout { .. }), "{cause:?}");
    assert_eq!(stub.requests_to(path).len(), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_renew() {
    // A port nobody listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let stub = Stub::start().await;
    let mut config = stub.config();
    config.endpoints = Endpoints::single(&stub.url())
        .unwrap()
        .with_service(Service::Bss, &format!("http://127.0.0.1:{port}"))
        .unwrap();
    let account = HuaweiCloud::new(config)
        .unwrap()
        .account(Credentials::from_aksk(AkSk::new(AK, support::SK)));
    let results = account.renew(&[instance()], &renew_options()).await.unwrap();
    let err = results[0].result.as_ref().unwrap_err();
    assert!(matches!(err, Error::Connect { service: Service::Bss, .. }), "{err:?}");
    assert!(!err.may_have_taken_effect());
    assert_eq!(stub.recorded_sleeps().len(), 2, "3 attempts, 2 waits");
}

#[tokio::test]
async fn validation_failures_send_nothing() {
    let stub = Stub::start().await;
    let account = stub.aksk_account();
    let err = account
        .renew(&[instance()], &RenewOptions { period: PeriodType::Year, count: 4, auto_pay: false })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
    assert!(!err.may_have_taken_effect());
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn a_timed_out_read_is_retried() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        &job_path(),
        vec![
            Canned::json(200, json!({"job_id": JOB})).delayed(Duration::from_secs(5)),
            Canned::json(200, json!({"job_id": JOB, "status": "SUCCESS"})),
        ],
    );
    let mut config = stub.config();
    config.timeout = Duration::from_millis(300);
    let account = HuaweiCloud::new(config)
        .unwrap()
        .account(Credentials::from_aksk(AkSk::new(AK, support::SK)));
    account.remember_project_id(Region::CnNorth4, PROJECT_ID.parse().unwrap());
    let reply = account.show_job(Region::CnNorth4, &JOB.parse().unwrap()).await.unwrap();
    assert_eq!(reply.body.status.map(|s| s.to_string()).as_deref(), Some("SUCCESS"));
    assert_eq!(stub.requests_to(&job_path()).len(), 2);
}

#[tokio::test]
async fn transport_errors_name_the_cause() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = Stub::start().await.config();
    config.endpoints = Endpoints::single(&format!("http://127.0.0.1:{port}")).unwrap();
    config.retry = lightdeck_huaweicloud::RetryPolicy::none();
    let account = HuaweiCloud::new(config)
        .unwrap()
        .account(Credentials::from_aksk(AkSk::new(AK, support::SK)));
    let err = account.list_auth_domains().await.unwrap_err();
    let Error::Connect { service: Service::Iam, operation: "list_auth_domains", detail } = &err
    else {
        panic!("{err:?}")
    };
    assert!(detail.to_lowercase().contains("refused"), "{detail}");
}
