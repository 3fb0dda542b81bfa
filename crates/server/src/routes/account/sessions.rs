//! The places you are signed in, and signing them out. Ending a session ends its registry
//! row; the session itself notices at its next request (`session::resolve`). Sign-outs
//! of other sessions are personal, not team events: they go to no audit log, and the
//! registry row keeps when and why it ended.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::sessions::{self, Ended, Outcome};
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;
use crate::extract::CurrentUser;
use crate::i18n::Tr;
use crate::session;
use crate::state::AppState;
use crate::views::account::{AttemptView, SessionView, address, device};
use crate::views::instances::when;
use crate::views::layout::Layout;

/// Sign-ins and failed attempts the history shows.
const HISTORY: i64 = 20;

/// The user's sessions that still work, this one marked.
pub(super) async fn views(
    state: &AppState,
    tr: &Tr,
    user: &CurrentUser,
    this: Option<Uuid>,
) -> Result<Vec<SessionView>, AppError> {
    let now = state.now();
    let (idle, absolute) = session::limits(state);
    let rows = sessions::live(
        &state.db,
        user.id(),
        now - time::Duration::seconds(idle),
        now - time::Duration::seconds(absolute),
    )
    .await?;
    let mut views: Vec<SessionView> = rows
        .into_iter()
        .map(|r| SessionView {
            id: r.id.to_string(),
            device: device(tr, r.user_agent.as_deref()),
            address: address(tr, r.source_ip.as_deref()),
            signed_in: when(r.signed_in_at),
            last_seen: when(r.last_seen_at),
            current: Some(r.id) == this,
        })
        .collect();
    // This session first: it is the one the reader knows.
    views.sort_by_key(|v| !v.current);
    Ok(views)
}

pub(super) async fn history(
    state: &AppState,
    tr: &Tr,
    user: &CurrentUser,
) -> Result<Vec<AttemptView>, AppError> {
    let attempts = sessions::history(&state.db, user.id(), &user.user.login, HISTORY).await?;
    Ok(attempts
        .into_iter()
        .map(|a| AttemptView {
            when: when(a.at),
            address: address(tr, a.source_ip.as_deref()),
            device: device(tr, a.user_agent.as_deref()),
            result: tr.t(match a.outcome {
                Outcome::SignedIn => "account-result-signed-in",
                Outcome::WrongPassword => "account-result-wrong-password",
                Outcome::WrongCode => "account-result-wrong-code",
                Outcome::Disabled => "account-result-disabled",
                Outcome::Throttled => "account-result-throttled",
            }),
            failed: a.outcome != Outcome::SignedIn,
        })
        .collect())
}

/// Signs out one other session of yours (field `session`: its registry id). Not yours,
/// already ended, or this one: 404.
pub(super) async fn end_one(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    user: CurrentUser,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let typed = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "session")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let Ok(id) = typed.parse::<Uuid>() else {
        let mut page = super::load(&state, tr.clone(), layout, &user, &session).await?;
        page.problem = Some(tr.t("account-session-missing"));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let Some(this) = session::registry_id(&session).await? else {
        return Err(AppError::NotFound);
    };
    sessions::end_one_of(&state.db, user.id(), id, this, state.now()).await?;
    session::forget_user(&state, user.id());
    tracing::info!(user = %user.user.login, "signed out one of their other sessions");
    Ok(Redirect::to("/account?done=ended#sessions-heading").into_response())
}

/// Signs out every session of yours but this one.
pub(super) async fn end_others(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
) -> Result<Response, AppError> {
    let this = session::registry_id(&session).await?;
    let now = state.now();
    let n = sessions::end_others(&state.db, user.id(), this, Ended::EndedElsewhere, now).await?;
    session::forget_user(&state, user.id());
    tracing::info!(user = %user.user.login, ended = n, "signed out their other sessions");
    Ok(Redirect::to("/account?done=others#sessions-heading").into_response())
}
