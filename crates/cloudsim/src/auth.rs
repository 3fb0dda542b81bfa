//! The API gateway's authentication: `SDK-HMAC-SHA256` signatures (verified with the
//! client crate's own verifier), IAM tokens, the project/domain headers each service needs,
//! and the AK lockout after five consecutive bad signatures.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use http::{HeaderMap, StatusCode};
use lightdeck_huaweicloud::Region;
use lightdeck_huaweicloud::signing::{self, ReceivedRequest, Rejection};
use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

use crate::http::errors::{ApiError, ApiResult, Shape};
use crate::state::{Directory, State, TokenScope, fmt_millis};

/// What an operation accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// No authentication (IAM password token).
    None,
    /// AK/SK or a token of any scope (IAM project and domain look-ups).
    Any,
    /// A project-level service (ECS): AK/SK with a signed `X-Project-Id` equal to the path's
    /// project, or a token scoped to that project.
    Project,
    /// A global service (RMS, BSS): AK/SK with a signed `X-Domain-Id`, or a token.
    Domain,
    /// HCSS purchase: a project-scoped token only.
    ProjectToken,
}

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: usize,
    /// Set for AK/SK requests.
    pub ak: Option<String>,
    /// Set for token requests.
    pub token_scope: Option<TokenScope>,
}

impl Caller {
    /// The project a token is scoped to.
    pub fn token_project(&self) -> Option<(&str, Region)> {
        match &self.token_scope {
            Some(TokenScope::Project { id, region }) => Some((id, *region)),
            _ => None,
        }
    }
}

pub const LOCK_AFTER: u32 = 5;
pub const LOCK_FOR: Duration = Duration::minutes(5);

/// Consecutive signature failures per access key.
#[derive(Default)]
pub struct Lockouts {
    map: Mutex<HashMap<String, (u32, Option<OffsetDateTime>)>>,
}

impl Lockouts {
    fn locked(&self, ak: &str, now: OffsetDateTime) -> bool {
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        matches!(map.get(ak), Some((_, Some(until))) if *until > now)
    }

    fn fail(&self, ak: &str, now: OffsetDateTime) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = map.entry(ak.to_owned()).or_insert((0, None));
        if entry.1.is_some_and(|until| until <= now) {
            *entry = (0, None);
        }
        entry.0 += 1;
        if entry.0 >= LOCK_AFTER {
            *entry = (0, Some(now + LOCK_FOR));
        }
    }

    fn succeed(&self, ak: &str) {
        self.map.lock().unwrap_or_else(PoisonError::into_inner).remove(ak);
    }
}

/// The request as the gateway sees it.
pub struct Incoming<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// `{project_id}` of an ECS path.
    pub path_project: Option<&'a str>,
    /// `{domain_id}` of an RMS path.
    pub path_domain: Option<&'a str>,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, Shape::Gateway, "APIG.0302", message)
}

/// The `Access=` part of an `Authorization` header, if it has one.
fn access_key(authorization: &str) -> Option<&str> {
    let rest = &authorization[authorization.find("Access=")? + "Access=".len()..];
    Some(rest.split(',').next().unwrap_or(rest).trim())
}

pub struct Gateway<'a> {
    pub dir: &'a Directory,
    pub lockouts: &'a Lockouts,
    pub max_skew: Duration,
}

