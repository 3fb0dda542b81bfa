//! The HTTP side: one listener, Huawei paths routed by axum, every request through the same
//! pipeline (request id, body limit, faults, authentication, lazy progress, logging).

pub mod body;
pub mod errors;
pub(crate) mod pipeline;
mod server;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::routing::{get, post, put};
use serde::Serialize;
use time::Duration;

use crate::auth::Lockouts;
use crate::clock::Clock;
use crate::faults::Faults;
use crate::state::{Directory, State as SimState};

pub use pipeline::Reply;
pub(crate) use server::serve;

/// A Huawei operation (its official name is what faults and the request log use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    KeystoneCreateUserTokenByPassword,
    KeystoneListProjects,
    KeystoneListAuthDomains,
    PurchaseLightInstances,
    ListAllResources,
    ShowServer,
    UpdateServer,
    ListServersDetails,
    /// `POST …/cloudservers/action` before its body says which action it is.
    ServersAction,
    BatchStartServers,
    BatchStopServers,
    BatchRebootServers,
    BatchResetServersPassword,
    ShowJob,
    ShowCustomerOrderDetails,
    ListCustomerOrders,
    RenewalResources,
    CancelResourcesSubscription,
    ListFreeResourceUsages,
    ListPayPerUseCustomerResources,
    /// A path or method no API is registered for.
    Unknown,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::KeystoneCreateUserTokenByPassword => "KeystoneCreateUserTokenByPassword",
            Op::KeystoneListProjects => "KeystoneListProjects",
            Op::KeystoneListAuthDomains => "KeystoneListAuthDomains",
            Op::PurchaseLightInstances => "PurchaseLightInstances",
            Op::ListAllResources => "ListAllResources",
            Op::ShowServer => "ShowServer",
            Op::UpdateServer => "UpdateServer",
            Op::ListServersDetails => "ListServersDetails",
            Op::ServersAction => "ServersAction",
            Op::BatchStartServers => "BatchStartServers",
            Op::BatchStopServers => "BatchStopServers",
            Op::BatchRebootServers => "BatchRebootServers",
            Op::BatchResetServersPassword => "BatchResetServersPassword",
            Op::ShowJob => "ShowJob",
            Op::ShowCustomerOrderDetails => "ShowCustomerOrderDetails",
            Op::ListCustomerOrders => "ListCustomerOrders",
            Op::RenewalResources => "RenewalResources",
            Op::CancelResourcesSubscription => "CancelResourcesSubscription",
            Op::ListFreeResourceUsages => "ListFreeResourceUsages",
            Op::ListPayPerUseCustomerResources => "ListPayPerUseCustomerResources",
            Op::Unknown => "Unknown",
        }
    }

    /// Whether the operation can change the simulated cloud (what a snapshot keeps).
    pub fn changes_state(self) -> bool {
        match self {
            Op::KeystoneCreateUserTokenByPassword
            | Op::PurchaseLightInstances
            | Op::UpdateServer
            | Op::ServersAction
            | Op::BatchStartServers
            | Op::BatchStopServers
            | Op::BatchRebootServers
            | Op::BatchResetServersPassword
            | Op::RenewalResources
            | Op::CancelResourcesSubscription => true,
            Op::KeystoneListProjects
            | Op::KeystoneListAuthDomains
            | Op::ListAllResources
            | Op::ShowServer
            | Op::ListServersDetails
            | Op::ShowJob
            | Op::ShowCustomerOrderDetails
            | Op::ListCustomerOrders
            | Op::ListFreeResourceUsages
            | Op::ListPayPerUseCustomerResources
            | Op::Unknown => false,
        }
    }
}

/// One line of the request log (`GET /_sim/requests`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LoggedRequest {
    pub operation: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Simulator clock, `2024-09-13T07:30:00.000Z`.
    pub time: String,
    pub request_id: String,
    /// The access key, for AK/SK requests.
    pub ak: Option<String>,
    /// The calling account's name, once authenticated.
    pub account: Option<String>,
    /// Huawei error code of a failed request.
    pub error_code: Option<String>,
}

/// Everything the handlers share.
pub struct App {
    pub dir: Arc<Directory>,
    pub state: Mutex<SimState>,
    pub clock: Clock,
    pub faults: Faults,
    pub lockouts: Lockouts,
    pub log: Mutex<VecDeque<LoggedRequest>>,
    pub log_capacity: usize,
    pub max_skew: Duration,
    pub hang: std::time::Duration,
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

macro_rules! h {
    ($op:expr) => {
        |State(app): State<Arc<App>>, req: Request| pipeline::run(app, $op, req)
    };
}

/// Every Huawei path the simulator serves, plus `/_sim/…`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v3/auth/tokens", post(h!(Op::KeystoneCreateUserTokenByPassword)))
        .route("/v3/projects", get(h!(Op::KeystoneListProjects)))
        .route("/v3/auth/domains", get(h!(Op::KeystoneListAuthDomains)))
        .route("/v1/light-instances", post(h!(Op::PurchaseLightInstances)))
        .route(
            "/v1/resource-manager/domains/{domain_id}/all-resources",
            get(h!(Op::ListAllResources)),
        )
        .route("/v1/{project_id}/cloudservers/detail", get(h!(Op::ListServersDetails)))
        .route("/v1/{project_id}/cloudservers/action", post(h!(Op::ServersAction)))
        .route(
            "/v1/{project_id}/cloudservers/os-reset-passwords",
            put(h!(Op::BatchResetServersPassword)),
        )
        .route(
            "/v1/{project_id}/cloudservers/{server_id}",
            get(h!(Op::ShowServer)).put(h!(Op::UpdateServer)),
        )
        .route("/v1/{project_id}/jobs/{job_id}", get(h!(Op::ShowJob)))
        .route(
            "/v2/orders/customer-orders/details/{order_id}",
            get(h!(Op::ShowCustomerOrderDetails)),
        )
        .route("/v2/orders/customer-orders", get(h!(Op::ListCustomerOrders)))
        .route("/v2/orders/subscriptions/resources/renew", post(h!(Op::RenewalResources)))
        .route(
            "/v2/orders/subscriptions/resources/unsubscribe",
            post(h!(Op::CancelResourcesSubscription)),
        )
        .route(
            "/v2/payments/free-resources/usages/details/query",
            post(h!(Op::ListFreeResourceUsages)),
        )
        .route(
            "/v2/orders/suscriptions/resources/query",
            post(h!(Op::ListPayPerUseCustomerResources)),
        )
        .nest("/_sim", crate::admin::router())
        .method_not_allowed_fallback(h!(Op::Unknown))
        .fallback(h!(Op::Unknown))
        .with_state(app)
}
