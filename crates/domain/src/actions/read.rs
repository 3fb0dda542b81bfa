//! Reading actions: the progress panel and an instance's history.

use lightdeck_huaweicloud::InstanceId;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::{Action, ActionState, COLUMNS, ServerResult, into_actions};
use crate::rows::{Checked, Stored};
use crate::{Error, Result};

/// An action with its per-server results so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionDetail {
    pub action: Action,
    pub results: Vec<ServerResult>,
}

/// What the progress panel shows for one user request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchProgress {
    pub batch_id: Uuid,
    pub total: usize,
    pub requested: usize,
    pub accepted: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Every action is terminal: the panel can stop refreshing.
    pub done: bool,
    pub actions: Vec<ActionDetail>,
}

/// One of the team's actions.
pub async fn get(pool: &PgPool, team_id: Uuid, action_id: Uuid) -> Result<Action> {
    let record: Option<Checked<Action>> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM actions WHERE id = $1 AND team_id = $2"))
            .bind(action_id)
            .bind(team_id)
            .fetch_optional(pool)
            .await?;
    Ok(record.ok_or(Error::NotFound)?.0)
}

pub(super) async fn batch_actions(
    pool: &PgPool,
    team_id: Uuid,
    batch_id: Uuid,
) -> Result<Vec<Action>> {
    let records: Vec<Checked<Action>> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actions WHERE batch_id = $1 AND team_id = $2 ORDER BY created_at, id"
    ))
    .bind(batch_id)
    .bind(team_id)
    .fetch_all(pool)
    .await?;
    Ok(into_actions(records))
}

/// A server's result with the action it belongs to.
#[derive(sqlx::FromRow)]
struct ActionResult {
    action_id: Uuid,
    #[sqlx(flatten)]
    result: ServerResult,
}

impl Stored for ActionResult {
    const TABLE: &'static str = "action_results";
    const KEY: &'static str = "action_id";
}

/// The batch's actions and counts; another team's batch is [`Error::NotFound`].
pub async fn batch_progress(pool: &PgPool, team_id: Uuid, batch_id: Uuid) -> Result<BatchProgress> {
    let actions = batch_actions(pool, team_id, batch_id).await?;
    if actions.is_empty() {
        return Err(Error::NotFound);
    }
    let ids: Vec<Uuid> = actions.iter().map(|a| a.id).collect();
    let results: Vec<Checked<ActionResult>> = sqlx::query_as(
        "SELECT action_id, server_id, status, error_code, error_message FROM action_results \
         WHERE action_id = ANY($1) ORDER BY action_id, server_id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;

    let count = |s: ActionState| actions.iter().filter(|a| a.state == s).count();
    let mut progress = BatchProgress {
        batch_id,
        total: actions.len(),
        requested: count(ActionState::Requested),
        accepted: count(ActionState::Accepted),
        succeeded: count(ActionState::Succeeded),
        failed: count(ActionState::Failed),
        unknown: count(ActionState::Unknown),
        done: actions.iter().all(|a| a.state.is_terminal()),
        actions: Vec::with_capacity(actions.len()),
    };
    for action in actions {
        let mine = results
            .iter()
            .filter(|Checked(r)| r.action_id == action.id)
            .map(|Checked(r)| r.result.clone())
            .collect();
        progress.actions.push(ActionDetail { action, results: mine });
    }
    Ok(progress)
}

/// The team's actions that targeted one instance, newest first.
pub async fn list_for_instance(
    pool: &PgPool,
    team_id: Uuid,
    instance_id: &InstanceId,
    limit: u32,
) -> Result<Vec<Action>> {
    if limit == 0 || limit > 500 {
        return Err(Error::field("limit", "must be between 1 and 500"));
    }
    let records: Vec<Checked<Action>> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actions WHERE team_id = $1 AND instance_ids @> ARRAY[$2]::text[] \
         ORDER BY created_at DESC, id DESC LIMIT $3"
    ))
    .bind(team_id)
    .bind(instance_id.as_str())
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(into_actions(records))
}
