//! Secrets at rest: AES-256-GCM under a master key from `LIGHTDECK_MASTER_KEY` or, for the
//! demo, a key file created on first run. Each sealed value carries the id of its key, so
//! keys can rotate: the keyring opens with any key it holds and seals with the current one.
//! Each value is bound (associated data) to the row and column it belongs to, so a copy
//! pasted into another row or column does not open.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, Key, KeyInit, Nonce, Payload};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Error, Result};

pub const MASTER_KEY_VAR: &str = "LIGHTDECK_MASTER_KEY";
/// Comma-separated older keys, still accepted for opening while secrets are re-encrypted.
pub const OLD_KEYS_VAR: &str = "LIGHTDECK_OLD_MASTER_KEYS";
const NONCE_LEN: usize = 12;

/// A 256-bit key and its id (the first 8 hex characters of its SHA-256; safe to store).
pub struct MasterKey {
    key: SecretBox<[u8; 32]>,
    id: String,
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        let id = hex::encode(&Sha256::digest(bytes)[..4]);
        MasterKey { key: SecretBox::new(Box::new(bytes)), id }
    }

    pub fn generate() -> MasterKey {
        MasterKey::from_bytes(rand::random())
    }

    /// Parses base64 of 32 bytes. `source` names where it came from, for the message,
    /// which never repeats the key.
    pub fn from_base64(text: &str, source: &str) -> Result<MasterKey> {
        let bytes = BASE64.decode(text.trim()).map_err(|_| {
            Error::Crypto(format!("{source} is not valid base64 (expected base64 of 32 random bytes, e.g. from `openssl rand -base64 32`)"))
        })?;
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            Error::Crypto(format!(
                "{source} must be base64 of exactly 32 bytes, but it decodes to {} bytes",
                bytes.len()
            ))
        })?;
        Ok(MasterKey::from_bytes(bytes))
    }

    pub fn to_base64(&self) -> SecretString {
        SecretString::from(BASE64.encode(self.key.expose_secret()))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// A key of its own for `purpose`: HMAC-SHA256(master key, purpose). Knowing it reveals
    /// nothing about the master key or the keys of other purposes.
    pub fn derive(&self, purpose: &str) -> DerivedKey {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(self.key.expose_secret())
            .expect("HMAC-SHA256 accepts keys of any length");
        mac.update(purpose.as_bytes());
        let bytes: [u8; 32] = mac.finalize().into_bytes().into();
        DerivedKey { key: SecretBox::new(Box::new(bytes)), master_id: self.id.clone() }
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&Key::<Aes256Gcm>::from(*self.key.expose_secret()))
    }
}

impl Clone for MasterKey {
    fn clone(&self) -> Self {
        MasterKey::from_bytes(*self.key.expose_secret())
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id).field("key", &"[REDACTED]").finish()
    }
}

/// A key derived from a master key for one purpose ([`MasterKey::derive`]), and the id of
/// that master key (safe to store, to find the key again after a rotation).
pub struct DerivedKey {
    key: SecretBox<[u8; 32]>,
    master_id: String,
}

impl DerivedKey {
    pub fn master_id(&self) -> &str {
        &self.master_id
    }

    pub fn expose_secret(&self) -> &[u8; 32] {
        self.key.expose_secret()
    }
}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DerivedKey")
            .field("master_id", &self.master_id)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

/// A sealed secret as stored: the key id, and the nonce followed by ciphertext and tag.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub data: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("len", &self.data.len())
            .finish()
    }
}

/// The associated data tying a secret to its place: which row, which column.
pub fn binding(table: &str, row: Uuid, column: &str) -> Vec<u8> {
    format!("lightdeck/v1/{table}/{row}/{column}").into_bytes()
}

/// The current key (seals and opens) plus older keys (open only).
#[derive(Clone, Debug)]
pub struct Keyring {
    current: MasterKey,
    older: Vec<MasterKey>,
}

impl Keyring {
    pub fn new(current: MasterKey) -> Keyring {
        Keyring { current, older: Vec::new() }
    }

