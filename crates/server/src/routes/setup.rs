//! A new person's one-time setup link: they choose their password here, once, within 24
//! hours; then they sign in. The token is in the path (never logged: the request log
//! names the route pattern) and only its hash is stored.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::teams;
use lightdeck_domain::values::Password;

use crate::error::AppError;
use crate::i18n::Tr;
use crate::routes::account::new_password_problem;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::layout::Layout;
use crate::views::members::SetupPage;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/setup/{token}", Access::Public, page).post("/setup/{token}", Access::Public, set)
}

/// Tokens are 43 characters of base64url; anything else is not one of ours.
fn plausible(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn respond(status: StatusCode, page: SetupPage) -> Response {
    let mut response = (status, page).into_response();
    // Nothing keeps the page with its link: no cache, and no Referer to other sites.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn page(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let login = if plausible(&token) {
        match teams::setup_login(&state.db, &token, state.now()).await {
            Ok(login) => Some(login),
            Err(lightdeck_domain::Error::NotFound) => None,
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let status = if login.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let page = SetupPage { tr, layout, login, token, new_error: None, confirm_error: None };
    Ok(respond(status, page))
}

async fn set(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let gone = |tr: Tr, layout: Layout, token: String| {
        let page =
            SetupPage { tr, layout, login: None, token, new_error: None, confirm_error: None };
        respond(StatusCode::NOT_FOUND, page)
    };
    if !plausible(&token) {
        return Ok(gone(tr, layout, token));
    }
    let login = match teams::setup_login(&state.db, &token, state.now()).await {
        Ok(login) => login,
        Err(lightdeck_domain::Error::NotFound) => return Ok(gone(tr, layout, token)),
        Err(e) => return Err(e.into()),
    };
    let (mut new, mut confirm) = (String::new(), String::new());
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "new_password" => new = v.into_owned(),
            "new_password_confirm" => confirm = v.into_owned(),
            _ => {}
        }
    }
    let new_error = new_password_problem(&tr, &new);
    let confirm_error =
        (new_error.is_none() && new != confirm).then(|| tr.t("account-error-mismatch"));
    if new_error.is_some() || confirm_error.is_some() {
        let page = SetupPage { tr, layout, login: Some(login), token, new_error, confirm_error };
        return Ok(respond(StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    let password = Password::parse(&new)?;
    match teams::use_setup_link(&state.db, &token, &password, state.now()).await {
        Ok(login) => {
            tracing::info!(user = %login, "set their password through a setup link");
            Ok(Redirect::to("/login?setup=done").into_response())
        }
        // Used a moment ago in another tab.
        Err(lightdeck_domain::Error::NotFound) => Ok(gone(tr, layout, token)),
        Err(e) => Err(e.into()),
    }
}
