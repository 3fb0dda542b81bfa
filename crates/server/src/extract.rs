//! Extractors handlers take as arguments. The signed-in user, their teams and the language
//! are resolved once per request by `session::load_context` and read from the request's
//! extensions here, so extracting them costs nothing.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use lightdeck_domain::audit::SessionHash;
use lightdeck_domain::policy::{Permission, Role};
use lightdeck_domain::teams::Membership;
use lightdeck_domain::users::User;
use uuid::Uuid;

use crate::client_addr::ClientAddr;
use crate::error::AppError;
use crate::i18n::{Language, Tr};
use crate::state::AppState;

mod actor;
mod ids;
pub use actor::Actor;
pub use ids::{PathAccount, PathBatch, PathInstance, PathUser};

/// What `session::load_context` found out about the request.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub user: Option<CurrentUser>,
    pub lang: Language,
    /// The session had a user but timed out (idle or absolute) on this request.
    pub session_ended: bool,
}

/// The signed-in user (enabled, session within its time limits) and their teams.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    /// The user's teams by name, with their role in each.
    pub teams: Vec<Membership>,
    /// SHA-256 of the session id, for audit events (never the id itself).
    pub session_hash: SessionHash,
}

impl CurrentUser {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    pub fn role_in(&self, team: Uuid) -> Option<Role> {
        self.teams.iter().find(|m| m.team_id == team).map(|m| m.role)
    }
}

fn context(parts: &Parts) -> Option<&RequestContext> {
    parts.extensions.get::<RequestContext>()
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        context(parts).and_then(|c| c.user.clone()).ok_or(AppError::Unauthenticated)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, AppError> {
        Ok(context(parts).and_then(|c| c.user.clone()))
    }
}

/// A team of the signed-in user, from the `{team}` path parameter. A team the user is not
/// in, or an id that does not parse, is `NotFound` (never `Forbidden`: ids do not leak).
#[derive(Clone, Debug)]
pub struct TeamCtx {
    pub team: TeamRef,
    pub role: Role,
    pub user: CurrentUser,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamRef {
    pub id: Uuid,
    pub name: String,
}

impl TeamCtx {
    /// `Forbidden` (which the error layer writes to the security log) unless the role
    /// allows `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "role {} in team {} lacks {permission:?}",
                self.role, self.team.id
            )))
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }
}

/// The `{team}` path parameter, if the route has one.
pub(crate) async fn team_param(parts: &mut Parts) -> Option<String> {
    ids::path_param(parts, "team").await
}

pub(crate) fn team_ctx(user: CurrentUser, team: Option<&str>) -> Result<TeamCtx, AppError> {
    let id: Uuid = team.and_then(|t| t.parse().ok()).ok_or(AppError::NotFound)?;
    let membership = user.teams.iter().find(|m| m.team_id == id).ok_or(AppError::NotFound)?;
    Ok(TeamCtx {
        team: TeamRef { id, name: membership.team_name.clone() },
        role: membership.role,
        user: user.clone(),
    })
}

impl<S: Send + Sync> FromRequestParts<S> for TeamCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let user = <CurrentUser as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        let team = team_param(parts).await;
        team_ctx(user, team.as_deref())
    }
}

/// The language of this request's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lang(pub Language);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(context(parts).map_or_else(
            || {
                crate::i18n::negotiate(
                    parts
                        .headers
                        .get(axum::http::header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok()),
                )
            },
            |c| c.lang,
        )))
    }
}

impl FromRequestParts<AppState> for Tr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Lang(lang) = Lang::from_request_parts(parts, state).await?;
        Ok(Tr::new(state.i18n.clone(), lang))
    }
}

/// Whether htmx made the request (`HX-Request: true`, not a boosted navigation): such
/// requests get a partial instead of a full page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsHtmx(pub bool);

pub fn is_htmx_request(headers: &HeaderMap) -> bool {
    let is = |name: &str| headers.get(name).is_some_and(|v| v.as_bytes() == b"true");
    is("hx-request") && !is("hx-boosted")
}

impl<S: Send + Sync> FromRequestParts<S> for IsHtmx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IsHtmx(is_htmx_request(&parts.headers)))
    }
}

/// The header that carries each request's id, set fresh by the outermost layer.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// This request's id (also in the `X-Request-Id` response header and on error pages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

pub fn request_id_of(headers: &HeaderMap) -> String {
    headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestId(request_id_of(&parts.headers)))
    }
}

/// Where the request came from: the client's address (the peer, or behind a trusted proxy
/// the address it forwarded; none when the server was started without connect info) and
/// the User-Agent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    pub fn from_parts(extensions: &axum::http::Extensions, headers: &HeaderMap) -> ClientInfo {
        ClientInfo {
            // Behind a trusted proxy, the address it forwarded (`client_addr`).
            ip: extensions.get::<ClientAddr>().map(|ClientAddr(ip)| *ip).or_else(|| {
                extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())
            }),
            user_agent: headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        }
    }

    pub fn from_request<B>(req: &axum::http::Request<B>) -> ClientInfo {
        ClientInfo::from_parts(req.extensions(), req.headers())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientInfo::from_parts(&parts.extensions, &parts.headers))
    }
}
