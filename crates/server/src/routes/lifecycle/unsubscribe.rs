//! Unsubscribe one instance (owner only): the whole instance, or only its renewal periods
//! not yet started. The page lists what is released with it, as RMS shows its bundled
//! resources; the person types the instance's name and, if needed, their own password.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::actions::{NewBatch, Params, UnsubscribeScope};
use lightdeck_domain::inventory::{self, InstanceRow};
use lightdeck_domain::policy::Permission;
use lightdeck_huaweicloud::model::rms::logical_type;
use serde_json::Value;
use tower_sessions::Session;
use uuid::Uuid;

use super::lines;
use crate::error::AppError;
use crate::extract::{Actor, ClientInfo, PathInstance, TeamCtx};
use crate::i18n::Tr;
use crate::reauth;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::layout::Layout;
use crate::views::lifecycle::UnsubscribePage;

pub(super) fn routes(t: RouteTable) -> RouteTable {
    let access = Access::Team(Permission::Unsubscribe);
    t.get("/teams/{team}/instances/{instance}/unsubscribe", access, form).post(
        "/teams/{team}/instances/{instance}/unsubscribe",
        access,
        submit,
    )
}

/// The form as sent. `Debug` is not derived: it holds a password.
#[derive(Default)]
struct Sent {
    scope: String,
    typed_name: String,
    current_password: String,
    idempotency_key: String,
}

impl Sent {
    fn parse(body: &[u8]) -> Sent {
        let mut f = Sent::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "scope" => f.scope = v.trim().to_owned(),
                "typed_name" => f.typed_name = v.trim().to_owned(),
                "current_password" => f.current_password = v.into_owned(),
                "idempotency_key" => f.idempotency_key = v.trim().to_owned(),
                _ => {}
            }
        }
        f
    }
}

/// What RMS lists as bundled with the instance, in words (the system disk, the EIP, the
/// traffic package, and any data disk, backup vault or host security it shows).
fn released(tr: &Tr, row: &InstanceRow) -> Vec<String> {
    let mut said = vec![tr.t1("lifecycle-unsubscribe-releases-server", "name", row.name.as_str())];
    let resources = row
        .raw
        .as_ref()
        .and_then(|raw| raw.pointer("/properties/resources"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for r in &resources {
        let logical = r.get("logical_resource_type").and_then(Value::as_str).unwrap_or("");
        let physical = r.get("physical_resource_type").and_then(Value::as_str).unwrap_or("");
        let service = r.get("cloud_service_type").and_then(Value::as_str).unwrap_or("");
        let id = r.get("physical_resource_id").and_then(Value::as_str).unwrap_or("");
        let key = match (logical, physical, service) {
            (logical_type::ECS_INSTANCE, ..) | (logical_type::EIP_ATTACH, ..) => continue,
            (logical_type::EIP, ..) => "lifecycle-unsubscribe-releases-eip",
            (logical_type::TRAFFIC_PACKAGE, ..) => "lifecycle-unsubscribe-releases-traffic",
            (_, "hws.resource.type.volume", _) | (logical_type::VOLUME, ..) => {
                "lifecycle-unsubscribe-releases-disk"
            }
            (_, _, "hws.service.type.cbr") => "lifecycle-unsubscribe-releases-backup",
            (_, _, "hws.service.type.hss") => "lifecycle-unsubscribe-releases-hss",
            _ => "lifecycle-unsubscribe-releases-other",
        };
        said.push(tr.t1(key, "id", id));
    }
    if let Some(ip) = row.public_ips.first() {
        said.push(tr.t1("lifecycle-unsubscribe-releases-ip", "ip", ip.as_str()));
    }
    said
}

async fn form(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    session: Session,
    PathInstance(id): PathInstance,
) -> Result<Response, AppError> {
    let row = inventory::get(&state.db, ctx.team.id, &id).await?;
    if row.gone_at.is_some() {
        return Err(AppError::NotFound);
    }
    let page = page(&state, &ctx, tr, layout, &session, &row, &Sent::default()).await?;
    Ok(page.into_response())
}

async fn page(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    session: &Session,
    row: &InstanceRow,
    sent: &Sent,
) -> Result<UnsubscribePage, AppError> {
    let team = ctx.team.id;
    let mut lines = lines(state, &tr, team, std::slice::from_ref(row)).await?;
    let line = lines.pop().ok_or(AppError::NotFound)?;
    Ok(UnsubscribePage {
        team_id: team.to_string(),
        line,
        instance_name: row.name.clone(),
        scope: if sent.scope.is_empty() { "whole".to_owned() } else { sent.scope.clone() },
        released: released(&tr, row),
        idempotency_key: if sent.idempotency_key.is_empty() {
            Uuid::new_v4().to_string()
        } else {
            sent.idempotency_key.clone()
        },
        scope_error: None,
        name_error: None,
        reauth_needed: reauth::needed(state, session).await?,
        reauth_error: None,
        problems: Vec::new(),
        tr,
        layout,
    })
}

#[allow(clippy::too_many_arguments)]
async fn submit(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    session: Session,
    client: ClientInfo,
    PathInstance(id): PathInstance,
    body: Bytes,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let row = inventory::get(&state.db, team, &id).await?;
    if row.gone_at.is_some() {
        return Err(AppError::NotFound);
    }
    let sent = Sent::parse(&body);
    let mut page = page(&state, &ctx, tr.clone(), layout, &session, &row, &sent).await?;
    let scope = UnsubscribeScope::parse(&sent.scope);
    if scope.is_err() {
        page.scope_error = Some(tr.t("lifecycle-unsubscribe-error-scope"));
    }
    if sent.typed_name != row.name {
        page.name_error =
            Some(tr.t1("lifecycle-unsubscribe-error-name", "name", row.name.as_str()));
    }
    if sent.idempotency_key.is_empty() || sent.idempotency_key.len() > 128 {
        page.problems.push(tr.t("actions-error-key"));
    }
    let valid = page.scope_error.is_none() && page.name_error.is_none() && page.problems.is_empty();
    if valid
        && let Err(message) =
            reauth::check(&state, &session, &ctx, &client, &sent.current_password, &tr).await?
    {
        page.reauth_error = Some(message);
        page.reauth_needed = true;
    }
    let Ok(scope) = scope else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if page.name_error.is_some() || page.reauth_error.is_some() || !page.problems.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }

    let targets = inventory::resolve(&state.db, team, std::slice::from_ref(&id)).await?;
    if targets.is_empty() {
        return Err(AppError::NotFound);
    }
    let new = NewBatch {
        team_id: team,
        params: Params::Unsubscribe { scope },
        targets,
        context,
        idempotency_key: Some(sent.idempotency_key),
    };
    let recorded = crate::act::record_and_send(&state, &new).await?;
    Ok(Redirect::to(&format!("/teams/{team}/batches/{}", recorded.id)).into_response())
}
