use lightdeck_huaweicloud::model::rms::*;
use serde_json::json;

use super::{decode, fixture, fixture_entry, round_trip, to_value, with_unknown_field};

fn seed_page() -> ListAllResourcesResponse {
    decode(&fixture("rms_list_all_resources.json"))
}

#[test]
fn seed_resource_decodes() {
    let page = seed_page();
    assert_eq!(page.page_info.current_count, 1);
    assert_eq!(page.page_info.next_marker, None);
    assert_eq!(page.resources.len(), 1);
    let r = &page.resources[0];
    assert_eq!(r.id, "66e3e9f8b271f8319ef19e86");
    assert_eq!(r.name.as_deref(), Some("BT-cn-north-4-X6p4"));
    assert_eq!(r.provider.as_deref(), Some("hcss"));
    assert_eq!(r.kind.as_deref(), Some("l-instance"));
    assert_eq!(r.region_id.as_deref(), Some("cn-north-4"));
    assert_eq!(r.project_id.as_deref(), Some("067cf8aecf3845d1ad7a5d308322f13b"));
    assert_eq!(r.ep_id.as_deref(), Some("0"));
    assert_eq!(r.created.as_deref(), Some("2024-09-13T07:30:00.000Z"));
    assert_eq!(r.provisioning_state.as_deref(), Some("Succeeded"));
    assert_eq!(r.state.as_deref(), Some("Normal"));
    assert!(!r.is_deleted());
    assert!(r.tags.is_empty());
    let p = &r.properties;
    assert_eq!(p.product_name.as_deref(), Some("BT_light_server_8_0"));
    assert_eq!(p.platform.as_deref(), Some("SMB"));
    assert_eq!(p.plan_name.as_deref(), Some("basic_v12"));
    assert_eq!(p.plan_id.as_deref(), Some("66b03ab8bb1fd66087123683"));
    assert_eq!(p.resources.as_ref().map(Vec::len), Some(8));
    assert!(p.extra.is_empty(), "every seed property is typed: {:?}", p.extra);
}

#[test]
fn seed_resource_accessors() {
    let page = seed_page();
    let r = &page.resources[0];
    assert_eq!(r.server_id(), Some("72a270de-665a-4f46-8d64-24ad6edccdd2"));
    assert_eq!(r.server_name(), Some("hcss_ecs_ff60"));
    assert_eq!(r.traffic_package_id(), Some("4fb5cd67-73f8-4313-bc1b-f76ed15c9d09"));
    assert_eq!(r.traffic_package_end_time(), Some("2024-10-13 16:00:00"));
    assert_eq!(r.spec_code(), Some("ahf.large.1.40g.2m.linux"));
    assert_eq!(r.order_id(), Some("CS2409131529QL4NJ"));
    assert_eq!(r.public_ip(), Some("119.3.166.187"));
    assert_eq!(r.instance_status(), Some("RUNNING"));

    let ecs = r.sub_resource(logical_type::ECS_INSTANCE).unwrap();
    assert_eq!(ecs.attribute("flavor_id"), Some("at7.large.1"));
    assert_eq!(ecs.attribute("admin_pass"), None, "\"null\" is None");
    assert_eq!(ecs.attribute("no_such_key"), None);
    let tags: Vec<String> = serde_json::from_str(ecs.attribute("tags").unwrap()).unwrap();
    assert_eq!(tags, ["_sys_type_hcss_l"]);
    let eip = r.sub_resource(logical_type::EIP).unwrap();
    assert_eq!(eip.attribute("public_ipv6_address"), None, "empty is None");
    let bandwidth: serde_json::Value =
        serde_json::from_str(eip.attribute("bandwidth").unwrap()).unwrap();
    assert_eq!(bandwidth[0]["size"], 2);
}

#[test]
fn seed_page_round_trips_to_the_same_json() {
    let page = seed_page();
    round_trip(&page);
    assert_eq!(to_value(&page), fixture("rms_list_all_resources.json"));
}

