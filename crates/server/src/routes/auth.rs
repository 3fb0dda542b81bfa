//! Sign in, sign out, and the language switch. Sign-ins and sign-outs are recorded in
//! the sessions registry (`session::sign_in`, `session::sign_out`), failures in the
//! security log.
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

use std::net::IpAddr;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::security_log::{
    self, DEVICE_MAX_FAILURES, Kind, LOGIN_ADDRESS_MAX_FAILURES, MAX_FAILURES, NewEvent, SLOWDOWN,
    SLOWDOWN_AFTER, Subject, WINDOW,
};
use lightdeck_domain::users::{self, SignIn};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::device_cookie::{self, Device, DeviceKey};
use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser, RequestContext};
use crate::i18n::{Language, Tr};
use crate::routing::{Access, RouteTable};
use crate::session;
use crate::sign_in_guard::InFlight;
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
    headers: HeaderMap,
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
    let secure = state.config.secure_cookies();
    // The device cookie, if it is a valid one for the login typed; anything else is none.
    let sent_cookie = device_cookie::from_request(&headers, secure);
    let mut device_key = None;
    let mut device = None;
    if let Some(value) = &sent_cookie {
        let key = DeviceKey::load(&state).await?;
        device = key.verify(value, &login);
        device_key = Some(key);
    }
    // Reserved before the check, held until the failure is recorded (end of this function).
    let reservation = state.sign_ins.reserve(&login, client.ip, device.as_ref().map(Device::id));
    let limit =
        limit(&state, &login, client.ip, device.as_ref(), reservation.in_flight, now).await?;
    let refused = |seconds: i64, reason: &str| {
        let minutes = (seconds.max(1) + 59) / 60;
        // A slowdown is short: say its seconds, as Retry-After does.
        let message = if reason == SLOWED {
            tr.t1("login-slowed", "seconds", seconds.max(1))
        } else {
            tr.t1("login-throttled", "minutes", minutes)
        };
        let mut response = page(StatusCode::TOO_MANY_REQUESTS, Some(message), None, None);
        let retry_after = if reason == SLOWED { seconds.max(1) } else { minutes * 60 };
        if let Ok(v) = retry_after.to_string().parse() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    };
    match limit {
        Limit::Clear => {}
        // Not logged: each would be a row written for a stranger, and nothing was checked.
        Limit::Crowded => return Ok(busy()),
        Limit::Throttled(limits) => {
            let seconds = retry_in_seconds(&state, &limits, now).await?;
            let device_id = device.as_ref().map(Device::id);
            record(&state, Kind::SignInThrottled, &login, None, &client, device_id, now, THROTTLED)
                .await?;
            return Ok(refused(seconds, THROTTLED));
        }
        Limit::Slowed { seconds } => {
            record(&state, Kind::SignInThrottled, &login, None, &client, None, now, SLOWED).await?;
            return Ok(refused(seconds, SLOWED));
        }
    }

    let gate = &state.password_gate;
    match users::verify_password_with(&state.db, gate, &login, &form.password).await? {
        SignIn::Busy => Ok(busy()),
        SignIn::Accepted(user) => {
            session::sign_in(&state, &session, user.id, user.session_epoch, &client, now).await?;
            users::record_sign_in(&state.db, user.id, now).await?;
            tracing::info!(user = %user.login, "signed in");
            // A valid cookie is renewed as it is (the same device); otherwise a new one.
            let key = match device_key {
                Some(key) => key,
                None => DeviceKey::load(&state).await?,
            };
            let value = match (device.is_some(), sent_cookie) {
                (true, Some(value)) => value,
                _ => key.issue(&login).0,
            };
            let mut response = Redirect::to(&next).into_response();
            device_cookie::set(response.headers_mut(), &value, secure);
            Ok(response)
        }
        SignIn::Rejected { user_id, reason } => {
            let device_id = device.as_ref().map(Device::id);
            record(
                &state,
                Kind::SignInFailed,
                &login,
                user_id,
                &client,
                device_id,
                now,
                reason.as_str(),
            )
            .await?;
            drop(reservation);
            Ok(page(StatusCode::UNAUTHORIZED, Some(tr.t("login-failed")), None, None))
        }
    }
}

