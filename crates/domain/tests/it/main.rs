//! The domain crate's integration tests against PostgreSQL, one binary (one link on a
//! two-core machine): the private clusters, users, teams, accounts and their secrets,
//! inventory, actions and the audit chain.

mod accounts;
mod actions;
mod audit;
mod crypto;
mod inventory;
mod pg;
mod second_factor;
mod teams;
mod users;
