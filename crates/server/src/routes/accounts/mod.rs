//! A team's cloud accounts: the owners' page (connect, change, pause, remove; see the
//! submodules) and "Refresh now" for one account, a sync of its inventory right away.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::accounts;
use lightdeck_domain::policy::Permission;

use crate::error::AppError;
use crate::explain;
use crate::extract::{IsHtmx, PathAccount, TeamCtx};
use crate::i18n::Tr;
use crate::policy::REFRESH;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::instances::{RefreshedFragment, summary_text};
use crate::views::page_or_partial;
use crate::workers::{WorkerError, sync_account};

mod change;
mod connect;
mod form;
mod page;

pub fn routes(t: RouteTable) -> RouteTable {
    // Managing accounts is the owners' (like members); refreshing is anyone's who acts.
    let manage = Access::Team(Permission::ManageTeam);
    t.post("/teams/{team}/accounts/{account}/refresh", Access::Team(REFRESH), refresh)
        .get("/teams/{team}/accounts", manage, page::list)
        .post("/teams/{team}/accounts", manage, connect::connect)
        .get("/teams/{team}/accounts/{account}", manage, page::detail)
        .post("/teams/{team}/accounts/{account}/name", manage, change::rename)
        .post("/teams/{team}/accounts/{account}/regions", manage, change::regions)
        .post("/teams/{team}/accounts/{account}/credentials", manage, change::credentials)
        .post("/teams/{team}/accounts/{account}/syncing", manage, change::syncing)
        .get("/teams/{team}/accounts/{account}/remove", manage, page::confirm_remove)
        .post("/teams/{team}/accounts/{account}/remove", manage, change::remove)
}

async fn refresh(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    htmx: IsHtmx,
    PathAccount(account): PathAccount,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    // Another team's account answers 404 like a missing one.
    let account = accounts::get(&state.db, team, account).await?;
    if account.sync_paused {
        return Err(AppError::Conflict(tr.t("accounts-refresh-paused")));
    }
    // To its end, so a closed tab does not cut the sync (and its lock) short.
    let workers = state.workers();
    let id = account.id;
    let result =
        match state.shutdown.run_to_end(async move { sync_account(&workers, id).await }).await {
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
    let mut fragment = (status, RefreshedFragment { message: message.clone(), ok }).into_response();
    if ok {
        // The instances table listens for this and reloads itself.
        fragment.headers_mut().insert("HX-Trigger", HeaderValue::from_static("inventory-changed"));
    }
    // Without htmx there is no page of its own: back to the list, or the error page.
    Ok(page_or_partial(htmx, fragment, |_| match result {
        Ok(s) => Ok(Redirect::to(&format!(
            "/teams/{team}/instances?synced={}.{}.{}",
            s.added, s.changed, s.gone
        ))),
        // The full error page shows the message as is.
        Err(_) => Err(AppError::Conflict(message)),
    }))
}
