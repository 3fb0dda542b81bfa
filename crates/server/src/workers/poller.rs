//! Step 6 of "How one action flows": follow each accepted action's job (or order) until it
//! ends, record per-server results, append the outcome event, refresh the servers.
//!
//! Work lives in Postgres: `claim_due` leases due actions to this pass, so several
//! processes share the queue and a restarted one picks up where the last left off (an
//! abandoned lease simply expires).

use std::collections::HashMap;
use std::time::Duration;

use lightdeck_domain::actions::{
    self, Action, ActionKind, ActionState, Finish, Params, Poll, Terminal, TrackingKind,
    UnsubscribeScope,
};
use lightdeck_huaweicloud::Account;
use lightdeck_huaweicloud::model::bss::OrderStatus;
use uuid::Uuid;

mod look;

use self::look::{Seen, look};
use super::Ctx;
use super::cloud::{self, WorkerError, account_handle};

/// How long one pass may hold an action before another process may take it over.
const LEASE: Duration = Duration::from_secs(120);
/// Actions handled per pass.
const CLAIM_LIMIT: u32 = 100;
/// Polls before giving up with outcome "unknown" (roughly two hours with the backoff).
const MAX_ATTEMPTS: i32 = 300;
/// A `requested` action this old was left behind by a process that stopped between
/// recording the intent and recording the cloud's answer (the client gives up on a call
/// after a few minutes at most, retries included).
const STALE_REQUESTED: Duration = Duration::from_secs(15 * 60);
/// A job or order the cloud has called unknown for this long is taken as gone: a cloud
/// that was restarted (or lost it) will not bring it back, and one "not found" alone may
/// be the cloud's own lag just after accepting it.
const MISSING_FOR: time::Duration = time::Duration::minutes(1);
/// The inventory status of an instance whose unsubscription completed (ECS's own word for
/// a server on its way out).
pub const RELEASING: &str = "DELETING";
/// How often an order waiting for payment is looked at.
const AWAITING_PAYMENT: Duration = Duration::from_secs(120);
/// How often the background loop runs a pass.
pub const TICK: Duration = Duration::from_secs(2);

/// When to look again: at the next tick for the first minute, then less often.
fn next_poll_in(attempts: i32) -> Duration {
    if attempts < 30 {
        Duration::ZERO
    } else {
        Duration::from_secs(u64::try_from(attempts - 29).unwrap_or(0).min(30))
    }
}

fn worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "lightdeck".to_owned());
    let host: String = host.chars().take(60).collect();
    format!("{host}:{}:{}", std::process::id(), Uuid::new_v4())
}

/// One poller pass: claims the due actions, looks at each job or order once, records what
/// it saw. Returns how many actions it looked at. A failure to record one action is logged
/// and does not stop the others (its lease runs out and a later pass retries it).
pub async fn poll_once(ctx: &Ctx) -> Result<usize, WorkerError> {
    let worker = worker_id();
    let expired = actions::expire_requested(&ctx.db, STALE_REQUESTED, CLAIM_LIMIT).await?;
    if !expired.is_empty() {
        tracing::warn!(
            count = expired.len(),
            "actions left requested by a stopped process are now unknown"
        );
    }
    let claimed = actions::claim_due(&ctx.db, &worker, LEASE, CLAIM_LIMIT).await?;
    let mut handles: HashMap<Uuid, Account> = HashMap::new();
    let mut still_running = 0usize;
    for action in &claimed {
        let handle = match handles.get(&action.account_id) {
            Some(h) => Some(h.clone()),
            None => match account_handle(ctx, action.account_id).await {
                Ok(h) => {
                    handles.insert(action.account_id, h.clone());
                    Some(h)
                }
                Err(e) => {
                    tracing::warn!(action = %action.id, error = %e, "cannot poll: account unavailable");
                    None
                }
            },
        };
        match follow(ctx, &worker, handle.as_ref(), action).await {
            Ok(true) => still_running += 1,
            Ok(false) => {}
            Err(e) => tracing::error!(action = %action.id, error = %e, "could not record a poll"),
        }
    }
    crate::metrics::set_jobs_in_flight(still_running);
    Ok(claimed.len())
}

