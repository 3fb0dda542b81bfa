//! Your second factor: set it up (scan the QR code or type the key, confirm with a code,
//! keep the ten recovery codes shown once), make new recovery codes, or turn it off. The
//! last two need your password and a code, so a session left open is not enough; every
//! password and code typed here is under the sign-in throttle ([`checked`]).
//!
//! The secret is on one page only: the enrolment page, and the same page again beside a
//! wrong code — but only in the session that started the enrolment (it keeps the
//! enrolment's id) and within 15 minutes ([`second_factor::PENDING_FOR`]). Another
//! session of the user, or a late one, is sent back to start again. Recovery codes are on
//! the page right after they are made, and nowhere else.

mod checked;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::Error;
use lightdeck_domain::second_factor::{self, Confirmed, RecoveryCodes};
use lightdeck_domain::site::SiteActor;
use tower_sessions::Session;
use uuid::Uuid;

use self::checked::Refused;
use crate::error::AppError;
use crate::extract::{ClientInfo, CurrentUser, RequestId};
use crate::i18n::Tr;
use crate::input::{field, fields, raw_field};
use crate::state::AppState;
use crate::throttle::Refusal;
use crate::views::instances::when;
use crate::views::layout::Layout;
use crate::views::security::{
    ConfirmFields, EnrolPage, RecoveryCodesPage, SecondFactorPage, grouped, qr_svg,
};
use crate::{reauth, session as sessions};

/// The session's key for the id of the enrolment it started.
const ENROLMENT_KEY: &str = "second_factor_enrolment";
/// Where a set-up that is not this session's (or is too old) sends the browser.
const START_AGAIN: &str = "/account/second-factor?done=enrol-again";

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
        "enrol-again" if page.since.is_none() => Some(tr.t("sf-done-enrol-again")),
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
/// phone (and so lock its owner out). This session keeps the enrolment's id: only it may
/// see the key again or confirm it.
pub(super) async fn start(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    me: Me,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (user, client) = (&me.user, &me.client);
    if reauth::needed(&state, &session).await? {
        let typed = raw_field(&fields(&body), "current_password");
        let verdict = if typed.is_empty() {
            Err(Refused::Password(tr.t("sf-error-password-required")))
        } else {
            let why = "wrong password when setting up a second factor";
            checked::password(&state, &tr, user, client, &headers, &typed, why).await?.map(drop)
        };
        if let Err(refused) = verdict {
            let mut page = load(&state, tr, layout, user, &session).await?;
            return Ok(match refused {
                Refused::Password(message) => {
                    page.start_password_error = Some(message);
                    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
                }
                Refused::Throttled(refusal) => {
                    page.start_password_error = Some(refusal.message.clone());
                    refusal.respond(page.into_response())
                }
            });
        }
        sessions::password_entered(&session, state.now()).await?;
    }
    match second_factor::start_enrolment(&state.db, &state.keyring, &user.user, state.now()).await {
        Ok(shown) => {
            session.insert(ENROLMENT_KEY, shown.id()).await?;
            Ok(enrol_page(tr, layout, &shown, None)?.into_response())
        }
        Err(Error::Rule(m)) if m == second_factor::ALREADY_ON => {
            already_on(&state, tr, layout, user, &session).await
        }
        Err(e) => Err(e.into()),
    }
}

fn codes_page(tr: Tr, layout: Layout, notice: &str, codes: &RecoveryCodes) -> Response {
    let notice = tr.t(notice);
    let codes = codes.iter().map(str::to_owned).collect();
    RecoveryCodesPage { tr, layout, notice, codes }.into_response()
}

