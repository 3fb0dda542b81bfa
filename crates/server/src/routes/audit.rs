//! A team's audit log page and its CSV / JSON Lines exports (admins and owners).
//!
//! The page is newest first with keyset pagination: `cursor` is the domain's opaque cursor
//! of the page shown, `trail` the cursors of the newer pages already seen (`-` = the first
//! page), so "newer" is one step back along the trail without OFFSET or a reverse query.
//!
//! By default the page lists one line per action (its requested, accepted and outcome
//! events folded together, see [`audit::list_actions`]): the grouping is done in SQL and a
//! page holds `PAGE_SIZE` actions, each on the page of its newest event, so no action is
//! split across pages and the same cursor scheme works. `?view=events` lists every event
//! as recorded; the exports always list events.

mod export;
mod filter;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lightdeck_domain::audit::{self, AuditEvent};
use lightdeck_domain::inventory::{Page, PageRequest};
use lightdeck_domain::policy::Permission;
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::{IsHtmx, TeamCtx};
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::urls::encode_component;
use crate::views::audit::{
    AuditBody, AuditPage, AuditPartial, FilterForm, action_lines, event_views, outcome_options,
};
use crate::views::layout::Layout;
use crate::views::page_or_partial;

/// Events per page.
pub const PAGE_SIZE: u32 = 50;
/// How many newer pages the trail remembers; from deeper, "newest" still works.
const MAX_TRAIL: usize = 100;
const MAX_CURSOR: usize = 1024;

pub fn routes(t: RouteTable) -> RouteTable {
    let read = Access::Team(Permission::ReadAudit);
    t.get("/teams/{team}/audit", read, page)
        .get("/teams/{team}/audit/export.csv", read, export::csv)
        .get("/teams/{team}/audit/export.jsonl", read, export::jsonl)
}

/// The query string of the page and the exports: raw strings, checked in [`filter`].
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub instance: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub trail: Option<String>,
    /// `events` for the raw list; anything else is one line per action.
    #[serde(default)]
    pub view: Option<String>,
}

/// The value of `view` that lists every event.
const EVERY_EVENT: &str = "events";

/// One page as read: events, or actions (each its events, oldest first).
enum Listed {
    Events(Vec<AuditEvent>),
    Actions(Vec<Vec<AuditEvent>>),
}

async fn fetch(
    state: &AppState,
    ctx: &TeamCtx,
    filter: &audit::AuditFilter,
    request: &PageRequest,
    every_event: bool,
) -> Result<(Listed, Option<String>), lightdeck_domain::Error> {
    if every_event {
        let Page { items, next_cursor } =
            audit::list(&state.db, ctx.team.id, filter, request).await?;
        Ok((Listed::Events(items), next_cursor))
    } else {
        let Page { items, next_cursor } =
            audit::list_actions(&state.db, ctx.team.id, filter, request).await?;
        Ok((Listed::Actions(items), next_cursor))
    }
}

