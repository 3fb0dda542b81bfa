//! Sessions: tower-sessions with its Postgres store (the table `tower_sessions.session`
//! comes from our migrations). The cookie is HttpOnly, SameSite=Lax, and Secure (with the
//! `__Host-` prefix) when the public URL is https.
//!
//! The idle and absolute limits are checked here against `AppState::clock` (so tests can
//! move time), from the sign-in time and last-seen time kept in the session. The store's
//! own expiry (idle limit, in real time) only removes abandoned rows.
//!
//! Every signed-in session also has a row in the sessions registry
//! (`domain::sessions`) under its own random id, kept in [`Auth`]: the user can see and
//! end their sessions there. An ended row ends its session at the next request, checked
//! against the user's live session ids, which come with the (cached) user load.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lightdeck_domain::audit::SessionHash;
use lightdeck_domain::changes::Change;
use lightdeck_domain::sessions::{self, Ended, NewSession};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use uuid::Uuid;

use crate::auth_cache::CachedStore;
use crate::error::{AppError, ErrorContext};
use crate::extract::{ClientInfo, CurrentUser, RequestContext};
use crate::i18n::{Language, negotiate};
use crate::state::AppState;
use crate::views::layout::Layout;

const AUTH_KEY: &str = "auth";
tokio::task_local! {
    /// The time zone of the request being answered: the signed-in user's (UTC for
    /// visitors), set around the handler by [`load_context`].
    static ZONE: jiff::tz::TimeZone;
}

/// The current request's time zone; `None` outside a request (workers, the CLI).
pub fn time_zone() -> Option<jiff::tz::TimeZone> {
    ZONE.try_with(Clone::clone).ok()
}

/// The language an anonymous visitor picked.
pub const LANG_KEY: &str = "lang";
/// `last_seen` is written at most this often, not on every request.
const TOUCH_EVERY: time::Duration = time::Duration::seconds(60);

/// Who signed in and when (unix seconds).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Auth {
    user_id: Uuid,
    signed_in_at: i64,
    last_seen: i64,
    /// When the user last typed their password in this session (sign-in or a
    /// re-authentication); sessions from before the field read it as the sign-in time.
    #[serde(default)]
    password_at: Option<i64>,
    /// The user's session epoch at sign-in (sessions from before the field read 0, the
    /// column's start).
    #[serde(default)]
    epoch: i64,
    /// The session's id in the registry (sessions from before the registry have none and
    /// are signed out: they could be neither listed nor ended).
    #[serde(default)]
    registry: Option<Uuid>,
}

/// How long a typed password counts for actions that ask for it again (DESIGN.md, "Money
/// and destruction ask twice").
pub const REAUTH_FRESH_FOR: time::Duration = time::Duration::minutes(10);

/// Whether the signed-in user typed their password within [`REAUTH_FRESH_FOR`].
pub async fn password_is_fresh(session: &Session, now: OffsetDateTime) -> Result<bool, AppError> {
    let Some(auth) = session.get::<Auth>(AUTH_KEY).await? else { return Ok(false) };
    let at = auth.password_at.unwrap_or(auth.signed_in_at);
    Ok(unix(now) - at <= REAUTH_FRESH_FOR.whole_seconds())
}

/// After this session changed the user's password: it stays signed in, at the new epoch
/// (every other session of the user has ended).
pub async fn password_changed(
    state: &AppState,
    session: &Session,
    epoch: i64,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    if let Some(auth) = session.get::<Auth>(AUTH_KEY).await? {
        session.cycle_id().await?;
        session.insert(AUTH_KEY, Auth { epoch, password_at: Some(unix(now)), ..auth }).await?;
        if let Some(id) = auth.registry {
            sessions::continue_at(&state.db, id, epoch).await?;
        }
        sessions::end_others(&state.db, auth.user_id, auth.registry, Ended::PasswordChanged, now)
            .await?;
        forget_user(state, auth.user_id);
    }
    Ok(())
}

/// This session's registry id, if it is signed in.
pub async fn registry_id(session: &Session) -> Result<Option<Uuid>, AppError> {
    Ok(session.get::<Auth>(AUTH_KEY).await?.and_then(|a| a.registry))
}

/// Drops this process's copy of the user (with their live session ids) now, rather than
/// when the change notification arrives: the next request here sees what was just ended.
pub fn forget_user(state: &AppState, user: Uuid) {
    state.auth_cache.apply(&Change::User(user));
}

/// Ends the registry row of the session behind `auth`, if any.
async fn end_row(state: &AppState, auth: &Auth, why: Ended) -> Result<(), AppError> {
    if let Some(id) = auth.registry
        && sessions::end(&state.db, id, why, state.now()).await?
    {
        forget_user(state, auth.user_id);
    }
    Ok(())
}

/// Records that the signed-in user has just typed their password again.
pub async fn password_entered(session: &Session, now: OffsetDateTime) -> Result<(), AppError> {
    if let Some(auth) = session.get::<Auth>(AUTH_KEY).await? {
        session.insert(AUTH_KEY, Auth { password_at: Some(unix(now)), ..auth }).await?;
    }
    Ok(())
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-lightdeck_session" } else { "lightdeck_session" }
}

