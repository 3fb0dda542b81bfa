//! The registry of signed-in sessions (table `user_sessions`): one row per sign-in, with
//! its own random id (the session keeps it; the tower-sessions id, which is the cookie,
//! is never stored here), where and when it signed in, when it was last seen and when it
//! ended. An ended row ends its session at the next request, so "sign out that laptop"
//! works although the session's own row is opaque.
//!
//! Ending a row notifies the user's change channel (migration `user_sessions`), so a
//! process that keeps the user's live session ids in memory drops them.

pub mod agent;

use std::net::IpAddr;
use std::str::FromStr;

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::rows::{Checked, Stored, unchecked};
use crate::second_factor::Check;
use crate::security_log::{self, Kind};
use crate::{Error, Result};

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Signed out by its own user in that session.
    SignedOut,
    /// Signed out from another session of the same user ("my account").
    EndedElsewhere,
    /// The password was changed (by the user in another session, or for them).
    PasswordChanged,
    /// Idle or absolute limit reached, or the user was disabled.
    Expired,
}

impl Ended {
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::SignedOut => "signed_out",
            Ended::EndedElsewhere => "ended_elsewhere",
            Ended::PasswordChanged => "password_changed",
            Ended::Expired => "expired",
        }
    }
}

impl FromStr for Ended {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        [Ended::SignedOut, Ended::EndedElsewhere, Ended::PasswordChanged, Ended::Expired]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::field("ended_reason", "unknown reason"))
    }
}

crate::rows::text_column!(Ended);

/// A sign-in to record.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub user_id: Uuid,
    pub epoch: i64,
    pub user_agent: Option<&'a str>,
    pub source_ip: Option<IpAddr>,
    pub at: OffsetDateTime,
}

/// One registry row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_agent: Option<String>,
    pub source_ip: Option<String>,
    pub signed_in_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub ended_reason: Option<Ended>,
}

impl Stored for SessionRow {
    const TABLE: &'static str = "user_sessions";
}

const COLUMNS: &str =
    "id, user_id, user_agent, source_ip, signed_in_at, last_seen_at, ended_at, ended_reason";

