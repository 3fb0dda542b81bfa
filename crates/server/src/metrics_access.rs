//! Who may read `/metrics`. Its series name routes, cloud operations and error rates, which
//! is more than a stranger should learn, so a panel with a public URL serves it only where
//! the operator said: on a listener of its own (`LIGHTDECK_METRICS_LISTEN`, usually
//! loopback, for a local Prometheus), behind a bearer token (`LIGHTDECK_METRICS_TOKEN`), or
//! both. A panel with no public URL listens on loopback only (the demo, a laptop) and serves
//! it to anyone who can reach it, as before.

use std::fmt;
use std::net::SocketAddr;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use sha2::{Digest, Sha256};

pub const METRICS_LISTEN_VAR: &str = "LIGHTDECK_METRICS_LISTEN";
pub const METRICS_TOKEN_VAR: &str = "LIGHTDECK_METRICS_TOKEN";
/// Shorter tokens are guessable; `openssl rand -hex 32` makes a good one.
pub const MIN_TOKEN_CHARS: usize = 32;

/// The bearer token, kept only as its SHA-256 (so the config, which is not secret, can hold
/// it, and comparing digests leaks nothing about the token through timing).
#[derive(Clone, PartialEq, Eq)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    pub fn of(token: &str) -> TokenDigest {
        TokenDigest(Sha256::digest(token.as_bytes()).into())
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenDigest([REDACTED])")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsAccess {
    /// Serve `/metrics` on this address only (not on the panel's listener).
    pub listen: Option<SocketAddr>,
    /// Require `Authorization: Bearer <token>`.
    pub token: Option<TokenDigest>,
    /// No public URL, no listener, no token: the panel is reachable from this machine
    /// only, and `/metrics` is open on its listener.
    pub open_on_panel: bool,
}

/// Why a request for `/metrics` is not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not served here at all (404, as for any unknown path).
    NotHere,
    /// A token is needed and the request's is missing or wrong (401).
    Token,
}

impl MetricsAccess {
    /// From the settings; `public` is whether the panel has a public URL.
    pub fn new(listen: Option<SocketAddr>, token: Option<&str>, public: bool) -> MetricsAccess {
        let token = token.map(TokenDigest::of);
        let open_on_panel = !public && listen.is_none() && token.is_none();
        MetricsAccess { listen, token, open_on_panel }
    }

    /// Whether a request that reached the panel's own listener (`on_panel`) or the metrics
    /// listener may read the metrics.
    pub fn check(&self, on_panel: bool, headers: &HeaderMap) -> Result<(), Refusal> {
        if on_panel && (self.listen.is_some() || (!self.open_on_panel && self.token.is_none())) {
            return Err(Refusal::NotHere);
        }
        match &self.token {
            None => Ok(()),
            Some(want) => {
                let given = headers
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(|t| TokenDigest::of(t.trim()));
                if given.as_ref() == Some(want) { Ok(()) } else { Err(Refusal::Token) }
            }
        }
    }

    /// One line for the start-up log: where the metrics are, or that they are off.
    pub fn describe(&self) -> String {
        match (self.listen, &self.token, self.open_on_panel) {
            (Some(addr), Some(_), _) => format!("/metrics on http://{addr} with a bearer token"),
            (Some(addr), None, _) => format!("/metrics on http://{addr}"),
            (None, Some(_), _) => "/metrics on the panel's listener with a bearer token".into(),
            (None, None, true) => "/metrics on the panel's listener (loopback only)".into(),
            (None, None, false) => format!(
                "/metrics is off: the panel has a public URL; set {METRICS_LISTEN_VAR} (e.g. \
                 127.0.0.1:9464) or {METRICS_TOKEN_VAR} to serve it"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(t: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, format!("Bearer {t}").parse().unwrap());
        h
    }

    #[test]
    fn loopback_panel_without_settings_is_open() {
        let a = MetricsAccess::new(None, None, false);
        assert_eq!(a.check(true, &HeaderMap::new()), Ok(()));
    }

    #[test]
    fn public_panel_without_settings_serves_nothing() {
        let a = MetricsAccess::new(None, None, true);
        assert_eq!(a.check(true, &bearer("x")), Err(Refusal::NotHere));
        assert!(a.describe().contains(METRICS_LISTEN_VAR));
    }

    #[test]
    fn a_token_is_required_and_compared() {
        let a = MetricsAccess::new(None, Some("s3cret-token"), true);
        assert_eq!(a.check(true, &HeaderMap::new()), Err(Refusal::Token));
        assert_eq!(a.check(true, &bearer("wrong")), Err(Refusal::Token));
        assert_eq!(a.check(true, &bearer("s3cret-token")), Ok(()));
        assert!(!format!("{a:?}").contains("s3cret"));
    }

    #[test]
    fn an_own_listener_takes_it_off_the_panel() {
        let addr = "127.0.0.1:9464".parse().unwrap();
        let a = MetricsAccess::new(Some(addr), None, false);
        assert_eq!(a.check(true, &HeaderMap::new()), Err(Refusal::NotHere));
        assert_eq!(a.check(false, &HeaderMap::new()), Ok(()));
    }
}
