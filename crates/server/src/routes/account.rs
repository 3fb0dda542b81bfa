//! Your own account: your name, language and time zone, your password, your second factor,
//! the places you are signed in (each can be signed out from here) and your recent sign-ins
//! and failed attempts.

mod password;
mod profile;
mod second_factor;
mod sessions;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::error::AppError;
use crate::extract::CurrentUser;
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::account::{AccountPage, COMMON_ZONES, ProfileForm};
use crate::views::layout::Layout;

pub(crate) use password::new_password_problem;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/account", Access::SignedIn, page)
        .post("/account/password", Access::SignedIn, password::change)
        .post("/account/sessions/end", Access::SignedIn, sessions::end_one)
        .post("/account/sessions/end-others", Access::SignedIn, sessions::end_others)
        .post("/account/profile", Access::SignedIn, profile::save)
        .get("/account/second-factor", Access::SignedIn, second_factor::page)
        .post("/account/second-factor/start", Access::SignedIn, second_factor::start)
        .post("/account/second-factor/confirm", Access::SignedIn, second_factor::confirm)
        .post("/account/second-factor/recovery-codes", Access::SignedIn, second_factor::new_codes)
        .post("/account/second-factor/disable", Access::SignedIn, second_factor::turn_off)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

/// The page with its lists, no notice and no errors.
async fn load(
    state: &AppState,
    tr: Tr,
    layout: Layout,
    user: &CurrentUser,
    session: &Session,
) -> Result<AccountPage, AppError> {
    let this = crate::session::registry_id(session).await?;
    let u = &user.user;
    let zone = u.time_zone().as_str().to_owned();
    Ok(AccountPage {
        profile: ProfileForm::new(&tr, u.display_name.clone(), u.language.as_str(), zone),
        zones: &COMMON_ZONES,
        zone_js_url: crate::assets::url("zone.js"),
        sessions: sessions::views(state, &tr, user, this).await?,
        history: sessions::history(state, &tr, user).await?,
        tr,
        layout,
        name: user.user.display_name.clone(),
        login: user.user.login.clone(),
        second_factor: u.second_factor,
        notice: None,
        problem: None,
        current_error: None,
        new_error: None,
        confirm_error: None,
    })
}

async fn page(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    user: CurrentUser,
    session: Session,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let mut page = load(&state, tr.clone(), layout, &user, &session).await?;
    page.notice = match q.done.as_str() {
        "password" => Some(tr.t("account-password-changed")),
        "ended" => Some(tr.t("account-session-ended")),
        "others" => Some(tr.t("account-others-ended")),
        "profile" => Some(tr.t("account-profile-saved")),
        _ => None,
    };
    Ok(page.into_response())
}
