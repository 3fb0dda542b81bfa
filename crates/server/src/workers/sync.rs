//! Inventory sync of one account: RMS lists its Flexus L instances per enabled region, ECS
//! adds live statuses and addresses, BSS the remaining traffic and the expiry; the domain
//! applies the listing ([`inventory::upsert_from_sync`]) and says what changed.
//!
//! Never two syncs of one account at once: an in-process set of running accounts, plus a
//! transaction-scoped Postgres advisory lock held for the whole sync, so two `lightdeck
//! serve` processes on one database do not overlap either.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock, PoisonError};

use lightdeck_domain::accounts;
use lightdeck_domain::inventory::{self, SyncReport, SyncedInstance};
use lightdeck_huaweicloud::model::ecs::ServerDetail;
use lightdeck_huaweicloud::model::rms::ResourceEntity;
use lightdeck_huaweicloud::{Account, InstanceId, PackageId, Region};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::cloud::{self, WorkerError, account_handle};
use crate::state::AppState;

/// What one sync of an account changed, over all its regions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub added: u64,
    pub changed: u64,
    pub gone: u64,
    pub unchanged: u64,
    pub regions: usize,
    /// Operations that failed without stopping the sync (traffic or expiry could not be
    /// read; the stored values were kept), e.g. `ListFreeResourceUsages`.
    pub partial: Vec<&'static str>,
}

impl SyncSummary {
    fn add(&mut self, r: SyncReport) {
        self.added += r.added;
        self.changed += r.changed;
        self.gone += r.gone;
        self.unchanged += r.unchanged;
        self.regions += 1;
    }
}

/// The last sync of an account in this process, for the accounts list on the instances page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub last_ok: Option<OffsetDateTime>,
    pub last_error_at: Option<OffsetDateTime>,
    /// Failures in a row since the last success (drives the backoff).
    pub failures: u32,
}

fn running() -> &'static Mutex<HashSet<Uuid>> {
    static RUNNING: OnceLock<Mutex<HashSet<Uuid>>> = OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

fn statuses() -> &'static Mutex<HashMap<Uuid, SyncStatus>> {
    static STATUS: OnceLock<Mutex<HashMap<Uuid, SyncStatus>>> = OnceLock::new();
    STATUS.get_or_init(Default::default)
}

/// How the last sync of `account_id` in this process went (None: not synced since start).
pub fn status(account_id: Uuid) -> Option<SyncStatus> {
    statuses().lock().unwrap_or_else(PoisonError::into_inner).get(&account_id).cloned()
}

fn note(account_id: Uuid, ok: bool, at: OffsetDateTime) {
    let mut map = statuses().lock().unwrap_or_else(PoisonError::into_inner);
    let entry = map.entry(account_id).or_insert(SyncStatus {
        last_ok: None,
        last_error_at: None,
        failures: 0,
    });
    if ok {
        entry.last_ok = Some(at);
        entry.failures = 0;
    } else {
        entry.last_error_at = Some(at);
        entry.failures = entry.failures.saturating_add(1);
    }
}

/// Removes the account from the running set however the sync ends (even if cancelled).
struct Running(Uuid);

impl Running {
    fn start(account_id: Uuid) -> Result<Running, WorkerError> {
        let mut set = running().lock().unwrap_or_else(PoisonError::into_inner);
        if set.insert(account_id) { Ok(Running(account_id)) } else { Err(WorkerError::SyncRunning) }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        running().lock().unwrap_or_else(PoisonError::into_inner).remove(&self.0);
    }
}

/// Syncs every enabled region of one account. `WorkerError::SyncRunning` when a sync of it
/// is already under way here or in another process.
pub async fn sync_account(state: &AppState, account_id: Uuid) -> Result<SyncSummary, WorkerError> {
    let _running = Running::start(account_id)?;
    // The domain crate has no guard for this yet; the lock lives as long as `guard`'s
    // transaction.
    let mut guard = state.db.begin().await.map_err(lightdeck_domain::Error::from)?;
    let locked: bool = sqlx::query_scalar(
        "SELECT pg_try_advisory_xact_lock(hashtext('lightdeck.sync.account'), hashtext($1))",
    )
    .bind(account_id.to_string())
    .fetch_one(&mut *guard)
    .await
    .map_err(lightdeck_domain::Error::from)?;
    if !locked {
        return Err(WorkerError::SyncRunning);
    }
    let result = sync_regions(state, account_id).await;
    note(account_id, result.is_ok(), state.now());
    // Explicitly: a dropped transaction only queues its rollback, and the lock would stay
    // held by the idle pooled connection until it is next used.
    guard.rollback().await.map_err(lightdeck_domain::Error::from)?;
    result
}

async fn sync_regions(state: &AppState, account_id: Uuid) -> Result<SyncSummary, WorkerError> {
    let handle = account_handle(state, account_id).await?;
    let mut summary = SyncSummary::default();
    for r in accounts::regions(&state.db, account_id).await? {
        let items = read_region(&handle, r.region, &mut summary.partial).await?;
        let report = inventory::upsert_from_sync(&state.db, account_id, r.region, &items).await?;
        summary.add(report);
    }
    Ok(summary)
}

