//! The progress panel of one batch: per instance, where its action stands, why it failed
//! in plain words (details on expand), and once everything ended, the instance's state now.

use std::collections::HashMap;

use lightdeck_domain::actions::{
    self, ActionDetail, ActionKind, ActionState, BatchProgress, Params,
};
use lightdeck_domain::audit::awaits_payment;
use lightdeck_domain::inventory;
use lightdeck_huaweicloud::InstanceId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::AppError;
use crate::explain;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::actions::{Payment, ProgressItem, ProgressPanel, kind_word};
use crate::views::audit::names::tell_apart;
use crate::views::instances::{Fact, state_class, state_word};

/// Above this many instances the finished panel does not look up each one's state.
const SHOW_STATES_MAX: usize = 100;

pub(super) async fn panel(
    state: &AppState,
    tr: &Tr,
    team: Uuid,
    batch: Uuid,
) -> Result<ProgressPanel, AppError> {
    let progress = actions::batch_progress(&state.db, team, batch).await?;
    let ids: Vec<InstanceId> =
        progress.actions.iter().flat_map(|d| d.action.instance_ids.iter().cloned()).collect();
    let targets = inventory::resolve(&state.db, team, &ids).await?;
    let names = tell_apart(&state.db, team, tr, &targets).await?;

    let mut items = Vec::with_capacity(ids.len());
    let now = state.now();
    for detail in &progress.actions {
        items.extend(items_of(tr, detail, &names, now));
    }
    // A purchase being reconciled has ended, but the page keeps looking with the syncs.
    let reconciling = progress.actions.iter().any(|d| {
        d.action.reconcile_until.is_some_and(|u| u > now) && d.action.state == ActionState::Unknown
    });
    if progress.done && items.len() <= SHOW_STATES_MAX {
        for item in &mut items {
            let Ok(id) = item.instance_id.parse::<InstanceId>() else { continue };
            if !item.linked {
                continue;
            }
            if let Ok(row) = inventory::get(&state.db, team, &id).await {
                item.now_class = Some(state_class(row.state));
                item.now_word = Some(state_word(tr, row.state));
            }
        }
    }
    let finished = items.iter().filter(|i| is_final(i.state)).count();
    let total = items.len().max(1);
    let pct = finished * 100 / total;
    Ok(ProgressPanel {
        tr: tr.clone(),
        team_id: team.to_string(),
        batch_id: batch.to_string(),
        title: title(tr, &progress, items.len()),
        pct_step: u8::try_from((pct + 2) / 5 * 5).unwrap_or(100).min(100),
        summary: tr.t2(
            "actions-progress-summary",
            "done",
            finished as u64,
            "total",
            items.len() as u64,
        ),
        done: progress.done && !reconciling,
        items,
        next_key: None,
    })
}

fn is_final(state: &str) -> bool {
    matches!(state, "succeeded" | "failed" | "unknown")
}

fn title(tr: &Tr, progress: &BatchProgress, count: usize) -> String {
    let kind = progress.actions.first().map(|d| kind_word(tr, &d.action)).unwrap_or_default();
    tr.t2("actions-progress-heading", "action", kind, "count", count as u64)
}

fn fact(tr: &Tr, key: &str, value: String, mono: bool) -> Fact {
    Fact { label: tr.t(key), value, mono }
}

/// One item per instance of an action row; a purchase's before its instances exist is one
/// item for all it buys.
fn items_of(
    tr: &Tr,
    d: &ActionDetail,
    names: &HashMap<String, String>,
    now: OffsetDateTime,
) -> Vec<ProgressItem> {
    let a = &d.action;
    if let Params::Purchase(purchase) = &a.params {
        let planned = purchase.plan.names();
        if a.instance_ids.is_empty() {
            let name = match planned.as_slice() {
                [one] => one.clone(),
                [first, .., last] => {
                    let mut args = fluent_bundle::FluentArgs::new();
                    args.set("first", first.as_str());
                    args.set("last", last.as_str());
                    args.set("count", planned.len() as u64);
                    tr.t_args("actions-purchase-names", &args)
                }
                [] => String::new(),
            };
            return vec![item(tr, d, None, name, now)];
        }
        return a
            .instance_ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                // Not in the inventory yet: the name it will have, and no link.
                let name = names.get(id.as_str()).cloned();
                let linked = name.is_some();
                let name =
                    name.or_else(|| planned.get(i).cloned()).unwrap_or_else(|| id.to_string());
                let mut it = item(tr, d, Some(id), name, now);
                it.linked = linked;
                it
            })
            .collect();
    }
    a.instance_ids
        .iter()
        .map(|instance| {
            let name =
                names.get(instance.as_str()).cloned().unwrap_or_else(|| instance.to_string());
            item(tr, d, Some(instance), name, now)
        })
        .collect()
}

