//! One instance: everything the inventory knows, its actions, and (for roles that may read
//! the audit log) its audit trail.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use lightdeck_domain::accounts;
use lightdeck_domain::actions::{self, Action, ActionKind, Params};
use lightdeck_domain::audit::{self, AuditEvent, AuditFilter, Outcome};
use lightdeck_domain::inventory::{self, InstanceRow, PageRequest};
use lightdeck_domain::policy::Permission;
use lightdeck_huaweicloud::InstanceId;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::AppError;
use crate::extract::{PathInstance, TeamCtx};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::actions::{action_state_class, kind_text, kind_word};
use crate::views::instances::{
    Fact, HistoryLine, InstanceDetailPage, InstanceView, LifecycleLinks, Login, Notice,
    SettingsForm, TrafficCycleView, days_left, expiry_text, region_name, spec_text, when,
};
use crate::views::layout::Layout;
use time::OffsetDateTime;

pub(super) const HISTORY: u32 = 50;

/// `?notice=` after the settings form redirected back here.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DetailQuery {
    notice: String,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    PathInstance(id): PathInstance,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    let page = render(&state, &ctx, tr, layout, &id, SettingsForm::default(), Some(&q.notice));
    Ok(page.await?.into_response())
}

/// What the redirect after the settings form says: the action's own outcome for a
/// failure, and for a hostname change that it waits for a restart.
fn notice(tr: &Tr, which: &str, latest: Option<&Action>) -> Option<Notice> {
    let (text, ok, reboot) = match which {
        "unchanged" => (tr.t("settings-unchanged"), true, false),
        "updated" => (tr.t("settings-updated"), true, false),
        "hostname" => (tr.t("settings-hostname-needs-restart"), true, true),
        "failed" => {
            let code = latest.and_then(|a| a.error_code.clone()).unwrap_or_default();
            let message = latest.and_then(|a| a.error_message.clone()).unwrap_or_default();
            (tr.t2("settings-failed", "code", code, "message", message), false, false)
        }
        _ => return None,
    };
    Some(Notice { text, ok, reboot })
}

/// The page; `form` carries what was sent and its field errors after a refused submit
/// (an empty form is prefilled from what is known).
pub(super) async fn render(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    id: &InstanceId,
    mut form: SettingsForm,
    notice_key: Option<&str>,
) -> Result<InstanceDetailPage, AppError> {
    let team = ctx.team.id;
    let row = inventory::get(&state.db, team, id).await?;
    let account = accounts::get(&state.db, team, row.account_id).await?;
    let acts = actions::list_for_instance(&state.db, team, id, HISTORY).await?;
    if form.idempotency_key.is_empty() {
        let (hostname, description) = super::settings::known(&acts);
        form = SettingsForm {
            name: row.name.clone(),
            hostname: hostname.unwrap_or_default(),
            description: description.unwrap_or_default(),
            idempotency_key: Uuid::new_v4().to_string(),
            ..SettingsForm::default()
        };
    }
    let notice = notice_key.and_then(|k| notice(&tr, k, acts.first()));
    let audit = if ctx.can(Permission::ReadAudit) {
        let filter = AuditFilter { target_id: Some(id.to_string()), ..AuditFilter::default() };
        let page = audit::list(&state.db, team, &filter, &PageRequest::first(HISTORY)).await?;
        Some(page.items.iter().map(|e| audit_line(&tr, e)).collect())
    } else {
        None
    };
    let now = state.now();
    Ok(InstanceDetailPage {
        team_id: team.to_string(),
        instance_id: id.to_string(),
        settings: ctx.can(Permission::ManageInstances).then_some(form),
        can_power: ctx.can(Permission::PowerActions),
        reboot_key: Uuid::new_v4().to_string(),
        notice,
        facts: facts(&tr, &row, &account.name, now),
        login: Login::new(&row),
        cycle: TrafficCycleView::new(&tr, &row),
        lifecycle: LifecycleLinks::new(
            team,
            id,
            ctx.can(Permission::Renew),
            ctx.can(Permission::ManageInstances),
            ctx.can(Permission::Unsubscribe),
        ),
        copy_js_url: crate::assets::url("copy.js"),
        row: InstanceView::new(&tr, &row, &account.name, now),
        actions: acts.iter().map(|a| action_line(&tr, a)).collect(),
        audit,
        tr,
        layout,
    })
}

fn fact(label: String, value: String, mono: bool) -> Fact {
    Fact { label, value, mono }
}

fn or_unknown(tr: &Tr, v: Option<String>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or_else(|| tr.t("instances-unknown-value"))
}

