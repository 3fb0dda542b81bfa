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

/// Failed sign-ins allowed within [`WINDOW`] per source address (all logins from it), and
/// per login for re-authentication; see `routes::auth` in the server for how the sign-in
/// limits combine.
pub const MAX_FAILURES: i64 = 10;
pub const WINDOW: Duration = Duration::minutes(15);
/// Failed sign-ins allowed within [`WINDOW`] from a browser with a valid device cookie for
/// the login; then that browser (only) is refused until they leave the window.
pub const DEVICE_MAX_FAILURES: i64 = 10;
/// Failed sign-ins allowed within [`WINDOW`] for one login from one address without a
/// device cookie.
pub const LOGIN_ADDRESS_MAX_FAILURES: i64 = 5;
/// After this many failures within [`WINDOW`] for a login from browsers without its device
/// cookie, such attempts for that login are slowed down to one per [`SLOWDOWN`].
pub const SLOWDOWN_AFTER: i64 = 10;
pub const SLOWDOWN: Duration = Duration::seconds(60);

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
    /// For an attempt from a browser with a valid device cookie for the login: its id (a
    /// hash; never the cookie). Its failures count against that browser only.
    pub device: Option<&'a str>,
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
        "insert into security_log (at, kind, login, user_id, source_ip, user_agent, route, reason, device)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(event.at)
    .bind(event.kind)
    .bind(event.login.map(|s| cut(s.trim(), 128)))
    .bind(event.user_id)
    .bind(event.source_ip.map(|ip| ip.to_string()))
    .bind(event.user_agent.map(|s| cut(s, 512)))
    .bind(event.route.map(|s| cut(s, 512)))
    .bind(cut(event.reason, 512))
    .bind(event.device.map(|d| cut(d, 64)))
    .fetch_one(pool)
    .await?)
}

/// Whom a throttle counts for.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// Every failure for the login.
    Login(&'a str),
    /// Failures from the address, except those from browsers with a valid device cookie
    /// (which count against that device only).
    Ip(IpAddr),
    /// Failures from the browser with this device id (see [`NewEvent::device`]).
    Device(&'a str),
    /// Failures for the login from the address, without a device cookie.
    LoginFrom(&'a str, IpAddr),
    /// Failures for the login without a device cookie, from anywhere.
    LoginUntrusted(&'a str),
}

fn subject_filter(subject: Subject<'_>) -> (&'static str, String, Option<String>) {
    match subject {
        Subject::Login(login) => ("login = $1", cut(login.trim(), 128), None),
        Subject::Ip(ip) => ("source_ip = $1 and device is null", ip.to_string(), None),
        Subject::Device(device) => ("device = $1", cut(device, 64), None),
        Subject::LoginFrom(login, ip) => (
            "login = $1 and source_ip = $3 and device is null",
            cut(login.trim(), 128),
            Some(ip.to_string()),
        ),
        Subject::LoginUntrusted(login) => {
            ("login = $1 and device is null", cut(login.trim(), 128), None)
        }
    }
}

/// Failed sign-ins for `subject` at or after `since`.
pub async fn failures_since(
    pool: &PgPool,
    subject: Subject<'_>,
    since: OffsetDateTime,
) -> Result<i64> {
    let (filter, value, extra) = subject_filter(subject);
    let sql = format!(
        "select count(*) from security_log where kind = 'sign_in_failed' and at >= $2 and {filter}"
    );
    let query = sqlx::query_scalar(&sql).bind(value).bind(since);
    let query = match extra {
        Some(extra) => query.bind(extra),
        None => query,
    };
    Ok(query.fetch_one(pool).await?)
}

/// The time of the newest failed sign-in for `subject` at or after `since`.
pub async fn last_failure_since(
    pool: &PgPool,
    subject: Subject<'_>,
    since: OffsetDateTime,
) -> Result<Option<OffsetDateTime>> {
    let (filter, value, extra) = subject_filter(subject);
    let sql = format!(
        "select max(at) from security_log where kind = 'sign_in_failed' and at >= $2 and {filter}"
    );
    let query = sqlx::query_scalar(&sql).bind(value).bind(since);
    let query = match extra {
        Some(extra) => query.bind(extra),
        None => query,
    };
    Ok(query.fetch_one(pool).await?)
}

/// Whether [`MAX_FAILURES`] or more failures for `login` or from `ip` (without a device
/// cookie) fall within [`WINDOW`] before `now`. The old sign-in rule, kept for callers
/// outside `/login`; the sign-in page applies the device-cookie limits in `routes::auth`.
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
