//! `/admin/audit`: the site audit log, newest first, 50 a page (`?before=SEQ` for older).
//! The chain itself is checked by `lightdeck audit verify`.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use lightdeck_domain::site::{self, SiteEvent};

use super::{Admin, field, fields};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::admin::{AuditPage, EventView, Section};
use crate::views::instances::when;
use crate::views::layout::Layout;

const PER_PAGE: u32 = 50;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/admin/audit", Access::SiteAdmin, page)
}

/// The event in words, without its actor ("created user dave").
fn sentence(tr: &Tr, e: &SiteEvent) -> String {
    let p = |k: &str| e.param(k).unwrap_or_default();
    match e.action.as_str() {
        "user.created"
        | "user.disabled"
        | "user.enabled"
        | "user.setup_link_issued"
        | "user.password_set"
        | "user.site_admin.granted"
        | "user.site_admin.revoked"
        | "user.second_factor.enabled"
        | "user.second_factor.disabled"
        | "user.second_factor.recovery_codes_replaced"
        | "user.second_factor.reset" => {
            let key = format!("admin-audit-{}", e.action.replace('.', "-"));
            tr.t1(&key, "login", p("login"))
        }
        "team.created" => match e.param("owner") {
            Some(owner) => {
                tr.t2("admin-audit-team-created-owner", "name", p("name"), "owner", owner)
            }
            None => tr.t1("admin-audit-team-created", "name", p("name")),
        },
        "team.renamed" => tr.t2("admin-audit-team-renamed", "from", p("from"), "to", p("to")),
        "team.deleted" => tr.t1("admin-audit-team-deleted", "name", p("name")),
        other => other.to_owned(),
    }
}

async fn page(
    State(state): State<AppState>,
    _: Admin,
    tr: Tr,
    layout: Layout,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let before = field(&fields(raw.unwrap_or_default().as_bytes()), "before").parse::<i64>().ok();
    let events = site::events(&state.db, before, PER_PAGE).await?;
    let older = (events.len() == PER_PAGE as usize)
        .then(|| events.last().map(|e| format!("/admin/audit?before={}", e.seq)))
        .flatten();
    let events = events
        .iter()
        .map(|e| EventView {
            seq: e.seq,
            when: when(e.occurred_at),
            actor: e.actor_name.clone().unwrap_or_default(),
            sentence: sentence(&tr, e),
        })
        .collect();
    Ok(AuditPage { tr, layout, section: Section::Audit, events, older }.into_response())
}
