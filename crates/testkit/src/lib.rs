//! The one test kit for Lightdeck's HTTP tests, shared by the server crate's integration
//! tests and the whole-system tests in `tests/`. A [`Client`] behaves like a browser in the
//! ways the panel cares about (Chromium's headers, compressed bodies decoded, cookies kept,
//! the session's CSRF token sent with forms) and talks either to an `axum::Router` in the
//! same process or to a panel on a real socket, behind the same API; a [`Page`] is one
//! response read to the end and asserted through CSS selectors, never substrings. The
//! [`fixtures`] make users, teams and cloud accounts through the domain's own functions, so
//! a test's world obeys the same rules as a real one.
//!
//! It does not depend on the `lightdeck` crate, whose tests use it: building the app state
//! stays with each harness.

mod client;
mod csv;
pub mod fixtures;
mod page;
mod totp;
mod transport;

pub use client::{Client, form_body};
pub use csv::parse_csv;
pub use page::{BROWSER_HEADERS, Page, SENT_ENCODING, csrf_of, selector_of, text_of};
pub use totp::totp_code;

#[cfg(test)]
mod tests;