/// Everything the cloud says about the account's instances in one region.
async fn read_region(
    handle: &Account,
    region: Region,
    partial: &mut Vec<&'static str>,
) -> Result<Vec<SyncedInstance>, WorkerError> {
    let listed = handle.list_l_instances(Some(region)).await;
    cloud::count_plain("ListAllResources", &listed);
    let entities: Vec<ResourceEntity> = listed?
        .items
        .into_iter()
        .filter(|e| !e.is_deleted() && e.region_id.as_deref().is_none_or(|r| r == region.id()))
        .collect();
    if entities.is_empty() {
        return Ok(Vec::new());
    }
    let servers = handle.list_servers(region).await;
    cloud::count_plain("ListServersDetails", &servers);
    let servers: HashMap<String, ServerDetail> =
        servers?.items.into_iter().map(|s| (s.id.clone(), s)).collect();

    let mut items: Vec<SyncedInstance> =
        entities.iter().filter_map(|e| synced(e, &servers)).collect();

    let packages: Vec<PackageId> =
        items.iter().filter_map(|i| i.traffic_package_id.clone()).collect();
    let usages = handle.free_resource_usages(&packages).await;
    cloud::count_plain("ListFreeResourceUsages", &usages);
    match usages {
        Ok(pages) => {
            for usage in pages.items {
                if let Some(item) = items.iter_mut().find(|i| {
                    i.traffic_package_id
                        .as_ref()
                        .is_some_and(|p| p.as_str() == usage.free_resource_id)
                }) {
                    item.traffic_remaining_gb = usage.amount.filter(|a| a.is_finite() && *a >= 0.0);
                    item.traffic_total_gb =
                        usage.original_amount.filter(|a| a.is_finite() && *a >= 0.0);
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "traffic usage could not be read; keeping stored values");
            note_partial(partial, "ListFreeResourceUsages");
        }
    }

    let ids: Vec<InstanceId> = items.iter().map(|i| i.instance_id.clone()).collect();
    let expiry = handle.instance_expiry(&ids).await;
    cloud::count_plain("ListPayPerUseCustomerResources", &expiry);
    match expiry {
        Ok(pages) => {
            for res in pages.items.iter().filter(|r| r.is_main()) {
                if let Some(item) =
                    items.iter_mut().find(|i| i.instance_id.as_str() == res.resource_id)
                {
                    item.expires_at = res
                        .expire_time
                        .as_deref()
                        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
                    item.auto_renew = Some(res.is_auto_renew());
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "expiry could not be read; keeping stored values");
            note_partial(partial, "ListPayPerUseCustomerResources");
        }
    }
    Ok(items)
}

fn note_partial(partial: &mut Vec<&'static str>, operation: &'static str) {
    if !partial.contains(&operation) {
        partial.push(operation);
    }
}

/// One RMS resource (and its ECS server, when listed) as the inventory takes it. RMS
/// entries without a valid instance id are skipped: they are not Flexus L instances.
fn synced(e: &ResourceEntity, servers: &HashMap<String, ServerDetail>) -> Option<SyncedInstance> {
    let instance_id: InstanceId = e.id.parse().ok()?;
    let server = e.server_id().and_then(|s| servers.get(s));
    let status = match server {
        Some(s) => cloud::inventory_status(s),
        None => e.instance_status().unwrap_or("UNKNOWN").to_owned(),
    };
    let name = e.name.clone().or_else(|| e.server_name().map(str::to_owned)).unwrap_or_default();
    let mut public_ips: Vec<String> = Vec::new();
    let mut private_ips: Vec<String> = Vec::new();
    if let Some(s) = server {
        public_ips.extend(s.public_ip().map(str::to_owned));
        private_ips.extend(s.private_ip().map(str::to_owned));
    }
    if public_ips.is_empty() {
        public_ips.extend(e.public_ip().map(str::to_owned));
    }
    Some(SyncedInstance {
        server_id: e.server_id().and_then(|s| s.parse().ok()),
        traffic_package_id: e.traffic_package_id().and_then(|p| p.parse().ok()),
        spec_code: e.spec_code().map(str::to_owned),
        image_name: server
            .and_then(|s| s.metadata_value("image_name"))
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .or_else(|| e.properties.product_name.clone()),
        order_id: e.order_id().and_then(|o| o.parse().ok()),
        public_ips,
        private_ips,
        raw: serde_json::to_value(e).unwrap_or(serde_json::Value::Null),
        ..SyncedInstance::new(instance_id, name, status)
    })
}

/// The wait before the next sync of an account after `failures` failures in a row: the
/// interval, doubled per failure, at most an hour (or the interval, if that is longer).
pub fn next_delay(interval: std::time::Duration, failures: u32) -> std::time::Duration {
    let cap = interval.max(std::time::Duration::from_secs(3600));
    interval.saturating_mul(1u32 << failures.min(10)).min(cap)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let i = Duration::from_secs(300);
        assert_eq!(next_delay(i, 0), i);
        assert_eq!(next_delay(i, 1), Duration::from_secs(600));
        assert_eq!(next_delay(i, 2), Duration::from_secs(1200));
        assert_eq!(next_delay(i, 5), Duration::from_secs(3600));
        assert_eq!(next_delay(i, 50), Duration::from_secs(3600));
        let long = Duration::from_secs(7200);
        assert_eq!(next_delay(long, 3), long);
    }

    #[test]
    fn one_sync_per_account_in_process() {
        let id = Uuid::new_v4();
        let first = Running::start(id).unwrap();
        assert!(matches!(Running::start(id), Err(WorkerError::SyncRunning)));
        drop(first);
        assert!(Running::start(id).is_ok());
    }
}
