//! The pages: the team's accounts with the connect form, one account's settings, and the
//! removal confirmation. Pages read the database only; the cloud is reached by the forms.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use lightdeck_domain::accounts::{self, Account};
use serde::Deserialize;
use uuid::Uuid;

use super::form::region_choices;
use crate::error::AppError;
use crate::extract::{PathAccount, TeamCtx};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::accounts::{AccountPage, AccountRow, AccountsPage, CredentialsForm, RemovePage};
use crate::views::instances::{account_views, region_name};
use crate::views::layout::Layout;

/// `?done=` after a change redirected back.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

const DONE: [&str; 8] = [
    "connected",
    "connected-unsynced",
    "renamed",
    "regions",
    "credentials",
    "paused",
    "resumed",
    "removed",
];

fn notice(tr: &Tr, done: &Done) -> Option<String> {
    DONE.contains(&done.done.as_str()).then(|| tr.t(&format!("accounts-done-{}", done.done)))
}

async fn row(
    state: &AppState,
    tr: &Tr,
    a: &Account,
    counts: &[(Uuid, i64)],
) -> Result<AccountRow, AppError> {
    let regions = accounts::regions(&state.db, a.id)
        .await?
        .into_iter()
        .map(|r| format!("{} ({})", region_name(r.region, tr.lang), r.region.id()))
        .collect();
    let mut credentials = Vec::new();
    if let Some(ak) = &a.access_key_id {
        credentials.push(tr.t1("accounts-ak", "tail", accounts::ak_tail(ak)));
    }
    if let Some(user) = &a.iam_user_name {
        credentials.push(tr.t1("accounts-iam-user", "user", user.as_str()));
    }
    let last_sync = account_views(tr, std::slice::from_ref(a))
        .into_iter()
        .next()
        .map(|v| v.last_sync)
        .unwrap_or_default();
    Ok(AccountRow {
        id: a.id.to_string(),
        name: a.name.clone(),
        domain_name: a.domain_name.clone(),
        domain_id: a.domain_id.clone().unwrap_or_default(),
        regions,
        credentials,
        paused: a.sync_paused,
        last_sync,
        instances: counts.iter().find(|(id, _)| *id == a.id).map_or(0, |(_, n)| *n),
    })
}

/// One account of the team as a row (another team's answers 404).
pub async fn one_row(
    state: &AppState,
    tr: &Tr,
    team: Uuid,
    id: Uuid,
) -> Result<(Account, AccountRow), AppError> {
    let account = accounts::get(&state.db, team, id).await?;
    let counts = accounts::instance_counts(&state.db, team).await?;
    let row = row(state, tr, &account, &counts).await?;
    Ok((account, row))
}

/// The list page with `form` as the connect form.
pub async fn list_page(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    form: CredentialsForm,
    notice: Option<String>,
) -> Result<AccountsPage, AppError> {
    let team = ctx.team.id;
    let counts = accounts::instance_counts(&state.db, team).await?;
    let mut rows = Vec::new();
    for a in accounts::list(&state.db, team).await? {
        rows.push(row(state, &tr, &a, &counts).await?);
    }
    Ok(AccountsPage {
        team_id: team.to_string(),
        team_name: ctx.team.name.clone(),
        accounts: rows,
        notice,
        form,
        tr,
        layout,
    })
}

/// An empty connect form: nothing typed, no region checked.
pub fn blank_form(tr: &Tr) -> CredentialsForm {
    CredentialsForm { regions: region_choices(tr, &[]), ..CredentialsForm::default() }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let notice = notice(&tr, &done);
    let form = blank_form(&tr);
    Ok(list_page(&state, &ctx, tr, layout, form, notice).await?.into_response())
}

/// The settings page of one account; the forms' problems are the caller's to fill in.
pub async fn account_page(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    id: Uuid,
    notice: Option<String>,
) -> Result<AccountPage, AppError> {
    let (account, row) = one_row(state, &tr, ctx.team.id, id).await?;
    let enabled: Vec<_> =
        accounts::regions(&state.db, account.id).await?.into_iter().map(|r| r.region).collect();
    let regions = CredentialsForm { regions: region_choices(&tr, &enabled), ..Default::default() };
    Ok(AccountPage {
        team_id: ctx.team.id.to_string(),
        rename: account.name.clone(),
        rename_error: None,
        regions,
        credentials: CredentialsForm::default(),
        paused_error: None,
        account: row,
        notice,
        tr,
        layout,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    PathAccount(id): PathAccount,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let notice = notice(&tr, &done);
    Ok(account_page(&state, &ctx, tr, layout, id, notice).await?.into_response())
}

pub async fn remove_page(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    id: Uuid,
    problem: Option<String>,
) -> Result<RemovePage, AppError> {
    let (_, row) = one_row(state, &tr, ctx.team.id, id).await?;
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("name", row.name.clone());
    args.set("domain", row.domain_name.clone());
    args.set("count", row.instances);
    let what = tr.t_args("accounts-remove-what", &args);
    Ok(RemovePage { team_id: ctx.team.id.to_string(), account: row, what, problem, tr, layout })
}

pub async fn confirm_remove(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    PathAccount(id): PathAccount,
) -> Result<Response, AppError> {
    Ok(remove_page(&state, &ctx, tr, layout, id, None).await?.into_response())
}
