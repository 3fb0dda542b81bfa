//! Runs every operation (successes, failures, token fetches) under a TRACE subscriber and
//! checks that no secret reaches the log output, nor the errors' Display/Debug text.

use crate::support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lightdeck_huaweicloud::client::{
    ClientRequestId, HuaweiCloud, RenewOptions, UnsubscribeOptions,
};
use lightdeck_huaweicloud::endpoints::Endpoints;
use lightdeck_huaweicloud::model::bss::{PeriodType, QueryResourcesRequest, UnsubscribeType};
use lightdeck_huaweicloud::model::ecs::{RebootType, UpdateServerOption};
use lightdeck_huaweicloud::model::hcss::PurchaseRequest;
use lightdeck_huaweicloud::{
    AkSk, Credentials, IamPassword, InstanceId, OrderId, PackageId, Region, ServerId,
};
use secrecy::SecretString;
use serde_json::json;
use support::{
    ACCOUNT, AK, Canned, DOMAIN_ID, PASSWORD, PROJECT_ID, SECURITY_TOKEN, SK, Stub, TOKEN_PREFIX,
    USER,
};

const RESET_PASSWORD: &str = "Lq7!kPz9@Wm2x";
/// A job whose status answers too late.
const SLOW_JOB: &str = "00000000000000000000000000000510";
/// Every operation the client has, as named in its spans.
const OPERATIONS: [&str; 18] = [
    "create_token",
    "list_projects",
    "list_auth_domains",
    "show_server",
    "update_server",
    "batch_start_servers",
    "batch_stop_servers",
    "batch_reboot_servers",
    "batch_reset_passwords",
    "show_job",
    "list_servers_details",
    "list_all_resources",
    "purchase",
    "show_customer_order_details",
    "renewal_resources",
    "cancel_resources_subscription",
    "list_free_resource_usages",
    "list_pay_per_use_customer_resources",
];
const SERVER: &str = "72a270de-665a-4f46-8d64-24ad6edccdd2";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn routes(stub: &Stub) {
    let ecs = |rest: &str| format!("/v1/{PROJECT_ID}/{rest}");
    stub.on(
        "GET",
        &ecs(&format!("cloudservers/{SERVER}")),
        vec![Canned::json(200, json!({"server": {"id": SERVER, "name": "a"}}))],
    );
    stub.on(
        "PUT",
        &ecs(&format!("cloudservers/{SERVER}")),
        vec![Canned::json(200, json!({"server": {"id": SERVER, "name": "b"}}))],
    );
    stub.on(
        "POST",
        &ecs("cloudservers/action"),
        vec![
            Canned::json(200, json!({"job_id": "ff80808290c6b7b60191ef4d78411d8d"})),
            Canned::ecs_error(500, "Ecs.0002", "system error"),
            Canned::json(200, json!({"job_id": "ff80808290c6b7b60191ef4d78411d8d"})),
        ],
    );
    stub.on(
        "PUT",
        &ecs("cloudservers/os-reset-passwords"),
        vec![
            Canned::json(200, json!({"response": [{"id": SERVER}]})),
            Canned::ecs_error(500, "Ecs.0002", "system error"),
        ],
    );
    stub.on(
        "GET",
        &ecs("jobs/ff80808290c6b7b60191ef4d78411d8d"),
        vec![Canned::json(200, json!({"status": "SUCCESS"}))],
    );
    stub.on(
        "GET",
        &ecs(&format!("jobs/{SLOW_JOB}")),
        vec![Canned::json(200, json!({"status": "SUCCESS"})).delayed(Duration::from_secs(2))],
    );
    stub.on(
        "GET",
        &ecs("cloudservers/detail"),
        vec![Canned::json(200, json!({"count": 1, "servers": [{"id": SERVER}]}))],
    );
    stub.on(
        "GET",
        &format!("/v1/resource-manager/domains/{DOMAIN_ID}/all-resources"),
        vec![
            Canned::json(429, json!({"error_code": "APIG.0308", "error_msg": "throttled"})),
            Canned::json(
                200,
                json!({"resources": [], "page_info": {"current_count": 0, "next_marker": null}}),
            ),
        ],
    );
    stub.on(
        "POST",
        "/v1/light-instances",
        vec![Canned::json(202, json!({"order_id": "CS24022811305H1EW", "instance_ids": []}))],
    );
    stub.on(
        "GET",
        "/v2/orders/customer-orders/details/CS24022811305H1EW",
        vec![Canned::json(400, json!({"error_code": "CBC.0100", "error_msg": "bad"}))],
    );
    stub.on(
        "POST",
        "/v2/orders/subscriptions/resources/renew",
        vec![Canned::json(500, json!({"error_code": "CBC.0999", "error_msg": "system error"}))],
    );
    stub.on(
        "POST",
        "/v2/orders/subscriptions/resources/unsubscribe",
        vec![Canned::json(200, json!({"order_ids": ["CS241125191112O62"]}))],
    );
    stub.on(
        "POST",
        "/v2/payments/free-resources/usages/details/query",
        vec![Canned::json(200, json!({"free_resources": []}))],
    );
    stub.on(
        "POST",
        "/v2/orders/suscriptions/resources/query",
        vec![Canned::json(200, json!({"data": [], "total_count": 0}))],
    );
}

