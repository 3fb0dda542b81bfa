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

/// The tag key Lightdeck puts on every instance it buys, valued with the panel's own
/// purchase id: when a purchase may have reached the cloud but no answer came, the sync
/// finds what it created by this tag (RMS lists tags, and filters by `key=value`).
pub const PURCHASE_TAG_KEY: &str = "lightdeck-purchase";

impl Tag {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Tag { key: key.into(), value: value.into() }
    }

    /// `lightdeck-purchase=<purchase id>`.
    pub fn purchase(purchase_id: impl Into<String>) -> Self {
        Tag::new(PURCHASE_TAG_KEY, purchase_id)
    }

    /// `key=value`, the form RMS's `tags` filter takes.
    pub fn filter(&self) -> String {
        format!("{}={}", self.key, self.value)
    }
}

impl PurchaseRequest {
    /// Sets a tag, replacing any tag with the same key.
    pub fn set_tag(&mut self, tag: Tag) {
        let tags = self.tags.get_or_insert_with(Vec::new);
        tags.retain(|t| t.key != tag.key);
        tags.push(tag);
    }

    /// The value of the purchase tag, if set.
    pub fn purchase_tag(&self) -> Option<&str> {
        let tags = self.tags.as_deref()?;
        tags.iter().find(|t| t.key == PURCHASE_TAG_KEY).map(|t| t.value.as_str())
    }
}

/// HTTP 202: only the order exists yet; poll BSS order details until status 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseResponse {
    pub order_id: String,
    #[serde(default)]
    pub instance_ids: Vec<String>,
}
