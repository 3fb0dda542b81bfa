//! Config/RMS ListAllResources (`GET /v1/resource-manager/domains/{domain_id}/all-resources`),
//! which is how Flexus L instances are found (reference §5.2), plus the RMS and API-gateway
//! error bodies (§4.1).
//!
//! An L instance's `properties` are typed for the fields Lightdeck reads; everything else is
//! kept in `extra` maps so nothing is lost when cloudsim re-serves a decoded resource.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::wire::{null_as_default, push_query, string_from_any};

/// RMS type of a Flexus L instance (`provider.type`).
pub const FLEXUS_L_TYPE: &str = "hcss.l-instance";
/// Most resources one page may hold.
pub const MAX_PAGE_LIMIT: u32 = 200;

/// `logical_resource_type` of the sub-resources Lightdeck reads.
pub mod logical_type {
    pub const ECS_INSTANCE: &str = "huaweicloudinternal_ecs_instance";
    pub const TRAFFIC_PACKAGE: &str = "huaweicloudinternal_cbc_freeresource";
    pub const EIP: &str = "huaweicloudinternal_eip";
    pub const EIP_ATTACH: &str = "huaweicloudinternal_eip_attach";
    pub const VOLUME: &str = "hws.resource.type.volume";
    pub const MARKETPLACE: &str = "hws.resource.type.marketplace";
}

// ---------------------------------------------------------------------------------------------
// Request query

/// Query of ListAllResources. `tags` repeats its key, one `key` or `key=value` per item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListAllResourcesQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ep_id: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// 1–200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `page_info.next_marker` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl ListAllResourcesQuery {
    /// Every Flexus L instance, in one region or (with `None`) in all, at the largest page size.
    pub fn flexus_l(region_id: Option<&str>) -> Self {
        ListAllResourcesQuery {
            region_id: region_id.map(str::to_owned),
            kind: Some(FLEXUS_L_TYPE.to_owned()),
            limit: Some(MAX_PAGE_LIMIT),
            ..Default::default()
        }
    }

    /// (key, value) pairs, `tags` once per item, for signing and the URL.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        push_query(&mut q, "region_id", &self.region_id);
        push_query(&mut q, "ep_id", &self.ep_id);
        push_query(&mut q, "type", &self.kind);
        push_query(&mut q, "limit", &self.limit);
        push_query(&mut q, "marker", &self.marker);
        push_query(&mut q, "id", &self.id);
        push_query(&mut q, "name", &self.name);
        q.extend(self.tags.iter().map(|t| ("tags", t.clone())));
        q
    }
}

// ---------------------------------------------------------------------------------------------
// Response

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ListAllResourcesResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub resources: Vec<ResourceEntity>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub page_info: PageInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PageInfo {
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_count: u32,
    /// `null` on the last page; always serialized so cloudsim's last page says so explicitly.
    #[serde(default)]
    pub next_marker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ResourceEntity {
    /// For an L instance: the 24-hex instance id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `hcss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// `l-instance`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    /// `"0"` is the default enterprise project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ep_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ep_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// `Succeeded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: LightInstanceProperties,
    /// `Normal` or `Deleted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// `properties` of an `hcss.l-instance` resource (seed example; not modelled by the SDK).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LightInstanceProperties {
    /// `charging_mode`, `resource_type`, `resource_spec_code`, `order_id`, `cloud_service_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// The L instance's own status, e.g. `RUNNING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<SubResource>>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// One resource bundled in an L instance (server, traffic package, EIP, disk, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SubResource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_resource_type: Option<String>,
    /// See [`logical_type`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_resource_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_resource_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_resource_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_service_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_attributes: Option<Vec<ResourceAttribute>>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Every value is a string on the wire: JSON inside is stringified and `"null"` means null.
/// A non-string value is kept as its JSON text rather than failing the whole page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ResourceAttribute {
    pub key: String,
    #[serde(default, deserialize_with = "string_from_any")]
    pub value: String,
}

/// `None` for a missing value, an empty string or the literal `"null"`.
fn present(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty() && *s != "null")
}

impl SubResource {
    pub fn is(&self, logical_type: &str) -> bool {
        self.logical_resource_type.as_deref() == Some(logical_type)
    }

    /// The value of one attribute, with empty and `"null"` as `None`.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        let attrs = self.resource_attributes.as_deref()?;
        present(attrs.iter().find(|a| a.key == key).map(|a| a.value.as_str()))
    }

    pub fn physical_id(&self) -> Option<&str> {
        present(self.physical_resource_id.as_deref())
    }
}

impl ResourceEntity {
    /// The first bundled resource of a logical type.
    pub fn sub_resource(&self, logical_type: &str) -> Option<&SubResource> {
        self.properties.resources.as_deref()?.iter().find(|r| r.is(logical_type))
    }

    fn metadata_str(&self, key: &str) -> Option<&str> {
        present(self.properties.metadata.as_ref()?.get(key)?.as_str())
    }

    /// The ECS server UUID (every ECS call needs it).
    pub fn server_id(&self) -> Option<&str> {
        self.sub_resource(logical_type::ECS_INSTANCE)?.physical_id()
    }

    pub fn server_name(&self) -> Option<&str> {
        let ecs = self.sub_resource(logical_type::ECS_INSTANCE)?;
        present(ecs.physical_resource_name.as_deref()).or_else(|| ecs.attribute("name"))
    }

    /// The free-resource id BSS usage queries take.
    pub fn traffic_package_id(&self) -> Option<&str> {
        self.sub_resource(logical_type::TRAFFIC_PACKAGE)?.physical_id()
    }

    /// E.g. `2024-10-13 16:00:00`, exactly as RMS writes it.
    pub fn traffic_package_end_time(&self) -> Option<&str> {
        self.sub_resource(logical_type::TRAFFIC_PACKAGE)?.attribute("end_time")
    }

    pub fn spec_code(&self) -> Option<&str> {
        self.metadata_str("resource_spec_code")
    }

    pub fn order_id(&self) -> Option<&str> {
        self.metadata_str("order_id")
    }

    pub fn public_ip(&self) -> Option<&str> {
        self.sub_resource(logical_type::EIP)?.attribute("public_ip_address")
    }

    /// The L instance's status from `properties.status`, e.g. `RUNNING`.
    pub fn instance_status(&self) -> Option<&str> {
        present(self.properties.status.as_deref())
    }

    pub fn is_deleted(&self) -> bool {
        self.state.as_deref() == Some("Deleted")
    }

    /// The value of one resource tag.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.get(key).map(String::as_str)
    }

    /// The panel's purchase id this instance was bought under
    /// ([`crate::model::hcss::PURCHASE_TAG_KEY`]), if Lightdeck bought it.
    pub fn purchase_id(&self) -> Option<&str> {
        self.tag(super::hcss::PURCHASE_TAG_KEY)
    }

    /// Every bundled resource of a logical type (e.g. each disk).
    pub fn sub_resources<'a>(
        &'a self,
        logical_type: &'a str,
    ) -> impl Iterator<Item = &'a SubResource> + 'a {
        self.properties.resources.iter().flatten().filter(move |r| r.is(logical_type))
    }
}

// ---------------------------------------------------------------------------------------------
// Error bodies

/// RMS (and the seed's generic) error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RmsErrorBody {
    pub error_code: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub error_msg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_authorization_message: Option<String>,
}

/// What the API gateway answers before any service sees the request (signature, throttling),
/// e.g. `APIG.0301` with HTTP 401.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayError {
    pub error_code: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub error_msg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

mod flexus;
pub use flexus::FlexusLResourceSpec;
