//! cloudsim's integration tests, one binary (one link on a two-core machine): signing and
//! tokens, ECS, the purchase-to-unsubscribe lifecycle and its strict, time-driven rules
//! (expiry, freeze, lapsing orders, RMS lag), discovery, faults and the admin API,
//! bad input, seeding, snapshots, and the huaweicloud client against the sim.

mod auth;
mod bad_input;
mod client;
mod common;
mod discovery;
mod ecs;
mod faults_admin;
mod lifecycle;
mod lifecycle_snapshot;
mod lifecycle_strict;
mod purchase;
mod seeding;
mod strict_calls;
