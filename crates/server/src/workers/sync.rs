//! Inventory sync of one account: RMS lists its Flexus L instances per enabled region, ECS
//! adds live statuses and addresses, BSS the remaining traffic and the expiry; the domain
//! applies the listing ([`inventory::upsert_from_sync`]) and says what changed.
//!
//! Never two syncs of one account at once: the context's set of accounts being synced in
//! this process, plus the domain's sync lease ([`accounts::try_begin_sync`], a database
//! lock held for the whole sync), so two `lightdeck serve` processes on one database do not
//! overlap either. The outcome is recorded on the account ([`accounts::SyncStatus`]) for
//! every process to show and to back off on.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use lightdeck_domain::accounts::{self, Account as StoredAccount, SyncFailure};
use lightdeck_domain::inventory::{
    self, ReuseCycle, ReuseCycleType, SyncReport, SyncedInstance, TrafficCycle,
};
use lightdeck_huaweicloud::model::bss::FreeResourceDetail;
use lightdeck_huaweicloud::model::ecs::ServerDetail;
use lightdeck_huaweicloud::model::rms::ResourceEntity;
use lightdeck_huaweicloud::{Account, InstanceId, PackageId, Region};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::Ctx;
use super::cloud::{self, WorkerError, account_handle};

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
    /// Purchases whose answer was lost and that this sync found.
    pub reconciled: usize,
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

/// The panel's own code for a failure that is neither Huawei's nor a lost call.
const INTERNAL: &str = "lightdeck.internal";

/// What is stored about a failed sync: Huawei's code (or one of [`cloud::codes`]), the HTTP
/// status and the message. Pages explain the code in the reader's language; the message
/// is the cloud's words, kept for whoever reads the database or the logs.
pub fn failure(e: &WorkerError, at: OffsetDateTime) -> SyncFailure {
    let (code, http_status, message) = match e {
        WorkerError::Cloud(e) => {
            let described = cloud::cloud_error(e);
            let code = described.code.unwrap_or_else(|| INTERNAL.to_owned());
            (code, e.status(), Some(described.message))
        }
        // Their texts name key ids and SQL; the code says enough.
        WorkerError::Domain(
            lightdeck_domain::Error::Crypto(_) | lightdeck_domain::Error::Invalid(_),
        ) => (cloud::codes::CREDENTIALS.to_owned(), None, None),
        WorkerError::Domain(_) | WorkerError::SyncRunning => (INTERNAL.to_owned(), None, None),
    };
    SyncFailure { at, code, http_status, message }
}

/// Failures in a row of `account` after a sync of it just failed, as every process reads
/// them (the count the loop backs off on). `account` is the listing from before the sync,
/// which counts when the database cannot be read now.
pub async fn failures_in_a_row(ctx: &Ctx, account: &StoredAccount) -> u32 {
    let recorded = accounts::sync_status(&ctx.db, account.id).await.ok();
    after_failure(recorded.map(|s| s.sync_failures), account.sync.sync_failures)
}

fn after_failure(recorded: Option<u32>, listed_before: u32) -> u32 {
    recorded.unwrap_or_else(|| listed_before.saturating_add(1))
}

/// The accounts this process is syncing now. The database lease alone would also keep two
/// syncs apart, but this refuses the second before it takes a pooled connection.
#[derive(Debug, Clone, Default)]
pub struct Syncing(Arc<Mutex<HashSet<Uuid>>>);

impl Syncing {
    fn start(&self, account_id: Uuid) -> Result<Running, WorkerError> {
        let mut set = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if set.insert(account_id) {
            Ok(Running(self.clone(), account_id))
        } else {
            Err(WorkerError::SyncRunning)
        }
    }
}

/// Removes the account from the running set however the sync ends (even if cancelled).
struct Running(Syncing, Uuid);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.0.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.1);
    }
}

/// Syncs every enabled region of one account. `WorkerError::SyncRunning` when a sync of it
/// is already under way here or in another process.
pub async fn sync_account(ctx: &Ctx, account_id: Uuid) -> Result<SyncSummary, WorkerError> {
    let _running = ctx.syncing.start(account_id)?;
    let Some(lease) = accounts::try_begin_sync(&ctx.db, account_id).await? else {
        return Err(WorkerError::SyncRunning);
    };
    let result = sync_regions(ctx, account_id).await;
    // Written while the lease is held, so outcomes of one account are never interleaved.
    let recorded = match &result {
        Ok(_) => lease.record_success(&ctx.db, ctx.now()).await,
        Err(e) => lease.record_failure(&ctx.db, &failure(e, ctx.now())).await.map(|_| ()),
    };
    if let Err(e) = &recorded {
        tracing::warn!(account = %account_id, error = %e, "the sync outcome could not be recorded");
    }
    // Explicitly and awaited: see `SyncLease` for why dropping it is not enough.
    lease.release().await?;
    result
}

