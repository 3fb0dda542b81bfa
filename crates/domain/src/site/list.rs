//! What the site administration pages read: users (searched, paged, with their teams),
//! teams with their sizes, and the site audit log.

use std::collections::HashMap;

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::SITE_CHAIN;
use crate::Result;
use crate::policy::Role;

/// One user on the users page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub site_admin: bool,
    pub disabled: bool,
    pub last_sign_in_at: Option<OffsetDateTime>,
    /// Whether they sign in with a second factor.
    pub second_factor: bool,
    /// Team name and role, by team name.
    pub teams: Vec<(String, Role)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsersPage {
    pub rows: Vec<UserRow>,
    /// Users matching the search, on every page.
    pub total: i64,
}

type UserColumns = (Uuid, String, String, bool, bool, Option<OffsetDateTime>, bool);

/// `like` pattern matching `q` literally anywhere.
fn contains(q: &str) -> String {
    let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}

/// Users whose login or name contains `q` (any case), by login; page `page` (from 0) of
/// `per_page`.
pub async fn users_page(pool: &PgPool, q: &str, page: u32, per_page: u32) -> Result<UsersPage> {
    let pattern = contains(q.trim());
    let filter = "lower(login) like $1 or lower(display_name) like $1";
    let total: i64 = sqlx::query_scalar(&format!("select count(*) from users where {filter}"))
        .bind(&pattern)
        .fetch_one(pool)
        .await?;
    let users: Vec<UserColumns> = sqlx::query_as(&format!(
        "select id, login, display_name, site_admin, disabled, last_sign_in_at, \
         exists(select 1 from user_second_factors f \
           where f.user_id = users.id and f.confirmed_at is not null) \
         from users where {filter} order by login limit $2 offset $3"
    ))
    .bind(&pattern)
    .bind(i64::from(per_page))
    .bind(i64::from(page) * i64::from(per_page))
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = users.iter().map(|u| u.0).collect();
    let memberships: Vec<(Uuid, String, Role)> = sqlx::query_as(
        "select m.user_id, t.name, m.role from memberships m join teams t on t.id = m.team_id \
         where m.user_id = any($1) order by t.name",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let mut teams: HashMap<Uuid, Vec<(String, Role)>> = HashMap::new();
    for (user, team, role) in memberships {
        teams.entry(user).or_default().push((team, role));
    }
    let rows = users
        .into_iter()
        .map(|(id, login, display_name, site_admin, disabled, last_sign_in_at, second_factor)| {
            UserRow {
                teams: teams.remove(&id).unwrap_or_default(),
                id,
                login,
                display_name,
                site_admin,
                disabled,
                last_sign_in_at,
                second_factor,
            }
        })
        .collect();
    Ok(UsersPage { rows, total })
}

/// One team on the teams page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TeamRow {
    pub id: Uuid,
    pub name: String,
    pub members: i64,
    /// Connected cloud accounts (removed ones not counted).
    pub accounts: i64,
    pub instances: i64,
}

/// Every team, by name, with its sizes.
pub async fn teams_overview(pool: &PgPool) -> Result<Vec<TeamRow>> {
    Ok(sqlx::query_as(
        "select t.id, t.name, \
             (select count(*) from memberships m where m.team_id = t.id) as members, \
             (select count(*) from cloud_accounts a \
                 where a.team_id = t.id and a.removed_at is null) as accounts, \
             (select count(*) from instances i join cloud_accounts a on a.id = i.account_id \
                 where i.team_id = t.id and a.removed_at is null) as instances \
         from teams t order by t.name",
    )
    .fetch_all(pool)
    .await?)
}

/// One event of the site audit log, as the page shows it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SiteEvent {
    pub seq: i64,
    pub occurred_at: OffsetDateTime,
    pub actor_name: Option<String>,
    pub action: String,
    /// The canonical JSON text as stored.
    pub params: String,
}

impl SiteEvent {
    /// A string parameter, e.g. `login`.
    pub fn param(&self, key: &str) -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(&self.params).ok()?;
        v.get(key)?.as_str().map(str::to_owned)
    }
}

/// Up to `limit` events before `before` (a seq; `None`: the newest), newest first.
pub async fn events(pool: &PgPool, before: Option<i64>, limit: u32) -> Result<Vec<SiteEvent>> {
    Ok(sqlx::query_as(
        "select seq, occurred_at, actor_name, action, params from audit_events \
         where team_id = $1 and seq < $2 order by seq desc limit $3",
    )
    .bind(SITE_CHAIN)
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?)
}
