//! askama views: one struct per template (`#[derive(Template, WebTemplate)]`), a page
//! (extends `base.html`, has `tr` and `layout` fields) and, where htmx refreshes part of
//! it, a partial (`_name.html`, needs only `tr` and its data). Handlers pick with
//! [`page_or_partial`].

pub mod actions;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod error;
pub mod instances;
pub mod layout;

use axum::response::{IntoResponse, Response};

use crate::extract::IsHtmx;

/// The partial for htmx requests, the full page otherwise.
pub fn page_or_partial<P: IntoResponse, Q: IntoResponse>(
    htmx: IsHtmx,
    page: impl FnOnce() -> P,
    partial: impl FnOnce() -> Q,
) -> Response {
    if htmx.0 { partial().into_response() } else { page().into_response() }
}