#[tokio::test]
async fn no_secret_appears_in_logs_or_errors() {
    if !support::alone_in_a_child("no_secrets_in_logs::no_secret_appears_in_logs_or_errors") {
        return;
    }
    let stub = Stub::start_on_own_thread();
    routes(&stub);
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let both = Credentials::new(
        Some(AkSk::new(AK, SK).with_security_token(SECURITY_TOKEN)),
        Some(IamPassword::new(ACCOUNT, USER, PASSWORD)),
    )
    .unwrap();
    let cloud = stub.cloud();
    let signed = cloud.account(both.clone());
    let token_only =
        cloud.account(Credentials::from_password(IamPassword::new(ACCOUNT, USER, PASSWORD)));
    let wrong = cloud.account(Credentials::from_password(IamPassword::new(
        ACCOUNT,
        USER,
        "wrong-Pa55word-secret",
    )));

    let r = Region::CnNorth4;
    let server: ServerId = SERVER.parse().unwrap();
    let ids = [server.clone()];
    let job = "ff80808290c6b7b60191ef4d78411d8d".parse().unwrap();
    let instance: InstanceId = "66e3e9f8b271f8319ef19e86".parse().unwrap();
    let package: PackageId = "4fb5cd67-73f8-4313-bc1b-f76ed15c9d09".parse().unwrap();
    let order: OrderId = "CS24022811305H1EW".parse().unwrap();
    let reset = SecretString::from(RESET_PASSWORD);
    let purchase: PurchaseRequest = serde_json::from_value(json!({"instance_name": "hcss-test", "plan_spec": "hf.small.1.linux",
        "image_ref": {"image_name": "Ubuntu", "image_version": "22.04"}, "region": "cn-north-4", "period_type": "month", "period_num": 1}))
    .unwrap();

    let mut seen: Vec<String> = Vec::new();
    let mut note = |label: &str, text: String| seen.push(format!("{label}: {text}"));
    for account in [&signed, &token_only] {
        note("show", format!("{:?}", account.show_server(r, &server).await));
        let change = UpdateServerOption { name: Some("web-1".into()), ..Default::default() };
        note("update", format!("{:?}", account.update_server(r, &server, &change).await));
        note("start", format!("{:?}", account.start_servers(r, &ids).await));
        note("stop", format!("{:?}", account.stop_servers(r, &ids, RebootType::Soft).await));
        note("reboot", format!("{:?}", account.reboot_servers(r, &ids, RebootType::Hard).await));
        note("reset", format!("{:?}", account.reset_passwords(r, &ids, &reset).await));
        note(
            "reset-invalid",
            format!("{:?}", account.reset_passwords(r, &ids, &SecretString::from("root")).await),
        );
        note("job", format!("{:?}", account.show_job(r, &job).await));
        note("list", format!("{:?}", account.list_servers(r).await));
        note("rms", format!("{:?}", account.list_l_instances(Some(r)).await));
        note(
            "purchase",
            format!("{:?}", account.purchase(&purchase, &ClientRequestId::generate()).await),
        );
        note("order", format!("{:?}", account.order_details(&order).await));
        let renew = RenewOptions { period: PeriodType::Year, count: 1, auto_pay: true };
        note(
            "renew",
            format!("{:?}", account.renew(std::slice::from_ref(&instance), &renew).await),
        );
        let unsub = UnsubscribeOptions {
            kind: UnsubscribeType::ResourceAndRenewals,
            reason_type: None,
            reason: None,
        };
        note(
            "unsubscribe",
            format!("{:?}", account.unsubscribe(std::slice::from_ref(&instance), &unsub).await),
        );
        note(
            "usage",
            format!("{:?}", account.free_resource_usages(std::slice::from_ref(&package)).await),
        );
        note(
            "expiry",
            format!("{:?}", account.instance_expiry(std::slice::from_ref(&instance)).await),
        );
        note("verify", format!("{:?}", account.verify_credentials().await));
        note("debug", format!("{account:?} {:?}", account.cloud()));
    }
    for account in [&signed, &token_only] {
        note("projects", format!("{:?}", account.list_projects(r).await));
        note("domains", format!("{:?}", account.list_auth_domains().await));
        note("servers-page", format!("{:?}", account.list_servers_page(r, 1, 10).await));
        note("rms-page", format!("{:?}", account.list_l_instances_page(None, 5, None).await));
        let all = QueryResourcesRequest::default();
        note("resources", format!("{:?}", account.pay_per_period_resources(&all).await));
    }
    let failed = wrong.show_job(r, &job).await.unwrap_err();
    note("wrong", format!("{failed} {failed:?}"));
    tracing::error!(error = %failed, "reported by the caller");
    let bad_key = cloud.account(Credentials::from_aksk(AkSk::new(AK, "wrong-SK-secret-value")));
    note("bad-key", format!("{:?}", bad_key.show_job(r, &job).await));

    // Nothing listens on `closed`: every call fails to connect, token requests included.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut config = stub.config();
    config.endpoints = Endpoints::single(&format!("http://{closed}")).unwrap();
    let down = HuaweiCloud::new(config).unwrap();
    note("down-signed", format!("{:?}", down.account(both.clone()).show_job(r, &job).await));
    let down_token = down.account(token_only.credentials().clone());
    note("down-token", format!("{:?}", down_token.show_job(r, &job).await));
    // A slow answer: every attempt times out.
    let mut config = stub.config();
    config.timeout = Duration::from_millis(200);
    let slow = HuaweiCloud::new(config).unwrap().account(both.clone());
    note("slow-job", format!("{:?}", slow.show_job(r, &SLOW_JOB.parse().unwrap()).await));

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let results = seen.join("\n");
    assert!(logs.contains("huaweicloud"), "nothing was captured, so this test would prove nothing");
    assert!(logs.contains("request_id") && logs.contains("stubreq"), "request ids are logged");
    for failure in ["OutcomeUnknown", "Validation", "Connect", "Timeout", "Rejected"] {
        assert!(results.contains(failure), "{failure} was not exercised: {results}");
    }
    // One span per operation, carrying what an operator needs to find the call at Huawei.
    for operation in OPERATIONS {
        assert!(logs.contains(&format!("operation=\"{operation}\"")), "{operation} not logged");
    }
    for field in ["service=\"ecs\"", "region=\"cn-north-4\"", "status=200", "latency_ms="] {
        assert!(logs.contains(field), "{field} missing from the logs");
    }
    assert!(stub.token_requests() >= 3 && stub.requests().iter().any(|r| r.signed_ok()));
    let issued: Vec<String> = stub
        .requests()
        .iter()
        .filter_map(|r| r.header("x-auth-token").map(str::to_owned))
        .collect();
    assert!(!issued.is_empty());
    for secret in [
        SK,
        SECURITY_TOKEN,
        PASSWORD,
        RESET_PASSWORD,
        "wrong-Pa55word-secret",
        "wrong-SK-secret-value",
        TOKEN_PREFIX,
    ]
    .into_iter()
    .chain(issued.iter().map(String::as_str))
    {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
        assert!(!results.contains(secret), "{secret} leaked into a result or error");
    }
}
