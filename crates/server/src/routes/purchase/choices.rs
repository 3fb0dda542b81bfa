//! What the form offers for what was sent: the team's accounts, the chosen account's
//! regions, the images sold in the chosen region (from the catalog), their versions there,
//! and the plans sold with the chosen image version (the catalog's exclusions applied),
//! smallest first. Each list narrows the next.
//!
//! On the way to a choice (`fallback`) a value that no longer fits is replaced: the first
//! account that can buy, its first region, an image's newest version; a dropped image or
//! plan is said beside its field. When checking a finished form nothing is replaced: a
//! wrong value stays unselected and its problem is said.

use lightdeck_domain::accounts;
use lightdeck_domain::purchase::{InstanceName, PurchaseTerm, Quantity, field};
use lightdeck_huaweicloud::Region;
use lightdeck_huaweicloud::catalog::{self, ImageKind, Os, Spec};
use uuid::Uuid;

use super::form::{PRIVATE, Sent, TeamAccount};
use super::words;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::purchase::{Opt, OptGroup, PlanOpt, PurchaseForm, Unusable};

/// The team's live accounts with their connected regions.
pub async fn team_accounts(state: &AppState, team: Uuid) -> Result<Vec<TeamAccount>, AppError> {
    let mut out = Vec::new();
    for a in accounts::list(&state.db, team).await? {
        let mut regions: Vec<Region> =
            accounts::regions(&state.db, a.id).await?.into_iter().map(|r| r.region).collect();
        regions.sort();
        out.push(TeamAccount {
            id: a.id,
            name: a.name,
            domain_name: a.domain_name,
            iam: a.iam_user_name.is_some(),
            paused: a.sync_paused,
            regions,
        });
    }
    Ok(out)
}

