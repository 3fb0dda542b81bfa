//! What `base.html` shows around every page: product name, the user's teams, the language
//! switch, the sign-out button, and the CSRF token for htmx.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;
use crate::extract::{CurrentUser, RequestContext};
use crate::i18n::Language;
use crate::state::AppState;

#[derive(Clone, Debug)]
pub struct NavTeam {
    pub id: Uuid,
    pub name: String,
    /// Whether the user's role in this team may read its audit log (admin, owner), so the
    /// header links to it only for them.
    pub audit: bool,
    /// Whether they may manage its members (owners).
    pub members: bool,
}

#[derive(Clone, Debug)]
pub struct Layout {
    pub lang: Language,
    /// The session's CSRF token; empty when there is none (then the page has no forms).
    pub csrf: String,
    /// The signed-in user's display name.
    pub user_name: Option<String>,
    pub teams: Vec<NavTeam>,
    /// Whether the user is a site administrator (the header links to site administration).
    pub site_admin: bool,
    /// The team the page belongs to, highlighted in the header.
    pub current_team: Option<Uuid>,
    /// This page's path and query, where the language switch comes back to.
    pub here: String,
    pub css_url: String,
    pub js_url: String,
}

impl Layout {
    pub fn from_context(
        state: &AppState,
        ctx: &RequestContext,
        csrf: Option<String>,
        here: &str,
    ) -> Layout {
        let _ = state;
        Layout {
            lang: ctx.lang,
            csrf: csrf.unwrap_or_default(),
            user_name: ctx.user.as_ref().map(|u| u.user.display_name.clone()),
            teams: ctx.user.as_ref().map(nav_teams).unwrap_or_default(),
            site_admin: ctx.user.as_ref().is_some_and(|u| u.user.site_admin),
            current_team: None,
            here: safe_here(here),
            css_url: crate::assets::url("app.css"),
            js_url: crate::assets::url("htmx.min.js"),
        }
    }

    /// For pages rendered outside the session layers (e.g. a 404 for an unknown path).
    pub fn anonymous(state: &AppState, lang: Language, here: &str) -> Layout {
        Layout::from_context(
            state,
            &RequestContext { user: None, lang, session_ended: false },
            None,
            here,
        )
    }

    pub fn with_team(mut self, team: Uuid) -> Layout {
        self.current_team = Some(team);
        self
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }

    pub fn has_csrf(&self) -> bool {
        !self.csrf.is_empty()
    }

    pub fn is_current(&self, team: &Uuid) -> bool {
        self.current_team == Some(*team)
    }

    pub fn lang_is(&self, tag: &str) -> bool {
        self.lang.as_str() == tag
    }
}

fn nav_teams(user: &CurrentUser) -> Vec<NavTeam> {
    user.teams
        .iter()
        .map(|m| NavTeam {
            id: m.team_id,
            name: m.team_name.clone(),
            audit: m.role.allows(lightdeck_domain::policy::Permission::ReadAudit),
            members: m.role.allows(lightdeck_domain::policy::Permission::ManageTeam),
        })
        .collect()
}

fn safe_here(here: &str) -> String {
    if crate::urls::is_safe_next(here) { here.to_owned() } else { "/".to_owned() }
}

/// Builds the layout for the current request, creating the CSRF token if needed. Sets
/// `current_team` from a `{team}` path parameter the user belongs to.
impl FromRequestParts<AppState> for Layout {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ctx = parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or_else(|| AppError::internal("Layout used on a route without sessions"))?;
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::internal(msg))?;
        // A visitor's token lives in its own cookie (see `csrf`), so a page view as a
        // stranger writes no session; a signed-in session has its own.
        let csrf = match parts.extensions.get::<crate::csrf::VisitorToken>() {
            Some(v) if ctx.user.is_none() => v.0.clone(),
            _ => crate::csrf::token(&session).await?,
        };
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
        let mut layout = Layout::from_context(state, &ctx, Some(csrf), &here);
        if let Some(team) = crate::extract::team_param(parts).await
            && let Ok(id) = team.parse::<Uuid>()
            && layout.teams.iter().any(|t| t.id == id)
        {
            layout.current_team = Some(id);
        }
        Ok(layout)
    }
}
