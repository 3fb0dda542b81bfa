//! The instance page's own parts: how to log in, the traffic package's current cycle with
//! its warning level, and the links to the lifecycle actions the role may start.

use askama::Template;
use askama_web::WebTemplate;
use lightdeck_domain::inventory::{InstanceRow, ReuseCycle, ReuseCycleType};
use lightdeck_huaweicloud::{InstanceId, Region};
use uuid::Uuid;

use super::{Fact, HistoryLine, InstanceView, gb, when};
use crate::i18n::Tr;
use crate::views::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "instances/detail.html")]
pub struct InstanceDetailPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub instance_id: String,
    pub row: InstanceView,
    pub facts: Vec<Fact>,
    pub actions: Vec<HistoryLine>,
    /// `None` when the role may not read the audit log.
    pub audit: Option<Vec<HistoryLine>>,
    /// `None` when the role may not change the instance's settings.
    pub settings: Option<SettingsForm>,
    pub can_power: bool,
    /// For the restart offered after a hostname change.
    pub reboot_key: String,
    pub notice: Option<Notice>,
    pub login: Login,
    pub cycle: TrafficCycleView,
    pub lifecycle: LifecycleLinks,
    /// The copy buttons' script (`web/static/copy.js`), cache-busted like the layout's.
    pub copy_js_url: String,
}

/// The name / hostname / description form, with each field's problem beside it.
#[derive(Debug, Clone, Default)]
pub struct SettingsForm {
    pub name: String,
    pub hostname: String,
    pub description: String,
    pub idempotency_key: String,
    pub name_error: Option<String>,
    pub hostname_error: Option<String>,
    pub description_error: Option<String>,
    pub key_error: Option<String>,
}

/// One line at the top of the page after the settings form redirected back.
#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    pub ok: bool,
    /// Offer a restart (a new hostname waits for one).
    pub reboot: bool,
}

/// Used share of the cycle's traffic from which the page warns, in percent.
pub const TRAFFIC_WARNING_USED_PCT: f64 = 80.0;
/// Used share from which the warning is critical: little enough is left that a busy day
/// can use it up.
pub const TRAFFIC_CRITICAL_USED_PCT: f64 = 95.0;

/// How to reach the instance.
#[derive(Debug, Clone)]
pub struct Login {
    /// The first public address; `None` says so in words.
    pub ip: Option<String>,
    /// `ssh root@IP`: Flexus L Linux images log in as root.
    pub ssh: Option<String>,
    pub console_url: String,
}

impl Login {
    pub fn new(row: &InstanceRow) -> Login {
        let ip = row.public_ips.iter().find(|ip| !ip.trim().is_empty()).cloned();
        Login {
            ssh: ip.as_ref().map(|ip| format!("ssh root@{ip}")),
            ip,
            console_url: console_url(row.region),
        }
    }
}

/// Neither the API reference (`shared/reference/huaweicloud-api.md`) nor the seed document
/// gives a console address for one Flexus L instance or its remote-login page, so this is
/// the console's Flexus L list for the region; the instance and its "remote login" are one
/// click from there. Region ids are a closed list of `[a-z0-9-]` words: nothing to escape.
pub fn console_url(region: Region) -> String {
    format!("https://console.huaweicloud.com/smb/?region={}#/resources/flexus/l", region.id())
}

/// How close the cycle's traffic is to used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrafficLevel {
    Ok,
    /// At least [`TRAFFIC_WARNING_USED_PCT`] used.
    Warning,
    /// At least [`TRAFFIC_CRITICAL_USED_PCT`] used.
    Critical,
}

