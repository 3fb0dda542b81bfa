//! Steps 5 of "How one action flows" (DESIGN.md): after the intent is committed, one batch
//! call per action row (= per account, region and ≤ 1000 servers), and what the cloud
//! answered written back with its audit event. The poller (see `poller.rs`) takes over from
//! `accepted`.

use std::time::Duration;

use lightdeck_domain::actions::{self, Action, ActionState, Batch, CloudReply, Params, Tracking};
use lightdeck_huaweicloud::model::ecs::{BatchActionResponse, RebootType, UpdateServerOption};
use lightdeck_huaweicloud::{ChunkResult, Error as CloudErr, JobId, ServerId};

use super::Ctx;
use super::cloud::{self, WorkerError, account_handle, codes};

/// Huawei's operation name (as metrics and cloudsim's request log call it).
pub fn operation(params: &Params) -> &'static str {
    match params {
        Params::Start => "BatchStartServers",
        Params::Stop { .. } => "BatchStopServers",
        Params::Reboot { .. } => "BatchRebootServers",
        Params::Update { .. } => "UpdateServer",
    }
}

fn reboot_type(hard: bool) -> RebootType {
    if hard { RebootType::Hard } else { RebootType::Soft }
}

/// Sends every still-`requested` action of a freshly recorded batch to the cloud and
/// records the answers, then refreshes the touched servers so their rows show them moving.
/// Call only with a batch `record_intent` returned with `replayed: false`.
pub async fn send_batch(ctx: &Ctx, batch: &Batch) -> Result<(), WorkerError> {
    let mut accepted: Vec<Action> = Vec::new();
    for action in &batch.actions {
        if action.state != ActionState::Requested {
            continue;
        }
        if let Some(a) = send_one(ctx, action).await? {
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
async fn send_one(ctx: &Ctx, action: &Action) -> Result<Option<Action>, WorkerError> {
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
            return update_one(ctx, &handle, action, &change).await;
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

/// UpdateServer answers with the outcome itself (no job), so the action ends here.
async fn update_one(
    ctx: &Ctx,
    handle: &lightdeck_huaweicloud::Account,
    action: &Action,
    change: &UpdateServerOption,
) -> Result<Option<Action>, WorkerError> {
    let pool = &ctx.db;
    // An update names one server: the form is on one instance's page.
    let Some(server) = action.server_ids.first() else {
        actions::mark_unknown(pool, action.id, "the action names no server").await?;
        return Ok(None);
    };
    let result = handle.update_server(action.region, server, change).await;
    cloud::count(operation(&action.params), &result);
    match result {
        Ok(reply) => {
            let answer = CloudReply {
                request_id: reply.request_id.clone(),
                http_status: Some(reply.status),
            };
            // The table keeps the instance's own name (RMS): UpdateServer renames the
            // instance's cloud server (云主机, seed §4.4.2), which is a different name.
            let done = actions::mark_succeeded(pool, action.id, &answer).await?;
            Ok(Some(done))
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

/// Action rows hold at most as many servers as one call takes, so there is one chunk.
fn first_chunk(
    chunks: Vec<ChunkResult<ServerId, BatchActionResponse>>,
) -> Result<lightdeck_huaweicloud::Reply<BatchActionResponse>, CloudErr> {
    match chunks.into_iter().next() {
        Some(chunk) => chunk.result,
        None => Err(CloudErr::Config("no servers to send".to_owned())),
    }
}
