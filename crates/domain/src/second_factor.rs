//! A second factor for signing in: six-digit codes from an authenticator app (TOTP,
//! RFC 6238: HMAC-SHA-1, 30-second steps, one step of clock drift either way, as every app
//! reads them) and ten one-time recovery codes for a lost phone. The algorithm is
//! `totp-rs`'s; this module keeps the secret and the rules:
//!
//! - The secret is 160 random bits, sealed with the master key like cloud credentials
//!   ([`crate::crypto::Keyring::seal`], bound to its row and column); it is shown once, on
//!   the enrolment page ([`Enrolment`]), and never leaves this module otherwise.
//! - Enrolment takes effect only once a code from the app is typed ([`confirm_enrolment`]),
//!   within [`PENDING_FOR`], by whoever holds the enrolment's id (the session that started
//!   it): another session of the user is never shown the secret.
//! - A code is accepted once: the newest accepted time step is stored per user, and a code
//!   of that step or an older one is refused ([`Check::Used`]), so an overheard code cannot
//!   be replayed. A recovery code works once.
//! - Turning it on or off, new recovery codes and an administrator's reset are events of
//!   the site audit chain ("sam reset carol's second factor"); a team's requirement is an
//!   event of the team's chain. No event holds a secret or a code.

mod admin;
mod enrol;
mod recovery;

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

use crate::crypto::{Keyring, Sealed, binding};
use crate::{Error, Result};

pub use admin::{ENROL_FIRST, OWN_SECOND_FACTOR, reset, set_team_requirement};
pub use enrol::{
    ALREADY_ON, Confirmed, confirm_enrolment, disable, pending_enrolment,
    regenerate_recovery_codes, start_enrolment,
};
pub use recovery::{COUNT as RECOVERY_CODES, RecoveryCodes};

/// Seconds per code (RFC 6238's recommended step, and what authenticator apps assume).
pub const STEP_SECONDS: u64 = 30;
const DIGITS: u8 = 6;
/// Codes of the step before and after now are accepted too (RFC 6238 §5.2: clock drift and
/// the time it takes to type).
const SKEW: u16 = 1;
/// 160 bits, RFC 4226's recommended length.
const SECRET_BYTES: usize = 20;
/// The name authenticator apps show above the code.
const ISSUER: &str = "Lightdeck";

const TABLE: &str = "user_second_factors";
const COLUMN: &str = "sealed_secret";

/// How long a secret being set up may be confirmed (or shown again) after it was made:
/// long enough to install an app, short enough that a forgotten set-up does not keep a
/// secret waiting.
pub const PENDING_FOR: time::Duration = time::Duration::minutes(15);

/// What the enrolment page shows, once: the secret in base32 (typed into an app by hand)
/// and the `otpauth://` link a QR code carries. Either opens the second factor. The id
/// names this enrolment: only with it is the secret shown again or confirmed.
pub struct Enrolment {
    id: Uuid,
    secret: SecretString,
    uri: SecretString,
}

impl Enrolment {
    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn secret_base32(&self) -> &str {
        self.secret.expose_secret()
    }

    pub fn uri(&self) -> &str {
        self.uri.expose_secret()
    }
}

impl fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Enrolment([REDACTED])")
    }
}

/// The answer to a code typed at sign-in (or to confirm a change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A code from the app, for now.
    App,
    /// One of the recovery codes, which is now used up.
    Recovery,
    /// Not a code of this user's (for now).
    Wrong,
    /// A right code that was used already: of a time step already accepted (or older), or
    /// a used recovery code.
    Used,
    /// The user has no second factor.
    Off,
}

impl Check {
    pub fn accepted(self) -> bool {
        matches!(self, Check::App | Check::Recovery)
    }

    /// For the security log.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::App => "second-factor code accepted",
            Check::Recovery => "recovery code accepted",
            Check::Wrong => "wrong second-factor code",
            Check::Used => "second-factor code already used",
            Check::Off => "no second factor",
        }
    }
}

