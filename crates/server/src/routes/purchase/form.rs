//! The purchase form as sent: raw strings in, a [`PlanParts`] out (`TryFrom`), with every
//! field's problem collected at once instead of stopping at the first. Problems are
//! message keys with arguments, put into the reader's language by the view; the rules
//! themselves stay the domain's and the catalog's (this module only asks them).

use lightdeck_domain::purchase::{
    ExtraSize, ImageChoice, InstanceName, PlanParts, PurchaseDescription, PurchasePlan,
    PurchaseTerm, Quantity, UserTags, field,
};
use lightdeck_huaweicloud::Region;
use lightdeck_huaweicloud::catalog::{self, Os};
use uuid::Uuid;

pub use super::sent::{IMAGE_OS, PRIVATE, STEP_CONFIRM, STEP_REVIEW, Sent};

/// A value in a message, put into words in the reader's language by the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Region(Region),
    /// The tags' problems: line (if one), message key, the key given twice.
    Tags(Vec<TagProblem>),
}

pub type TagProblem = (Option<i64>, &'static str, Option<String>);

/// One field's problem: the form field, a message key of `purchase.ftl`, its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Problem {
    fn new(field: &'static str, key: &'static str) -> Problem {
        Problem { field, key, args: Vec::new() }
    }

    fn with(mut self, name: &'static str, arg: Arg) -> Problem {
        self.args.push((name, arg));
        self
    }
}

/// One of the team's cloud accounts, as the form needs it.
#[derive(Debug, Clone)]
pub struct TeamAccount {
    pub id: Uuid,
    pub name: String,
    pub domain_name: String,
    /// Purchases need an IAM user (a password-based token).
    pub iam: bool,
    /// Its syncing is paused: what it bought would not be followed to the table.
    pub paused: bool,
    pub regions: Vec<Region>,
}

impl TeamAccount {
    pub fn can_buy(&self) -> bool {
        self.iam && !self.paused && !self.regions.is_empty()
    }
}

/// The sent form with the team's accounts, to be checked as a whole.
pub struct Checked<'a> {
    pub sent: &'a Sent,
    pub accounts: &'a [TeamAccount],
}

fn account(c: &Checked<'_>, problems: &mut Vec<Problem>) -> Option<Uuid> {
    let sent = &c.sent.account;
    if sent.is_empty() {
        problems.push(Problem::new(field::ACCOUNT, "purchase-error-account-none"));
        return None;
    }
    let found = Uuid::try_parse(sent).ok().and_then(|id| c.accounts.iter().find(|a| a.id == id));
    match found {
        None => problems.push(Problem::new(field::ACCOUNT, "purchase-error-account-unknown")),
        Some(a) if !a.iam => problems.push(
            Problem::new(field::ACCOUNT, "purchase-error-account-no-iam")
                .with("account", Arg::Text(a.name.clone())),
        ),
        Some(a) if a.paused => problems.push(
            Problem::new(field::ACCOUNT, "purchase-error-account-paused")
                .with("account", Arg::Text(a.name.clone())),
        ),
        Some(a) => return Some(a.id),
    }
    None
}

fn region(c: &Checked<'_>, problems: &mut Vec<Problem>) -> Option<Region> {
    if c.sent.region.is_empty() {
        problems.push(Problem::new(field::REGION, "purchase-error-region-none"));
        return None;
    }
    let Ok(region) = c.sent.region.parse::<Region>() else {
        problems.push(Problem::new(field::REGION, "purchase-error-region-unknown"));
        return None;
    };
    let account =
        Uuid::try_parse(&c.sent.account).ok().and_then(|id| c.accounts.iter().find(|a| a.id == id));
    if let Some(a) = account
        && !a.regions.contains(&region)
    {
        problems.push(
            Problem::new(field::REGION, "purchase-error-region-not-connected")
                .with("account", Arg::Text(a.name.clone()))
                .with("region", Arg::Region(region)),
        );
    }
    Some(region)
}

