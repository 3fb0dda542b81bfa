//! The panel's pages and endpoints, one module per area. Each adds its routes to a
//! [`RouteTable`] and depends on no other area: what two areas share lives in
//! [`crate::views`], [`crate::urls`] or [`crate::routing`].

pub mod account;
pub mod accounts;
pub mod actions;
pub mod admin;
pub mod assets;
pub mod audit;
pub mod auth;
#[cfg(feature = "bench")]
pub mod bench;
pub mod dashboard;
pub mod health;
pub mod instances;
pub mod lifecycle;
pub mod members;
pub mod orders;
pub mod purchase;
pub mod setup;

use crate::routing::RouteTable;

/// Every route of the app (except the benchmark-only ones), in the order added.
pub fn all() -> RouteTable {
    let t = RouteTable::new();
    let t = auth::routes(t);
    let t = health::routes(t);
    let t = assets::routes(t);
    let t = dashboard::routes(t);
    let t = instances::routes(t);
    let t = actions::routes(t);
    let t = audit::routes(t);
    let t = lifecycle::routes(t);
    let t = orders::routes(t);
    let t = purchase::routes(t);
    let t = members::routes(t);
    let t = account::routes(t);
    let t = setup::routes(t);
    let t = admin::routes(t);
    accounts::routes(t)
}
