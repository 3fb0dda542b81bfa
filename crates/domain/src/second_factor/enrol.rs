//! A user's own changes: start and confirm enrolment, new recovery codes, turning it off.
//! Each change and its site audit event commit together.

use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Check, Enrolment, PENDING_FOR, RecoveryCodes, enrolment, new_secret, open_for, recovery, seal,
};
use crate::crypto::{Keyring, Sealed};
use crate::site::{SiteActor, record};
use crate::users::User;
use crate::{Error, Result};

/// Refused: enrolling again while a second factor is on (turn it off first).
pub const ALREADY_ON: &str = "a second factor is already on: turn it off first";

/// A new secret for `user`, not in force until [`confirm_enrolment`]; it replaces one that
/// was being set up. Refused (`Error::Rule(ALREADY_ON)`) while one is on.
///
/// The enrolment gets a random id ([`Enrolment::id`]): the caller keeps it where only the
/// one who started may present it (the session that started), and only with it is the
/// secret shown again or confirmed — for [`PENDING_FOR`] from `now`.
pub async fn start_enrolment(
    pool: &PgPool,
    keyring: &Keyring,
    user: &User,
    now: OffsetDateTime,
) -> Result<Enrolment> {
    let secret = new_secret();
    let sealed = seal(keyring, user.id, &secret)?;
    let id = Uuid::new_v4();
    let done = sqlx::query(
        "insert into user_second_factors \
           (user_id, key_id, sealed_secret, enrolment_id, created_at) \
         values ($1, $2, $3, $4, $5) \
         on conflict (user_id) do update set key_id = excluded.key_id, \
           sealed_secret = excluded.sealed_secret, enrolment_id = excluded.enrolment_id, \
           last_step = 0, created_at = excluded.created_at \
         where user_second_factors.confirmed_at is null",
    )
    .bind(user.id)
    .bind(&sealed.key_id)
    .bind(&sealed.data)
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Rule(ALREADY_ON.into()));
    }
    enrolment(&super::build(secret, &user.login)?, id)
}

/// A user's row as enrolment reads it: key id, sealed secret, confirmed at, enrolment id,
/// started at.
type Row = (String, Vec<u8>, Option<OffsetDateTime>, Uuid, OffsetDateTime);

/// The sealed secret of `user`'s enrolment `id`, if it is being set up and was started
/// less than [`PENDING_FOR`] before `now`.
fn pending_row(row: Option<Row>, id: Uuid, now: OffsetDateTime) -> Option<Sealed> {
    let (key_id, data, confirmed_at, stored_id, created_at) = row?;
    let fresh = now - created_at < PENDING_FOR;
    (confirmed_at.is_none() && stored_id == id && fresh).then_some(Sealed { key_id, data })
}

