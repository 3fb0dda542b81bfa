//! Every route of the panel is added through a [`RouteTable`], which remembers its method,
//! path and the least [`Access`] it needs. The access is also enforced here (a route layer
//! per route), so the role × route test checks what really happens, and a route cannot be
//! added without deciding who may use it.
//!
//! ```
//! use lightdeck::routing::{Access, RouteTable};
//! use lightdeck_domain::policy::Permission;
//! # async fn page() -> &'static str { "audit" }
//! # async fn create() -> &'static str { "ok" }
//!
//! pub fn routes(t: RouteTable) -> RouteTable {
//!     t.get("/teams/{team}/audit", Access::Team(Permission::ReadAudit), page)
//!         .post("/teams/{team}/actions", Access::Team(Permission::PowerActions), create)
//! }
//! assert_eq!(routes(RouteTable::new()).infos().len(), 2);
//! ```
//! Handlers still take `TeamCtx` / `CurrentUser` to learn who is asking; finer checks
//! (e.g. soft vs hard reboot) use `ctx.require(Permission)`.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use lightdeck_domain::policy::Permission;

use crate::error::AppError;
use crate::extract::{RequestContext, TeamCtx, is_htmx_request, team_ctx, team_param};
use crate::state::AppState;

/// The least a request needs for a route to answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in user (anonymous: 303 to /login, or 401 + HX-Redirect for htmx).
    SignedIn,
    /// A member of the `{team}` in the path whose role allows the permission. Not a member
    /// (or no such team): 404. A member without the permission: 403. A member without a
    /// second factor, in a team that requires one: 303 to set it up.
    Team(Permission),
    /// A signed-in site administrator (anonymous: as `SignedIn`; anyone else: 403).
    SiteAdmin,
}

/// One route, as the role × route test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    /// axum syntax, e.g. `/teams/{team}/instances/{instance}`.
    pub path: &'static str,
    pub access: Access,
    /// Whether the route sees sessions (and CSRF); `false` for static files, health,
    /// metrics.
    pub sessions: bool,
}

/// Collects routes; [`crate::app::build`] turns it into the router.
#[derive(Default)]
pub struct RouteTable {
    infos: Vec<RouteInfo>,
    with_sessions: BTreeMap<&'static str, MethodRouter<AppState>>,
    bare: BTreeMap<&'static str, MethodRouter<AppState>>,
}

impl RouteTable {
    pub fn new() -> RouteTable {
        RouteTable::default()
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> RouteTable
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(Method::GET, path, access, handler)
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> RouteTable
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(Method::POST, path, access, handler)
    }

    /// A route with sessions, CSRF protection and the access check.
    ///
    /// # Panics
    /// When the same method and path are added twice, or for a method axum cannot route:
    /// both are mistakes in the code, found by the first test that builds the app.
    pub fn route<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> RouteTable
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.record(method.clone(), path, access, true);
        let filter = filter(&method);
        let route = on(filter, handler).route_layer(axum::middleware::from_fn(
            move |req: Request, next: Next| guard(access, req, next),
        ));
        merge_into(&mut self.with_sessions, path, route);
        self
    }

    /// A public GET route without sessions or CSRF (static files, health, metrics): no
    /// session lookup, no cookie.
    pub fn bare_get<H, T>(mut self, path: &'static str, handler: H) -> RouteTable
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.record(Method::GET, path, Access::Public, false);
        merge_into(&mut self.bare, path, on(MethodFilter::GET, handler));
        self
    }

    fn record(&mut self, method: Method, path: &'static str, access: Access, sessions: bool) {
        assert!(
            !self.infos.iter().any(|r| r.method == method && r.path == path),
            "route {method} {path} added twice"
        );
        self.infos.push(RouteInfo { method, path, access, sessions });
    }

    pub fn infos(&self) -> &[RouteInfo] {
        &self.infos
    }

    /// (routes that use sessions, routes that do not).
    pub(crate) fn into_routers(self) -> (Router<AppState>, Router<AppState>, Vec<RouteInfo>) {
        let mut with_sessions = Router::new();
        for (path, route) in self.with_sessions {
            with_sessions = with_sessions.route(path, route);
        }
        let mut bare = Router::new();
        for (path, route) in self.bare {
            bare = bare.route(path, route);
        }
        (with_sessions, bare, self.infos)
    }
}

fn filter(method: &Method) -> MethodFilter {
    match *method {
        Method::GET => MethodFilter::GET,
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        _ => panic!("RouteTable does not route {method}"),
    }
}

fn merge_into(
    map: &mut BTreeMap<&'static str, MethodRouter<AppState>>,
    path: &'static str,
    route: MethodRouter<AppState>,
) {
    let merged = match map.remove(path) {
        Some(existing) => existing.merge(route),
        None => route,
    };
    map.insert(path, merged);
}

/// A team that requires a second factor sends a member without one to set it up, before
/// any of its pages or actions (the page there names the team and says why); an htmx
/// request is told to go there with `HX-Redirect`.
fn enrol_first(ctx: &TeamCtx, headers: &HeaderMap) -> Option<Response> {
    let required =
        ctx.user.teams.iter().any(|m| m.team_id == ctx.team.id && m.requires_second_factor);
    if !required || ctx.user.user.second_factor {
        return None;
    }
    let to = format!("/account/second-factor?team={}", ctx.team.id);
    if !is_htmx_request(headers) {
        return Some(Redirect::to(&to).into_response());
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(value) = HeaderValue::from_str(&to) {
        response.headers_mut().insert("HX-Redirect", value);
    }
    Some(response)
}

/// Enforces a route's [`Access`] before its handler runs.
async fn guard(access: Access, req: Request, next: Next) -> Response {
    let user = req.extensions().get::<RequestContext>().and_then(|c| c.user.clone());
    match access {
        Access::Public => {}
        Access::SignedIn => {
            if user.is_none() {
                return AppError::Unauthenticated.into_response();
            }
        }
        Access::SiteAdmin => match user {
            None => return AppError::Unauthenticated.into_response(),
            Some(u) if !u.user.site_admin => {
                return AppError::forbidden("only site administrators may do this").into_response();
            }
            Some(_) => {}
        },
        Access::Team(permission) => {
            let Some(user) = user else {
                return AppError::Unauthenticated.into_response();
            };
            let (mut parts, body) = req.into_parts();
            let team = team_param(&mut parts).await;
            let ctx = match team_ctx(user, team.as_deref()) {
                Ok(ctx) => ctx,
                Err(e) => return e.into_response(),
            };
            if let Err(e) = ctx.require(permission) {
                return e.into_response();
            }
            if let Some(redirect) = enrol_first(&ctx, &parts.headers) {
                return redirect;
            }
            return next.run(Request::from_parts(parts, body)).await;
        }
    }
    next.run(req).await
}
