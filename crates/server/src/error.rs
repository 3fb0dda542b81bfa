//! The one error type of the web layer, and the middleware that turns error responses into
//! pages.
//!
//! A handler returns `Err(AppError)`; its `IntoResponse` only sets the status and attaches
//! the error as a response extension. [`render_errors`] (an outer layer, which knows the
//! request id, the language and whether htmx asked) then renders a full error page or a
//! small htmx fragment with the request id as reference, logs internal errors once, and
//! writes refusals to the security log. Other error responses (axum's extractor
//! rejections, 405, timeouts, body limits, panics) get the same treatment, so no internal
//! text reaches anyone.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::security_log::{self, Kind, NewEvent};
use lightdeck_huaweicloud::FieldErrors;

use crate::denial_log::Admit;
use crate::extract::{ClientInfo, is_htmx_request, request_id_of};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::error::{ErrorFragment, ErrorPage};
use crate::views::layout::Layout;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Status 404. Also for anything outside the user's teams, so ids do not leak.
    #[error("not found")]
    NotFound,
    /// Status 403. `reason` goes to the security log, never to the page.
    #[error("forbidden: {reason}")]
    Forbidden { reason: String },
    /// Not signed in (or the session ended): 303 to /login, or 401 + HX-Redirect for htmx.
    #[error("not signed in")]
    Unauthenticated,
    /// Status 422. Forms re-render themselves with the messages next to the fields; this is
    /// the fallback page listing them.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// Status 409: the request breaks a rule; the message is shown as is.
    #[error("{0}")]
    Conflict(String),
    /// Status 429: too many attempts; try again in `minutes`.
    #[error("throttled for {minutes} minutes")]
    Throttled { minutes: u32 },
    /// Status 500. Logged once with the request id; the person sees only the reference.
    #[error("internal error: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> AppError {
        AppError::Internal(e.into())
    }

    pub fn forbidden(reason: impl Into<String>) -> AppError {
        AppError::Forbidden { reason: reason.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<lightdeck_domain::Error> for AppError {
    fn from(e: lightdeck_domain::Error) -> Self {
        use lightdeck_domain::Error as E;
        match e {
            E::NotFound => AppError::NotFound,
            E::Invalid(errors) => AppError::Invalid(errors),
            E::Rule(message) => AppError::Conflict(message),
            corrupt @ E::Corrupt { .. } => AppError::internal(corrupt),
            other => AppError::internal(other),
        }
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::internal(e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal(e)
    }
}

/// The error as it travels from the handler to [`render_errors`].
#[derive(Clone)]
pub struct ErrorSlot(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(ErrorSlot(Arc::new(self)));
        response
    }
}

/// Marks an error response whose body is meant as is (e.g. `/healthz`'s 503).
#[derive(Clone, Copy, Debug)]
pub struct KeepBody;

/// Added by the session-aware layers to error responses: what the page around the error
/// may show (language, signed-in user, CSRF token).
#[derive(Clone)]
pub struct ErrorContext {
    pub layout: Layout,
    pub user_id: Option<uuid::Uuid>,
    pub login: Option<String>,
}

/// Renders every error response (see the module doc). Runs outside the session layer.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let request_id = request_id_of(req.headers());
    let htmx = is_htmx_request(req.headers());
    let client = ClientInfo::from_request(&req);
    let path = req.uri().path().to_owned();
    let path_and_query =
        req.uri().path_and_query().map_or_else(|| path.clone(), |p| p.as_str().to_owned());
    let accept_language =
        req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let is_get =
        req.method() == axum::http::Method::GET || req.method() == axum::http::Method::HEAD;

    let mut response = next.run(req).await;
    let status = response.status();
    let slot = response.extensions_mut().remove::<ErrorSlot>();
    if slot.is_none()
        && (!(status.is_client_error() || status.is_server_error())
            || response.extensions().get::<KeepBody>().is_some()
            || is_html(&response))
    {
        return response;
    }
    let route = response.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let context = response.extensions_mut().remove::<ErrorContext>();
    let error = slot.as_ref().map(|s| s.0.as_ref());

    match error {
        Some(AppError::Unauthenticated) => {
            return unauthenticated(htmx, is_get, &path_and_query, &request_id);
        }
        Some(AppError::Internal(e)) => {
            let causes = cause_chain(e.as_ref());
            tracing::error!(request_id = %request_id, route = route.as_deref().unwrap_or(&path), error = %e, causes, "internal error");
        }
        Some(AppError::Forbidden { reason }) => {
            let event = NewEvent {
                at: state.now(),
                kind: Kind::RequestDenied,
                login: context.as_ref().and_then(|c| c.login.as_deref()),
                user_id: context.as_ref().and_then(|c| c.user_id),
                source_ip: client.ip,
                user_agent: client.user_agent.as_deref(),
                route: Some(&path),
                reason,
                device: None,
            };
            let admit = state.denials.admit(client.ip, state.now());
            crate::denial_log::count("forbidden", admit == Admit::Write);
            match admit {
                Admit::Write => {
                    if let Err(e) = security_log::record(&state.db, &event).await {
                        tracing::error!(request_id = %request_id, error = %e, "could not write the security log");
                    }
                }
                Admit::DropFirst => tracing::warn!(
                    source_ip = ?client.ip,
                    "more than {} refused requests from one address this minute; the rest are \
                     counted in the metrics, not written to the security log",
                    crate::denial_log::PER_WINDOW
                ),
                Admit::Drop => {}
            }
        }
        None if status.is_server_error() => {
            tracing::error!(request_id = %request_id, %status, route = route.as_deref().unwrap_or(&path), "request failed");
        }
        _ => {}
    }

    let layout = match context {
        Some(c) => c.layout,
        None => Layout::anonymous(
            &state,
            crate::i18n::negotiate(accept_language.as_deref()),
            &path_and_query,
        ),
    };
    let tr = Tr::new(state.i18n.clone(), layout.lang);
    let message = message_for(&tr, status, error);
    let details: Vec<String> = match error {
        Some(AppError::Invalid(errors)) => errors.0.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    };
    let mut page = if htmx {
        let mut r =
            ErrorFragment { tr, message, details, request_id: request_id.clone() }.into_response();
        // The fragment replaces the flash area, not whatever the request was aimed at.
        r.headers_mut().insert("HX-Retarget", HeaderValue::from_static("#flash"));
        r.headers_mut().insert("HX-Reswap", HeaderValue::from_static("innerHTML"));
        r
    } else {
        ErrorPage {
            title: tr.t(title_key(status)),
            tr,
            layout,
            message,
            details,
            request_id: request_id.clone(),
        }
        .into_response()
    };
    *page.status_mut() = status;
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = response.headers().get(&name) {
            page.headers_mut().insert(name, v.clone());
        }
    }
    page
}

