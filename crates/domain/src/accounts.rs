//! The Huawei Cloud accounts a team has connected. Secrets (SK, IAM password) are sealed
//! with the keyring before they reach the database and leave this module in the clear only
//! as [`lightdeck_huaweicloud::Credentials`], for signing requests. Listing accounts never
//! returns secrets.

use lightdeck_huaweicloud::{ProjectId, Region};
use sqlx::{PgExecutor, PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

mod admin;
mod connect;
mod secrets;
mod sync;

pub use admin::{
    ChangedBy, ak_tail, connect, instance_counts, remove, rename_by, replace_credentials_by,
    set_paused, set_regions_by,
};
pub use connect::{ConnectError, Verified, client_credentials, discover_projects, verify};
use secrets::seal_credentials;
pub use secrets::{credentials, reencrypt_all, replace_credentials};
pub use sync::{
    SYNC_ERROR_MAX_CHARS, SyncFailure, SyncLease, SyncStatus, sync_status, try_begin_sync,
};

use crate::crypto::Keyring;
use crate::db::violated_unique;
use crate::rows::corrupt_in;
use crate::values::{self, AccessKeyId, AccountName, DomainName, IamUserName, SecretAccessKey};
use crate::{Error, Result};

const TABLE: &str = "cloud_accounts";
const SK: &str = "secret_key";
const IAM_PASSWORD: &str = "iam_password";

/// An access key pair as entered.
#[derive(Debug, Clone)]
pub struct NewAkSk {
    pub access_key_id: AccessKeyId,
    pub secret_access_key: SecretAccessKey,
}

/// An IAM user and password as entered.
#[derive(Debug, Clone)]
pub struct NewIamUser {
    pub user_name: IamUserName,
    pub password: values::IamPassword,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: AccountName,
    /// The Huawei account ("IAM domain") name.
    pub domain_name: DomainName,
    pub domain_id: Option<lightdeck_huaweicloud::DomainId>,
    pub aksk: Option<NewAkSk>,
    pub iam_user: Option<NewIamUser>,
    /// Enabled regions with the account's project id in each.
    pub regions: Vec<(Region, ProjectId)>,
}

/// An account without its secrets.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Account {
    pub id: Uuid,
    pub team_id: Uuid,
    pub name: String,
    pub domain_name: String,
    pub domain_id: Option<String>,
    /// The AK is an identifier, not a secret; pages show it so people can tell keys apart.
    pub access_key_id: Option<String>,
    pub iam_user_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Its owner paused the periodic sync (the sync loop skips it).
    pub sync_paused: bool,
    /// How its last inventory syncs went.
    #[sqlx(flatten)]
    pub sync: SyncStatus,
}

const COLUMNS: &str = "id, team_id, name, domain_name, domain_id, access_key_id, iam_user_name, created_at, updated_at, sync_paused, last_synced_at, last_sync_error_at, last_sync_error_code, last_sync_error_status, last_sync_error_message, sync_failures";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRegion {
    pub region: Region,
    pub project_id: ProjectId,
}

fn no_credentials() -> Error {
    Error::field(
        "credentials",
        "give an access key pair (AK/SK), an IAM user name and password, or both",
    )
}

fn name_taken(e: sqlx::Error) -> Error {
    match violated_unique(&e) {
        Some("cloud_accounts_team_name_key") => {
            Error::field(AccountName::FIELD, "this team already has an account with this name")
        }
        _ => match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::NotFound,
            _ => e.into(),
        },
    }
}

/// Connects an account to `team` (no audit event: fixtures and the demo; people go through
/// [`connect`]).
pub async fn create(
    pool: &PgPool,
    keyring: &Keyring,
    team: Uuid,
    new: NewAccount,
) -> Result<Account> {
    let mut tx = pool.begin().await?;
    let account = insert_in(&mut tx, keyring, team, new).await?;
    tx.commit().await?;
    Ok(account)
}

async fn insert_in(
    tx: &mut Transaction<'_, Postgres>,
    keyring: &Keyring,
    team: Uuid,
    new: NewAccount,
) -> Result<Account> {
    let id = Uuid::new_v4();
    let sealed = seal_credentials(keyring, id, new.aksk.as_ref(), new.iam_user.as_ref())?;
    let account: Account = sqlx::query_as(&format!(
        "insert into cloud_accounts (id, team_id, name, domain_name, domain_id, access_key_id,
             secret_key_key_id, secret_key_sealed, iam_user_name, iam_password_key_id,
             iam_password_sealed)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         returning {COLUMNS}"
    ))
    .bind(id)
    .bind(team)
    .bind(new.name.as_str())
    .bind(new.domain_name.as_str())
    .bind(new.domain_id.as_ref().map(|d| d.as_str()))
    .bind(&sealed.ak)
    .bind(sealed.sk.as_ref().map(|s| &s.key_id))
    .bind(sealed.sk.as_ref().map(|s| &s.data))
    .bind(&sealed.iam_user)
    .bind(sealed.iam_password.as_ref().map(|s| &s.key_id))
    .bind(sealed.iam_password.as_ref().map(|s| &s.data))
    .fetch_one(&mut **tx)
    .await
    .map_err(name_taken)?;
    replace_regions(tx, id, &new.regions).await?;
    Ok(account)
}

