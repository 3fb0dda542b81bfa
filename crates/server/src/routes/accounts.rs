//! "Refresh now" for one of a team's cloud accounts: a sync of its inventory right away.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::accounts;
use lightdeck_domain::policy::Permission;
use uuid::Uuid;

use crate::error::AppError;
use crate::explain;
use crate::extract::{IsHtmx, TeamCtx};
use crate::i18n::Tr;
use crate::routes::{Access, RouteTable};
use crate::state::AppState;
use crate::views::instances::RefreshedFragment;
use crate::workers::{WorkerError, sync_account};

/// Who may press "Refresh now". The issue names no role; it makes cloud calls on the
/// team's behalf (reads only), so it is offered to those who may already make the cloud
/// act: operators and up, like start / stop / reboot.
pub const REFRESH: Permission = Permission::PowerActions;

pub fn routes(t: RouteTable) -> RouteTable {
    t.post("/teams/{team}/accounts/{account}/refresh", Access::Team(REFRESH), refresh)
}

/// "3 added, 1 changed, 0 gone", translated.
pub fn summary_text(tr: &Tr, added: u64, changed: u64, gone: u64) -> String {
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("added", added);
    args.set("changed", changed);
    args.set("gone", gone);
    tr.t_args("accounts-refreshed", &args)
}

async fn refresh(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    htmx: IsHtmx,
    Path((_team, account)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let account: Uuid = account.parse().map_err(|_| AppError::NotFound)?;
    // Another team's account answers 404 like a missing one.
    let account = accounts::get(&state.db, team, account).await?;
    // In its own task, so a closed tab does not cut the sync (and its lock) short.
    let workers = state.workers();
    let id = account.id;
    let result = match tokio::spawn(async move { sync_account(&workers, id).await }).await {
        Ok(Err(WorkerError::Domain(e))) => return Err(e.into()),
        Ok(other) => other,
        Err(e) => return Err(AppError::internal(e)),
    };
    let (status, message, ok) = match &result {
        Ok(s) => {
            let mut text = summary_text(&tr, s.added, s.changed, s.gone);
            if !s.partial.is_empty() {
                text.push(' ');
                text.push_str(&tr.t("accounts-refreshed-partial"));
            }
            (StatusCode::OK, text, true)
        }
        Err(WorkerError::Cloud(e)) => {
            tracing::warn!(account = %account.id, error = %e, "refresh failed");
            let why = explain::explain(&tr, e.huawei_code(), e.status(), None);
            let text = tr.t1("accounts-refresh-failed", "reason", why);
            (StatusCode::BAD_GATEWAY, text, false)
        }
        Err(_) => (StatusCode::CONFLICT, tr.t("accounts-refresh-running"), false),
    };
    if htmx.0 {
        let mut response = (status, RefreshedFragment { message, ok }).into_response();
        if ok {
            // The instances table listens for this and reloads itself.
            response
                .headers_mut()
                .insert("HX-Trigger", HeaderValue::from_static("inventory-changed"));
        }
        return Ok(response);
    }
    match result {
        Ok(s) => Ok(Redirect::to(&format!(
            "/teams/{team}/instances?synced={}.{}.{}",
            s.added, s.changed, s.gone
        ))
        .into_response()),
        // The full error page shows the message as is.
        Err(_) => Err(AppError::Conflict(message)),
    }
}