/// What caused `e`, outermost first ("error returned from database: invalid byte sequence
/// …"): a database error alone says only "database error". Our error types never put
/// secrets in their messages, and neither do sqlx's or the cloud client's.
pub fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = Vec::new();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        // Wrappers often repeat their source's text; once is enough.
        if out.last() != Some(&text) {
            out.push(text);
        }
        cause = c.source();
    }
    out.join(": ")
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn unauthenticated(htmx: bool, is_get: bool, path_and_query: &str, request_id: &str) -> Response {
    // htmx asked for a fragment: coming back to it after signing in would show a bare
    // fragment, so it goes to the start page instead.
    let target =
        if !htmx && is_get && path_and_query != "/" && crate::urls::is_safe_next(path_and_query) {
            format!("/login?next={}", crate::urls::encode_component(path_and_query))
        } else {
            "/login".to_owned()
        };
    let mut response = if htmx {
        let mut r = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            r.headers_mut().insert("HX-Redirect", v);
        }
        r
    } else {
        Redirect::to(&target).into_response()
    };
    tracing::debug!(request_id, "not signed in");
    response.extensions_mut().insert(KeepBody);
    response
}

fn title_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 | 403 => "error-forbidden-title",
        404 => "error-not-found-title",
        405 => "error-method-title",
        408 => "error-timeout-title",
        409 => "error-conflict-title",
        413 => "error-too-large-title",
        422 => "error-invalid-title",
        429 => "error-throttled-title",
        400..=499 => "error-bad-request-title",
        _ => "error-internal-title",
    }
}

fn message_for(tr: &Tr, status: StatusCode, error: Option<&AppError>) -> String {
    match error {
        Some(AppError::Conflict(message)) => message.clone(),
        Some(AppError::Throttled { minutes }) => {
            tr.t1("error-throttled", "minutes", i64::from(*minutes))
        }
        _ => tr.t(match status.as_u16() {
            401 | 403 => "error-forbidden",
            404 => "error-not-found",
            405 => "error-method",
            408 => "error-timeout",
            409 => "error-conflict",
            413 => "error-too-large",
            422 => "error-invalid",
            429 => "error-throttled-generic",
            400..=499 => "error-bad-request",
            _ => "error-internal",
        }),
    }
}
