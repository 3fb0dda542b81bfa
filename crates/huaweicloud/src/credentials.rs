//! The two kinds of Huawei Cloud credentials an account can have. Secrets are `secrecy`
//! types, so `Debug` and logs show `[REDACTED]` and the clear text is taken out only where a
//! request is signed or a token is requested.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// An access key pair, optionally temporary (with a security token).
#[derive(Clone)]
pub struct AkSk {
    pub ak: String,
    pub sk: SecretString,
    /// Set for temporary credentials; sent as the signed `X-Security-Token` header.
    pub security_token: Option<SecretString>,
}

impl AkSk {
    pub fn new(ak: impl Into<String>, sk: impl Into<String>) -> Self {
        AkSk { ak: ak.into(), sk: SecretString::from(sk.into()), security_token: None }
    }

    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(SecretString::from(token.into()));
        self
    }
}

impl fmt::Debug for AkSk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AkSk")
            .field("ak", &self.ak)
            .field("sk", &"[REDACTED]")
            .field("security_token", &self.security_token.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// An IAM user's password, used to get project-scoped tokens (`POST /v3/auth/tokens`).
#[derive(Clone)]
pub struct IamPassword {
    /// The Huawei account (IAM domain) name the user belongs to.
    pub account_name: String,
    pub user_name: String,
    pub password: SecretString,
}

impl IamPassword {
    pub fn new(
        account_name: impl Into<String>,
        user_name: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        IamPassword {
            account_name: account_name.into(),
            user_name: user_name.into(),
            password: SecretString::from(password.into()),
        }
    }
}

impl fmt::Debug for IamPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamPassword")
            .field("account_name", &self.account_name)
            .field("user_name", &self.user_name)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

/// What one connected Huawei Cloud account can authenticate with: AK/SK, an IAM password, or
/// both. AK/SK signs most calls; the purchase call needs a token, so it needs the password.
#[derive(Clone, Debug)]
pub struct Credentials {
    aksk: Option<AkSk>,
    password: Option<IamPassword>,
}

/// Neither kind of credentials was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an account needs an access key pair (AK/SK), an IAM user password, or both")]
pub struct NoCredentials;

impl Credentials {
    pub fn new(aksk: Option<AkSk>, password: Option<IamPassword>) -> Result<Self, NoCredentials> {
        if aksk.is_none() && password.is_none() {
            return Err(NoCredentials);
        }
        Ok(Credentials { aksk, password })
    }

    pub fn from_aksk(aksk: AkSk) -> Self {
        Credentials { aksk: Some(aksk), password: None }
    }

    pub fn from_password(password: IamPassword) -> Self {
        Credentials { aksk: None, password: Some(password) }
    }

    pub fn aksk(&self) -> Option<&AkSk> {
        self.aksk.as_ref()
    }

    pub fn password(&self) -> Option<&IamPassword> {
        self.password.as_ref()
    }

    /// A stable key for caches (tokens, project ids) that never contains a secret: the AK
    /// and/or the account and user name.
    pub fn cache_key(&self) -> String {
        let mut key = String::new();
        if let Some(a) = &self.aksk {
            key.push_str("ak:");
            key.push_str(&a.ak);
        }
        if let Some(p) = &self.password {
            key.push_str("|iam:");
            key.push_str(&p.account_name);
            key.push('/');
            key.push_str(&p.user_name);
        }
        key
    }
}

/// Reads a secret's clear text; kept in one place so a grep finds every use.
pub(crate) fn expose(secret: &SecretString) -> &str {
    secret.expose_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new(
            Some(AkSk::new("AKVISIBLE", "SK-SECRET-VALUE").with_security_token("TOKEN-SECRET")),
            Some(IamPassword::new("acme", "ops", "PASSWORD-SECRET")),
        )
        .unwrap();
        let shown = format!("{c:?} {:#?}", c);
        assert!(shown.contains("AKVISIBLE"));
        for secret in ["SK-SECRET-VALUE", "TOKEN-SECRET", "PASSWORD-SECRET"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(!c.cache_key().contains("SECRET"));
    }

    #[test]
    fn at_least_one_kind_is_required() {
        assert_eq!(Credentials::new(None, None).unwrap_err(), NoCredentials);
    }
}
