//! Views of the dashboard (askama): the start page with one card per team.

use askama::Template;
use askama_web::WebTemplate;
use uuid::Uuid;

use crate::i18n::Tr;
use crate::views::audit::EventView;
use crate::views::layout::Layout;

/// One instance state on a card: how many, and how it looks.
#[derive(Debug, Clone)]
pub struct StateCount {
    /// `running`, `stopped`, `transitional`, `error`, `unknown` (the instance list's filter).
    pub state: &'static str,
    /// The `.status-*` colour class.
    pub class: &'static str,
    pub count: i64,
}

/// Whose activity a card shows (see `routes::dashboard` for why).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityScope {
    /// The team's audit log (roles that may read it).
    Team,
    /// Only the user's own actions.
    Own,
}

#[derive(Debug, Clone)]
pub struct TeamCard {
    pub id: Uuid,
    pub name: String,
    /// `viewer`, `operator`, `admin`, `owner`.
    pub role: &'static str,
    pub total: i64,
    pub states: Vec<StateCount>,
    pub expiring_7: i64,
    pub expiring_30: i64,
    pub low_traffic: i64,
    /// The percentage `low_traffic` counts below, as the table's filter takes it.
    pub low_traffic_pct: u32,
    pub scope: ActivityScope,
    pub activity: Vec<EventView>,
}

impl TeamCard {
    pub fn role_name(&self) -> &'static str {
        self.role
    }

    /// Whether the reader may buy instances in this team (owners): the card links there.
    pub fn can_purchase(&self) -> bool {
        self.role
            .parse::<lightdeck_domain::policy::Role>()
            .is_ok_and(|r| r.allows(lightdeck_domain::policy::Permission::Purchase))
    }

    pub fn team_scope(&self) -> bool {
        self.scope == ActivityScope::Team
    }

    /// The instances table showing exactly the instances counted as expiring within `days`
    /// (expired ones included), soonest first.
    pub fn expiring_href(&self, days: u32) -> String {
        format!("/teams/{}/instances?expires_within={days}&sort=expiry", self.id)
    }

    /// The instances table showing those counted as low on traffic, least left first.
    pub fn low_traffic_href(&self) -> String {
        format!("/teams/{}/instances?traffic_below={}&sort=traffic", self.id, self.low_traffic_pct)
    }
}

/// One team on the dashboard.
#[derive(Debug, Clone)]
pub enum Card {
    Open(TeamCard),
    /// The team requires a second factor the reader has not set up: its name and a link to
    /// set one up, no figures.
    EnrolFirst {
        id: Uuid,
        name: String,
    },
}

impl Card {
    /// Where setting up a second factor names this team as the reason.
    pub fn enrol_href(id: &Uuid) -> String {
        format!("/account/second-factor?team={id}")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard/index.html")]
pub struct DashboardPage {
    pub tr: Tr,
    pub layout: Layout,
    pub teams: Vec<Card>,
    pub site_admin: bool,
}
