use lightdeck_huaweicloud::model::ecs::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::{
    decode, fixture, fixture_entry, round_trip, round_trip_wire, to_value, with_unknown_field,
};

const ID1: &str = "72a270de-665a-4f46-8d64-24ad6edccdd1";
const ID2: &str = "72a270de-665a-4f46-8d64-24ad6edccdd2";

#[test]
fn show_server_seed_decodes() {
    let s = decode::<ShowServerResponse>(&fixture("ecs_show_server.json")).server;
    assert_eq!(s.id, ID2);
    assert_eq!(s.name.as_deref(), Some("hcss_ecs_ff60"));
    assert_eq!(s.status, Some(ServerStatus::Active));
    assert_eq!(s.vm_state.as_deref(), Some("active"));
    assert_eq!(s.task_state, None);
    assert_eq!(s.power_state, Some(1));
    assert_eq!(s.private_ip(), Some("192.168.12.151"));
    assert_eq!(s.public_ip(), Some("119.3.166.187"));
    let addrs = &s.addresses.as_ref().unwrap()["4022721e-0476-41ea-91f4-1883065a68cc"];
    assert_eq!(addrs[0].version.as_deref(), Some("4"));
    assert_eq!(addrs[0].primary, Some(true));
    assert_eq!(addrs[0].mac_addr.as_deref(), Some("fa:16:3e:74:d8:63"));
    assert_eq!(addrs[0].port_id.as_deref(), Some("db18e1cd-7fea-4e8d-95b0-e31db879b8ee"));
    let flavor = s.flavor.as_ref().unwrap();
    assert_eq!(flavor.id.as_deref(), Some("at7.large.1"));
    assert_eq!((flavor.vcpus.as_deref(), flavor.ram.as_deref()), (Some("2"), Some("2048")));
    assert_eq!(flavor.disk.as_deref(), Some("0"));
    assert_eq!(
        s.image.as_ref().unwrap().id.as_deref(),
        Some("f267d4ce-0d85-41ce-99c3-f5c4b3ca4640")
    );
    assert_eq!(s.metadata_value("lockSourceId"), Some("66e3e9f8b271f8319ef19e86"));
    assert_eq!(s.metadata_value("charging_mode"), Some("1"));
    assert_eq!(s.metadata_value("image_name"), Some("宝塔 Linux 面板 8.0.5"));
    assert!(!s.is_frozen());
    assert_eq!(s.tags.as_deref(), Some(&["_sys_type_hcss_l".to_owned()][..]));
    assert_eq!(s.sys_tags.as_ref().unwrap()[0].key, "_sys_enterprise_project_id");
    assert_eq!(s.created.as_deref(), Some("2024-09-13T07:30:25Z"));
    assert_eq!(s.updated.as_deref(), Some("2024-09-13T07:31:12Z"));
    assert_eq!(s.launched_at.as_deref(), Some("2024-09-13T07:30:39.000000"));
    assert_eq!(s.availability_zone.as_deref(), Some("cn-north-4g"));
    assert_eq!(s.hostname.as_deref(), Some("hcss-ecs-ff60"));
    assert_eq!(s.instance_name.as_deref(), Some("instance-038ca5e0"));
    assert_eq!(s.description.as_deref(), Some(""));
    assert_eq!(s.locked, Some(false));
    assert_eq!(s.tenant_id.as_deref(), Some("067cf8aecf3845d1ad7a5d308322f13b"));
    assert_eq!(s.enterprise_project_id.as_deref(), Some("0"));
    assert_eq!(s.host_status.as_deref(), Some("UP"));
    assert_eq!(s.key_name, None);
    assert_eq!(s.fault, None);
    assert_eq!(s.security_groups.as_ref().unwrap()[0].name.as_deref(), Some("sg-default-smb"));
    let vol = &s.volumes_attached.as_ref().unwrap()[0];
    assert_eq!((vol.boot_index.as_deref(), vol.device.as_deref()), (Some("0"), Some("/dev/vda")));
    assert_eq!(vol.delete_on_termination.as_deref(), Some("false"));
    assert_eq!(s.security_options.as_ref().unwrap().tpm_enabled, None);
    // Untyped fields are kept.
    assert_eq!(s.extra["hostId"], "fc724a7f21982eec27a7c4d3ab33275733834e1d4316cadd2a684387");
    assert_eq!(s.extra["OS-EXT-SRV-ATTR:launch_index"], 0);
    assert_eq!(s.extra["enclave_options"], json!({"enabled": false}));
    assert!(s.is_running());
    assert!(!s.is_stopped());
    assert!(!s.is_transitional());
}

