//! Background work of `lightdeck serve`: the job poller (follows accepted actions to their
//! end) and the periodic inventory sync per account. The first cloud call of an action is
//! made by the request that records it ([`pipeline::send_batch`]), right after its intent
//! is committed. [`spawn`] starts the loops; `serve` calls it once. They stop when the
//! shutdown signal is triggered.
//!
//! Everything here runs on a [`Ctx`], not on the web app's state: the database, the cloud
//! client, the keyring and the clock are all the orchestration may touch, so it can be
//! read, tested and moved without the pages, sessions or translations.
//!
//! Tests and other code call the single steps instead of waiting for the loops:
//! [`poll_once`] and [`sync_account`].

pub mod cloud;
pub mod pipeline;
pub mod poller;
pub mod purchases;
pub mod sync;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use lightdeck_domain::crypto::Keyring;
use lightdeck_huaweicloud::HuaweiCloud;
use sqlx::PgPool;
use time::OffsetDateTime;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use uuid::Uuid;

pub use cloud::WorkerError;
pub use poller::poll_once;
pub use sync::{SyncSummary, sync_account};

use crate::shutdown::Shutdown;
use crate::state::Clock;

/// What the workers work with. Cheap to clone; clones share the in-process sync guard.
#[derive(Clone)]
pub struct Ctx {
    pub db: PgPool,
    pub cloud: HuaweiCloud,
    pub keyring: Arc<Keyring>,
    pub clock: Clock,
    syncing: sync::Syncing,
}

impl Ctx {
    /// Give every context of one process the same `syncing`: it is what refuses a second
    /// sync of an account before that takes a pooled connection to ask the database.
    pub fn new(
        db: PgPool,
        cloud: HuaweiCloud,
        keyring: Arc<Keyring>,
        clock: Clock,
        syncing: sync::Syncing,
    ) -> Ctx {
        Ctx { db, cloud, keyring, clock, syncing }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("workers::Ctx").finish_non_exhaustive()
    }
}

/// How often the sync loop looks for accounts that are due.
const SYNC_TICK: Duration = Duration::from_secs(15);
/// How often an account with a purchase being reconciled is synced.
const RECONCILE_SYNC: Duration = Duration::from_secs(30);

/// Starts the job poller and the inventory sync loop (every account at most once per
/// `sync_interval`, and never more often than every 10 s). Both end soon after `shutdown`
/// is triggered, though a pass under way is finished first: await the handles before
/// closing the database.
pub fn spawn(ctx: Ctx, shutdown: Shutdown, sync_interval: Duration) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(poll_loop(ctx.clone(), shutdown.clone())),
        tokio::spawn(sync_loop(ctx, shutdown, sync_interval.max(Duration::from_secs(10)))),
    ]
}

async fn poll_loop(ctx: Ctx, shutdown: Shutdown) {
    loop {
        if let Err(e) = poll_once(&ctx).await {
            tracing::error!(error = %e, "job poller pass failed");
        }
        tokio::select! {
            () = shutdown.wait() => return,
            () = tokio::time::sleep(poller::TICK) => {}
        }
    }
}

async fn sync_loop(ctx: Ctx, shutdown: Shutdown, interval: Duration) {
    let mut due: HashMap<Uuid, Instant> = HashMap::new();
    loop {
        match lightdeck_domain::accounts::list_all(&ctx.db).await {
            Ok(accounts) => {
                let now = Instant::now();
                // Accounts with a purchase whose answer was lost are synced often, so what it
                // created is found soon (the reconciliation rides on the sync).
                let hurry =
                    match lightdeck_domain::actions::accounts_reconciling(&ctx.db, ctx.now()).await
                    {
                        Ok(ids) => ids,
                        Err(e) => {
                            tracing::warn!(error = %e, "could not list purchases being reconciled");
                            Vec::new()
                        }
                    };
                due.retain(|id, _| accounts.iter().any(|a| a.id == *id));
                for account in accounts {
                    if shutdown.is_triggered() {
                        return;
                    }
                    // Its owner paused it. Forgotten here, so once resumed it is due as
                    // if this process had just started (`first_wait`).
                    if account.sync_paused {
                        due.remove(&account.id);
                        continue;
                    }
                    if !due.contains_key(&account.id)
                        && let Some(wait) = first_wait(&ctx, &account, interval)
                    {
                        due.insert(account.id, now + wait);
                        continue;
                    }
                    let soon = now + RECONCILE_SYNC.min(interval);
                    if hurry.contains(&account.id)
                        && let Some(at) = due.get_mut(&account.id)
                        && *at > soon
                    {
                        *at = soon;
                    }
                    if due.get(&account.id).is_some_and(|at| *at > now) {
                        continue;
                    }
                    let failures = match sync_account(&ctx, account.id).await {
                        Ok(summary) => {
                            tracing::info!(account = %account.id, added = summary.added, changed = summary.changed, gone = summary.gone, "inventory synced");
                            0
                        }
                        // Someone else is on it; look again at the next interval.
                        Err(WorkerError::SyncRunning) => 0,
                        Err(e) => {
                            let failures = sync::failures_in_a_row(&ctx, &account).await;
                            tracing::warn!(account = %account.id, error = %e, failures, "inventory sync failed");
                            failures
                        }
                    };
                    let mut next = sync::next_delay(interval, failures);
                    if hurry.contains(&account.id) {
                        next = next.min(RECONCILE_SYNC);
                    }
                    due.insert(account.id, Instant::now() + next);
                }
            }
            Err(e) => tracing::error!(error = %e, "could not list cloud accounts to sync"),
        }
        tokio::select! {
            () = shutdown.wait() => return,
            () = tokio::time::sleep(SYNC_TICK.min(interval)) => {}
        }
    }
}

/// How long to wait before the first sync of an account this process has not synced yet:
/// none if it was never synced or its last attempt failed, else what is left of the interval
/// since the last successful sync. Without this every start (the demo syncs during set-up) and
/// every additional panel process would read the whole inventory again at once.
fn first_wait(
    ctx: &Ctx,
    account: &lightdeck_domain::accounts::Account,
    interval: Duration,
) -> Option<Duration> {
    let last = account.sync.last_synced_at?;
    if account.sync.sync_failures > 0 {
        return None;
    }
    let age = Duration::try_from(ctx.now() - last).ok()?;
    interval.checked_sub(age)
}
