//! "My account": profile, password, signed-in sessions and sign-in history.

use askama::Template;
use askama_web::WebTemplate;
use lightdeck_domain::sessions::agent;

use crate::i18n::{Language, Tr};
use crate::views::layout::Layout;
use crate::views::lifecycle::Choice;

/// Your own account.
#[derive(Template, WebTemplate)]
#[template(path = "account/index.html")]
pub struct AccountPage {
    pub tr: Tr,
    pub layout: Layout,
    pub name: String,
    pub login: String,
    /// Whether sign-in asks for a code (its own page manages it).
    pub second_factor: bool,
    pub notice: Option<String>,
    pub problem: Option<String>,
    pub current_error: Option<String>,
    pub new_error: Option<String>,
    pub confirm_error: Option<String>,
    pub sessions: Vec<SessionView>,
    pub history: Vec<AttemptView>,
    pub profile: ProfileForm,
    pub zones: &'static [&'static str],
    pub zone_js_url: String,
}

/// The profile form as shown or as sent, with its problems.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub name: String,
    pub languages: Vec<Choice>,
    pub zone: String,
    pub name_error: Option<String>,
    pub language_error: Option<String>,
    pub zone_error: Option<String>,
}

impl ProfileForm {
    /// `language` selected among the panel's languages, each named in its own words.
    pub fn new(tr: &Tr, name: String, language: &str, zone: String) -> ProfileForm {
        let languages = [Language::En, Language::ZhCn]
            .into_iter()
            .map(|l| Choice {
                value: l.as_str().to_owned(),
                label: tr.t(&format!("lang-{}", l.as_str())),
                selected: l.as_str() == language,
            })
            .collect();
        ProfileForm { name, languages, zone, ..ProfileForm::default() }
    }

    pub fn has_errors(&self) -> bool {
        self.name_error.is_some() || self.language_error.is_some() || self.zone_error.is_some()
    }
}

/// Zones offered while typing (any IANA name is accepted).
pub const COMMON_ZONES: [&str; 16] = [
    "UTC",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Bangkok",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
];

/// One signed-in session, as the table shows it.
#[derive(Debug, Clone)]
pub struct SessionView {
    /// The registry id (not the session's cookie id).
    pub id: String,
    pub device: String,
    pub address: String,
    pub signed_in: String,
    pub last_seen: String,
    pub current: bool,
}

/// One sign-in attempt.
#[derive(Debug, Clone)]
pub struct AttemptView {
    pub when: String,
    pub address: String,
    pub device: String,
    pub result: String,
    pub failed: bool,
}

/// "Chrome on Windows", translated; "Unknown browser" when the user agent says nothing
/// this list knows.
pub fn device(tr: &Tr, user_agent: Option<&str>) -> String {
    let found = agent::parse(user_agent.unwrap_or_default());
    let browser = found.browser.map_or_else(|| tr.t("account-unknown-browser"), str::to_owned);
    match found.system {
        Some(system) => tr.t2("account-browser-on", "browser", browser.as_str(), "system", system),
        None => browser,
    }
}

/// The address, or a word for none.
pub fn address(tr: &Tr, ip: Option<&str>) -> String {
    ip.map_or_else(|| tr.t("account-unknown-address"), str::to_owned)
}

/// `t` in the current request's time zone (chosen on this page), `2026-11-28 02:30 +08
/// (Asia/Shanghai)`; `None` when that zone is UTC (or there is no request), which
/// [`crate::views::instances::when`] writes as before.
pub fn in_reader_zone(t: time::OffsetDateTime) -> Option<String> {
    zoned_as(t, "%Y-%m-%d %H:%M")
}

/// As [`in_reader_zone`], with seconds (the audit log, compared with Huawei's own logs).
pub fn in_reader_zone_seconds(t: time::OffsetDateTime) -> Option<String> {
    zoned_as(t, "%Y-%m-%d %H:%M:%S")
}

fn zoned_as(t: time::OffsetDateTime, pattern: &str) -> Option<String> {
    let zone = crate::session::time_zone()?;
    let name = zone.iana_name().unwrap_or_default();
    if matches!(name, "UTC" | "Etc/UTC" | "Etc/Universal" | "Universal" | "Zulu") {
        return None;
    }
    let zoned = jiff::Timestamp::from_second(t.unix_timestamp()).ok()?.to_zoned(zone.clone());
    let offset = zoned.offset().seconds();
    let (sign, abs) = if offset < 0 { ('-', -offset) } else { ('+', offset) };
    let (hours, minutes) = (abs / 3600, abs % 3600 / 60);
    let offset = if minutes == 0 {
        format!("{sign}{hours:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}")
    };
    let local = zoned.strftime(pattern);
    Some(if name.is_empty() {
        format!("{local} {offset}")
    } else {
        format!("{local} {offset} ({name})")
    })
}