/// The image and, for a catalog image, that it is sold in `region` in that version.
fn image(
    c: &Checked<'_>,
    region: Option<Region>,
    problems: &mut Vec<Problem>,
) -> Option<ImageChoice> {
    let s = c.sent;
    if s.image.is_empty() {
        problems.push(Problem::new(field::IMAGE, "purchase-error-image-none"));
        return None;
    }
    if s.image == PRIVATE {
        let os = s.os();
        if os.is_none() {
            problems.push(Problem::new(IMAGE_OS, "purchase-error-image-os"));
        }
        let id = ImageChoice::private(&s.image_id, os.unwrap_or(Os::Linux));
        if id.is_err() {
            problems.push(Problem::new(field::IMAGE_ID, "purchase-error-image-id"));
        }
        return id.ok().filter(|_| os.is_some());
    }
    let Some(image) = catalog::image(&s.image) else {
        problems.push(Problem::new(field::IMAGE, "purchase-error-image-unknown"));
        return None;
    };
    let region = region?;
    if !image.is_offered_in(region) {
        problems.push(
            Problem::new(field::IMAGE, "purchase-error-image-not-here")
                .with("image", Arg::Text(image.name().to_owned()))
                .with("region", Arg::Region(region)),
        );
        return None;
    }
    if !image.has_version(region, &s.image_version) {
        problems.push(
            Problem::new(field::IMAGE_VERSION, "purchase-error-version")
                .with("image", Arg::Text(image.name().to_owned()))
                .with("region", Arg::Region(region)),
        );
        return None;
    }
    Some(ImageChoice::Catalog { name: image.name().to_owned(), version: s.image_version.clone() })
}

/// The plan, sold with that image (version, or OS family for a private one) there.
fn plan(
    c: &Checked<'_>,
    region: Option<Region>,
    image: Option<&ImageChoice>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let code = &c.sent.plan_spec;
    if code.is_empty() {
        problems.push(Problem::new(field::PLAN_SPEC, "purchase-error-plan-none"));
        return None;
    }
    let Some(spec) = catalog::spec(code) else {
        problems.push(Problem::new(field::PLAN_SPEC, "purchase-error-plan-unknown"));
        return None;
    };
    // Without a usable image or region the plan cannot be judged against them; their own
    // fields say what to fix first.
    let (Some(region), Some(image)) = (region, image) else {
        return Some(spec.code().to_owned());
    };
    let problem = match image {
        ImageChoice::Catalog { name, version } => {
            (!catalog::specs_for(region, name, version).contains(&spec)).then(|| {
                Problem::new(field::PLAN_SPEC, "purchase-error-plan-not-with-image")
                    .with("plan", Arg::Text(spec.code().to_owned()))
                    .with("image", Arg::Text(format!("{name} {version}")))
                    .with("region", Arg::Region(region))
            })
        }
        ImageChoice::Private { os, .. } if spec.os() != *os => Some(
            Problem::new(field::PLAN_SPEC, "purchase-error-plan-os")
                .with("plan", Arg::Text(spec.code().to_owned()))
                .with("os", Arg::Text(os.as_str().to_owned())),
        ),
        ImageChoice::Private { os, .. } => {
            (!catalog::private_specs_for(region, *os).contains(&spec)).then(|| {
                Problem::new(field::PLAN_SPEC, "purchase-error-plan-not-private")
                    .with("plan", Arg::Text(spec.code().to_owned()))
                    .with("region", Arg::Region(region))
            })
        }
    };
    match problem {
        Some(p) => {
            problems.push(p);
            None
        }
        None => Some(spec.code().to_owned()),
    }
}

fn name_problem(raw: &str) -> &'static str {
    let n = raw.trim().chars().count();
    if n == 0 {
        "purchase-error-name-required"
    } else if n > InstanceName::MAX {
        "purchase-error-name-long"
    } else {
        "purchase-error-name-rules"
    }
}

/// A domain tag problem as a message key (and the key given twice, if that is it).
pub fn tag_problem(p: &lightdeck_domain::purchase::TagProblem) -> TagProblem {
    use lightdeck_domain::purchase::TagProblem as P;
    let (key, twice) = match p {
        P::KeyEmpty { .. } => ("purchase-error-tag-key-empty", None),
        P::KeyRules { .. } => ("purchase-error-tag-key", None),
        P::Reserved { .. } => ("purchase-error-tag-reserved", None),
        P::Twice { key, .. } => ("purchase-error-tag-twice", Some(key.clone())),
        P::ValueLong { .. } => ("purchase-error-tag-value-long", None),
        P::ValueControl { .. } => ("purchase-error-tag-value-control", None),
        P::TooMany { .. } => ("purchase-error-tags-many", None),
    };
    (p.line().and_then(|l| i64::try_from(l).ok()), key, twice)
}

fn tags(raw: &str, problems: &mut Vec<Problem>) -> Option<UserTags> {
    match UserTags::check(raw) {
        Ok(t) => Some(t),
        Err(found) => {
            problems.push(
                Problem::new(field::TAGS, "purchase-error-tags-list")
                    .with("problems", Arg::Tags(found.iter().map(tag_problem).collect())),
            );
            None
        }
    }
}

/// The value, or its problem said as `key` beside `field`.
fn said<T>(
    parsed: lightdeck_domain::Result<T>,
    field: &'static str,
    key: &'static str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    if parsed.is_err() {
        problems.push(Problem::new(field, key));
    }
    parsed.ok()
}