#[test]
fn accessors_treat_null_string_empty_and_missing_as_none() {
    let r: ResourceEntity = decode(&json!({
        "id": "6743d0e3708be6007b8c8012",
        "properties": {
            "metadata": {"resource_spec_code": "null", "order_id": ""},
            "status": "null",
            "resources": [
                {"logical_resource_type": "huaweicloudinternal_ecs_instance",
                 "physical_resource_id": "null", "physical_resource_name": "",
                 "resource_attributes": [{"key": "name", "value": "null"}]},
                {"logical_resource_type": "huaweicloudinternal_eip",
                 "physical_resource_id": "ad75ed90-2cd5-4f96-a65c-c4cb0b3690c0",
                 "resource_attributes": [{"key": "public_ip_address", "value": ""}]},
                {"logical_resource_type": "huaweicloudinternal_cbc_freeresource",
                 "physical_resource_id": "4fb5cd67-73f8-4313-bc1b-f76ed15c9d09",
                 "resource_attributes": [{"key": "end_time", "value": "null"}]}
            ]
        }
    }));
    assert_eq!(r.server_id(), None);
    assert_eq!(r.server_name(), None);
    assert_eq!(r.public_ip(), None);
    assert_eq!(r.spec_code(), None);
    assert_eq!(r.order_id(), None);
    assert_eq!(r.instance_status(), None);
    assert_eq!(r.traffic_package_id(), Some("4fb5cd67-73f8-4313-bc1b-f76ed15c9d09"));
    assert_eq!(r.traffic_package_end_time(), None);

    let bare: ResourceEntity = decode(&json!({"id": "x", "tags": null, "properties": null}));
    assert_eq!(bare.server_id(), None);
    assert_eq!(bare.traffic_package_id(), None);
    assert_eq!(bare.spec_code(), None);
    assert_eq!(bare.public_ip(), None);
}

#[test]
fn server_name_falls_back_to_the_name_attribute() {
    let r: ResourceEntity = decode(&json!({"id": "x", "properties": {"resources": [
        {"logical_resource_type": "huaweicloudinternal_ecs_instance",
         "physical_resource_id": "72a270de-665a-4f46-8d64-24ad6edccdd2",
         "resource_attributes": [{"key": "name", "value": "hcss_ecs_ff60"}]}]}}));
    assert_eq!(r.server_name(), Some("hcss_ecs_ff60"));
}

