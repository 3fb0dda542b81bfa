//! Recording what a user asked for, before anything reaches the cloud.

use std::net::IpAddr;

use lightdeck_huaweicloud::{InstanceId, Region};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{Action, COLUMNS, Params, TrackingKind};
use crate::audit::{self, AuditEventDraft, Outcome, SessionHash};
use crate::inventory::Target;
use crate::rows::Checked;
use crate::{Error, Result};

/// Huawei's batch ECS calls take at most 1000 servers; bigger groups become several actions.
pub const MAX_SERVERS_PER_CALL: usize = 1000;

/// Who asked, from where: copied onto the `requested` audit events.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    pub actor_user_id: Uuid,
    /// The actor's display name now (kept even if the user is renamed or deleted later).
    pub actor_name: String,
    pub source_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub session_hash: Option<SessionHash>,
    pub panel_request_id: Option<String>,
}

/// One user request: an action over the targets [`crate::inventory::resolve`] returned.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBatch {
    pub team_id: Uuid,
    pub params: Params,
    pub targets: Vec<Target>,
    pub context: RequestContext,
    /// The form's idempotency key: a second submit with the same key returns the first
    /// batch (`replayed: true`) instead of acting twice.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub id: Uuid,
    /// True when the idempotency key had been seen: nothing new was recorded, so the
    /// caller must not contact the cloud again.
    pub replayed: bool,
    pub actions: Vec<Action>,
}

/// One future action row: the account, region and up to one call's worth of targets.
struct Planned {
    account_id: Uuid,
    region: Region,
    instance_ids: Vec<String>,
    server_ids: Vec<String>,
}

fn plan(batch: &NewBatch) -> Result<Vec<Planned>> {
    if batch.targets.is_empty() {
        return Err(Error::field("instance_ids", "choose at least one instance"));
    }
    check_key(batch.idempotency_key.as_deref())?;
    let mut planned = Vec::new();
    for target in &batch.targets {
        if target.instances.is_empty() {
            return Err(Error::field("instance_ids", "choose at least one instance"));
        }
        let kind = batch.params.kind();
        for chunk in target.instances.chunks(kind.max_per_call()) {
            // ECS calls address servers by server id, so each instance needs one; BSS calls
            // address the instance, and its server (if known) is only read again after.
            let mut server_ids = Vec::new();
            for inst in chunk {
                match (&inst.server_id, kind.tracking()) {
                    (Some(server), _) => server_ids.push(server.to_string()),
                    (None, TrackingKind::Order) => {}
                    (None, _) => {
                        return Err(Error::field(
                            "instance_ids",
                            format!(
                                "instance {} has no server yet; refresh and try again",
                                inst.instance_id
                            ),
                        ));
                    }
                }
            }
            planned.push(Planned {
                account_id: target.account_id,
                region: target.region,
                instance_ids: chunk.iter().map(|i| InstanceId::to_string(&i.instance_id)).collect(),
                server_ids,
            });
        }
    }
    Ok(planned)
}

/// Inserts the batch's `requested` actions and one `instance.<kind>.requested` audit event
/// per action in ONE transaction. Call the cloud only after this returns `Ok` with
/// `replayed: false`; if it fails, nothing was recorded and nothing may be sent.
pub async fn record_intent(pool: &PgPool, batch: &NewBatch) -> Result<Batch> {
    let planned = plan(batch)?;
    let mut tx = pool.begin().await?;
    let Some(batch_id) =
        open_batch(&mut tx, batch.team_id, batch.idempotency_key.as_deref()).await?
    else {
        tx.rollback().await?;
        return replay(pool, batch.team_id, batch.idempotency_key.as_deref()).await;
    };
    let mut actions = Vec::with_capacity(planned.len());
    for p in planned {
        let row = Row {
            batch_id,
            team_id: batch.team_id,
            params: &batch.params,
            account_id: p.account_id,
            region: p.region,
            instance_ids: &p.instance_ids,
            server_ids: &p.server_ids,
        };
        actions.push(insert_action(&mut tx, &row, &batch.context).await?);
    }
    tx.commit().await?;
    Ok(Batch { id: batch_id, replayed: false, actions })
}

pub(super) fn check_key(key: Option<&str>) -> Result<()> {
    if key.is_some_and(|k| k.is_empty() || k.len() > 128) {
        return Err(Error::field("idempotency_key", "must be 1 to 128 characters"));
    }
    Ok(())
}

/// Starts the batch of a user request, or `None` when its idempotency key was seen
/// before (then [`replay`] answers with the first batch).
pub(super) async fn open_batch(
    tx: &mut Transaction<'_, Postgres>,
    team_id: Uuid,
    key: Option<&str>,
) -> Result<Option<Uuid>> {
    let batch_id: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO action_batches (id, team_id, idempotency_key) VALUES ($1, $2, $3) \
         ON CONFLICT (team_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(team_id)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(batch_id)
}

/// The batch first recorded under `key`, marked replayed: nothing new may be sent.
pub(super) async fn replay(pool: &PgPool, team_id: Uuid, key: Option<&str>) -> Result<Batch> {
    let existing: Uuid = sqlx::query_scalar(
        "SELECT id FROM action_batches WHERE team_id = $1 AND idempotency_key = $2",
    )
    .bind(team_id)
    .bind(key)
    .fetch_one(pool)
    .await?;
    let actions = super::read::batch_actions(pool, team_id, existing).await?;
    Ok(Batch { id: existing, replayed: true, actions })
}

/// One action row to insert.
pub(super) struct Row<'a> {
    pub batch_id: Uuid,
    pub team_id: Uuid,
    pub params: &'a Params,
    pub account_id: Uuid,
    pub region: Region,
    pub instance_ids: &'a [String],
    pub server_ids: &'a [String],
}

/// Inserts one `requested` action and its `…requested` audit event (with who asked and
/// from where) in the caller's transaction.
pub(super) async fn insert_action(
    tx: &mut Transaction<'_, Postgres>,
    row: &Row<'_>,
    ctx: &RequestContext,
) -> Result<Action> {
    // The account must belong to the team: targets normally come from `resolve`, but
    // this keeps a forged target from touching another team's account.
    let record: Option<Checked<Action>> = sqlx::query_as(&format!(
        "INSERT INTO actions (id, batch_id, team_id, actor_user_id, actor_name, kind, account_id, \
             region, instance_ids, server_ids, params, panel_request_id) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 \
         WHERE EXISTS (SELECT 1 FROM cloud_accounts WHERE id = $7 AND team_id = $3) \
         RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(row.batch_id)
    .bind(row.team_id)
    .bind(ctx.actor_user_id)
    .bind(&ctx.actor_name)
    .bind(row.params.kind().as_str())
    .bind(row.account_id)
    .bind(row.region.id())
    .bind(row.instance_ids)
    .bind(row.server_ids)
    .bind(row.params.to_json())
    .bind(&ctx.panel_request_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Checked(action) = record.ok_or(Error::NotFound)?;
    let draft = AuditEventDraft {
        source_ip: ctx.source_ip,
        user_agent: ctx.user_agent.clone(),
        session_hash: ctx.session_hash.clone(),
        ..action.audit_draft(Outcome::Requested)
    };
    audit::append_in(tx, draft).await?;
    Ok(action)
}
