//! Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): a
//! browser that has signed in as a user gets a signed cookie naming that user, and its
//! sign-in attempts for that user are then counted against that browser only, so that
//! failures from elsewhere never lock the real user out (see `routes::auth` for the limits).
//!
//! The value is `login-hash|nonce|mac`, each part unpadded base64url:
//! - `login-hash`: HMAC-SHA256(subkey, "login\0" + login), first 16 bytes: a keyed hash, so
//!   the cookie does not show whom it is for, and a stolen log cannot be matched to logins;
//! - `nonce`: 16 random bytes, the browser's identity;
//! - `mac`: HMAC-SHA256(subkey, "cookie\0" + login-hash + "|" + nonce).
//!
//! The subkey is HMAC-SHA256(device key, "lightdeck device cookie v1"), where the device key
//! is 32 random bytes kept in the table `device_cookie_key`, sealed with the master key
//! (`Keyring::seal`), so it is useless without the master key and survives key rotation. It
//! is never the master key itself, never logged, and not kept beyond a request.
//!
//! The security log records a device as [`Device::id`], a hash of the nonce: the log alone
//! does not give a working cookie.

use crate::cookies::constant_time_eq;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use hmac::{Hmac, KeyInit, Mac};
use lightdeck_domain::Error as DomainError;
use lightdeck_domain::crypto::{Sealed, binding};
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::AppError;
use crate::state::AppState;

/// How long a browser stays trusted after its last successful sign-in (the cookie is set
/// again at each one).
pub const LIFETIME_DAYS: i64 = 365;
const LOGIN_HASH_LEN: usize = 16;
const NONCE_LEN: usize = 16;
const SUBKEY_LABEL: &[u8] = b"lightdeck device cookie v1";

pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-lightdeck_device" } else { "lightdeck_device" }
}

/// The key cookies are signed with; redacted in `Debug`.
pub struct DeviceKey(SecretBox<[u8; 32]>);

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey([REDACTED])")
    }
}

/// A browser that proved, with a valid cookie, that it signed in as the login it types.
#[derive(Clone, PartialEq, Eq)]
pub struct Device {
    id: String,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device").field("id", &self.id).finish()
    }
}

