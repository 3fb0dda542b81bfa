//! A team's accounts as its owners change them (the accounts page) or the command line
//! does (`lightdeck account add`): each change and its team audit event commit together,
//! and the event holds no secret (the AK only by its last four characters).

use lightdeck_huaweicloud::{ProjectId, Region};
use serde_json::{Value, json};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{
    Account, NewAccount, NewAkSk, NewIamUser, insert_in, replace_regions, seal_credentials,
};
use crate::actions::RequestContext;
use crate::audit::{self, AuditEventDraft, Outcome};
use crate::crypto::Keyring;
use crate::values::AccountName;
use crate::{Error, Result};

/// Who made a change, as the audit event names them.
#[derive(Debug, Clone)]
pub enum ChangedBy<'a> {
    /// A member in the browser.
    Member(&'a RequestContext),
    /// A tool with no signed-in person, e.g. "command line on web-01".
    Tool(String),
}

impl ChangedBy<'_> {
    fn event(&self, team: Uuid, action: &str, account: Uuid, params: Value) -> AuditEventDraft {
        let base = match self {
            ChangedBy::Member(actor) => {
                AuditEventDraft::by(actor, team, action, Outcome::Succeeded)
            }
            ChangedBy::Tool(name) => AuditEventDraft {
                actor_name: Some(name.clone()),
                ..AuditEventDraft::new(team, action, Outcome::Succeeded)
            },
        };
        AuditEventDraft {
            target_kind: Some("cloud_account".to_owned()),
            target_ids: vec![account.to_string()],
            account_id: Some(account),
            params,
            ..base
        }
    }
}

/// The last four characters of an AK: enough to tell keys apart, never the whole key.
pub fn ak_tail(ak: &str) -> String {
    let chars: Vec<char> = ak.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

fn region_ids(regions: &[(Region, ProjectId)]) -> Vec<&'static str> {
    regions.iter().map(|(r, _)| r.id()).collect()
}

fn credential_params(aksk: Option<&NewAkSk>, iam: Option<&NewIamUser>) -> Value {
    json!({
        "ak_last4": aksk.map(|k| ak_tail(k.access_key_id.as_str())),
        "iam_user": iam.map(|u| u.user_name.as_str()),
    })
}

/// Connects a verified account to `team` ([`super::verify`] first), with its event.
pub async fn connect(
    pool: &PgPool,
    keyring: &Keyring,
    team: Uuid,
    new: NewAccount,
    by: &ChangedBy<'_>,
) -> Result<Account> {
    let mut params = credential_params(new.aksk.as_ref(), new.iam_user.as_ref());
    params["name"] = json!(new.name.as_str());
    params["domain_name"] = json!(new.domain_name.as_str());
    params["domain_id"] = json!(new.domain_id.as_ref().map(|d| d.as_str()));
    params["regions"] = json!(region_ids(&new.regions));
    let mut tx = pool.begin().await?;
    let account = insert_in(&mut tx, keyring, team, new).await?;
    let event = by.event(team, "account.connected", account.id, params);
    audit::append_in(&mut tx, event).await?;
    tx.commit().await?;
    Ok(account)
}

/// Locks a live account of `team` and returns its name (another team's is `NotFound`).
async fn lock(tx: &mut Transaction<'_, Postgres>, team: Uuid, id: Uuid) -> Result<String> {
    sqlx::query_scalar(
        "select name from cloud_accounts where team_id = $1 and id = $2 and removed_at is null
         for update",
    )
    .bind(team)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(Error::NotFound)
}