/// Longest text a form shows again: enough to correct, never a pasted megabyte.
fn refilled(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A leading "choose …" option when nothing else is selected.
fn with_placeholder(tr: &Tr, mut options: Vec<Opt>, key: &str) -> Vec<Opt> {
    if !options.iter().any(|o| o.selected) {
        options.insert(0, Opt::new("", tr.t(key), true));
    }
    options
}

/// Step 1; returns the chosen region.
fn account_step(
    tr: &Tr,
    sent: &Sent,
    accounts: &[TeamAccount],
    fallback: bool,
    form: &mut PurchaseForm,
) -> Option<Region> {
    let usable = || accounts.iter().filter(|a| a.can_buy());
    let sent_account =
        Uuid::try_parse(&sent.account).ok().and_then(|id| usable().find(|a| a.id == id));
    let account = sent_account.or_else(|| usable().next().filter(|_| fallback));
    let options = accounts
        .iter()
        .map(|a| {
            let label = tr.t2(
                "purchase-account-label",
                "name",
                a.name.as_str(),
                "domain",
                a.domain_name.as_str(),
            );
            let mut o = Opt::new(a.id.to_string(), label, account.is_some_and(|c| c.id == a.id));
            o.disabled = !a.can_buy();
            o
        })
        .collect();
    form.accounts = with_placeholder(tr, options, "purchase-account-choose");
    form.unusable = accounts
        .iter()
        .filter(|a| !a.can_buy())
        .map(|a| Unusable {
            id: a.id.to_string(),
            name: a.name.clone(),
            why: if !a.iam {
                tr.t("purchase-account-no-iam")
            } else if a.paused {
                tr.t("purchase-account-paused")
            } else {
                tr.t("purchase-account-no-region")
            },
        })
        .collect();
    form.no_account = usable().next().is_none();

    let regions: &[Region] = account.map_or(&[], |a| a.regions.as_slice());
    let sent_region = sent.region.parse::<Region>().ok().filter(|r| regions.contains(r));
    let region = sent_region.or_else(|| regions.first().copied().filter(|_| fallback));
    let options = regions
        .iter()
        .map(|r| Opt::new(r.id(), words::region(tr, *r), Some(*r) == region))
        .collect();
    let placeholder =
        if account.is_some() { "purchase-region-choose" } else { "purchase-region-wait" };
    form.regions = with_placeholder(tr, options, placeholder);
    region
}

/// Steps 2 and 3; returns nothing, fills `form`.
fn image_and_plan_steps(
    tr: &Tr,
    sent: &Sent,
    region: Option<Region>,
    fallback: bool,
    form: &mut PurchaseForm,
) {
    let sold = region.map(catalog::images_in).unwrap_or_default();
    let private = sent.image == PRIVATE;
    let image = sold.iter().copied().find(|i| i.name() == sent.image);
    if fallback
        && !private
        && image.is_none()
        && let (Some(r), Some(gone)) = (region, catalog::image(&sent.image))
    {
        let region = crate::views::instances::region_name(r, tr.lang);
        let note = tr.t2("purchase-note-image-gone", "image", gone.name(), "region", region);
        form.notes.push((field::IMAGE, note));
    }
    let mut groups = Vec::new();
    for kind in [ImageKind::App, ImageKind::System] {
        let options: Vec<Opt> = sold
            .iter()
            .filter(|i| i.kind() == kind)
            .map(|i| {
                let label =
                    tr.t2("purchase-image-label", "name", i.name(), "about", words::about(tr, i));
                Opt::new(i.name(), label, image.is_some_and(|c| c.name() == i.name()))
            })
            .collect();
        if !options.is_empty() {
            groups.push(OptGroup { label: words::kind_group(tr, kind), options });
        }
    }
    form.private = Opt::new(PRIVATE, tr.t("purchase-image-private"), private);
    form.images = groups;
    form.image_id = refilled(&sent.image_id, 100);
    let os = sent.os();
    form.oses = [(Os::Linux, "linux"), (Os::Windows, "windows")]
        .into_iter()
        .map(|(o, v)| Opt::new(v, o.as_str(), os.unwrap_or(Os::Linux) == o))
        .collect();

    let mut version = None;
    if let (Some(r), Some(i)) = (region, image) {
        let versions = i.versions_in(r);
        let sent_version = versions.iter().copied().find(|v| *v == sent.image_version);
        version = sent_version.or_else(|| versions.first().copied().filter(|_| fallback));
        let options = versions.iter().map(|v| Opt::new(*v, *v, Some(*v) == version)).collect();
        form.versions = with_placeholder(tr, options, "purchase-version-choose");
        form.image_about =
            Some(tr.t2("purchase-image-about", "name", i.name(), "about", words::about(tr, i)));
    }

    let mut specs: Vec<&Spec> = match (region, image, version, private) {
        (Some(r), Some(i), Some(v), _) => catalog::specs_for(r, i.name(), v),
        (Some(r), _, _, true) => os.map(|o| catalog::private_specs_for(r, o)).unwrap_or_default(),
        _ => Vec::new(),
    };
    specs.sort_by(words::by_size);
    let chosen = specs.iter().find(|s| s.code() == sent.plan_spec).map(|s| s.code().to_owned());
    if fallback && chosen.is_none() && !sent.plan_spec.is_empty() && !specs.is_empty() {
        let note = tr.t1("purchase-note-plan-gone", "plan", refilled(&sent.plan_spec, 40));
        form.notes.push((field::PLAN_SPEC, note));
    }
    form.plans = specs
        .iter()
        .map(|s| PlanOpt {
            code: s.code().to_owned(),
            words: words::plan(tr, s),
            selected: chosen.as_deref() == Some(s.code()),
        })
        .collect();
    form.plans_wait = if region.is_none() {
        Some(tr.t("purchase-plans-wait-region"))
    } else if image.is_none() && !private {
        Some(tr.t("purchase-plans-wait-image"))
    } else if specs.is_empty() {
        Some(tr.t("purchase-plans-none"))
    } else {
        None
    };
}

/// The names preview of step 6, when the name and quantity are valid.
pub fn names(tr: &Tr, sent: &Sent) -> Option<String> {
    let name = InstanceName::parse(&sent.instance_name).ok()?;
    let quantity = Quantity::parse(&sent.quantity).ok()?;
    name.fits(quantity).then(|| words::names(tr, &name.numbered(quantity)))
}

/// The form for `sent`: every list narrowed by the choices before it.
pub fn build(
    tr: &Tr,
    team: Uuid,
    sent: &Sent,
    accounts: &[TeamAccount],
    fallback: bool,
) -> PurchaseForm {
    let mut form = PurchaseForm {
        team_id: team.to_string(),
        idempotency_key: sent.key_or_new(),
        ..PurchaseForm::default()
    };
    let region = account_step(tr, sent, accounts, fallback, &mut form);
    image_and_plan_steps(tr, sent, region, fallback, &mut form);

    form.data_disk_gib = refilled(&sent.data_disk_gib, 20);
    form.backup_gib = refilled(&sent.backup_gib, 20);
    form.host_security = sent.host_security;
    let period = if sent.period.is_empty() { "1m" } else { sent.period.as_str() };
    form.periods = PurchaseTerm::choices()
        .into_iter()
        .map(|t| Opt::new(t.code(), words::term(tr, t), t.code() == period))
        .collect();
    form.auto_renew = sent.auto_renew;
    // A fresh form pays at once, as "buy" means to most people; the summary says so
    // before anything is sent.
    form.auto_pay = sent.auto_pay || sent.is_fresh();
    form.instance_name = refilled(&sent.instance_name, 200);
    form.description = refilled(&sent.description, 1100);
    form.tags = refilled(&sent.tags, 3000);
    form.quantity = if sent.is_fresh() { "1".to_owned() } else { refilled(&sent.quantity, 20) };
    form.names = names(tr, sent);
    form
}