pub fn layer(state: &AppState) -> SessionManagerLayer<CachedStore> {
    let secure = state.config.secure_cookies();
    let idle =
        time::Duration::try_from(state.config.session_idle).unwrap_or(time::Duration::minutes(30));
    SessionManagerLayer::new(CachedStore::new(state.db.clone(), state.auth_cache.clone()))
        .with_name(cookie_name(secure))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

/// Starts a signed-in session: a new session id (the old one, which a visitor may have
/// been handed, stops working), a new CSRF token, the user and the time, and its row in
/// the registry (the user's abandoned sessions past their limits end on the way).
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    user_id: Uuid,
    epoch: i64,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let (idle, absolute) = limits(state);
    sessions::end_expired(
        &state.db,
        user_id,
        now - time::Duration::seconds(idle),
        now - time::Duration::seconds(absolute),
        now,
    )
    .await?;
    let new = NewSession {
        user_id,
        epoch,
        user_agent: client.user_agent.as_deref(),
        source_ip: client.ip,
        at: now,
    };
    let registry = sessions::start(&state.db, &new).await?;
    session.cycle_id().await?;
    session.remove_value(LANG_KEY).await?;
    session
        .insert(
            AUTH_KEY,
            Auth {
                user_id,
                signed_in_at: unix(now),
                last_seen: unix(now),
                password_at: Some(unix(now)),
                epoch,
                registry: Some(registry),
            },
        )
        .await?;
    crate::csrf::rotate(session).await?;
    Ok(())
}

/// Ends the session: its registry row ends, its own row is deleted and the cookie cleared.
pub async fn sign_out(state: &AppState, session: &Session) -> Result<(), AppError> {
    if let Some(auth) = session.get::<Auth>(AUTH_KEY).await? {
        end_row(state, &auth, Ended::SignedOut).await?;
    }
    session.flush().await?;
    Ok(())
}

/// The idle and absolute limits, in seconds.
pub fn limits(state: &AppState) -> (i64, i64) {
    let idle = i64::try_from(state.config.session_idle.as_secs()).unwrap_or(i64::MAX / 4);
    let absolute = i64::try_from(state.config.session_absolute.as_secs()).unwrap_or(i64::MAX / 4);
    (idle.min(i64::MAX / 4), absolute.min(i64::MAX / 4))
}

/// Resolves the signed-in user, their teams and the language for every request that has
/// sessions, puts a [`RequestContext`] in the request's extensions and answers it in the
/// user's time zone ([`time_zone`]). Error responses
/// get an [`ErrorContext`] so the error page can show the usual header.
pub async fn load_context(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let accept = negotiate(
        req.headers().get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    let ctx = match resolve(&state, &session, accept).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    req.extensions_mut().insert(ctx.clone());
    let zone = ctx.user.as_ref().map_or(jiff::tz::TimeZone::UTC, |u| u.user.time_zone().zone());
    let mut response = ZONE.scope(zone, next.run(req)).await;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        let csrf = crate::csrf::existing_token(&session).await;
        response.extensions_mut().insert(ErrorContext {
            layout: Layout::from_context(&state, &ctx, csrf, &path),
            user_id: ctx.user.as_ref().map(CurrentUser::id),
            login: ctx.user.as_ref().map(|u| u.user.login.clone()),
        });
    }
    response
}

async fn resolve(
    state: &AppState,
    session: &Session,
    accept: Language,
) -> Result<RequestContext, AppError> {
    let mut ctx = RequestContext { user: None, lang: accept, session_ended: false };
    let Some(auth) = session.get::<Auth>(AUTH_KEY).await? else {
        if let Some(lang) = session.get::<String>(LANG_KEY).await? {
            ctx.lang = Language::parse(&lang).unwrap_or(accept);
        }
        return Ok(ctx);
    };
    let now = unix(state.now());
    let (idle, absolute) = limits(state);
    let Some(registry) = auth.registry else {
        return ended(session, ctx).await;
    };
    if now - auth.last_seen > idle || now - auth.signed_in_at > absolute {
        end_row(state, &auth, Ended::Expired).await?;
        return ended(session, ctx).await;
    }
    let Some(mut found) =
        state.auth_cache.user_context(&state.db, auth.user_id).await?.filter(|c| !c.user.disabled)
    else {
        end_row(state, &auth, Ended::Expired).await?;
        return ended(session, ctx).await;
    };
    // A password changed since this session signed in ends it: whoever changed it (the
    // user elsewhere, an administrator) wants the old one to open nothing.
    if auth.epoch != found.user.session_epoch {
        end_row(state, &auth, Ended::PasswordChanged).await?;
        return ended(session, ctx).await;
    }
    // Ended in the registry (signed out from elsewhere). The copy may predate a sign-in
    // elsewhere that this process has not heard of yet: a missing id is checked afresh.
    if !found.live_sessions.contains(&registry) {
        match state.auth_cache.user_context_fresh(&state.db, auth.user_id).await? {
            Some(fresh) if fresh.live_sessions.contains(&registry) => found = fresh,
            _ => return ended(session, ctx).await,
        }
    }
    if now - auth.last_seen >= TOUCH_EVERY.whole_seconds() {
        session.insert(AUTH_KEY, Auth { last_seen: now, ..auth }).await?;
        sessions::touch(&state.db, registry, state.now()).await?;
    }
    let session_hash = SessionHash::of(&session.id().map(|id| id.to_string()).unwrap_or_default());
    ctx.lang = found.user.language;
    ctx.user =
        Some(CurrentUser { user: found.user.clone(), teams: found.teams.clone(), session_hash });
    Ok(ctx)
}

async fn ended(session: &Session, mut ctx: RequestContext) -> Result<RequestContext, AppError> {
    session.flush().await?;
    ctx.session_ended = true;
    Ok(ctx)
}
