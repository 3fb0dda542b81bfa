//! The dashboard at `/`: the user's teams with instance counts, expiries, low traffic and
//! recent activity.
//!
//! Recent activity: roles that may read the audit log (admin, owner) see the team's last
//! events. Viewers and operators see their own last actions instead: they did them, so
//! showing them reveals nothing new, and an operator wants to see how their reboot went.
//! The rest of the team's log stays with the roles the design gives it to.
//!
//! A team that requires a second factor shows a member without one none of its figures or
//! activity, as its own pages show them nothing (`routing::enrol_first`): its card says why
//! and links to setting one up.

use axum::extract::State;
use lightdeck_domain::audit::{self, AuditFilter};
use lightdeck_domain::inventory::{self, DashboardCounts, PageRequest};
use lightdeck_domain::policy::Permission;

use crate::error::AppError;
use crate::extract::CurrentUser;
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::audit::event_views;
use crate::views::dashboard::{ActivityScope, Card, DashboardPage, StateCount, TeamCard};
use crate::views::layout::Layout;

/// Events per team in "recent activity".
pub const RECENT_EVENTS: u32 = 10;
/// "Low traffic": less than this share of the package left (a whole number: the
/// instances table's filter takes the same value).
pub const LOW_TRAFFIC_PCT: u32 = 20;

pub fn routes(t: RouteTable) -> RouteTable {
    t.get("/", Access::SignedIn, dashboard)
}

fn states(c: &DashboardCounts) -> Vec<StateCount> {
    let mut states = vec![
        StateCount { state: "running", class: "status-ok", count: c.running },
        StateCount { state: "stopped", class: "status-off", count: c.stopped },
        StateCount { state: "transitional", class: "status-busy", count: c.transitional },
        StateCount { state: "error", class: "status-error", count: c.error },
    ];
    // Unknown is rare (a status string nobody has mapped yet): shown only when present.
    if c.unknown > 0 {
        states.push(StateCount { state: "unknown", class: "status-unknown", count: c.unknown });
    }
    states
}

async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    tr: Tr,
    layout: Layout,
) -> Result<DashboardPage, AppError> {
    let mut teams = Vec::with_capacity(user.teams.len());
    for m in &user.teams {
        if m.requires_second_factor && !user.user.second_factor {
            teams.push(Card::EnrolFirst { id: m.team_id, name: m.team_name.clone() });
            continue;
        }
        let low = f64::from(LOW_TRAFFIC_PCT);
        let week = inventory::dashboard_counts(&state.db, m.team_id, 7, low).await?;
        let month = inventory::dashboard_counts(&state.db, m.team_id, 30, low).await?;
        let (scope, filter) = if m.role.allows(Permission::ReadAudit) {
            (ActivityScope::Team, AuditFilter::default())
        } else {
            let own = AuditFilter { actor_user_id: Some(user.id()), ..AuditFilter::default() };
            (ActivityScope::Own, own)
        };
        let recent =
            audit::list(&state.db, m.team_id, &filter, &PageRequest::first(RECENT_EVENTS)).await?;
        teams.push(Card::Open(TeamCard {
            id: m.team_id,
            name: m.team_name.clone(),
            role: m.role.as_str(),
            total: month.total,
            states: states(&month),
            expiring_7: week.expiring,
            expiring_30: month.expiring,
            low_traffic: month.low_traffic,
            low_traffic_pct: LOW_TRAFFIC_PCT,
            scope,
            activity: event_views(&state.db, m.team_id, &tr, &recent.items).await?,
        }));
    }
    Ok(DashboardPage { tr, layout, teams, site_admin: user.user.site_admin })
}
