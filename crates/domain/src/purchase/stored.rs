//! A purchase in the `params` column and the audit events: everything chosen, under HCSS's
//! own field names where it has them, plus the panel's purchase id and the
//! `Client-Request-Id`. Read back through the same parsers as a form, so a row whose values
//! are not a purchase's is not one of ours; but not through the catalog again, whose next
//! release may stop selling what was bought (and must not make old rows unreadable).

use lightdeck_huaweicloud::Region;
use lightdeck_huaweicloud::catalog::Os;
use lightdeck_huaweicloud::client::ClientRequestId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{
    ExtraSize, ImageChoice, InstanceName, PlanParts, Purchase, PurchaseDescription, PurchasePlan,
    PurchaseTerm, Quantity, UserTags, field,
};
use crate::actions::TermUnit;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredOs {
    Linux,
    Windows,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    purchase_id: Uuid,
    client_request_id: String,
    account_id: Uuid,
    region: Region,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image_os: Option<StoredOs>,
    plan_spec: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data_disk_gib: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    backup_gib: Option<i64>,
    host_security: bool,
    period_type: TermUnit,
    period_num: i64,
    auto_renew: bool,
    auto_pay: bool,
    instance_name: String,
    #[serde(default)]
    description: String,
    /// `[key, value]` pairs in the order given.
    #[serde(default)]
    tags: Vec<(String, String)>,
    quantity: i64,
}

pub(crate) fn encode(p: &Purchase) -> Value {
    let parts = p.plan.parts();
    let (image_name, image_version, image_id, image_os) = match &parts.image {
        ImageChoice::Catalog { name, version } => {
            (Some(name.clone()), Some(version.clone()), None, None)
        }
        ImageChoice::Private { id, os } => {
            let os = match os {
                Os::Linux => StoredOs::Linux,
                Os::Windows => StoredOs::Windows,
            };
            (None, None, Some(*id), Some(os))
        }
    };
    let stored = Stored {
        purchase_id: p.purchase_id,
        client_request_id: p.client_request_id.as_str().to_owned(),
        account_id: parts.account_id,
        region: parts.region,
        image_name,
        image_version,
        image_id,
        image_os,
        plan_spec: parts.plan_spec.clone(),
        data_disk_gib: parts.data_disk.map(|s| i64::from(s.gib())),
        backup_gib: parts.backup.map(|s| i64::from(s.gib())),
        host_security: parts.host_security,
        period_type: parts.term.unit(),
        period_num: i64::from(parts.term.count()),
        auto_renew: parts.auto_renew,
        auto_pay: parts.auto_pay,
        instance_name: parts.name.as_str().to_owned(),
        description: parts.description.as_str().to_owned(),
        tags: parts.tags.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        quantity: i64::from(parts.quantity.get()),
    };
    // Strings, numbers, booleans and UUIDs only: serializing cannot fail.
    serde_json::to_value(stored).unwrap_or(Value::Null)
}

/// `None` when the JSON is not a valid purchase.
pub(crate) fn decode(json: &Value) -> Option<Purchase> {
    let s = Stored::deserialize(json).ok()?;
    let image = match (s.image_name, s.image_version, s.image_id, s.image_os) {
        (Some(name), Some(version), None, None) => ImageChoice::Catalog { name, version },
        (None, None, Some(id), Some(os)) => {
            let os = match os {
                StoredOs::Linux => Os::Linux,
                StoredOs::Windows => Os::Windows,
            };
            ImageChoice::Private { id, os }
        }
        _ => return None,
    };
    let extra = |field_name: &str, v: Option<i64>| match v {
        None => Some(None),
        Some(g) => ExtraSize::new(field_name, g).ok().map(Some),
    };
    let tags = UserTags::parse(
        &s.tags.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n"),
    )
    .ok()?;
    if tags.len() != s.tags.len() {
        return None;
    }
    let parts = PlanParts {
        account_id: s.account_id,
        region: s.region,
        image,
        plan_spec: s.plan_spec,
        data_disk: extra(field::DATA_DISK, s.data_disk_gib)?,
        backup: extra(field::BACKUP, s.backup_gib)?,
        host_security: s.host_security,
        term: PurchaseTerm::new(s.period_type, s.period_num).ok()?,
        auto_renew: s.auto_renew,
        auto_pay: s.auto_pay,
        name: InstanceName::parse(&s.instance_name).ok()?,
        description: PurchaseDescription::parse(&s.description).ok()?,
        tags,
        quantity: Quantity::new(s.quantity).ok()?,
    };
    Some(Purchase {
        plan: PurchasePlan::recorded(parts),
        purchase_id: s.purchase_id,
        client_request_id: ClientRequestId::parse(&s.client_request_id).ok()?,
    })
}
