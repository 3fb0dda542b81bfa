//! The password (and the code) typed on the second-factor forms, checked within the
//! sign-in throttle ([`crate::throttle`]) on the route [`ROUTE`]: each attempt is reserved
//! before anything is checked and its failure recorded before the reservation ends, under
//! the browser's device cookie, so a burst of guesses from a session left open gets no more
//! checked than the sign-in page would allow.

use axum::http::HeaderMap;
use lightdeck_domain::second_factor::Check;
use lightdeck_domain::security_log::Kind;
use lightdeck_domain::users::{self, SignIn};
use secrecy::SecretString;

use crate::device_cookie::{self, Known};
use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser};
use crate::i18n::Tr;
use crate::sign_in_guard::Reservation;
use crate::state::AppState;
use crate::throttle::{Attempt, Refusal};

/// Where these forms are, as the security log names it.
pub(super) const ROUTE: &str = "/account/second-factor";

/// Why a password was not accepted, or not even checked.
pub(super) enum Refused {
    /// Not checked: too many failures, or too many checks at once. Said above the form,
    /// with the status and `Retry-After`.
    Throttled(Refusal),
    /// Beside the password field.
    Password(String),
}

/// An attempt admitted by the throttle, its password right. Keep it until the code's
/// failure, if any, is recorded ([`Admitted::refused_code`]).
pub(super) struct Admitted<'a> {
    user: &'a CurrentUser,
    client: &'a ClientInfo,
    /// The browser's valid device cookie for the user: failures count against it only.
    known: Option<Known>,
    _reservation: Reservation,
}

/// `typed` (not empty) as the signed-in `user`'s password, within the sign-in throttle:
/// the attempt is reserved, then the password checked; a wrong one is a failed sign-in
/// (`reason` says on which form). The admitted attempt goes on to check the code.
pub(super) async fn password<'a>(
    state: &AppState,
    tr: &Tr,
    user: &'a CurrentUser,
    client: &'a ClientInfo,
    headers: &HeaderMap,
    typed: &str,
    reason: &str,
) -> Result<Result<Admitted<'a>, Refused>, AppError> {
    let known = device_cookie::known(state, headers, &user.user.login).await?;
    let attempt = attempt(user, client, known.as_ref());
    let reservation = match attempt.admit(state, tr, state.now()).await? {
        Ok(reservation) => reservation,
        Err(refusal) => return Ok(Err(Refused::Throttled(refusal))),
    };
    let admitted = Admitted { user, client, known, _reservation: reservation };
    let typed = SecretString::from(typed.to_owned());
    let login = &user.user.login;
    Ok(match users::verify_password_with(&state.db, &state.password_gate, login, &typed).await? {
        SignIn::Accepted(u) if u.id == user.id() => Ok(admitted),
        SignIn::Busy => Err(Refused::Throttled(Refusal::busy(tr))),
        SignIn::Accepted(_) | SignIn::Rejected { .. } => {
            admitted.fail(state, reason).await?;
            Err(Refused::Password(tr.t("lifecycle-reauth-wrong")))
        }
    })
}

fn attempt<'a>(
    user: &'a CurrentUser,
    client: &'a ClientInfo,
    known: Option<&'a Known>,
) -> Attempt<'a> {
    Attempt {
        login: &user.user.login,
        client,
        device: known.map(Known::device),
        route: Some(ROUTE),
    }
}

impl Admitted<'_> {
    /// A code refused by the domain (`check` says why): a failed sign-in, and the words for
    /// the code field.
    pub async fn refused_code(
        &self,
        state: &AppState,
        tr: &Tr,
        check: Check,
    ) -> Result<String, AppError> {
        if check == Check::Off {
            return Ok(tr.t("sf-error-off"));
        }
        self.fail(state, check.as_str()).await?;
        Ok(tr.t("sf-error-code"))
    }

    async fn fail(&self, state: &AppState, reason: &str) -> Result<(), AppError> {
        let attempt = attempt(self.user, self.client, self.known.as_ref());
        let user = Some(self.user.id());
        attempt.record(state, Kind::SignInFailed, user, reason, state.now()).await
    }
}