impl Gateway<'_> {
    /// Authenticates one request. `state` is locked only for token look-ups.
    pub fn check(
        &self,
        need: Need,
        req: &Incoming<'_>,
        state: &Mutex<State>,
        now: OffsetDateTime,
    ) -> ApiResult<Option<Caller>> {
        if need == Need::None {
            return Ok(None);
        }
        if let Some(token) = header(req.headers, "x-auth-token") {
            return self.check_token(need, req, token, state, now).map(Some);
        }
        let Some(authorization) = header(req.headers, "authorization") else {
            return Err(ApiError::auth("x-auth-token not found"));
        };
        if need == Need::ProjectToken {
            return Err(ApiError::auth(
                "x-auth-token not found (this API accepts only IAM tokens)",
            ));
        }
        let claimed = access_key(authorization).map(str::to_owned);
        if let Some(ak) = &claimed
            && self.lockouts.locked(ak, now)
        {
            return Err(ApiError::auth("AK access failed to reach the limit,forbidden"));
        }
        let received = ReceivedRequest {
            method: req.method,
            raw_path: req.raw_path,
            raw_query: req.raw_query,
            headers: req.headers,
            body: req.body,
        };
        let secret_for = |ak: &str| -> Option<SecretString> {
            self.dir.by_ak(ak).and_then(|i| self.dir.get(i)).map(|a| a.sk.clone())
        };
        let verified = match signing::verify(&received, now, self.max_skew, secret_for) {
            Ok(v) => v,
            Err(rejection) => {
                if let Some(ak) = claimed.as_deref().filter(|ak| self.dir.by_ak(ak).is_some()) {
                    self.lockouts.fail(ak, now);
                }
                return Err(rejection_error(&rejection));
            }
        };
        self.lockouts.succeed(&verified.ak);
        let account = self
            .dir
            .by_ak(&verified.ak)
            .ok_or_else(|| ApiError::auth("verify aksk signature fail, unknown access key"))?;
        let signed = |name: &str| verified.signed_headers.iter().any(|h| h == name);
        let acct = self.dir.get(account).ok_or_else(|| ApiError::auth("unknown account"))?;
        match need {
            Need::Project => {
                let project = header(req.headers, "x-project-id")
                    .filter(|_| signed("x-project-id"))
                    .ok_or_else(|| {
                        ApiError::auth("verify aksk signature fail, X-Project-Id is required and must be signed")
                    })?;
                if self.dir.by_project(project).map(|p| p.0) != Some(account) {
                    return Err(ApiError::auth(format!(
                        "the project {project} in X-Project-Id does not belong to the access key's account"
                    )));
                }
                if req.path_project.is_some_and(|p| p != project) {
                    return Err(forbidden(format!(
                        "the project in the path does not match X-Project-Id {project}"
                    )));
                }
            }
            Need::Domain => {
                let domain = header(req.headers, "x-domain-id")
                    .filter(|_| signed("x-domain-id"))
                    .ok_or_else(|| {
                    ApiError::auth(
                        "verify aksk signature fail, X-Domain-Id is required and must be signed",
                    )
                })?;
                if domain != acct.domain_id {
                    return Err(ApiError::auth(format!(
                        "the X-Domain-Id {domain} is not the access key's account"
                    )));
                }
                if req.path_domain.is_some_and(|d| d != domain) {
                    return Err(forbidden("the domain id in the path does not match X-Domain-Id"));
                }
            }
            Need::Any | Need::None | Need::ProjectToken => {}
        }
        Ok(Some(Caller { account, ak: Some(verified.ak), token_scope: None }))
    }

    fn check_token(
        &self,
        need: Need,
        req: &Incoming<'_>,
        token: &str,
        state: &Mutex<State>,
        now: OffsetDateTime,
    ) -> ApiResult<Caller> {
        let info = state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .tokens
            .get(token)
            .cloned()
            .ok_or_else(|| ApiError::auth("decrypt token fail"))?;
        if info.expires <= now {
            return Err(ApiError::auth(format!(
                "token expires, expires_at: {}",
                fmt_millis(info.expires)
            )));
        }
        let acct =
            self.dir.get(info.account).ok_or_else(|| ApiError::auth("decrypt token fail"))?;
        match (&need, &info.scope) {
            (Need::Project, TokenScope::Project { id, .. })
                if req.path_project.is_some_and(|p| p != id) =>
            {
                return Err(forbidden(format!(
                    "the token is scoped to project {id} and cannot be used for another project"
                )));
            }
            (Need::Project | Need::ProjectToken, TokenScope::Domain) => {
                return Err(forbidden(
                    "a domain-scoped token cannot call a project-level API; use a project-scoped token",
                ));
            }
            (Need::Domain, _) if req.path_domain.is_some_and(|d| d != acct.domain_id) => {
                return Err(forbidden("the domain id in the path is not the token's account"));
            }
            _ => {}
        }
        Ok(Caller { account: info.account, ak: None, token_scope: Some(info.scope) })
    }
}

fn rejection_error(r: &Rejection) -> ApiError {
    match r {
        Rejection::MissingAuthorization => ApiError::auth("x-auth-token not found"),
        Rejection::StaleDate => ApiError::auth(
            "verify aksk signature fail, the X-Sdk-Date is more than 15 minutes from the server time",
        ),
        other => ApiError::auth(format!("verify aksk signature fail, {other}")),
    }
}