impl TrafficLevel {
    pub fn of(used_pct: f64) -> TrafficLevel {
        if used_pct >= TRAFFIC_CRITICAL_USED_PCT {
            TrafficLevel::Critical
        } else if used_pct >= TRAFFIC_WARNING_USED_PCT {
            TrafficLevel::Warning
        } else {
            TrafficLevel::Ok
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TrafficLevel::Ok => "ok",
            TrafficLevel::Warning => "warning",
            TrafficLevel::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TrafficWarning {
    pub label: String,
    pub text: String,
}

/// The traffic package's current cycle, in words.
#[derive(Debug, Clone)]
pub struct TrafficCycleView {
    pub facts: Vec<Fact>,
    /// `None` while used and total are not known.
    pub level: Option<TrafficLevel>,
    /// The warning's label ("Warning:") and sentence, for the warning and critical levels.
    pub warning: Option<TrafficWarning>,
    pub resets_monthly: bool,
}

impl TrafficCycleView {
    pub fn new(tr: &Tr, row: &InstanceRow) -> TrafficCycleView {
        let unknown = || tr.t("instances-unknown-value");
        let cycle = row.traffic_cycle;
        let mut facts = Vec::new();
        let (level, warning, used_text) = match (row.traffic_remaining_gb, row.traffic_total_gb) {
            (Some(left), Some(total)) if total > 0.0 => {
                let used = (total - left).max(0.0);
                let pct = (used * 100.0 / total).clamp(0.0, 100.0);
                let level = TrafficLevel::of(pct);
                // Rounded down, so "80 %" is never printed beside a level that is not a
                // warning yet.
                let shown = pct.floor() as i64;
                let from = match level {
                    TrafficLevel::Ok => None,
                    TrafficLevel::Warning => Some(TRAFFIC_WARNING_USED_PCT),
                    TrafficLevel::Critical => Some(TRAFFIC_CRITICAL_USED_PCT),
                };
                let warning = from.map(|from| {
                    let key = format!("instances-traffic-{}", level.as_str());
                    TrafficWarning {
                        label: tr.t(&format!("{key}-label")),
                        text: tr.t2(&key, "pct", shown, "from", from as i64),
                    }
                });
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("used", gb(used));
                args.set("total", gb(total));
                args.set("pct", shown);
                (Some(level), warning, tr.t_args("instances-traffic-used-pct", &args))
            }
            _ => (None, None, unknown()),
        };
        facts.push(Fact {
            label: tr.t("instances-fact-traffic-used"),
            value: used_text,
            mono: false,
        });
        let window = match (cycle.start, cycle.end) {
            (Some(s), Some(e)) => tr.t2("instances-cycle-window", "start", when(s), "end", when(e)),
            (None, Some(e)) => tr.t1("instances-cycle-until", "end", when(e)),
            (Some(s), None) => tr.t1("instances-cycle-since", "start", when(s)),
            (None, None) => unknown(),
        };
        facts.push(Fact {
            label: tr.t("instances-cycle-window-label"),
            value: window,
            mono: false,
        });
        let resets = match cycle.reuse_cycle {
            Some(c) => tr.t2(
                "instances-cycle-resets",
                "cycle",
                cycle_word(c),
                "anchor",
                match cycle.reuse_cycle_type {
                    Some(ReuseCycleType::Calendar) => "calendar",
                    Some(ReuseCycleType::Anniversary) => "anniversary",
                    None => "unknown",
                },
            ),
            None => unknown(),
        };
        facts.push(Fact {
            label: tr.t("instances-cycle-resets-label"),
            value: resets,
            mono: false,
        });
        TrafficCycleView { facts, level, warning, resets_monthly: cycle.resets_monthly() }
    }

    pub fn level_class(&self) -> &'static str {
        self.level.map_or("unknown", TrafficLevel::as_str)
    }
}

fn cycle_word(c: ReuseCycle) -> &'static str {
    match c {
        ReuseCycle::Hour => "hour",
        ReuseCycle::Day => "day",
        ReuseCycle::Week => "week",
        ReuseCycle::Month => "month",
        ReuseCycle::Year => "year",
    }
}

/// Where the lifecycle actions start, for the ones the role may use (their pages ask
/// again and say what it costs or loses).
#[derive(Debug, Clone, Default)]
pub struct LifecycleLinks {
    pub renew: Option<String>,
    pub password: Option<String>,
    pub unsubscribe: Option<String>,
}

impl LifecycleLinks {
    pub fn new(
        team: Uuid,
        id: &InstanceId,
        can_renew: bool,
        can_manage: bool,
        can_unsubscribe: bool,
    ) -> LifecycleLinks {
        LifecycleLinks {
            renew: can_renew.then(|| format!("/teams/{team}/renewals/new?instance={id}")),
            password: can_manage.then(|| format!("/teams/{team}/instances/{id}/password")),
            unsubscribe: can_unsubscribe
                .then(|| format!("/teams/{team}/instances/{id}/unsubscribe")),
        }
    }

    pub fn any(&self) -> bool {
        self.renew.is_some() || self.password.is_some() || self.unsubscribe.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_start_at_the_documented_thresholds() {
        assert_eq!(TrafficLevel::of(0.0), TrafficLevel::Ok);
        assert_eq!(TrafficLevel::of(79.99), TrafficLevel::Ok);
        assert_eq!(TrafficLevel::of(80.0), TrafficLevel::Warning);
        assert_eq!(TrafficLevel::of(94.99), TrafficLevel::Warning);
        assert_eq!(TrafficLevel::of(95.0), TrafficLevel::Critical);
        assert_eq!(TrafficLevel::of(100.0), TrafficLevel::Critical);
    }

    #[test]
    fn the_console_link_names_the_region() {
        assert_eq!(
            console_url(Region::CnNorth4),
            "https://console.huaweicloud.com/smb/?region=cn-north-4#/resources/flexus/l"
        );
    }
}
