//! Lightdeck's users: sign-in names, argon2id password hashes, the site-administrator flag.

use std::sync::OnceLock;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use secrecy::{ExposeSecret, SecretString};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::violated_unique;
use crate::password_gate::{Busy, PasswordGate};
use crate::values::{DisplayName, Language, LoginName, Password, TimeZoneName};
use crate::{Error, Result};

/// A user as the rest of the panel sees one; the password hash stays in this module.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub site_admin: bool,
    pub disabled: bool,
    pub language: Language,
    pub created_at: OffsetDateTime,
    pub password_changed_at: OffsetDateTime,
    /// Moves on with every password change; a session from an older epoch has ended.
    pub session_epoch: i64,
    /// The IANA time zone the user chose; `None`: never chosen (see [`User::time_zone`]).
    pub time_zone: Option<String>,
    /// Whether sign-in asks for a code from an authenticator app ([`crate::second_factor`]).
    pub second_factor: bool,
}

const COLUMNS: &str = "id, login, display_name, site_admin, disabled, language, created_at, \
    password_changed_at, session_epoch, time_zone, exists(select 1 from user_second_factors f \
    where f.user_id = users.id and f.confirmed_at is not null) as second_factor";

impl User {
    /// The zone times are shown in: the user's choice, else Asia/Shanghai for Chinese
    /// readers and UTC for the others (DESIGN.md, "Names a person can tell apart").
    pub fn time_zone(&self) -> TimeZoneName {
        let default = match self.language {
            Language::ZhCn => "Asia/Shanghai",
            Language::En => "UTC",
        };
        self.time_zone
            .as_deref()
            .and_then(|z| TimeZoneName::parse(z).ok())
            .or_else(|| TimeZoneName::parse(default).ok())
            .unwrap_or_else(TimeZoneName::utc)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: LoginName,
    pub display_name: DisplayName,
    pub password: Password,
    pub site_admin: bool,
    pub language: Language,
}

/// Why a sign-in was refused. Show the person one message for all of them; the reason is
/// for the security log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    UnknownLogin,
    WrongPassword,
    /// The password was right but the account is disabled.
    Disabled,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::UnknownLogin => "unknown login",
            Rejection::WrongPassword => "wrong password",
            Rejection::Disabled => "account disabled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    Accepted(User),
    Rejected {
        user_id: Option<Uuid>,
        reason: Rejection,
    },
    /// Not checked: too many checks are running or waiting (see [`PasswordGate`]).
    Busy,
}

fn hasher() -> Argon2<'static> {
    // OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// argon2id PHC string, computed off the async threads (it takes tens of milliseconds) and
/// within the process-wide bound on argon2 memory.
async fn hash_password(password: SecretString) -> Result<String> {
    PasswordGate::global()
        .run(move || {
            hasher()
                .hash_password(password.expose_secret().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| Error::Crypto(format!("cannot hash the password: {e}")))
        })
        .await?
}

/// A hash of a random password, verified against when the login does not exist so that the
/// answer takes as long as for a real user.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: [u8; 16] = rand::random();
        hasher().hash_password(&random).map(|h| h.to_string()).unwrap_or_default()
    })
}

/// Constant-time comparison inside argon2; a hash that does not parse counts as a mismatch.
/// With no hash (unknown login) the dummy is checked, under the same gate so that the
/// answer's timing and the refusal when busy do not tell which logins exist.
async fn password_matches(
    gate: &PasswordGate,
    password: SecretString,
    hash: Option<String>,
) -> Result<std::result::Result<bool, Busy>> {
    gate.run_or_refuse(move || {
        let hash = hash.as_deref().unwrap_or_else(|| dummy_hash());
        hasher().verify_password(password.expose_secret().as_bytes(), hash).is_ok()
    })
    .await
}

pub async fn create(pool: &PgPool, new: NewUser) -> Result<User> {
    let hash = hash_password(new.password.expose().to_owned().into()).await?;
    let mut conn = pool.acquire().await?;
    insert(&mut conn, &new.login, &new.display_name, &hash, new.site_admin, new.language).await
}

