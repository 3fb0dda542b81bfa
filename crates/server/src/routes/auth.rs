//! Sign in, sign out, and the language switch. Sign-ins and sign-outs are recorded in
//! the sessions registry (`session::sign_in`, `session::sign_out`), failures in the
//! security log.
//!
//! # The second factor
//!
//! A user with a second factor ([`lightdeck_domain::second_factor`]) who types the right
//! password is not signed in: the session only notes who and when ([`crate::second_step`])
//! and the browser goes to `/login/code`, which asks for the app's code or a recovery code
//! within five minutes. A wrong or replayed code is a failed sign-in like a wrong password
//! (`sign_in_failed`, route `/login/code`) and counts under the same limits below, so the
//! password does not buy extra guesses. The device cookie is given only once the code is
//! right.
//!
//! # Sign-in throttling
//!
//! Throttling stops guessing without letting a stranger lock the real user out (OWASP,
//! "Slow down online guessing attacks with device cookies"). A successful sign-in gives the
//! browser a device cookie for that login ([`crate::device_cookie`], valid a year, renewed at
//! each sign-in). All counts are of failed sign-ins within the last 15 minutes
//! ([`WINDOW`]), taken from the security log plus the attempts being checked right now
//! ([`crate::sign_in_guard`]):
//!
//! - **With a valid device cookie for the login typed**: only that browser's failures count.
//!   After 10 ([`DEVICE_MAX_FAILURES`]) it is refused (429, "try again in N minutes") until
//!   they leave the window. Failures from other browsers and addresses never refuse it.
//! - **Without one** (a new browser, or a forged, damaged or other user's cookie):
//!   - 10 failures from the address, for any logins ([`MAX_FAILURES`]): the address is
//!     refused until they leave the window (429, minutes);
//!   - 5 failures for the login from the address ([`LOGIN_ADDRESS_MAX_FAILURES`]): that
//!     pair is refused until they leave the window (429, minutes);
//!   - 10 failures for the login from browsers without its cookie, from anywhere
//!     ([`SLOWDOWN_AFTER`]): not a lockout but a slowdown. Such attempts for the login are
//!     then checked at most once per 60 seconds ([`SLOWDOWN`]) after the last failure;
//!     sooner they get 429 with `Retry-After` in seconds. An attacker spread over many
//!     addresses then gets about 10 + 15 guesses per 15 minutes; the user with the cookie
//!     is not affected, and a user on a new browser waits at most a minute.
//!
//! Refusals are logged as `sign_in_throttled` and do not count as failures. Refusals for
//! attempts already in flight (503 "busy", a second) are not logged.
//!
//! [`WINDOW`]: lightdeck_domain::security_log::WINDOW
//! [`DEVICE_MAX_FAILURES`]: lightdeck_domain::security_log::DEVICE_MAX_FAILURES
//! [`MAX_FAILURES`]: lightdeck_domain::security_log::MAX_FAILURES
//! [`LOGIN_ADDRESS_MAX_FAILURES`]: lightdeck_domain::security_log::LOGIN_ADDRESS_MAX_FAILURES
//! [`SLOWDOWN_AFTER`]: lightdeck_domain::security_log::SLOWDOWN_AFTER
//! [`SLOWDOWN`]: lightdeck_domain::security_log::SLOWDOWN

mod code;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::security_log::Kind;
use lightdeck_domain::users::{self, SignIn, User};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::device_cookie::{self, DeviceKey, Known};
use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser, RequestContext};
use crate::i18n::{Language, Tr};
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::throttle::{self, Attempt};
use crate::urls::is_safe_next;
use crate::views::auth::LoginPage;
use crate::views::layout::Layout;
use crate::{second_step, session};

/// Where passwords are typed, as the security log names it.
const ROUTE: &str = "/login";

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/login", Access::Public, login_form)
        .post("/login", Access::Public, login)
        .get("/login/code", Access::Public, code::form)
        .post("/login/code", Access::Public, code::submit)
        .post("/logout", Access::Public, logout)
        .post("/language", Access::Public, set_language)
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    /// `signed-out` after signing out.
    #[serde(default)]
    from: Option<String>,
}

async fn login_form(
    ctx: axum::Extension<RequestContext>,
    tr: Tr,
    layout: Layout,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = q.next.filter(|n| is_safe_next(n)).unwrap_or_else(|| "/".to_owned());
    if ctx.user.is_some() {
        return Redirect::to(&next).into_response();
    }
    let notice = if ctx.session_ended {
        Some(tr.t("login-session-ended"))
    } else if q.from.as_deref() == Some("signed-out") {
        Some(tr.t("login-signed-out"))
    } else if q.from.as_deref() == Some("code-expired") {
        Some(tr.t("login-code-expired"))
    } else {
        None
    };
    LoginPage {
        tr,
        layout,
        login: String::new(),
        next,
        notice,
        notice_is_error: false,
        login_error: None,
        password_error: None,
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default = "empty_secret")]
    password: SecretString,
    #[serde(default)]
    next: Option<String>,
}

