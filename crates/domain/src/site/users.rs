//! Users, as a site administrator (or the command line) manages them. Each change and its
//! site audit event commit together; no event holds a password or a setup token.

use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    LAST_SITE_ADMIN, NOT_YOURSELF, OWN_PASSWORD, SiteActor, USER_DISABLED, lock_admins,
    other_admins, record,
};
use crate::teams::setup::{NO_PASSWORD, SetupToken, expire_links, insert_link};
use crate::users::{self, NewUser, User};
use crate::values::{DisplayName, Language, LoginName, Password};
use crate::{Error, Result};

/// The user, locked for this transaction; `NotFound` for an unknown id.
async fn lock_user(tx: &mut Transaction<'_, Postgres>, id: Uuid) -> Result<(String, bool, bool)> {
    sqlx::query_as("select login, site_admin, disabled from users where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(Error::NotFound)
}

/// A new user without a usable password, and their one-time setup link.
pub async fn create_user(
    pool: &PgPool,
    login: &LoginName,
    name: &DisplayName,
    language: Language,
    actor: &SiteActor,
    now: OffsetDateTime,
) -> Result<(User, SetupToken)> {
    let mut tx = pool.begin().await?;
    let user = users::insert(&mut tx, login, name, NO_PASSWORD, false, language).await?;
    let token = insert_link(&mut tx, user.id, actor.user_id, now).await?;
    let params =
        json!({"login": user.login, "name": user.display_name, "language": language.as_str()});
    record(&mut tx, actor, "user.created", ("user", user.id), params).await?;
    tx.commit().await?;
    Ok((user, token))
}

/// `lightdeck user add`: a user with a password given on the command line.
pub async fn add_user_with_password(
    pool: &PgPool,
    new: NewUser,
    actor: &SiteActor,
) -> Result<User> {
    let hash = users::hash_new_password(&new.password).await?;
    let mut tx = pool.begin().await?;
    let user =
        users::insert(&mut tx, &new.login, &new.display_name, &hash, new.site_admin, new.language)
            .await?;
    let params = json!({
        "login": user.login, "name": user.display_name, "language": new.language.as_str(),
        "site_admin": user.site_admin,
    });
    record(&mut tx, actor, "user.created", ("user", user.id), params).await?;
    tx.commit().await?;
    Ok(user)
}

/// `lightdeck user passwd`: a new password; every session of the user ends.
pub async fn set_password(
    pool: &PgPool,
    id: Uuid,
    password: &Password,
    actor: &SiteActor,
) -> Result<()> {
    let hash = users::hash_new_password(password).await?;
    let mut tx = pool.begin().await?;
    let (login, _, _) = lock_user(&mut tx, id).await?;
    sqlx::query(
        "update users set password_hash = $2, password_changed_at = now(), \
         session_epoch = session_epoch + 1 where id = $1",
    )
    .bind(id)
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    record(&mut tx, actor, "user.password_set", ("user", id), json!({"login": login})).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables or enables a user. Disabling moves their session epoch on, so every open
/// session ends at its next request (and stays ended if they are enabled again), and ends
/// their unused setup links. Nobody disables themselves, nor the last enabled site
/// administrator. No change, no event.
pub async fn set_disabled(
    pool: &PgPool,
    id: Uuid,
    disabled: bool,
    actor: &SiteActor,
    now: OffsetDateTime,
) -> Result<()> {
    if disabled && actor.is(id) {
        return Err(Error::Rule(NOT_YOURSELF.into()));
    }
    let mut tx = pool.begin().await?;
    lock_admins(&mut tx).await?;
    let (login, site_admin, was) = lock_user(&mut tx, id).await?;
    if was == disabled {
        return Ok(());
    }
    if disabled && site_admin && other_admins(&mut tx, id).await? == 0 {
        return Err(Error::Rule(LAST_SITE_ADMIN.into()));
    }
    sqlx::query(
        "update users set disabled = $2, disabled_at = case when $2 then $3 end, \
         session_epoch = session_epoch + case when $2 then 1 else 0 end where id = $1",
    )
    .bind(id)
    .bind(disabled)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if disabled {
        expire_links(&mut tx, id, now).await?;
    }
    let action = if disabled { "user.disabled" } else { "user.enabled" };
    record(&mut tx, actor, action, ("user", id), json!({"login": login})).await?;
    tx.commit().await?;
    Ok(())
}

/// A new setup link: a password reset. The old password stops working at once and every
/// open session ends (whoever may know the old password is shut out, not only the user);
/// earlier unused links end too. Not for a disabled user, nor for yourself (your own
/// account page changes your password).
pub async fn issue_setup_link(
    pool: &PgPool,
    id: Uuid,
    actor: &SiteActor,
    now: OffsetDateTime,
) -> Result<SetupToken> {
    if actor.is(id) {
        return Err(Error::Rule(OWN_PASSWORD.into()));
    }
    let mut tx = pool.begin().await?;
    let (login, _, disabled) = lock_user(&mut tx, id).await?;
    if disabled {
        return Err(Error::Rule(USER_DISABLED.into()));
    }
    sqlx::query(
        "update users set password_hash = $2, password_changed_at = $3, \
         session_epoch = session_epoch + 1 where id = $1",
    )
    .bind(id)
    .bind(NO_PASSWORD)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    expire_links(&mut tx, id, now).await?;
    let token = insert_link(&mut tx, id, actor.user_id, now).await?;
    record(&mut tx, actor, "user.setup_link_issued", ("user", id), json!({"login": login})).await?;
    tx.commit().await?;
    Ok(token)
}

/// Grants or revokes site administration; never leaves the site without an enabled site
/// administrator. No change, no event.
pub async fn set_site_admin(
    pool: &PgPool,
    id: Uuid,
    site_admin: bool,
    actor: &SiteActor,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    lock_admins(&mut tx).await?;
    let (login, was, disabled) = lock_user(&mut tx, id).await?;
    if was == site_admin {
        return Ok(());
    }
    if !site_admin && !disabled && other_admins(&mut tx, id).await? == 0 {
        return Err(Error::Rule(LAST_SITE_ADMIN.into()));
    }
    sqlx::query("update users set site_admin = $2 where id = $1")
        .bind(id)
        .bind(site_admin)
        .execute(&mut *tx)
        .await?;
    let action = if site_admin { "user.site_admin.granted" } else { "user.site_admin.revoked" };
    record(&mut tx, actor, action, ("user", id), json!({"login": login})).await?;
    tx.commit().await?;
    Ok(())
}