/// Looks at one claimed action and records it. `Ok(true)` while it is still running.
async fn follow(
    ctx: &Ctx,
    worker: &str,
    handle: Option<&Account>,
    action: &Action,
) -> Result<bool, WorkerError> {
    let seen = match handle {
        Some(h) => look(&ctx.db, h, action).await,
        None => None,
    };
    let last_status = || action.job_status.clone().unwrap_or_else(|| "UNKNOWN".to_owned());
    let mut missing_since = None;
    let (status, results) = match seen {
        Some(Seen::Done(done)) => {
            let status = done.job_status.clone();
            let give_up = action.attempts >= MAX_ATTEMPTS;
            match super::purchases::ending(ctx, worker, handle, action, done, give_up).await {
                Some(done) => {
                    finish_and_refresh(ctx, worker, handle, action, &done).await?;
                    return Ok(false);
                }
                // Completed, but not all its instances are listed yet.
                None => (status.unwrap_or_else(last_status), Vec::new()),
            }
        }
        Some(Seen::Running { status, results }) => (status, results),
        Some(Seen::Missing { code, http_status }) => {
            let now = ctx.now();
            let since = action.missing_since.unwrap_or(now);
            if now - since >= MISSING_FOR {
                let (gone, what) = match action.kind().tracking() {
                    // A synchronous action is never accepted, so never polled.
                    TrackingKind::Job | TrackingKind::Synchronous => {
                        (cloud::codes::JOB_GONE, "job")
                    }
                    TrackingKind::Order => (cloud::codes::ORDER_GONE, "order"),
                };
                let done = Finish {
                    outcome: Terminal::Unknown,
                    job_status: action.job_status.clone(),
                    error_code: Some(gone.to_owned()),
                    error_message: Some(format!(
                        "the cloud kept answering that it does not know this {} ({}, HTTP {})",
                        what,
                        code.as_deref().unwrap_or("no code"),
                        http_status.map_or_else(|| "?".to_owned(), |s| s.to_string()),
                    )),
                    results: Vec::new(),
                };
                tracing::warn!(action = %action.id, "the cloud no longer knows the job or order; the outcome is unknown");
                finish_and_refresh(ctx, worker, handle, action, &done).await?;
                return Ok(false);
            }
            missing_since = Some(since);
            (last_status(), Vec::new())
        }
        // Nothing learned (network trouble, credentials): keep the last status.
        None => {
            missing_since = action.missing_since;
            (last_status(), Vec::new())
        }
    };
    // An order waiting for payment waits for a person (DESIGN.md: status 6 is not "still
    // running"): it is looked at every few minutes until it is paid or lapses, however long.
    let awaiting_payment = action.kind().tracking() == TrackingKind::Order
        && status == OrderStatus::PendingPayment.code().to_string();
    if action.attempts >= MAX_ATTEMPTS && !awaiting_payment {
        let done = Finish {
            outcome: Terminal::Unknown,
            job_status: Some(status),
            error_code: None,
            error_message: Some("the job did not finish in time; check the server".to_owned()),
            results,
        };
        actions::finish(&ctx.db, action.id, worker, &done).await?;
        return Ok(false);
    }
    let poll = Poll {
        job_status: &status,
        results: &results,
        next_poll_in: if awaiting_payment {
            AWAITING_PAYMENT
        } else {
            next_poll_in(action.attempts)
        },
        missing_since,
    };
    actions::record_poll(&ctx.db, action.id, worker, &poll).await?;
    Ok(true)
}

