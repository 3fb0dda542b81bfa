//! Site administration (`/admin`): users, teams and the site audit log, for site
//! administrators only (`Access::SiteAdmin`; a site administrator needs no team). The
//! domain (`lightdeck_domain::site`) keeps the rules (never the last site administrator,
//! only empty teams are deleted) and writes each change's site audit event.

mod audit;
mod teams;
mod users;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use lightdeck_domain::site::SiteActor;
use uuid::Uuid;

use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser, RequestId};
use crate::routing::RouteTable;
use crate::state::AppState;

pub fn routes(t: RouteTable) -> RouteTable {
    audit::routes(teams::routes(users::routes(t)))
}

/// The signed-in site administrator (the route's access checked the flag) and the
/// request's facts, as the site audit log records them.
#[derive(Debug, Clone)]
pub struct Admin {
    pub user: CurrentUser,
    pub actor: SiteActor,
}

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if !user.user.site_admin {
            return Err(AppError::forbidden("only site administrators may do this"));
        }
        let Ok(client) = ClientInfo::from_request_parts(parts, state).await;
        let Ok(RequestId(request_id)) = RequestId::from_request_parts(parts, state).await;
        let actor = SiteActor {
            user_id: Some(user.id()),
            name: user.user.display_name.clone(),
            source_ip: client.ip,
            user_agent: client.user_agent,
            session_hash: Some(user.session_hash.clone()),
            panel_request_id: Some(request_id),
        };
        Ok(Admin { user, actor })
    }
}

/// The `{team}` of an admin path: any team, still to be looked up (a malformed id is a 404).
#[derive(Debug, Clone, Copy)]
pub struct PathTeam(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathTeam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let raw = crate::extract::team_param(parts).await.ok_or(AppError::NotFound)?;
        raw.parse().map(PathTeam).map_err(|_| AppError::NotFound)
    }
}

pub(crate) use crate::input::{field, fields};

/// The whole setup link, as the members page makes it.
pub(crate) fn setup_link(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    let origin = state.config.public_origin().map(str::to_owned).or_else(|| {
        let host = headers.get(header::HOST)?.to_str().ok()?;
        Some(format!("http://{host}"))
    });
    format!("{}/setup/{token}", origin.unwrap_or_default())
}

/// A page that shows a setup link: no cache keeps it.
pub(crate) fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
