//! A team's members, managed by its owners from the browser: who is in it (role, when added
//! and by whom, last sign-in), add an existing user by login, change a role, remove
//! someone, require a second factor of everyone. The domain keeps the last owner and writes
//! each change's audit event.

mod second_factor;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::policy::{Permission, Role};
use lightdeck_domain::teams::{self, MemberRow};
use lightdeck_domain::values::{LoginName, parse_role};
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::{Actor, PathUser, TeamCtx};
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::instances::when;
use crate::views::layout::Layout;
use crate::views::lifecycle::Choice;
use crate::views::members::{MemberView, MembersPage, NewPersonForm};

pub fn routes(t: RouteTable) -> RouteTable {
    let access = Access::Team(Permission::ManageTeam);
    t.get("/teams/{team}/members", access, page)
        .post("/teams/{team}/members", access, add)
        .post("/teams/{team}/members/{user}/role", access, change_role)
        .post("/teams/{team}/members/{user}/remove", access, remove)
        .post("/teams/{team}/members/new", access, add_new)
        .post("/teams/{team}/members/second-factor", access, second_factor::set)
}

/// `?done=` after a change redirected back.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Done {
    done: String,
}

fn form(body: &[u8]) -> (String, String) {
    let (mut login, mut role) = (String::new(), String::new());
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "login" => login = v.trim().to_owned(),
            "role" => role = v.trim().to_owned(),
            _ => {}
        }
    }
    (login, role)
}

fn role_choices(tr: &Tr, current: Option<Role>) -> Vec<Choice> {
    Role::ALL
        .into_iter()
        .rev()
        .map(|r| Choice {
            value: r.as_str().to_owned(),
            label: tr.t(&format!("members-role-{}", r.as_str())),
            selected: Some(r) == current,
        })
        .collect()
}

/// The page; `add` carries the add form's values and problems after a refused submit.
async fn render(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    add: AddForm,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<MembersPage, AppError> {
    let team = ctx.team.id;
    let rows = teams::member_rows(&state.db, team).await?;
    let owners = rows.iter().filter(|m| m.role == Role::Owner).count();
    let members = rows.iter().map(|m| view(&tr, m, owners, ctx)).collect();
    Ok(MembersPage {
        new_person: NewPersonForm::default(),
        team_id: team.to_string(),
        team_name: ctx.team.name.clone(),
        members,
        add_roles: role_choices(&tr, Some(add.role.unwrap_or(Role::Viewer))),
        add_login: add.login,
        login_error: add.login_error,
        role_error: add.role_error,
        notice,
        problem,
        new_link: None,
        copy_js_url: crate::assets::url("copy.js"),
        requires_second_factor: ctx
            .user
            .teams
            .iter()
            .any(|m| m.team_id == team && m.requires_second_factor),
        second_factor_error: None,
        tr,
        layout,
    })
}

fn view(tr: &Tr, m: &MemberRow, owners: usize, ctx: &TeamCtx) -> MemberView {
    let last_owner = m.role == Role::Owner && owners == 1;
    MemberView {
        user_id: m.user_id.to_string(),
        name: m.display_name.clone(),
        login: m.login.clone(),
        role: tr.t(&format!("members-role-{}", m.role.as_str())),
        roles: role_choices(tr, Some(m.role)),
        added: when(m.added_at),
        added_by: m.added_by_name.clone(),
        last_sign_in: m.last_sign_in_at.map(when),
        disabled: m.disabled,
        is_you: m.user_id == ctx.user.id(),
        last_owner,
        second_factor: m.second_factor,
    }
}

#[derive(Debug, Default)]
struct AddForm {
    login: String,
    role: Option<Role>,
    login_error: Option<String>,
    role_error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "added" | "role" | "removed" => Some(tr.t(&format!("members-done-{}", q.done))),
        "second-factor-required" => Some(tr.t("members-sf-done-required")),
        "second-factor-not-required" => Some(tr.t("members-sf-done-not-required")),
        _ => None,
    };
    Ok(render(&state, &ctx, tr, layout, AddForm::default(), notice, None).await?.into_response())
}

fn back(ctx: &TeamCtx, done: &str) -> Response {
    Redirect::to(&format!("/teams/{}/members?done={done}", ctx.team.id)).into_response()
}

