//! What every worker needs to talk to Huawei Cloud for one connected account: a client
//! handle with the stored account and project ids remembered (so no look-up calls), the
//! metrics of each call, and the translation of client errors into what the domain records.

use lightdeck_domain::accounts;
use lightdeck_domain::actions::CloudError;
use lightdeck_domain::inventory::ExpiryUpdate;
use lightdeck_huaweicloud::model::ecs::ServerDetail;
use lightdeck_huaweicloud::{Account, Error as CloudErr, InstanceId, Region, Reply, ServerId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::Ctx;

/// What a worker can fail with. Display texts never contain secrets (the client's errors
/// promise the same).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Domain(#[from] lightdeck_domain::Error),
    #[error(transparent)]
    Cloud(#[from] CloudErr),
    /// Another sync of this account is running (in this process or another one).
    #[error("a sync of this account is already running")]
    SyncRunning,
}

/// Pseudo error codes for failures that never got an answer from Huawei, so the audit log
/// and the explanations can tell them apart. Prefixed so nobody mistakes them for Huawei's.
pub mod codes {
    pub const UNREACHABLE: &str = "lightdeck.unreachable";
    pub const TIMEOUT: &str = "lightdeck.timeout";
    pub const CREDENTIALS: &str = "lightdeck.credentials";
    pub const INVALID: &str = "lightdeck.invalid";
    pub const BAD_RESPONSE: &str = "lightdeck.bad_response";
    pub const CONFIG: &str = "lightdeck.config";
    /// The cloud kept answering that the job being followed does not exist.
    pub const JOB_GONE: &str = "lightdeck.job_gone";
    /// The same for an order.
    pub const ORDER_GONE: &str = "lightdeck.order_gone";
}

/// A client handle for one of the panel's accounts, with its account id and per-region
/// project ids taken from the database.
pub async fn account_handle(ctx: &Ctx, account_id: Uuid) -> Result<Account, WorkerError> {
    let credentials = accounts::credentials(&ctx.db, &ctx.keyring, account_id).await?;
    let handle = ctx.cloud.account(credentials);
    let stored = accounts::list_all(&ctx.db)
        .await?
        .into_iter()
        .find(|a| a.id == account_id)
        .ok_or(lightdeck_domain::Error::NotFound)?;
    if let Some(domain) = stored.domain_id.as_deref().and_then(|d| d.parse().ok()) {
        handle.remember_domain_id(domain);
    }
    for r in accounts::regions(&ctx.db, account_id).await? {
        handle.remember_project_id(r.region, r.project_id);
    }
    Ok(handle)
}

/// Counts one call in the metrics: its HTTP status, or `error` when there was none.
pub fn count<T>(operation: &str, result: &Result<Reply<T>, CloudErr>) {
    let status = match result {
        Ok(reply) => reply.status.to_string(),
        Err(e) => e.status().map_or_else(|| "error".to_owned(), |s| s.to_string()),
    };
    crate::metrics::cloud_call(operation, &status);
}

/// Counts a call whose answer carries no status (lists walked page by page).
pub fn count_plain<T>(operation: &str, result: &Result<T, CloudErr>) {
    let status = match result {
        Ok(_) => "200".to_owned(),
        Err(e) => e.status().map_or_else(|| "error".to_owned(), |s| s.to_string()),
    };
    crate::metrics::cloud_call(operation, &status);
}

/// A refused call as the domain records it: Huawei's code, message and request id, or one
/// of [`codes`] when Huawei never answered.
pub fn cloud_error(e: &CloudErr) -> CloudError {
    // A call never sent because its token could not be had: the token call's trouble.
    let why = match e {
        CloudErr::NotSent { cause, .. } => cause.as_ref(),
        other => other,
    };
    let code = match (why.huawei_code(), why) {
        (Some(code), _) => code.to_owned(),
        (None, CloudErr::Connect { .. } | CloudErr::Transport { .. }) => codes::UNREACHABLE.into(),
        (None, CloudErr::Timeout { .. }) => codes::TIMEOUT.into(),
        (None, CloudErr::Auth(_)) => codes::CREDENTIALS.into(),
        (None, CloudErr::Validation(_)) => codes::INVALID.into(),
        (None, CloudErr::InvalidResponse { .. }) => codes::BAD_RESPONSE.into(),
        (None, _) => codes::CONFIG.into(),
    };
    let message = match e.api() {
        Some(api) if !api.message.is_empty() => api.message.clone(),
        _ => e.to_string(),
    };
    CloudError {
        http_status: e.status(),
        code: Some(code),
        message,
        request_id: e.request_id().map(str::to_owned),
    }
}

/// The status the inventory stores for a server: ECS's `status`, except that a server with
/// a power task under way is shown as moving (`STARTING`, `STOPPING`, `REBOOT`), which the
/// inventory counts as transitional, so its row keeps refreshing.
pub fn inventory_status(server: &ServerDetail) -> String {
    let status =
        server.status.as_ref().map_or_else(|| "UNKNOWN".to_owned(), |s| s.as_str().to_owned());
    match server.task_state.as_deref().filter(|t| !t.is_empty()) {
        Some(t) if t.starts_with("powering-on") || t == "starting" => "STARTING".to_owned(),
        Some(t) if t.starts_with("powering-off") || t == "stopping" => "STOPPING".to_owned(),
        Some(t) if t.starts_with("reboot") && status == "ACTIVE" => "REBOOT".to_owned(),
        _ => status,
    }
}

/// Above this many servers one list call is cheaper than a show call per server.
const SHOW_EACH_MAX: usize = 20;

/// Reads the current status of some servers of one (account, region) from ECS and writes
/// it to the inventory. Returns how many inventory rows changed.
pub async fn refresh_servers(
    ctx: &Ctx,
    handle: &Account,
    account_id: Uuid,
    region: Region,
    servers: &[ServerId],
) -> Result<u64, WorkerError> {
    if servers.is_empty() {
        return Ok(0);
    }
    let mut statuses = Vec::with_capacity(servers.len());
    if servers.len() <= SHOW_EACH_MAX {
        for server in servers {
            let result = handle.show_server(region, server).await;
            count("ShowServer", &result);
            match result {
                Ok(reply) => statuses.push((server.clone(), inventory_status(&reply.body))),
                // A vanished server is the next full sync's business.
                Err(e) if e.status() == Some(404) => {}
                Err(e) => return Err(e.into()),
            }
        }
    } else {
        let result = handle.list_servers(region).await;
        count_plain("ListServersDetails", &result);
        for detail in result?.items {
            if let Some(id) = servers.iter().find(|s| s.as_str() == detail.id) {
                statuses.push((id.clone(), inventory_status(&detail)));
            }
        }
    }
    Ok(lightdeck_domain::inventory::update_status(&ctx.db, account_id, &statuses).await?)
}

/// Reads the expiry (and auto-renew flag) of some instances of one account from BSS and
/// writes it to the inventory: after a renewal, the new date is what the person checks.
pub async fn refresh_expiry(
    ctx: &Ctx,
    handle: &Account,
    account_id: Uuid,
    instances: &[InstanceId],
) -> Result<u64, WorkerError> {
    let result = handle.instance_expiry(instances).await;
    count_plain("ListPayPerUseCustomerResources", &result);
    let updates: Vec<ExpiryUpdate> = result?
        .items
        .iter()
        .filter(|r| r.is_main())
        .filter_map(|r| {
            let instance_id = r.resource_id.parse().ok()?;
            let expires_at = OffsetDateTime::parse(r.expire_time.as_deref()?, &Rfc3339).ok()?;
            Some(ExpiryUpdate { instance_id, expires_at, auto_renew: Some(r.is_auto_renew()) })
        })
        .collect();
    Ok(lightdeck_domain::inventory::update_expiry(&ctx.db, account_id, &updates).await?)
}
