//! Buying Flexus L instances: what an owner chose ([`PurchasePlan`], built only from parsed
//! parts and checked against the plan catalog as a whole), and the purchase as the action
//! pipeline sends it ([`Purchase`]: the plan plus the panel's own purchase id, which tags
//! every instance it creates, and the `Client-Request-Id` it is sent with).
//!
//! A purchase is sent once. When its answer is lost it ends `unknown` and is reconciled
//! afterwards by its tag (see [`crate::actions::reconciled`]), never sent again blindly.

mod stored;
mod tags;
mod values;

use lightdeck_huaweicloud::catalog::{self, Os};
use lightdeck_huaweicloud::client::ClientRequestId;
use lightdeck_huaweicloud::model::hcss::{ExtraResource, ImageRef, PurchaseRequest, Tag};
use lightdeck_huaweicloud::{FieldErrors, Region, validate};
use uuid::Uuid;

pub use crate::actions::PurchaseTerm;
pub use tags::{TagProblem, UserTags};
pub use values::{ExtraSize, InstanceName, PurchaseDescription, Quantity, field};

/// Which image the instances start from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImageChoice {
    /// An application or system image of the catalog, e.g. `WordPress` `6.2.2`.
    Catalog { name: String, version: String },
    /// A private image by its id; `os` says which family of specs it can run on.
    Private { id: Uuid, os: Os },
}

impl ImageChoice {
    /// A private image id as typed: Huawei's image ids are UUIDs.
    pub fn private(id: &str, os: Os) -> crate::Result<ImageChoice> {
        let id = id.trim();
        let parsed = Uuid::try_parse(id).map_err(|_| {
            crate::Error::field(
                field::IMAGE_ID,
                "must be an image id as the Huawei console shows it, 36 characters such as \
                 1b2c3d4e-0000-4000-8000-000000000000",
            )
        })?;
        Ok(ImageChoice::Private { id: parsed, os })
    }

    fn image_ref(&self) -> ImageRef {
        match self {
            ImageChoice::Catalog { name, version } => ImageRef {
                image_name: Some(name.clone()),
                image_version: Some(version.clone()),
                image_id: None,
            },
            ImageChoice::Private { id, .. } => {
                ImageRef { image_name: None, image_version: None, image_id: Some(id.to_string()) }
            }
        }
    }
}

/// Every choice of a purchase, each already parsed on its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlanParts {
    pub account_id: Uuid,
    pub region: Region,
    pub image: ImageChoice,
    pub plan_spec: String,
    /// A data disk (`evs`) of this size with each instance.
    pub data_disk: Option<ExtraSize>,
    /// A cloud backup vault (`cbr`) of this size with each instance.
    pub backup: Option<ExtraSize>,
    /// Host security (`hss`) with each instance.
    pub host_security: bool,
    pub term: PurchaseTerm,
    pub auto_renew: bool,
    /// Pay from the account's balance at once; otherwise the order waits for payment in
    /// the Huawei console.
    pub auto_pay: bool,
    pub name: InstanceName,
    pub description: PurchaseDescription,
    pub tags: UserTags,
    pub quantity: Quantity,
}

/// A purchase whose choices fit together: the image is sold in the region in that version,
/// the spec is sold with it there, and the numbered names fit. Only [`PurchasePlan::new`]
/// makes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PurchasePlan(PlanParts);

/// The catalog's request field names, as the purchase form calls them. `extra_resources[i]`
/// is the data disk, the backup vault or host security, in the order [`PurchasePlan::request`]
/// lists the ones chosen.
fn form_field(wire: &str, parts: &PlanParts) -> &'static str {
    if let Some(rest) = wire.strip_prefix("extra_resources[") {
        let chosen: Vec<&'static str> = [
            parts.data_disk.map(|_| field::DATA_DISK),
            parts.backup.map(|_| field::BACKUP),
            parts.host_security.then_some(field::DATA_DISK),
        ]
        .into_iter()
        .flatten()
        .collect();
        let index: Option<usize> = rest.split(']').next().and_then(|i| i.parse().ok());
        return index.and_then(|i| chosen.get(i).copied()).unwrap_or(field::DATA_DISK);
    }
    match wire {
        "region" => field::REGION,
        "image_ref" | "image_ref.image_name" => field::IMAGE,
        "image_ref.image_version" => field::IMAGE_VERSION,
        "image_ref.image_id" => field::IMAGE_ID,
        "plan_spec" => field::PLAN_SPEC,
        "instance_name" => field::NAME,
        "description" => field::DESCRIPTION,
        "period_type" | "period_num" => field::PERIOD,
        "purchase_quantity" => field::QUANTITY,
        w if w.starts_with("tags") => field::TAGS,
        _ => field::PLAN_SPEC,
    }
}

