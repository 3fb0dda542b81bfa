//! Who may sync an account's inventory right now, and how its last syncs went.
//!
//! Never two syncs of one account at once, even from two `lightdeck serve` processes on one
//! database: a sync first takes a [`SyncLease`], a transaction-scoped Postgres advisory lock
//! held on one pooled connection for the whole sync. The outcome is written to the account
//! row while the lease is held (so writes of one account are never interleaved), and every
//! process reads the same facts back, also after a restart.

use std::fmt;

use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Postgres, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, Result};

/// The longest error code or message kept; the columns check the same bound.
pub const SYNC_ERROR_MAX_CHARS: usize = 200;

/// How the last syncs of an account went. Part of every [`super::Account`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// The end of the last sync that succeeded; `None` if none ever did.
    pub last_synced_at: Option<OffsetDateTime>,
    /// The latest attempt, when it failed (cleared by the next success).
    pub last_failure: Option<SyncFailure>,
    /// Failures in a row since the last success; the sync loops of every process back off
    /// on it.
    pub sync_failures: u32,
}

/// Why one sync failed. Never holds secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncFailure {
    /// The end of the attempt.
    pub at: OffsetDateTime,
    /// Huawei's error code (`APIG.0308`) or the panel's own for a call that got no answer.
    pub code: String,
    pub http_status: Option<u16>,
    /// The cloud's or the client's words, for people who read logs; pages explain the code.
    pub message: Option<String>,
}

const SYNC_COLUMNS: &str = "last_synced_at, last_sync_error_at, last_sync_error_code, \
    last_sync_error_status, last_sync_error_message, sync_failures";

/// By hand because the failure is one optional value spread over four nullable columns.
impl<'r> FromRow<'r, PgRow> for SyncStatus {
    fn from_row(row: &'r PgRow) -> sqlx::Result<Self> {
        let failures: i32 = row.try_get("sync_failures")?;
        let at: Option<OffsetDateTime> = row.try_get("last_sync_error_at")?;
        let code: Option<String> = row.try_get("last_sync_error_code")?;
        let status: Option<i32> = row.try_get("last_sync_error_status")?;
        let last_failure = match (at, code) {
            (Some(at), Some(code)) => Some(SyncFailure {
                at,
                code,
                http_status: status.map(u16::try_from).transpose().map_err(|e| {
                    sqlx::Error::ColumnDecode {
                        index: "last_sync_error_status".into(),
                        source: e.into(),
                    }
                })?,
                message: row.try_get("last_sync_error_message")?,
            }),
            // The table's check keeps the two together.
            _ => None,
        };
        Ok(SyncStatus {
            last_synced_at: row.try_get("last_synced_at")?,
            last_failure,
            sync_failures: u32::try_from(failures).map_err(|e| sqlx::Error::ColumnDecode {
                index: "sync_failures".into(),
                source: e.into(),
            })?,
        })
    }
}

fn bounded(text: &str) -> String {
    text.trim().chars().take(SYNC_ERROR_MAX_CHARS).collect()
}

/// The right to sync one account, held until [`SyncLease::release`] (or drop).
///
/// Release it explicitly and await it: a dropped sqlx transaction only *queues* its
/// rollback, which the pool sends whenever it next touches that connection, so the lock
/// would stay held by an idle pooled connection. Drop, for a cancelled or panicking sync,
/// rolls back on a spawned task at once instead (when a Tokio runtime is running).
pub struct SyncLease {
    account_id: Uuid,
    tx: Option<Transaction<'static, Postgres>>,
}

impl fmt::Debug for SyncLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncLease")
            .field("account_id", &self.account_id)
            .field("held", &self.tx.is_some())
            .finish()
    }
}

/// Takes the sync lease of `account_id`, or `None` when a sync of it is running (in this
/// process or another one on the same database). Does not check that the account exists.
pub async fn try_begin_sync(pool: &PgPool, account_id: Uuid) -> Result<Option<SyncLease>> {
    let mut tx = pool.begin().await?;
    // Two int4 keys: a fixed namespace and the account, so other advisory locks can't clash.
    let locked: bool = sqlx::query_scalar(
        "select pg_try_advisory_xact_lock(hashtext('lightdeck.sync.account'), hashtext($1))",
    )
    .bind(account_id.to_string())
    .fetch_one(&mut *tx)
    .await?;
    if !locked {
        // Not queued: leave no idle transaction behind on the pooled connection.
        tx.rollback().await?;
        return Ok(None);
    }
    Ok(Some(SyncLease { account_id, tx: Some(tx) }))
}

impl SyncLease {
    pub fn account_id(&self) -> Uuid {
        self.account_id
    }

    /// Records a sync that succeeded at `at`: clears the failure and its count.
    pub async fn record_success(&self, pool: &PgPool, at: OffsetDateTime) -> Result<()> {
        let done = sqlx::query(
            "update cloud_accounts set last_synced_at = $2, last_sync_error_at = null,
                 last_sync_error_code = null, last_sync_error_status = null,
                 last_sync_error_message = null, sync_failures = 0
             where id = $1",
        )
        .bind(self.account_id)
        .bind(at)
        .execute(pool)
        .await?;
        super::found(done.rows_affected())
    }

    /// Records a failed sync (never pass secrets; a code or message longer than
    /// [`SYNC_ERROR_MAX_CHARS`] is cut). Returns the failures in a row, this one included.
    pub async fn record_failure(&self, pool: &PgPool, failure: &SyncFailure) -> Result<u32> {
        let code = bounded(&failure.code);
        if code.is_empty() {
            return Err(Error::field("code", "a failure needs an error code"));
        }
        let message = failure.message.as_deref().map(bounded).filter(|m| !m.is_empty());
        let failures: Option<i32> = sqlx::query_scalar(
            "update cloud_accounts set last_sync_error_at = $2, last_sync_error_code = $3,
                 last_sync_error_status = $4, last_sync_error_message = $5,
                 sync_failures = least(sync_failures, 2147483646) + 1
             where id = $1
             returning sync_failures",
        )
        .bind(self.account_id)
        .bind(failure.at)
        .bind(&code)
        .bind(failure.http_status.map(i32::from))
        .bind(&message)
        .fetch_optional(pool)
        .await?;
        let failures = failures.ok_or(Error::NotFound)?;
        Ok(u32::try_from(failures).unwrap_or(0))
    }

    /// Gives the lease back: rolls the transaction back, which ends the lock now.
    pub async fn release(mut self) -> Result<()> {
        match self.tx.take() {
            Some(tx) => Ok(tx.rollback().await?),
            None => Ok(()),
        }
    }
}

impl Drop for SyncLease {
    fn drop(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let account = self.account_id;
                runtime.spawn(async move {
                    if let Err(e) = tx.rollback().await {
                        tracing::warn!(%account, error = %e, "releasing a dropped sync lease failed");
                    }
                });
            }
            // No runtime left to run it on: the queued rollback is all there is.
            Err(_) => drop(tx),
        }
    }
}

/// How the last syncs of `account_id` went (any team; for workers and tests).
pub async fn sync_status(pool: &PgPool, account_id: Uuid) -> Result<SyncStatus> {
    sqlx::query_as(&format!("select {SYNC_COLUMNS} from cloud_accounts where id = $1"))
        .bind(account_id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)
}
