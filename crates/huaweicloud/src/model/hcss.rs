//! HCSS (Flexus L) purchase: `POST /v1/light-instances` (seed §"购买Flexus L实例").
//!
//! Wire types keep raw strings and numbers so that a bad value can be reported against its
//! field (by `validate::purchase` on our side, by cloudsim as the real API would).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseRequest {
    pub instance_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub plan_spec: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_ref: Option<ImageRef>,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging_mode: Option<String>,
    /// `month` or `year`.
    pub period_type: String,
    /// Month 1–9, year 1–3. The seed's table says String, its example sends an integer; we send
    /// an integer.
    pub period_num: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_quantity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_auto_renew: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_auto_pay: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_resources: Option<Vec<ExtraResource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// Application or system image by name and version, or a private image by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImageRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
}

/// `evs` (data disk) and `cbr` (backup vault) carry a size in GiB; `hss` carries none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraResource {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// HTTP 202: only the order exists yet; poll BSS order details until status 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseResponse {
    pub order_id: String,
    #[serde(default)]
    pub instance_ids: Vec<String>,
}
