//! The error page and the htmx error fragment (see `error::render_errors`).

use askama::Template;
use askama_web::WebTemplate;

use crate::i18n::Tr;
use crate::views::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub tr: Tr,
    pub layout: Layout,
    pub title: String,
    pub message: String,
    /// Field problems of a 422 (already in words for people).
    pub details: Vec<String>,
    pub request_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "_error.html")]
pub struct ErrorFragment {
    pub tr: Tr,
    pub message: String,
    pub details: Vec<String>,
    pub request_id: String,
}
