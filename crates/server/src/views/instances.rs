//! Views of the instances pages: the list (page, table partial, one-row partial), the
//! instance detail page, and the accounts strip with "Refresh now" above the list.
//!
//! Everything people read is translated here or in the templates; the structs carry
//! ready-to-print strings so the templates stay simple.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use lightdeck_domain::inventory::{InstanceRow, InstanceState};
use lightdeck_huaweicloud::catalog;
use lightdeck_huaweicloud::{InstanceId, Region};
use time::OffsetDateTime;

use crate::i18n::{Language, Tr};
use crate::views::layout::Layout;

mod detail;
mod filters;
mod labels;
pub use detail::{
    InstanceDetailPage, LifecycleLinks, Login, Notice, SettingsForm, TRAFFIC_CRITICAL_USED_PCT,
    TRAFFIC_WARNING_USED_PCT, TrafficCycleView, TrafficLevel, console_url,
};
pub use filters::{account_views, bounded, preset_choices, synced_notice};
pub use labels::RowLabels;

/// One instance as a table row shows it.
#[derive(Debug, Clone)]
pub struct InstanceView {
    pub instance_id: InstanceId,
    pub name: String,
    /// The row checkbox's accessible name ("Select web-01").
    pub select_label: String,
    /// `running`, `stopped`, `transitional`, `error`, `unknown`.
    pub state: &'static str,
    /// The CSS class of the status dot.
    pub status_class: &'static str,
    /// The state in words, e.g. "Running".
    pub status_word: Arc<str>,
    /// The cloud's own status, e.g. `SHUTOFF` (shown as a tooltip and on the detail page).
    pub status_raw: String,
    pub account_name: Arc<str>,
    pub region_name: &'static str,
    /// e.g. "2 vCPU · 2 GiB · 40 GiB", or the bare spec code if the catalog lacks it.
    pub spec: Arc<str>,
    pub public_ip: String,
    /// Whole days until expiry (negative: expired), when known.
    pub days_left: Option<i64>,
    pub expiry_text: Arc<str>,
    /// Remaining traffic in percent, rounded to the bar's 5 % steps.
    pub traffic_step: Option<u8>,
    pub traffic_low: bool,
    pub traffic_text: String,
    pub transitional: bool,
    /// The person's tags, `key=value` (the panel's own purchase tag is left out).
    pub tags: Vec<String>,
}

impl InstanceView {
    pub fn bar_class(&self) -> String {
        format!("w-{}", self.traffic_step.unwrap_or(0))
    }
}

pub fn region_name(region: Region, lang: Language) -> &'static str {
    match lang {
        Language::ZhCn => region.name_zh(),
        Language::En => region.name_en(),
    }
}

pub fn state_class(state: InstanceState) -> &'static str {
    match state {
        InstanceState::Running => "status-ok",
        InstanceState::Stopped => "status-off",
        InstanceState::Transitional => "status-busy",
        InstanceState::Error => "status-error",
        InstanceState::Unknown => "status-unknown",
    }
}

pub fn state_word(tr: &Tr, state: InstanceState) -> String {
    tr.t(&format!("instances-state-{}", state.as_str()))
}

pub fn spec_text(tr: &Tr, code: Option<&str>) -> String {
    match code {
        Some(code) => match catalog::spec(code) {
            Some(s) => tr.t_args("instances-spec", &{
                let mut a = fluent_bundle::FluentArgs::new();
                a.set("cpu", s.vcpus());
                a.set("ram", s.ram_gib());
                a.set("disk", s.disk_gib());
                a
            }),
            None => code.to_owned(),
        },
        None => tr.t("instances-unknown-value"),
    }
}

/// Number formatting for GB figures: at most one decimal.
pub fn gb(value: f64) -> String {
    let tenths = (value * 10.0).round();
    // Whole tenths print as integers: a table shows two figures per row, and exact float
    // formatting was a visible share of a page's render time.
    if tenths.is_finite() && tenths.abs() < 1e15 {
        let t = tenths as i64;
        let sign = if t < 0 { "-" } else { "" };
        let (whole, tenth) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
        return if tenth == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{tenth}")
        };
    }
    let rounded = tenths / 10.0;
    if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.1}") }
}

pub fn days_left(expires_at: Option<OffsetDateTime>, now: OffsetDateTime) -> Option<i64> {
    expires_at.map(|e| {
        let secs = (e - now).whole_seconds();
        // Round towards the earlier day: "1 day" means less than two days remain.
        secs.div_euclid(86_400)
    })
}

