//! `/login/code`: the second step of signing in, after the password (see the parent
//! module). Only a session whose password was right in the last five minutes gets here;
//! anyone else is sent to the sign-in page.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use lightdeck_domain::second_factor::{self, Check};
use lightdeck_domain::security_log::Kind;
use lightdeck_domain::users::{self, User};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tower_sessions::Session;

use super::{ROUTE as PASSWORD_ROUTE, finish_sign_in};
use crate::device_cookie::{self, Known};
use crate::error::AppError;
use crate::extract::{ClientInfo, RequestContext};
use crate::i18n::Tr;
use crate::second_step::{self, Step};
use crate::state::AppState;
use crate::throttle::Attempt;
use crate::views::auth::CodePage;
use crate::views::layout::Layout;

const ROUTE: &str = "/login/code";

/// The page (not stored by the browser: `security::headers` sends `no-store` by default).
fn page(tr: Tr, layout: Layout, notice: Option<String>, code_error: Option<String>) -> Response {
    CodePage { tr, layout, notice, code_error }.into_response()
}

/// Back to the password: nothing to type a code for, or too late.
async fn again(session: &Session, step: &Step) -> Result<Response, AppError> {
    if *step == Step::None {
        return Ok(Redirect::to(PASSWORD_ROUTE).into_response());
    }
    second_step::clear(session).await?;
    Ok(Redirect::to("/login?from=code-expired").into_response())
}

pub(super) async fn form(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    session: Session,
    tr: Tr,
    layout: Layout,
) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    match second_step::current(&session, state.now()).await? {
        Step::Pending { .. } => Ok(page(tr, layout, None, None)),
        other => again(&session, &other).await,
    }
}

#[derive(Deserialize)]
pub(super) struct CodeForm {
    #[serde(default = "super::empty_secret")]
    code: SecretString,
}

/// The user behind a pending second step, if they may still finish it: enabled, their
/// password not changed (nor the factor reset) since, the factor still on.
async fn pending_user(
    state: &AppState,
    user_id: uuid::Uuid,
    epoch: i64,
) -> Result<Option<User>, AppError> {
    let user = users::find_by_id(&state.db, user_id).await?;
    Ok(user.filter(|u| !u.disabled && u.session_epoch == epoch && u.second_factor))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    session: Session,
    client: ClientInfo,
    headers: HeaderMap,
    layout: Layout,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let tr = Tr::new(state.i18n.clone(), layout.lang);
    if ctx.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let now = state.now();
    let step = second_step::current(&session, now).await?;
    let Step::Pending { user_id, epoch, next } = step else {
        return again(&session, &step).await;
    };
    let Some(user) = pending_user(&state, user_id, epoch).await? else {
        return again(&session, &Step::Expired).await;
    };
    let code = form.code.expose_secret().trim();
    if code.is_empty() {
        let error = Some(tr.t("code-required"));
        let mut response = page(tr, layout, None, error);
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }

    let known = device_cookie::known(&state, &headers, &user.login).await?;
    let attempt = Attempt {
        login: &user.login,
        client: &client,
        device: known.as_ref().map(Known::device),
        route: Some(ROUTE),
    };
    let reservation = match attempt.admit(&state, &tr, now).await? {
        Ok(reservation) => reservation,
        Err(refusal) => {
            let shown = page(tr, layout, Some(refusal.message.clone()), None);
            return Ok(refusal.respond(shown));
        }
    };
    let check = second_factor::verify(&state.db, &state.keyring, user.id, code, now).await?;
    let known = known.as_ref();
    match check {
        Check::App => finish_sign_in(&state, &session, &client, known, &user, &next, now).await,
        // Tell them how many are left where they can make new ones.
        Check::Recovery => {
            let to = "/account/second-factor?done=recovery-used";
            finish_sign_in(&state, &session, &client, known, &user, to, now).await
        }
        // Reset by an administrator a moment ago (which also moved the epoch).
        Check::Off => again(&session, &Step::Expired).await,
        Check::Wrong | Check::Used => {
            attempt.record(&state, Kind::SignInFailed, Some(user.id), check.as_str(), now).await?;
            drop(reservation);
            let mut response = page(tr.clone(), layout, None, Some(tr.t("code-wrong")));
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(response)
        }
    }
}