#[test]
fn show_server_round_trips() {
    let resp: ShowServerResponse = decode(&fixture("ecs_show_server.json"));
    round_trip(&resp);
    // Re-served JSON keeps ShowServer's string `version`.
    assert_eq!(
        to_value(&resp)["server"]["addresses"]["4022721e-0476-41ea-91f4-1883065a68cc"][0]["version"],
        "4"
    );
}

#[test]
fn update_server_seed_decodes_and_round_trips() {
    let resp: UpdateServerResponse = decode(&fixture("ecs_update_server.json"));
    let s = &resp.server;
    assert_eq!(s.id, ID2);
    assert_eq!(s.hostname.as_deref(), Some("NameA"));
    assert_eq!(s.name.as_deref(), Some("hcss_ecs_ff60"));
    assert_eq!(s.status, Some(ServerStatus::Active));
    assert_eq!(s.image.as_deref(), Some(""));
    assert_eq!(s.progress, Some(0));
    assert_eq!(s.updated.as_deref(), Some("2024-09-14T06:20:34Z"));
    let addr = &s.addresses.as_ref().unwrap()["4022721e-0476-41ea-91f4-1883065a68cc"][0];
    assert_eq!((addr.addr.as_str(), addr.version), ("192.168.12.151", Some(4)));
    let flavor = s.flavor.as_ref().unwrap();
    assert_eq!(flavor.id.as_deref(), Some("at7.large.1"));
    assert_eq!(flavor.links.as_ref().unwrap()[0].rel, "bookmark");
    assert_eq!(s.links.as_ref().map(Vec::len), Some(2));
    assert_eq!(s.metadata.as_ref().unwrap()["__support_agent_list"], "hss,hss-pc,ces");
    assert_eq!(s.extra["OS-DCF:diskConfig"], "MANUAL");
    round_trip(&resp);
    assert_eq!(
        to_value(&resp)["server"]["addresses"]["4022721e-0476-41ea-91f4-1883065a68cc"][0]["version"],
        4
    );
}

#[test]
fn address_version_accepts_string_and_number() {
    let a: ServerAddress = decode(&json!({"addr": "10.0.0.1", "version": 6}));
    assert_eq!(a.version.as_deref(), Some("6"));
    let a: ServerAddress = decode(&json!({"addr": "10.0.0.1", "version": null}));
    assert_eq!(a.version, None);
    let a: UpdateServerAddress = decode(&json!({"addr": "10.0.0.1", "version": "4"}));
    assert_eq!(a.version, Some(4));
    let a: UpdateServerAddress = decode(&json!({"addr": "10.0.0.1"}));
    assert_eq!(a.version, None);
    assert!(
        serde_json::from_value::<UpdateServerAddress>(json!({"addr": "x", "version": "four"}))
            .unwrap_err()
            .to_string()
            .contains("four")
    );
}

fn server(status: &str, task: Option<&str>) -> ServerDetail {
    decode(&json!({"id": ID1, "status": status, "OS-EXT-STS:task_state": task}))
}

#[test]
fn server_state_helpers() {
    for s in ["REBOOT", "HARD_REBOOT", "BUILD", "MIGRATING", "RESIZE", "REVERT_RESIZE", "REBUILD"] {
        let srv = server(s, None);
        assert!(srv.is_transitional(), "{s}");
        assert!(!srv.is_running() && !srv.is_stopped(), "{s}");
    }
    let active = server("ACTIVE", None);
    assert!(active.is_running() && !active.is_transitional() && !active.is_stopped());
    let powering_off = server("ACTIVE", Some("powering-off"));
    assert!(powering_off.is_transitional() && !powering_off.is_running());
    let stopped = server("SHUTOFF", Some(""));
    assert!(stopped.is_stopped() && !stopped.is_transitional());
    let error = server("ERROR", None);
    assert!(!error.is_running() && !error.is_stopped() && !error.is_transitional());
}

#[test]
fn unseen_server_status_decodes_and_round_trips() {
    let s = server("HIBERNATING", None);
    assert_eq!(s.status, Some(ServerStatus::Other("HIBERNATING".into())));
    assert!(!s.is_transitional() && !s.is_running());
    assert_eq!(to_value(&s)["status"], "HIBERNATING");
    assert_eq!(ServerStatus::from("SHELVED_OFFLOADED"), ServerStatus::ShelvedOffloaded);
    assert_eq!(ServerStatus::HardReboot.to_string(), "HARD_REBOOT");
}

#[test]
fn list_servers_decodes_including_an_unknown_id() {
    let resp: ListServersDetailsResponse = decode(&fixture("ecs_list_servers.json"));
    assert_eq!(resp.count, 2);
    let first = &resp.servers[0];
    assert!(first.is_stopped());
    assert!(first.is_frozen());
    assert_eq!(first.power_state, Some(4));
    assert_eq!(first.private_ip(), Some("192.168.12.151"));
    assert_eq!(first.public_ip(), None);
    let missing = &resp.servers[1];
    assert_eq!(missing.id, "00000000-0000-4000-8000-000000000000");
    assert_eq!((missing.name.as_ref(), missing.status.as_ref()), (None, None));
    assert!(missing.addresses.is_none() && missing.metadata.is_none());
    assert_eq!(missing.fault.as_ref().unwrap()["code"], 404);
    round_trip(&resp);
}

