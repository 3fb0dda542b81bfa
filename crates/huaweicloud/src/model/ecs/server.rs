//! ShowServer's `ServerDetail` (reference §5.3), also the element of ListServersDetails.
//!
//! Every `ServerDetail` field but `id` is optional: ListServersDetails answers an unknown
//! `server_id` with a server whose other fields are all `null`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::wire::opt_string_from_any;

open_string_enum! {
    /// ECS `status`.
    ServerStatus {
        Active = "ACTIVE",
        Build = "BUILD",
        Deleted = "DELETED",
        Error = "ERROR",
        HardReboot = "HARD_REBOOT",
        Migrating = "MIGRATING",
        Paused = "PAUSED",
        Reboot = "REBOOT",
        Rebuild = "REBUILD",
        Resize = "RESIZE",
        RevertResize = "REVERT_RESIZE",
        Shutoff = "SHUTOFF",
        Shelved = "SHELVED",
        ShelvedOffloaded = "SHELVED_OFFLOADED",
        SoftDeleted = "SOFT_DELETED",
        Suspended = "SUSPENDED",
        VerifyResize = "VERIFY_RESIZE",
        Unknown = "UNKNOWN",
    }
}

impl ServerStatus {
    /// A state the server passes through on its way somewhere else.
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            ServerStatus::Build
                | ServerStatus::Reboot
                | ServerStatus::HardReboot
                | ServerStatus::Migrating
                | ServerStatus::Resize
                | ServerStatus::RevertResize
                | ServerStatus::Rebuild
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShowServerResponse {
    pub server: ServerDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ServerDetail {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ServerStatus>,
    /// `active`, `stopped`, `building`, …
    #[serde(rename = "OS-EXT-STS:vm_state", default, skip_serializing_if = "Option::is_none")]
    pub vm_state: Option<String>,
    /// Set while a task runs (powering-on, rebooting, …).
    #[serde(rename = "OS-EXT-STS:task_state", default, skip_serializing_if = "Option::is_none")]
    pub task_state: Option<String>,
    /// `1` when running.
    #[serde(rename = "OS-EXT-STS:power_state", default, skip_serializing_if = "Option::is_none")]
    pub power_state: Option<i64>,
    /// VPC id → addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<BTreeMap<String, Vec<ServerAddress>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavor: Option<ServerFlavor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ServerImage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Flexus L servers carry `_sys_type_hcss_l`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sys_tags: Option<Vec<KeyValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(rename = "OS-SRV-USG:launched_at", default, skip_serializing_if = "Option::is_none")]
    pub launched_at: Option<String>,
    #[serde(
        rename = "OS-EXT-AZ:availability_zone",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub availability_zone: Option<String>,
    #[serde(rename = "OS-EXT-SRV-ATTR:hostname", default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(
        rename = "OS-EXT-SRV-ATTR:instance_name",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// The project id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// `UP`, `UNKNOWN`, `DOWN`, `MAINTENANCE` or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<ServerSecurityGroup>>,
    #[serde(
        rename = "os-extended-volumes:volumes_attached",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub volumes_attached: Option<Vec<VolumeAttachment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_options: Option<SecurityOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_reservation_specification: Option<CapacityReservationSpecification>,
    /// Only in `ERROR` state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<serde_json::Value>,
    /// Every other field (`hostId`, `OS-EXT-SRV-ATTR:*`, `cpu_options`, …), verbatim.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl ServerDetail {
    /// Busy: a transitional status, or any task in progress.
    pub fn is_transitional(&self) -> bool {
        self.status.as_ref().is_some_and(ServerStatus::is_transitional) || self.has_task()
    }

    /// `ACTIVE` with no task running.
    pub fn is_running(&self) -> bool {
        self.status == Some(ServerStatus::Active) && !self.has_task()
    }

    /// `SHUTOFF` with no task running.
    pub fn is_stopped(&self) -> bool {
        self.status == Some(ServerStatus::Shutoff) && !self.has_task()
    }

    fn has_task(&self) -> bool {
        self.task_state.as_deref().is_some_and(|t| !t.is_empty())
    }

    fn address(&self, kind: &str) -> Option<&str> {
        self.addresses
            .as_ref()?
            .values()
            .flatten()
            .find(|a| a.ip_type.as_deref() == Some(kind))
            .map(|a| a.addr.as_str())
    }

    /// The EIP (`OS-EXT-IPS:type` = `floating`).
    pub fn public_ip(&self) -> Option<&str> {
        self.address("floating")
    }

    /// The VPC address (`OS-EXT-IPS:type` = `fixed`).
    pub fn private_ip(&self) -> Option<&str> {
        self.address("fixed")
    }

    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.get(key).map(String::as_str)
    }

    /// `metadata.EcmResStatus` = `freeze` (arrears or a security lock).
    pub fn is_frozen(&self) -> bool {
        self.metadata_value("EcmResStatus") == Some("freeze")
    }
}

/// One address in ShowServer: `version` is `"4"`/`"6"` there (a number is accepted too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServerAddress {
    pub addr: String,
    #[serde(
        default,
        deserialize_with = "opt_string_from_any",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// `fixed` (private) or `floating` (EIP).
    #[serde(rename = "OS-EXT-IPS:type", default, skip_serializing_if = "Option::is_none")]
    pub ip_type: Option<String>,
    #[serde(rename = "OS-EXT-IPS-MAC:mac_addr", default, skip_serializing_if = "Option::is_none")]
    pub mac_addr: Option<String>,
    #[serde(rename = "OS-EXT-IPS:port_id", default, skip_serializing_if = "Option::is_none")]
    pub port_id: Option<String>,
}

/// `disk`, `vcpus` and `ram` (MB) are strings on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ServerFlavor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_from_any",
        skip_serializing_if = "Option::is_none"
    )]
    pub disk: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_from_any",
        skip_serializing_if = "Option::is_none"
    )]
    pub vcpus: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string_from_any",
        skip_serializing_if = "Option::is_none"
    )]
    pub ram: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<Vec<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asic_accelerators: Option<Vec<serde_json::Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServerImage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct KeyValue {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServerSecurityGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `delete_on_termination` and `bootIndex` are strings (`"false"`, `"0"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct VolumeAttachment {
    pub id: String,
    #[serde(
        default,
        deserialize_with = "opt_string_from_any",
        skip_serializing_if = "Option::is_none"
    )]
    pub delete_on_termination: Option<String>,
    #[serde(
        rename = "bootIndex",
        default,
        deserialize_with = "opt_string_from_any",
        skip_serializing_if = "Option::is_none"
    )]
    pub boot_index: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SecurityOptions {
    #[serde(default)]
    pub secure_boot_enabled: Option<bool>,
    #[serde(default)]
    pub tpm_enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CapacityReservationSpecification {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub preference: Option<String>,
}
