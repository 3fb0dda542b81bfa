//! Sign in, sign out, and the language switch. Sign-ins and sign-outs are recorded in
//! the sessions registry (`session::sign_in`, `session::sign_out`), failures in the
//! security log.

use std::net::IpAddr;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::security_log::{self, Kind, MAX_FAILURES, NewEvent, Subject, WINDOW};
use lightdeck_domain::users::{self, SignIn};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser, RequestContext};
use crate::i18n::{Language, Tr};
use crate::routing::{Access, RouteTable};
use crate::session;
use crate::state::AppState;
use crate::urls::is_safe_next;
use crate::views::auth::LoginPage;
use crate::views::layout::Layout;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/login", Access::Public, login_form)
        .post("/login", Access::Public, login)
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

async fn login(
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    tr: Tr,
    layout: Layout,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let login = form.login.trim().to_owned();
    let next = form.next.filter(|n| is_safe_next(n)).unwrap_or_else(|| "/".to_owned());
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
    let busy = || {
        let mut response =
            page(StatusCode::SERVICE_UNAVAILABLE, Some(tr.t("login-busy")), None, None);
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static("1"));
        response
    };
    // Reserved before the check, held until the failure is recorded (end of this function).
    let reservation = state.sign_ins.reserve(&login, client.ip);
    let limit = limit(&state, &login, client.ip, reservation.in_flight, now).await?;
    if limit == Limit::Crowded {
        // Not logged: each would be a row written for a stranger, and nothing was checked.
        return Ok(busy());
    }
    if limit == Limit::Throttled {
        let minutes = retry_in_minutes(&state, &login, client.ip, now).await?;
        record(&state, Kind::SignInThrottled, &login, None, &client, now, "too many failures")
            .await?;
        let message = tr.t1("login-throttled", "minutes", i64::from(minutes));
        let mut response = page(StatusCode::TOO_MANY_REQUESTS, Some(message), None, None);
        if let Ok(v) = (u64::from(minutes) * 60).to_string().parse() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        return Ok(response);
    }

    let gate = &state.password_gate;
    match users::verify_password_with(&state.db, gate, &login, &form.password).await? {
        SignIn::Busy => Ok(busy()),
        SignIn::Accepted(user) => {
            session::sign_in(&state, &session, user.id, user.session_epoch, &client, now).await?;
            users::record_sign_in(&state.db, user.id, now).await?;
            tracing::info!(user = %user.login, "signed in");
            Ok(Redirect::to(&next).into_response())
        }
        SignIn::Rejected { user_id, reason } => {
            record(&state, Kind::SignInFailed, &login, user_id, &client, now, reason.as_str())
                .await?;
            drop(reservation);
            Ok(page(StatusCode::UNAUTHORIZED, Some(tr.t("login-failed")), None, None))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Clear,
    /// [`MAX_FAILURES`] recorded for the login or the address: refused for minutes.
    Throttled,
    /// Under the limit only until the attempts being checked right now fail: refused for a
    /// moment, since they finish within a second.
    Crowded,
}

/// Counts attempts in flight (`in_flight`, this one included) as failures, so that a burst
/// gets at most [`MAX_FAILURES`] checked before any of them is recorded.
async fn limit(
    state: &AppState,
    login: &str,
    ip: Option<IpAddr>,
    in_flight: (i64, i64),
    now: OffsetDateTime,
) -> Result<Limit, AppError> {
    let since = now - WINDOW;
    let by_login = security_log::failures_since(&state.db, Subject::Login(login), since).await?;
    let by_ip = match ip {
        Some(ip) => security_log::failures_since(&state.db, Subject::Ip(ip), since).await?,
        None => 0,
    };
    Ok(if by_login >= MAX_FAILURES || by_ip >= MAX_FAILURES {
        Limit::Throttled
    } else if by_login + in_flight.0 > MAX_FAILURES || by_ip + in_flight.1 > MAX_FAILURES {
        Limit::Crowded
    } else {
        Limit::Clear
    })
}

async fn record(
    state: &AppState,
    kind: Kind,
    login: &str,
    user_id: Option<uuid::Uuid>,
    client: &ClientInfo,
    at: OffsetDateTime,
    reason: &str,
) -> Result<(), AppError> {
    security_log::record(
        &state.db,
        &NewEvent {
            at,
            kind,
            login: Some(login),
            user_id,
            source_ip: client.ip,
            user_agent: client.user_agent.as_deref(),
            route: Some("/login"),
            reason,
        },
    )
    .await?;
    Ok(())
}

/// Whole minutes (rounded up) until fewer than [`MAX_FAILURES`] failures remain in the
/// window for both the login and the address: the last second at which either is still
/// throttled, found by bisecting on the start of the window (the count only falls as the
/// window moves later).
async fn retry_in_minutes(
    state: &AppState,
    login: &str,
    ip: Option<IpAddr>,
    now: OffsetDateTime,
) -> Result<u32, AppError> {
    let mut wait_secs = 0;
    let subjects = std::iter::once(Subject::Login(login)).chain(ip.map(Subject::Ip));
    for subject in subjects {
        // Seconds `s` in 0..=WINDOW: throttled at now+s iff failures since now+s-WINDOW ≥ MAX.
        let throttled_at = |s: i64| {
            let since = now + time::Duration::seconds(s) - WINDOW;
            async move {
                security_log::failures_since(&state.db, subject, since)
                    .await
                    .map(|n| n >= MAX_FAILURES)
            }
        };
        if !throttled_at(0).await? {
            continue;
        }
        let (mut lo, mut hi) = (0, WINDOW.whole_seconds() + 1);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if throttled_at(mid).await? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        wait_secs = wait_secs.max(lo);
    }
    Ok(u32::try_from((wait_secs + 59) / 60).unwrap_or(1).max(1))
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
