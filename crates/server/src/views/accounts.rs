//! The team's cloud accounts page, one account's settings, and the removal confirmation.
//! No view holds a secret: the SK and passwords are never sent back, the AK only by its
//! last four characters.

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n::Tr;
use crate::views::layout::Layout;
use crate::views::lifecycle::Choice;

/// One row of the accounts table.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub domain_name: String,
    pub domain_id: String,
    /// "CN North-Beijing4 (cn-north-4)", in the reader's language.
    pub regions: Vec<String>,
    /// "AK …WXYZ", "IAM user ops-bot", or both.
    pub credentials: Vec<String>,
    pub paused: bool,
    /// The instances page's words for the last sync and its result.
    pub last_sync: String,
    pub instances: i64,
}

/// Form values as sent (never the secrets) and each field's problem, all at once.
#[derive(Debug, Clone, Default)]
pub struct CredentialsForm {
    pub name: String,
    pub access_key_id: String,
    pub iam_account: String,
    pub iam_user: String,
    /// The regions to offer, checked as sent (or as stored).
    pub regions: Vec<Choice>,
    pub errors: Vec<(&'static str, String)>,
    /// Why the cloud refused, in words, and Huawei's code and request id.
    pub cloud_problem: Option<CloudProblem>,
}

impl CredentialsForm {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.error(field).is_some()
    }
}

#[derive(Debug, Clone)]
pub struct CloudProblem {
    pub message: String,
    /// "APIG.0301 · HTTP 401 · request id …".
    pub details: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/list.html")]
pub struct AccountsPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub team_name: String,
    pub accounts: Vec<AccountRow>,
    pub notice: Option<String>,
    pub form: CredentialsForm,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/detail.html")]
pub struct AccountPage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub account: AccountRow,
    pub notice: Option<String>,
    /// The rename form's value and problem.
    pub rename: String,
    pub rename_error: Option<String>,
    /// The regions form: the checkboxes and their problem.
    pub regions: CredentialsForm,
    /// The replace-credentials form.
    pub credentials: CredentialsForm,
    pub paused_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/remove.html")]
pub struct RemovePage {
    pub tr: Tr,
    pub layout: Layout,
    pub team_id: String,
    pub account: AccountRow,
    /// What goes: the account, its keys, how many instances leave the lists.
    pub what: String,
    pub problem: Option<String>,
}
