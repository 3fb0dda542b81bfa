//! Changes to one account: rename, regions (new ones' project ids found first), new
//! credentials (verified first; the old ones stay until then), pause or resume syncing,
//! and removal (confirmed). Each is one audit event, written by the domain.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::accounts::{self, ChangedBy};
use lightdeck_domain::values::AccountName;
use uuid::Uuid;

use super::connect::{cloud_problem, sync_now};
use super::form::{self, Raw};
use super::page::{account_page, remove_page};
use crate::error::AppError;
use crate::extract::{Actor, PathAccount, TeamCtx};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::accounts::{AccountPage, CredentialsForm};
use crate::views::layout::Layout;

fn back(ctx: &TeamCtx, id: Uuid, done: &str) -> Response {
    Redirect::to(&format!("/teams/{}/accounts/{id}?done={done}", ctx.team.id)).into_response()
}

fn refused(page: AccountPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

pub async fn rename(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    PathAccount(id): PathAccount,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw = Raw::parse(&body);
    let error = match AccountName::parse(&raw.name) {
        Ok(name) => {
            let by = ChangedBy::Member(&context);
            match accounts::rename_by(&state.db, ctx.team.id, id, &name, &by).await {
                Ok(()) => return Ok(back(&ctx, id, "renamed")),
                Err(lightdeck_domain::Error::Invalid(_)) => tr.t("accounts-error-name-taken"),
                Err(e) => return Err(e.into()),
            }
        }
        Err(_) => tr.t("accounts-error-name"),
    };
    let mut page = account_page(&state, &ctx, tr, layout, id, None).await?;
    page.rename = raw.name.chars().take(200).collect();
    page.rename_error = Some(error);
    Ok(refused(page))
}

pub async fn regions(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    PathAccount(id): PathAccount,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw = Raw::parse(&body);
    let account = accounts::get(&state.db, ctx.team.id, id).await?;
    let mut f = form::refill(&tr, &raw);
    let Some(chosen) = form::regions(&tr, &raw, &mut f) else {
        return Ok(refused(with_regions(&state, &ctx, tr, layout, id, f).await?));
    };
    let stored = accounts::regions(&state.db, account.id).await?;
    let new: Vec<_> =
        chosen.iter().copied().filter(|r| !stored.iter().any(|s| s.region == *r)).collect();
    let mut found = Vec::new();
    if !new.is_empty() {
        let credentials = accounts::credentials(&state.db, &state.keyring, account.id).await?;
        match accounts::discover_projects(&state.cloud, credentials, &new).await {
            Ok(projects) => found = projects,
            Err(e) => {
                tracing::info!(account = %id, error = %e, "adding regions: the cloud refused");
                f.cloud_problem = Some(cloud_problem(&tr, &e));
                return Ok(refused(with_regions(&state, &ctx, tr, layout, id, f).await?));
            }
        }
    }
    let with_projects: Vec<_> = chosen
        .iter()
        .filter_map(|r| {
            let stored = stored.iter().find(|s| s.region == *r).map(|s| s.project_id.clone());
            let project = stored
                .or_else(|| found.iter().find(|(region, _)| region == r).map(|(_, p)| p.clone()))?;
            Some((*r, project))
        })
        .collect();
    let by = ChangedBy::Member(&context);
    accounts::set_regions_by(&state.db, ctx.team.id, id, &with_projects, &by).await?;
    if !new.is_empty() && !account.sync_paused {
        sync_now(&state, id).await;
    }
    Ok(back(&ctx, id, "regions"))
}

async fn with_regions(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    id: Uuid,
    f: CredentialsForm,
) -> Result<AccountPage, AppError> {
    let mut page = account_page(state, ctx, tr, layout, id, None).await?;
    page.regions = f;
    Ok(page)
}

pub async fn credentials(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    PathAccount(id): PathAccount,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw = Raw::parse(&body);
    let account = accounts::get(&state.db, ctx.team.id, id).await?;
    let mut f = form::refill(&tr, &raw);
    let creds = form::credentials(&tr, &raw, &mut f);
    let with_form = |mut page: AccountPage, f: CredentialsForm| {
        page.credentials = f;
        refused(page)
    };
    let Some(creds) = creds else {
        return Ok(with_form(account_page(&state, &ctx, tr, layout, id, None).await?, f));
    };
    let regions: Vec<_> =
        accounts::regions(&state.db, id).await?.into_iter().map(|r| r.region).collect();
    let verified = accounts::verify(
        &state.cloud,
        creds.aksk.as_ref(),
        creds.iam.as_ref(),
        creds.iam_account.as_ref(),
        &regions,
    )
    .await;
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            tracing::info!(account = %id, error = %e, "new credentials: the cloud refused");
            f.cloud_problem = Some(cloud_problem(&tr, &e));
            return Ok(with_form(account_page(&state, &ctx, tr, layout, id, None).await?, f));
        }
    };
    // Keys of another Huawei account would make the inventory someone else's.
    if let Some(stored) = account.domain_id.as_deref()
        && stored != verified.domain_id.as_str()
    {
        let domain = verified.domain_name.as_str();
        f.errors.push(("access_key_id", tr.t1("accounts-error-other-domain", "domain", domain)));
        return Ok(with_form(account_page(&state, &ctx, tr, layout, id, None).await?, f));
    }
    let by = ChangedBy::Member(&context);
    accounts::replace_credentials_by(
        &state.db,
        &state.keyring,
        ctx.team.id,
        id,
        creds.aksk.as_ref(),
        creds.iam.as_ref(),
        Some(&verified.domain_name),
        &by,
    )
    .await?;
    Ok(back(&ctx, id, "credentials"))
}

pub async fn syncing(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    PathAccount(id): PathAccount,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw = Raw::parse(&body);
    let paused = match raw.paused.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            let problem = tr.t("accounts-error-paused");
            let mut page = account_page(&state, &ctx, tr, layout, id, None).await?;
            page.paused_error = Some(problem);
            return Ok(refused(page));
        }
    };
    let by = ChangedBy::Member(&context);
    accounts::set_paused(&state.db, ctx.team.id, id, paused, &by).await?;
    Ok(back(&ctx, id, if paused { "paused" } else { "resumed" }))
}

pub async fn remove(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    PathAccount(id): PathAccount,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw = Raw::parse(&body);
    if raw.confirm != "remove" {
        let problem = Some(tr.t("accounts-remove-unconfirmed"));
        let page = remove_page(&state, &ctx, tr, layout, id, problem).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let by = ChangedBy::Member(&context);
    accounts::remove(&state.db, ctx.team.id, id, &by).await?;
    Ok(Redirect::to(&format!("/teams/{}/accounts?done=removed", ctx.team.id)).into_response())
}
