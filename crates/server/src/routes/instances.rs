//! The instances table, one row of it (htmx self-refresh while transitional) and the
//! instance detail page. Pages read the inventory only; they never call the cloud.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lightdeck_domain::accounts::{self, Account};
use lightdeck_domain::inventory::{
    self, InstanceFilter, InstanceSort, InstanceState, PageRequest, SortKey,
};
use lightdeck_domain::policy::Permission;
use lightdeck_huaweicloud::Region;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::AppError;
use crate::extract::{IsHtmx, PathInstance, TeamCtx};
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::instances::{
    Choice, FilterView, InstanceListPage, InstanceRowPartial, InstanceTable, InstanceView,
    RenewAll, RowLabels, account_views, bounded, preset_choices, region_name, synced_notice,
};
use crate::views::layout::Layout;
use crate::views::page_or_partial;

pub(crate) mod detail;
mod settings;

/// Rows per page.
pub const PAGE_SIZE: u32 = 50;
/// Previous-page cursors kept in the URL; older pages are reached from the first page.
const MAX_TRAIL: usize = 20;

pub fn routes(t: RouteTable) -> RouteTable {
    let view = Access::Team(Permission::ViewInstances);
    t.get("/teams/{team}/instances", view, list)
        .get("/teams/{team}/instances/{instance}", view, detail::page)
        .get("/teams/{team}/instances/{instance}/row", view, row)
        .post(
            "/teams/{team}/instances/{instance}/settings",
            Access::Team(Permission::ManageInstances),
            settings::update,
        )
}

/// The list's query string. Raw strings: converted (with messages) in [`ListQuery::parse`].
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub account: String,
    pub region: String,
    pub status: String,
    /// Less than this percentage of the traffic package left (1–100).
    pub traffic_below: String,
    /// Expiring within this many days, or expired (1–366).
    pub expires_within: String,
    pub sort: String,
    pub dir: String,
    /// The cursor this page starts after.
    pub after: String,
    /// Cursors of the earlier pages, comma-separated (for "Previous").
    pub trail: String,
    /// `added.changed.gone` after a "Refresh now" without htmx.
    pub synced: String,
}

struct Parsed {
    filter: InstanceFilter,
    sort: InstanceSort,
    errors: Vec<(String, String)>,
}

/// The percentages and day counts the filters offer; the query string may name others.
const TRAFFIC_BELOW: [u32; 3] = [10, 20, 50];
const EXPIRES_WITHIN: [u32; 3] = [7, 30, 90];

const SORTS: [(&str, SortKey); 4] = [
    ("name", SortKey::Name),
    ("status", SortKey::Status),
    ("expiry", SortKey::Expiry),
    ("traffic", SortKey::TrafficLeft),
];

impl ListQuery {
    fn parse(&self, tr: &Tr, accounts: &[Account]) -> Parsed {
        let mut errors = Vec::new();
        let mut filter = InstanceFilter::default();
        let q = self.q.trim();
        if q.chars().count() > 200 {
            errors.push(("q".to_owned(), tr.t("instances-error-search-long")));
        } else if !q.is_empty() {
            filter.text = Some(q.to_owned());
        }
        if !self.account.is_empty() {
            match self
                .account
                .parse::<Uuid>()
                .ok()
                .filter(|id| accounts.iter().any(|a| a.id == *id))
            {
                Some(id) => filter.account_id = Some(id),
                None => errors.push(("account".to_owned(), tr.t("instances-error-account"))),
            }
        }
        if !self.region.is_empty() {
            match self.region.parse::<Region>() {
                Ok(r) => filter.region = Some(r),
                Err(_) => errors.push(("region".to_owned(), tr.t("instances-error-region"))),
            }
        }
        if !self.status.is_empty() {
            match self.status.parse::<InstanceState>() {
                Ok(s) => filter.state = Some(s),
                Err(_) => errors.push(("status".to_owned(), tr.t("instances-error-status"))),
            }
        }
        if !self.traffic_below.is_empty() {
            match bounded(&self.traffic_below, 100) {
                Some(pct) => filter.traffic_below_pct = Some(f64::from(pct)),
                None => {
                    errors.push(("traffic_below".to_owned(), tr.t("instances-error-traffic-below")))
                }
            }
        }
        if !self.expires_within.is_empty() {
            match bounded(&self.expires_within, inventory::MAX_EXPIRES_WITHIN_DAYS) {
                Some(days) => filter.expires_within_days = Some(days),
                None => errors
                    .push(("expires_within".to_owned(), tr.t("instances-error-expires-within"))),
            }
        }
        let key = if self.sort.is_empty() {
            SortKey::Name
        } else {
            match SORTS.iter().find(|(name, _)| *name == self.sort) {
                Some((_, key)) => *key,
                None => {
                    errors.push(("sort".to_owned(), tr.t("instances-error-sort")));
                    SortKey::Name
                }
            }
        };
        let sort = InstanceSort { key, descending: self.dir == "desc" };
        Parsed { filter, sort, errors }
    }

