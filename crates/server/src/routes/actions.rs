//! Start / stop / reboot requests and the batch progress panel — "How one action flows"
//! (DESIGN.md) steps 1–5 and 7: parse → resolve the ids inside this team (any unknown or
//! foreign id: 404 for the whole request) → commit the intent (actions `requested` + audit
//! events, one transaction; if that fails nothing reaches the cloud) → one batch call per
//! (account, region) → record each answer → show the progress panel.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::actions::{NewBatch, Params};
use lightdeck_domain::inventory;
use lightdeck_domain::policy::Permission;
use lightdeck_huaweicloud::InstanceId;
use uuid::Uuid;

use crate::csrf::CsrfToken;
use crate::error::AppError;
use crate::extract::{Actor, IsHtmx, PathBatch, TeamCtx};
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::actions::{
    ConfirmPage, ConfirmPanel, ProblemPage, ProblemPanel, ProgressPage, named,
};
use crate::views::layout::Layout;
use crate::views::page_or_partial;

mod progress;

/// Most instances one request may name (the body limit allows about this many ids).
const MAX_INSTANCES: usize = 5000;

pub fn routes(t: RouteTable) -> RouteTable {
    t.post("/teams/{team}/actions", Access::Team(Permission::PowerActions), create).get(
        "/teams/{team}/batches/{batch}",
        Access::Team(Permission::ViewInstances),
        batch,
    )
}

/// The action form as sent (repeated `instance` fields, so parsed by hand).
#[derive(Debug, Default)]
struct ActionForm {
    instances: Vec<String>,
    action: String,
    kind: String,
    idempotency_key: String,
    confirmed: bool,
}

impl ActionForm {
    fn parse(body: &[u8]) -> ActionForm {
        let mut f = ActionForm::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "instance" => f.instances.push(v.trim().to_owned()),
                "action" => f.action = v.trim().to_owned(),
                "type" => f.kind = v.trim().to_owned(),
                "idempotency_key" => f.idempotency_key = v.trim().to_owned(),
                "confirmed" => f.confirmed = v == "yes",
                _ => {}
            }
        }
        f
    }

    /// The power action, the distinct instance ids and the key — or every problem, in words.
    fn check(&self, tr: &Tr) -> Result<(Params, Vec<String>, String), Vec<String>> {
        let mut problems = Vec::new();
        let hard = match self.kind.as_str() {
            "" | "soft" => Some(false),
            "hard" => Some(true),
            _ => None,
        };
        let power = match (self.action.as_str(), hard) {
            (_, None) => {
                problems.push(tr.t("actions-error-type"));
                None
            }
            ("start", _) => Some(Params::Start),
            ("stop", Some(hard)) => Some(Params::Stop { hard }),
            ("reboot", Some(hard)) => Some(Params::Reboot { hard }),
            _ => {
                problems.push(tr.t("actions-error-action"));
                None
            }
        };
        let mut seen = HashSet::new();
        let ids: Vec<String> = self
            .instances
            .iter()
            .filter(|i| !i.is_empty() && seen.insert(i.as_str()))
            .cloned()
            .collect();
        if ids.is_empty() {
            problems.push(tr.t("actions-error-no-instance"));
        } else if ids.len() > MAX_INSTANCES {
            problems.push(tr.t1("actions-error-too-many", "max", MAX_INSTANCES as u64));
        }
        let key = self.idempotency_key.clone();
        if key.is_empty() || key.len() > 128 {
            problems.push(tr.t("actions-error-key"));
        }
        match power {
            Some(p) if problems.is_empty() => Ok((p, ids, key)),
            _ => Err(problems),
        }
    }
}

fn confirm_message(tr: &Tr, params: &Params, count: usize) -> (String, String) {
    let n = count as u64;
    match params {
        Params::Stop { hard: false } => {
            (tr.t1("actions-confirm-stop", "count", n), tr.t("actions-confirm-stop-button"))
        }
        Params::Stop { hard: true } => (
            tr.t1("actions-confirm-stop-hard", "count", n),
            tr.t("actions-confirm-stop-hard-button"),
        ),
        _ => (
            tr.t1("actions-confirm-reboot-hard", "count", n),
            tr.t("actions-confirm-reboot-hard-button"),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
async fn create(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    htmx: IsHtmx,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let form = ActionForm::parse(&body);
    let (params, raw_ids, key) = match form.check(&tr) {
        Ok(ok) => ok,
        Err(problems) => {
            let panel = ProblemPanel { tr: tr.clone(), problems };
            let response = page_or_partial(htmx, panel, |panel| ProblemPage {
                tr,
                layout,
                team_id: team.to_string(),
                panel,
            });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response());
        }
    };

    // Step 3: inside this team only. A malformed, unknown, gone or foreign id makes the
    // whole request 404, so nobody learns which ids exist elsewhere.
    let ids: Vec<InstanceId> = raw_ids
        .iter()
        .map(|i| i.parse().map_err(|_| AppError::NotFound))
        .collect::<Result<_, _>>()?;
    let targets = inventory::resolve(&state.db, team, &ids).await?;
    let found: usize = targets.iter().map(|t| t.instances.len()).sum();
    if found != ids.len() {
        return Err(AppError::NotFound);
    }

    if params.needs_confirmation() && !form.confirmed {
        let (message, confirm_label) = confirm_message(&tr, &params, found);
        let panel = ConfirmPanel {
            tr: tr.clone(),
            team_id: team.to_string(),
            csrf,
            action: params.kind().as_str().to_owned(),
            kind: if params.is_hard() { "hard" } else { "soft" }.to_owned(),
            idempotency_key: key,
            message,
            confirm_label,
            // "api-01 (acme-shop)" where another account has an api-01 too.
            instances: named(&state.db, team, &tr, &targets).await?,
        };
        return Ok(page_or_partial(htmx, panel, |panel| ConfirmPage {
            tr,
            layout,
            team_id: team.to_string(),
            panel,
        }));
    }

    // Steps 4 and 5: the intent committed, then the calls made to their end.
    let new = NewBatch { team_id: team, params, targets, context, idempotency_key: Some(key) };
    let recorded = crate::act::record_and_send(&state, &new).await?;

    // Not [`page_or_partial`]: without htmx the browser is sent to the progress page, which
    // builds the panel itself, so it is built here only for htmx.
    if !htmx.0 {
        return Ok(Redirect::to(&format!("/teams/{team}/batches/{}", recorded.id)).into_response());
    }
    let mut panel = progress::panel(&state, &tr, team, recorded.id).await?;
    panel.next_key = Some(Uuid::new_v4().to_string());
    let mut response = panel.into_response();
    // The instances table reloads itself, so the touched rows show them moving (and keep
    // refreshing until they settle).
    response.headers_mut().insert("HX-Trigger", HeaderValue::from_static("inventory-changed"));
    Ok(response)
}

async fn batch(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    htmx: IsHtmx,
    PathBatch(batch): PathBatch,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let panel = progress::panel(&state, &tr, team, batch).await?;
    Ok(page_or_partial(htmx, panel, |panel| ProgressPage {
        tr,
        layout,
        team_id: team.to_string(),
        panel,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_instance_fields_are_collected() {
        let f = ActionForm::parse(
            b"instance=a&instance=b&action=reboot&type=hard&idempotency_key=k&confirmed=yes&csrf=x",
        );
        assert_eq!(f.instances, vec!["a", "b"]);
        assert_eq!((f.action.as_str(), f.kind.as_str(), f.confirmed), ("reboot", "hard", true));
    }
}
