//! One operation on the wire: authentication, the HTTP exchange, retries, tracing.
//!
//! Logs carry the service, operation, region, Huawei request id, status, latency and
//! attempt: never a header value, a body, a token or a key.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method};
use reqwest::header::{HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::retry::{Decision, Repeat, decide, parse_retry_after};
use super::token::{IssuedToken, TokenScope};
use super::{Account, Reply};
use crate::credentials::expose;
use crate::endpoints::Service;
use crate::error::{ApiError, AuthError, Error};
use crate::region::Region;
use crate::signing::{SignableRequest, canonical_query, sign};

/// Everything that describes one operation's request.
pub(crate) struct Op {
    pub service: Service,
    pub operation: &'static str,
    /// Picks the regional endpoint (ECS, IAM) and goes into the span.
    pub region: Option<Region>,
    pub method: Method,
    /// Already percent-encoded, without the endpoint's prefix.
    pub path: String,
    /// Raw pairs; encoded and sorted when sent.
    pub query: Vec<(String, String)>,
    /// Part of the signature, so it must be exactly what Huawei documents per operation.
    pub content_type: &'static str,
    /// Operation headers such as `Client-Request-Id`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub repeat: Repeat,
}

/// How a request proves who sends it.
pub(crate) enum Auth {
    /// Only the token request itself.
    None,
    /// AK/SK signature, plus the credential header (`X-Project-Id` / `X-Domain-Id`) if any.
    AkSk(Option<(&'static str, String)>),
    Token(TokenScope),
}

/// A successful (2xx) answer, not yet decoded.
pub(crate) struct RawReply {
    pub status: u16,
    pub request_id: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A failed attempt and the server's `Retry-After`, if it sent one.
struct Failure {
    error: Error,
    retry_after: Option<Duration>,
}

impl Account {
    /// Sends `op` and decodes a JSON body.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        op: &Op,
        auth: &Auth,
    ) -> Result<Reply<T>, Error> {
        let raw = self.execute(op, auth).await?;
        let body = serde_json::from_slice(&raw.body).map_err(|e| Error::InvalidResponse {
            service: op.service,
            operation: op.operation,
            status: raw.status,
            request_id: raw.request_id.clone(),
            detail: format!("the body does not decode: {e}"),
        })?;
        Ok(Reply { body, request_id: raw.request_id, status: raw.status })
    }

    /// Sends `op` with retries per its [`Repeat`] and the retry policy; on a 401 to a token
    /// call, drops that token and tries once more with a fresh one.
    pub(crate) async fn execute(&self, op: &Op, auth: &Auth) -> Result<RawReply, Error> {
        let span = tracing::info_span!(
            "huaweicloud",
            service = op.service.name(),
            operation = op.operation,
            region = op.region.map_or("global", Region::id),
            request_id = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
            attempt = tracing::field::Empty,
        );
        self.execute_in_span(op, auth).instrument(span).await
    }

    /// Runs the attempts and records the outcome on the operation's span: total latency
    /// (retries and waits included, which is what the caller experienced), the last HTTP
    /// status and Huawei request id, and one event that carries them.
    async fn execute_in_span(&self, op: &Op, auth: &Auth) -> Result<RawReply, Error> {
        let started = Instant::now();
        let result = self.attempts(op, auth).await;
        let span = tracing::Span::current();
        span.record("latency_ms", millis(started.elapsed()));
        match &result {
            Ok(reply) => {
                record_reply(&span, Some(reply.status), reply.request_id.as_deref());
                tracing::info!("huawei call succeeded");
            }
            Err(error) => {
                record_reply(&span, error.status(), error.request_id());
                tracing::warn!(error = %error, "huawei call failed");
            }
        }
        result
    }

    async fn attempts(&self, op: &Op, auth: &Auth) -> Result<RawReply, Error> {
        let config = &self.cloud.inner.config;
        let mut attempt = 0u32;
        let mut token_refreshed = false;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempt", attempt);
            let token = match auth {
                // A token that could not be fetched means this request was never sent, however
                // the token call itself ended: a purchase must not read that as "maybe bought".
                Auth::Token(scope) => Some(self.token(*scope).await.map_err(|e| {
                    if e.may_have_taken_effect() {
                        Error::NotSent { operation: op.operation, cause: Box::new(e) }
                    } else {
                        e
                    }
                })?),
                _ => None,
            };
            let started = Instant::now();
            let failure = match self.attempt(op, auth, token.as_ref()).await {
                Ok(reply) => return Ok(reply),
                Err(failure) => failure,
            };
            let attempt_ms = millis(started.elapsed());
            let status = failure.error.status();
            if let (Auth::Token(scope), Some(token)) = (auth, &token)
                && status == Some(401)
                && !token_refreshed
            {
                tracing::info!(
                    attempt_ms,
                    "token refused; fetching a new one and trying once more"
                );
                self.drop_token(*scope, token).await;
                token_refreshed = true;
                attempt -= 1;
                continue;
            }
            match decide(&config.retry, op.repeat, attempt, failure.error, failure.retry_after) {
                Decision::RetryAfter(delay) => {
                    tracing::warn!(
                        attempt_ms,
                        status,
                        delay_ms = millis(delay),
                        "huawei call failed; retrying"
                    );
                    (config.sleep)(delay).await;
                }
                Decision::Fail(error) => return Err(error),
            }
        }
    }

    /// One HTTP exchange.
    async fn attempt(
        &self,
        op: &Op,
        auth: &Auth,
        token: Option<&IssuedToken>,
    ) -> Result<RawReply, Failure> {
        let inner = &self.cloud.inner;
        let fail = |error: Error| Failure { error, retry_after: None };
        let base = inner.config.endpoints.base(op.service, op.region);
        let path = base.path(&op.path);
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".to_owned(), op.content_type.to_owned()),
            ("User-Agent".to_owned(), inner.config.user_agent.clone()),
        ];
        headers.extend(op.headers.iter().cloned());
        let (headers, path_and_query) = match auth {
            Auth::AkSk(credential_header) => {
                let aksk = self.credentials.aksk().ok_or_else(|| {
                    fail(
                        AuthError::MissingCredentials {
                            operation: op.operation,
                            reason: "it needs an access key pair (AK/SK)",
                        }
                        .into(),
                    )
                })?;
                if let Some((name, value)) = credential_header {
                    headers.push(((*name).to_owned(), value.clone()));
                }
                if let Some(st) = &aksk.security_token {
                    headers.push(("X-Security-Token".to_owned(), expose(st).to_owned()));
                }
                let signed = sign(
                    SignableRequest {
                        method: op.method.as_str(),
                        host: base.netloc(),
                        path: &path,
                        query: &op.query,
                        headers,
                        body: &op.body,
                    },
                    &aksk.ak,
                    expose(&aksk.sk).as_bytes(),
                    (inner.config.clock)(),
                );
                (signed.headers, signed.path_and_query)
            }
            Auth::Token(_) | Auth::None => {
                if let Some(t) = token {
                    headers.push(("X-Auth-Token".to_owned(), expose(&t.value).to_owned()));
                }
                let query = canonical_query(&op.query);
                let pq = if query.is_empty() { path } else { format!("{path}?{query}") };
                (headers, pq)
            }
        };
        let mut request = inner.http.request(op.method.clone(), base.url(&path_and_query));
        for (name, value) in &headers {
            // The URL's netloc is the signed host; the HTTP stack sends it as Host itself.
            if name.eq_ignore_ascii_case("host") {
                continue;
            }
            let header_name = HeaderName::from_bytes(name.as_bytes());
            let value = HeaderValue::from_bytes(value.as_bytes());
            let (Ok(name), Ok(mut value)) = (header_name, value) else {
                return Err(fail(Error::Config(format!(
                    "a header of {} cannot be sent (invalid characters)",
                    op.operation
                ))));
            };
            // Marked so that an HTTP-layer debug print shows `Sensitive` instead.
            value.set_sensitive(is_secret_header(name.as_str()));
            request = request.header(name, value);
        }
        if !op.body.is_empty() {
            request = request.body(op.body.clone());
        }
        let response = request.send().await.map_err(|e| fail(transport_error(op, &e)))?;
        let status = response.status().as_u16();
        let response_headers = response.headers().clone();
        let request_id = header_str(&response_headers, "x-request-id");
        let retry_after =
            parse_retry_after(header_str(&response_headers, "retry-after").as_deref());
        let body = response.bytes().await.map_err(|e| fail(transport_error(op, &e)))?;
        if (200..300).contains(&status) {
            return Ok(RawReply { status, request_id, headers: response_headers, body });
        }
        let api =
            Box::new(ApiError::from_response(op.service, op.operation, status, request_id, &body));
        let error = if status == 401 || status == 403 {
            Error::Auth(AuthError::Rejected(api))
        } else {
            Error::Api(api)
        };
        Err(Failure { error, retry_after })
    }
}

fn record_reply(span: &tracing::Span, status: Option<u16>, request_id: Option<&str>) {
    if let Some(status) = status {
        span.record("status", status);
    }
    if let Some(id) = request_id {
        span.record("request_id", id);
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(128).collect())
}

fn is_secret_header(lowercase_name: &str) -> bool {
    matches!(lowercase_name, "x-auth-token" | "x-security-token")
}

/// Tells apart "never connected" (safe to repeat anything) from failures after sending.
fn transport_error(op: &Op, e: &reqwest::Error) -> Error {
    let (service, operation) = (op.service, op.operation);
    // reqwest's own text says only "error sending request for url (…)"; the causes below it
    // (refused, reset, DNS, TLS) are what an operator needs. The URL holds ids and the
    // query, never a secret.
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    if e.is_connect() {
        Error::Connect { service, operation, detail }
    } else if e.is_timeout() {
        Error::Timeout { service, operation }
    } else {
        Error::Transport { service, operation, detail }
    }
}
