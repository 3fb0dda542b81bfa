//! Views of the actions pages: the progress panel of a batch (htmx partial that refreshes
//! itself until every action is terminal, and a full page around it), the confirmation
//! step before stopping or forcing a reboot, and the form-problem message.

use askama::Template;
use askama_web::WebTemplate;
use lightdeck_domain::Error;
use lightdeck_domain::actions::{Action, ActionState, Params};
use lightdeck_domain::inventory::Target;
use sqlx::PgPool;
use uuid::Uuid;

use crate::i18n::Tr;
use crate::views::audit::names::tell_apart;
use crate::views::instances::Fact;
use crate::views::layout::Layout;

/// Where a person pays an order: Huawei's order list (the reference gives no address for
/// one order, so the order id is named beside the link).
pub const HUAWEI_ORDERS_URL: &str =
    "https://account.huaweicloud.com/usercenter/#/userindex/allOrder";

/// An order waiting for someone to pay it in the Huawei console, and where to do it.
#[derive(Debug, Clone)]
pub struct Payment {
    pub order_id: String,
    /// The link's words, naming the order.
    pub link_text: String,
    pub url: &'static str,
}

impl Payment {
    pub fn new(tr: &Tr, link_key: &str, order_id: &str) -> Payment {
        Payment {
            order_id: order_id.to_owned(),
            link_text: tr.t1(link_key, "order", order_id),
            url: HUAWEI_ORDERS_URL,
        }
    }
}

/// One instance's line in the progress panel.
#[derive(Debug, Clone)]
pub struct ProgressItem {
    pub instance_id: String,
    /// Whether the instance is in the inventory (a purchase's may not be yet).
    pub linked: bool,
    pub name: String,
    /// `requested`, `accepted`, `running`, `succeeded`, `failed`, `unknown`.
    pub state: &'static str,
    pub state_word: String,
    pub state_class: &'static str,
    /// Why it failed (or is unknown), in plain words.
    pub explanation: Option<String>,
    /// Huawei's code, message, request id and job id.
    pub details: Vec<Fact>,
    /// When the batch is done: the instance's state now, e.g. ("status-ok", "Running").
    pub now_class: Option<&'static str>,
    pub now_word: Option<String>,
    /// Set while the action's order waits for payment.
    pub payment: Option<Payment>,
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/_progress.html")]
pub struct ProgressPanel {
    pub tr: Tr,
    pub team_id: String,
    pub batch_id: String,
    /// e.g. "Reboot (normal) — 2 instances".
    pub title: String,
    pub items: Vec<ProgressItem>,
    pub done: bool,
    /// Finished share in 5 % steps, for the bar's width class.
    pub pct_step: u8,
    /// e.g. "1 of 2 finished".
    pub summary: String,
    /// A fresh idempotency key for the action form (swapped in out of band after a submit).
    pub next_key: Option<String>,
}

impl ProgressPanel {
    pub fn bar_class(&self) -> String {
        format!("w-{}", self.pct_step)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/progress.html")]
pub struct ProgressPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub panel: ProgressPanel,
}

/// An instance named in the confirmation.
#[derive(Debug, Clone)]
pub struct Named {
    pub instance_id: String,
    /// With its account when another account of the team has an instance of this name.
    pub name: String,
}

/// The confirmation's list of `targets`, each named so a person can tell it apart.
pub async fn named(
    db: &PgPool,
    team: Uuid,
    tr: &Tr,
    targets: &[Target],
) -> Result<Vec<Named>, Error> {
    let names = tell_apart(db, team, tr, targets).await?;
    Ok(targets
        .iter()
        .flat_map(|t| &t.instances)
        .map(|i| {
            let id = i.instance_id.to_string();
            let name = names.get(&id).cloned().unwrap_or_else(|| i.name.clone());
            Named { instance_id: id, name }
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/_confirm.html")]
pub struct ConfirmPanel {
    pub tr: Tr,
    pub team_id: String,
    pub csrf: String,
    /// `stop` or `reboot`.
    pub action: String,
    /// `soft` or `hard`.
    pub kind: String,
    pub idempotency_key: String,
    /// What will happen, in plain words.
    pub message: String,
    pub confirm_label: String,
    pub instances: Vec<Named>,
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/confirm.html")]
pub struct ConfirmPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub panel: ConfirmPanel,
}

/// Problems with the submitted form, translated and naming the field.
#[derive(Template, WebTemplate)]
#[template(path = "actions/_problem.html")]
pub struct ProblemPanel {
    pub tr: Tr,
    pub problems: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/problem.html")]
pub struct ProblemPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub panel: ProblemPanel,
}

/// What was done, e.g. "Reboot (forced)".
pub fn kind_word(tr: &Tr, action: &Action) -> String {
    kind_text(tr, &action.params)
}

pub fn kind_text(tr: &Tr, params: &Params) -> String {
    tr.t(match params {
        Params::Start => "actions-kind-start",
        Params::Stop { hard: false } => "actions-kind-stop",
        Params::Stop { hard: true } => "actions-kind-stop-hard",
        Params::Reboot { hard: false } => "actions-kind-reboot",
        Params::Reboot { hard: true } => "actions-kind-reboot-hard",
        Params::Update { .. } => "actions-kind-update",
        Params::ResetPassword => "actions-kind-reset-password",
        Params::Renew { .. } => "actions-kind-renew",
        Params::Unsubscribe { .. } => "actions-kind-unsubscribe",
        Params::Purchase(_) => "actions-kind-purchase",
    })
}

/// The status colour of an action in this state.
pub fn action_state_class(state: ActionState) -> &'static str {
    match state {
        ActionState::Succeeded => "status-ok",
        ActionState::Failed => "status-error",
        ActionState::Requested | ActionState::Accepted => "status-busy",
        ActionState::Unknown => "status-unknown",
    }
}
