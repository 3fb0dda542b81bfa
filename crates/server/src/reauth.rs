//! "Re-authentication" (DESIGN.md): a reset password or an unsubscription needs the
//! user's own password again when it was last typed more than ten minutes ago. A wrong
//! one counts as a failed sign-in, so the form cannot be used to guess passwords faster
//! than the sign-in page allows.

use lightdeck_domain::security_log::{self, Kind, MAX_FAILURES, Subject, WINDOW};
use lightdeck_domain::users::{self, SignIn};
use secrecy::SecretString;
use tower_sessions::Session;

use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser, TeamCtx};
use crate::i18n::Tr;
use crate::session;
use crate::state::AppState;
use crate::throttle::Attempt;

/// Whether the form must ask for the password (shown as a field).
pub async fn needed(state: &AppState, session: &Session) -> Result<bool, AppError> {
    Ok(!session::password_is_fresh(session, state.now()).await?)
}

/// `Ok(Ok(()))` when the password is fresh or `typed` is the signed-in user's password;
/// `Ok(Err(message))` for the field otherwise.
pub async fn check(
    state: &AppState,
    session: &Session,
    ctx: &TeamCtx,
    client: &ClientInfo,
    typed: &str,
    tr: &Tr,
) -> Result<Result<(), String>, AppError> {
    let now = state.now();
    if session::password_is_fresh(session, now).await? {
        return Ok(Ok(()));
    }
    let checked = verify_typed(
        state,
        &ctx.user,
        client,
        typed,
        tr,
        "lifecycle-reauth-required",
        "wrong password when confirming an action",
    )
    .await?;
    if checked.is_ok() {
        session::password_entered(session, now).await?;
    }
    Ok(checked)
}

/// Whether `typed` is `user`'s password, within the sign-in throttle; a wrong one is
/// recorded as a failed sign-in (`reason` says where). `required` is the message key for
/// an empty field. `Ok(Err(message))` for the field.
pub async fn verify_typed(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
    typed: &str,
    tr: &Tr,
    required: &str,
    reason: &str,
) -> Result<Result<(), String>, AppError> {
    if typed.is_empty() {
        return Ok(Err(tr.t(required)));
    }
    let now = state.now();
    let login = user.user.login.as_str();
    // A signed-in session asks: failures for the login from *this* address count, so a
    // stranger guessing the password at /login cannot lock its owner out of this form.
    let subject = match client.ip {
        Some(ip) => Subject::LoginFrom(login, ip),
        None => Subject::Login(login),
    };
    // Reserved before the check and held until a failure is written (the end of this
    // function), so that a burst of forms sent at once gets no more checked than the limit.
    let reservation = state.sign_ins.reserve(login, client.ip, None);
    let in_flight = match client.ip {
        Some(_) => reservation.in_flight.login_ip,
        None => reservation.in_flight.login,
    };
    let failures = security_log::failures_since(&state.db, subject, now - WINDOW).await?;
    if failures + (in_flight - 1) >= MAX_FAILURES {
        return Ok(Err(tr.t("lifecycle-reauth-throttled")));
    }
    let typed = SecretString::from(typed.to_owned());
    match users::verify_password_with(&state.db, &state.password_gate, login, &typed).await? {
        SignIn::Accepted(u) if u.id == user.id() => Ok(Ok(())),
        SignIn::Busy => Ok(Err(tr.t("lifecycle-reauth-busy"))),
        SignIn::Accepted(_) | SignIn::Rejected { .. } => {
            let attempt = Attempt { login, client, device: None, route: None };
            attempt.record(state, Kind::SignInFailed, Some(user.id()), reason, now).await?;
            Ok(Err(tr.t("lifecycle-reauth-wrong")))
        }
    }
}
