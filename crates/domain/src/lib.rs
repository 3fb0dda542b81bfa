//! Everything Lightdeck remembers, on Postgres: users, teams and roles, the Huawei Cloud
//! accounts a team has connected (their secrets encrypted at rest), the instance inventory
//! that workers keep fresh, the actions sent to the cloud, and the tamper-evident audit log.
//! It also starts a private Postgres from the installed server binaries when no
//! `DATABASE_URL` is given. This crate has no HTTP and no HTML.

pub mod accounts;
pub mod actions;
pub mod audit;
pub mod changes;
pub mod crypto;
pub mod db;
pub mod error;
pub mod inventory;
pub mod orders;
pub mod password_gate;
pub mod pg;
pub mod policy;
pub mod purchase;
mod rows;
pub mod second_factor;
pub mod security_log;
pub mod sessions;
pub mod site;
pub mod teams;
pub mod testing;
pub mod users;
pub mod values;

pub use error::{Error, Result};
