//! The site administration pages: users, teams, the site audit log.

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n::Tr;
use crate::views::layout::Layout;
use crate::views::lifecycle::Choice;

/// Which of the three pages is shown (for the sub-navigation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Users,
    Teams,
    Audit,
}

#[derive(Debug, Clone)]
pub struct UserView {
    pub id: String,
    pub login: String,
    pub name: String,
    pub site_admin: bool,
    pub disabled: bool,
    /// "Demo (Owner), Ops (Viewer)"; empty when in no team.
    pub teams: String,
    pub last_sign_in: Option<String>,
    pub is_you: bool,
    /// Whether they sign in with a second factor (which can be reset here).
    pub second_factor: bool,
}

/// The "create a user" form as sent, with its problems.
#[derive(Debug, Clone, Default)]
pub struct NewUserForm {
    pub login: String,
    pub name: String,
    pub language: String,
    pub login_error: Option<String>,
    pub name_error: Option<String>,
    pub language_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub tr: Tr,
    pub layout: Layout,
    pub section: Section,
    pub q: String,
    pub users: Vec<UserView>,
    /// "Users 51–100 of 230".
    pub shown: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub form: NewUserForm,
    pub languages: Vec<Choice>,
    pub notice: Option<String>,
    pub problem: Option<String>,
    /// Whose setup link, and the link, on the one page that shows it.
    pub new_link: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub members: i64,
    pub accounts: i64,
    pub instances: i64,
    /// The rename field's value and problem after a refused rename of this team.
    pub rename: String,
    pub rename_error: Option<String>,
    pub delete_error: Option<String>,
}

/// The "create a team" form as sent, with its problems.
#[derive(Debug, Clone, Default)]
pub struct NewTeamForm {
    pub name: String,
    pub owner: String,
    pub name_error: Option<String>,
    pub owner_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/teams.html")]
pub struct TeamsPage {
    pub tr: Tr,
    pub layout: Layout,
    pub section: Section,
    pub teams: Vec<TeamView>,
    pub form: NewTeamForm,
    pub notice: Option<String>,
    pub problem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EventView {
    pub seq: i64,
    pub when: String,
    pub actor: String,
    pub sentence: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub tr: Tr,
    pub layout: Layout,
    pub section: Section,
    pub events: Vec<EventView>,
    pub older: Option<String>,
}
