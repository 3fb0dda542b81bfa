//! Who is acting, as the domain records it on actions and audit events: the signed-in
//! member, the address and browser the request came from, the session (by hash) and the
//! panel's request id. Built once here instead of by hand in every handler that writes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use lightdeck_domain::actions::RequestContext;

use super::{ClientInfo, RequestId, TeamCtx};
use crate::error::AppError;

/// The acting member of the `{team}` in the path, with the request's facts.
#[derive(Debug, Clone)]
pub struct Actor {
    pub team: TeamCtx,
    pub context: RequestContext,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let team = TeamCtx::from_request_parts(parts, state).await?;
        let Ok(client) = ClientInfo::from_request_parts(parts, state).await;
        let Ok(RequestId(request_id)) = RequestId::from_request_parts(parts, state).await;
        let context = RequestContext {
            actor_user_id: team.user.id(),
            actor_name: team.user.user.display_name.clone(),
            source_ip: client.ip,
            user_agent: client.user_agent,
            session_hash: Some(team.user.session_hash.clone()),
            panel_request_id: Some(request_id),
        };
        Ok(Actor { team, context })
    }
}
