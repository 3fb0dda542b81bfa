//! Steps 5 of "How one action flows" (DESIGN.md): after the intent is committed, one batch
//! call per action row (= per account, region and ≤ 1000 servers), and what the cloud
//! answered written back with its audit event. The poller (see `poller.rs`) takes over from
//! `accepted`.

use std::time::Duration;

use lightdeck_domain::actions::{
    self, Action, ActionKind, ActionState, Batch, CloudReply, Tracking,
};
use lightdeck_huaweicloud::model::ecs::{BatchActionResponse, RebootType};
use lightdeck_huaweicloud::{ChunkResult, Error as CloudErr, JobId, ServerId};
use serde_json::{Value, json};

use super::cloud::{self, WorkerError, account_handle, codes};
use crate::state::AppState;

/// A power action as the panel offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    Start,
    Stop { hard: bool },
    Reboot { hard: bool },
}

impl Power {
    pub fn kind(self) -> ActionKind {
        match self {
            Power::Start => ActionKind::Start,
            Power::Stop { .. } => ActionKind::Stop,
            Power::Reboot { .. } => ActionKind::Reboot,
        }
    }

    /// Stored with the action (and in its audit events): `{"type": "SOFT" | "HARD"}`.
    pub fn params(self) -> Value {
        match self {
            Power::Start => json!({}),
            Power::Stop { hard } | Power::Reboot { hard } => {
                json!({"type": if hard { "HARD" } else { "SOFT" }})
            }
        }
    }

    /// Whether the person must confirm first (it interrupts what runs on the server).
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Power::Stop { .. } | Power::Reboot { hard: true })
    }

    pub fn is_hard(self) -> bool {
        matches!(self, Power::Stop { hard: true } | Power::Reboot { hard: true })
    }

    /// The power action a stored action row asks for.
    pub fn of(action: &Action) -> Option<Power> {
        let hard = action.params.get("type").and_then(Value::as_str) == Some("HARD");
        match action.kind {
            ActionKind::Start => Some(Power::Start),
            ActionKind::Stop => Some(Power::Stop { hard }),
            ActionKind::Reboot => Some(Power::Reboot { hard }),
            _ => None,
        }
    }

    /// Huawei's operation name (as metrics and cloudsim's request log call it).
    pub fn operation(self) -> &'static str {
        match self {
            Power::Start => "BatchStartServers",
            Power::Stop { .. } => "BatchStopServers",
            Power::Reboot { .. } => "BatchRebootServers",
        }
    }
}

fn reboot_type(hard: bool) -> RebootType {
    if hard { RebootType::Hard } else { RebootType::Soft }
}

/// Sends every still-`requested` power action of a freshly recorded batch to the cloud and
/// records the answers, then refreshes the touched servers so their rows show them moving.
/// Call only with a batch `record_intent` returned with `replayed: false`.
pub async fn send_batch(state: &AppState, batch: &Batch) -> Result<(), WorkerError> {
    let mut accepted: Vec<Action> = Vec::new();
    for action in &batch.actions {
        if action.state != ActionState::Requested {
            continue;
        }
        let Some(power) = Power::of(action) else {
            continue;
        };
        if let Some(a) = send_one(state, action, power).await? {
            accepted.push(a);
        }
    }
    for action in &accepted {
        let refreshed = match account_handle(state, action.account_id).await {
            Ok(handle) => {
                cloud::refresh_servers(
                    state,
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

/// One cloud call for one action row. `Some(action)` when the cloud accepted it.
async fn send_one(
    state: &AppState,
    action: &Action,
    power: Power,
) -> Result<Option<Action>, WorkerError> {
    let pool = &state.db;
    let handle = match account_handle(state, action.account_id).await {
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
    let sent = match power {
        Power::Start => handle.start_servers(action.region, servers).await,
        Power::Stop { hard } => {
            handle.stop_servers(action.region, servers, reboot_type(hard)).await
        }
        Power::Reboot { hard } => {
            handle.reboot_servers(action.region, servers, reboot_type(hard)).await
        }
    };
    let result: Result<_, CloudErr> = match sent {
        Ok(chunks) => first_chunk(chunks),
        Err(e) => Err(e),
    };
    cloud::count(power.operation(), &result);
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

/// Action rows hold at most as many servers as one call takes, so there is one chunk.
fn first_chunk(
    chunks: Vec<ChunkResult<ServerId, BatchActionResponse>>,
) -> Result<lightdeck_huaweicloud::Reply<BatchActionResponse>, CloudErr> {
    match chunks.into_iter().next() {
        Some(chunk) => chunk.result,
        None => Err(CloudErr::Config("no servers to send".to_owned())),
    }
}