impl PurchasePlan {
    /// Checks the parts against each other and the catalog; every problem is reported
    /// against the form field to change.
    pub fn new(parts: PlanParts) -> Result<PurchasePlan, FieldErrors> {
        let mut errors = FieldErrors::default();
        let catalog = match &parts.image {
            ImageChoice::Catalog { name, version } => {
                catalog::check(parts.region.id(), name, version, &parts.plan_spec)
            }
            ImageChoice::Private { os, .. } => {
                catalog::check_private(parts.region.id(), &parts.plan_spec).and_then(|()| {
                    match catalog::spec(&parts.plan_spec) {
                        Some(s) if s.os() != *os => {
                            let mut e = FieldErrors::default();
                            e.push(
                                field::PLAN_SPEC,
                                format!(
                                    "{} is a {} plan; the image was said to be {os}",
                                    parts.plan_spec,
                                    s.os()
                                ),
                            );
                            Err(e)
                        }
                        _ => Ok(()),
                    }
                })
            }
        };
        if let Err(found) = catalog {
            for e in found.0 {
                errors.push(form_field(&e.field, &parts), e.message);
            }
        }
        if !parts.name.fits(parts.quantity) {
            errors.push(
                field::NAME,
                "is too long to be numbered: with several instances, at most 123 characters",
            );
        }
        errors.into_result()?;
        let plan = PurchasePlan(parts);
        // The client checks every request before sending it; a plan it would refuse is
        // refused here, with the form's field names, rather than at the last step.
        if let Err(found) = validate::purchase(&plan.request(Uuid::nil())) {
            let mut errors = FieldErrors::default();
            for e in found.0 {
                errors.push(form_field(&e.field, &plan.0), e.message);
            }
            return Err(errors);
        }
        Ok(plan)
    }

    /// A plan as recorded when it was bought. Not checked against the catalog again: the
    /// catalog in a later release may no longer sell it, and what was bought stays what
    /// it was (its single values were parsed when the record was read).
    pub(crate) fn recorded(parts: PlanParts) -> PurchasePlan {
        PurchasePlan(parts)
    }

    pub fn parts(&self) -> &PlanParts {
        &self.0
    }

    pub fn account_id(&self) -> Uuid {
        self.0.account_id
    }

    pub fn region(&self) -> Region {
        self.0.region
    }

    pub fn spec(&self) -> Option<&'static catalog::Spec> {
        catalog::spec(&self.0.plan_spec)
    }

    pub fn quantity(&self) -> Quantity {
        self.0.quantity
    }

    pub fn auto_pay(&self) -> bool {
        self.0.auto_pay
    }

    /// The names the instances will have.
    pub fn names(&self) -> Vec<String> {
        self.0.name.numbered(self.0.quantity)
    }

    /// The HCSS request, tagged `lightdeck-purchase=<purchase_id>` besides the person's
    /// own tags.
    pub fn request(&self, purchase_id: Uuid) -> PurchaseRequest {
        let p = &self.0;
        let mut extras = Vec::new();
        if let Some(size) = p.data_disk {
            extras.push(ExtraResource { kind: "evs".into(), size: Some(i64::from(size.gib())) });
        }
        if let Some(size) = p.backup {
            extras.push(ExtraResource { kind: "cbr".into(), size: Some(i64::from(size.gib())) });
        }
        if p.host_security {
            extras.push(ExtraResource { kind: "hss".into(), size: None });
        }
        let mut request = PurchaseRequest {
            instance_name: p.name.as_str().to_owned(),
            description: (!p.description.is_empty()).then(|| p.description.as_str().to_owned()),
            plan_spec: p.plan_spec.clone(),
            image_ref: Some(p.image.image_ref()),
            region: p.region.id().to_owned(),
            charging_mode: Some("prePaid".to_owned()),
            period_type: p.term.unit().as_str().to_owned(),
            period_num: i64::from(p.term.count()),
            purchase_quantity: Some(i64::from(p.quantity.get())),
            is_auto_renew: Some(p.auto_renew),
            is_auto_pay: Some(p.auto_pay),
            extra_resources: (!extras.is_empty()).then_some(extras),
            tags: None,
        };
        for (k, v) in p.tags.iter() {
            request.set_tag(Tag::new(k, v));
        }
        request.set_tag(Tag::purchase(purchase_id.to_string()));
        request
    }
}

/// A purchase as the pipeline sends it. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Purchase {
    pub plan: PurchasePlan,
    /// The panel's own id for this purchase: the value of the `lightdeck-purchase` tag on
    /// every instance it creates, by which a purchase whose answer was lost is found.
    pub purchase_id: Uuid,
    /// Sent as `Client-Request-Id`, made once with the purchase and stored with it. Nothing
    /// relies on Huawei de-duplicating by it (neither the seed nor the reference says it
    /// does); a lost answer is reconciled by the tag instead.
    pub client_request_id: ClientRequestId,
}

impl Purchase {
    /// A new purchase of `plan` with fresh ids.
    pub fn new(plan: PurchasePlan) -> Purchase {
        Purchase {
            plan,
            purchase_id: Uuid::new_v4(),
            client_request_id: ClientRequestId::generate(),
        }
    }

    pub fn request(&self) -> PurchaseRequest {
        self.plan.request(self.purchase_id)
    }

    /// The RMS tag filter that finds what this purchase created.
    pub fn tag_filter(&self) -> String {
        Tag::purchase(self.purchase_id.to_string()).filter()
    }
}

pub(crate) use stored::{decode as decode_stored, encode as encode_stored};

#[cfg(test)]
pub(crate) mod tests;
