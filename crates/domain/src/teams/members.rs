//! A team's members as its owners manage them from the browser: add an existing user by
//! login, change a role, remove someone. Each change and its audit event of the team
//! ("alice made bob an admin") commit together; the last owner stays (see the parent
//! module). The sessions of a removed member lose the team at once: the membership
//! trigger tells every process's cache (migration `change_notifications`).

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ensure_another_owner, insert_member, lock_team_and_role};
use crate::actions::RequestContext;
use crate::audit::{self, AuditEventDraft, Outcome};
use crate::policy::Role;
use crate::values::LoginName;
use crate::{Error, Result};

/// One row of the members page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub login: String,
    pub display_name: String,
    pub disabled: bool,
    pub role: Role,
    pub added_at: OffsetDateTime,
    /// The name of whoever added them, as it was then; `None` for the command line or
    /// members from before this was recorded.
    pub added_by_name: Option<String>,
    pub last_sign_in_at: Option<OffsetDateTime>,
    /// Whether they sign in with a second factor.
    pub second_factor: bool,
}

/// The team's members, owners first, then by login.
pub async fn member_rows(pool: &PgPool, team: Uuid) -> Result<Vec<MemberRow>> {
    Ok(sqlx::query_as(
        "select u.id as user_id, u.login, u.display_name, u.disabled, m.role,
                m.created_at as added_at, m.added_by_name, u.last_sign_in_at,
                exists(select 1 from user_second_factors f
                       where f.user_id = u.id and f.confirmed_at is not null) as second_factor
         from memberships m join users u on u.id = m.user_id
         where m.team_id = $1
         order by array_position(array['owner','admin','operator','viewer'], m.role), u.login",
    )
    .bind(team)
    .fetch_all(pool)
    .await?)
}

fn event(
    actor: &RequestContext,
    team: Uuid,
    action: &str,
    user: Uuid,
    params: serde_json::Value,
) -> AuditEventDraft {
    AuditEventDraft {
        target_kind: Some("user".to_owned()),
        target_ids: vec![user.to_string()],
        params,
        ..AuditEventDraft::by(actor, team, action, Outcome::Succeeded)
    }
}

/// Adds the user with `login` to the team as `role`, by `actor`.
pub async fn add_by_login(
    pool: &PgPool,
    team: Uuid,
    login: &LoginName,
    role: Role,
    actor: &RequestContext,
) -> Result<Uuid> {
    let mut tx = pool.begin().await?;
    let user: Option<(Uuid, String)> =
        sqlx::query_as("select id, login from users where login = $1")
            .bind(login.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    let (user, login) =
        user.ok_or_else(|| Error::field(LoginName::FIELD, "there is no user with this login"))?;
    insert_member(&mut tx, team, user, role).await.map_err(|e| match e {
        Error::Invalid(_) => Error::field(LoginName::FIELD, "is already a member of this team"),
        other => other,
    })?;
    sqlx::query("update memberships set added_by = $3, added_by_name = $4 where team_id = $1 and user_id = $2")
        .bind(team)
        .bind(user)
        .bind(actor.actor_user_id)
        .bind(&actor.actor_name)
        .execute(&mut *tx)
        .await?;
    let params = json!({"login": login, "role": role.as_str()});
    audit::append_in(&mut tx, event(actor, team, "team.member.added", user, params)).await?;
    tx.commit().await?;
    Ok(user)
}

/// Gives a member another role, by `actor`; the last owner is not demoted.
pub async fn change_role_by(
    pool: &PgPool,
    team: Uuid,
    user: Uuid,
    role: Role,
    actor: &RequestContext,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let current = lock_team_and_role(&mut tx, team, user).await?;
    if current == role {
        return Ok(());
    }
    if current == Role::Owner {
        ensure_another_owner(&mut tx, team, user).await?;
    }
    sqlx::query("update memberships set role = $3 where team_id = $1 and user_id = $2")
        .bind(team)
        .bind(user)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    let login = login_of(&mut tx, user).await?;
    let params = json!({"login": login, "from": current.as_str(), "role": role.as_str()});
    audit::append_in(&mut tx, event(actor, team, "team.member.role_changed", user, params)).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member, by `actor`; the last owner stays.
pub async fn remove_by(
    pool: &PgPool,
    team: Uuid,
    user: Uuid,
    actor: &RequestContext,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let current = lock_team_and_role(&mut tx, team, user).await?;
    if current == Role::Owner {
        ensure_another_owner(&mut tx, team, user).await?;
    }
    sqlx::query("delete from memberships where team_id = $1 and user_id = $2")
        .bind(team)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    let login = login_of(&mut tx, user).await?;
    let params = json!({"login": login, "role": current.as_str()});
    audit::append_in(&mut tx, event(actor, team, "team.member.removed", user, params)).await?;
    tx.commit().await?;
    Ok(())
}

async fn login_of(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, user: Uuid) -> Result<String> {
    sqlx::query_scalar("select login from users where id = $1")
        .bind(user)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(Error::NotFound)
}
