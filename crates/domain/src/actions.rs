//! Actions sent to the cloud: one row per cloud call (kind × account × region × ≤1000
//! servers), grouped into the batch of one user request.
//!
//! Intent before effect: [`record_intent`] commits the `requested` rows together with their
//! `instance.<kind>.requested` audit events, and only then may the caller contact the cloud.
//! Every later state change writes its audit event in the same transaction as the change.
//! Work in progress lives here, so a restarted process resumes it ([`claim_due`]).

mod intent;
mod params;
mod purchase;
mod read;
mod terms;
mod transition;
mod worker;

use std::str::FromStr;

use lightdeck_huaweicloud::{InstanceId, JobId, OrderId, Region, ServerId};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{AuditEventDraft, Outcome};
use crate::rows::{Checked, Stored, StoredStatus, unchecked};
use crate::{Error, Result};

pub use intent::{Batch, MAX_SERVERS_PER_CALL, NewBatch, RequestContext, record_intent};
pub use params::{Params, TrackingKind};
pub use purchase::{
    Found, NewPurchase, RECONCILE_FOR, TAG_SEARCH_FOR, Tagged, account_problem,
    accounts_reconciling, known_orders, lost_purchases, mark_lost, mark_ordered,
    purchases_in_flight, reconciled, reconciling, record_purchase, set_bought, tagged_instances,
};
pub use read::{ActionDetail, BatchProgress, batch_progress, get, list_for_instance};
pub use terms::{PurchaseTerm, RenewTerm, Term, TermUnit, UnsubscribeScope};
pub use transition::{
    CloudError, CloudReply, Tracking, mark_accepted, mark_failed, mark_succeeded, mark_unknown,
};
pub use worker::{
    Finish, Poll, ServerResult, Terminal, claim_due, expire_requested, finish, record_poll,
};

/// The stored discriminant of [`Params`] (the `kind` column and the audit action name).
/// Each later kind arrives with the feature that sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Start,
    Stop,
    Reboot,
    /// Rename, hostname, description (ECS UpdateServer).
    Update,
    ResetPassword,
    Renew,
    Unsubscribe,
    /// Buy new instances (HCSS), followed through the order it creates.
    Purchase,
}

impl ActionKind {
    pub const ALL: [ActionKind; 8] = [
        ActionKind::Start,
        ActionKind::Stop,
        ActionKind::Reboot,
        ActionKind::Update,
        ActionKind::ResetPassword,
        ActionKind::Renew,
        ActionKind::Unsubscribe,
        ActionKind::Purchase,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Start => "start",
            ActionKind::Stop => "stop",
            ActionKind::Reboot => "reboot",
            ActionKind::Update => "update",
            ActionKind::ResetPassword => "reset_password",
            ActionKind::Renew => "renew",
            ActionKind::Unsubscribe => "unsubscribe",
            ActionKind::Purchase => "purchase",
        }
    }

    /// ECS batch calls answer with a job; BSS calls (renew, unsubscribe, purchase) with an
    /// order.
    pub fn tracking(self) -> TrackingKind {
        match self {
            ActionKind::Start | ActionKind::Stop | ActionKind::Reboot => TrackingKind::Job,
            ActionKind::Update | ActionKind::ResetPassword => TrackingKind::Synchronous,
            ActionKind::Renew | ActionKind::Unsubscribe | ActionKind::Purchase => {
                TrackingKind::Order
            }
        }
    }

    /// Most instances one cloud call of this kind may name: ECS batch calls take 1000
    /// servers, BSS renew and unsubscribe 10 resources.
    pub fn max_per_call(self) -> usize {
        match self.tracking() {
            TrackingKind::Job | TrackingKind::Synchronous => MAX_SERVERS_PER_CALL,
            TrackingKind::Order => lightdeck_huaweicloud::client::BSS_ORDER_MAX,
        }
    }

    /// The audit action name for an outcome, e.g. `instance.reboot.requested`.
    pub fn audit_action(self, outcome: Outcome) -> String {
        format!("instance.{}.{}", self.as_str(), outcome.as_str())
    }
}

impl FromStr for ActionKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            Error::field(
                "kind",
                "must be one of start, stop, reboot, update, reset_password, renew, unsubscribe, \
                 purchase",
            )
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    Requested,
    Accepted,
    Succeeded,
    Failed,
    Unknown,
}

