//! Steps 5 of "How one action flows" (DESIGN.md): after the intent is committed, one batch
//! call per action row (= per account, region and ≤ 1000 servers), and what the cloud
//! answered written back with its audit event. The poller (see `poller.rs`) takes over from
//! `accepted`.

mod direct;
mod orders;
mod purchase;

use std::time::Duration;

use lightdeck_domain::actions::{self, Action, ActionState, Batch, CloudReply, Params, Tracking};
use lightdeck_huaweicloud::model::ecs::{RebootType, UpdateServerOption};
use lightdeck_huaweicloud::{ChunkResult, Error as CloudErr, JobId, ServerId};
use secrecy::SecretString;

use super::Ctx;
use super::cloud::{self, WorkerError, account_handle, codes};

/// What a batch carries that is never stored: it lives in memory for the one call that
/// needs it and is dropped with this value (DESIGN.md: "Secrets that an action carries").
#[derive(Default)]
pub struct Carried {
    /// The new instance password of a reset.
    pub new_password: Option<SecretString>,
}

/// Huawei's operation name (as metrics and cloudsim's request log call it).
pub fn operation(params: &Params) -> &'static str {
    match params {
        Params::Start => "BatchStartServers",
        Params::Stop { .. } => "BatchStopServers",
        Params::Reboot { .. } => "BatchRebootServers",
        Params::Update { .. } => "UpdateServer",
        Params::ResetPassword => "BatchResetServersPassword",
        Params::Renew { .. } => "RenewalResources",
        Params::Unsubscribe { .. } => "CancelResourcesSubscription",
        Params::Purchase(_) => "PurchaseLightInstances",
    }
}

fn reboot_type(hard: bool) -> RebootType {
    if hard { RebootType::Hard } else { RebootType::Soft }
}

/// Sends every still-`requested` action of a freshly recorded batch to the cloud and
/// records the answers, then refreshes the touched servers so their rows show them moving.
/// Call only with a batch `record_intent` returned with `replayed: false`.
pub async fn send_batch(ctx: &Ctx, batch: &Batch, carried: &Carried) -> Result<(), WorkerError> {
    let mut accepted: Vec<Action> = Vec::new();
    for action in &batch.actions {
        if action.state != ActionState::Requested {
            continue;
        }
        if let Some(a) = send_one(ctx, action, carried).await? {
            accepted.push(a);
        }
    }
    for action in &accepted {
        let refreshed = match account_handle(ctx, action.account_id).await {
            Ok(handle) => {
                cloud::refresh_servers(
                    ctx,
                    &handle,
                    action.account_id,
                    action.region,
                    &action.server_ids,
                )
                .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = refreshed {
            // The poller refreshes them again when the job ends.
            tracing::warn!(action = %action.id, error = %e, "could not refresh servers after an action");
        }
    }
    Ok(())
}

/// One cloud call for one action row. `Some(action)` when the cloud accepted it (or, for a
/// synchronous call, finished it), so its servers are refreshed.
async fn send_one(
    ctx: &Ctx,
    action: &Action,
    carried: &Carried,
) -> Result<Option<Action>, WorkerError> {
    let pool = &ctx.db;
    let handle = match account_handle(ctx, action.account_id).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(action = %action.id, error = %e, "could not load the account's credentials");
            let error = lightdeck_domain::actions::CloudError {
                code: Some(codes::CREDENTIALS.to_owned()),
                message: "the panel could not read this cloud account's credentials".to_owned(),
                ..Default::default()
            };
            actions::mark_failed(pool, action.id, &error).await?;
            return Ok(None);
        }
    };
    let servers: &[ServerId] = &action.server_ids;
    let sent = match &action.params {
        Params::Start => handle.start_servers(action.region, servers).await,
        Params::Stop { hard } => {
            handle.stop_servers(action.region, servers, reboot_type(*hard)).await
        }
        Params::Reboot { hard } => {
            handle.reboot_servers(action.region, servers, reboot_type(*hard)).await
        }
        Params::Update { name, hostname, description } => {
            let change = UpdateServerOption {
                name: name.clone(),
                hostname: hostname.clone(),
                description: description.clone(),
            };
            return direct::update_one(ctx, &handle, action, &change).await;
        }
        Params::ResetPassword => {
            return direct::reset_one(ctx, &handle, action, carried.new_password.as_ref()).await;
        }
        Params::Renew { term, auto_pay } => {
            return orders::renew_one(ctx, &handle, action, *term, *auto_pay).await;
        }
        Params::Unsubscribe { scope } => {
            return orders::unsubscribe_one(ctx, &handle, action, *scope).await;
        }
        Params::Purchase(purchase) => {
            return purchase::purchase_one(ctx, &handle, action, purchase).await;
        }
    };
    let result: Result<_, CloudErr> = match sent {
        Ok(chunks) => first_chunk(chunks),
        Err(e) => Err(e),
    };
    cloud::count(operation(&action.params), &result);
    match result {
        Ok(reply) => {
            let answer = CloudReply {
                request_id: reply.request_id.clone(),
                http_status: Some(reply.status),
            };
            match reply.body.job_id.parse::<JobId>() {
                Ok(job) => {
                    let a = actions::mark_accepted(
                        pool,
                        action.id,
                        &answer,
                        &Tracking::Job(job),
                        Duration::ZERO,
                    )
                    .await?;
                    Ok(Some(a))
                }
                Err(_) => {
                    actions::mark_unknown(
                        pool,
                        action.id,
                        "the cloud accepted the request but answered without a usable job id",
                    )
                    .await?;
                    Ok(None)
                }
            }
        }
        Err(e) if e.may_have_taken_effect() => {
            actions::mark_unknown(pool, action.id, &e.to_string()).await?;
            Ok(None)
        }
        Err(e) => {
            actions::mark_failed(pool, action.id, &cloud::cloud_error(&e)).await?;
            Ok(None)
        }
    }
}

/// Action rows hold at most as many targets as one call takes, so there is one chunk.
fn first_chunk<Id, T>(
    chunks: Vec<ChunkResult<Id, T>>,
) -> Result<lightdeck_huaweicloud::Reply<T>, CloudErr> {
    match chunks.into_iter().next() {
        Some(chunk) => chunk.result,
        None => Err(CloudErr::Config("nothing to send".to_owned())),
    }
}
