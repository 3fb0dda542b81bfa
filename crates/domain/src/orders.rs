//! Orders: what the panel's purchases, renewals and unsubscriptions bought or gave back,
//! with BSS's status, amount and times, for an instance or the whole team. They are actions
//! followed through an order (DESIGN.md), so this reads the actions table; the amount is
//! what the poller last read from the order's details.

use lightdeck_huaweicloud::{InstanceId, OrderId};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::actions::{ActionKind, ActionState};
use crate::rows::{Checked, Stored, unchecked};
use crate::{Error, Result};

/// Most orders one list shows (newest first).
pub const MAX_ORDERS: i64 = 200;

/// One order the panel placed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OrderLine {
    pub action_id: Uuid,
    pub batch_id: Uuid,
    pub order_id: Option<OrderId>,
    pub kind: ActionKind,
    pub state: ActionState,
    /// BSS's order status code as last seen ("5" completed, "6" pending payment, …).
    pub job_status: Option<String>,
    pub account_id: Uuid,
    pub instance_ids: Vec<InstanceId>,
    pub actor_name: Option<String>,
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub error_code: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

impl Stored for OrderLine {
    const TABLE: &'static str = "actions";
}

/// Which orders a list shows; `None` is "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFilter {
    pub kind: Option<ActionKind>,
    pub state: Option<ActionState>,
    pub account_id: Option<Uuid>,
    pub instance_id: Option<InstanceId>,
}

const COLUMNS: &str = "id AS action_id, batch_id, order_id, kind, state, job_status, account_id, \
    instance_ids, actor_name, order_amount::float8 AS amount, order_currency AS currency, \
    error_code, created_at, finished_at";

/// The team's orders matching `filter`, newest first, at most [`MAX_ORDERS`].
pub async fn list(pool: &PgPool, team_id: Uuid, filter: &OrderFilter) -> Result<Vec<OrderLine>> {
    let kinds: Vec<&str> = match filter.kind {
        Some(k) if k.tracking() == crate::actions::TrackingKind::Order => vec![k.as_str()],
        Some(_) => return Err(Error::field("kind", "is not an order kind")),
        None => ActionKind::ALL
            .into_iter()
            .filter(|k| k.tracking() == crate::actions::TrackingKind::Order)
            .map(ActionKind::as_str)
            .collect(),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM actions WHERE team_id = $1 AND kind = ANY($2) \
           AND ($3::text IS NULL OR state = $3) AND ($4::uuid IS NULL OR account_id = $4) \
           AND ($5::text IS NULL OR $5 = ANY(instance_ids)) \
         ORDER BY created_at DESC, id LIMIT $6"
    );
    let rows: Vec<Checked<OrderLine>> = sqlx::query_as(&sql)
        .bind(team_id)
        .bind(&kinds)
        .bind(filter.state.map(ActionState::as_str))
        .bind(filter.account_id)
        .bind(filter.instance_id.as_ref().map(InstanceId::as_str))
        .bind(MAX_ORDERS)
        .fetch_all(pool)
        .await?;
    Ok(unchecked(rows))
}

/// Records what BSS says the action's order costs. A negative or non-finite amount, or a
/// currency code longer than 16 characters, is not recorded (the order still is followed).
pub async fn record_amount(
    pool: &PgPool,
    action_id: Uuid,
    amount: Option<f64>,
    currency: Option<&str>,
) -> Result<()> {
    let amount = amount.filter(|a| a.is_finite() && *a >= 0.0 && *a < 1e13);
    let currency = currency.map(str::trim).filter(|c| !c.is_empty() && c.len() <= 16);
    if amount.is_none() && currency.is_none() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE actions SET order_amount = coalesce($2::float8::numeric(16, 2), order_amount), \
         order_currency = coalesce($3, order_currency) WHERE id = $1",
    )
    .bind(action_id)
    .bind(amount)
    .bind(currency)
    .execute(pool)
    .await?;
    Ok(())
}
