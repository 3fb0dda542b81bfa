//! The poller's side: claim due actions under a lease, record what each poll saw, finish.
//!
//! Several processes may poll the same database: `FOR UPDATE SKIP LOCKED` hands each due
//! action to exactly one claimer, and the lease (`claimed_until`) lets another process take
//! it over if the claimer dies. Writes check `claimed_by`, so a worker that lost its lease
//! cannot overwrite its successor's work.

use std::time::Duration;

use lightdeck_huaweicloud::ServerId;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{Action, COLUMNS, columns_of, into_actions};
use crate::audit::{self, Outcome};
use crate::rows::Checked;
use crate::{Error, Result};

/// One server's part of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ServerResult {
    pub server_id: ServerId,
    /// The sub-job status: `SUCCESS`, `FAIL`, `RUNNING`, `INIT`.
    pub status: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    Succeeded,
    Failed,
    /// Gave up polling without a verdict.
    Unknown,
}

impl Terminal {
    fn outcome(self) -> Outcome {
        match self {
            Terminal::Succeeded => Outcome::Succeeded,
            Terminal::Failed => Outcome::Failed,
            Terminal::Unknown => Outcome::Unknown,
        }
    }
}

/// How an accepted action ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    pub outcome: Terminal,
    /// The last job or order status, e.g. `SUCCESS` or `FAIL`.
    pub job_status: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub results: Vec<ServerResult>,
}

fn check_worker(worker_id: &str) -> Result<()> {
    if worker_id.is_empty() || worker_id.len() > 200 {
        return Err(Error::field("worker_id", "must be 1 to 200 characters"));
    }
    Ok(())
}

/// Claims up to `limit` accepted actions that are due (`next_poll_at` ≤ now) and not leased
/// by a live claimer, leasing them to `worker_id` for `lease`. An expired lease is how a
/// restarted process resumes its predecessor's work.
pub async fn claim_due(
    pool: &PgPool,
    worker_id: &str,
    lease: Duration,
    limit: u32,
) -> Result<Vec<Action>> {
    check_worker(worker_id)?;
    let records: Vec<Checked<Action>> = sqlx::query_as(&format!(
        "WITH due AS ( \
             SELECT id FROM actions \
             WHERE state = 'accepted' AND next_poll_at <= now() \
               AND (claimed_until IS NULL OR claimed_until <= now()) \
             ORDER BY next_poll_at \
             LIMIT $3 \
             FOR UPDATE SKIP LOCKED) \
         UPDATE actions a SET claimed_by = $1, claimed_until = now() + make_interval(secs => $2), \
             attempts = attempts + 1, updated_at = now() \
         FROM due WHERE a.id = due.id \
         RETURNING {}",
        columns_of("a")
    ))
    .bind(worker_id)
    .bind(lease.as_secs_f64())
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(into_actions(records))
}

async fn save_results(
    conn: &mut PgConnection,
    action_id: Uuid,
    results: &[ServerResult],
) -> Result<()> {
    if results.is_empty() {
        return Ok(());
    }
    let servers: Vec<&str> = results.iter().map(|r| r.server_id.as_str()).collect();
    let statuses: Vec<&str> = results.iter().map(|r| r.status.as_str()).collect();
    let codes: Vec<Option<&str>> = results.iter().map(|r| r.error_code.as_deref()).collect();
    let messages: Vec<Option<&str>> = results.iter().map(|r| r.error_message.as_deref()).collect();
    sqlx::query(
        "INSERT INTO action_results (action_id, server_id, status, error_code, error_message) \
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) \
         ON CONFLICT (action_id, server_id) DO UPDATE SET status = excluded.status, \
             error_code = excluded.error_code, error_message = excluded.error_message, updated_at = now()",
    )
    .bind(action_id)
    .bind(&servers)
    .bind(&statuses)
    .bind(&codes)
    .bind(&messages)
    .execute(conn)
    .await?;
    Ok(())
}

/// Why a write by `worker_id` matched no row.
async fn refusal(conn: &mut PgConnection, action_id: Uuid) -> Result<Error> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM actions WHERE id = $1")
        .bind(action_id)
        .fetch_optional(conn)
        .await?;
    Ok(match state {
        None => Error::NotFound,
        Some(s) if s != "accepted" => Error::Rule(format!("this action is already {s}")),
        Some(_) => {
            Error::Rule("this worker's lease on the action was taken over by another worker".into())
        }
    })
}

/// What one poll saw when the job or order has no verdict yet.
#[derive(Debug, Clone, Copy)]
pub struct Poll<'a> {
    /// The cloud's status word (`RUNNING`, an order status), kept for the progress panel.
    pub job_status: &'a str,
    pub results: &'a [ServerResult],
    pub next_poll_in: Duration,
    /// Since when the cloud has said the job or order does not exist; `None` clears it.
    pub missing_since: Option<time::OffsetDateTime>,
}

