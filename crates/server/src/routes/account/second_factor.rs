//! Your second factor: set it up (scan the QR code or type the key, confirm with a code,
//! keep the ten recovery codes shown once), make new recovery codes, or turn it off. The
//! last two need your password and a code, so a session left open is not enough.
//!
//! The secret is on one page only: the enrolment page (and the same page again beside a
//! wrong code). Recovery codes are on the page right after they are made, and nowhere else.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::second_factor::{self, Check, Confirmed, RecoveryCodes};
use lightdeck_domain::security_log::{self, Kind, NewEvent};
use lightdeck_domain::site::SiteActor;
use lightdeck_domain::{Error, users::User};
use tower_sessions::Session;

use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser, RequestId};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::instances::when;
use crate::views::layout::Layout;
use crate::views::security::{
    ConfirmFields, EnrolPage, RecoveryCodesPage, SecondFactorPage, grouped, qr_svg,
};
use crate::{reauth, session as sessions};

/// Form and query fields, decoded leniently (broken UTF-8 becomes U+FFFD).
fn fields(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// The signed-in user acting on their own second factor, with the request's facts for the
/// site audit log.
pub(super) struct Me {
    user: CurrentUser,
    client: ClientInfo,
    request_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Me {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Ok(client) = ClientInfo::from_request_parts(parts, state).await;
        let Ok(RequestId(request_id)) = RequestId::from_request_parts(parts, state).await;
        Ok(Me { user, client, request_id })
    }
}

impl Me {
    fn actor(&self) -> SiteActor {
        SiteActor {
            user_id: Some(self.user.id()),
            name: self.user.user.display_name.clone(),
            source_ip: self.client.ip,
            user_agent: self.client.user_agent.clone(),
            session_hash: Some(self.user.session_hash.clone()),
            panel_request_id: Some(self.request_id.clone()),
        }
    }
}

/// The page as it stands, without a notice or errors.
async fn load(
    state: &AppState,
    tr: Tr,
    layout: Layout,
    user: &CurrentUser,
    session: &Session,
) -> Result<SecondFactorPage, AppError> {
    let status = second_factor::status(&state.db, user.id()).await?;
    Ok(SecondFactorPage {
        start_asks_password: reauth::needed(state, session).await?,
        start_password_error: None,
        since: status.since.map(when),
        recovery_left: status.recovery_left,
        notice: None,
        problem: None,
        required_by: None,
        new_codes: ConfirmFields::default(),
        turn_off: ConfirmFields::default(),
        tr,
        layout,
    })
}

/// `?team=` names a team whose pages sent the user here; `?done=` a change just made.
pub(super) async fn page(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    user: CurrentUser,
    session: Session,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let query = fields(raw.unwrap_or_default().as_bytes());
    let mut page = load(&state, tr.clone(), layout, &user, &session).await?;
    page.notice = match field(&query, "done").as_str() {
        "disabled" => Some(tr.t("sf-done-disabled")),
        "recovery-used" => Some(tr.t1("sf-done-recovery-used", "count", page.recovery_left)),
        _ => None,
    };
    let team = field(&query, "team").parse::<uuid::Uuid>().ok();
    if page.since.is_none()
        && let Some(m) = user.teams.iter().find(|m| Some(m.team_id) == team)
        && m.requires_second_factor
    {
        page.required_by = Some(tr.t1("sf-required-by", "team", m.team_name.as_str()));
    }
    Ok(page.into_response())
}

fn enrol_page(
    tr: Tr,
    layout: Layout,
    shown: &second_factor::Enrolment,
    code_error: Option<String>,
) -> Result<EnrolPage, AppError> {
    Ok(EnrolPage {
        qr_svg: qr_svg(shown.uri())?,
        secret: grouped(shown.secret_base32()),
        code_error,
        tr,
        layout,
    })
}

/// Refused because it is on already (from a second tab, say): the page says so.
async fn already_on(
    state: &AppState,
    tr: Tr,
    layout: Layout,
    user: &CurrentUser,
    session: &Session,
) -> Result<Response, AppError> {
    let mut page = load(state, tr.clone(), layout, user, session).await?;
    page.problem = Some(tr.t("sf-already-on"));
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// A new key to set up. When the password was typed more than ten minutes ago it is asked
/// again first: a browser left open must not let someone else tie the account to their
/// phone (and so lock its owner out).
pub(super) async fn start(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    user: CurrentUser,
    session: Session,
    client: ClientInfo,
    body: Bytes,
) -> Result<Response, AppError> {
    if reauth::needed(&state, &session).await? {
        let typed = field(&fields(&body), "current_password");
        let verdict = reauth::verify_typed(
            &state,
            &user,
            &client,
            &typed,
            &tr,
            "sf-error-password-required",
            "wrong password when setting up a second factor",
        )
        .await?;
        if let Err(message) = verdict {
            let mut page = load(&state, tr, layout, &user, &session).await?;
            page.start_password_error = Some(message);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        sessions::password_entered(&session, state.now()).await?;
    }
    match second_factor::start_enrolment(&state.db, &state.keyring, &user.user).await {
        Ok(shown) => Ok(enrol_page(tr, layout, &shown, None)?.into_response()),
        Err(Error::Rule(m)) if m == second_factor::ALREADY_ON => {
            already_on(&state, tr, layout, &user, &session).await
        }
        Err(e) => Err(e.into()),
    }
}

fn codes_page(tr: Tr, layout: Layout, notice: &str, codes: &RecoveryCodes) -> Response {
    let notice = tr.t(notice);
    let codes = codes.iter().map(str::to_owned).collect();
    RecoveryCodesPage { tr, layout, notice, codes }.into_response()
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    me: Me,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let user = &me.user;
    let code = field(&fields(&body), "code");
    let Some(shown) =
        second_factor::pending_enrolment(&state.db, &state.keyring, &user.user).await?
    else {
        // Nothing being set up: on already, or never started (or reset meanwhile).
        if user.user.second_factor {
            return already_on(&state, tr, layout, user, &session).await;
        }
        return Ok(Redirect::to("/account/second-factor").into_response());
    };
    let wrong = |tr: Tr, layout: Layout, key: &str| -> Result<Response, AppError> {
        let error = Some(tr.t(key));
        let page = enrol_page(tr, layout, &shown, error)?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if code.trim().is_empty() {
        return wrong(tr, layout, "sf-error-code-required");
    }
    let actor = me.actor();
    let confirmed = second_factor::confirm_enrolment(
        &state.db,
        &state.keyring,
        &user.user,
        &code,
        &actor,
        state.now(),
    )
    .await;
    match confirmed {
        Ok(Confirmed::On(codes)) => {
            tracing::info!(user = %user.user.login, "turned on a second factor");
            Ok(codes_page(tr, layout, "sf-done-enabled", &codes))
        }
        Ok(Confirmed::WrongCode) => wrong(tr, layout, "sf-error-enrol-code"),
        Err(Error::Rule(_)) => already_on(&state, tr, layout, user, &session).await,
        Err(Error::NotFound) => Ok(Redirect::to("/account/second-factor").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The password and the code of a change form, checked in that order (the code is not
/// spent on a wrong password). A wrong one of either counts as a failed sign-in.
struct Confirmation {
    password: String,
    code: String,
}

impl Confirmation {
    fn parse(body: &[u8]) -> Confirmation {
        let f = fields(body);
        Confirmation { password: field(&f, "current_password"), code: field(&f, "code") }
    }

    /// The form's problems before the code is checked: an empty code, then the password.
    async fn precheck(
        &self,
        state: &AppState,
        tr: &Tr,
        user: &CurrentUser,
        client: &ClientInfo,
    ) -> Result<ConfirmFields, AppError> {
        let mut problems = ConfirmFields::default();
        let verdict = reauth::verify_typed(
            state,
            user,
            client,
            &self.password,
            tr,
            "sf-error-password-required",
            "wrong password when changing the second factor",
        )
        .await?;
        problems.password_error = verdict.err();
        if self.code.trim().is_empty() {
            problems.code_error = Some(tr.t("sf-error-code-required"));
        }
        Ok(problems)
    }
}

/// A refused code on a change form: its words for the field, and the security log.
async fn refused_code(
    state: &AppState,
    tr: &Tr,
    user: &User,
    client: &ClientInfo,
    check: Check,
) -> Result<String, AppError> {
    if check == Check::Off {
        return Ok(tr.t("sf-error-off"));
    }
    let event = NewEvent {
        at: state.now(),
        kind: Kind::SignInFailed,
        login: Some(&user.login),
        user_id: Some(user.id),
        source_ip: client.ip,
        user_agent: client.user_agent.as_deref(),
        route: None,
        reason: check.as_str(),
    };
    security_log::record(&state.db, &event).await?;
    Ok(tr.t("sf-error-code"))
}

pub(super) async fn new_codes(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    me: Me,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let (user, client) = (&me.user, &me.client);
    let form = Confirmation::parse(&body);
    let mut problems = form.precheck(&state, &tr, user, client).await?;
    if !problems.has_errors() {
        let actor = me.actor();
        let made = second_factor::regenerate_recovery_codes(
            &state.db,
            &state.keyring,
            &user.user,
            &form.code,
            &actor,
            state.now(),
        )
        .await?;
        match made {
            Ok(codes) => return Ok(codes_page(tr, layout, "sf-done-new-codes", &codes)),
            Err(check) => {
                problems.code_error =
                    Some(refused_code(&state, &tr, &user.user, client, check).await?);
            }
        }
    }
    let mut page = load(&state, tr, layout, user, &session).await?;
    page.new_codes = problems;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub(super) async fn turn_off(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    me: Me,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let (user, client) = (&me.user, &me.client);
    let form = Confirmation::parse(&body);
    let mut problems = form.precheck(&state, &tr, user, client).await?;
    if !problems.has_errors() {
        let actor = me.actor();
        let check = second_factor::disable(
            &state.db,
            &state.keyring,
            &user.user,
            &form.code,
            &actor,
            state.now(),
        )
        .await?;
        if check.accepted() {
            tracing::info!(user = %user.user.login, "turned off their second factor");
            return Ok(Redirect::to("/account/second-factor?done=disabled").into_response());
        }
        problems.code_error = Some(refused_code(&state, &tr, &user.user, client, check).await?);
    }
    let mut page = load(&state, tr, layout, user, &session).await?;
    page.turn_off = problems;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