impl TryFrom<Checked<'_>> for PlanParts {
    type Error = Vec<Problem>;

    fn try_from(c: Checked<'_>) -> Result<PlanParts, Vec<Problem>> {
        let s = c.sent;
        let mut problems = Vec::new();
        let account = account(&c, &mut problems);
        let region = region(&c, &mut problems);
        let image = image(&c, region, &mut problems);
        let plan_spec = plan(&c, region, image.as_ref(), &mut problems);
        let p = &mut problems;
        let data_disk = said(
            ExtraSize::parse(field::DATA_DISK, &s.data_disk_gib),
            field::DATA_DISK,
            "purchase-error-size",
            p,
        );
        let backup = said(
            ExtraSize::parse(field::BACKUP, &s.backup_gib),
            field::BACKUP,
            "purchase-error-size",
            p,
        );
        let term = said(PurchaseTerm::parse(&s.period), field::PERIOD, "purchase-error-period", p);
        let quantity =
            said(Quantity::parse(&s.quantity), field::QUANTITY, "purchase-error-quantity", p);
        let name = InstanceName::parse(&s.instance_name);
        if name.is_err() {
            problems.push(Problem::new(field::NAME, name_problem(&s.instance_name)));
        }
        if let (Ok(n), Some(q)) = (&name, quantity)
            && !n.fits(q)
        {
            problems.push(Problem::new(field::NAME, "purchase-error-name-numbered"));
        }
        let description = PurchaseDescription::parse(&s.description);
        if description.is_err() {
            let key = if s.description.chars().count() > PurchaseDescription::MAX {
                "purchase-error-description-long"
            } else {
                "purchase-error-description-control"
            };
            problems.push(Problem::new(field::DESCRIPTION, key));
        }
        let tags = tags(&s.tags, &mut problems);
        match (
            account,
            region,
            image,
            plan_spec,
            data_disk,
            backup,
            term,
            quantity,
            name,
            description,
            tags,
        ) {
            (
                Some(account_id),
                Some(region),
                Some(image),
                Some(plan_spec),
                Some(data_disk),
                Some(backup),
                Some(term),
                Some(quantity),
                Ok(name),
                Ok(description),
                Some(tags),
            ) if problems.is_empty() => Ok(PlanParts {
                account_id,
                region,
                image,
                plan_spec,
                data_disk,
                backup,
                host_security: s.host_security,
                term,
                auto_renew: s.auto_renew,
                auto_pay: s.auto_pay,
                name,
                description,
                tags,
                quantity,
            }),
            _ => Err(problems),
        }
    }
}

/// The form field of a domain field name (they are the same names; `'static` for views).
fn known_field(name: &str) -> &'static str {
    [
        field::ACCOUNT,
        field::REGION,
        field::IMAGE,
        field::IMAGE_VERSION,
        field::IMAGE_ID,
        field::PLAN_SPEC,
        field::DATA_DISK,
        field::BACKUP,
        field::PERIOD,
        field::NAME,
        field::DESCRIPTION,
        field::TAGS,
        field::QUANTITY,
    ]
    .into_iter()
    .find(|f| *f == name)
    .unwrap_or(field::PLAN_SPEC)
}

/// The whole form as a plan the catalog accepts, or every problem found.
pub fn plan_of(sent: &Sent, accounts: &[TeamAccount]) -> Result<PurchasePlan, Vec<Problem>> {
    let parts = PlanParts::try_from(Checked { sent, accounts })?;
    // The domain has the last word; anything it finds that the checks above did not is
    // still said beside its field.
    PurchasePlan::new(parts).map_err(|errors| {
        errors
            .0
            .into_iter()
            .map(|e| Problem::new(known_field(&e.field), "purchase-error-combination"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_problem_the_domain_names_has_its_own_words() {
        let ten: String = (0..10).map(|i| format!("k{i}=v\n")).collect();
        let long = format!("k={}", "v".repeat(256));
        for (text, key) in [
            ("=x", "purchase-error-tag-key-empty"),
            ("1env=x", "purchase-error-tag-key"),
            ("lightdeck-purchase=x", "purchase-error-tag-reserved"),
            ("env=a\nenv=b", "purchase-error-tag-twice"),
            (long.as_str(), "purchase-error-tag-value-long"),
            ("k=a\u{7}", "purchase-error-tag-value-control"),
            (ten.as_str(), "purchase-error-tags-many"),
        ] {
            let found = UserTags::check(text).expect_err(text);
            assert_eq!(tag_problem(&found[0]).1, key, "{text:?}");
        }
        let found = UserTags::check("ok=1\nenv=a\nenv=b").unwrap_err();
        assert_eq!(
            found.iter().map(tag_problem).collect::<Vec<_>>(),
            [(Some(3), "purchase-error-tag-twice", Some("env".to_owned()))]
        );
    }
}
