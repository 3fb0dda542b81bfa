//! Other people's say: a site administrator resets a user's second factor (a lost phone
//! and no recovery codes left), and a team's owner requires one of every member.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::actions::RequestContext;
use crate::audit::{self, AuditEventDraft, Outcome};
use crate::site::{SiteActor, record};
use crate::{Error, Result};

/// Refused: a site administrator resetting their own second factor (their account page
/// turns it off, with a code).
pub const OWN_SECOND_FACTOR: &str = "turn your own second factor off on your account page";
/// Refused: requiring a second factor of a team's members without having one yourself
/// (the requirement would shut you out of the team at once).
pub const ENROL_FIRST: &str = "set up your own second factor before requiring one";

/// Turns `user`'s second factor off (secret and recovery codes deleted) and ends every
/// session of theirs, so whoever holds one signs in again, with a password only until a
/// new factor is set up. Whether one was on: if not, nothing changes and nothing is
/// recorded. `Error::NotFound` for an unknown user.
pub async fn reset(pool: &PgPool, user: Uuid, actor: &SiteActor) -> Result<bool> {
    if actor.user_id == Some(user) {
        return Err(Error::Rule(OWN_SECOND_FACTOR.into()));
    }
    let mut tx = pool.begin().await?;
    let login: String = sqlx::query_scalar("select login from users where id = $1 for update")
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
    if !super::enrol::remove(&mut tx, user).await? {
        // Only a secret being set up (or nothing) was there: gone now, but not worth an
        // event, and no session needs to end for it.
        tx.commit().await?;
        return Ok(false);
    }
    sqlx::query("update users set session_epoch = session_epoch + 1 where id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await?;
    record(&mut tx, actor, "user.second_factor.reset", ("user", user), json!({"login": login}))
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Requires (or stops requiring) a second factor of `team`'s members; whether that changed
/// anything. The event goes to the team's audit log ("alice required a second factor for
/// team Demo"). Requiring it takes one of your own (`Error::Rule(ENROL_FIRST)`).
pub async fn set_team_requirement(
    pool: &PgPool,
    team: Uuid,
    required: bool,
    actor: &RequestContext,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let row: Option<(String, bool)> =
        sqlx::query_as("select name, require_second_factor from teams where id = $1 for update")
            .bind(team)
            .fetch_optional(&mut *tx)
            .await?;
    let (name, was) = row.ok_or(Error::NotFound)?;
    if was == required {
        return Ok(false);
    }
    if required {
        let has_one: bool = sqlx::query_scalar(
            "select exists(select 1 from user_second_factors \
             where user_id = $1 and confirmed_at is not null)",
        )
        .bind(actor.actor_user_id)
        .fetch_one(&mut *tx)
        .await?;
        if !has_one {
            return Err(Error::Rule(ENROL_FIRST.into()));
        }
    }
    sqlx::query("update teams set require_second_factor = $2 where id = $1")
        .bind(team)
        .bind(required)
        .execute(&mut *tx)
        .await?;
    let action =
        if required { "team.second_factor.required" } else { "team.second_factor.not_required" };
    let draft = AuditEventDraft {
        target_kind: Some("team".to_owned()),
        target_ids: vec![team.to_string()],
        params: json!({"team": name}),
        ..AuditEventDraft::by(actor, team, action, Outcome::Succeeded)
    };
    audit::append_in(&mut tx, draft).await?;
    tx.commit().await?;
    Ok(true)
}
