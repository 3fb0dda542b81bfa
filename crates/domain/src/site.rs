//! What site administrators do (users and teams), and the site's own audit chain.
//!
//! The site chain is one more chain in `audit_events`, under [`SITE_CHAIN`] (the nil
//! UUID, which no team can have: see the migration `…14_site_admin.sql`). So append,
//! the hash chain and verification are the team code, unchanged; only the key differs.
//! Every change here appends its event in the same transaction as the change.

mod list;
mod teams;
mod users;

use std::net::IpAddr;

use serde_json::Value;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::Result;
use crate::audit::{self, AuditEventDraft, Outcome, SessionHash, VerifyReport};

pub use list::{SiteEvent, TeamRow, UserRow, UsersPage, events, teams_overview, users_page};
pub use teams::{NOT_EMPTY, create_team, delete_team, rename_team};
pub use users::{
    add_user_with_password, create_user, issue_setup_link, set_disabled, set_password,
    set_site_admin,
};

/// The `team_id` of the site's audit events.
pub const SITE_CHAIN: Uuid = Uuid::nil();

/// Refused when it would leave no enabled site administrator.
pub const LAST_SITE_ADMIN: &str =
    "the site needs at least one enabled site administrator: make someone else one first";

/// Refused: a site administrator disabling their own account.
pub const NOT_YOURSELF: &str = "you cannot disable yourself";
/// Refused: a setup link for yourself (your account page changes your password).
pub const OWN_PASSWORD: &str = "change your own password on your account page";
/// Refused: a setup link for a disabled user.
pub const USER_DISABLED: &str = "the user is disabled: enable them first";

/// Who acts on the site: a signed-in site administrator (with the request's facts) or the
/// command line (no user; named after the machine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteActor {
    pub user_id: Option<Uuid>,
    pub name: String,
    pub source_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub session_hash: Option<SessionHash>,
    pub panel_request_id: Option<String>,
}

impl SiteActor {
    /// The command line, e.g. "command line on build-01".
    pub fn command_line(name: impl Into<String>) -> SiteActor {
        SiteActor {
            user_id: None,
            name: name.into(),
            source_ip: None,
            user_agent: None,
            session_hash: None,
            panel_request_id: None,
        }
    }

    fn is(&self, user: Uuid) -> bool {
        self.user_id == Some(user)
    }
}

/// Appends one site event in the caller's transaction. `params` must hold no secret (it is
/// redacted on append anyway).
pub(crate) async fn record(
    tx: &mut Transaction<'_, Postgres>,
    actor: &SiteActor,
    action: &str,
    target: (&str, Uuid),
    params: Value,
) -> Result<()> {
    let draft = AuditEventDraft {
        actor_user_id: actor.user_id,
        actor_name: Some(actor.name.clone()),
        source_ip: actor.source_ip,
        user_agent: actor.user_agent.clone(),
        session_hash: actor.session_hash.clone(),
        panel_request_id: actor.panel_request_id.clone(),
        target_kind: Some(target.0.to_owned()),
        target_ids: vec![target.1.to_string()],
        params,
        ..AuditEventDraft::new(SITE_CHAIN, action, Outcome::Succeeded)
    };
    audit::append_in(tx, draft).await?;
    Ok(())
}

/// Walks the site chain.
pub async fn verify(pool: &PgPool) -> Result<VerifyReport> {
    audit::verify(pool, SITE_CHAIN).await
}

/// Chains of teams that were deleted: their events stay (the log is append-only), so
/// `lightdeck audit verify` still walks them.
pub async fn deleted_team_chains(pool: &PgPool) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "select distinct e.team_id from audit_events e \
         where e.team_id <> $1 and not exists (select 1 from teams t where t.id = e.team_id) \
         order by 1",
    )
    .bind(SITE_CHAIN)
    .fetch_all(pool)
    .await?)
}

/// Serialises every change that could leave the site without an enabled administrator
/// (two administrators revoking each other at once: the second waits, then sees the first's
/// change). Transaction-scoped; counts read after it see every earlier holder's commit.
async fn lock_admins(tx: &mut Transaction<'_, Postgres>) -> Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtext('lightdeck.site_admins'))")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Enabled site administrators other than `user`.
async fn other_admins(tx: &mut Transaction<'_, Postgres>, user: Uuid) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "select count(*) from users where site_admin and not disabled and id <> $1",
    )
    .bind(user)
    .fetch_one(&mut **tx)
    .await?)
}
