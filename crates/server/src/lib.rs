//! The Lightdeck panel: an axum application (pages rendered with askama, live parts with
//! htmx) over the `lightdeck-domain` crate, plus the `lightdeck` command line. The binary in
//! `main.rs` only parses arguments and calls [`commands::run`]; tests build the app with
//! [`app::build`] and an [`state::AppState`].

pub mod act;
pub mod app;
pub mod assets;
pub mod audit_head;
pub mod auth_cache;
pub mod cli;
pub mod client_addr;
pub mod commands;
pub mod config;
pub mod cookies;
pub mod csrf;
pub mod denial_log;
pub mod device_cookie;
pub mod error;
pub mod explain;
pub mod extract;
pub mod i18n;
pub mod input;
pub mod metrics;
pub mod metrics_access;
pub mod policy;
pub mod reauth;
pub mod routes;
pub mod routing;
pub mod second_step;
pub mod security;
pub mod session;
pub mod shutdown;
pub mod sign_in_guard;
pub mod state;
pub(crate) mod throttle;
pub mod urls;
pub mod views;
pub mod workers;

pub use app::{build, route_table};
pub use error::AppError;
pub use routing::{Access, RouteInfo, RouteTable};
pub use state::AppState;
