//! Builds a realistic Flexus L resource in the shape of the seed's RMS example, so cloudsim
//! serves what Huawei serves and the accessors on [`ResourceEntity`] find everything.

use std::collections::BTreeMap;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::{
    LightInstanceProperties, ResourceAttribute, ResourceEntity, SubResource, logical_type,
};

/// What makes one Flexus L instance differ from another. Ids of bundled resources Lightdeck
/// never reads (EIP, disk, bandwidth) are derived from `id` so the same input always yields
/// the same resource.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlexusLResourceSpec {
    /// 24-hex L-instance id.
    pub id: String,
    pub name: String,
    pub region_id: String,
    pub project_id: String,
    pub server_id: String,
    pub server_name: String,
    pub traffic_package_id: String,
    /// E.g. `2024-10-13 16:00:00` (RMS's own format).
    pub traffic_package_end_time: Option<String>,
    pub spec_code: String,
    pub order_id: String,
    pub public_ip: String,
    /// L-instance status, e.g. `RUNNING`.
    pub status: String,
    /// E.g. `2024-09-13T07:30:00.000Z`.
    pub created: String,
}

/// A UUID-shaped id derived from a seed string.
fn derived_uuid(seed: &str) -> String {
    let h = hex::encode(Sha256::digest(seed.as_bytes()));
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn attrs(pairs: &[(&str, &str)]) -> Option<Vec<ResourceAttribute>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ResourceAttribute { key: (*k).to_owned(), value: (*v).to_owned() })
            .collect(),
    )
}

fn sub(
    physical_type: &str,
    logical_type: &str,
    physical_id: &str,
    logical_name: &str,
    cloud_service_type: &str,
) -> SubResource {
    SubResource {
        physical_resource_type: Some(physical_type.to_owned()),
        logical_resource_type: Some(logical_type.to_owned()),
        physical_resource_id: Some(physical_id.to_owned()),
        physical_resource_name: None,
        logical_resource_name: Some(logical_name.to_owned()),
        cloud_service_type: Some(cloud_service_type.to_owned()),
        resource_attributes: None,
        extra: BTreeMap::new(),
    }
}

impl FlexusLResourceSpec {
    pub fn into_entity(self) -> ResourceEntity {
        let s = &self;
        let eip_id = derived_uuid(&format!("{}/eip", s.id));
        let bandwidth_id = derived_uuid(&format!("{}/bandwidth", s.id));
        let volume_id = derived_uuid(&format!("{}/system-disk", s.id));
        // Sub-resource attributes carry whole seconds (`2024-09-13T07:31:11Z`).
        let updated_at = match s.created.split_once('.') {
            Some((whole_seconds, _)) => format!("{whole_seconds}Z"),
            None => s.created.clone(),
        };
        let az = format!("{}a", s.region_id);
        let end_time = s.traffic_package_end_time.as_deref().unwrap_or("null");

        let mut ecs = sub(
            "hws.resource.type.vm",
            logical_type::ECS_INSTANCE,
            &s.server_id,
            "huaweicloudinternal_ecs_instance_light_server_compute_instance",
            "hws.service.type.ec2",
        );
        ecs.physical_resource_name = Some(s.server_name.clone());
        ecs.resource_attributes = attrs(&[
            ("admin_pass", "null"),
            ("availability_zone", &az),
            ("id", &s.server_id),
            ("name", &s.server_name),
            ("status", "0"),
            ("system_disk_id", &volume_id),
            ("tags", "[\"_sys_type_hcss_l\"]"),
            ("cors_crm_updated_at", &updated_at),
        ]);

        let volume = sub(
            "hws.resource.type.volume",
            logical_type::VOLUME,
            &volume_id,
            "huaweicloudinternal_ecs_instance_system_disk",
            "hws.service.type.ebs",
        );

        let mut traffic = sub(
            "hws.resource.type.bandwidth",
            logical_type::TRAFFIC_PACKAGE,
            &s.traffic_package_id,
            "huaweicloudinternal_cbc_freeresource_cbc_freeresource",
            "hws.service.type.vpc",
        );
        traffic.resource_attributes = attrs(&[
            ("bundle_product_id", "null"),
            ("end_time", end_time),
            ("id", &s.traffic_package_id),
            ("order_id", &s.order_id),
            ("oriented_resource_id", &bandwidth_id),
            ("region_code", &s.region_id),
            ("cors_crm_updated_at", &updated_at),
        ]);

        let mut eip = sub(
            "hws.resource.type.ip",
            logical_type::EIP,
            &eip_id,
            "huaweicloudinternal_eip_light_server_eip",
            "hws.service.type.vpc",
        );
        let bandwidth = json!([{ "charge_mode": "traffic", "id": bandwidth_id,
            "share_type": "PER", "size": 2, "status": 0 }])
        .to_string();
        eip.resource_attributes = attrs(&[
            ("bandwidth", &bandwidth),
            ("description", "null"),
            ("id", &eip_id),
            ("ip_version", "4"),
            ("public_ip_address", &s.public_ip),
            ("public_ipv6_address", ""),
            ("publicip_pool_name", "5_bgp"),
            ("status", "0"),
            ("cors_crm_updated_at", &updated_at),
        ]);

        let mut attach = sub(
            "",
            logical_type::EIP_ATTACH,
            &eip_id,
            "huaweicloudinternal_eip_attach_light_server_eip_attach_ecs",
            "",
        );
        attach.resource_attributes =
            attrs(&[("associate_instance_type", "PORT"), ("eip_id", &eip_id), ("id", &eip_id)]);

        let metadata = BTreeMap::from([
            ("charging_mode".to_owned(), json!("prePaid")),
            ("resource_type".to_owned(), json!("hws.resource.type.hecsfusion")),
            ("resource_spec_code".to_owned(), json!(s.spec_code)),
            ("order_id".to_owned(), json!(s.order_id)),
            ("cloud_service_type".to_owned(), json!("hws.service.type.hcss")),
        ]);

        let checksum = hex::encode(Sha256::digest(
            format!("{}|{}|{}|{}", s.id, s.name, s.status, s.server_name).as_bytes(),
        ));

        ResourceEntity {
            id: s.id.clone(),
            name: Some(s.name.clone()),
            provider: Some("hcss".to_owned()),
            kind: Some("l-instance".to_owned()),
            region_id: Some(s.region_id.clone()),
            project_id: Some(s.project_id.clone()),
            project_name: Some(s.region_id.clone()),
            ep_id: Some("0".to_owned()),
            ep_name: Some("default".to_owned()),
            checksum: Some(checksum),
            created: Some(s.created.clone()),
            updated: Some(s.created.clone()),
            provisioning_state: Some("Succeeded".to_owned()),
            tags: BTreeMap::new(),
            properties: LightInstanceProperties {
                metadata: Some(metadata),
                description: Some(String::new()),
                product_name: Some("Ubuntu_light_server_22_04".to_owned()),
                platform: Some("SMB".to_owned()),
                plan_name: Some("basic_v12".to_owned()),
                product_id: Some(derived_hex24(&format!("{}/product", s.spec_code))),
                plan_id: Some(derived_hex24(&format!("{}/plan", s.spec_code))),
                status: Some(s.status.clone()),
                resources: Some(vec![ecs, volume, traffic, eip, attach]),
                extra: BTreeMap::new(),
            },
            state: Some("Normal".to_owned()),
        }
    }
}

fn derived_hex24(seed: &str) -> String {
    hex::encode(Sha256::digest(seed.as_bytes()))[..24].to_owned()
}