/// Records the verdict, then reads the servers again so the table shows what they are now.
async fn finish_and_refresh(
    ctx: &Ctx,
    worker: &str,
    handle: Option<&Account>,
    action: &Action,
    done: &Finish,
) -> Result<(), WorkerError> {
    let finished = actions::finish(&ctx.db, action.id, worker, done).await?;
    let Some(h) = handle else { return Ok(()) };
    let released =
        matches!(finished.params, Params::Unsubscribe { scope: UnsubscribeScope::Whole })
            && finished.state == ActionState::Succeeded;
    if released {
        // The instance is being released: shown so (a transitional status, so its row keeps
        // refreshing) until the sync no longer finds it and marks it gone.
        let statuses: Vec<_> =
            finished.server_ids.iter().map(|s| (s.clone(), RELEASING.to_owned())).collect();
        if let Err(e) =
            lightdeck_domain::inventory::update_status(&ctx.db, finished.account_id, &statuses)
                .await
        {
            tracing::warn!(action = %action.id, error = %e, "could not mark an instance released");
        }
        return Ok(());
    }
    if finished.kind() == ActionKind::Purchase {
        // `bring_in` read the new instances whole, expiry included.
        return Ok(());
    }
    let refreshed = match finished.kind().tracking() {
        // A renewal's point is the new expiry; an unsubscription's, the date it now ends
        // (renewals only) or the instance leaving (which the next sync records).
        TrackingKind::Order => {
            cloud::refresh_expiry(ctx, h, finished.account_id, &finished.instance_ids).await
        }
        TrackingKind::Job | TrackingKind::Synchronous => {
            cloud::refresh_servers(
                ctx,
                h,
                finished.account_id,
                finished.region,
                &finished.server_ids,
            )
            .await
        }
    };
    if let Err(e) = refreshed {
        tracing::warn!(action = %action.id, error = %e, "could not refresh after a job or order");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::look::{job_seen, order_seen};
    use super::*;
    use lightdeck_domain::actions::Terminal;
    use lightdeck_huaweicloud::OrderId;
    use lightdeck_huaweicloud::model::ecs::ShowJobResponse;
    use lightdeck_huaweicloud::{AkSk, ClientConfig, Credentials, Endpoints, HuaweiCloud};
    use secrecy::ExposeSecret;

    /// The order look itself, against cloudsim's seeded orders, without an action around it
    /// (the lifecycle and purchase tests follow whole actions).
    #[tokio::test]
    async fn orders_are_followed_to_their_status_or_found_missing() {
        let sim = lightdeck_cloudsim::spawn(
            lightdeck_cloudsim::Config::builder().accounts(1).instances_per_account(2).seed(3),
        )
        .await
        .unwrap();
        let cloud = HuaweiCloud::new(ClientConfig::new(Endpoints::single(sim.base_url()).unwrap()))
            .unwrap();
        let account = &sim.accounts()[0];
        let handle = cloud.account(Credentials::from_aksk(AkSk::new(
            account.ak.clone(),
            account.sk.expose_secret(),
        )));
        handle.remember_domain_id(account.domain_id.parse().unwrap());

        // Seeded instances were bought by completed orders (status 5).
        let bought: OrderId = sim.instances()[0].order_id.parse().unwrap();
        let Some(Seen::Done(done)) = order_seen(&handle, Uuid::nil(), &bought).await else {
            panic!("a completed order is an end");
        };
        assert_eq!((done.outcome, done.job_status.as_deref()), (Terminal::Succeeded, Some("5")));

        // An order BSS does not have (a restarted cloud) is missing, not "still running".
        let mut unknown = bought.to_string();
        unknown.replace_range(unknown.len() - 4.., "0000");
        let unknown: OrderId = unknown.parse().unwrap();
        let seen = order_seen(&handle, Uuid::nil(), &unknown).await;
        assert!(matches!(seen, Some(Seen::Missing { .. })), "an unknown order is missing");
        sim.shutdown().await;
    }

    #[test]
    fn polls_often_at_first_then_backs_off() {
        assert_eq!(next_poll_in(1), Duration::ZERO);
        assert_eq!(next_poll_in(29), Duration::ZERO);
        assert_eq!(next_poll_in(31), Duration::from_secs(2));
        assert_eq!(next_poll_in(500), Duration::from_secs(30));
    }

    #[test]
    fn a_failed_sub_job_is_kept_per_server() {
        let body = serde_json::json!({
            "status": "FAIL", "error_code": "Ecs.0112", "fail_reason": "already running",
            "entities": {"sub_jobs": [
                {"status": "SUCCESS", "entities": {"server_id": "6a2b1c3d-0000-4000-8000-000000000001"}},
                {"status": "FAIL", "error_code": "Ecs.0112",
                 "entities": {"server_id": "6a2b1c3d-0000-4000-8000-000000000002",
                              "errorcode_message": "Ecs.0112: already running"}}
            ]}
        });
        let job: ShowJobResponse = serde_json::from_value(body).unwrap();
        let Seen::Done(done) = job_seen(&job) else { panic!("terminal") };
        assert_eq!(done.outcome, Terminal::Failed);
        assert_eq!(done.results.len(), 2);
        assert_eq!(done.results[1].error_code.as_deref(), Some("Ecs.0112"));
        assert_eq!(done.results[1].error_message.as_deref(), Some("Ecs.0112: already running"));
    }
}