const THROTTLED: &str = "too many failures";
const SLOWED: &str = "slowed down: too many failures for the login";

#[derive(Debug, Clone)]
enum Limit<'a> {
    Clear,
    /// A hard limit reached (for the device, the address, or the login from the address):
    /// refused until the failures that reached it leave the window.
    Throttled(Vec<(Subject<'a>, i64)>),
    /// The login's slowdown for browsers without its device cookie: refused for `seconds`.
    Slowed {
        seconds: i64,
    },
    /// Under the limit only until the attempts being checked right now fail: refused for a
    /// moment, since they finish within a second.
    Crowded,
}

/// Counts attempts in flight (`in_flight`, this one included) as failures, so that a burst
/// gets at most the limit checked before any of them is recorded.
async fn limit<'a>(
    state: &AppState,
    login: &'a str,
    ip: Option<IpAddr>,
    device: Option<&'a Device>,
    in_flight: InFlight,
    now: OffsetDateTime,
) -> Result<Limit<'a>, AppError> {
    let since = now - WINDOW;
    let count = |subject| security_log::failures_since(&state.db, subject, since);
    if let Some(device) = device {
        let subject = Subject::Device(device.id());
        let n = count(subject).await?;
        return Ok(if n >= DEVICE_MAX_FAILURES {
            Limit::Throttled(vec![(subject, DEVICE_MAX_FAILURES)])
        } else if n + in_flight.device > DEVICE_MAX_FAILURES {
            Limit::Crowded
        } else {
            Limit::Clear
        });
    }
    let mut hard = Vec::new();
    let mut crowded = false;
    if let Some(ip) = ip {
        for (subject, max, flying) in [
            (Subject::Ip(ip), MAX_FAILURES, in_flight.ip),
            (Subject::LoginFrom(login, ip), LOGIN_ADDRESS_MAX_FAILURES, in_flight.login_ip),
        ] {
            let n = count(subject).await?;
            if n >= max {
                hard.push((subject, max));
            }
            crowded |= n + flying > max;
        }
    }
    if !hard.is_empty() {
        return Ok(Limit::Throttled(hard));
    }
    let by_login = count(Subject::LoginUntrusted(login)).await?;
    if by_login >= SLOWDOWN_AFTER {
        let last =
            security_log::last_failure_since(&state.db, Subject::LoginUntrusted(login), since)
                .await?;
        if let Some(last) = last {
            // Rounded up: the log keeps microseconds, the clock nanoseconds.
            let wait = (last + SLOWDOWN - now).whole_microseconds();
            if wait > 0 {
                let seconds = i64::try_from((wait + 999_999) / 1_000_000).unwrap_or(1);
                return Ok(Limit::Slowed { seconds });
            }
        }
    }
    // Below the slowdown a burst may fill it up; in the slowdown, one at a time.
    crowded |= in_flight.login > (SLOWDOWN_AFTER - by_login).max(1);
    Ok(if crowded { Limit::Crowded } else { Limit::Clear })
}

#[allow(clippy::too_many_arguments)]
async fn record(
    state: &AppState,
    kind: Kind,
    login: &str,
    user_id: Option<uuid::Uuid>,
    client: &ClientInfo,
    device: Option<&str>,
    at: OffsetDateTime,
    reason: &str,
) -> Result<(), AppError> {
    security_log::record_from_device(
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
        device,
    )
    .await?;
    Ok(())
}

/// Seconds until every limit in `limits` (subject, maximum) has fewer failures than its
/// maximum in the window: the last second at which one is still reached, found by
/// bisecting on the start of the window (the count only falls as the window moves later).
async fn retry_in_seconds(
    state: &AppState,
    limits: &[(Subject<'_>, i64)],
    now: OffsetDateTime,
) -> Result<i64, AppError> {
    let mut wait_secs = 0;
    for &(subject, max) in limits {
        // Seconds `s` in 0..=WINDOW: throttled at now+s iff failures since now+s-WINDOW ≥ max.
        let throttled_at = |s: i64| {
            let since = now + time::Duration::seconds(s) - WINDOW;
            async move {
                security_log::failures_since(&state.db, subject, since).await.map(|n| n >= max)
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
    Ok(wait_secs.max(1))
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
