//! `/admin/teams`: every team with its size; create one with a first owner, rename one,
//! delete an empty one (the team's name typed to confirm).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::site;
use lightdeck_domain::values::{LoginName, TeamName};
use lightdeck_domain::{Error, users};
use uuid::Uuid;

use super::{Admin, PathTeam, field, fields};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::admin::{NewTeamForm, Section, TeamView, TeamsPage};
use crate::views::layout::Layout;

pub fn routes(t: RouteTable) -> RouteTable {
    let a = Access::SiteAdmin;
    t.get("/admin/teams", a, page)
        .post("/admin/teams", a, create)
        .post("/admin/teams/{team}/rename", a, rename)
        .post("/admin/teams/{team}/delete", a, delete)
}

/// A refused change of one team, shown in its row.
#[derive(Debug, Default)]
struct RowProblem {
    team: Option<Uuid>,
    rename: String,
    rename_error: Option<String>,
    delete_error: Option<String>,
}

async fn render(
    state: &AppState,
    (tr, layout): (Tr, Layout),
    form: NewTeamForm,
    row: RowProblem,
    notice: Option<String>,
) -> Result<TeamsPage, AppError> {
    let rows = site::teams_overview(&state.db).await?;
    if let Some(id) = row.team
        && !rows.iter().any(|t| t.id == id)
    {
        return Err(AppError::NotFound);
    }
    let problem = (row.rename_error.is_some() || row.delete_error.is_some())
        .then(|| tr.t("admin-teams-problem"));
    let teams = rows
        .into_iter()
        .map(|t| {
            let mine = row.team == Some(t.id);
            TeamView {
                id: t.id.to_string(),
                rename: if mine { row.rename.clone() } else { t.name.clone() },
                name: t.name,
                members: t.members,
                accounts: t.accounts,
                instances: t.instances,
                rename_error: row.rename_error.clone().filter(|_| mine),
                delete_error: row.delete_error.clone().filter(|_| mine),
            }
        })
        .collect();
    Ok(TeamsPage { section: Section::Teams, teams, form, notice, problem, tr, layout })
}

async fn page(
    State(state): State<AppState>,
    _: Admin,
    tr: Tr,
    layout: Layout,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let done = field(&fields(raw.unwrap_or_default().as_bytes()), "done");
    let notice = match done.as_str() {
        "created" | "renamed" | "deleted" => Some(tr.t(&format!("admin-teams-done-{done}"))),
        _ => None,
    };
    let page = render(&state, (tr, layout), NewTeamForm::default(), RowProblem::default(), notice);
    Ok(page.await?.into_response())
}

fn back(done: &str) -> Response {
    Redirect::to(&format!("/admin/teams?done={done}")).into_response()
}

async fn create(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = fields(&body);
    let mut f = NewTeamForm {
        name: field(&pairs, "name"),
        owner: field(&pairs, "owner"),
        ..NewTeamForm::default()
    };
    let name = TeamName::parse(&f.name);
    if name.is_err() {
        f.name_error = Some(tr.t("admin-error-team-name"));
    }
    let owner = match LoginName::parse(&f.owner) {
        Ok(login) => users::find_by_login(&state.db, login.as_str()).await?,
        Err(_) => None,
    };
    if owner.is_none() {
        f.owner_error = Some(tr.t("admin-error-owner"));
    }
    if let (Ok(name), Some(owner)) = (&name, &owner) {
        let owned_by = Some((owner.id, owner.login.as_str()));
        match site::create_team(&state.db, name, owned_by, &admin.actor).await {
            Ok(_) => return Ok(back("created")),
            Err(Error::Invalid(_)) => f.name_error = Some(tr.t("admin-error-team-taken")),
            Err(e) => return Err(e.into()),
        }
    }
    let page = render(&state, (tr, layout), f, RowProblem::default(), None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn rename(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    PathTeam(team): PathTeam,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw = field(&fields(&body), "name");
    let mut row = RowProblem { team: Some(team), rename: raw.clone(), ..RowProblem::default() };
    match TeamName::parse(&raw) {
        Err(_) => row.rename_error = Some(tr.t("admin-error-team-name")),
        Ok(name) => match site::rename_team(&state.db, team, &name, &admin.actor).await {
            Ok(()) => return Ok(back("renamed")),
            Err(Error::Invalid(_)) => row.rename_error = Some(tr.t("admin-error-team-taken")),
            Err(e) => return Err(e.into()),
        },
    }
    let page = render(&state, (tr, layout), NewTeamForm::default(), row, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    tr: Tr,
    layout: Layout,
    PathTeam(team): PathTeam,
    body: Bytes,
) -> Result<Response, AppError> {
    let typed = field(&fields(&body), "confirm");
    let current = lightdeck_domain::teams::get(&state.db, team).await?;
    let mut row =
        RowProblem { team: Some(team), rename: current.name.clone(), ..RowProblem::default() };
    let status = if typed != current.name {
        row.delete_error = Some(tr.t("admin-error-confirm"));
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        match site::delete_team(&state.db, team, &admin.actor).await {
            Ok(()) => return Ok(back("deleted")),
            Err(Error::Rule(m)) if m == site::NOT_EMPTY => {
                row.delete_error = Some(tr.t("admin-error-not-empty"));
                StatusCode::CONFLICT
            }
            Err(e) => return Err(e.into()),
        }
    };
    let page = render(&state, (tr, layout), NewTeamForm::default(), row, None).await?;
    Ok((status, page).into_response())
}
