//! The Huawei Cloud API client Lightdeck uses for Flexus L ("light") instances.
//!
//! Everything Lightdeck says to Huawei Cloud goes through this crate: `SDK-HMAC-SHA256`
//! request signing (and its verifying half, which cloudsim uses), credentials whose secrets
//! never print, IAM tokens, endpoints, typed operations for HCSS, RMS, ECS, BSS and IAM, the
//! Flexus L plan catalog, and validation of requests before they are sent. It knows nothing
//! of databases or HTML.

pub mod catalog;
pub mod client;
pub mod credentials;
pub mod endpoints;
pub mod error;
pub mod ids;
pub mod model;
pub mod region;
pub mod signing;
#[cfg(feature = "sqlx")]
mod sql;
pub mod validate;

pub use credentials::{AkSk, Credentials, IamPassword};
pub use ids::{DomainId, InstanceId, InvalidId, JobId, OrderId, PackageId, ProjectId, ServerId};
pub use region::{Region, RegionGroup, UnknownRegion};
pub use validate::{FieldError, FieldErrors};

// The client (`client`, `endpoints`, `error`).
pub use client::{
    Account, ChunkResult, ClientConfig, ClientRequestId, HuaweiCloud, Pages, Reply, RetryPolicy,
};
pub use endpoints::{Endpoints, Service};
pub use error::{ApiError, AuthError, Error, PurchaseRefusal};