#[test]
fn list_servers_query() {
    let q = ListServersDetailsQuery {
        offset: Some(1),
        limit: Some(1000),
        not_tags: Some("_sys_type_other".into()),
        tags: Some("_sys_type_hcss_l".into()),
        ..Default::default()
    };
    assert_eq!(
        q.query_pairs(),
        [
            ("limit", "1000".to_owned()),
            ("not-tags", "_sys_type_other".to_owned()),
            ("offset", "1".to_owned()),
            ("tags", "_sys_type_hcss_l".to_owned()),
        ]
    );
    assert_eq!(to_value(&q)["not-tags"], "_sys_type_other");
    assert!(q.check().is_ok());
    let err =
        ListServersDetailsQuery { limit: Some(1001), ..Default::default() }.check().unwrap_err();
    assert_eq!(err.field, "limit");
    assert!(err.message.contains("1000"), "{}", err.message);
    assert!(ListServersDetailsQuery { limit: Some(0), ..Default::default() }.check().is_err());
    round_trip(&q);
}

#[test]
fn update_request_matches_the_seed() {
    let req = UpdateServerRequest {
        server: UpdateServerOption { hostname: Some("NameA".into()), ..Default::default() },
    };
    assert_eq!(to_value(&req), fixture_entry("seed_requests.json", "update_server"));
    round_trip(&req);
    let full = UpdateServerRequest {
        server: UpdateServerOption {
            name: Some("web-1".into()),
            hostname: Some("web-1".into()),
            description: Some("front end".into()),
        },
    };
    assert_eq!(
        to_value(&full),
        json!({"server": {"name": "web-1", "hostname": "web-1", "description": "front end"}})
    );
    round_trip(&full);
}

#[test]
fn batch_action_bodies_match_the_seed() {
    let seed = |k| fixture_entry("seed_requests.json", k);
    assert_eq!(to_value(&BatchActionRequest::start([ID1, ID2])), seed("start"));
    assert_eq!(to_value(&BatchActionRequest::reboot([ID1, ID2], RebootType::Soft)), seed("reboot"));
    assert_eq!(to_value(&BatchActionRequest::stop([ID1, ID2], None)), seed("stop"));
    assert_eq!(
        to_value(&BatchActionRequest::stop([ID1], Some(RebootType::Hard))),
        json!({"os-stop": {"type": "HARD", "servers": [{"id": ID1}]}})
    );
    assert_eq!(
        to_value(&BatchActionRequest::reboot([ID1], RebootType::Hard)),
        json!({"reboot": {"type": "HARD", "servers": [{"id": ID1}]}})
    );
}

