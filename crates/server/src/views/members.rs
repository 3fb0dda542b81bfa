//! The members page of a team.

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n::Tr;
use crate::views::layout::Layout;
use crate::views::lifecycle::Choice;

#[derive(Debug, Clone)]
pub struct MemberView {
    pub user_id: String,
    pub name: String,
    pub login: String,
    pub role: String,
    pub roles: Vec<Choice>,
    pub added: String,
    pub added_by: Option<String>,
    pub last_sign_in: Option<String>,
    pub disabled: bool,
    pub is_you: bool,
    /// The team's only owner: can be neither demoted nor removed (the page says why).
    pub last_owner: bool,
    /// Whether they sign in with a second factor.
    pub second_factor: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/list.html")]
pub struct MembersPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub team_name: String,
    pub members: Vec<MemberView>,
    pub add_login: String,
    pub add_roles: Vec<Choice>,
    pub login_error: Option<String>,
    pub role_error: Option<String>,
    pub notice: Option<String>,
    pub problem: Option<String>,
    pub new_person: NewPersonForm,
    /// A new person's setup link, on the one page that shows it.
    pub new_link: Option<String>,
    pub copy_js_url: String,
    /// The team requires a second factor of its members.
    pub requires_second_factor: bool,
    /// Why the requirement was not changed, beside its choice.
    pub second_factor_error: Option<String>,
}

/// The "add a new person" form as sent, with its problems.
#[derive(Debug, Clone, Default)]
pub struct NewPersonForm {
    pub login: String,
    pub name: String,
    pub role: String,
    pub login_error: Option<String>,
    pub name_error: Option<String>,
    pub role_error: Option<String>,
}

/// Where a new person sets their password, from their one-time link.
#[derive(Template, WebTemplate)]
#[template(path = "account/setup.html")]
pub struct SetupPage {
    pub tr: Tr,
    pub layout: Layout,
    /// `None`: the link is unknown, used or expired.
    pub login: Option<String>,
    pub token: String,
    pub new_error: Option<String>,
    pub confirm_error: Option<String>,
}
