//! Failed sign-ins and refused requests, for throttling and for the site administrator.
//! Kept apart from the teams' audit logs: most entries have no team, and strangers must not
//! be able to grow a team's audit chain.

use std::net::IpAddr;
use std::str::FromStr;

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::rows::{Checked, Stored, unchecked};
use crate::{Error, Result};

/// Sign-in attempts allowed per login and per source address within [`WINDOW`].
pub const MAX_FAILURES: i64 = 10;
pub const WINDOW: Duration = Duration::minutes(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Wrong password, unknown login or disabled account.
    SignInFailed,
    /// Refused without checking the password because of too many failures.
    SignInThrottled,
    /// A signed-in user asked for something their role does not allow (or a bad CSRF token).
    RequestDenied,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SignInFailed => "sign_in_failed",
            Kind::SignInThrottled => "sign_in_throttled",
            Kind::RequestDenied => "request_denied",
        }
    }
}

impl FromStr for Kind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        [Kind::SignInFailed, Kind::SignInThrottled, Kind::RequestDenied]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::field("kind", "unknown security event kind"))
    }
}

crate::rows::text_column!(Kind);

/// One event to record. Text fields come from strangers, so they are cut to a sane length.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub at: OffsetDateTime,
    pub kind: Kind,
    /// The login typed at sign-in, or the signed-in user's login.
    pub login: Option<&'a str>,
    pub user_id: Option<Uuid>,
    pub source_ip: Option<IpAddr>,
    pub user_agent: Option<&'a str>,
    pub route: Option<&'a str>,
    pub reason: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub at: OffsetDateTime,
    pub kind: Kind,
    pub login: Option<String>,
    pub user_id: Option<Uuid>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub route: Option<String>,
    pub reason: String,
}

impl Stored for Event {
    const TABLE: &'static str = "security_log";
}

fn cut(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

pub async fn record(pool: &PgPool, event: &NewEvent<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "insert into security_log (at, kind, login, user_id, source_ip, user_agent, route, reason)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
    )
    .bind(event.at)
    .bind(event.kind)
    .bind(event.login.map(|s| cut(s.trim(), 128)))
    .bind(event.user_id)
    .bind(event.source_ip.map(|ip| ip.to_string()))
    .bind(event.user_agent.map(|s| cut(s, 512)))
    .bind(event.route.map(|s| cut(s, 512)))
    .bind(cut(event.reason, 512))
    .fetch_one(pool)
    .await?)
}

/// Whom a throttle counts for.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Login(&'a str),
    Ip(IpAddr),
}

/// Failed sign-ins for `subject` at or after `since`.
pub async fn failures_since(
    pool: &PgPool,
    subject: Subject<'_>,
    since: OffsetDateTime,
) -> Result<i64> {
    let (sql, value) = match subject {
        Subject::Login(login) => (
            "select count(*) from security_log where kind = 'sign_in_failed' and login = $1 and at >= $2",
            cut(login.trim(), 128),
        ),
        Subject::Ip(ip) => (
            "select count(*) from security_log where kind = 'sign_in_failed' and source_ip = $1 and at >= $2",
            ip.to_string(),
        ),
    };
    Ok(sqlx::query_scalar(sql).bind(value).bind(since).fetch_one(pool).await?)
}

/// Whether a sign-in for `login` from `ip` should be refused without checking the password:
/// [`MAX_FAILURES`] or more failures for either within [`WINDOW`] before `now`.
pub async fn sign_in_throttled(
    pool: &PgPool,
    login: &str,
    ip: Option<IpAddr>,
    now: OffsetDateTime,
) -> Result<bool> {
    let since = now - WINDOW;
    if failures_since(pool, Subject::Login(login), since).await? >= MAX_FAILURES {
        return Ok(true);
    }
    match ip {
        Some(ip) => Ok(failures_since(pool, Subject::Ip(ip), since).await? >= MAX_FAILURES),
        None => Ok(false),
    }
}

/// The newest `limit` failed and throttled sign-ins typed with `login` (the user's own
/// sign-in history; `user` is the user, for attempts recorded by id only).
pub async fn sign_in_failures(
    pool: &PgPool,
    user: Uuid,
    login: &str,
    limit: i64,
) -> Result<Vec<Event>> {
    let rows: Vec<Checked<Event>> = sqlx::query_as(
        "select id, at, kind, login, user_id, source_ip, user_agent, route, reason
         from security_log where login = $2 and kind in ('sign_in_failed', 'sign_in_throttled')
         and (user_id is null or user_id = $1)
         order by at desc, id desc limit $3",
    )
    .bind(user)
    .bind(cut(login.trim(), 128))
    .bind(limit.clamp(1, 500))
    .fetch_all(pool)
    .await?;
    Ok(unchecked(rows))
}

/// Newest first; pass the last id of a page as `before` for the next page.
pub async fn list(pool: &PgPool, before: Option<i64>, limit: i64) -> Result<Vec<Event>> {
    let rows: Vec<Checked<Event>> = sqlx::query_as(
        "select id, at, kind, login, user_id, source_ip, user_agent, route, reason
         from security_log where $1::bigint is null or id < $1
         order by id desc limit $2",
    )
    .bind(before)
    .bind(limit.clamp(1, 500))
    .fetch_all(pool)
    .await?;
    Ok(unchecked(rows))
}

/// Deletes entries older than `cutoff`; returns how many.
pub async fn prune(pool: &PgPool, cutoff: OffsetDateTime) -> Result<u64> {
    Ok(sqlx::query("delete from security_log where at < $1")
        .bind(cutoff)
        .execute(pool)
        .await?
        .rows_affected())
}