/// A refusal the domain explains (the last owner, an unknown member) on the page itself.
async fn refused(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    e: lightdeck_domain::Error,
) -> Result<Response, AppError> {
    let message = match &e {
        lightdeck_domain::Error::Rule(_) => tr.t("members-error-last-owner"),
        lightdeck_domain::Error::NotFound => return Err(AppError::NotFound),
        _ => return Err(e.into()),
    };
    let page = render(state, ctx, tr, layout, AddForm::default(), None, Some(message)).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

async fn add(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    body: Bytes,
) -> Result<Response, AppError> {
    let (login, role) = form(&body);
    let mut f = AddForm { login: login.clone(), ..AddForm::default() };
    let parsed_login = LoginName::parse(&login);
    if parsed_login.is_err() {
        f.login_error = Some(tr.t("members-error-login"));
    }
    match parse_role(&role) {
        Ok(r) => f.role = Some(r),
        Err(_) => f.role_error = Some(tr.t("members-error-role")),
    }
    if let (Ok(login), Some(role)) = (&parsed_login, f.role) {
        match teams::add_by_login(&state.db, ctx.team.id, login, role, &context).await {
            Ok(_) => return Ok(back(&ctx, "added")),
            Err(lightdeck_domain::Error::Invalid(errors)) => {
                let already = errors.0.iter().any(|e| e.message.contains("already"));
                f.login_error = Some(tr.t(if already {
                    "members-error-already"
                } else {
                    "members-error-no-such-user"
                }));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = render(&state, &ctx, tr, layout, f, None, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn change_role(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    PathUser(user): PathUser,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, role) = form(&body);
    let Ok(role) = parse_role(&role) else {
        let problem = Some(tr.t("members-error-role"));
        let page = render(&state, &ctx, tr, layout, AddForm::default(), None, problem).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match teams::change_role_by(&state.db, ctx.team.id, user, role, &context).await {
        Ok(()) => Ok(back(&ctx, "role")),
        Err(e) => refused(&state, &ctx, tr, layout, e).await,
    }
}

async fn remove(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    PathUser(user): PathUser,
) -> Result<Response, AppError> {
    match teams::remove_by(&state.db, ctx.team.id, user, &context).await {
        Ok(()) => Ok(back(&ctx, "removed")),
        Err(e) => refused(&state, &ctx, tr, layout, e).await,
    }
}

/// A new person: the user is created without a password and the page shows their one-time
/// setup link once (it is stored only as a hash, so it cannot be shown again).
async fn add_new(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let mut f = NewPersonForm::default();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "login" => f.login = v.trim().to_owned(),
            "name" => f.name = v.trim().to_owned(),
            "role" => f.role = v.trim().to_owned(),
            _ => {}
        }
    }
    let login = LoginName::parse(&f.login);
    if login.is_err() {
        f.login_error = Some(tr.t("members-error-login"));
    }
    let name = lightdeck_domain::values::DisplayName::parse(&f.name);
    if name.is_err() {
        f.name_error = Some(tr.t("members-error-name"));
    }
    let role = parse_role(&f.role);
    if role.is_err() {
        f.role_error = Some(tr.t("members-error-role"));
    }
    if let (Ok(login), Ok(name), Ok(role)) = (&login, &name, role) {
        let added =
            teams::add_new_person(&state.db, ctx.team.id, login, name, role, &context, state.now())
                .await;
        match added {
            Ok((_, token)) => {
                let origin = state.config.public_origin().map(str::to_owned).or_else(|| {
                    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
                    Some(format!("http://{host}"))
                });
                let link = format!("{}/setup/{}", origin.unwrap_or_default(), token.expose());
                let notice = Some(tr.t1("members-new-link-intro", "login", login.as_str()));
                let mut page =
                    render(&state, &ctx, tr, layout, AddForm::default(), notice, None).await?;
                page.new_link = Some(link);
                let mut response = page.into_response();
                // The link opens the account: no cache keeps this page.
                response.headers_mut().insert(
                    axum::http::header::CACHE_CONTROL,
                    axum::http::HeaderValue::from_static("no-store"),
                );
                return Ok(response);
            }
            Err(lightdeck_domain::Error::Invalid(_)) => {
                f.login_error = Some(tr.t("members-error-login-taken"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut page = render(&state, &ctx, tr, layout, AddForm::default(), None, None).await?;
    page.new_person = f;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
