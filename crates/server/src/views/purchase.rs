//! The purchase page: one form in seven steps (account and region, image, plan, extras,
//! period and payment, names and quantity, then the summary to confirm), and its two
//! htmx partials: the choices that depend on the account, region and image (steps 1–3),
//! and the numbered names Huawei will give.

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n::Tr;
use crate::views::layout::Layout;

/// One `<option>`.
#[derive(Debug, Clone, Default)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
    pub disabled: bool,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
        Opt { value: value.into(), label: label.into(), selected, disabled: false }
    }
}

/// An `<optgroup>`.
#[derive(Debug, Clone)]
pub struct OptGroup {
    pub label: String,
    pub options: Vec<Opt>,
}

/// One plan of step 3, as a radio button.
#[derive(Debug, Clone)]
pub struct PlanOpt {
    pub code: String,
    /// "2 vCPUs · 2 GiB memory · 40 GiB system disk · …", in the reader's language.
    pub words: String,
    pub selected: bool,
}

/// An account that cannot buy, and why (shown, not selectable).
#[derive(Debug, Clone)]
pub struct Unusable {
    pub id: String,
    pub name: String,
    pub why: String,
}

/// Everything the form shows: what was typed (cut short where a value is long) and the
/// choices that fit it, with each field's problem or note.
#[derive(Debug, Clone, Default)]
pub struct PurchaseForm {
    pub team_id: String,
    pub idempotency_key: String,
    pub accounts: Vec<Opt>,
    pub unusable: Vec<Unusable>,
    /// No account of the team can buy: the page says what to do first.
    pub no_account: bool,
    pub regions: Vec<Opt>,
    pub images: Vec<OptGroup>,
    /// The private-image option of the image select.
    pub private: Opt,
    /// What the chosen catalog image is, in words.
    pub image_about: Option<String>,
    pub versions: Vec<Opt>,
    pub image_id: String,
    pub oses: Vec<Opt>,
    pub plans: Vec<PlanOpt>,
    /// Why no plan is listed yet ("choose an image first").
    pub plans_wait: Option<String>,
    pub data_disk_gib: String,
    pub backup_gib: String,
    pub host_security: bool,
    pub periods: Vec<Opt>,
    pub auto_renew: bool,
    pub auto_pay: bool,
    pub instance_name: String,
    pub description: String,
    pub tags: String,
    pub quantity: String,
    /// The names Huawei gives, e.g. "web-0001, web-0002 … web-0012".
    pub names: Option<String>,
    pub errors: Vec<(&'static str, String)>,
    /// Choices the round trip had to drop (a plan not sold with the new image), by field.
    pub notes: Vec<(&'static str, String)>,
    /// Problems of the form as a whole (an out-of-date key).
    pub problems: Vec<String>,
}

impl PurchaseForm {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.error(field).is_some()
    }

    pub fn note(&self, field: &str) -> Option<&str> {
        self.notes.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn private_chosen(&self) -> bool {
        self.private.selected
    }

    pub fn image_chosen(&self) -> bool {
        self.private.selected || self.images.iter().any(|g| g.options.iter().any(|o| o.selected))
    }

    pub fn any_selected(options: &[Opt]) -> bool {
        options.iter().any(|o| o.selected)
    }
}

/// The summary of a valid form, and what the confirming form sends again.
#[derive(Debug, Clone)]
pub struct Summary {
    /// One sentence per line.
    pub lines: Vec<String>,
    /// Every choice as a hidden field, normalized.
    pub hidden: Vec<(&'static str, String)>,
    /// "Buy 2 instances".
    pub confirm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "purchase/new.html")]
pub struct PurchasePage {
    pub tr: Tr,
    pub layout: Layout,
    pub form: PurchaseForm,
    /// Set once the whole form is valid: the last step.
    pub summary: Option<Summary>,
    pub reauth_needed: bool,
    pub reauth_error: Option<String>,
    /// The progress page of the purchase this form already made, when it was confirmed
    /// again with other choices (they are offered as a new purchase).
    pub already_bought: Option<String>,
}

/// Steps 1–3, swapped in by htmx when the account, region or image changes.
#[derive(Template, WebTemplate)]
#[template(path = "purchase/_choices.html")]
pub struct ChoicesPartial {
    pub tr: Tr,
    pub form: PurchaseForm,
}

/// The numbered names, swapped in by htmx when the name or the quantity changes.
#[derive(Template, WebTemplate)]
#[template(path = "purchase/_names.html")]
pub struct NamesPartial {
    pub tr: Tr,
    pub form: PurchaseForm,
}