/// Turns on the enrolment this session started, with a code from the app. Nothing is
/// shown, nor checked, for an enrolment this session did not start (or one too old).
pub(super) async fn confirm(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    me: Me,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let user = &me.user;
    if user.user.second_factor {
        return already_on(&state, tr, layout, user, &session).await;
    }
    let Some(id) = session.get::<Uuid>(ENROLMENT_KEY).await? else {
        return Ok(Redirect::to(START_AGAIN).into_response());
    };
    let now = state.now();
    let pending =
        second_factor::pending_enrolment(&state.db, &state.keyring, &user.user, id, now).await?;
    let Some(shown) = pending else {
        // Too old, replaced by a newer one (elsewhere), or reset meanwhile.
        session.remove::<Uuid>(ENROLMENT_KEY).await?;
        return Ok(Redirect::to(START_AGAIN).into_response());
    };
    let wrong = |tr: Tr, layout: Layout, key: &str| -> Result<Response, AppError> {
        let error = Some(tr.t(key));
        let page = enrol_page(tr, layout, &shown, error)?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let code = field(&fields(&body), "code");
    if code.is_empty() {
        return wrong(tr, layout, "sf-error-code-required");
    }
    let actor = me.actor();
    let confirmed = second_factor::confirm_enrolment(
        &state.db,
        &state.keyring,
        &user.user,
        id,
        &code,
        &actor,
        now,
    )
    .await;
    match confirmed {
        Ok(Confirmed::On(codes)) => {
            session.remove::<Uuid>(ENROLMENT_KEY).await?;
            tracing::info!(user = %user.user.login, "turned on a second factor");
            Ok(codes_page(tr, layout, "sf-done-enabled", &codes))
        }
        Ok(Confirmed::WrongCode) => wrong(tr, layout, "sf-error-enrol-code"),
        Err(Error::Rule(_)) => already_on(&state, tr, layout, user, &session).await,
        Err(Error::NotFound) => Ok(Redirect::to(START_AGAIN).into_response()),
        Err(e) => Err(e.into()),
    }
}

/// What a change form sent: the password and the code.
struct Confirmation {
    password: String,
    code: String,
}

impl Confirmation {
    fn parse(body: &[u8]) -> Confirmation {
        let f = fields(body);
        Confirmation { password: raw_field(&f, "current_password"), code: field(&f, "code") }
    }

    /// Empty fields, said beside each.
    fn missing(&self, tr: &Tr) -> ConfirmFields {
        ConfirmFields {
            password_error: self.password.is_empty().then(|| tr.t("sf-error-password-required")),
            code_error: self.code.is_empty().then(|| tr.t("sf-error-code-required")),
        }
    }
}

/// Which change a form asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    NewCodes,
    TurnOff,
}

/// How a change form ended, short of the page around it.
enum Outcome {
    /// New recovery codes, to show once.
    NewCodes(RecoveryCodes),
    /// Made: where to go.
    Done(Redirect),
    /// Refused beside the fields.
    Problems(ConfirmFields),
    /// Not checked (the throttle): said above the form.
    Refused(Refusal),
}

/// A change form: the fields filled in, then (within the throttle) the password, then the
/// code (not spent on a wrong password), then the change. A wrong password or code counts
/// as a failed sign-in.
async fn change(
    state: AppState,
    (tr, layout): (Tr, Layout),
    me: Me,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
    change: Change,
) -> Result<Response, AppError> {
    let form = Confirmation::parse(&body);
    let (problems, refusal) = match attempt(&state, &tr, &me, &headers, &form, change).await? {
        Outcome::NewCodes(codes) => return Ok(codes_page(tr, layout, "sf-done-new-codes", &codes)),
        Outcome::Done(to) => return Ok(to.into_response()),
        Outcome::Problems(problems) => (problems, None),
        Outcome::Refused(refusal) => (ConfirmFields::default(), Some(refusal)),
    };
    let mut page = load(&state, tr, layout, &me.user, &session).await?;
    match change {
        Change::NewCodes => page.new_codes = problems,
        Change::TurnOff => page.turn_off = problems,
    }
    Ok(match refusal {
        None => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        Some(refusal) => {
            page.problem = Some(refusal.message.clone());
            refusal.respond(page.into_response())
        }
    })
}

async fn attempt(
    state: &AppState,
    tr: &Tr,
    me: &Me,
    headers: &HeaderMap,
    form: &Confirmation,
    change: Change,
) -> Result<Outcome, AppError> {
    let mut problems = form.missing(tr);
    if problems.has_errors() {
        return Ok(Outcome::Problems(problems));
    }
    let (user, client) = (&me.user, &me.client);
    let why = "wrong password when changing the second factor";
    let admitted =
        match checked::password(state, tr, user, client, headers, &form.password, why).await? {
            Ok(admitted) => admitted,
            Err(Refused::Throttled(refusal)) => return Ok(Outcome::Refused(refusal)),
            Err(Refused::Password(message)) => {
                problems.password_error = Some(message);
                return Ok(Outcome::Problems(problems));
            }
        };
    let (db, keys, who, code) = (&state.db, &state.keyring, &user.user, form.code.as_str());
    let (actor, now) = (me.actor(), state.now());
    let check = match change {
        Change::NewCodes => {
            match second_factor::regenerate_recovery_codes(db, keys, who, code, &actor, now).await?
            {
                Ok(codes) => return Ok(Outcome::NewCodes(codes)),
                Err(check) => check,
            }
        }
        Change::TurnOff => {
            let check = second_factor::disable(db, keys, who, code, &actor, now).await?;
            if check.accepted() {
                tracing::info!(user = %who.login, "turned off their second factor");
                let to = Redirect::to("/account/second-factor?done=disabled");
                return Ok(Outcome::Done(to));
            }
            check
        }
    };
    problems.code_error = Some(admitted.refused_code(state, tr, check).await?);
    Ok(Outcome::Problems(problems))
}

pub(super) async fn new_codes(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    me: Me,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    change(state, (tr, layout), me, session, headers, body, Change::NewCodes).await
}

pub(super) async fn turn_off(
    State(state): State<AppState>,
    tr: Tr,
    layout: Layout,
    me: Me,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    change(state, (tr, layout), me, session, headers, body, Change::TurnOff).await
}