    fn is_filtered(&self) -> bool {
        !(self.q.trim().is_empty()
            && self.account.is_empty()
            && self.region.is_empty()
            && self.status.is_empty()
            && self.traffic_below.is_empty()
            && self.expires_within.is_empty())
    }

    /// The query string for the same list, starting after `after` with `trail` behind it.
    fn with_page(&self, after: Option<&str>, trail: &[&str]) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", self.q.trim()),
            ("account", self.account.as_str()),
            ("region", self.region.as_str()),
            ("status", self.status.as_str()),
            ("traffic_below", self.traffic_below.trim()),
            ("expires_within", self.expires_within.trim()),
            ("sort", self.sort.as_str()),
            ("dir", self.dir.as_str()),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if let Some(a) = after {
            s.append_pair("after", a);
        }
        if !trail.is_empty() {
            s.append_pair("trail", &trail.join(","));
        }
        s.finish()
    }

    fn self_query(&self) -> String {
        let trail = self.trail_list();
        self.with_page(Some(self.after.as_str()).filter(|a| !a.is_empty()), &trail)
    }

    fn trail_list(&self) -> Vec<&str> {
        self.trail.split(',').filter(|c| !c.is_empty()).collect()
    }
}

pub(crate) fn account_names(accounts: &[Account]) -> HashMap<Uuid, Arc<str>> {
    accounts.iter().map(|a| (a.id, Arc::from(a.name.as_str()))).collect()
}

#[allow(clippy::too_many_arguments)]
async fn list(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    htmx: IsHtmx,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let accounts = state.auth_cache.team_accounts(&state.db, team).await?;
    let parsed = query.parse(&tr, &accounts);
    let can_power = ctx.can(Permission::PowerActions);
    let names = account_names(&accounts);
    let self_url = format!("/teams/{team}/instances?{}", query.self_query());

    let mut table = InstanceTable {
        tr: tr.clone(),
        team_id: team.to_string(),
        rows: Vec::new(),
        can_power,
        next_query: None,
        prev_query: None,
        no_accounts: accounts.is_empty(),
        filtered: query.is_filtered(),
        self_url,
        errors: parsed.errors.iter().map(|(_, message)| message.clone()).collect(),
        renew_all: None,
    };
    let status = if parsed.errors.is_empty() {
        let page = PageRequest {
            cursor: Some(query.after.clone()).filter(|c| !c.is_empty()),
            limit: PAGE_SIZE,
        };
        let found =
            inventory::list_summaries(&state.db, team, &parsed.filter, parsed.sort, &page).await?;
        if let Some(days) = parsed.filter.expires_within_days
            && ctx.can(Permission::Renew)
        {
            table.renew_all = renew_all(&state, &tr, team, &parsed.filter, days).await?;
        }
        let now = state.now();
        let mut labels = RowLabels::new(&tr);
        let next_cursor = found.next_cursor;
        table.rows = found
            .items
            .into_iter()
            .map(|r| {
                let account = names.get(&r.account_id).cloned().unwrap_or_else(|| Arc::from(""));
                labels.view(r, account, now)
            })
            .collect();
        let trail = query.trail_list();
        if let Some(next) = &next_cursor {
            let mut behind = trail.clone();
            behind.push(if query.after.is_empty() { "-" } else { query.after.as_str() });
            let start = behind.len().saturating_sub(MAX_TRAIL);
            table.next_query = Some(query.with_page(Some(next), &behind[start..]));
        }
        if page.cursor.is_some() {
            // "-" stands for the first page (which has no cursor).
            let (prev, rest) = match trail.split_last() {
                Some((prev, rest)) => (Some(*prev).filter(|p| *p != "-"), rest),
                None => (None, &[][..]),
            };
            table.prev_query = Some(query.with_page(prev, rest));
        }
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };

    let response = page_or_partial(htmx, table, |mut table| {
        // The page says them beside the fields; only a table swapped in by htmx, which has
        // no form around it, says them itself (instead of "nothing matches").
        table.errors.clear();
        InstanceListPage {
            filters: filter_view(&tr, &query, &accounts, parsed.errors),
            accounts: account_views(&tr, &accounts),
            can_refresh: ctx.can(crate::policy::REFRESH),
            can_purchase: ctx.can(Permission::Purchase),
            idempotency_key: Uuid::new_v4().to_string(),
            notice: synced_notice(&tr, &query.synced),
            team_id: team.to_string(),
            team_name: ctx.team.name.clone(),
            can_power,
            can_renew: ctx.can(Permission::Renew),
            can_manage: ctx.can(Permission::ManageInstances),
            table,
            tr,
            layout,
        }
    });
    Ok((status, response).into_response())
}