async fn sync_regions(ctx: &Ctx, account_id: Uuid) -> Result<SyncSummary, WorkerError> {
    let handle = account_handle(ctx, account_id).await?;
    let mut summary = SyncSummary::default();
    for r in accounts::regions(&ctx.db, account_id).await? {
        let items = read_region(&handle, r.region, &mut summary.partial).await?;
        let report = inventory::upsert_from_sync(&ctx.db, account_id, r.region, &items).await?;
        summary.add(report);
    }
    // The inventory is fresh: the moment to look for what lost purchases created. A failure
    // here is not the sync's; the next sync looks again.
    match super::purchases::reconcile(ctx, &handle, account_id).await {
        Ok(n) => summary.reconciled = n,
        Err(e) => {
            tracing::warn!(account = %account_id, error = %e, "could not reconcile lost purchases");
            note_partial(&mut summary.partial, "ListCustomerOrders");
        }
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
    read_details(handle, region, listed?.items, partial).await
}

/// What ECS and BSS add to instances RMS listed in `region`: live status and addresses,
/// traffic left, expiry. Deleted ones and ones of other regions are dropped.
pub(super) async fn read_details(
    handle: &Account,
    region: Region,
    listed: Vec<ResourceEntity>,
    partial: &mut Vec<&'static str>,
) -> Result<Vec<SyncedInstance>, WorkerError> {
    let entities: Vec<ResourceEntity> = listed
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
                    item.traffic_cycle = traffic_cycle(&usage);
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

/// The package's cycle as BSS states it. A time that does not parse, or a window that ends
/// before it starts, is left out (the stored one is kept) rather than shown wrong.
fn traffic_cycle(usage: &FreeResourceDetail) -> TrafficCycle {
    let time =
        |t: &Option<String>| t.as_deref().and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
    let (mut start, mut end) = (time(&usage.start_time), time(&usage.end_time));
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        (start, end) = (None, None);
    }
    TrafficCycle {
        start,
        end,
        reuse_cycle: usage.quota_reuse_cycle.and_then(ReuseCycle::from_code),
        reuse_cycle_type: usage.quota_reuse_cycle_type.and_then(ReuseCycleType::from_code),
    }
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
    fn failures_keep_their_code_status_and_no_secret_words() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let secret = lightdeck_domain::Error::Crypto("key k1 refused".into());
        let f = failure(&WorkerError::Domain(secret), at);
        assert_eq!(
            (f.code.as_str(), f.http_status, f.message),
            (cloud::codes::CREDENTIALS, None, None)
        );
        let db = lightdeck_domain::Error::Database(sqlx::Error::PoolTimedOut);
        assert_eq!(failure(&WorkerError::Domain(db), at).code, INTERNAL);
        let config = lightdeck_huaweicloud::Error::Config("no endpoint for cn-north-4".into());
        let f = failure(&WorkerError::Cloud(config), at);
        assert_eq!((f.code.as_str(), f.http_status, f.at), (cloud::codes::CONFIG, None, at));
        assert!(f.message.is_some_and(|m| m.contains("no endpoint")));
    }

    #[test]
    fn the_backoff_follows_the_recorded_count() {
        assert_eq!(after_failure(Some(3), 7), 3, "the database's count wins");
        assert_eq!(after_failure(None, 3), 4, "counted from the listing when it cannot be read");
        assert_eq!(after_failure(None, u32::MAX), u32::MAX);
    }

    #[test]
    fn one_sync_per_account_in_process() {
        let syncing = Syncing::default();
        let id = Uuid::new_v4();
        let first = syncing.start(id).unwrap();
        assert!(matches!(syncing.start(id), Err(WorkerError::SyncRunning)));
        assert!(matches!(syncing.clone().start(id), Err(WorkerError::SyncRunning)), "shared");
        assert!(Syncing::default().start(id).is_ok(), "another process's set is its own");
        drop(first);
        assert!(syncing.start(id).is_ok());
    }
}
