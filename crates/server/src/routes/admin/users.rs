//! `/admin/users`: every user (search, pages of 50), create one with a setup link,
//! disable / enable, a new setup link (password reset), grant / revoke site administration,
//! reset a second factor (a lost phone and no recovery codes).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::site::{self, UserRow};
use lightdeck_domain::values::{DisplayName, Language, LoginName};
use lightdeck_domain::{Error, second_factor, users};

use super::{Admin, field, fields, no_store, setup_link};
use crate::error::AppError;
use crate::extract::PathUser;
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::admin::{NewUserForm, Section, UserView, UsersPage};
use crate::views::instances::when;
use crate::views::layout::Layout;
use crate::views::lifecycle::Choice;

const PER_PAGE: u32 = 50;

pub fn routes(t: RouteTable) -> RouteTable {
    let a = Access::SiteAdmin;
    t.get("/admin/users", a, page)
        .post("/admin/users", a, create)
        .post("/admin/users/{user}/disable", a, disable)
        .post("/admin/users/{user}/enable", a, enable)
        .post("/admin/users/{user}/setup-link", a, new_link)
        .post("/admin/users/{user}/grant-admin", a, grant)
        .post("/admin/users/{user}/revoke-admin", a, revoke)
        .post("/admin/users/{user}/second-factor/reset", a, reset_second_factor)
}

/// `?q=` and `?page=` (from 1); anything unreadable is the first page of everyone.
#[derive(Debug, Default)]
struct Search {
    q: String,
    page: u32,
}

impl Search {
    fn parse(raw: Option<&str>) -> Search {
        let pairs = fields(raw.unwrap_or_default().as_bytes());
        let q: String = field(&pairs, "q").chars().filter(|c| !c.is_control()).take(100).collect();
        let page = field(&pairs, "page").parse::<u32>().ok().filter(|p| *p >= 1).unwrap_or(1);
        Search { q, page: page.min(100_000) - 1 }
    }

    fn url(&self, page: u32) -> String {
        let q: String = form_urlencoded::byte_serialize(self.q.as_bytes()).collect();
        format!("/admin/users?q={q}&page={}", page + 1)
    }
}

fn languages(tr: &Tr, current: &str) -> Vec<Choice> {
    [Language::En, Language::ZhCn]
        .into_iter()
        .map(|l| Choice {
            value: l.as_str().to_owned(),
            label: tr.t(&format!("lang-{}", l.as_str())),
            selected: l.as_str() == current,
        })
        .collect()
}

