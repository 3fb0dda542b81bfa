//! Cross-site request forgery protection for every state-changing request (anything but
//! GET, HEAD, OPTIONS), two independent ways:
//! - the browser's own word: `Sec-Fetch-Site` must be `same-origin` (or `none`), and an
//!   `Origin` header must be this site's origin;
//! - a synchronizer token kept in the session, sent back as the form field `csrf` or the
//!   header `X-CSRF-Token` (htmx sends it from `hx-headers` on `<body>`). A visitor whose
//!   session holds none (not signed in) gets a signed double-submit token instead: a random
//!   nonce in a cookie of its own and, in forms, its HMAC under a key derived from the
//!   master key. So looking at the sign-in page stores nothing: no session row for every
//!   anonymous page view.
//!
//! Templates get the token from `Layout::csrf` (or the [`CsrfToken`] extractor) and put it
//! in forms as `<input type="hidden" name="csrf" value="{{ layout.csrf }}">`.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tower_sessions::Session;

use crate::cookies::constant_time_eq;
use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_KEY: &str = "csrf";
pub const FORM_FIELD: &str = "csrf";
pub const HEADER: &str = "x-csrf-token";
/// Forms are small; a bigger body is not read looking for the token.
const MAX_FORM_BYTES: usize = 256 * 1024;

fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The session's token, created (and the session saved) on first use.
pub async fn token(session: &Session) -> Result<String, AppError> {
    if let Some(t) = session.get::<String>(SESSION_KEY).await? {
        return Ok(t);
    }
    let t = new_token();
    session.insert(SESSION_KEY, &t).await?;
    Ok(t)
}

/// A fresh token (at sign-in), so one seen before sign-in is worthless after.
pub async fn rotate(session: &Session) -> Result<String, AppError> {
    let t = new_token();
    session.insert(SESSION_KEY, &t).await?;
    Ok(t)
}

/// The token if the session has one; never creates a session.
pub async fn existing_token(session: &Session) -> Option<String> {
    session.get::<String>(SESSION_KEY).await.ok().flatten()
}

/// The session's CSRF token, for forms in partials rendered without a `Layout`.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::internal(msg))?;
        Ok(CsrfToken(token(&session).await?))
    }
}

/// The CSRF token of a visitor whose session holds none, for [`crate::views::layout`].
#[derive(Clone, Debug)]
pub struct VisitorToken(pub String);

const VISITOR_PURPOSE: &str = "lightdeck csrf visitor v1";

pub fn visitor_cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-lightdeck_csrf" } else { "lightdeck_csrf" }
}

fn visitor_token(state: &AppState, nonce: &str) -> String {
    let key = state.keyring.derive(VISITOR_PURPOSE);
    let mac = crate::device_cookie::hmac_sha256(key.expose_secret(), &[nonce.as_bytes()]);
    URL_SAFE_NO_PAD.encode(mac)
}

/// The visitor nonce the browser sent, if it is one of ours in form (43 base64url
/// characters, 32 bytes); anything else counts as none.
fn sent_nonce(headers: &HeaderMap, secure: bool) -> Option<String> {
    crate::cookies::read(headers, visitor_cookie_name(secure))
        .filter(|v| URL_SAFE_NO_PAD.decode(v).is_ok_and(|b| b.len() == 32))
}

