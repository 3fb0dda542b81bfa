//! Inventory sync of one account: RMS lists its Flexus L instances per enabled region, ECS
//! adds live statuses and addresses, BSS the remaining traffic and the expiry; the domain
//! applies the listing ([`inventory::upsert_from_sync`]) and says what changed.
//!
//! Never two syncs of one account at once: an in-process set of running accounts, plus the
//! domain's sync lease ([`accounts::try_begin_sync`], a database lock held for the whole
//! sync), so two `lightdeck serve` processes on one database do not overlap either. The
//! outcome is recorded on the account ([`accounts::SyncStatus`]) for every process to show.

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

/// The sync loop's backoff memory of this process. The facts pages show (last success,
/// last failure, failures in a row) are in the database: [`accounts::SyncStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Failures in a row since the last success, as last recorded.
    pub failures: u32,
}

/// The panel's own code for a failure that is neither Huawei's nor a lost call.
const INTERNAL: &str = "lightdeck.internal";

fn running() -> &'static Mutex<HashSet<Uuid>> {
    static RUNNING: OnceLock<Mutex<HashSet<Uuid>>> = OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

fn backoffs() -> &'static Mutex<HashMap<Uuid, Backoff>> {
    static BACKOFF: OnceLock<Mutex<HashMap<Uuid, Backoff>>> = OnceLock::new();
    BACKOFF.get_or_init(Default::default)
}

/// The backoff state of `account_id` after its last sync in this process (None: no sync
/// here since start, or the last one succeeded).
pub fn status(account_id: Uuid) -> Option<Backoff> {
    backoffs().lock().unwrap_or_else(PoisonError::into_inner).get(&account_id).copied()
}

/// `failures`: the count the database returned, or None when it could not be written.
fn note(account_id: Uuid, failures: Option<u32>) {
    let mut map = backoffs().lock().unwrap_or_else(PoisonError::into_inner);
    match failures {
        Some(0) => {
            map.remove(&account_id);
        }
        Some(n) => {
            map.insert(account_id, Backoff { failures: n });
        }
        None => {
            let entry = map.entry(account_id).or_insert(Backoff { failures: 0 });
            entry.failures = entry.failures.saturating_add(1);
        }
    }
}

/// What is stored about a failed sync: Huawei's code (or one of [`cloud::codes`]) and the
/// HTTP status, e.g. `APIG.0308, HTTP 429`. Never the message: it is the cloud's words,
/// not ours, and the page explains the code in the reader's language instead.
pub fn failure_text(e: &WorkerError) -> String {
    match e {
        WorkerError::Cloud(e) => {
            let code = cloud::cloud_error(e).code.unwrap_or_else(|| INTERNAL.to_owned());
            match e.status() {
                Some(status) => format!("{code}, HTTP {status}"),
                None => code,
            }
        }
        WorkerError::Domain(
            lightdeck_domain::Error::Crypto(_) | lightdeck_domain::Error::Invalid(_),
        ) => cloud::codes::CREDENTIALS.to_owned(),
        WorkerError::Domain(_) | WorkerError::SyncRunning => INTERNAL.to_owned(),
    }
}

/// The code and HTTP status back out of a [`failure_text`], for [`crate::explain`].
pub fn failure_parts(text: &str) -> (Option<&str>, Option<u16>) {
    let (code, status) = match text.split_once(", HTTP ") {
        Some((code, status)) => (code, status.parse().ok()),
        None => (text, None),
    };
    (Some(code).filter(|c| !c.is_empty()), status)
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
    let Some(lease) = accounts::try_begin_sync(&state.db, account_id).await? else {
        return Err(WorkerError::SyncRunning);
    };
    let result = sync_regions(state, account_id).await;
    // Written while the lease is held, so outcomes of one account are never interleaved.
    let recorded = match &result {
        Ok(_) => lease.record_success(&state.db, state.now()).await.map(|()| 0),
        Err(e) => lease.record_failure(&state.db, state.now(), &failure_text(e)).await,
    };
    if let Err(e) = &recorded {
        tracing::warn!(account = %account_id, error = %e, "the sync outcome could not be recorded");
    }
    note(account_id, recorded.ok());
    // Explicitly and awaited: see `SyncLease` for why dropping it is not enough.
    lease.release().await?;
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
    fn failure_texts_give_back_their_code_and_status() {
        assert_eq!(failure_parts("APIG.0308, HTTP 429"), (Some("APIG.0308"), Some(429)));
        assert_eq!(failure_parts("lightdeck.unreachable"), (Some("lightdeck.unreachable"), None));
        assert_eq!(failure_parts("x, HTTP nope"), (Some("x"), None));
        assert_eq!(failure_parts(""), (None, None));
        let secret = lightdeck_domain::Error::Crypto("key k1 refused".into());
        assert_eq!(failure_text(&WorkerError::Domain(secret)), cloud::codes::CREDENTIALS);
        let db = lightdeck_domain::Error::Database(sqlx::Error::PoolTimedOut);
        assert_eq!(failure_text(&WorkerError::Domain(db)), INTERNAL);
    }

    #[test]
    fn backoff_memory_follows_the_recorded_count() {
        let id = Uuid::new_v4();
        note(id, Some(3));
        assert_eq!(status(id), Some(Backoff { failures: 3 }));
        note(id, None);
        assert_eq!(status(id), Some(Backoff { failures: 4 }), "counted here when not stored");
        note(id, Some(0));
        assert_eq!(status(id), None);
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
