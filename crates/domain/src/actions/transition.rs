//! What the first cloud call answered: each function moves a `requested` action on and
//! appends the matching audit event in the same transaction.

use std::time::Duration;

use lightdeck_huaweicloud::{JobId, OrderId};
use sqlx::PgPool;
use uuid::Uuid;

use super::{Action, ActionKind, COLUMNS, TrackingKind};
use crate::audit::{self, Outcome};
use crate::rows::{Checked, corrupt_in};
use crate::{Error, Result};

/// The envelope of a successful cloud response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloudReply {
    /// `X-Request-Id`.
    pub request_id: Option<String>,
    pub http_status: Option<u16>,
}

/// A refused or failed cloud call, as Huawei described it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloudError {
    pub http_status: Option<u16>,
    /// e.g. `Ecs.0114`.
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
}

/// What the worker polls to learn the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tracking {
    Job(JobId),
    Order(OrderId),
}

impl Tracking {
    pub fn kind(&self) -> TrackingKind {
        match self {
            Tracking::Job(_) => TrackingKind::Job,
            Tracking::Order(_) => TrackingKind::Order,
        }
    }
}

/// Runs `UPDATE actions SET <set> WHERE id = $1 AND state = 'requested'` (extra binds from
/// $2 on), then appends the event for `outcome`.
type Query<'q> =
    sqlx::query::QueryAs<'q, sqlx::Postgres, Checked<Action>, sqlx::postgres::PgArguments>;

async fn transition(
    pool: &PgPool,
    action_id: Uuid,
    set: &str,
    bind: impl for<'q> FnOnce(Query<'q>) -> Query<'q>,
    outcome: Outcome,
) -> Result<Action> {
    let sql = format!(
        "UPDATE actions SET {set}, updated_at = now() WHERE id = $1 AND state = 'requested' RETURNING {COLUMNS}"
    );
    let mut tx = pool.begin().await?;
    let record = bind(sqlx::query_as(&sql).bind(action_id)).fetch_optional(&mut *tx).await?;
    let Some(record) = record else {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM actions WHERE id = $1")
            .bind(action_id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match state {
            None => Error::NotFound,
            Some(s) => Error::Rule(format!("this action is already {s}")),
        });
    };
    let Checked(action) = record;
    audit::append_in(&mut tx, action.audit_draft(outcome)).await?;
    tx.commit().await?;
    Ok(action)
}

/// The cloud accepted the call and gave a job or order to follow; the worker polls it
/// from `first_poll_in` on. A job for an action followed through an order (or the other
/// way round) is refused and changes nothing: the poller would ask the wrong service.
pub async fn mark_accepted(
    pool: &PgPool,
    action_id: Uuid,
    reply: &CloudReply,
    tracking: &Tracking,
    first_poll_in: Duration,
) -> Result<Action> {
    // The kind never changes after the insert, so reading it first leaves no race.
    let kind: Option<ActionKind> = sqlx::query_scalar("SELECT kind FROM actions WHERE id = $1")
        .bind(action_id)
        .fetch_optional(pool)
        .await
        .map_err(corrupt_in("actions", action_id))?;
    let kind = kind.ok_or(Error::NotFound)?;
    if kind.tracking() != tracking.kind() {
        return Err(Error::Rule(format!(
            "a {} action is followed through {}, not {}",
            kind.as_str(),
            kind.tracking().described(),
            tracking.kind().described()
        )));
    }
    let (job, order) = match tracking {
        Tracking::Job(j) => (Some(j.to_string()), None),
        Tracking::Order(o) => (None, Some(o.to_string())),
    };
    let request_id = reply.request_id.clone();
    let status = reply.http_status.map(i32::from);
    transition(
        pool,
        action_id,
        "state = 'accepted', request_id = $2, http_status = $3, job_id = $4, order_id = $5, \
         next_poll_at = now() + make_interval(secs => $6)",
        |q| q.bind(request_id).bind(status).bind(job).bind(order).bind(first_poll_in.as_secs_f64()),
        Outcome::Accepted,
    )
    .await
}

/// The call completed synchronously (e.g. a rename answers 200 with no job).
pub async fn mark_succeeded(pool: &PgPool, action_id: Uuid, reply: &CloudReply) -> Result<Action> {
    let request_id = reply.request_id.clone();
    let status = reply.http_status.map(i32::from);
    transition(
        pool,
        action_id,
        "state = 'succeeded', request_id = $2, http_status = $3, finished_at = now()",
        |q| q.bind(request_id).bind(status),
        Outcome::Succeeded,
    )
    .await
}

/// The cloud refused the call.
pub async fn mark_failed(pool: &PgPool, action_id: Uuid, error: &CloudError) -> Result<Action> {
    let e = error.clone();
    transition(
        pool,
        action_id,
        "state = 'failed', http_status = $2, error_code = $3, error_message = $4, request_id = $5, \
         finished_at = now()",
        |q| q.bind(e.http_status.map(i32::from)).bind(e.code).bind(e.message).bind(e.request_id),
        Outcome::Failed,
    )
    .await
}

/// Nobody can tell whether the cloud acted (e.g. the connection dropped after sending).
pub async fn mark_unknown(pool: &PgPool, action_id: Uuid, reason: &str) -> Result<Action> {
    let reason = reason.to_owned();
    transition(
        pool,
        action_id,
        "state = 'unknown', error_message = $2, finished_at = now()",
        |q| q.bind(reason),
        Outcome::Unknown,
    )
    .await
}