    /// Adds a key that is no longer used for sealing but may still open stored secrets.
    pub fn with_old_key(mut self, key: MasterKey) -> Keyring {
        if key.id != self.current.id && !self.older.iter().any(|k| k.id == key.id) {
            self.older.push(key);
        }
        self
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// [`MasterKey::derive`] with the current key.
    pub fn derive(&self, purpose: &str) -> DerivedKey {
        self.current.derive(purpose)
    }

    /// [`MasterKey::derive`] with the key of this id (current or older), if configured.
    pub fn derive_with(&self, master_id: &str, purpose: &str) -> Option<DerivedKey> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == master_id)
            .map(|k| k.derive(purpose))
    }

    /// From `LIGHTDECK_MASTER_KEY` (and `LIGHTDECK_OLD_MASTER_KEYS`); `None` when unset.
    pub fn from_env() -> Result<Option<Keyring>> {
        let Some(current) = std::env::var(MASTER_KEY_VAR).ok().filter(|v| !v.trim().is_empty())
        else {
            return Ok(None);
        };
        let mut ring = Keyring::new(MasterKey::from_base64(&current, MASTER_KEY_VAR)?);
        if let Ok(old) = std::env::var(OLD_KEYS_VAR) {
            for (i, text) in old.split(',').map(str::trim).filter(|t| !t.is_empty()).enumerate() {
                let source = format!("{OLD_KEYS_VAR} (entry {})", i + 1);
                ring = ring.with_old_key(MasterKey::from_base64(text, &source)?);
            }
        }
        Ok(Some(ring))
    }

    /// The environment's keys if set, else the key in `path`, created (mode 0600) on first use.
    pub fn from_env_or_file(path: &Path) -> Result<Keyring> {
        match Keyring::from_env()? {
            Some(ring) => Ok(ring),
            None => Ok(Keyring::new(load_or_create_key_file(path)?)),
        }
    }

    pub fn seal(&self, plaintext: &str, binding: &[u8]) -> Result<Sealed> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = Nonce::<Aes256Gcm>::from(nonce_bytes);
        let ciphertext = self
            .current
            .cipher()
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: binding })
            .map_err(|_| Error::Crypto("encryption failed".into()))?;
        let mut data = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        data.extend_from_slice(&nonce_bytes);
        data.extend_from_slice(&ciphertext);
        Ok(Sealed { key_id: self.current.id.clone(), data })
    }

    pub fn open(&self, sealed: &Sealed, binding: &[u8]) -> Result<SecretString> {
        let key = std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == sealed.key_id)
            .ok_or_else(|| {
                Error::Crypto(format!(
                    "this secret was encrypted with key {}, which is not configured; set it in \
                     {OLD_KEYS_VAR} (or {MASTER_KEY_VAR})",
                    sealed.key_id
                ))
            })?;
        let undecryptable = || {
            Error::Crypto(
                "a stored secret does not decrypt: it was changed, moved from another record, or \
                 encrypted with a different key of the same id"
                    .into(),
            )
        };
        if sealed.data.len() < NONCE_LEN {
            return Err(undecryptable());
        }
        let (nonce_bytes, ciphertext) = sealed.data.split_at(NONCE_LEN);
        let nonce_bytes: [u8; NONCE_LEN] = nonce_bytes.try_into().map_err(|_| undecryptable())?;
        let plain = key
            .cipher()
            .decrypt(
                &Nonce::<Aes256Gcm>::from(nonce_bytes),
                Payload { msg: ciphertext, aad: binding },
            )
            .map_err(|_| undecryptable())?;
        String::from_utf8(plain).map(SecretString::from).map_err(|_| undecryptable())
    }

    /// Whether a stored value should be re-sealed with the current key.
    pub fn is_current(&self, sealed: &Sealed) -> bool {
        sealed.key_id == self.current.id
    }
}

/// Reads the key file, or creates it with a new random key, readable by this user only.
pub fn load_or_create_key_file(path: &Path) -> Result<MasterKey> {
    let source = format!("the key file {}", path.display());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::Crypto(format!("cannot create {}: {e}", parent.display())))?;
    }
    let key = MasterKey::generate();
    let created = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
    match created {
        Ok(mut file) => {
            let text = format!("{}\n", key.to_base64().expose_secret());
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| Error::Crypto(format!("cannot write {source}: {e}")))?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let meta = std::fs::metadata(path)
                .map_err(|e| Error::Crypto(format!("cannot read {source}: {e}")))?;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(Error::Crypto(format!(
                    "{source} can be read by other users; run `chmod 600 {}`",
                    path.display()
                )));
            }
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::Crypto(format!("cannot read {source}: {e}")))?;
            MasterKey::from_base64(&text, &source)
        }
        Err(e) => Err(Error::Crypto(format!("cannot create {source}: {e}"))),
    }
}