fn set_visitor_cookie(response: &mut Response, nonce: &str, secure: bool) {
    let name = visitor_cookie_name(secure);
    crate::cookies::append(response.headers_mut(), name, nonce, None, secure);
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses cross-site and token-less state-changing requests with 403 (written to the
/// security log by the error layer).
pub async fn protect(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let in_session = match session.get::<String>(SESSION_KEY).await {
        Ok(t) => t,
        Err(e) => return AppError::from(e).into_response(),
    };
    // Without a session token: the visitor's, from its cookie (a new one if it has none).
    let secure = state.config.secure_cookies();
    let mut fresh = None;
    let visitor = match &in_session {
        Some(_) => None,
        None => {
            let sent = sent_nonce(req.headers(), secure);
            let nonce = sent.clone().unwrap_or_else(new_token);
            let token = visitor_token(&state, &nonce);
            req.extensions_mut().insert(VisitorToken(token.clone()));
            if sent.is_none() {
                fresh = Some(nonce);
            }
            // A nonce made just now proves nothing about a form sent with it.
            sent.map(|_| token)
        }
    };
    let with_cookie = |mut response: Response| {
        if let Some(nonce) = &fresh {
            set_visitor_cookie(&mut response, nonce, secure);
        }
        response
    };
    if is_safe(req.method()) {
        return with_cookie(next.run(req).await);
    }
    if let Err(reason) = check_origin(req.headers(), state.config.public_origin()) {
        return with_cookie(AppError::forbidden(reason).into_response());
    }
    let Some(expected) = in_session.or(visitor) else {
        return with_cookie(AppError::forbidden("no CSRF token").into_response());
    };
    let (sent, req) = match sent_token(req).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match sent {
        Some(sent) if constant_time_eq(sent.as_bytes(), expected.as_bytes()) => next.run(req).await,
        Some(_) => AppError::forbidden("wrong CSRF token").into_response(),
        None => AppError::forbidden("missing CSRF token").into_response(),
    }
}

/// `Sec-Fetch-Site` and `Origin`, when the browser sent them.
pub fn check_origin(headers: &HeaderMap, public_origin: Option<&str>) -> Result<(), String> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("?");
        if !matches!(site, "same-origin" | "none") {
            return Err(format!("cross-site request (Sec-Fetch-Site: {site})"));
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("null");
    let same = match public_origin {
        Some(public) => origin.eq_ignore_ascii_case(public),
        None => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
            !host.is_empty()
                && (origin.strip_prefix("http://") == Some(host)
                    || origin.strip_prefix("https://") == Some(host))
        }
    };
    if same { Ok(()) } else { Err(format!("request from another origin ({origin})")) }
}

/// The token from the header, else from a urlencoded form body (which is put back).
/// A body over the limit (or one that breaks off) ends the request here: 413 or 400.
async fn sent_token(req: Request) -> Result<(Option<String>, Request), Response> {
    if let Some(v) = req.headers().get(HEADER) {
        return Ok((v.to_str().ok().map(str::to_owned), req));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((None, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES).await.map_err(|e| {
        let inner = e.into_inner();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(inner.as_ref());
        let mut too_large = false;
        while let Some(c) = cause {
            too_large |= c.is::<http_body_util::LengthLimitError>();
            cause = c.source();
        }
        if too_large {
            StatusCode::PAYLOAD_TOO_LARGE.into_response()
        } else {
            StatusCode::BAD_REQUEST.into_response()
        }
    })?;
    let token = form_value(&bytes, FORM_FIELD);
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// A field of a urlencoded body. Tokens are base64url, which forms never percent-encode,
/// so a value with `%` or `+` is taken as is (and will not match).
fn form_value(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| v.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origins() {
        let same = headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]);
        assert!(check_origin(&same, None).is_ok());
        let other = headers(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")]);
        assert!(check_origin(&other, None).unwrap_err().contains("evil.example"));
        let null = headers(&[("host", "a"), ("origin", "null")]);
        assert!(check_origin(&null, None).is_err());
        let public = headers(&[("host", "internal:8080"), ("origin", "https://panel.example")]);
        assert!(check_origin(&public, Some("https://panel.example")).is_ok());
        assert!(check_origin(&public, Some("https://other.example")).is_err());
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(check_origin(&cross, None).unwrap_err().contains("cross-site"));
        let same_site = headers(&[("sec-fetch-site", "same-site")]);
        assert!(check_origin(&same_site, None).is_err());
        assert!(check_origin(&headers(&[("sec-fetch-site", "same-origin")]), None).is_ok());
        assert!(check_origin(&HeaderMap::new(), None).is_ok());
    }

    #[test]
    fn form_fields() {
        assert_eq!(form_value(b"login=a&csrf=abc_-1&x=2", "csrf").as_deref(), Some("abc_-1"));
        assert_eq!(form_value(b"csrfx=1", "csrf"), None);
        assert_eq!(form_value(b"csrf", "csrf").as_deref(), Some(""));
    }
}