#[test]
fn batch_action_bodies_decode_for_the_simulator() {
    let seed = |k| fixture_entry("seed_requests.json", k);
    let reboot: BatchActionRequest = decode(&seed("reboot"));
    assert_eq!(reboot, BatchActionRequest::reboot([ID1, ID2], RebootType::Soft));
    assert_eq!(reboot.action_name(), "reboot");
    assert_eq!(reboot.servers().len(), 2);
    let stop: BatchActionRequest = decode(&seed("stop"));
    assert!(matches!(stop, BatchActionRequest::Stop(BatchStopOption { kind: None, .. })));
    let start: BatchActionRequest = decode(&seed("start"));
    assert_eq!(start.action_name(), "os-start");
    for a in [&reboot, &stop, &start] {
        round_trip(a);
    }
    for bad in [
        json!({"os-suspend": {"servers": []}}),
        json!({"reboot": {"servers": [{"id": ID1}]}}),
        json!({"reboot": {"type": "GENTLE", "servers": [{"id": ID1}]}}),
        json!({"os-start": {"servers": []}, "os-stop": {"servers": []}}),
        json!({}),
    ] {
        assert!(serde_json::from_value::<BatchActionRequest>(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn batch_action_responses_decode() {
    for (key, job) in [
        ("os-start", "ff80808290c6b7b60191ef4d78411d8d"),
        ("reboot", "ff80808290c6b7b60191ef522de6257b"),
        ("os-stop", "ff80808290c6b8210191ef4a80e116d3"),
    ] {
        let r: BatchActionResponse = decode(&fixture_entry("ecs_batch_action_responses.json", key));
        assert_eq!(r.job_id, job);
        round_trip(&r);
    }
}

#[test]
fn reset_password_request_matches_the_seed_and_hides_the_password() {
    let req = BatchResetPasswordRequest::new(SecretString::from("password@123"), [ID1, ID2]);
    assert_eq!(to_value(&req), fixture_entry("seed_requests.json", "reset_password"));
    let debug = format!("{req:?}");
    assert!(!debug.contains("password@123"), "{debug}");
    assert!(debug.contains(ID1), "{debug}");
    round_trip_wire(&req);

    let dry = BatchResetPasswordRequest { dry_run: Some(true), ..req };
    assert_eq!(to_value(&dry)["dry_run"], true);
    let back: BatchResetPasswordRequest = decode(&to_value(&dry));
    assert_eq!(back.new_password.expose_secret(), "password@123");
    assert_eq!(back.dry_run, Some(true));
    assert!(!format!("{back:?}").contains("password@123"));
}

#[test]
fn reset_password_response_decodes() {
    let r: BatchResetPasswordResponse = decode(&fixture("ecs_reset_password_response.json"));
    assert_eq!(r.response, ServerRef::list([ID1, ID2]));
    round_trip(&r);
}

#[test]
fn show_job_decodes() {
    let job: ShowJobResponse = decode(&fixture("ecs_show_job.json"));
    assert_eq!(job.job_id.as_deref(), Some("ff80808290c6b7b60191ef522de6257b"));
    assert_eq!(job.status, Some(JobStatus::Fail));
    assert!(job.is_terminal());
    assert_eq!(job.error_code.as_deref(), Some("Ecs.0002"));
    assert_eq!(job.begin_time.as_deref(), Some("2024-09-14T06:30:00.103Z"));
    assert_eq!(job.code, None);
    let entities = job.entities.as_ref().unwrap();
    assert_eq!(entities.sub_jobs_total, Some(2));
    let subs = job.sub_jobs();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0].status, Some(JobStatus::Success));
    assert_eq!(subs[0].server_id(), Some(ID1));
    assert_eq!(subs[0].fail_reason, None);
    assert_eq!(subs[1].status, Some(JobStatus::Fail));
    assert_eq!(subs[1].server_id(), Some(ID2));
    assert_eq!(
        subs[1].entities.as_ref().unwrap().errorcode_message.as_deref(),
        Some("server is locked")
    );
    round_trip(&job);
}

#[test]
fn show_job_statuses_including_unseen_ones() {
    let job: ShowJobResponse = decode(&json!({"job_id": "j", "status": "RUNNING", "entities": {}}));
    assert!(!job.is_terminal());
    assert!(job.sub_jobs().is_empty());
    let job: ShowJobResponse = decode(&json!({"job_id": "j", "status": "PENDING_PAYMENT"}));
    assert_eq!(job.status, Some(JobStatus::PendingPayment));
    let job: ShowJobResponse = decode(&json!({"job_id": "j", "status": "ROLLING_BACK"}));
    assert_eq!(job.status, Some(JobStatus::Other("ROLLING_BACK".into())));
    assert!(!job.is_terminal());
    round_trip(&job);
    let failed_query: ShowJobResponse =
        decode(&json!({"code": "Ecs.0001", "message": "job not found"}));
    assert_eq!(failed_query.code.as_deref(), Some("Ecs.0001"));
    assert_eq!(failed_query.status, None);
}

#[test]
fn unknown_fields_are_ignored() {
    let v = with_unknown_field(fixture("ecs_show_job.json"), "/entities/sub_jobs/1/entities");
    let v = with_unknown_field(v, "/entities");
    let job: ShowJobResponse = decode(&v);
    assert_eq!(job.sub_jobs()[1].server_id(), Some(ID2));
    let v = with_unknown_field(fixture("ecs_show_server.json"), "");
    let v = with_unknown_field(v, "/server/flavor");
    let v = with_unknown_field(v, "/server/addresses/4022721e-0476-41ea-91f4-1883065a68cc/0");
    let resp: ShowServerResponse = decode(&v);
    assert!(resp.server.extra.contains_key("capacity_reservation_id"));
    let v = with_unknown_field(fixture("ecs_reset_password_response.json"), "/response/0");
    let _: BatchResetPasswordResponse = decode(&v);
}

#[test]
fn error_bodies_decode() {
    let e: EcsErrorBody = decode(&fixture_entry("errors.json", "ecs"));
    assert_eq!(e.error.code, "Ecs.0005");
    assert_eq!(e.error.details.as_ref().unwrap()[0].message, "servers is empty");
    round_trip(&e);
    let e: EcsErrorBody = decode(&fixture_entry("errors.json", "ecs_no_details"));
    assert_eq!(e.error.code, "Ecs.0011");
    assert!(e.error.details.is_none());
    assert_eq!(
        to_value(&EcsErrorBody::new("Ecs.0000", "bad request")),
        json!({"error": {"code": "Ecs.0000", "message": "bad request"}})
    );
}
