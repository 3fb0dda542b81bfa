//! Sealing secrets for storage, the one way they leave the crate (as `Credentials`), and
//! re-sealing after a key rotation.

use lightdeck_huaweicloud::{AkSk, Credentials, IamPassword};
use secrecy::ExposeSecret;
use sqlx::PgPool;
use uuid::Uuid;

use super::{IAM_PASSWORD, NewAkSk, NewIamUser, SK, TABLE, found, no_credentials};
use crate::crypto::{Keyring, Sealed, binding};
use crate::{Error, Result};

/// Both kinds of credentials as the columns hold them: identifiers in the clear, secrets
/// sealed and bound to their row and column.
pub(super) struct SealedCredentials {
    pub(super) ak: Option<String>,
    pub(super) sk: Option<Sealed>,
    pub(super) iam_user: Option<String>,
    pub(super) iam_password: Option<Sealed>,
}

pub(super) fn seal_credentials(
    keyring: &Keyring,
    id: Uuid,
    aksk: Option<&NewAkSk>,
    iam: Option<&NewIamUser>,
) -> Result<SealedCredentials> {
    if aksk.is_none() && iam.is_none() {
        return Err(no_credentials());
    }
    let sk = aksk
        .map(|k| keyring.seal(k.secret_access_key.expose(), &binding(TABLE, id, SK)))
        .transpose()?;
    let iam_password = iam
        .map(|u| keyring.seal(u.password.expose(), &binding(TABLE, id, IAM_PASSWORD)))
        .transpose()?;
    Ok(SealedCredentials {
        ak: aksk.map(|k| k.access_key_id.as_str().to_owned()),
        sk,
        iam_user: iam.map(|u| u.user_name.as_str().to_owned()),
        iam_password,
    })
}

/// Replaces both kinds of credentials at once (a kind left `None` is removed).
pub async fn replace_credentials(
    pool: &PgPool,
    keyring: &Keyring,
    team: Uuid,
    id: Uuid,
    aksk: Option<&NewAkSk>,
    iam: Option<&NewIamUser>,
) -> Result<()> {
    let sealed = seal_credentials(keyring, id, aksk, iam)?;
    let done = sqlx::query(
        "update cloud_accounts set access_key_id = $3, secret_key_key_id = $4,
             secret_key_sealed = $5, iam_user_name = $6, iam_password_key_id = $7,
             iam_password_sealed = $8, updated_at = now()
         where team_id = $1 and id = $2 and removed_at is null",
    )
    .bind(team)
    .bind(id)
    .bind(&sealed.ak)
    .bind(sealed.sk.as_ref().map(|s| &s.key_id))
    .bind(sealed.sk.as_ref().map(|s| &s.data))
    .bind(&sealed.iam_user)
    .bind(sealed.iam_password.as_ref().map(|s| &s.key_id))
    .bind(sealed.iam_password.as_ref().map(|s| &s.data))
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

#[derive(sqlx::FromRow)]
struct SecretRow {
    domain_name: String,
    access_key_id: Option<String>,
    secret_key_key_id: Option<String>,
    secret_key_sealed: Option<Vec<u8>>,
    iam_user_name: Option<String>,
    iam_password_key_id: Option<String>,
    iam_password_sealed: Option<Vec<u8>>,
}

const SECRET_COLUMNS: &str = "domain_name, access_key_id, secret_key_key_id, secret_key_sealed,
    iam_user_name, iam_password_key_id, iam_password_sealed";

fn sealed(key_id: &Option<String>, data: &Option<Vec<u8>>) -> Option<Sealed> {
    Some(Sealed { key_id: key_id.clone()?, data: data.clone()? })
}

/// The account's credentials in the clear, for the Huawei Cloud client. The only way
/// secrets leave this crate.
pub async fn credentials(pool: &PgPool, keyring: &Keyring, account: Uuid) -> Result<Credentials> {
    let row: SecretRow =
        sqlx::query_as(&format!("select {SECRET_COLUMNS} from cloud_accounts where id = $1"))
            .bind(account)
            .fetch_optional(pool)
            .await?
            .ok_or(Error::NotFound)?;
    let aksk = match (&row.access_key_id, sealed(&row.secret_key_key_id, &row.secret_key_sealed)) {
        (Some(ak), Some(sk)) => {
            let sk = keyring.open(&sk, &binding(TABLE, account, SK))?;
            Some(AkSk::new(ak.clone(), sk.expose_secret()))
        }
        _ => None,
    };
    let iam = match (&row.iam_user_name, sealed(&row.iam_password_key_id, &row.iam_password_sealed))
    {
        (Some(user), Some(pw)) => {
            let pw = keyring.open(&pw, &binding(TABLE, account, IAM_PASSWORD))?;
            Some(IamPassword::new(row.domain_name.clone(), user.clone(), pw.expose_secret()))
        }
        _ => None,
    };
    Credentials::new(aksk, iam).map_err(|_| no_credentials())
}

/// Re-seals every secret not sealed with the keyring's current key (after a key rotation:
/// the new key in `LIGHTDECK_MASTER_KEY`, the old one in `LIGHTDECK_OLD_MASTER_KEYS`).
/// Returns how many secrets were re-sealed.
pub async fn reencrypt_all(pool: &PgPool, keyring: &Keyring) -> Result<u64> {
    let ids: Vec<(Uuid,)> = sqlx::query_as(
        "select id from cloud_accounts
         where secret_key_key_id <> $1 or iam_password_key_id <> $1",
    )
    .bind(keyring.current_id())
    .fetch_all(pool)
    .await?;
    let mut count = 0;
    for (id,) in ids {
        let mut tx = pool.begin().await?;
        let row: SecretRow = sqlx::query_as(&format!(
            "select {SECRET_COLUMNS} from cloud_accounts where id = $1 for update"
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        for (column, old) in [
            (SK, sealed(&row.secret_key_key_id, &row.secret_key_sealed)),
            (IAM_PASSWORD, sealed(&row.iam_password_key_id, &row.iam_password_sealed)),
        ] {
            let Some(old) = old.filter(|s| !keyring.is_current(s)) else {
                continue;
            };
            let place = binding(TABLE, id, column);
            let new = keyring.seal(keyring.open(&old, &place)?.expose_secret(), &place)?;
            // Column names come from the two constants above, never from input.
            sqlx::query(&format!(
                "update cloud_accounts set {column}_key_id = $2, {column}_sealed = $3 where id = $1"
            ))
            .bind(id)
            .bind(&new.key_id)
            .bind(&new.data)
            .execute(&mut *tx)
            .await?;
            count += 1;
        }
        tx.commit().await?;
    }
    Ok(count)
}