impl Device {
    /// What the security log stores for this browser: hex of SHA-256 of the nonce, cut to
    /// 32 characters (not enough to rebuild the cookie).
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// HMAC-SHA256 over `parts` in order (the `hmac` crate; parts are concatenated).
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .expect("HMAC-SHA256 accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Logins compare as the security log stores them (trimmed, cut at 128 characters).
fn normal(login: &str) -> String {
    login.trim().chars().take(128).collect()
}

impl DeviceKey {
    /// The subkey, from the stored device key (created and sealed on first use). A stored
    /// key sealed with an older master key is re-sealed with the current one; one that no
    /// configured master key opens is replaced by a new key, which only makes every
    /// browser a new one (sign-ins keep working).
    pub async fn load(state: &AppState) -> Result<DeviceKey, AppError> {
        let bind = binding("device_cookie_key", Uuid::nil(), "sealed");
        let row: Option<(String, Vec<u8>)> =
            sqlx::query_as("select key_id, sealed from device_cookie_key where id = 1")
                .fetch_optional(&state.db)
                .await
                .map_err(DomainError::from)?;
        let stored = row.map(|(key_id, data)| Sealed { key_id, data });
        let opened = stored.as_ref().and_then(|sealed| {
            let secret = state.keyring.open(sealed, &bind).ok()?;
            let bytes = STANDARD.decode(secret.expose_secret().as_bytes()).ok()?;
            <[u8; 32]>::try_from(bytes.as_slice()).ok()
        });
        let bytes = match (opened, &stored) {
            (Some(bytes), Some(sealed)) if state.keyring.is_current(sealed) => bytes,
            (Some(bytes), _) => {
                let sealed = state.keyring.seal(&STANDARD.encode(bytes), &bind)?;
                store(state, &sealed, true).await?;
                bytes
            }
            (None, stored) => {
                if stored.is_some() {
                    tracing::warn!("the device cookie key does not open; making a new one");
                }
                let fresh: [u8; 32] = rand::random();
                let sealed = state.keyring.seal(&STANDARD.encode(fresh), &bind)?;
                // Two first sign-ins at once: one insert wins, the other reads the winner.
                if store(state, &sealed, stored.is_some()).await? {
                    fresh
                } else {
                    let (key_id, data): (String, Vec<u8>) =
                        sqlx::query_as("select key_id, sealed from device_cookie_key where id = 1")
                            .fetch_one(&state.db)
                            .await
                            .map_err(DomainError::from)?;
                    let secret = state.keyring.open(&Sealed { key_id, data }, &bind)?;
                    let bytes = STANDARD.decode(secret.expose_secret().as_bytes()).ok();
                    bytes.and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok()).ok_or_else(
                        || DomainError::Crypto("the device cookie key is damaged".into()),
                    )?
                }
            }
        };
        Ok(DeviceKey(SecretBox::new(Box::new(hmac_sha256(&bytes, &[SUBKEY_LABEL])))))
    }

    fn login_hash(&self, login: &str) -> String {
        let mac = hmac_sha256(self.0.expose_secret(), &[b"login\0", normal(login).as_bytes()]);
        B64.encode(&mac[..LOGIN_HASH_LEN])
    }

    fn mac(&self, login_hash: &str, nonce: &str) -> [u8; 32] {
        let parts: [&[u8]; 4] = [b"cookie\0", login_hash.as_bytes(), b"|", nonce.as_bytes()];
        hmac_sha256(self.0.expose_secret(), &parts)
    }

    /// A new cookie value for `login`, and the device it names.
    pub fn issue(&self, login: &str) -> (String, Device) {
        let login_hash = self.login_hash(login);
        let nonce = B64.encode(rand::random::<[u8; NONCE_LEN]>());
        let mac = B64.encode(self.mac(&login_hash, &nonce));
        let device = device_of(&nonce);
        (format!("{login_hash}|{nonce}|{mac}"), device)
    }

    /// The device named by `value` if it is a cookie of ours for `login`; anything else (a
    /// forged, damaged or another user's cookie) is no device.
    pub fn verify(&self, value: &str, login: &str) -> Option<Device> {
        let mut parts = value.split('|');
        let (login_hash, nonce, mac) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let sent_mac = B64.decode(mac).ok()?;
        let nonce_ok = B64.decode(nonce).ok().is_some_and(|n| n.len() == NONCE_LEN);
        if !nonce_ok || !constant_time_eq(&sent_mac, &self.mac(login_hash, nonce)) {
            return None;
        }
        constant_time_eq(login_hash.as_bytes(), self.login_hash(login).as_bytes())
            .then(|| device_of(nonce))
    }
}

/// Writes the sealed device key (replacing the stored one when `replace`); whether it was
/// written (not when another request created it first).
async fn store(state: &AppState, sealed: &Sealed, replace: bool) -> Result<bool, AppError> {
    let sql = if replace {
        "insert into device_cookie_key (id, key_id, sealed) values (1, $1, $2)
         on conflict (id) do update set key_id = excluded.key_id, sealed = excluded.sealed"
    } else {
        "insert into device_cookie_key (id, key_id, sealed) values (1, $1, $2)
         on conflict (id) do nothing"
    };
    let done = sqlx::query(sql)
        .bind(&sealed.key_id)
        .bind(&sealed.data)
        .execute(&state.db)
        .await
        .map_err(DomainError::from)?;
    Ok(done.rows_affected() == 1)
}

fn device_of(nonce: &str) -> Device {
    Device { id: hex_prefix(&Sha256::digest(nonce.as_bytes())) }
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A browser's valid device cookie for a login: the cookie as sent (set again at sign-in,
/// which renews it) and the device it names. `Debug` shows the device only.
pub struct Known {
    value: String,
    device: Device,
}

impl std::fmt::Debug for Known {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Known").field("device", &self.device).finish_non_exhaustive()
    }
}

impl Known {
    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

/// The request's device cookie if it is a valid one for `login`; anything else (none, a
/// forged, damaged or another user's cookie) is none. Reads the key only when there is a
/// cookie to check.
pub async fn known(
    state: &AppState,
    headers: &HeaderMap,
    login: &str,
) -> Result<Option<Known>, AppError> {
    let Some(value) = from_request(headers, state.config.secure_cookies()) else {
        return Ok(None);
    };
    let device = DeviceKey::load(state).await?.verify(&value, login);
    Ok(device.map(|device| Known { value, device }))
}

/// The device cookie's value in the request, if any (every `Cookie` header is read).
pub fn from_request(headers: &HeaderMap, secure: bool) -> Option<String> {
    crate::cookies::read(headers, cookie_name(secure))
}

/// Adds the `Set-Cookie` for `value` to a response's headers.
pub fn set(headers: &mut HeaderMap, value: &str, secure: bool) {
    let max_age = LIFETIME_DAYS * 24 * 60 * 60;
    crate::cookies::append(headers, cookie_name(secure), value, Some(max_age), secure);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> DeviceKey {
        DeviceKey(SecretBox::new(Box::new([byte; 32])))
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex_prefix(&mac),
            "5bdcc146bf60754e6a042426089575c7",
            "the first 16 bytes of the RFC 4231 test vector"
        );
    }

    #[test]
    fn a_cookie_verifies_for_its_login_only_and_not_under_another_key() {
        let k = key(1);
        let (value, device) = k.issue("carol");
        assert_eq!(k.verify(&value, " carol "), Some(device));
        assert_eq!(k.verify(&value, "alice"), None);
        assert_eq!(key(2).verify(&value, "carol"), None);
        assert!(!value.contains("carol"));
        let mut forged = value.clone();
        forged.replace_range(0..1, if value.starts_with('A') { "B" } else { "A" });
        assert_eq!(k.verify(&forged, "carol"), None);
        for junk in ["", "|", "a|b|c", "a|b|c|d", "\u{0}|\u{1}|"] {
            assert_eq!(k.verify(junk, "carol"), None, "{junk:?}");
        }
        assert!(!format!("{k:?}").contains('1'), "redacted");
    }
}
