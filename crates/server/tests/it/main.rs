//! The lightdeck crate's integration tests, one binary (one link on a two-core machine):
//! the HTTP layer, sign-in, access, logs and the command line (core_*), the instances pages
//! and the action pipeline against cloudsim, the audit log and its export, the dashboard,
//! and the built binary's demo and sim commands.

mod account;
mod accounts;
mod actions_pipeline;
mod admin;
mod audit_export;
mod audit_head;
mod audit_lines;
mod audit_page;
mod core_access;
mod core_auth;
mod core_auth_burst;
mod core_auth_devices;
mod core_cli;
mod core_http;
mod core_logs;
mod core_metrics;
mod dashboard_page;
mod demo_bench_routes;
mod demo_cli;
mod instances_detail_page;
mod instances_filters;
mod instances_pages;
mod instances_settings;
mod instances_sync;
mod lifecycle;
mod members;
mod purchase_page;
mod purchase_pipeline;
mod second_factor;
mod second_factor_admin;
mod second_factor_input;
mod second_factor_race;
mod sessions;
mod sim_cli;

mod audit_support;
mod core_support;
mod instances_support;