fn empty_secret() -> SecretString {
    SecretString::from(String::new())
}

/// Checks a password. A browser signed in already is sent on: a session changes who it is
/// only by signing out first, so it never holds one user's sign-in and another's half-done
/// one (nor is it a way to test passwords without the sign-in page's form).
async fn login(
    State(state): State<AppState>,
    axum::Extension(ctx): axum::Extension<RequestContext>,
    session: Session,
    client: ClientInfo,
    headers: HeaderMap,
    layout: Layout,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let tr = Tr::new(state.i18n.clone(), layout.lang);
    let login = form.login.trim().to_owned();
    let next = form.next.filter(|n| is_safe_next(n)).unwrap_or_else(|| "/".to_owned());
    if ctx.user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let page = |status: StatusCode, notice: Option<String>, login_error, password_error| {
        let page = LoginPage {
            tr: tr.clone(),
            layout: layout.clone(),
            login: login.clone(),
            next: next.clone(),
            notice_is_error: true,
            notice,
            login_error,
            password_error,
        };
        (status, page).into_response()
    };

    let login_missing = login.is_empty();
    let password_missing = form.password.expose_secret().is_empty();
    if login_missing || password_missing {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            login_missing.then(|| tr.t("login-login-required")),
            password_missing.then(|| tr.t("login-password-required")),
        ));
    }

    let now = state.now();
    let known = device_cookie::known(&state, &headers, &login).await?;
    let attempt = Attempt {
        login: &login,
        client: &client,
        device: known.as_ref().map(Known::device),
        route: Some(ROUTE),
    };
    // Reserved before the check, held until the failure is recorded (end of this function).
    let reservation = match attempt.admit(&state, &tr, now).await? {
        Ok(reservation) => reservation,
        Err(refusal) => {
            let shown = page(refusal.status, Some(refusal.message.clone()), None, None);
            return Ok(refusal.respond(shown));
        }
    };

    let gate = &state.password_gate;
    match users::verify_password_with(&state.db, gate, &login, &form.password).await? {
        SignIn::Busy => {
            let refusal = throttle::Refusal::busy(&tr);
            let shown = page(refusal.status, Some(refusal.message.clone()), None, None);
            Ok(refusal.respond(shown))
        }
        // The password alone does not sign in: the code is asked on a page of its own.
        SignIn::Accepted(user) if user.second_factor => {
            second_step::begin(&session, user.id, user.session_epoch, &next, now).await?;
            tracing::info!(user = %user.login, "password accepted; second factor due");
            Ok(Redirect::to("/login/code").into_response())
        }
        SignIn::Accepted(user) => {
            finish_sign_in(&state, &session, &client, known.as_ref(), &user, &next, now).await
        }
        SignIn::Rejected { user_id, reason } => {
            attempt.record(&state, Kind::SignInFailed, user_id, reason.as_str(), now).await?;
            drop(reservation);
            Ok(page(StatusCode::UNAUTHORIZED, Some(tr.t("login-failed")), None, None))
        }
    }
}

/// Signs `user` in (after the password, and the code if they have a second factor) and
/// goes to `next`. A browser with a valid device cookie for the user (`known`, checked by
/// the caller) keeps it, renewed; any other gets a new one.
async fn finish_sign_in(
    state: &AppState,
    session: &Session,
    client: &ClientInfo,
    known: Option<&Known>,
    user: &User,
    next: &str,
    now: OffsetDateTime,
) -> Result<Response, AppError> {
    second_step::clear(session).await?;
    session::sign_in(state, session, user.id, user.session_epoch, client, now).await?;
    users::record_sign_in(&state.db, user.id, now).await?;
    tracing::info!(user = %user.login, "signed in");
    let value = match known {
        Some(known) => known.value().to_owned(),
        None => DeviceKey::load(state).await?.issue(&user.login).0,
    };
    let mut response = Redirect::to(next).into_response();
    device_cookie::set(response.headers_mut(), &value, state.config.secure_cookies());
    Ok(response)
}

async fn logout(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    session::sign_out(&state, &session).await?;
    Ok(Redirect::to("/login?from=signed-out").into_response())
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: Option<String>,
}

/// Stores the choice: in the user's settings when signed in, else in the session.
async fn set_language(
    State(state): State<AppState>,
    session: Session,
    user: Option<CurrentUser>,
    Form(form): Form<LanguageForm>,
) -> Result<Response, AppError> {
    let lang = Language::parse(&form.lang)?;
    match user {
        Some(user) => users::set_language(&state.db, user.id(), lang).await?,
        None => session.insert(session::LANG_KEY, lang.as_str()).await?,
    }
    let next = form.next.filter(|n| is_safe_next(n)).unwrap_or_else(|| "/".to_owned());
    Ok(Redirect::to(&next).into_response())
}
