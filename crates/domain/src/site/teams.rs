//! Teams, as a site administrator (or the command line) manages them.
//!
//! Deleting: only an *empty* team, one that has never had a cloud account (removed
//! accounts keep their instances' and actions' history, which belongs to the team) and
//! has no instances or actions. Its members are removed with it. Its audit events stay:
//! `audit_events` has no foreign key to teams and refuses deletes, so the team's chain
//! outlives it, still verifiable (`lightdeck audit verify` names it as a deleted team),
//! and the site event names the team's id and name.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::{SiteActor, record};
use crate::teams::{Team, create_in, taken_name};
use crate::values::TeamName;
use crate::{Error, Result};

/// Why a team cannot be deleted.
pub const NOT_EMPTY: &str = "the team has (or had) cloud accounts, instances or actions";

/// A new team, owned by `owner` (id, login) when given.
pub async fn create_team(
    pool: &PgPool,
    name: &TeamName,
    owner: Option<(Uuid, &str)>,
    actor: &SiteActor,
) -> Result<Team> {
    let mut tx = pool.begin().await?;
    let team = create_in(&mut tx, name, owner.map(|(id, _)| id)).await?;
    if owner.is_some() {
        sqlx::query("update memberships set added_by = $2, added_by_name = $3 where team_id = $1")
            .bind(team.id)
            .bind(actor.user_id)
            .bind(&actor.name)
            .execute(&mut *tx)
            .await?;
    }
    let params = json!({"name": team.name, "owner": owner.map(|(_, login)| login)});
    record(&mut tx, actor, "team.created", ("team", team.id), params).await?;
    tx.commit().await?;
    Ok(team)
}

/// Renames a team; a name another team has is a field error. Same name: no event.
pub async fn rename_team(
    pool: &PgPool,
    id: Uuid,
    name: &TeamName,
    actor: &SiteActor,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let old: String = sqlx::query_scalar("select name from teams where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
    if old == name.as_str() {
        return Ok(());
    }
    sqlx::query("update teams set name = $2 where id = $1")
        .bind(id)
        .bind(name.as_str())
        .execute(&mut *tx)
        .await
        .map_err(taken_name)?;
    let params = json!({"from": old, "to": name.as_str()});
    record(&mut tx, actor, "team.renamed", ("team", id), params).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes an empty team (see the module's notes) and its memberships.
pub async fn delete_team(pool: &PgPool, id: Uuid, actor: &SiteActor) -> Result<()> {
    let mut tx = pool.begin().await?;
    let name: String = sqlx::query_scalar("select name from teams where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
    let used: bool = sqlx::query_scalar(
        "select exists (select 1 from cloud_accounts where team_id = $1) \
             or exists (select 1 from instances where team_id = $1) \
             or exists (select 1 from action_batches where team_id = $1) \
             or exists (select 1 from actions where team_id = $1)",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if used {
        return Err(Error::Rule(NOT_EMPTY.into()));
    }
    let members: i64 = sqlx::query_scalar("select count(*) from memberships where team_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("delete from teams where id = $1").bind(id).execute(&mut *tx).await?;
    let params = json!({"name": name, "members": members});
    record(&mut tx, actor, "team.deleted", ("team", id), params).await?;
    tx.commit().await?;
    Ok(())
}