pub fn expiry_text(tr: &Tr, days: Option<i64>) -> String {
    match days {
        None => tr.t("instances-unknown-value"),
        Some(d) if d < 0 => tr.t("instances-expired"),
        Some(d) => tr.t1("instances-days-left", "days", d),
    }
}

impl InstanceView {
    /// One row on its own (the row partial, the detail page). A table builds its rows
    /// through [`RowLabels::view`] so shared labels are translated once per page.
    pub fn new(
        tr: &Tr,
        row: &InstanceRow,
        account_name: &str,
        now: OffsetDateTime,
    ) -> InstanceView {
        RowLabels::new(tr).view(row.into(), account_name.into(), now)
    }
}

/// A connected account in the strip above the list.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub id: String,
    pub name: String,
    /// "last read 2026-11-27 12:03 UTC", plus the latest failure since then, from the database.
    pub last_sync: String,
}

/// One choice of a filter's <select>.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The filter form's current values and problems.
#[derive(Debug, Clone, Default)]
pub struct FilterView {
    pub q: String,
    pub accounts: Vec<Choice>,
    pub regions: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub sorts: Vec<Choice>,
    /// "Traffic left below": any, or a percentage.
    pub traffic_below: Vec<Choice>,
    /// "Expires within": any, or a number of days.
    pub expires_within: Vec<Choice>,
    pub desc: bool,
    pub errors: Vec<(String, String)>,
}

impl FilterView {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// The table and its pagination (what htmx swaps when filters change).
#[derive(Template, WebTemplate)]
#[template(path = "instances/_table.html")]
pub struct InstanceTable {
    pub tr: Tr,
    pub team_id: String,
    pub rows: Vec<InstanceView>,
    pub can_power: bool,
    /// Query string of the next / previous page, when there is one.
    pub next_query: Option<String>,
    pub prev_query: Option<String>,
    /// True when the team has no instance at all (not just none matching the filters).
    pub no_accounts: bool,
    pub filtered: bool,
    /// This list's own URL (the table reloads itself after a refresh).
    pub self_url: String,
    /// Problems with the filters, each naming its field (htmx answers only).
    pub errors: Vec<String>,
    /// "Renew these N instances…", when the list is filtered by expiry and the role may renew.
    pub renew_all: Option<RenewAll>,
}

/// The link from an expiry-filtered list to renewing all of it.
#[derive(Debug, Clone)]
pub struct RenewAll {
    pub href: String,
    pub text: String,
}

/// One row (what a transitional row's self-refresh returns).
#[derive(Template, WebTemplate)]
#[template(path = "instances/_row.html")]
pub struct InstanceRowPartial {
    pub tr: Tr,
    pub team_id: String,
    pub row: InstanceView,
    pub can_power: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "instances/list.html")]
pub struct InstanceListPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub team_name: String,
    pub filters: FilterView,
    pub table: InstanceTable,
    pub accounts: Vec<AccountView>,
    pub can_power: bool,
    /// The selection bar's "Renew…" (admin, owner).
    pub can_renew: bool,
    /// The selection bar's "Reset password…" (admin, owner).
    pub can_manage: bool,
    pub can_refresh: bool,
    /// "Buy instances" (owners).
    pub can_purchase: bool,
    /// A fresh idempotency key for the action form.
    pub idempotency_key: String,
    /// "3 added, 1 changed, 0 gone" after a non-htmx "Refresh now".
    pub notice: Option<String>,
}

/// A labelled value on the detail page.
#[derive(Debug, Clone)]
pub struct Fact {
    pub label: String,
    pub value: String,
    /// Rendered in a monospace font (ids).
    pub mono: bool,
}

/// One line of the instance's history (audit event or action), already in words.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub when: String,
    pub what: String,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub details: Vec<Fact>,
}

/// The "Refresh now" answer for htmx (into #flash).
#[derive(Template, WebTemplate)]
#[template(path = "accounts/_refreshed.html")]
pub struct RefreshedFragment {
    pub message: String,
    pub ok: bool,
}

/// `2026-11-27 18:30 UTC`, or in the reader's zone, named: `2026-11-28 02:30 +08
/// (Asia/Shanghai)` (the request's zone; UTC outside a request).
pub fn when(t: OffsetDateTime) -> String {
    if let Some(zoned) = crate::views::account::in_reader_zone(t) {
        return zoned;
    }
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// "3 added, 1 changed, 0 gone", translated.
pub fn summary_text(tr: &Tr, added: u64, changed: u64, gone: u64) -> String {
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("added", added);
    args.set("changed", changed);
    args.set("gone", gone);
    tr.t_args("accounts-refreshed", &args)
}
