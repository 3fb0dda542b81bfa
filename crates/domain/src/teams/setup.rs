//! A new person for a team: the owner gives a login, a name and a role; the panel creates
//! the user without a usable password and a one-time setup link (single use, 24 hours,
//! only its SHA-256 stored) that the owner hands over. The person sets their own password
//! there. No e-mail is involved.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::insert_member;
use crate::actions::RequestContext;
use crate::audit::{self, AuditEventDraft, Outcome};
use crate::db::violated_unique;
use crate::policy::Role;
use crate::values::{DisplayName, LoginName, Password};
use crate::{Error, Result};

/// How long a setup link works.
pub const SETUP_LINK_VALID: time::Duration = time::Duration::hours(24);

/// A stored password hash no password matches (not a PHC string): the user cannot sign in
/// until they set one through their link.
pub(crate) const NO_PASSWORD: &str = "!";

/// The secret part of a setup link. Shown once; `Debug` hides it.
pub struct SetupToken(SecretString);

impl SetupToken {
    fn new() -> SetupToken {
        SetupToken(SecretString::from(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())))
    }

    /// The token as it goes into the link.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for SetupToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupToken([REDACTED])")
    }
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates the user, makes them a member with `role` and returns their setup link's
/// token, all in one transaction with the team's audit event.
pub async fn add_new_person(
    pool: &PgPool,
    team: Uuid,
    login: &LoginName,
    name: &DisplayName,
    role: Role,
    actor: &RequestContext,
    now: OffsetDateTime,
) -> Result<(Uuid, SetupToken)> {
    let mut tx = pool.begin().await?;
    let user = Uuid::new_v4();
    sqlx::query(
        "insert into users (id, login, display_name, password_hash) values ($1, $2, $3, $4)",
    )
    .bind(user)
    .bind(login.as_str())
    .bind(name.as_str())
    .bind(NO_PASSWORD)
    .execute(&mut *tx)
    .await
    .map_err(|e| match violated_unique(&e) {
        Some("users_login_key") => Error::field(LoginName::FIELD, "this login is taken"),
        _ => e.into(),
    })?;
    insert_member(&mut tx, team, user, role).await?;
    sqlx::query(
        "update memberships set added_by = $3, added_by_name = $4 where team_id = $1 and user_id = $2",
    )
    .bind(team)
    .bind(user)
    .bind(actor.actor_user_id)
    .bind(&actor.actor_name)
    .execute(&mut *tx)
    .await?;
    let token = insert_link(&mut tx, user, Some(actor.actor_user_id), now).await?;
    let draft = AuditEventDraft {
        target_kind: Some("user".to_owned()),
        target_ids: vec![user.to_string()],
        params: json!({"login": login.as_str(), "role": role.as_str(), "new_user": true}),
        ..AuditEventDraft::by(actor, team, "team.member.added", Outcome::Succeeded)
    };
    audit::append_in(&mut tx, draft).await?;
    tx.commit().await?;
    Ok((user, token))
}

/// A new link for `user`, in the caller's transaction. Not tied to a team: a team owner
/// adding a new person and a site administrator (or the command line, `created_by` None)
/// issue the same kind of link.
pub(crate) async fn insert_link(
    tx: &mut Transaction<'_, Postgres>,
    user: Uuid,
    created_by: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<SetupToken> {
    let token = SetupToken::new();
    sqlx::query(
        "insert into setup_links (token_hash, user_id, created_by, expires_at) values ($1, $2, $3, $4)",
    )
    .bind(hash(token.expose()))
    .bind(user)
    .bind(created_by)
    .bind(now + SETUP_LINK_VALID)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Ends every unused link of `user` (a new one replaces them; a disabled user keeps none).
pub(crate) async fn expire_links(
    tx: &mut Transaction<'_, Postgres>,
    user: Uuid,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query("update setup_links set used_at = $2 where user_id = $1 and used_at is null")
        .bind(user)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whose link it is, while it still works; [`Error::NotFound`] for an unknown, used or
/// expired one (the page need not tell which).
pub async fn setup_login(pool: &PgPool, token: &str, now: OffsetDateTime) -> Result<String> {
    let login: Option<String> = sqlx::query_scalar(
        "select u.login from setup_links l join users u on u.id = l.user_id \
         where l.token_hash = $1 and l.used_at is null and l.expires_at > $2 and not u.disabled",
    )
    .bind(hash(token))
    .bind(now)
    .fetch_optional(pool)
    .await?;
    login.ok_or(Error::NotFound)
}

/// Sets the password through a link, once: the link is used up in the same transaction
/// (two tabs submitting at once: one wins, the other gets [`Error::NotFound`]).
pub async fn use_setup_link(
    pool: &PgPool,
    token: &str,
    password: &Password,
    now: OffsetDateTime,
) -> Result<String> {
    let hashed = crate::users::hash_new_password(password).await?;
    let mut tx = pool.begin().await?;
    let user: Option<(Uuid,)> = sqlx::query_as(
        "update setup_links set used_at = $2 \
         where token_hash = $1 and used_at is null and expires_at > $2 returning user_id",
    )
    .bind(hash(token))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let (user,) = user.ok_or(Error::NotFound)?;
    let login: Option<String> = sqlx::query_scalar(
        "update users set password_hash = $2, password_changed_at = now(), \
         session_epoch = session_epoch + 1 where id = $1 and not disabled returning login",
    )
    .bind(user)
    .bind(hashed)
    .fetch_optional(&mut *tx)
    .await?;
    let login = login.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(login)
}
