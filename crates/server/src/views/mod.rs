//! askama views: one struct per template (`#[derive(Template, WebTemplate)]`), a page
//! (extends `base.html`, has `tr` and `layout` fields) and, where htmx refreshes part of
//! it, a partial (`_name.html`, needs only `tr` and its data). Handlers pick with
//! [`page_or_partial`].

pub mod account;
pub mod accounts;
pub mod actions;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod error;
pub mod instances;
pub mod layout;
pub mod lifecycle;
pub mod members;
pub mod purchase;
pub mod security;

use axum::response::{IntoResponse, Response};

use crate::extract::IsHtmx;

/// The partial for htmx requests; for any other, the full page that `page` builds around
/// it (only then are the page's other parts made).
pub fn page_or_partial<Q: IntoResponse, P: IntoResponse>(
    htmx: IsHtmx,
    partial: Q,
    page: impl FnOnce(Q) -> P,
) -> Response {
    if htmx.0 { partial.into_response() } else { page(partial).into_response() }
}
