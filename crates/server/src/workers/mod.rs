//! Background work of `lightdeck serve`: the job poller (follows accepted actions to their
//! end) and the periodic inventory sync per account. The first cloud call of an action is
//! made by the request that records it ([`pipeline::send_batch`]), right after its intent
//! is committed. [`spawn`] starts the loops; `serve` calls it once. They stop when
//! `state.shutdown` is triggered.
//!
//! Tests and other code call the single steps instead of waiting for the loops:
//! [`poll_once`] and [`sync_account`].

pub mod cloud;
pub mod pipeline;
pub mod poller;
pub mod sync;

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;
use uuid::Uuid;

pub use cloud::WorkerError;
pub use poller::poll_once;
pub use sync::{SyncSummary, sync_account};

use crate::state::AppState;

/// How often the sync loop looks for accounts that are due.
const SYNC_TICK: Duration = Duration::from_secs(15);

/// Starts the job poller and the inventory sync loop.
pub fn spawn(state: AppState) {
    tokio::spawn(poll_loop(state.clone()));
    tokio::spawn(sync_loop(state));
}

async fn poll_loop(state: AppState) {
    loop {
        if let Err(e) = poll_once(&state).await {
            tracing::error!(error = %e, "job poller pass failed");
        }
        tokio::select! {
            () = state.shutdown.wait() => return,
            () = tokio::time::sleep(poller::TICK) => {}
        }
    }
}

async fn sync_loop(state: AppState) {
    let interval = state.config.sync_interval.max(Duration::from_secs(10));
    let mut due: HashMap<Uuid, Instant> = HashMap::new();
    loop {
        match lightdeck_domain::accounts::list_all(&state.db).await {
            Ok(accounts) => {
                let now = Instant::now();
                due.retain(|id, _| accounts.iter().any(|a| a.id == *id));
                for account in accounts {
                    if state.shutdown.is_triggered() {
                        return;
                    }
                    if !due.contains_key(&account.id)
                        && let Some(wait) = first_wait(&state, &account, interval)
                    {
                        due.insert(account.id, now + wait);
                        continue;
                    }
                    if due.get(&account.id).is_some_and(|at| *at > now) {
                        continue;
                    }
                    let failures = match sync_account(&state, account.id).await {
                        Ok(summary) => {
                            tracing::info!(account = %account.id, added = summary.added, changed = summary.changed, gone = summary.gone, "inventory synced");
                            0
                        }
                        // Someone else is on it; look again at the next interval.
                        Err(WorkerError::SyncRunning) => 0,
                        Err(e) => {
                            let failures = sync::status(account.id).map_or(1, |s| s.failures);
                            tracing::warn!(account = %account.id, error = %e, failures, "inventory sync failed");
                            failures
                        }
                    };
                    due.insert(account.id, Instant::now() + sync::next_delay(interval, failures));
                }
            }
            Err(e) => tracing::error!(error = %e, "could not list cloud accounts to sync"),
        }
        tokio::select! {
            () = state.shutdown.wait() => return,
            () = tokio::time::sleep(SYNC_TICK.min(interval)) => {}
        }
    }
}

/// How long to wait before the first sync of an account this process has not synced yet:
/// none if it was never synced or its last attempt failed, else what is left of the interval
/// since the last successful sync. Without this every start (the demo syncs during set-up) and
/// every additional panel process would read the whole inventory again at once.
fn first_wait(
    state: &AppState,
    account: &lightdeck_domain::accounts::Account,
    interval: Duration,
) -> Option<Duration> {
    let last = account.sync.last_synced_at?;
    if account.sync.sync_failures > 0 {
        return None;
    }
    let age = Duration::try_from(state.now() - last).ok()?;
    interval.checked_sub(age)
}