/// Inserts a user with an already computed password hash (or one no password matches).
pub(crate) async fn insert(
    conn: &mut PgConnection,
    login: &LoginName,
    name: &DisplayName,
    password_hash: &str,
    site_admin: bool,
    language: Language,
) -> Result<User> {
    sqlx::query_as::<_, User>(&format!(
        "insert into users (id, login, display_name, password_hash, site_admin, language)
         values ($1, $2, $3, $4, $5, $6) returning {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(login.as_str())
    .bind(name.as_str())
    .bind(password_hash)
    .bind(site_admin)
    .bind(language.as_str())
    .fetch_one(conn)
    .await
    .map_err(|e| match violated_unique(&e) {
        Some("users_login_key") => Error::field(LoginName::FIELD, "this login name is taken"),
        _ => e.into(),
    })
}

pub async fn find_by_login(pool: &PgPool, login: &str) -> Result<Option<User>> {
    let sql = format!("select {COLUMNS} from users where login = $1");
    Ok(sqlx::query_as(&sql).bind(login.trim()).fetch_optional(pool).await?)
}

pub async fn find_by_id(pool: &PgPool, id: Uuid) -> Result<Option<User>> {
    let sql = format!("select {COLUMNS} from users where id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
}

/// Like [`find_by_id`], but a missing user is `Error::NotFound`.
pub async fn get(pool: &PgPool, id: Uuid) -> Result<User> {
    find_by_id(pool, id).await?.ok_or(Error::NotFound)
}

/// All users, by login.
pub async fn list(pool: &PgPool) -> Result<Vec<User>> {
    let sql = format!("select {COLUMNS} from users order by login");
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

/// Checks a sign-in within the process-wide gate. Takes about as long whether or not the
/// login exists.
pub async fn verify_password(
    pool: &PgPool,
    login: &str,
    password: &SecretString,
) -> Result<SignIn> {
    verify_password_with(pool, PasswordGate::global(), login, password).await
}

/// Checks a sign-in within `gate`; [`SignIn::Busy`] when its queue is full.
pub async fn verify_password_with(
    pool: &PgPool,
    gate: &PasswordGate,
    login: &str,
    password: &SecretString,
) -> Result<SignIn> {
    let row: Option<(String,)> = sqlx::query_as("select password_hash from users where login = $1")
        .bind(login.trim())
        .fetch_optional(pool)
        .await?;
    let known = row.is_some();
    let Ok(matches) = password_matches(gate, password.clone(), row.map(|(h,)| h)).await? else {
        return Ok(SignIn::Busy);
    };
    let user = if known { find_by_login(pool, login).await? } else { None };
    // None also when deleted between the two reads.
    let Some(user) = user else {
        return Ok(SignIn::Rejected { user_id: None, reason: Rejection::UnknownLogin });
    };
    Ok(match (matches, user.disabled) {
        (false, _) => SignIn::Rejected { user_id: Some(user.id), reason: Rejection::WrongPassword },
        (true, true) => SignIn::Rejected { user_id: Some(user.id), reason: Rejection::Disabled },
        (true, false) => SignIn::Accepted(user),
    })
}

/// The stored hash of a new password (for flows that write it themselves).
pub(crate) async fn hash_new_password(password: &Password) -> Result<String> {
    hash_password(password.expose().to_owned().into()).await
}

/// Notes a successful sign-in (for the members page's "last signed in").
pub async fn record_sign_in(pool: &PgPool, id: Uuid, at: OffsetDateTime) -> Result<()> {
    sqlx::query("update users set last_sign_in_at = $2 where id = $1")
        .bind(id)
        .bind(at)
        .execute(pool)
        .await?;
    Ok(())
}

/// Sets a new password and moves the user's session epoch on, so every session signed in
/// before ends at its next request. Returns the new epoch, for the session that changed it.
pub async fn set_password(pool: &PgPool, id: Uuid, password: &Password) -> Result<i64> {
    let hash = hash_password(password.expose().to_owned().into()).await?;
    let epoch: Option<i64> = sqlx::query_scalar(
        "update users set password_hash = $2, password_changed_at = now(), \
         session_epoch = session_epoch + 1 where id = $1 returning session_epoch",
    )
    .bind(id)
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    epoch.ok_or(Error::NotFound)
}

/// [`set_password`] for the command line: other sessions end too.
pub async fn change_password(pool: &PgPool, id: Uuid, password: &Password) -> Result<()> {
    set_password(pool, id, password).await.map(|_| ())
}

pub async fn set_disabled(pool: &PgPool, id: Uuid, disabled: bool) -> Result<()> {
    let done = sqlx::query(
        "update users set disabled = $2, \
         disabled_at = case when $2 then coalesce(disabled_at, now()) end where id = $1",
    )
    .bind(id)
    .bind(disabled)
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

pub async fn set_site_admin(pool: &PgPool, id: Uuid, site_admin: bool) -> Result<()> {
    let done = sqlx::query("update users set site_admin = $2 where id = $1")
        .bind(id)
        .bind(site_admin)
        .execute(pool)
        .await?;
    found(done.rows_affected())
}

pub async fn set_language(pool: &PgPool, id: Uuid, language: Language) -> Result<()> {
    let done = sqlx::query("update users set language = $2 where id = $1")
        .bind(id)
        .bind(language.as_str())
        .execute(pool)
        .await?;
    found(done.rows_affected())
}

pub async fn set_display_name(pool: &PgPool, id: Uuid, name: &DisplayName) -> Result<()> {
    let done = sqlx::query("update users set display_name = $2 where id = $1")
        .bind(id)
        .bind(name.as_str())
        .execute(pool)
        .await?;
    found(done.rows_affected())
}

/// The profile a user sets for themselves on "my account".
pub async fn set_profile(
    pool: &PgPool,
    id: Uuid,
    name: &DisplayName,
    language: Language,
    zone: &TimeZoneName,
) -> Result<()> {
    let done = sqlx::query(
        "update users set display_name = $2, language = $3, time_zone = $4 where id = $1",
    )
    .bind(id)
    .bind(name.as_str())
    .bind(language.as_str())
    .bind(zone.as_str())
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

fn found(rows: u64) -> Result<()> {
    if rows == 0 { Err(Error::NotFound) } else { Ok(()) }
}