/// "Renew these N instances…" for every instance the filter matches (all pages), when
/// there is any.
async fn renew_all(
    state: &AppState,
    tr: &Tr,
    team: Uuid,
    filter: &InstanceFilter,
    days: u32,
) -> Result<Option<RenewAll>, AppError> {
    let n = inventory::count(&state.db, team, filter).await?;
    Ok((n > 0).then(|| RenewAll {
        href: format!("/teams/{team}/renewals/new?expires_within={days}"),
        text: tr.t1("instances-renew-these", "count", n),
    }))
}

fn filter_view(
    tr: &Tr,
    q: &ListQuery,
    accounts: &[Account],
    errors: Vec<(String, String)>,
) -> FilterView {
    let choice = |value: &str, label: String, current: &str| Choice {
        value: value.to_owned(),
        label,
        selected: value == current,
    };
    let sort_current = if q.sort.is_empty() { "name" } else { q.sort.as_str() };
    FilterView {
        q: q.q.clone(),
        accounts: accounts
            .iter()
            .map(|a| choice(&a.id.to_string(), a.name.clone(), &q.account))
            .collect(),
        regions: Region::ALL
            .iter()
            .map(|r| choice(r.id(), region_name(*r, tr.lang).to_owned(), &q.region))
            .collect(),
        statuses: InstanceState::ALL
            .iter()
            .map(|s| choice(s.as_str(), crate::views::instances::state_word(tr, *s), &q.status))
            .collect(),
        sorts: SORTS
            .iter()
            .map(|(name, _)| choice(name, tr.t(&format!("instances-sort-{name}")), sort_current))
            .collect(),
        traffic_below: preset_choices(tr, &TRAFFIC_BELOW, &q.traffic_below, 100, |n| {
            tr.t1("instances-traffic-below-choice", "pct", n)
        }),
        expires_within: preset_choices(
            tr,
            &EXPIRES_WITHIN,
            &q.expires_within,
            inventory::MAX_EXPIRES_WITHIN_DAYS,
            |n| tr.t1("instances-expires-within-choice", "days", n),
        ),
        desc: q.dir == "desc",
        errors,
    }
}

async fn row(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    PathInstance(id): PathInstance,
) -> Result<Response, AppError> {
    let found = inventory::get(&state.db, ctx.team.id, &id).await?;
    let account = accounts::get(&state.db, ctx.team.id, found.account_id).await?;
    Ok(InstanceRowPartial {
        team_id: ctx.team.id.to_string(),
        row: InstanceView::new(&tr, &found, &account.name, state.now()),
        can_power: ctx.can(Permission::PowerActions),
        tr,
    }
    .into_response())
}