/// A team's accounts, by name.
pub async fn list(db: impl PgExecutor<'_>, team: Uuid) -> Result<Vec<Account>> {
    let sql = format!(
        "select {COLUMNS} from cloud_accounts where team_id = $1 and removed_at is null order by name"
    );
    Ok(sqlx::query_as(&sql).bind(team).fetch_all(db).await?)
}

/// Every account of every team (for the sync workers).
pub async fn list_all(pool: &PgPool) -> Result<Vec<Account>> {
    let sql = format!(
        "select {COLUMNS} from cloud_accounts where removed_at is null order by team_id, name"
    );
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

/// One account of `team`; an account of another team is `NotFound`.
pub async fn get(pool: &PgPool, team: Uuid, id: Uuid) -> Result<Account> {
    let sql = format!(
        "select {COLUMNS} from cloud_accounts where team_id = $1 and id = $2 and removed_at is null"
    );
    sqlx::query_as(&sql).bind(team).bind(id).fetch_optional(pool).await?.ok_or(Error::NotFound)
}

pub async fn rename(pool: &PgPool, team: Uuid, id: Uuid, name: &AccountName) -> Result<()> {
    let done = sqlx::query(
        "update cloud_accounts set name = $3, updated_at = now()
         where team_id = $1 and id = $2 and removed_at is null",
    )
    .bind(team)
    .bind(id)
    .bind(name.as_str())
    .execute(pool)
    .await
    .map_err(name_taken)?;
    found(done.rows_affected())
}

pub async fn delete(pool: &PgPool, team: Uuid, id: Uuid) -> Result<()> {
    let done = sqlx::query("delete from cloud_accounts where team_id = $1 and id = $2")
        .bind(team)
        .bind(id)
        .execute(pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::Rule(
                "this account still has records that refer to it and cannot be deleted".into(),
            ),
            _ => e.into(),
        })?;
    found(done.rows_affected())
}

/// The enabled regions of an account, in region order.
pub async fn regions(pool: &PgPool, account: Uuid) -> Result<Vec<AccountRegion>> {
    let rows: Vec<(Region, ProjectId)> = sqlx::query_as(
        "select region, project_id from cloud_account_regions where account_id = $1",
    )
    .bind(account)
    .fetch_all(pool)
    .await
    .map_err(corrupt_in("cloud_account_regions", account))?;
    let mut regions: Vec<AccountRegion> =
        rows.into_iter().map(|(region, project_id)| AccountRegion { region, project_id }).collect();
    regions.sort_by_key(|r| r.region);
    Ok(regions)
}

/// Sets the enabled regions of an account of `team` (replacing the previous list).
pub async fn set_regions(
    pool: &PgPool,
    team: Uuid,
    account: Uuid,
    regions: &[(Region, ProjectId)],
) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "select 1 from cloud_accounts where team_id = $1 and id = $2 and removed_at is null
         for update",
    )
    .bind(team)
    .bind(account)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    replace_regions(&mut tx, account, regions).await?;
    tx.commit().await?;
    Ok(())
}

async fn replace_regions(
    tx: &mut Transaction<'_, Postgres>,
    account: Uuid,
    regions: &[(Region, ProjectId)],
) -> Result<()> {
    for (i, (region, _)) in regions.iter().enumerate() {
        if regions[..i].iter().any(|(r, _)| r == region) {
            return Err(Error::field("region", format!("{} is listed twice", region.id())));
        }
    }
    sqlx::query("delete from cloud_account_regions where account_id = $1")
        .bind(account)
        .execute(&mut **tx)
        .await?;
    for (region, project) in regions {
        sqlx::query(
            "insert into cloud_account_regions (account_id, region, project_id) values ($1, $2, $3)",
        )
        .bind(account)
        .bind(region.id())
        .bind(project.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn found(rows: u64) -> Result<()> {
    if rows == 0 { Err(Error::NotFound) } else { Ok(()) }
}
