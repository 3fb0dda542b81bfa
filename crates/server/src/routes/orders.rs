//! The team's orders: every purchase, renewal and unsubscription the panel placed, with
//! BSS's status in words, the amount BSS gave, who placed it and when; filtered by kind,
//! state and account. An instance's page links here filtered to it.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lightdeck_domain::actions::{ActionKind, ActionState};
use lightdeck_domain::orders::{self, OrderFilter, OrderLine};
use lightdeck_domain::policy::Permission;
use lightdeck_domain::{accounts, inventory};
use lightdeck_huaweicloud::InstanceId;

use crate::error::AppError;
use crate::extract::TeamCtx;
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::actions::HUAWEI_ORDERS_URL;
use crate::views::instances::when;
use crate::views::layout::Layout;
use crate::views::lifecycle::{Choice, OrderRow, OrdersPage};

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/teams/{team}/orders", Access::Team(Permission::ViewInstances), list)
}

const ORDER_KINDS: [ActionKind; 3] =
    [ActionKind::Purchase, ActionKind::Renew, ActionKind::Unsubscribe];

fn kind_word_of(tr: &Tr, kind: ActionKind) -> String {
    tr.t(&format!("actions-kind-{}", kind.as_str().replace('_', "-")))
}

/// The filters as sent; each bad value becomes a message naming its field.
fn filter(query: &str, tr: &Tr, accounts: &[accounts::Account]) -> (OrderFilter, Vec<String>) {
    let mut f = OrderFilter::default();
    let mut problems = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "kind" => match ORDER_KINDS.into_iter().find(|k| k.as_str() == v) {
                Some(kind) => f.kind = Some(kind),
                None => problems.push(tr.t("orders-error-kind")),
            },
            "state" => match ActionState::ALL.into_iter().find(|s| s.as_str() == v) {
                Some(state) => f.state = Some(state),
                None => problems.push(tr.t("orders-error-state")),
            },
            "account" => match accounts.iter().find(|a| a.id.to_string() == v) {
                Some(a) => f.account_id = Some(a.id),
                None => problems.push(tr.t("orders-error-account")),
            },
            "instance" => match v.parse::<InstanceId>() {
                Ok(id) => f.instance_id = Some(id),
                Err(_) => problems.push(tr.t("orders-error-instance")),
            },
            _ => {}
        }
    }
    (f, problems)
}

/// BSS's order status in words, else the action's own state.
fn status_words(tr: &Tr, line: &OrderLine) -> (String, &'static str) {
    match (line.state, line.job_status.as_deref()) {
        (ActionState::Accepted, Some("6")) => (tr.t("orders-status-payment"), "status-busy"),
        (ActionState::Accepted, _) => (tr.t("orders-status-processing"), "status-busy"),
        (ActionState::Requested, _) => (tr.t("orders-status-requested"), "status-busy"),
        (ActionState::Succeeded, _) => (tr.t("orders-status-completed"), "status-ok"),
        (ActionState::Failed, Some("4")) => (tr.t("orders-status-cancelled"), "status-error"),
        (ActionState::Failed, _) => (tr.t("orders-status-failed"), "status-error"),
        (ActionState::Unknown, _) => (tr.t("orders-status-unknown"), "status-unknown"),
    }
}

async fn list(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let accounts = accounts::list(&state.db, team).await?;
    let (filter, problems) = filter(query.as_deref().unwrap_or_default(), &tr, &accounts);
    let lines = if problems.is_empty() {
        orders::list(&state.db, team, &filter).await?
    } else {
        Vec::new()
    };
    let ids: Vec<InstanceId> = lines.iter().flat_map(|l| l.instance_ids.clone()).collect();
    let names = inventory::names(&state.db, team, &ids).await?;
    let account_names: HashMap<_, _> = accounts.iter().map(|a| (a.id, a.name.clone())).collect();
    let rows = lines
        .iter()
        .map(|l| {
            let (status, status_class) = status_words(&tr, l);
            OrderRow {
                order_id: l.order_id.as_ref().map(ToString::to_string),
                kind: kind_word_of(&tr, l.kind),
                instances: l
                    .instance_ids
                    .iter()
                    .map(|i| {
                        (i.to_string(), names.get(i).cloned().unwrap_or_else(|| i.to_string()))
                    })
                    .collect(),
                account: account_names.get(&l.account_id).cloned().unwrap_or_default(),
                status,
                status_class,
                waiting_for_payment: l.state == ActionState::Accepted
                    && l.job_status.as_deref() == Some("6"),
                amount: l.amount.map(|a| match &l.currency {
                    Some(c) => format!("{a:.2} {c}"),
                    None => format!("{a:.2}"),
                }),
                actor: l.actor_name.clone().unwrap_or_default(),
                created: when(l.created_at),
                finished: l.finished_at.map(when),
                batch_url: format!("/teams/{team}/batches/{}", l.batch_id),
            }
        })
        .collect();
    let selected = |value: Option<&str>, v: &str| value == Some(v);
    let kind_choices = ORDER_KINDS
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: kind_word_of(&tr, k),
            selected: selected(filter.kind.map(ActionKind::as_str), k.as_str()),
        })
        .collect();
    let state_choices = ActionState::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: tr.t(&format!("orders-state-{}", s.as_str())),
            selected: selected(filter.state.map(ActionState::as_str), s.as_str()),
        })
        .collect();
    let account_choices = accounts
        .iter()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: a.name.clone(),
            selected: filter.account_id == Some(a.id),
        })
        .collect();
    let status =
        if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = OrdersPage {
        tr,
        layout,
        team_id: team.to_string(),
        rows,
        kinds: kind_choices,
        states: state_choices,
        accounts: account_choices,
        instance: filter.instance_id.map(|i| i.to_string()),
        problems,
        huawei_orders_url: HUAWEI_ORDERS_URL,
        limit: orders::MAX_ORDERS,
        can_purchase: ctx.can(lightdeck_domain::policy::Permission::Purchase),
    };
    Ok((status, page).into_response())
}
