//! Your name, language and time zone. Every problem is named beside its field at once;
//! nothing is saved until all three are right.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::users;
use lightdeck_domain::values::{DisplayName, Language, TimeZoneName};
use tower_sessions::Session;

use crate::error::AppError;
use crate::extract::CurrentUser;
use crate::i18n::Tr;
use crate::session;
use crate::state::AppState;
use crate::views::account::ProfileForm;
use crate::views::layout::Layout;

/// The name's problem in the reader's language.
fn name_problem(tr: &Tr, typed: &str) -> Option<String> {
    let n = typed.trim().chars().count();
    if n == 0 {
        Some(tr.t("account-error-name-required"))
    } else if n > 64 {
        Some(tr.t("account-error-name-long"))
    } else if DisplayName::parse(typed).is_err() {
        Some(tr.t("account-error-name-control"))
    } else {
        None
    }
}

pub(super) async fn save(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    user: CurrentUser,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let (mut name, mut language, mut zone) = (String::new(), String::new(), String::new());
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "display_name" => name = v.into_owned(),
            "language" => language = v.into_owned(),
            "time_zone" => zone = v.into_owned(),
            _ => {}
        }
    }
    let parsed =
        (DisplayName::parse(&name), Language::parse(&language), TimeZoneName::parse(&zone));
    if let (Ok(name), Ok(language), Ok(zone)) = &parsed {
        users::set_profile(&state.db, user.id(), name, *language, zone).await?;
        session::forget_user(&state, user.id());
        tracing::info!(user = %user.user.login, "changed their profile");
        return Ok(Redirect::to("/account?done=profile").into_response());
    }
    let mut page = super::load(&state, tr.clone(), layout, &user, &session).await?;
    // What was typed goes back, except a zone too long to be one (it would fill the page).
    let shown_zone = if zone.chars().count() > 64 { String::new() } else { zone.trim().to_owned() };
    let shown_name = name.trim().chars().take(64).collect();
    let mut form = ProfileForm::new(&tr, shown_name, language.trim(), shown_zone);
    form.name_error = name_problem(&tr, &name);
    form.language_error = parsed.1.is_err().then(|| tr.t("account-error-language"));
    form.zone_error = parsed.2.is_err().then(|| {
        tr.t(if zone.trim().is_empty() {
            "account-error-zone-required"
        } else {
            "account-error-zone"
        })
    });
    page.profile = form;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
