//! "Re-authentication" (DESIGN.md): a reset password or an unsubscription needs the
//! user's own password again when it was last typed more than ten minutes ago. A wrong
//! one counts as a failed sign-in, so the form cannot be used to guess passwords faster
//! than the sign-in page allows.

use lightdeck_domain::security_log::{self, Kind, MAX_FAILURES, NewEvent, Subject, WINDOW};
use lightdeck_domain::users::{self, SignIn};
use secrecy::SecretString;
use tower_sessions::Session;

use crate::error::AppError;
use crate::extract::{ClientInfo, TeamCtx};
use crate::i18n::Tr;
use crate::session;
use crate::state::AppState;

/// Whether the form must ask for the password (shown as a field).
pub(super) async fn needed(state: &AppState, session: &Session) -> Result<bool, AppError> {
    Ok(!session::password_is_fresh(session, state.now()).await?)
}

/// `Ok(Ok(()))` when the password is fresh or `typed` is the signed-in user's password;
/// `Ok(Err(message))` for the field otherwise.
pub(super) async fn check(
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
    if typed.is_empty() {
        return Ok(Err(tr.t("lifecycle-reauth-required")));
    }
    let login = ctx.user.user.login.as_str();
    let failures =
        security_log::failures_since(&state.db, Subject::Login(login), now - WINDOW).await?;
    if failures >= MAX_FAILURES {
        return Ok(Err(tr.t("lifecycle-reauth-throttled")));
    }
    let typed = SecretString::from(typed.to_owned());
    match users::verify_password_with(&state.db, &state.password_gate, login, &typed).await? {
        SignIn::Accepted(user) if user.id == ctx.user.id() => {
            session::password_entered(session, now).await?;
            Ok(Ok(()))
        }
        SignIn::Busy => Ok(Err(tr.t("lifecycle-reauth-busy"))),
        SignIn::Accepted(_) | SignIn::Rejected { .. } => {
            let event = NewEvent {
                at: now,
                kind: Kind::SignInFailed,
                login: Some(login),
                user_id: Some(ctx.user.id()),
                source_ip: client.ip,
                user_agent: client.user_agent.as_deref(),
                route: None,
                reason: "wrong password when confirming an action",
            };
            security_log::record(&state.db, &event).await?;
            Ok(Err(tr.t("lifecycle-reauth-wrong")))
        }
    }
}
