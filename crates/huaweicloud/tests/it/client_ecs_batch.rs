//! ECS batch operations against the stub: power actions, password reset, splitting at 1000.

use crate::support;

use lightdeck_huaweicloud::client::ECS_BATCH_MAX;
use lightdeck_huaweicloud::error::Error;
use lightdeck_huaweicloud::model::ecs::RebootType;
use lightdeck_huaweicloud::{Region, ServerId};
use secrecy::SecretString;
use serde_json::json;
use support::{Canned, PROJECT_ID, Stub};

const JOB: &str = "ff80808290c6b7b60191ef4d78411d8d";

fn server_id(n: usize) -> ServerId {
    format!("{n:08x}-0000-4000-8000-{n:012x}").parse().unwrap()
}

#[tokio::test]
async fn power_actions_send_one_body_key_each() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/action");
    stub.on("POST", &path, vec![Canned::json(200, json!({"job_id": JOB}))]);
    let account = stub.aksk_account();
    let ids = [server_id(1), server_id(2)];
    let r = Region::CnNorth4;

    let start = account.start_servers(r, &ids).await.unwrap();
    let stop = account.stop_servers(r, &ids, RebootType::Hard).await.unwrap();
    let reboot = account.reboot_servers(r, &ids, RebootType::Soft).await.unwrap();
    for results in [&start, &stop, &reboot] {
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].ids, ids);
        let reply = results[0].result.as_ref().unwrap();
        assert_eq!(reply.body.job_id, JOB);
        assert!(reply.request_id.as_deref().unwrap().starts_with("stubreq"));
    }
    let servers = json!([{"id": ids[0].as_str()}, {"id": ids[1].as_str()}]);
    let sent = stub.requests_to(&path);
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].json(), json!({"os-start": {"servers": servers}}));
    assert_eq!(sent[1].json(), json!({"os-stop": {"type": "HARD", "servers": servers}}));
    assert_eq!(sent[2].json(), json!({"reboot": {"type": "SOFT", "servers": servers}}));
    for s in &sent {
        assert_eq!(s.method, "POST");
        assert_eq!(s.header("content-type"), Some("application/json;charset=utf-8"));
        assert_eq!(s.header("x-project-id"), Some(PROJECT_ID));
        assert!(s.signed_ok());
    }
    assert!(account.start_servers(r, &[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn batches_split_at_1000_and_one_failed_chunk_hides_no_job_id() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/action");
    stub.on(
        "POST",
        &path,
        vec![
            Canned::json(200, json!({"job_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"})),
            Canned::ecs_error(400, "Ecs.0005", "invalid server"),
            Canned::json(200, json!({"job_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3"})),
        ],
    );
    let account = stub.aksk_account();
    let ids: Vec<ServerId> = (0..2500).map(server_id).collect();

    let results = account.reboot_servers(Region::CnEast3, &ids, RebootType::Soft).await.unwrap();
    let sizes: Vec<usize> = results.iter().map(|c| c.ids.len()).collect();
    assert_eq!(sizes, [ECS_BATCH_MAX, ECS_BATCH_MAX, 500]);
    assert_eq!(results[0].result.as_ref().unwrap().body.job_id, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1");
    assert_eq!(results[1].result.as_ref().unwrap_err().huawei_code(), Some("Ecs.0005"));
    assert_eq!(results[2].result.as_ref().unwrap().body.job_id, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3");
    assert_eq!(results[2].ids[0], ids[2000]);

    let sent = stub.requests_to(&path);
    assert_eq!(sent.len(), 3);
    let counts: Vec<usize> =
        sent.iter().map(|s| s.json()["reboot"]["servers"].as_array().unwrap().len()).collect();
    assert_eq!(counts, [1000, 1000, 500]);
    assert_eq!(sent[1].json()["reboot"]["servers"][0]["id"], ids[1000].as_str());
}

#[tokio::test]
async fn reset_password_checks_the_password_and_is_never_repeated() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/os-reset-passwords");
    let ids = [server_id(7)];
    stub.on("PUT", &path, vec![Canned::json(200, json!({"response": [{"id": ids[0].as_str()}]}))]);
    let account = stub.aksk_account();

    let weak = SecretString::from("short");
    let err = account.reset_passwords(Region::CnNorth4, &ids, &weak).await.unwrap_err();
    assert!(matches!(&err, Error::Validation(f) if f.get("new_password").is_some()), "{err:?}");
    assert!(stub.requests().is_empty());

    let good = SecretString::from("Lq7!kPz9@Wm2x");
    let results = account.reset_passwords(Region::CnNorth4, &ids, &good).await.unwrap();
    assert_eq!(results[0].result.as_ref().unwrap().body.response[0].id, ids[0].as_str());
    let sent = &stub.requests_to(&path)[0];
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.header("content-type"), Some("application/json;charset=utf-8"));
    assert_eq!(
        sent.json(),
        json!({"new_password": "Lq7!kPz9@Wm2x", "servers": [{"id": ids[0].as_str()}]})
    );

    // A 500 is ambiguous: the reset may have happened; it must not be sent again.
    stub.on("PUT", &path, vec![Canned::ecs_error(500, "Ecs.0002", "system error")]);
    let results = account.reset_passwords(Region::CnNorth4, &ids, &good).await.unwrap();
    let err = results[0].result.as_ref().unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert!(err.may_have_taken_effect());
    assert_eq!(err.huawei_code(), Some("Ecs.0002"));
    assert_eq!(stub.requests_to(&path).len(), 2);
}

#[tokio::test]
async fn reset_password_splits_at_1000_and_sends_each_chunk_once() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/os-reset-passwords");
    stub.on(
        "PUT",
        &path,
        vec![
            Canned::ecs_error(500, "Ecs.0002", "system error"),
            Canned::json(200, json!({"response": []})),
        ],
    );
    let ids: Vec<ServerId> = (0..1001).map(server_id).collect();
    let password = SecretString::from("Lq7!kPz9@Wm2x");
    let results = stub.aksk_account().reset_passwords(Region::CnNorth4, &ids, &password).await;
    let results = results.unwrap();
    let sizes: Vec<usize> = results.iter().map(|c| c.ids.len()).collect();
    assert_eq!(sizes, [1000, 1]);
    assert!(matches!(results[0].result, Err(Error::OutcomeUnknown { .. })));
    assert!(results[1].result.is_ok(), "a failed chunk does not stop the next one");
    let sent = stub.requests_to(&path);
    let counts: Vec<usize> =
        sent.iter().map(|s| s.json()["servers"].as_array().unwrap().len()).collect();
    assert_eq!(counts, [1000, 1], "the ambiguous chunk was not sent again");
    assert_eq!(sent[1].json()["servers"][0]["id"], ids[1000].as_str());
}

#[tokio::test]
async fn power_actions_are_retried_after_a_server_error() {
    let stub = Stub::start().await;
    let path = format!("/v1/{PROJECT_ID}/cloudservers/action");
    stub.on(
        "POST",
        &path,
        vec![Canned::ecs_error(503, "Ecs.0004", "busy"), Canned::json(200, json!({"job_id": JOB}))],
    );
    let ids = [server_id(3)];
    let results = stub.aksk_account().start_servers(Region::CnNorth4, &ids).await.unwrap();
    assert_eq!(results[0].result.as_ref().unwrap().body.job_id, JOB);
    let sent = stub.requests_to(&path);
    assert_eq!(sent.len(), 2, "starting a server twice is harmless, so it is repeated");
    assert_eq!(sent[0].body, sent[1].body);
    assert_eq!(stub.recorded_sleeps().len(), 1);
}
