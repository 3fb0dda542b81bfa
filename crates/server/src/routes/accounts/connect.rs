//! Connecting an account: every field checked first, then the credentials verified against
//! the cloud (account name, each region's project id) before anything is stored, then a
//! first sync right away so its instances are in the table when the page comes back.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::accounts::{self, ChangedBy, ConnectError, NewAccount};
use uuid::Uuid;

use super::form::{self, Raw};
use super::page::list_page;
use crate::error::AppError;
use crate::explain::{self, Reason};
use crate::extract::Actor;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::accounts::CloudProblem;
use crate::views::layout::Layout;
use crate::workers::{SyncSummary, cloud, sync_account};

/// Why the cloud refused, in words for someone connecting an account, with Huawei's code,
/// the HTTP status and the request id as details.
pub fn cloud_problem(tr: &Tr, e: &ConnectError) -> CloudProblem {
    let Some(cloud_error) = e.cloud() else {
        return CloudProblem { message: tr.t("accounts-why-no-account"), details: String::new() };
    };
    let described = cloud::cloud_error(cloud_error);
    let code = described.code.as_deref();
    let api_message = cloud_error.api().map(|a| a.message.as_str());
    let reason = explain::classify(code, described.http_status, api_message);
    let message = match reason {
        Reason::AuthFailed => tr.t("accounts-why-auth-failed"),
        Reason::KeyLocked => tr.t("accounts-why-key-locked"),
        Reason::PermissionDenied => tr.t("accounts-why-permission"),
        Reason::Unreachable => tr.t("accounts-why-unreachable"),
        Reason::TimedOut => tr.t("accounts-why-timeout"),
        other => tr.t(other.key()),
    };
    let mut details = vec![code.unwrap_or("?").to_owned()];
    if let Some(status) = described.http_status {
        details.push(format!("HTTP {status}"));
    }
    if let Some(id) = &described.request_id {
        details.push(format!("request id {id}"));
    }
    CloudProblem { message, details: details.join(" · ") }
}

/// Syncs one account to its end (a closed tab does not cut it short), as "Refresh now".
pub async fn sync_now(state: &AppState, id: Uuid) -> Option<SyncSummary> {
    let workers = state.workers();
    match state.shutdown.run_to_end(async move { sync_account(&workers, id).await }).await {
        Ok(Ok(summary)) => Some(summary),
        Ok(Err(e)) => {
            tracing::warn!(account = %id, error = %e, "the first sync after a change failed");
            None
        }
        Err(e) => {
            tracing::warn!(account = %id, error = %e, "the first sync after a change stopped");
            None
        }
    }
}

pub async fn connect(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    body: Bytes,
) -> Result<Response, AppError> {
    let raw = Raw::parse(&body);
    let mut f = form::refill(&tr, &raw);
    let name = form::name(&tr, &raw, &mut f);
    let creds = form::credentials(&tr, &raw, &mut f);
    let regions = form::regions(&tr, &raw, &mut f);
    let team = ctx.team.id;
    // A taken name is said before the cloud is asked anything.
    if let Some(n) = &name
        && accounts::list(&state.db, team).await?.iter().any(|a| a.name == n.as_str())
    {
        f.errors.push(("name", tr.t("accounts-error-name-taken")));
    }
    let (Some(name), Some(creds), Some(regions), true) =
        (name, creds, regions, f.errors.is_empty())
    else {
        let page = list_page(&state, &ctx, tr, layout, f, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
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
            tracing::info!(team = %team, error = %e, "connecting an account: the cloud refused");
            f.cloud_problem = Some(cloud_problem(&tr, &e));
            let page = list_page(&state, &ctx, tr, layout, f, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let new = NewAccount {
        name,
        domain_name: verified.domain_name,
        domain_id: Some(verified.domain_id),
        aksk: creds.aksk,
        iam_user: creds.iam,
        regions: verified.projects,
    };
    let by = ChangedBy::Member(&context);
    let account = match accounts::connect(&state.db, &state.keyring, team, new, &by).await {
        Ok(a) => a,
        // Taken between the check above and now.
        Err(lightdeck_domain::Error::Invalid(_)) => {
            f.errors.push(("name", tr.t("accounts-error-name-taken")));
            let page = list_page(&state, &ctx, tr, layout, f, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    Ok(match sync_now(&state, account.id).await {
        Some(s) => Redirect::to(&format!(
            "/teams/{team}/instances?synced={}.{}.{}",
            s.added, s.changed, s.gone
        )),
        None => Redirect::to(&format!("/teams/{team}/accounts?done=connected-unsynced")),
    }
    .into_response())
}