/// A user's second factor as their account page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// When it was turned on; `None`: off (or only being set up).
    pub since: Option<OffsetDateTime>,
    /// Recovery codes not used yet.
    pub recovery_left: i64,
}

impl Status {
    pub fn on(&self) -> bool {
        self.since.is_some()
    }
}

pub async fn status(pool: &PgPool, user: Uuid) -> Result<Status> {
    let since: Option<OffsetDateTime> = sqlx::query_scalar(
        "select confirmed_at from user_second_factors where user_id = $1 \
         and confirmed_at is not null",
    )
    .bind(user)
    .fetch_optional(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    Ok(Status { since, recovery_left: recovery::left(&mut conn, user).await? })
}

/// Checks `code` (from the app, or a recovery code) for `user` at `now`; an accepted code
/// cannot be accepted again.
pub async fn verify(
    pool: &PgPool,
    keyring: &Keyring,
    user: Uuid,
    code: &str,
    now: OffsetDateTime,
) -> Result<Check> {
    let mut tx = pool.begin().await?;
    let check = verify_in(&mut tx, keyring, user, code, now).await?;
    tx.commit().await?;
    Ok(check)
}

/// A confirmed second factor, its row locked for the transaction.
struct Factor {
    totp: Totp,
    last_step: i64,
}

/// `user`'s confirmed second factor, locked until the transaction ends; `None` if off.
async fn locked(conn: &mut PgConnection, keyring: &Keyring, user: Uuid) -> Result<Option<Factor>> {
    let row: Option<(String, Vec<u8>, i64)> = sqlx::query_as(
        "select key_id, sealed_secret, last_step from user_second_factors \
         where user_id = $1 and confirmed_at is not null for update",
    )
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((key_id, data, last_step)) = row else { return Ok(None) };
    Ok(Some(Factor { totp: open(keyring, user, &Sealed { key_id, data })?, last_step }))
}

/// [`verify`] in the caller's transaction (the user's row stays locked until it ends).
pub(crate) async fn verify_in(
    conn: &mut PgConnection,
    keyring: &Keyring,
    user: Uuid,
    code: &str,
    now: OffsetDateTime,
) -> Result<Check> {
    match locked(conn, keyring, user).await? {
        Some(factor) => check_with(conn, &factor, user, code, now).await,
        None => Ok(Check::Off),
    }
}

/// `code` against the locked `factor`: the app's code for now (once), or a recovery code.
async fn check_with(
    conn: &mut PgConnection,
    factor: &Factor,
    user: Uuid,
    code: &str,
    now: OffsetDateTime,
) -> Result<Check> {
    let Some(digits) = app_code(code) else {
        let key = recovery::Key::of(&factor.totp);
        return recovery::use_code(conn, &key, user, code, now).await;
    };
    let Some(step) = factor.totp.check(&digits, unix(now)) else {
        return Ok(Check::Wrong);
    };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    if step <= factor.last_step {
        return Ok(Check::Used);
    }
    sqlx::query("update user_second_factors set last_step = $2 where user_id = $1")
        .bind(user)
        .bind(step)
        .execute(&mut *conn)
        .await?;
    Ok(Check::App)
}

/// Re-seals every second-factor secret not sealed with the keyring's current key (after a
/// master key rotation, with the old key in `LIGHTDECK_OLD_MASTER_KEYS`); how many. The
/// secrets themselves stay, so apps and recovery codes go on working.
pub async fn reencrypt_all(pool: &PgPool, keyring: &Keyring) -> Result<u64> {
    let users: Vec<Uuid> =
        sqlx::query_scalar("select user_id from user_second_factors where key_id <> $1")
            .bind(keyring.current_id())
            .fetch_all(pool)
            .await?;
    let mut count = 0;
    for user in users {
        let mut tx = pool.begin().await?;
        let row: Option<(String, Vec<u8>)> = sqlx::query_as(
            "select key_id, sealed_secret from user_second_factors where user_id = $1 for update",
        )
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(old) = row.map(|(key_id, data)| Sealed { key_id, data }) else { continue };
        if keyring.is_current(&old) {
            continue;
        }
        let new = keyring.seal(keyring.open(&old, &place(user))?.expose_secret(), &place(user))?;
        sqlx::query(
            "update user_second_factors set key_id = $2, sealed_secret = $3 where user_id = $1",
        )
        .bind(user)
        .bind(&new.key_id)
        .bind(&new.data)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        count += 1;
    }
    Ok(count)
}

/// The six digits of an app's code as typed ("123 456" and "123-456" too); `None` for
/// anything else (which may be a recovery code).
fn app_code(typed: &str) -> Option<String> {
    let digits: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{a0}').collect();
    (digits.len() == usize::from(DIGITS) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

fn unix(t: OffsetDateTime) -> u64 {
    u64::try_from(t.unix_timestamp()).unwrap_or(0)
}

fn place(user: Uuid) -> Vec<u8> {
    binding(TABLE, user, COLUMN)
}

/// The RFC 6238 parameters every authenticator app assumes, around `secret`.
fn build(secret: Secret, account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        // The error names the rule broken, never the secret; said in our words anyway.
        .map_err(|_| Error::Crypto("a second-factor secret does not make a valid TOTP".into()))
}

fn new_secret() -> Secret {
    Secret::from(rand::random::<[u8; SECRET_BYTES]>().to_vec())
}

fn seal(keyring: &Keyring, user: Uuid, secret: &Secret) -> Result<Sealed> {
    keyring.seal(&secret.to_base32(), &place(user))
}

/// The stored secret as a TOTP (the account name only matters for the `otpauth://` link).
fn open(keyring: &Keyring, user: Uuid, sealed: &Sealed) -> Result<Totp> {
    open_for(keyring, user, sealed, "-")
}

fn open_for(keyring: &Keyring, user: Uuid, sealed: &Sealed, account: &str) -> Result<Totp> {
    let base32 = keyring.open(sealed, &place(user))?;
    let secret = Secret::try_from_base32(base32.expose_secret())
        .map_err(|_| Error::Crypto("a stored second-factor secret is not base32".into()))?;
    build(secret, account)
}

/// What the enrolment page shows for `totp`, enrolment `id`.
fn enrolment(totp: &Totp, id: Uuid) -> Result<Enrolment> {
    let uri = totp
        .to_url()
        .map_err(|_| Error::Crypto("the second factor's otpauth link cannot be made".into()))?;
    Ok(Enrolment {
        id,
        secret: SecretString::from(totp.secret().to_base32()),
        uri: SecretString::from(uri),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_codes_are_six_digits_however_spaced() {
        assert_eq!(app_code("123456").as_deref(), Some("123456"));
        assert_eq!(app_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(app_code("123-456").as_deref(), Some("123456"));
        for other in ["12345", "1234567", "12345a", "abcd-efgh-jkmn-pqrs", "", "１２３４５６"]
        {
            assert_eq!(app_code(other), None, "{other:?}");
        }
    }

    #[test]
    fn the_link_names_the_panel_and_the_login_and_debug_shows_no_secret() {
        let totp = build(new_secret(), "carol").unwrap();
        let shown = enrolment(&totp, Uuid::new_v4()).unwrap();
        assert_eq!(shown.secret_base32().len(), 32, "160 bits in base32");
        assert!(shown.uri().starts_with("otpauth://totp/Lightdeck:carol?"), "{}", shown.uri());
        assert!(shown.uri().contains(&format!("secret={}", shown.secret_base32())));
        assert!(shown.uri().contains("issuer=Lightdeck"));
        let debug = format!("{shown:?} {totp:?}");
        assert!(!debug.contains(shown.secret_base32()), "{debug}");
    }

    /// RFC 6238, appendix B (SHA-1, the 20-byte ASCII secret), cut to six digits.
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let totp = build(Secret::from(b"12345678901234567890".to_vec()), "rfc").unwrap();
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp.generate(time).to_string(), code, "at {time}");
        }
    }
}