async fn finish(
    mut tx: Transaction<'_, Postgres>,
    by: &ChangedBy<'_>,
    team: Uuid,
    action: &str,
    id: Uuid,
    params: Value,
) -> Result<()> {
    sqlx::query("update cloud_accounts set updated_at = now() where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::append_in(&mut tx, by.event(team, action, id, params)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn rename_by(
    pool: &PgPool,
    team: Uuid,
    id: Uuid,
    name: &AccountName,
    by: &ChangedBy<'_>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let old = lock(&mut tx, team, id).await?;
    if old == name.as_str() {
        return Ok(());
    }
    sqlx::query("update cloud_accounts set name = $2 where id = $1")
        .bind(id)
        .bind(name.as_str())
        .execute(&mut *tx)
        .await
        .map_err(super::name_taken)?;
    let params = json!({"from": old, "name": name.as_str()});
    finish(tx, by, team, "account.renamed", id, params).await
}

/// Replaces the enabled regions (their project ids found by [`super::verify`]).
pub async fn set_regions_by(
    pool: &PgPool,
    team: Uuid,
    id: Uuid,
    regions: &[(Region, ProjectId)],
    by: &ChangedBy<'_>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let name = lock(&mut tx, team, id).await?;
    replace_regions(&mut tx, id, regions).await?;
    // The sync no longer reads a region turned off: its instances leave the lists now.
    sqlx::query(
        "update instances set gone_at = now()
         where account_id = $1 and gone_at is null and region <> all($2)",
    )
    .bind(id)
    .bind(region_ids(regions))
    .execute(&mut *tx)
    .await?;
    let params = json!({"name": name, "regions": region_ids(regions)});
    finish(tx, by, team, "account.regions_changed", id, params).await
}

/// Replaces the credentials with new, verified ones (the old ones stay until this commits).
#[allow(clippy::too_many_arguments)]
pub async fn replace_credentials_by(
    pool: &PgPool,
    keyring: &Keyring,
    team: Uuid,
    id: Uuid,
    aksk: Option<&NewAkSk>,
    iam: Option<&NewIamUser>,
    domain_name: Option<&crate::values::DomainName>,
    by: &ChangedBy<'_>,
) -> Result<()> {
    let sealed = seal_credentials(keyring, id, aksk, iam)?;
    let mut tx = pool.begin().await?;
    let name = lock(&mut tx, team, id).await?;
    sqlx::query(
        "update cloud_accounts set access_key_id = $2, secret_key_key_id = $3,
             secret_key_sealed = $4, iam_user_name = $5, iam_password_key_id = $6,
             iam_password_sealed = $7, domain_name = coalesce($8, domain_name)
         where id = $1",
    )
    .bind(id)
    .bind(&sealed.ak)
    .bind(sealed.sk.as_ref().map(|s| &s.key_id))
    .bind(sealed.sk.as_ref().map(|s| &s.data))
    .bind(&sealed.iam_user)
    .bind(sealed.iam_password.as_ref().map(|s| &s.key_id))
    .bind(sealed.iam_password.as_ref().map(|s| &s.data))
    .bind(domain_name.map(|d| d.as_str()))
    .execute(&mut *tx)
    .await?;
    let mut params = credential_params(aksk, iam);
    params["name"] = json!(name);
    finish(tx, by, team, "account.credentials_replaced", id, params).await
}

/// Pauses or resumes the periodic sync; setting what already holds records nothing.
pub async fn set_paused(
    pool: &PgPool,
    team: Uuid,
    id: Uuid,
    paused: bool,
    by: &ChangedBy<'_>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let name = lock(&mut tx, team, id).await?;
    let changed = sqlx::query(
        "update cloud_accounts set sync_paused = $2 where id = $1 and sync_paused <> $2",
    )
    .bind(id)
    .bind(paused)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(());
    }
    let action = if paused { "account.paused" } else { "account.resumed" };
    finish(tx, by, team, action, id, json!({"name": name})).await
}

/// Removes an account softly: its keys are erased, it and its instances leave every list
/// and count, while the rows the audit log and the action history name stay. Returns how many live instances
/// went with it.
pub async fn remove(pool: &PgPool, team: Uuid, id: Uuid, by: &ChangedBy<'_>) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let name = lock(&mut tx, team, id).await?;
    // The keys go at once; nothing may sign with them any more.
    sqlx::query(
        "update cloud_accounts set removed_at = now(), sync_paused = true,
             access_key_id = null, secret_key_key_id = null, secret_key_sealed = null,
             iam_user_name = null, iam_password_key_id = null, iam_password_sealed = null
         where id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let gone = sqlx::query(
        "update instances set gone_at = now() where account_id = $1 and gone_at is null",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let params = json!({"name": name, "instances": gone});
    finish(tx, by, team, "account.removed", id, params).await?;
    Ok(gone)
}

/// How many live instances an account has in the inventory, per account of `team`.
pub async fn instance_counts(pool: &PgPool, team: Uuid) -> Result<Vec<(Uuid, i64)>> {
    Ok(sqlx::query_as(
        "select account_id, count(*) from instances
         where team_id = $1 and gone_at is null group by account_id",
    )
    .bind(team)
    .fetch_all(pool)
    .await?)
}
