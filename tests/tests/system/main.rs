//! The whole system, end to end: one test binary (one link, one private Postgres for all).

mod auth;
mod auth_cache;
mod browser;
mod browser_accounts;
mod browser_admin;
mod browser_lifecycle;
mod browser_purchase;
mod browser_second_factor;
mod browser_team;
mod fuzz;
mod matrix;
mod pages;
mod pipeline;
mod support;
