//! IAM tokens for accounts that authenticate with a password (and for the purchase call,
//! which is documented for tokens only).
//!
//! A token is cached per (account credentials, scope) until one hour before it expires.
//! Concurrent callers for the same key share one request: the first takes the key's turn
//! and fetches, the others wait for the turn and then find the fresh token (or the refusal,
//! see `flight.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use http::Method;
use secrecy::SecretString;
use time::{Duration as TimeDuration, OffsetDateTime};

use super::Account;
use super::flight::Flight;
use super::retry::Repeat;
use super::transport::{Auth, Op};
use crate::endpoints::Service;
use crate::error::{AuthError, Error};
use crate::model::iam::{AuthScope, PasswordTokenRequest, TokenResponse};
use crate::region::Region;

/// Refresh this long before Huawei's `expires_at`.
const REFRESH_MARGIN: TimeDuration = TimeDuration::hours(1);

/// What a token is good for: one region's project (ECS, HCSS) or the whole account (RMS, BSS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenScope {
    Project(Region),
    Domain,
}

/// A token handed to a call, with the generation that lets the call drop exactly it on 401.
#[derive(Clone)]
pub(crate) struct IssuedToken {
    pub value: SecretString,
    generation: u64,
}

#[derive(Default)]
struct Slot {
    token: Option<(SecretString, OffsetDateTime)>,
    generation: u64,
}

type SlotKey = (Arc<str>, TokenScope);

#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<SlotKey, Arc<Flight<Slot>>>>,
}

impl TokenCache {
    fn slot(&self, key: &Arc<str>, scope: TokenScope) -> Arc<Flight<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.entry((key.clone(), scope)).or_default().clone()
    }
}

impl Account {
    /// A valid token for `scope`, fetched (once, however many callers wait) if needed.
    pub(crate) fn token(&self, scope: TokenScope) -> BoxFuture<'_, Result<IssuedToken, Error>> {
        // Boxed: fetching a token is itself a call, so this future is part of its own type.
        async move {
            let flight = self.cloud.inner.tokens.slot(&self.key, scope);
            let mut slot = flight.turn().await;
            let now = (self.cloud.inner.config.clock)();
            if let Some((value, refresh_at)) = &slot.token
                && now < *refresh_at
            {
                return Ok(IssuedToken { value: value.clone(), generation: slot.generation });
            }
            if let Some(refused) = slot.shared_refusal() {
                return Err(refused);
            }
            let fetched = self.fetch_token(scope).await;
            slot.record(&fetched);
            let (value, expires_at) = fetched?;
            // A token issued with less than two hours to live (a skewed clock) is kept for
            // half its life, so that it is not fetched again on every call.
            let margin = REFRESH_MARGIN.min((expires_at - now) / 2);
            slot.generation += 1;
            slot.token =
                Some((value.clone(), expires_at.checked_sub(margin).unwrap_or(expires_at)));
            Ok(IssuedToken { value, generation: slot.generation })
        }
        .boxed()
    }

    /// Forgets `token` if it is still the cached one (a 401 said it is no longer valid).
    pub(crate) async fn drop_token(&self, scope: TokenScope, token: &IssuedToken) {
        let flight = self.cloud.inner.tokens.slot(&self.key, scope);
        let mut slot = flight.turn().await;
        if slot.generation == token.generation {
            slot.token = None;
        }
    }

    /// `POST /v3/auth/tokens?nocatalog=true`: the token is in `X-Subject-Token`.
    async fn fetch_token(
        &self,
        scope: TokenScope,
    ) -> Result<(SecretString, OffsetDateTime), Error> {
        let password = self.credentials.password().ok_or(AuthError::MissingCredentials {
            operation: "this operation",
            reason: "it needs an IAM token, which needs an IAM user name and password",
        })?;
        let (auth_scope, region) = match scope {
            TokenScope::Project(r) => (AuthScope::project_name(r.id()), Some(r)),
            TokenScope::Domain => (AuthScope::domain_name(&password.account_name), None),
        };
        let request = PasswordTokenRequest::from_credentials(password, auth_scope);
        let body = serde_json::to_vec(&request)
            .map_err(|e| Error::Config(format!("could not encode the token request: {e}")))?;
        let op = Op {
            service: Service::Iam,
            operation: "create_token",
            region,
            method: Method::POST,
            path: "/v3/auth/tokens".to_owned(),
            query: vec![("nocatalog".to_owned(), "true".to_owned())],
            content_type: "application/json;charset=utf-8",
            headers: Vec::new(),
            body,
            repeat: Repeat::Safe,
        };
        let raw = self.execute(&op, &Auth::None).await?;
        let invalid = |detail: &str| Error::InvalidResponse {
            service: Service::Iam,
            operation: "create_token",
            status: raw.status,
            request_id: raw.request_id.clone(),
            detail: detail.to_owned(),
        };
        let value = raw
            .headers
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid("no X-Subject-Token header"))?;
        let value = SecretString::from(value.to_owned());
        let decoded: TokenResponse = serde_json::from_slice(&raw.body)
            .map_err(|e| invalid(&format!("the token body does not decode: {e}")))?;
        let expires_at = decoded
            .token
            .expires_at_time()
            .ok_or_else(|| invalid("token.expires_at is not an RFC 3339 time"))?;
        self.learn_from_token(scope, &decoded);
        Ok((value, expires_at))
    }
}
