//! Changing your password. The current one is required; afterwards every other session of
//! yours has ended (a lost laptop is signed out by changing it), this one stays signed in
//! with a new session id.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::users;
use lightdeck_domain::values::Password;
use tower_sessions::Session;

use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser};
use crate::i18n::Tr;
use crate::reauth;
use crate::session;
use crate::state::AppState;
use crate::views::layout::Layout;

/// The password rules in the reader's language (the domain's own words are English).
pub(crate) fn new_password_problem(tr: &Tr, typed: &str) -> Option<String> {
    let n = typed.chars().count();
    if n < 12 {
        Some(tr.t("account-error-short"))
    } else if n > 256 {
        Some(tr.t("account-error-long"))
    } else if Password::parse(typed).is_err() {
        Some(tr.t("account-error-control"))
    } else {
        None
    }
}

pub(super) async fn change(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    user: CurrentUser,
    session: Session,
    client: ClientInfo,
    body: Bytes,
) -> Result<Response, AppError> {
    let (mut current, mut new, mut confirm) = (String::new(), String::new(), String::new());
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "current_password" => current = v.into_owned(),
            "new_password" => new = v.into_owned(),
            "new_password_confirm" => confirm = v.into_owned(),
            _ => {}
        }
    }
    let mut page = super::load(&state, tr.clone(), layout, &user, &session).await?;
    page.new_error = new_password_problem(&tr, &new);
    if page.new_error.is_none() && new != confirm {
        page.confirm_error = Some(tr.t("account-error-mismatch"));
    }
    if page.new_error.is_some() || page.confirm_error.is_some() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let now = state.now();
    let verdict = reauth::verify_typed(
        &state,
        &user,
        &client,
        &current,
        &tr,
        "account-error-current-required",
        "wrong current password when changing it",
    )
    .await?;
    if let Err(message) = verdict {
        page.current_error = Some(message);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let password = Password::parse(&new)?;
    let epoch = users::set_password(&state.db, user.id(), &password).await?;
    session::password_changed(&state, &session, epoch, now).await?;
    tracing::info!(user = %user.user.login, "changed their password; other sessions end");
    Ok(Redirect::to("/account?done=password").into_response())
}