/// The secret of enrolment `id`, to show again beside a wrong code; `None` if that
/// enrolment is not being set up (never started, replaced by a newer one, confirmed, or
/// started [`PENDING_FOR`] or longer before `now`).
pub async fn pending_enrolment(
    pool: &PgPool,
    keyring: &Keyring,
    user: &User,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<Option<Enrolment>> {
    let row: Option<Row> = sqlx::query_as(
        "select key_id, sealed_secret, confirmed_at, enrolment_id, created_at \
         from user_second_factors where user_id = $1",
    )
    .bind(user.id)
    .fetch_optional(pool)
    .await?;
    let Some(sealed) = pending_row(row, id, now) else { return Ok(None) };
    let totp = open_for(keyring, user.id, &sealed, &user.login)?;
    enrolment(&totp, id).map(Some)
}

/// How a confirmation ended.
#[derive(Debug)]
pub enum Confirmed {
    /// On from now: the recovery codes, to show once.
    On(RecoveryCodes),
    /// The code was not the app's code for now: still being set up.
    WrongCode,
}

/// Turns enrolment `id` on, if `code` is the app's code for `now`, and makes the recovery
/// codes. `Error::Rule(ALREADY_ON)` when a second factor is on already, `Error::NotFound`
/// when enrolment `id` is not being set up (see [`pending_enrolment`]).
pub async fn confirm_enrolment(
    pool: &PgPool,
    keyring: &Keyring,
    user: &User,
    id: Uuid,
    code: &str,
    actor: &SiteActor,
    now: OffsetDateTime,
) -> Result<Confirmed> {
    let mut tx = pool.begin().await?;
    let row: Option<Row> = sqlx::query_as(
        "select key_id, sealed_secret, confirmed_at, enrolment_id, created_at \
         from user_second_factors where user_id = $1 for update",
    )
    .bind(user.id)
    .fetch_optional(&mut *tx)
    .await?;
    if matches!(row, Some((_, _, Some(_), _, _))) {
        return Err(Error::Rule(ALREADY_ON.into()));
    }
    let sealed = pending_row(row, id, now).ok_or(Error::NotFound)?;
    let totp = open_for(keyring, user.id, &sealed, &user.login)?;
    let Some(digits) = super::app_code(code) else { return Ok(Confirmed::WrongCode) };
    let Some(step) = totp.check(&digits, super::unix(now)) else {
        return Ok(Confirmed::WrongCode);
    };
    sqlx::query(
        "update user_second_factors set confirmed_at = $2, last_step = $3 where user_id = $1",
    )
    .bind(user.id)
    .bind(now)
    .bind(i64::try_from(step).unwrap_or(i64::MAX))
    .execute(&mut *tx)
    .await?;
    let codes = recovery::replace(&mut tx, &recovery::Key::of(&totp), user.id, now).await?;
    event(&mut tx, actor, user, "user.second_factor.enabled").await?;
    tx.commit().await?;
    Ok(Confirmed::On(codes))
}

/// New recovery codes (the old ones stop working), if `code` is a code of the user's
/// (from the app, or a recovery code). `Err(check)` says why not.
pub async fn regenerate_recovery_codes(
    pool: &PgPool,
    keyring: &Keyring,
    user: &User,
    code: &str,
    actor: &SiteActor,
    now: OffsetDateTime,
) -> Result<std::result::Result<RecoveryCodes, Check>> {
    let mut tx = pool.begin().await?;
    let Some(factor) = super::locked(&mut tx, keyring, user.id).await? else {
        return Ok(Err(Check::Off));
    };
    let check = super::check_with(&mut tx, &factor, user.id, code, now).await?;
    if !check.accepted() {
        // Nothing was accepted, so nothing is lost by rolling back.
        return Ok(Err(check));
    }
    let key = recovery::Key::of(&factor.totp);
    let codes = recovery::replace(&mut tx, &key, user.id, now).await?;
    event(&mut tx, actor, user, "user.second_factor.recovery_codes_replaced").await?;
    tx.commit().await?;
    Ok(Ok(codes))
}

/// Turns the second factor off (secret and recovery codes deleted), if `code` is a code of
/// the user's. Teams that require one will ask them to set it up again.
pub async fn disable(
    pool: &PgPool,
    keyring: &Keyring,
    user: &User,
    code: &str,
    actor: &SiteActor,
    now: OffsetDateTime,
) -> Result<Check> {
    let mut tx = pool.begin().await?;
    let check = super::verify_in(&mut tx, keyring, user.id, code, now).await?;
    if !check.accepted() {
        return Ok(check);
    }
    remove(&mut tx, user.id).await?;
    event(&mut tx, actor, user, "user.second_factor.disabled").await?;
    tx.commit().await?;
    Ok(check)
}

/// Deletes the user's secret and recovery codes; whether a second factor was on.
pub(super) async fn remove(tx: &mut Transaction<'_, Postgres>, user: Uuid) -> Result<bool> {
    let was_on: Option<Option<OffsetDateTime>> = sqlx::query_scalar(
        "delete from user_second_factors where user_id = $1 returning confirmed_at",
    )
    .bind(user)
    .fetch_optional(&mut **tx)
    .await?;
    sqlx::query("delete from user_recovery_codes where user_id = $1")
        .bind(user)
        .execute(&mut **tx)
        .await?;
    Ok(matches!(was_on, Some(Some(_))))
}

async fn event(
    tx: &mut Transaction<'_, Postgres>,
    actor: &SiteActor,
    user: &User,
    action: &str,
) -> Result<()> {
    record(tx, actor, action, ("user", user.id), json!({"login": user.login})).await
}