#[test]
fn non_string_attribute_values_are_kept_as_text() {
    let a: ResourceAttribute = decode(&json!({"key": "size", "value": 40}));
    assert_eq!(a.value, "40");
    let a: ResourceAttribute = decode(&json!({"key": "x", "value": null}));
    assert_eq!(a.value, "null");
    let a: ResourceAttribute = decode(&json!({"key": "x", "value": {"a": [1]}}));
    assert_eq!(a.value, r#"{"a":[1]}"#);
}

#[test]
fn unknown_fields_are_kept_in_properties_and_ignored_elsewhere() {
    let v = with_unknown_field(fixture("rms_list_all_resources.json"), "");
    let v = with_unknown_field(v, "/page_info");
    let v = with_unknown_field(v, "/resources/0");
    let v = with_unknown_field(v, "/resources/0/properties");
    let v = with_unknown_field(v, "/resources/0/properties/resources/1");
    let v = with_unknown_field(v, "/resources/0/properties/resources/1/resource_attributes/0");
    let page: ListAllResourcesResponse = decode(&v);
    let r = &page.resources[0];
    assert_eq!(r.server_id(), Some("72a270de-665a-4f46-8d64-24ad6edccdd2"));
    assert!(r.properties.extra.contains_key("zz_unknown"));
    let ecs = r.sub_resource(logical_type::ECS_INSTANCE).unwrap();
    assert!(ecs.extra.contains_key("zz_unknown"));
    // Kept verbatim when cloudsim re-serves the resource.
    let again = to_value(r);
    assert_eq!(again["properties"]["zz_unknown"]["nested"][1], "two");
}

fn sample_spec() -> FlexusLResourceSpec {
    FlexusLResourceSpec {
        id: "6743d0e3708be6007b8c8012".into(),
        name: "demo-ubuntu".into(),
        region_id: "ap-southeast-3".into(),
        project_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
        server_id: "5b8e0b0e-6f3c-4b8e-9f0e-1a2b3c4d5e6f".into(),
        server_name: "hcss_ecs_5b8e".into(),
        traffic_package_id: "828e2c7c-3c8c-45a2-bebc-98cb3e77d06e".into(),
        traffic_package_end_time: Some("2025-01-25 16:00:00".into()),
        spec_code: "hf.large.1.40g.30m.linux".into(),
        order_id: "CS241125185460CZY".into(),
        public_ip: "203.0.113.7".into(),
        status: "RUNNING".into(),
        created: "2024-11-25T10:54:00.000Z".into(),
    }
}

#[test]
fn built_flexus_resource_answers_every_accessor() {
    let r = sample_spec().into_entity();
    assert_eq!(r.id, "6743d0e3708be6007b8c8012");
    assert_eq!(r.name.as_deref(), Some("demo-ubuntu"));
    assert_eq!(r.server_id(), Some("5b8e0b0e-6f3c-4b8e-9f0e-1a2b3c4d5e6f"));
    assert_eq!(r.server_name(), Some("hcss_ecs_5b8e"));
    assert_eq!(r.traffic_package_id(), Some("828e2c7c-3c8c-45a2-bebc-98cb3e77d06e"));
    assert_eq!(r.traffic_package_end_time(), Some("2025-01-25 16:00:00"));
    assert_eq!(r.spec_code(), Some("hf.large.1.40g.30m.linux"));
    assert_eq!(r.order_id(), Some("CS241125185460CZY"));
    assert_eq!(r.public_ip(), Some("203.0.113.7"));
    assert_eq!(r.instance_status(), Some("RUNNING"));
    round_trip(&r);
    assert_eq!(sample_spec().into_entity(), r, "same input, same resource");
}

#[test]
fn built_flexus_resource_has_the_seed_shape() {
    let built = to_value(&sample_spec().into_entity());
    let seed = fixture("rms_list_all_resources.json")["resources"][0].clone();
    for key in seed.as_object().unwrap().keys() {
        assert!(built.get(key).is_some(), "built resource lacks {key}");
    }
    for key in seed["properties"].as_object().unwrap().keys() {
        assert!(built["properties"].get(key).is_some(), "built properties lack {key}");
    }
    let meta = seed["properties"]["metadata"].as_object().unwrap();
    for key in meta.keys() {
        assert!(built["properties"]["metadata"].get(key).is_some(), "metadata lacks {key}");
    }
    assert_eq!(built["provider"], "hcss");
    assert_eq!(built["type"], "l-instance");
    assert_eq!(built["project_name"], "ap-southeast-3");
    assert_eq!(built["checksum"].as_str().map(str::len), Some(64));
    let ecs = &built["properties"]["resources"][0];
    assert_eq!(ecs["physical_resource_type"], "hws.resource.type.vm");
    assert_eq!(ecs["cloud_service_type"], "hws.service.type.ec2");
    // Attribute values are strings, including stringified JSON.
    for sub in built["properties"]["resources"].as_array().unwrap() {
        for a in sub["resource_attributes"].as_array().into_iter().flatten() {
            assert!(a["value"].is_string(), "{a}");
        }
    }
}

#[test]
fn built_resource_without_package_end_time_says_null() {
    let r = FlexusLResourceSpec { traffic_package_end_time: None, ..sample_spec() }.into_entity();
    assert_eq!(r.traffic_package_end_time(), None);
    let v = to_value(&r);
    let traffic = &v["properties"]["resources"][2];
    assert_eq!(traffic["logical_resource_type"], logical_type::TRAFFIC_PACKAGE);
    let end =
        traffic["resource_attributes"].as_array().unwrap().iter().find(|a| a["key"] == "end_time");
    assert_eq!(end.unwrap()["value"], "null");
}

#[test]
fn list_query_pairs() {
    let q = ListAllResourcesQuery::flexus_l(Some("cn-north-4"));
    assert_eq!(
        q.query_pairs(),
        [
            ("region_id", "cn-north-4".to_owned()),
            ("type", "hcss.l-instance".to_owned()),
            ("limit", "200".to_owned()),
        ]
    );
    let q = ListAllResourcesQuery {
        marker: Some("m1".into()),
        tags: vec!["a".into(), "b=c".into()],
        ..ListAllResourcesQuery::flexus_l(None)
    };
    assert_eq!(
        q.query_pairs(),
        [
            ("type", "hcss.l-instance".to_owned()),
            ("limit", "200".to_owned()),
            ("marker", "m1".to_owned()),
            ("tags", "a".to_owned()),
            ("tags", "b=c".to_owned()),
        ]
    );
    round_trip(&q);
}

#[test]
fn error_bodies_decode() {
    let e: RmsErrorBody = decode(&fixture_entry("errors.json", "rms"));
    assert_eq!(e.error_code, "RMS.00010001");
    assert_eq!(e.error_msg, "Invalid parameter: limit");
    round_trip(&e);
    let g: GatewayError = decode(&fixture_entry("errors.json", "gateway"));
    assert_eq!(g.error_code, "APIG.0301");
    assert_eq!(g.request_id.as_deref(), Some("af2953f2bcc67a42325a69a19e6c32a2"));
    round_trip(&g);
}

#[test]
fn null_page_info_and_lists_decode_as_empty() {
    let page: ListAllResourcesResponse = decode(&json!({"resources": null, "page_info": null}));
    assert!(page.resources.is_empty());
    assert_eq!(page.page_info, PageInfo::default());
    let e: RmsErrorBody = decode(&json!({"error_code": "RMS.1", "error_msg": null}));
    assert_eq!(e.error_msg, "");
}