fn view(tr: &Tr, row: &UserRow, you: uuid::Uuid) -> UserView {
    let teams = row
        .teams
        .iter()
        .map(|(team, role)| {
            let role = tr.t(&format!("members-role-{}", role.as_str()));
            format!("{team} ({role})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    UserView {
        id: row.id.to_string(),
        login: row.login.clone(),
        name: row.display_name.clone(),
        site_admin: row.site_admin,
        disabled: row.disabled,
        teams,
        last_sign_in: row.last_sign_in_at.map(when),
        is_you: row.id == you,
        second_factor: row.second_factor,
    }
}

/// The page, with the create form as sent (or empty) and a notice or problem on top.
async fn render(
    state: &AppState,
    admin: &Admin,
    (tr, layout): (Tr, Layout),
    search: Search,
    form: NewUserForm,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<UsersPage, AppError> {
    let found = site::users_page(&state.db, &search.q, search.page, PER_PAGE).await?;
    let first = i64::from(search.page) * i64::from(PER_PAGE);
    let shown = if found.rows.is_empty() {
        tr.t("admin-users-none")
    } else {
        let range = format!("{}–{}", first + 1, first + found.rows.len() as i64);
        tr.t2("admin-users-shown", "range", range, "total", found.total)
    };
    let more = first + (found.rows.len() as i64) < found.total;
    let users = found.rows.iter().map(|r| view(&tr, r, admin.user.id())).collect();
    let language =
        if form.language.is_empty() { tr.lang_tag().to_owned() } else { form.language.clone() };
    Ok(UsersPage {
        section: Section::Users,
        users,
        shown,
        prev: (search.page > 0).then(|| search.url(search.page - 1)),
        next: more.then(|| search.url(search.page + 1)),
        q: search.q,
        languages: languages(&tr, &language),
        form,
        notice,
        problem,
        new_link: None,
        tr,
        layout,
    })
}

async fn page(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let search = Search::parse(raw.as_deref());
    let pairs = fields(raw.unwrap_or_default().as_bytes());
    let done = field(&pairs, "done");
    let notice = match done.as_str() {
        "disabled"
        | "enabled"
        | "granted"
        | "revoked"
        | "second-factor-reset"
        | "second-factor-none" => Some(tr.t(&format!("admin-users-done-{done}"))),
        _ => None,
    };
    let form = NewUserForm::default();
    Ok(render(&state, &admin, (tr, layout), search, form, notice, None).await?.into_response())
}

async fn create(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = fields(&body);
    let mut f = NewUserForm {
        login: field(&pairs, "login"),
        name: field(&pairs, "name"),
        language: field(&pairs, "language"),
        ..NewUserForm::default()
    };
    let login = LoginName::parse(&f.login);
    if login.is_err() {
        f.login_error = Some(tr.t("members-error-login"));
    }
    let name = DisplayName::parse(&f.name);
    if name.is_err() {
        f.name_error = Some(tr.t("members-error-name"));
    }
    let language = Language::parse(&f.language);
    if language.is_err() {
        f.language_error = Some(tr.t("admin-error-language"));
    }
    if let (Ok(login), Ok(name), Ok(language)) = (&login, &name, language) {
        match site::create_user(&state.db, login, name, language, &admin.actor, state.now()).await {
            Ok((user, token)) => {
                let link = setup_link(&state, &headers, token.expose());
                let notice = Some(tr.t1("admin-users-created", "login", user.login.as_str()));
                let search = Search { q: user.login.clone(), page: 0 };
                let form = NewUserForm::default();
                let mut page =
                    render(&state, &admin, (tr, layout), search, form, notice, None).await?;
                page.new_link = Some((user.login, link));
                return Ok(no_store(page.into_response()));
            }
            Err(Error::Invalid(_)) => f.login_error = Some(tr.t("admin-error-login-taken")),
            Err(e) => return Err(e.into()),
        }
    }
    let page = render(&state, &admin, (tr, layout), Search::default(), f, None, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A change the domain refused (the last site administrator, yourself) on the page itself.
async fn refused(
    state: &AppState,
    admin: &Admin,
    tl: (Tr, Layout),
    e: Error,
) -> Result<Response, AppError> {
    let key = match &e {
        Error::Rule(m) if m == site::LAST_SITE_ADMIN => "admin-error-last-admin",
        Error::Rule(m) if m == site::NOT_YOURSELF => "admin-error-yourself",
        Error::Rule(m) if m == site::OWN_PASSWORD => "admin-error-own-password",
        Error::Rule(m) if m == site::USER_DISABLED => "admin-error-disabled",
        Error::Rule(m) if m == second_factor::OWN_SECOND_FACTOR => "admin-error-own-second-factor",
        _ => return Err(e.into()),
    };
    let problem = Some(tl.0.t(key));
    let form = NewUserForm::default();
    let page = render(state, admin, tl, Search::default(), form, None, problem).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

fn back(done: &str) -> Response {
    Redirect::to(&format!("/admin/users?done={done}")).into_response()
}

async fn disable(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    PathUser(user): PathUser,
) -> Result<Response, AppError> {
    match site::set_disabled(&state.db, user, true, &admin.actor, state.now()).await {
        Ok(()) => Ok(back("disabled")),
        Err(e) => refused(&state, &admin, (tr, layout), e).await,
    }
}

async fn enable(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    PathUser(user): PathUser,
) -> Result<Response, AppError> {
    match site::set_disabled(&state.db, user, false, &admin.actor, state.now()).await {
        Ok(()) => Ok(back("enabled")),
        Err(e) => refused(&state, &admin, (tr, layout), e).await,
    }
}

async fn grant(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    PathUser(user): PathUser,
) -> Result<Response, AppError> {
    match site::set_site_admin(&state.db, user, true, &admin.actor).await {
        Ok(()) => Ok(back("granted")),
        Err(e) => refused(&state, &admin, (tr, layout), e).await,
    }
}

async fn revoke(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    PathUser(user): PathUser,
) -> Result<Response, AppError> {
    match site::set_site_admin(&state.db, user, false, &admin.actor).await {
        Ok(()) => Ok(back("revoked")),
        Err(e) => refused(&state, &admin, (tr, layout), e).await,
    }
}

/// A password reset: the old password stops working now (see the domain), and the page
/// shows the new link once.
async fn new_link(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    headers: HeaderMap,
    PathUser(user): PathUser,
) -> Result<Response, AppError> {
    let token = match site::issue_setup_link(&state.db, user, &admin.actor, state.now()).await {
        Ok(token) => token,
        Err(e) => return refused(&state, &admin, (tr, layout), e).await,
    };
    let login = users::get(&state.db, user).await?.login;
    let link = setup_link(&state, &headers, token.expose());
    let notice = Some(tr.t1("admin-users-link-issued", "login", login.as_str()));
    let search = Search { q: login.clone(), page: 0 };
    let mut page =
        render(&state, &admin, (tr, layout), search, NewUserForm::default(), notice, None).await?;
    page.new_link = Some((login, link));
    Ok(no_store(page.into_response()))
}

/// A lost phone: the user's second factor is removed and every session of theirs ends; they
/// sign in with their password and may set up a new one. The page says which happened: a
/// user with none (only one being set up, or turned off meanwhile) keeps their sessions.
async fn reset_second_factor(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    PathUser(user): PathUser,
) -> Result<Response, AppError> {
    match second_factor::reset(&state.db, user, &admin.actor).await {
        Ok(true) => {
            // Other processes hear of it from the database; this one forgets now.
            crate::session::forget_user(&state, user);
            Ok(back("second-factor-reset"))
        }
        Ok(false) => Ok(back("second-factor-none")),
        Err(e) => refused(&state, &admin, (tr, layout), e).await,
    }
}