fn is_cursor(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_CURSOR
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The trail as a list (`None` = the first page); anything malformed is dropped, which
/// only costs the "newer" link.
fn parse_trail(trail: Option<&str>) -> Vec<Option<String>> {
    let Some(trail) = trail.filter(|t| t.len() <= MAX_TRAIL * (MAX_CURSOR + 1)) else {
        return Vec::new();
    };
    let items: Option<Vec<Option<String>>> = trail
        .split(',')
        .map(|c| match c {
            "-" => Some(None),
            c if is_cursor(c) => Some(Some(c.to_owned())),
            _ => None,
        })
        .collect();
    let mut items = items.unwrap_or_default();
    if items.len() > MAX_TRAIL {
        items.drain(..items.len() - MAX_TRAIL);
    }
    items
}

fn join_trail(trail: &[Option<String>]) -> String {
    trail.iter().map(|c| c.as_deref().unwrap_or("-")).collect::<Vec<_>>().join(",")
}

/// `base?filters&extra…`, values percent-encoded.
fn url_with(base: &str, form: &FilterForm, extra: &[(&str, String)]) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("who", form.who.as_str()),
        ("action", form.action.as_str()),
        ("instance", form.instance.as_str()),
        ("outcome", form.outcome.as_str()),
        ("from", form.from.as_str()),
        ("to", form.to.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .collect();
    pairs.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
    if pairs.is_empty() {
        return base.to_owned();
    }
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{base}?{query}")
}

/// Reads one page; an out-of-date or forged cursor shows the first page with a notice.
/// Returns the page, the next page's cursor and whether this is the first page.
async fn read_page(
    state: &AppState,
    ctx: &TeamCtx,
    filter: &audit::AuditFilter,
    cursor: Option<&str>,
    every_event: bool,
    form: &mut FilterForm,
    tr: &Tr,
) -> Result<(Listed, Option<String>, bool), AppError> {
    let request = match cursor {
        Some(c) if is_cursor(c) => PageRequest::after(c, PAGE_SIZE),
        Some(_) => {
            form.page_error = Some(tr.t("audit-error-cursor"));
            PageRequest::first(PAGE_SIZE)
        }
        None => PageRequest::first(PAGE_SIZE),
    };
    let on_first = request.cursor.is_none();
    match fetch(state, ctx, filter, &request, every_event).await {
        Ok((listed, next)) => Ok((listed, next, on_first)),
        Err(lightdeck_domain::Error::Invalid(errors)) if errors.get("cursor").is_some() => {
            form.page_error = Some(tr.t("audit-error-cursor"));
            let first = PageRequest::first(PAGE_SIZE);
            let (listed, next) = fetch(state, ctx, filter, &first, every_event).await?;
            Ok((listed, next, true))
        }
        Err(e) => Err(e.into()),
    }
}

async fn page(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    htmx: IsHtmx,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let base_url = format!("/teams/{}/audit", ctx.team.id);
    let (mut form, checked) = filter::check(&state, ctx.team.id, &q, &tr).await?;
    let mut trail = parse_trail(q.trail.as_deref());
    let every_event = q.view.as_deref() == Some(EVERY_EVENT);
    // Page links stay in the view they were made in.
    let view: Vec<(&str, String)> =
        if every_event { vec![("view", EVERY_EVENT.to_owned())] } else { Vec::new() };
    let in_view = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        extra.iter().cloned().chain(view.iter().cloned()).collect()
    };
    let other_view: Vec<(&str, String)> =
        if every_event { Vec::new() } else { vec![("view", EVERY_EVENT.to_owned())] };
    let mut body = AuditBody {
        actions: filter::action_options(&tr, &form.action),
        outcomes: outcome_options(&tr, &form.outcome),
        export_csv_url: url_with(&format!("{base_url}/export.csv"), &form, &[]),
        export_jsonl_url: url_with(&format!("{base_url}/export.jsonl"), &form, &[]),
        base_url: base_url.clone(),
        form: form.clone(),
        every_event,
        other_view_url: url_with(&base_url, &form, &other_view),
        lines: Vec::new(),
        events: Vec::new(),
        newer_url: None,
        newest_url: None,
        older_url: None,
    };

    let status = match checked {
        None => StatusCode::UNPROCESSABLE_ENTITY,
        Some(audit_filter) => {
            let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
            let (listed, next_cursor, on_first) =
                read_page(&state, &ctx, &audit_filter, cursor, every_event, &mut form, &tr).await?;
            if on_first {
                trail.clear();
            } else {
                let mut back = trail.clone();
                let mut extra = Vec::new();
                if let Some(c) = back.pop().flatten() {
                    extra.push(("cursor", c));
                    if !back.is_empty() {
                        extra.push(("trail", join_trail(&back)));
                    }
                }
                let newest = url_with(&base_url, &form, &in_view(&[]));
                let newer = url_with(&base_url, &form, &in_view(&extra));
                body.newest_url = (newer != newest).then_some(newest);
                body.newer_url = Some(newer);
            }
            if let Some(next) = &next_cursor {
                // The trail to carry to the older page: every newer page plus this one.
                trail.push(cursor.filter(|_| !on_first).map(str::to_owned));
                if trail.len() > MAX_TRAIL {
                    trail.drain(..trail.len() - MAX_TRAIL);
                }
                body.older_url = Some(url_with(
                    &base_url,
                    &form,
                    &in_view(&[("cursor", next.clone()), ("trail", join_trail(&trail))]),
                ));
            }
            match listed {
                Listed::Events(events) => {
                    body.events = event_views(&state.db, ctx.team.id, &tr, &events).await?;
                }
                Listed::Actions(actions) => {
                    body.lines = action_lines(&state.db, ctx.team.id, &tr, &actions).await?;
                }
            }
            body.form = form;
            StatusCode::OK
        }
    };
    let team_name = ctx.team.name.clone();
    let response = page_or_partial(htmx, AuditPartial { tr, body }, |partial| AuditPage {
        tr: partial.tr,
        layout,
        team_name,
        body: partial.body,
    });
    Ok((status, response).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trails_round_trip_and_garbage_is_dropped() {
        let t = vec![None, Some("eyJzZXEiOjUwfQ".to_owned())];
        assert_eq!(parse_trail(Some(&join_trail(&t))), t);
        assert!(parse_trail(Some("-,not a cursor")).is_empty());
        assert!(parse_trail(None).is_empty());
        let long = vec!["-"; MAX_TRAIL + 5].join(",");
        assert_eq!(parse_trail(Some(&long)).len(), MAX_TRAIL);
    }

    #[test]
    fn urls_keep_only_set_filters_and_encode_them() {
        let form = FilterForm {
            who: "bob smith".into(),
            outcome: "failed".into(),
            ..FilterForm::default()
        };
        assert_eq!(
            url_with("/a", &form, &[("cursor", "x".into())]),
            "/a?who=bob%20smith&outcome=failed&cursor=x"
        );
        assert_eq!(url_with("/a", &FilterForm::default(), &[]), "/a");
    }
}