impl ActionState {
    pub const ALL: [ActionState; 5] = [
        ActionState::Requested,
        ActionState::Accepted,
        ActionState::Succeeded,
        ActionState::Failed,
        ActionState::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionState::Requested => "requested",
            ActionState::Accepted => "accepted",
            ActionState::Succeeded => "succeeded",
            ActionState::Failed => "failed",
            ActionState::Unknown => "unknown",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, ActionState::Succeeded | ActionState::Failed | ActionState::Unknown)
    }
}

impl FromStr for ActionState {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        ActionState::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            Error::field("state", "must be one of requested, accepted, succeeded, failed, unknown")
        })
    }
}

crate::rows::text_column!(ActionKind, ActionState);

/// One cloud call and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Action {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub team_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub actor_name: Option<String>,
    /// What was asked, typed; its kind is [`Action::kind`]. Never holds a secret.
    #[sqlx(flatten)]
    pub params: Params,
    pub state: ActionState,
    pub account_id: Uuid,
    pub region: Region,
    pub instance_ids: Vec<InstanceId>,
    pub server_ids: Vec<ServerId>,
    /// Huawei's `X-Request-Id` of the call.
    pub request_id: Option<String>,
    pub job_id: Option<JobId>,
    pub order_id: Option<OrderId>,
    #[sqlx(try_from = "StoredStatus")]
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The last job or order status the worker saw (`RUNNING`, `SUCCESS`, …).
    pub job_status: Option<String>,
    pub attempts: i32,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_poll_at: Option<OffsetDateTime>,
    pub claimed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_until: Option<OffsetDateTime>,
    pub panel_request_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Since when the cloud has said the job or order does not exist (`None` while it
    /// knows it), by the poller's clock.
    #[serde(with = "time::serde::rfc3339::option")]
    pub missing_since: Option<OffsetDateTime>,
    /// A purchase whose answer was lost is looked for by its tag until then.
    #[serde(with = "time::serde::rfc3339::option")]
    pub reconcile_until: Option<OffsetDateTime>,
    /// The order a purchase follows was picked from the account's orders after its answer
    /// was lost, not named by Huawei's answer.
    pub order_guessed: bool,
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        self.params.kind()
    }

    /// The job or order the cloud gave to follow, as the kind says it is followed.
    pub fn tracking(&self) -> Option<Tracking> {
        match self.kind().tracking() {
            TrackingKind::Job => self.job_id.clone().map(Tracking::Job),
            TrackingKind::Order => self.order_id.clone().map(Tracking::Order),
            TrackingKind::Synchronous => None,
        }
    }

    /// The audit event describing this action's current state, as the transition
    /// functions append it. The request's IP, user agent and session are on the
    /// `requested` event, which `panel_request_id` ties this one to.
    pub fn audit_draft(&self, outcome: Outcome) -> AuditEventDraft {
        AuditEventDraft {
            actor_user_id: self.actor_user_id,
            actor_name: self.actor_name.clone(),
            target_kind: Some("instance".to_owned()),
            target_ids: self.instance_ids.iter().map(ToString::to_string).collect(),
            account_id: Some(self.account_id),
            region: Some(self.region.id().to_owned()),
            params: self.params.to_json(),
            request_id: self.request_id.clone(),
            job_id: self.job_id.as_ref().map(ToString::to_string),
            order_id: self.order_id.as_ref().map(ToString::to_string),
            http_status: self.http_status,
            error_code: self.error_code.clone(),
            error_message: self.error_message.clone(),
            panel_request_id: self.panel_request_id.clone(),
            ..AuditEventDraft::new(self.team_id, self.kind().audit_action(outcome), outcome)
        }
    }
}

pub(crate) const COLUMNS: &str = "id, batch_id, team_id, actor_user_id, actor_name, kind, state, \
    account_id, region, instance_ids, server_ids, params, request_id, job_id, order_id, \
    http_status, error_code, error_message, job_status, attempts, next_poll_at, claimed_by, \
    claimed_until, panel_request_id, created_at, updated_at, finished_at, missing_since, \
    reconcile_until, order_guessed";

/// [`COLUMNS`] qualified by a table alias, for UPDATE … FROM statements.
pub(crate) fn columns_of(alias: &str) -> String {
    COLUMNS.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

impl Stored for Action {
    const TABLE: &'static str = "actions";
}

pub(crate) fn into_actions(rows: Vec<Checked<Action>>) -> Vec<Action> {
    unchecked(rows)
}