/// Records one poll that saw no verdict yet; releases the lease and schedules the next poll.
pub async fn record_poll(
    pool: &PgPool,
    action_id: Uuid,
    worker_id: &str,
    poll: &Poll<'_>,
) -> Result<Action> {
    let mut tx = pool.begin().await?;
    let record: Option<Checked<Action>> = sqlx::query_as(&format!(
        "UPDATE actions SET job_status = $3, next_poll_at = now() + make_interval(secs => $4), \
             claimed_by = NULL, claimed_until = NULL, updated_at = now(), missing_since = $5 \
         WHERE id = $1 AND state = 'accepted' AND claimed_by = $2 RETURNING {COLUMNS}"
    ))
    .bind(action_id)
    .bind(worker_id)
    .bind(poll.job_status)
    .bind(poll.next_poll_in.as_secs_f64())
    .bind(poll.missing_since)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(record) = record else {
        return Err(refusal(&mut tx, action_id).await?);
    };
    save_results(&mut tx, action_id, poll.results).await?;
    tx.commit().await?;
    Ok(record.0)
}

/// Writes the terminal state, the per-server results and the outcome audit event
/// (`instance.<kind>.succeeded|failed|unknown`) in one transaction.
pub async fn finish(
    pool: &PgPool,
    action_id: Uuid,
    worker_id: &str,
    done: &Finish,
) -> Result<Action> {
    let mut tx = pool.begin().await?;
    let record: Option<Checked<Action>> = sqlx::query_as(&format!(
        "UPDATE actions SET state = $3, job_status = coalesce($4, job_status), \
             error_code = coalesce($5, error_code), error_message = coalesce($6, error_message), \
             claimed_by = NULL, claimed_until = NULL, next_poll_at = NULL, finished_at = now(), \
             updated_at = now(), \
             reconcile_until = CASE WHEN kind = 'purchase' AND $3 = 'unknown' \
                 THEN coalesce(reconcile_until, now() + make_interval(secs => $7)) \
                 ELSE reconcile_until END \
         WHERE id = $1 AND state = 'accepted' AND claimed_by = $2 RETURNING {COLUMNS}"
    ))
    .bind(action_id)
    .bind(worker_id)
    .bind(done.outcome.outcome().as_str())
    .bind(&done.job_status)
    .bind(&done.error_code)
    .bind(&done.error_message)
    // However a purchase ends unknown (its order forgotten by the cloud, polled too long),
    // what it may have bought is looked for by its tag, as for a lost answer.
    .bind(super::RECONCILE_FOR.as_secs_f64())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(record) = record else {
        return Err(refusal(&mut tx, action_id).await?);
    };
    save_results(&mut tx, action_id, &done.results).await?;
    let Checked(action) = record;
    audit::append_in(&mut tx, action.audit_draft(done.outcome.outcome())).await?;
    tx.commit().await?;
    Ok(action)
}

/// Gives up on actions still `requested` after `older_than`: the process that recorded them
/// stopped before it could say whether the cloud received the call, so nobody knows. Each
/// becomes `unknown` with its `instance.<kind>.unknown` audit event; people check the
/// instance and retry; a purchase is looked for by its tag (see [`super::RECONCILE_FOR`]).
/// Choose `older_than` well above the cloud call's timeout so a slow
/// but live request is never expired.
pub async fn expire_requested(
    pool: &PgPool,
    older_than: Duration,
    limit: u32,
) -> Result<Vec<Action>> {
    let mut tx = pool.begin().await?;
    let records: Vec<Checked<Action>> = sqlx::query_as(&format!(
        "WITH stale AS ( \
             SELECT id FROM actions \
             WHERE state = 'requested' AND created_at < now() - make_interval(secs => $1) \
             ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED) \
         UPDATE actions a SET state = 'unknown', finished_at = now(), updated_at = now(), \
             error_message = 'the panel stopped before it could tell whether the cloud received this request', \
             reconcile_until = CASE WHEN a.kind = 'purchase' \
                 THEN now() + make_interval(secs => $3) END \
         FROM stale WHERE a.id = stale.id \
         RETURNING {}",
        columns_of("a")
    ))
    .bind(older_than.as_secs_f64())
    .bind(i64::from(limit))
    // A purchase may have reached the cloud before the process stopped: the syncs look
    // for it by its tag, as for an answer lost on the way back.
    .bind(super::RECONCILE_FOR.as_secs_f64())
    .fetch_all(&mut *tx)
    .await?;
    let actions = into_actions(records);
    for action in &actions {
        audit::append_in(&mut tx, action.audit_draft(Outcome::Unknown)).await?;
    }
    tx.commit().await?;
    Ok(actions)
}