/// The item of one instance of an action (or of a purchase that has none yet).
fn item(
    tr: &Tr,
    d: &ActionDetail,
    instance: Option<&InstanceId>,
    name: String,
    now: OffsetDateTime,
) -> ProgressItem {
    let a = &d.action;
    let server = instance
        .and_then(|id| a.instance_ids.iter().position(|i| i == id))
        .and_then(|i| a.server_ids.get(i));
    let result = server.and_then(|s| d.results.iter().find(|r| &r.server_id == s));
    let order = a.order_id.as_ref().map(ToString::to_string);
    let waiting = a.state == ActionState::Accepted
        && awaits_payment(order.as_deref(), a.job_status.as_deref());
    // The server's own sub-job says more than the action's overall state.
    let state: &'static str = match (result.map(|r| r.status.as_str()), a.state) {
        // Not running: it needs a person to pay, which the words say.
        _ if waiting => "payment",
        (_, ActionState::Requested) => "requested",
        (Some("SUCCESS"), _) => "succeeded",
        (Some("FAIL"), _) => "failed",
        (Some(_), ActionState::Accepted) => "running",
        (None, ActionState::Accepted) => "accepted",
        (_, ActionState::Succeeded) => "succeeded",
        (_, ActionState::Failed) => "failed",
        (_, ActionState::Unknown) => "unknown",
    };
    let (code, message) = match result.filter(|r| r.status == "FAIL") {
        Some(r) => (r.error_code.clone(), r.error_message.clone()),
        None => (a.error_code.clone(), a.error_message.clone()),
    };
    let explanation = match state {
        "failed" => Some(explain::explain(
            tr,
            code.as_deref(),
            if result.is_some() { None } else { a.http_status },
            message.as_deref(),
        )),
        // A purchase with a lost answer is looked for, then left to a person to check.
        "unknown" if a.kind() == ActionKind::Purchase => Some(match a.reconcile_until {
            Some(until) if until > now => {
                tr.t1("explain-purchase-looking", "until", crate::views::instances::when(until))
            }
            _ => tr.t("explain-purchase-unknown"),
        }),
        // Unknown is unknown, unless the panel knows why (the cloud forgot the job).
        "unknown" => Some(tr.t(match explain::classify(code.as_deref(), None, None) {
            r @ (explain::Reason::JobGone | explain::Reason::OrderGone) => r.key(),
            _ => explain::Reason::OutcomeUnknown.key(),
        })),
        _ => None,
    };
    let mut details = Vec::new();
    if is_final(state) && state != "succeeded" {
        if let Some(c) = &code {
            details.push(fact(tr, "actions-detail-code", c.clone(), true));
        }
        if let Some(m) = message.as_ref().filter(|m| !m.is_empty()) {
            details.push(fact(tr, "actions-detail-message", m.clone(), false));
        }
    }
    if let Some(r) = &a.request_id {
        details.push(fact(tr, "actions-detail-request-id", r.clone(), true));
    }
    if let Some(j) = &a.job_id {
        details.push(fact(tr, "actions-detail-job-id", j.to_string(), true));
    }
    if let Some(o) = &order {
        details.push(fact(tr, "actions-detail-order-id", o.clone(), true));
    }
    if let Params::Purchase(p) = &a.params {
        details.push(fact(tr, "actions-detail-purchase-id", p.purchase_id.to_string(), true));
    }
    let payment =
        order.as_deref().filter(|_| waiting).map(|o| Payment::new(tr, "actions-pay-link", o));
    ProgressItem {
        instance_id: instance.map(ToString::to_string).unwrap_or_default(),
        linked: instance.is_some(),
        name,
        state,
        state_word: match &payment {
            Some(p) => tr.t1("actions-item-payment", "order", p.order_id.as_str()),
            None => tr.t(&format!("actions-item-{state}")),
        },
        state_class: match state {
            "succeeded" => "status-ok",
            "failed" => "status-error",
            "unknown" => "status-unknown",
            _ => "status-busy",
        },
        explanation,
        details,
        now_class: None,
        now_word: None,
        payment,
    }
}
