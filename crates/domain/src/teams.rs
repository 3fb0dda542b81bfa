//! Teams and their members. Every team keeps at least one owner: the last owner can be
//! neither removed nor demoted.

mod members;
pub(crate) mod setup;

pub use members::{MemberRow, add_by_login, change_role_by, member_rows, remove_by};
pub use setup::{SETUP_LINK_VALID, SetupToken, add_new_person, setup_login, use_setup_link};

use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::violated_unique;
use crate::policy::Role;
use crate::rows::corrupt_in;
use crate::values::TeamName;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub created_at: OffsetDateTime,
}

/// One member of a team, for the members page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Member {
    pub user_id: Uuid,
    pub login: String,
    pub display_name: String,
    pub disabled: bool,
    pub role: Role,
}

/// One team a user belongs to, with their role there.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Membership {
    pub team_id: Uuid,
    pub team_name: String,
    pub role: Role,
    /// The team's owners require every member to have a second factor.
    pub requires_second_factor: bool,
}

const LAST_OWNER: &str = "a team needs at least one owner: make someone else owner first";

/// Creates a team, and makes `first_owner` (if given) its owner in the same transaction.
pub async fn create(pool: &PgPool, name: &TeamName, first_owner: Option<Uuid>) -> Result<Team> {
    let mut tx = pool.begin().await?;
    let team = create_in(&mut tx, name, first_owner).await?;
    tx.commit().await?;
    Ok(team)
}

/// [`create`] inside the caller's transaction (with the site audit event of who did it).
pub(crate) async fn create_in(
    tx: &mut Transaction<'_, Postgres>,
    name: &TeamName,
    first_owner: Option<Uuid>,
) -> Result<Team> {
    let team: Team = sqlx::query_as(
        "insert into teams (id, name) values ($1, $2) returning id, name, created_at",
    )
    .bind(Uuid::new_v4())
    .bind(name.as_str())
    .fetch_one(&mut **tx)
    .await
    .map_err(taken_name)?;
    if let Some(user) = first_owner {
        insert_member(tx, team.id, user, Role::Owner).await?;
    }
    Ok(team)
}

/// A team name another team has is a field error of the name.
pub(crate) fn taken_name(e: sqlx::Error) -> Error {
    match violated_unique(&e) {
        Some("teams_name_key") => Error::field(TeamName::FIELD, "this team name is taken"),
        _ => e.into(),
    }
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Team> {
    sqlx::query_as("select id, name, created_at from teams where id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn find_by_name(pool: &PgPool, name: &str) -> Result<Option<Team>> {
    Ok(sqlx::query_as("select id, name, created_at from teams where name = $1")
        .bind(name.trim())
        .fetch_optional(pool)
        .await?)
}

/// Every team, by name (for site administrators).
pub async fn list(pool: &PgPool) -> Result<Vec<Team>> {
    Ok(sqlx::query_as("select id, name, created_at from teams order by name")
        .fetch_all(pool)
        .await?)
}

pub async fn add_member(pool: &PgPool, team: Uuid, user: Uuid, role: Role) -> Result<()> {
    let mut tx = pool.begin().await?;
    insert_member(&mut tx, team, user, role).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn insert_member(
    tx: &mut Transaction<'_, Postgres>,
    team: Uuid,
    user: Uuid,
    role: Role,
) -> Result<()> {
    sqlx::query("insert into memberships (team_id, user_id, role) values ($1, $2, $3)")
        .bind(team)
        .bind(user)
        .bind(role)
        .execute(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Error::field("user", "this user is already a member of the team")
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::NotFound,
            _ => e.into(),
        })?;
    Ok(())
}

/// Changes a member's role; refuses to demote the last owner.
pub async fn change_role(pool: &PgPool, team: Uuid, user: Uuid, role: Role) -> Result<()> {
    let mut tx = pool.begin().await?;
    let current = lock_team_and_role(&mut tx, team, user).await?;
    if current == Role::Owner && role != Role::Owner {
        ensure_another_owner(&mut tx, team, user).await?;
    }
    sqlx::query("update memberships set role = $3 where team_id = $1 and user_id = $2")
        .bind(team)
        .bind(user)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member; refuses to remove the last owner.
pub async fn remove_member(pool: &PgPool, team: Uuid, user: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    if lock_team_and_role(&mut tx, team, user).await? == Role::Owner {
        ensure_another_owner(&mut tx, team, user).await?;
    }
    sqlx::query("delete from memberships where team_id = $1 and user_id = $2")
        .bind(team)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Locks the team row, so membership changes of one team run one at a time (two owners
/// demoting each other cannot both see the other as the remaining owner), and returns the
/// member's current role.
async fn lock_team_and_role(
    tx: &mut Transaction<'_, Postgres>,
    team: Uuid,
    user: Uuid,
) -> Result<Role> {
    sqlx::query("select 1 from teams where id = $1 for update")
        .bind(team)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(Error::NotFound)?;
    let role: Option<Role> =
        sqlx::query_scalar("select role from memberships where team_id = $1 and user_id = $2")
            .bind(team)
            .bind(user)
            .fetch_optional(&mut **tx)
            .await
            .map_err(corrupt_in("memberships", format!("{team}/{user}")))?;
    role.ok_or(Error::NotFound)
}

async fn ensure_another_owner(
    tx: &mut Transaction<'_, Postgres>,
    team: Uuid,
    user: Uuid,
) -> Result<()> {
    let others: i64 = sqlx::query_scalar(
        "select count(*) from memberships where team_id = $1 and role = 'owner' and user_id <> $2",
    )
    .bind(team)
    .bind(user)
    .fetch_one(&mut **tx)
    .await?;
    if others == 0 { Err(Error::Rule(LAST_OWNER.into())) } else { Ok(()) }
}

/// The user's role in the team, or `None` when not a member.
pub async fn role_of(pool: &PgPool, team: Uuid, user: Uuid) -> Result<Option<Role>> {
    sqlx::query_scalar("select role from memberships where team_id = $1 and user_id = $2")
        .bind(team)
        .bind(user)
        .fetch_optional(pool)
        .await
        .map_err(corrupt_in("memberships", format!("{team}/{user}")))
}

/// The teams a user belongs to, by name.
pub async fn teams_of(pool: &PgPool, user: Uuid) -> Result<Vec<Membership>> {
    Ok(sqlx::query_as(
        "select t.id as team_id, t.name as team_name, m.role,
                t.require_second_factor as requires_second_factor
         from memberships m join teams t on t.id = m.team_id
         where m.user_id = $1 order by t.name",
    )
    .bind(user)
    .fetch_all(pool)
    .await?)
}

/// A team's members, owners first, then by login.
pub async fn members(pool: &PgPool, team: Uuid) -> Result<Vec<Member>> {
    Ok(sqlx::query_as(
        "select u.id as user_id, u.login, u.display_name, u.disabled, m.role
         from memberships m join users u on u.id = m.user_id
         where m.team_id = $1
         order by array_position(array['owner','admin','operator','viewer'], m.role), u.login",
    )
    .bind(team)
    .fetch_all(pool)
    .await?)
}
