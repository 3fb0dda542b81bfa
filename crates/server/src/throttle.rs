//! The sign-in throttle (the limits are described in `routes::auth`), shared by every form
//! that checks a password or a second-factor code — the sign-in page, its code step and the
//! second-factor forms of "Your account": all count their failures under the login, the
//! address and the browser's device cookie, so a stolen password (or a session left open)
//! does not buy more guesses at the code than the password had.
//!
//! An [`Attempt`] is reserved before it is checked ([`Attempt::admit`]) and its failure
//! written ([`Attempt::record`]) before the reservation is dropped, so a burst in parallel
//! gets no more checked than the limit allows.

use std::net::IpAddr;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use lightdeck_domain::security_log::{
    self, DEVICE_MAX_FAILURES, Kind, LOGIN_ADDRESS_MAX_FAILURES, MAX_FAILURES, NewEvent, SLOWDOWN,
    SLOWDOWN_AFTER, Subject, WINDOW,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::device_cookie::Device;
use crate::error::AppError;
use crate::extract::ClientInfo;
use crate::i18n::Tr;
use crate::sign_in_guard::{InFlight, Reservation};
use crate::state::AppState;

/// Why an attempt was not checked, in the reader's words, for the page that asked.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub message: String,
    /// Seconds, for `Retry-After`.
    pub retry_after: i64,
}

impl Refusal {
    /// Too many checks at once (ours, or of this login's attempts in flight): a second.
    pub fn busy(tr: &Tr) -> Refusal {
        Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: tr.t("login-busy"),
            retry_after: 1,
        }
    }

    /// `page` (already rendered with [`Refusal::message`]) with the status and `Retry-After`.
    pub fn respond(&self, mut page: Response) -> Response {
        *page.status_mut() = self.status;
        if let Ok(v) = HeaderValue::from_str(&self.retry_after.to_string()) {
            page.headers_mut().insert(header::RETRY_AFTER, v);
        }
        page
    }
}

/// One password or code typed: for which login, from where, and on which form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    /// The login typed, or the signed-in user's.
    pub login: &'a str,
    pub client: &'a ClientInfo,
    /// The browser's valid device cookie for `login`, if it has one.
    pub device: Option<&'a Device>,
    /// Where it was typed, as the security log names it (`/login`, `/login/code`,
    /// `/account/second-factor`); `None` for a form that does not say.
    pub route: Option<&'a str>,
}

impl Attempt<'_> {
    /// Reserves this attempt and checks the limits, attempts in flight included.
    /// `Ok(Ok(_))`: check it, and drop the reservation only once a failure is recorded. A
    /// refusal for too many failures is written to the security log.
    pub async fn admit(
        &self,
        state: &AppState,
        tr: &Tr,
        now: OffsetDateTime,
    ) -> Result<Result<Reservation, Refusal>, AppError> {
        let (login, client, device) = (self.login, self.client, self.device);
        let reservation = state.sign_ins.reserve(login, client.ip, device.map(Device::id));
        let limit = limit(state, login, client.ip, device, reservation.in_flight, now).await?;
        let refused = |seconds: i64, reason: &str| {
            let minutes = (seconds.max(1) + 59) / 60;
            // A slowdown is short: say its seconds, as Retry-After does.
            let (message, retry_after) = if reason == SLOWED {
                (tr.t1("login-slowed", "seconds", seconds.max(1)), seconds.max(1))
            } else {
                (tr.t1("login-throttled", "minutes", minutes), minutes * 60)
            };
            Refusal { status: StatusCode::TOO_MANY_REQUESTS, message, retry_after }
        };
        Ok(match limit {
            Limit::Clear => Ok(reservation),
            // Not logged: each would be a row written for a stranger, and nothing was checked.
            Limit::Crowded => Err(Refusal::busy(tr)),
            Limit::Throttled(limits) => {
                let seconds = retry_in_seconds(state, &limits, now).await?;
                self.record(state, Kind::SignInThrottled, None, THROTTLED, now).await?;
                Err(refused(seconds, THROTTLED))
            }
            Limit::Slowed { seconds } => {
                self.record(state, Kind::SignInThrottled, None, SLOWED, now).await?;
                Err(refused(seconds, SLOWED))
            }
        })
    }

    /// Writes this attempt's failure (or refusal) to the security log: `user_id` when the
    /// login is a user's, `reason` in the log's words. The one place sign-in failures are
    /// written from.
    pub async fn record(
        &self,
        state: &AppState,
        kind: Kind,
        user_id: Option<Uuid>,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<(), AppError> {
        let event = NewEvent {
            at,
            kind,
            login: Some(self.login),
            user_id,
            source_ip: self.client.ip,
            user_agent: self.client.user_agent.as_deref(),
            route: self.route,
            reason,
            device: self.device.map(Device::id),
        };
        security_log::record(&state.db, &event).await?;
        Ok(())
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
