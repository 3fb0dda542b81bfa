//! Step 7: a valid purchase said one sentence per line (what, where, which account pays,
//! for how long, how it is paid, the extras, the names), and every choice again as hidden
//! fields for the confirming form.

use lightdeck_domain::purchase::{ImageChoice, PurchasePlan, field};
use lightdeck_huaweicloud::catalog;

use super::form::{IMAGE_OS, PRIVATE, TeamAccount};
use super::words;
use crate::i18n::Tr;
use crate::views::purchase::Summary;

fn what(tr: &Tr, plan: &PurchasePlan) -> String {
    let p = plan.parts();
    let image = match &p.image {
        ImageChoice::Catalog { name, version } => {
            tr.t2("purchase-summary-image", "name", name.as_str(), "version", version.as_str())
        }
        ImageChoice::Private { id, os } => {
            tr.t2("purchase-summary-private", "id", id.to_string(), "os", os.as_str())
        }
    };
    let spec = plan.spec().map(|s| words::plan(tr, s)).unwrap_or_default();
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("count", p.quantity.get());
    args.set("plan", spec);
    args.set("code", p.plan_spec.clone());
    args.set("image", image);
    tr.t_args("purchase-summary-what", &args)
}

fn extras(tr: &Tr, plan: &PurchasePlan) -> String {
    let p = plan.parts();
    let mut said = Vec::new();
    if let Some(size) = p.data_disk {
        said.push(tr.t1("purchase-summary-data-disk", "size", size.gib()));
    }
    if let Some(size) = p.backup {
        said.push(tr.t1("purchase-summary-backup", "size", size.gib()));
    }
    if p.host_security {
        said.push(tr.t("purchase-summary-hss"));
    }
    if said.is_empty() {
        tr.t("purchase-summary-no-extras")
    } else {
        tr.t1("purchase-summary-extras", "extras", said.join(&tr.t("purchase-list-sep")))
    }
}

/// The summary of `plan`, charged to `account`; `key` goes with it unchanged.
pub fn summary(tr: &Tr, plan: &PurchasePlan, account: &TeamAccount, key: &str) -> Summary {
    let p = plan.parts();
    let count = i64::from(p.quantity.get());
    let mut lines = vec![
        what(tr, plan),
        tr.t1("purchase-summary-where", "region", words::region(tr, p.region)),
        tr.t2(
            "purchase-summary-account",
            "account",
            account.name.as_str(),
            "domain",
            account.domain_name.as_str(),
        ),
        tr.t1("purchase-summary-period", "term", words::term(tr, p.term)),
        if p.auto_renew {
            tr.t("purchase-summary-renew")
        } else {
            tr.t("purchase-summary-no-renew")
        },
        if p.auto_pay {
            tr.t1("purchase-summary-autopay", "account", account.name.as_str())
        } else {
            tr.t("purchase-summary-no-autopay")
        },
        extras(tr, plan),
        tr.t1("purchase-summary-names", "names", words::names(tr, &plan.names())),
    ];
    if !p.description.is_empty() {
        lines.push(tr.t1("purchase-summary-description", "text", p.description.as_str()));
    }
    if !p.tags.is_empty() {
        let tags: Vec<String> = p.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        lines.push(tr.t1("purchase-summary-tags", "tags", tags.join(", ")));
    }
    lines.push(tr.t("purchase-summary-own-tag"));

    let mut hidden: Vec<(&'static str, String)> = vec![
        (field::ACCOUNT, p.account_id.to_string()),
        (field::REGION, p.region.id().to_owned()),
        (field::PLAN_SPEC, p.plan_spec.clone()),
        (field::PERIOD, p.term.code()),
        (field::NAME, p.name.as_str().to_owned()),
        (field::DESCRIPTION, p.description.as_str().to_owned()),
        (field::TAGS, p.tags.to_text()),
        (field::QUANTITY, p.quantity.get().to_string()),
        ("idempotency_key", key.to_owned()),
    ];
    match &p.image {
        ImageChoice::Catalog { name, version } => {
            hidden.push((field::IMAGE, name.clone()));
            hidden.push((field::IMAGE_VERSION, version.clone()));
        }
        ImageChoice::Private { id, os } => {
            hidden.push((field::IMAGE, PRIVATE.to_owned()));
            hidden.push((field::IMAGE_ID, id.to_string()));
            let os = if *os == catalog::Os::Windows { "windows" } else { "linux" };
            hidden.push((IMAGE_OS, os.to_owned()));
        }
    }
    let sizes = [(field::DATA_DISK, p.data_disk), (field::BACKUP, p.backup)];
    for (name, size) in sizes {
        if let Some(s) = size {
            hidden.push((name, s.gib().to_string()));
        }
    }
    for (name, on) in
        [("host_security", p.host_security), ("auto_renew", p.auto_renew), ("auto_pay", p.auto_pay)]
    {
        if on {
            hidden.push((name, "yes".to_owned()));
        }
    }
    Summary { lines, hidden, confirm: tr.t1("purchase-confirm", "count", count) }
}