fn cut(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// Records a sign-in; returns the new session's registry id.
pub async fn start(pool: &PgPool, new: &NewSession<'_>) -> Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into user_sessions (id, user_id, epoch, user_agent, source_ip, signed_in_at, \
         last_seen_at) values ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(new.user_id)
    .bind(new.epoch)
    .bind(new.user_agent.map(|s| cut(s, 512)))
    .bind(new.source_ip.map(|ip| ip.to_string()))
    .bind(new.at)
    .execute(pool)
    .await?;
    Ok(id)
}

/// Notes that the session was seen at `at` (an ended row stays ended).
pub async fn touch(pool: &PgPool, id: Uuid, at: OffsetDateTime) -> Result<()> {
    sqlx::query("update user_sessions set last_seen_at = $2 where id = $1 and ended_at is null")
        .bind(id)
        .bind(at)
        .execute(pool)
        .await?;
    Ok(())
}

/// The session changed the password itself and carries on at the new `epoch`.
pub async fn continue_at(pool: &PgPool, id: Uuid, epoch: i64) -> Result<()> {
    sqlx::query("update user_sessions set epoch = $2 where id = $1 and ended_at is null")
        .bind(id)
        .bind(epoch)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends one session. Returns whether it was live.
pub async fn end(pool: &PgPool, id: Uuid, why: Ended, at: OffsetDateTime) -> Result<bool> {
    let done = sqlx::query(
        "update user_sessions set ended_at = $2, ended_reason = $3 \
         where id = $1 and ended_at is null",
    )
    .bind(id)
    .bind(at)
    .bind(why)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends `user`'s live session `id` from another of their sessions. [`Error::NotFound`]
/// when it is not theirs, not live, or `keep` (the session asking) itself.
pub async fn end_one_of(
    pool: &PgPool,
    user: Uuid,
    id: Uuid,
    keep: Uuid,
    at: OffsetDateTime,
) -> Result<()> {
    if id == keep {
        return Err(Error::NotFound);
    }
    let done = sqlx::query(
        "update user_sessions set ended_at = $3, ended_reason = 'ended_elsewhere' \
         where id = $1 and user_id = $2 and ended_at is null",
    )
    .bind(id)
    .bind(user)
    .bind(at)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 { Err(Error::NotFound) } else { Ok(()) }
}

/// Ends every live session of `user` but `keep`; returns how many.
pub async fn end_others(
    pool: &PgPool,
    user: Uuid,
    keep: Option<Uuid>,
    why: Ended,
    at: OffsetDateTime,
) -> Result<u64> {
    let done = sqlx::query(
        "update user_sessions set ended_at = $3, ended_reason = $4 \
         where user_id = $1 and ended_at is null and ($2::uuid is null or id <> $2)",
    )
    .bind(user)
    .bind(keep)
    .bind(at)
    .bind(why)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Ends `user`'s sessions idle since before `idle_before` or signed in before
/// `absolute_before`: abandoned ones, which never come back to end themselves.
pub async fn end_expired(
    pool: &PgPool,
    user: Uuid,
    idle_before: OffsetDateTime,
    absolute_before: OffsetDateTime,
    at: OffsetDateTime,
) -> Result<u64> {
    let done = sqlx::query(
        "update user_sessions set ended_at = $4, ended_reason = 'expired' \
         where user_id = $1 and ended_at is null and (last_seen_at < $2 or signed_in_at < $3)",
    )
    .bind(user)
    .bind(idle_before)
    .bind(absolute_before)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// The ids of `user`'s sessions that have not ended (loaded with the user each request
/// that misses the cache; the partial index keeps it one short lookup).
pub async fn live_ids(pool: &PgPool, user: Uuid) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar("select id from user_sessions where user_id = $1 and ended_at is null")
        .bind(user)
        .fetch_all(pool)
        .await?)
}

/// `user`'s sessions that still work: not ended, from the current password, seen since
/// `idle_since` and signed in since `absolute_since`. Most recently seen first.
pub async fn live(
    pool: &PgPool,
    user: Uuid,
    idle_since: OffsetDateTime,
    absolute_since: OffsetDateTime,
) -> Result<Vec<SessionRow>> {
    let sql = format!(
        "select {COLUMNS} from user_sessions s where user_id = $1 and ended_at is null \
         and last_seen_at >= $2 and signed_in_at >= $3 \
         and epoch = (select session_epoch from users u where u.id = s.user_id) \
         order by last_seen_at desc, signed_in_at desc limit 200"
    );
    let rows: Vec<Checked<SessionRow>> = sqlx::query_as(&sql)
        .bind(user)
        .bind(idle_since)
        .bind(absolute_since)
        .fetch_all(pool)
        .await?;
    Ok(unchecked(rows))
}

/// What one sign-in attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    SignedIn,
    WrongPassword,
    /// A wrong (or already used) code from the authenticator app or a recovery code: the
    /// password was right, so whoever typed it knows the password.
    WrongCode,
    /// The password was right but the account was disabled.
    Disabled,
    Throttled,
}

/// One line of a user's sign-in history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: OffsetDateTime,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub outcome: Outcome,
}

/// The last `limit` sign-ins and failed attempts for `user` (signed in as `login`),
/// newest first: successes from this registry, failures from the security log.
pub async fn history(pool: &PgPool, user: Uuid, login: &str, limit: i64) -> Result<Vec<Attempt>> {
    let limit = limit.clamp(1, 100);
    let sql = format!(
        "select {COLUMNS} from user_sessions where user_id = $1 \
         order by signed_in_at desc limit $2"
    );
    let rows: Vec<Checked<SessionRow>> =
        sqlx::query_as(&sql).bind(user).bind(limit).fetch_all(pool).await?;
    let mut all: Vec<Attempt> = unchecked(rows)
        .into_iter()
        .map(|s| Attempt {
            at: s.signed_in_at,
            source_ip: s.source_ip,
            user_agent: s.user_agent,
            outcome: Outcome::SignedIn,
        })
        .collect();
    for e in security_log::sign_in_failures(pool, user, login, limit).await? {
        let outcome = match (e.kind, e.reason.as_str()) {
            (Kind::SignInThrottled, _) => Outcome::Throttled,
            (_, "account disabled") => Outcome::Disabled,
            (_, reason) if reason == Check::Wrong.as_str() || reason == Check::Used.as_str() => {
                Outcome::WrongCode
            }
            _ => Outcome::WrongPassword,
        };
        all.push(Attempt { at: e.at, source_ip: e.source_ip, user_agent: e.user_agent, outcome });
    }
    all.sort_by_key(|a| std::cmp::Reverse(a.at));
    all.truncate(usize::try_from(limit).unwrap_or(20));
    Ok(all)
}
