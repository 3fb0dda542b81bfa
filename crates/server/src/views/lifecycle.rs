//! Views of the lifecycle forms: renew, reset password, unsubscribe. Each page is its own
//! form and its own summary; no htmx partials (they are whole steps a person reads).

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n::Tr;
use crate::views::layout::Layout;

/// One instance on a lifecycle page.
#[derive(Debug, Clone)]
pub struct Line {
    pub instance_id: String,
    /// The name, with its account when the name alone is ambiguous in the team.
    pub label: String,
    pub account: String,
    pub region: String,
    /// Expiry now (a date), when known.
    pub expires: Option<String>,
    /// Expiry after the renewal, on the summary.
    pub after: Option<String>,
}

/// One option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The renewal form and, once valid, its summary to confirm.
#[derive(Template, WebTemplate)]
#[template(path = "lifecycle/renew.html")]
pub struct RenewPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub lines: Vec<Line>,
    pub periods: Vec<Choice>,
    pub period: String,
    pub auto_pay: bool,
    pub idempotency_key: String,
    pub period_error: Option<String>,
    pub problems: Vec<String>,
    /// Set on the summary step: one sentence per line of what will happen.
    pub summary: Vec<String>,
    /// How many cloud calls (one per account and region, ≤ 10 instances each).
    pub accounts: Vec<String>,
}

impl RenewPage {
    pub fn reviewing(&self) -> bool {
        !self.summary.is_empty()
    }
}

/// The password reset form: typed twice or generated, and the re-authentication.
#[derive(Template, WebTemplate)]
#[template(path = "lifecycle/password.html")]
pub struct PasswordPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub lines: Vec<Line>,
    pub idempotency_key: String,
    /// `typed` or `generate`.
    pub mode: String,
    pub password_error: Option<String>,
    pub confirm_error: Option<String>,
    pub reauth_needed: bool,
    pub reauth_error: Option<String>,
    pub problems: Vec<String>,
    /// The rules, in words, shown beside the field.
    pub rules: Vec<String>,
    /// Whether any selected server is running (then the reset waits for a restart).
    pub any_running: bool,
}

/// After the reset was sent: the generated password shown once, and what happens next.
#[derive(Template, WebTemplate)]
#[template(path = "lifecycle/password_done.html")]
pub struct PasswordDonePage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub batch_id: String,
    /// Only when the panel generated it; never stored, this page is the only place.
    pub generated: Option<String>,
    pub lines: Vec<Line>,
    pub running: Vec<String>,
    pub reboot_key: String,
    pub outcome: Vec<String>,
    pub succeeded: bool,
    /// The copy button's script (`web/static/copy.js`).
    pub copy_js_url: String,
}

/// The unsubscription form with everything it releases, and the typed-name check.
#[derive(Template, WebTemplate)]
#[template(path = "lifecycle/unsubscribe.html")]
pub struct UnsubscribePage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub line: Line,
    pub instance_name: String,
    pub scope: String,
    pub released: Vec<String>,
    pub idempotency_key: String,
    pub scope_error: Option<String>,
    pub name_error: Option<String>,
    pub reauth_needed: bool,
    pub reauth_error: Option<String>,
    pub problems: Vec<String>,
}

/// One order in the orders list.
#[derive(Debug, Clone)]
pub struct OrderRow {
    pub order_id: Option<String>,
    pub kind: String,
    /// (instance id, name) of each instance the order covers.
    pub instances: Vec<(String, String)>,
    pub account: String,
    pub status: String,
    pub status_class: &'static str,
    pub waiting_for_payment: bool,
    pub amount: Option<String>,
    pub actor: String,
    pub created: String,
    pub finished: Option<String>,
    pub batch_url: String,
}

/// The team's orders, filtered.
#[derive(Template, WebTemplate)]
#[template(path = "orders/list.html")]
pub struct OrdersPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub rows: Vec<OrderRow>,
    pub kinds: Vec<Choice>,
    pub states: Vec<Choice>,
    pub accounts: Vec<Choice>,
    /// Set when the list is one instance's orders.
    pub instance: Option<String>,
    pub problems: Vec<String>,
    pub huawei_orders_url: &'static str,
    pub limit: i64,
    /// "Buy instances" (owners).
    pub can_purchase: bool,
}
