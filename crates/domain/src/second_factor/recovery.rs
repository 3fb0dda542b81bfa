//! Recovery codes: ten per user, each good for one sign-in without the app.
//!
//! A code is 16 characters of Crockford's base32 (80 random bits), shown in groups of four
//! ("7k2m-q9xd-…"). Stored as HMAC-SHA256 under a key derived from the user's TOTP secret,
//! not argon2: argon2's cost protects low-entropy passwords from guessing offline, but 80
//! random bits cannot be guessed even at a fast hash's speed, and without the key — the
//! secret is sealed with the master key, which is not in the database — not at all. So
//! checking a code costs microseconds instead of 19 MiB and tens of milliseconds, and needs
//! no place in the password gate. The key is the secret's rather than the master key's so
//! that a master key rotation (which re-seals the secret, unchanged) keeps the codes valid.

use std::fmt;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;
use sqlx::{PgConnection, Postgres, Transaction};
use time::OffsetDateTime;
use totp_rs::Totp;
use uuid::Uuid;

use super::Check;
use crate::Result;

/// Codes per user.
pub const COUNT: usize = 10;
const LEN: usize = 16;
/// Crockford's base32: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const PURPOSE: &[u8] = b"lightdeck second-factor recovery codes v1";

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key)
        .expect("HMAC-SHA256 accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The key a user's recovery codes are hashed with: HMAC-SHA256(TOTP secret, purpose), so
/// it is a key of its own, not the secret the app's codes are made with.
pub(super) struct Key(SecretBox<[u8; 32]>);

impl Key {
    pub(super) fn of(totp: &Totp) -> Key {
        Key(SecretBox::new(Box::new(hmac_sha256(totp.secret().as_bytes(), &[PURPOSE]))))
    }

    fn hash(&self, user: Uuid, code: &str) -> Vec<u8> {
        hmac_sha256(self.0.expose_secret(), &[user.as_bytes(), code.as_bytes()]).to_vec()
    }
}

/// New recovery codes, to show once. `Debug` shows how many, never the codes.
pub struct RecoveryCodes(Vec<SecretString>);

impl RecoveryCodes {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(ExposeSecret::expose_secret)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecoveryCodes({} codes, [REDACTED])", self.0.len())
    }
}

fn generate() -> String {
    let mut out = String::with_capacity(LEN + LEN / 4);
    // 256 is a multiple of 32: the low five bits of a random byte are uniform.
    for (i, byte) in rand::random::<[u8; LEN]>().into_iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(byte & 31)]));
    }
    out
}

/// The code as stored: lowercase, without separators, Crockford's look-alikes read as
/// digits; `None` if it cannot be one of ours.
fn normalize(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(LEN);
    for c in typed.chars() {
        let c = match c.to_ascii_lowercase() {
            '-' | ' ' | '\u{a0}' | '\t' => continue,
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || out.len() == LEN {
            return None;
        }
        out.push(c);
    }
    (out.len() == LEN).then_some(out)
}

/// Replaces the user's recovery codes with [`COUNT`] new ones.
pub(super) async fn replace(
    tx: &mut Transaction<'_, Postgres>,
    key: &Key,
    user: Uuid,
    now: OffsetDateTime,
) -> Result<RecoveryCodes> {
    sqlx::query("delete from user_recovery_codes where user_id = $1")
        .bind(user)
        .execute(&mut **tx)
        .await?;
    let mut codes = Vec::with_capacity(COUNT);
    while codes.len() < COUNT {
        let code = generate();
        let normalized = normalize(&code).expect("a generated code reads back");
        // Two equal codes in 80 bits will not happen; if they did, the key keeps one.
        let inserted = sqlx::query(
            "insert into user_recovery_codes (user_id, code_hash, created_at) \
             values ($1, $2, $3) on conflict do nothing",
        )
        .bind(user)
        .bind(key.hash(user, &normalized))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() == 1 {
            codes.push(SecretString::from(code));
        }
    }
    Ok(RecoveryCodes(codes))
}

/// Uses up `typed` if it is one of the user's unused recovery codes (the caller holds the
/// user's second-factor row locked, so two uses of one code cannot both succeed).
pub(super) async fn use_code(
    conn: &mut PgConnection,
    key: &Key,
    user: Uuid,
    typed: &str,
    now: OffsetDateTime,
) -> Result<Check> {
    let Some(code) = normalize(typed) else { return Ok(Check::Wrong) };
    let digest = key.hash(user, &code);
    let used_now = sqlx::query(
        "update user_recovery_codes set used_at = $3 \
         where user_id = $1 and code_hash = $2 and used_at is null",
    )
    .bind(user)
    .bind(&digest)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if used_now.rows_affected() == 1 {
        return Ok(Check::Recovery);
    }
    let used_before: bool = sqlx::query_scalar(
        "select exists(select 1 from user_recovery_codes where user_id = $1 and code_hash = $2)",
    )
    .bind(user)
    .bind(&digest)
    .fetch_one(&mut *conn)
    .await?;
    Ok(if used_before { Check::Used } else { Check::Wrong })
}

/// Recovery codes not used yet.
pub(super) async fn left(conn: &mut PgConnection, user: Uuid) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "select count(*) from user_recovery_codes where user_id = $1 and used_at is null",
    )
    .bind(user)
    .fetch_one(conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_as_typed_in_many_ways() {
        let code = generate();
        assert_eq!(code.len(), 19, "{code}");
        let stored = normalize(&code).unwrap();
        assert_eq!(normalize(&code.to_uppercase()).as_deref(), Some(stored.as_str()));
        assert_eq!(normalize(&code.replace('-', " ")).as_deref(), Some(stored.as_str()));
        assert_eq!(normalize(&stored).as_deref(), Some(stored.as_str()));
        assert_eq!(normalize("0O1I-lL00-0000-0000").as_deref(), Some("0011110000000000"));
        for bad in ["", "123456", "uuuu-uuuu-uuuu-uuuu", "0000-0000-0000-00000", "０000-0000"] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn debug_names_no_code() {
        let codes = RecoveryCodes(vec![SecretString::from(generate())]);
        let debug = format!("{codes:?}");
        assert!(!debug.contains(codes.iter().next().unwrap()), "{debug}");
    }
}
