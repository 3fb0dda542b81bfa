//! Wire types of every operation, one module per service. Unknown fields are ignored and
//! fields the docs mark optional are `Option`, so a new Huawei field never breaks decoding.
//! cloudsim serves these same types.

pub mod bss;
pub mod ecs;
pub mod hcss;
pub mod iam;
pub mod rms;
mod wire;
