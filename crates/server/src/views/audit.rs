//! Views of the audit log page (askama): the full page, the htmx partial with the filtered
//! table, and [`EventView`], an event ready to show (also used by the dashboard).

mod enrich;
mod lines;
pub mod names;
pub mod sentence;

pub use enrich::event_views;
pub use lines::{ActionLine, action_lines};

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use lightdeck_domain::audit::{AuditEvent, Outcome};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::i18n::Tr;
use crate::views::layout::Layout;

/// One event as the page shows it: the sentence and, on expand, the technical details.
#[derive(Debug, Clone)]
pub struct EventView {
    pub seq: i64,
    pub sentence: String,
    /// `requested`, `succeeded`, … (also the CSS modifier `outcome-…`).
    pub outcome: &'static str,
    pub outcome_label: String,
    /// `2026-03-31 08:15:02 UTC`.
    pub time: String,
    /// RFC 3339, for `<time datetime>`.
    pub time_iso: String,
    pub action: String,
    pub targets: String,
    pub request_id: Option<String>,
    pub job_id: Option<String>,
    pub order_id: Option<String>,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub panel_request_id: Option<String>,
    /// The stored (already redacted) params, pretty-printed; `None` when empty.
    pub params: Option<String>,
}

impl EventView {
    pub fn new(
        tr: &Tr,
        e: &AuditEvent,
        names: &HashMap<String, String>,
        seconds: Option<i64>,
    ) -> EventView {
        let params = match &e.params {
            serde_json::Value::Null => None,
            serde_json::Value::Object(m) if m.is_empty() => None,
            p => serde_json::to_string_pretty(p).ok(),
        };
        let targets = e
            .target_ids
            .iter()
            .map(|id| match names.get(id) {
                Some(name) if name != id => format!("{name} ({id})"),
                _ => id.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        EventView {
            seq: e.seq,
            sentence: sentence::sentence(tr, e, names, seconds),
            outcome: e.outcome.as_str(),
            outcome_label: sentence::outcome_label(tr, e.outcome),
            time: format_time(e.occurred_at),
            time_iso: iso_time(e.occurred_at),
            action: e.action.clone(),
            targets,
            request_id: e.request_id.clone(),
            job_id: e.job_id.clone(),
            order_id: e.order_id.clone(),
            http_status: e.http_status,
            error_code: e.error_code.clone(),
            error_message: e.error_message.clone(),
            source_ip: e.source_ip.map(|ip| ip.to_string()),
            user_agent: e.user_agent.clone(),
            panel_request_id: e.panel_request_id.clone(),
            params,
        }
    }
}

/// With seconds (the log is compared with Huawei's logs), in the reader's time zone with
/// the zone named, or UTC.
pub fn format_time(t: OffsetDateTime) -> String {
    if let Some(zoned) = crate::views::account::in_reader_zone_seconds(t) {
        return zoned;
    }
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC"))
        .unwrap_or_default()
}

/// RFC 3339, for `<time datetime>`.
pub fn iso_time(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// One `<option>` of a filter's `<select>`.
#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The filter form as typed (raw strings, re-shown as they were) and its problems.
#[derive(Debug, Clone, Default)]
pub struct FilterForm {
    pub who: String,
    pub action: String,
    pub instance: String,
    pub outcome: String,
    pub from: String,
    pub to: String,
    pub who_error: Option<String>,
    pub action_error: Option<String>,
    pub instance_error: Option<String>,
    pub outcome_error: Option<String>,
    pub from_error: Option<String>,
    pub to_error: Option<String>,
    /// A problem with the page link (an old or forged cursor).
    pub page_error: Option<String>,
}

impl FilterForm {
    pub fn is_filtered(&self) -> bool {
        [&self.who, &self.action, &self.instance, &self.outcome, &self.from, &self.to]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

/// Everything below the heading: the filter form, export links, the events and the page
/// links. htmx swaps this whole block (`#audit-log`) so filter errors show next to fields.
#[derive(Debug, Clone)]
pub struct AuditBody {
    /// `/teams/{team}/audit`.
    pub base_url: String,
    pub form: FilterForm,
    pub actions: Vec<SelectOption>,
    pub outcomes: Vec<SelectOption>,
    pub export_csv_url: String,
    pub export_jsonl_url: String,
    /// `?view=events`: every event on its own line (`events`); else one line per action
    /// (`lines`).
    pub every_event: bool,
    pub events: Vec<EventView>,
    pub lines: Vec<ActionLine>,
    /// The same filters in the other view.
    pub other_view_url: String,
    /// Links (path + query) to the neighbouring pages, when there are any.
    pub newer_url: Option<String>,
    pub newest_url: Option<String>,
    pub older_url: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/log.html")]
pub struct AuditPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_name: String,
    pub body: AuditBody,
}

/// The htmx answer to a filter submission or a page link.
#[derive(Template, WebTemplate)]
#[template(path = "audit/_log.html")]
pub struct AuditPartial {
    pub tr: Tr,
    pub body: AuditBody,
}

/// Outcome values in display order, for the filter.
pub fn outcome_options(tr: &Tr, selected: &str) -> Vec<SelectOption> {
    Outcome::ALL
        .into_iter()
        .map(|o| SelectOption {
            value: o.as_str().to_owned(),
            label: sentence::outcome_label(tr, o),
            selected: o.as_str() == selected,
        })
        .collect()
}