fn facts(tr: &Tr, row: &InstanceRow, account: &str, now: OffsetDateTime) -> Vec<Fact> {
    let t = |k: &str| tr.t(k);
    let spec = match row.spec_code.as_deref() {
        Some(code) => format!("{} ({code})", spec_text(tr, Some(code))),
        None => tr.t("instances-unknown-value"),
    };
    let image = [row.image_name.as_deref(), row.image_version.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let expiry = match row.expires_at {
        Some(e) => format!("{} — {}", when(e), expiry_text(tr, days_left(Some(e), now))),
        None => tr.t("instances-unknown-value"),
    };
    let mut out = vec![
        fact(t("instances-fact-instance-id"), row.instance_id.to_string(), true),
        fact(
            t("instances-fact-server-id"),
            or_unknown(tr, row.server_id.as_ref().map(ToString::to_string)),
            true,
        ),
        fact(
            t("instances-fact-package-id"),
            or_unknown(tr, row.traffic_package_id.as_ref().map(ToString::to_string)),
            true,
        ),
        // The order that bought it (its renewals and unsubscriptions are on the orders page).
        fact(
            t("instances-fact-purchase-order"),
            or_unknown(tr, row.order_id.as_ref().map(ToString::to_string)),
            true,
        ),
        fact(t("instances-col-account"), account.to_owned(), false),
        fact(
            t("instances-col-region"),
            format!("{} ({})", region_name(row.region, tr.lang), row.region.id()),
            false,
        ),
        fact(t("instances-fact-status"), row.status.clone(), true),
        fact(t("instances-col-spec"), spec, false),
        fact(t("instances-fact-image"), or_unknown(tr, Some(image)), false),
        fact(t("instances-fact-public-ips"), or_unknown(tr, Some(row.public_ips.join(", "))), true),
        fact(
            t("instances-fact-private-ips"),
            or_unknown(tr, Some(row.private_ips.join(", "))),
            true,
        ),
        fact(t("instances-col-expiry"), expiry, false),
        fact(
            t("instances-fact-auto-renew"),
            t(if row.auto_renew { "instances-yes" } else { "instances-no" }),
            false,
        ),
        fact(t("instances-fact-last-sync"), when(row.last_synced_at), false),
    ];
    // Every tag, the panel's purchase tag included: here it says which purchase bought it.
    let tags: Vec<String> = row.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if !tags.is_empty() {
        out.push(fact(t("instances-fact-tags"), tags.join(", "), true));
    }
    if let Some(gone) = row.gone_at {
        out.push(fact(t("instances-fact-gone"), when(gone), false));
    }
    out
}

/// "Restart" for `instance.reboot.succeeded`; other events (and any whose parameters do not
/// read as their kind's) keep their dotted name.
fn event_text(tr: &Tr, e: &AuditEvent) -> String {
    let mut parts = e.action.split('.');
    let kind = match (parts.next(), parts.next().map(str::parse::<ActionKind>)) {
        (Some("instance"), Some(Ok(kind))) => kind,
        _ => return e.action.clone(),
    };
    match Params::from_stored(kind, &e.params) {
        Ok(params) => kind_text(tr, &params),
        Err(_) => e.action.clone(),
    }
}

fn tech_details(
    tr: &Tr,
    request_id: Option<&str>,
    job_id: Option<String>,
    code: Option<&str>,
    message: Option<&str>,
) -> Vec<Fact> {
    let mut d = Vec::new();
    if let Some(c) = code {
        d.push(fact(tr.t("actions-detail-code"), c.to_owned(), true));
    }
    if let Some(m) = message.filter(|m| !m.is_empty()) {
        d.push(fact(tr.t("actions-detail-message"), m.to_owned(), false));
    }
    if let Some(r) = request_id {
        d.push(fact(tr.t("actions-detail-request-id"), r.to_owned(), true));
    }
    if let Some(j) = job_id {
        d.push(fact(tr.t("actions-detail-job-id"), j, true));
    }
    d
}

fn action_line(tr: &Tr, a: &Action) -> HistoryLine {
    let actor = a.actor_name.clone().unwrap_or_else(|| tr.t("instances-someone"));
    HistoryLine {
        when: when(a.created_at),
        what: tr.t2("instances-history-action", "actor", actor, "action", kind_word(tr, a)),
        outcome: tr.t(&format!("actions-state-{}", a.state.as_str())),
        outcome_class: action_state_class(a.state),
        details: tech_details(
            tr,
            a.request_id.as_deref(),
            a.job_id.as_ref().map(ToString::to_string),
            a.error_code.as_deref(),
            a.error_message.as_deref(),
        ),
    }
}

fn outcome_class(o: Outcome) -> &'static str {
    match o {
        Outcome::Succeeded => "status-ok",
        Outcome::Failed | Outcome::Denied => "status-error",
        Outcome::Requested | Outcome::Accepted => "status-busy",
        Outcome::Unknown => "status-unknown",
    }
}

fn audit_line(tr: &Tr, e: &AuditEvent) -> HistoryLine {
    let actor = e.actor_name.clone().unwrap_or_else(|| tr.t("instances-someone"));
    HistoryLine {
        when: when(e.occurred_at),
        what: tr.t2("instances-history-event", "actor", actor, "action", event_text(tr, e)),
        outcome: tr.t(&format!("instances-outcome-{}", e.outcome.as_str())),
        outcome_class: outcome_class(e.outcome),
        details: tech_details(
            tr,
            e.request_id.as_deref(),
            e.job_id.clone(),
            e.error_code.as_deref(),
            e.error_message.as_deref(),
        ),
    }
}
