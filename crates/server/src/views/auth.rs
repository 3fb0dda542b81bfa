//! The sign-in page and its second step.

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n::Tr;
use crate::views::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub tr: Tr,
    pub layout: Layout,
    /// What was typed (never the password).
    pub login: String,
    /// A safe local path to go to after signing in.
    pub next: String,
    /// A message above the form (wrong password, throttled, session ended), translated.
    pub notice: Option<String>,
    /// Whether `notice` is an error (else information).
    pub notice_is_error: bool,
    pub login_error: Option<String>,
    pub password_error: Option<String>,
}

/// The second step of signing in: the code from the authenticator app, or a recovery code.
#[derive(Template, WebTemplate)]
#[template(path = "auth/code.html")]
pub struct CodePage {
    pub tr: Tr,
    pub layout: Layout,
    /// A message above the form (throttled, busy), translated.
    pub notice: Option<String>,
    pub code_error: Option<String>,
}
