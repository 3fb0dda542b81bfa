//! Writing the inventory: the periodic full sync of one (account, region) and the partial
//! updates that follow actions and per-server refreshes.

use std::collections::HashSet;

use lightdeck_huaweicloud::{InstanceId, OrderId, PackageId, Region, ServerId};
use serde_json::{Value, json};
use sqlx::PgPool;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::TrafficCycle;
use crate::{Error, Result};

/// One instance as a sync read it from the cloud. `None` means "this sync did not learn
/// it": the stored value is kept (traffic and expiry come from other APIs than RMS).
#[derive(Debug, Clone, PartialEq)]
pub struct SyncedInstance {
    pub instance_id: InstanceId,
    pub server_id: Option<ServerId>,
    pub traffic_package_id: Option<PackageId>,
    pub name: String,
    pub spec_code: Option<String>,
    pub image_name: Option<String>,
    pub image_version: Option<String>,
    pub status: String,
    pub private_ips: Vec<String>,
    pub public_ips: Vec<String>,
    pub expires_at: Option<OffsetDateTime>,
    pub auto_renew: Option<bool>,
    pub traffic_remaining_gb: Option<f64>,
    pub traffic_total_gb: Option<f64>,
    pub order_id: Option<OrderId>,
    /// The raw RMS resource, kept for troubleshooting.
    pub raw: Value,
    /// The traffic package's cycle; each part the sync did not learn keeps the stored one.
    pub traffic_cycle: TrafficCycle,
}

impl SyncedInstance {
    /// A minimal instance; fill in the rest with struct update syntax.
    pub fn new(
        instance_id: InstanceId,
        name: impl Into<String>,
        status: impl Into<String>,
    ) -> Self {
        SyncedInstance {
            instance_id,
            server_id: None,
            traffic_package_id: None,
            name: name.into(),
            spec_code: None,
            image_name: None,
            image_version: None,
            status: status.into(),
            private_ips: Vec::new(),
            public_ips: Vec::new(),
            expires_at: None,
            auto_renew: None,
            traffic_remaining_gb: None,
            traffic_total_gb: None,
            order_id: None,
            raw: Value::Null,
            traffic_cycle: TrafficCycle::default(),
        }
    }
}

/// What one sync changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncReport {
    pub added: u64,
    /// Rows whose content differed, including instances that re-appeared after being gone.
    pub changed: u64,
    /// Instances of this account and region the cloud no longer lists, newly marked gone.
    pub gone: u64,
    pub unchanged: u64,
}

fn rfc3339(t: OffsetDateTime) -> Result<String> {
    t.format(&Rfc3339).map_err(|e| Error::field("expires_at", e.to_string()))
}

fn check_gb(field: &str, value: Option<f64>) -> Result<()> {
    match value {
        Some(v) if !v.is_finite() || v < 0.0 => {
            Err(Error::field(field, "must be a non-negative number of GB"))
        }
        _ => Ok(()),
    }
}

fn to_json(items: &[SyncedInstance]) -> Result<Value> {
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        if !seen.insert(it.instance_id.as_str()) {
            return Err(Error::field(
                format!("items[{i}].instance_id"),
                format!("{} appears more than once", it.instance_id),
            ));
        }
        check_gb(&format!("items[{i}].traffic_remaining_gb"), it.traffic_remaining_gb)?;
        check_gb(&format!("items[{i}].traffic_total_gb"), it.traffic_total_gb)?;
        rows.push(json!({
            "instance_id": it.instance_id,
            "server_id": it.server_id,
            "traffic_package_id": it.traffic_package_id,
            "name": it.name,
            "spec_code": it.spec_code,
            "image_name": it.image_name,
            "image_version": it.image_version,
            "status": it.status,
            "private_ips": it.private_ips,
            "public_ips": it.public_ips,
            "expires_at": it.expires_at.map(rfc3339).transpose()?,
            "auto_renew": it.auto_renew,
            "traffic_remaining_gb": it.traffic_remaining_gb,
            "traffic_total_gb": it.traffic_total_gb,
            "order_id": it.order_id,
            "raw": it.raw,
            "traffic_cycle_start": it.traffic_cycle.start.map(rfc3339).transpose()?,
            "traffic_cycle_end": it.traffic_cycle.end.map(rfc3339).transpose()?,
            "traffic_reuse_cycle": it.traffic_cycle.reuse_cycle.map(|c| c.code()),
            "traffic_reuse_cycle_type": it.traffic_cycle.reuse_cycle_type.map(|c| c.code()),
        }));
    }
    Ok(Value::Array(rows))
}

/// The new value of each content column: optional ones keep the stored value when the sync
/// did not learn them. `i` is the stored row, `x` the input.
const NEW_VALUES: &str = "x.region, coalesce(x.server_id, i.server_id), \
    coalesce(x.traffic_package_id, i.traffic_package_id), x.name, coalesce(x.spec_code, i.spec_code), \
    coalesce(x.image_name, i.image_name), coalesce(x.image_version, i.image_version), x.status, \
    x.private_ips, x.public_ips, coalesce(x.expires_at, i.expires_at), \
    coalesce(x.auto_renew, i.auto_renew), coalesce(x.traffic_remaining_gb, i.traffic_remaining_gb), \
    coalesce(x.traffic_total_gb, i.traffic_total_gb), coalesce(x.order_id, i.order_id), \
    coalesce(x.traffic_cycle_start, i.traffic_cycle_start), \
    coalesce(x.traffic_cycle_end, i.traffic_cycle_end), \
    coalesce(x.traffic_reuse_cycle, i.traffic_reuse_cycle), \
    coalesce(x.traffic_reuse_cycle_type, i.traffic_reuse_cycle_type), \
    CASE WHEN jsonb_typeof(x.raw -> 'tags') = 'object' THEN x.raw -> 'tags' ELSE i.tags END";

const OLD_VALUES: &str = "i.region, i.server_id, i.traffic_package_id, i.name, i.spec_code, \
    i.image_name, i.image_version, i.status, i.private_ips, i.public_ips, i.expires_at, \
    i.auto_renew, i.traffic_remaining_gb, i.traffic_total_gb, i.order_id, i.traffic_cycle_start, \
    i.traffic_cycle_end, i.traffic_reuse_cycle, i.traffic_reuse_cycle_type, i.tags";

const INPUT: &str = "jsonb_to_recordset($3) AS x(instance_id text, server_id text, \
    traffic_package_id text, name text, spec_code text, image_name text, image_version text, \
    status text, private_ips text[], public_ips text[], expires_at timestamptz, \
    auto_renew boolean, traffic_remaining_gb numeric, traffic_total_gb numeric, order_id text, \
    raw jsonb, traffic_cycle_start timestamptz, traffic_cycle_end timestamptz, \
    traffic_reuse_cycle smallint, traffic_reuse_cycle_type smallint)";

/// Applies one full listing of an account's instances in one region: inserts new ones,
/// updates changed ones, marks the ones the cloud no longer lists as gone (and un-gones
/// any that came back). Concurrent syncs of the same (account, region) take turns.
pub async fn upsert_from_sync(
    pool: &PgPool,
    account_id: Uuid,
    region: Region,
    items: &[SyncedInstance],
) -> Result<SyncReport> {
    upsert(pool, account_id, region, items, true).await
}

/// Applies what the cloud said about some instances of one (account, region), e.g. the
/// ones a purchase just created: like [`upsert_from_sync`], but instances not in `items`
/// are left as they are.
pub async fn upsert_some(
    pool: &PgPool,
    account_id: Uuid,
    region: Region,
    items: &[SyncedInstance],
) -> Result<SyncReport> {
    upsert(pool, account_id, region, items, false).await
}

async fn upsert(
    pool: &PgPool,
    account_id: Uuid,
    region: Region,
    items: &[SyncedInstance],
    full_listing: bool,
) -> Result<SyncReport> {
    let input = to_json(items)?;
    let mut tx = pool.begin().await?;
    // A removed account takes no sync; the shared row lock orders this against a removal
    // (`accounts::remove`), so a sync under way cannot bring its instances back.
    let team_id: Option<Uuid> = sqlx::query_scalar(
        "SELECT team_id FROM cloud_accounts WHERE id = $1 AND removed_at IS NULL FOR SHARE",
    )
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let team_id = team_id.ok_or(Error::NotFound)?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('lightdeck.inventory.sync'), hashtext($1))")
        .bind(format!("{account_id}/{region}"))
        .execute(&mut *tx)
        .await?;

    // Existing rows are updated through a join (a per-row lookup into the input would be
    // quadratic), new ones inserted. `old` sees the rows as they were before either (all
    // CTEs share one snapshot), which tells changed rows from unchanged ones. Data-modifying
    // CTEs always run to completion, read or not.
    let sql = format!(
        "WITH input AS (SELECT $2::text AS region, x.* FROM {INPUT}), \
         old AS ( \
             SELECT i.instance_id, \
                    (i.gone_at IS NULL AND ({OLD_VALUES}) IS NOT DISTINCT FROM ({NEW_VALUES})) AS same \
             FROM instances i JOIN input x USING (instance_id) WHERE i.account_id = $1), \
         updated AS ( \
             UPDATE instances i SET \
                 (region, server_id, traffic_package_id, name, spec_code, image_name, \
                  image_version, status, private_ips, public_ips, expires_at, auto_renew, \
                  traffic_remaining_gb, traffic_total_gb, order_id, traffic_cycle_start, \
                  traffic_cycle_end, traffic_reuse_cycle, traffic_reuse_cycle_type, tags) \
                  = ({NEW_VALUES}), \
                 updated_at = CASE WHEN old.same THEN i.updated_at ELSE now() END, \
                 raw = x.raw, last_synced_at = now(), gone_at = NULL \
             FROM input x JOIN old USING (instance_id) \
             WHERE i.account_id = $1 AND i.instance_id = x.instance_id), \
         inserted AS ( \
             INSERT INTO instances (team_id, account_id, region, instance_id, server_id, \
                 traffic_package_id, name, spec_code, image_name, image_version, status, \
                 private_ips, public_ips, expires_at, auto_renew, traffic_remaining_gb, \
                 traffic_total_gb, order_id, raw, traffic_cycle_start, traffic_cycle_end, \
                 traffic_reuse_cycle, traffic_reuse_cycle_type, tags) \
             SELECT $4, $1, x.region, x.instance_id, x.server_id, x.traffic_package_id, x.name, \
                 x.spec_code, x.image_name, x.image_version, x.status, \
                 coalesce(x.private_ips, '{{}}'), coalesce(x.public_ips, '{{}}'), x.expires_at, \
                 coalesce(x.auto_renew, false), x.traffic_remaining_gb, x.traffic_total_gb, \
                 x.order_id, x.raw, x.traffic_cycle_start, x.traffic_cycle_end, \
                 x.traffic_reuse_cycle, x.traffic_reuse_cycle_type, \
                 CASE WHEN jsonb_typeof(x.raw -> 'tags') = 'object' THEN x.raw -> 'tags' ELSE '{{}}' END \
             FROM input x WHERE NOT EXISTS (SELECT 1 FROM old WHERE old.instance_id = x.instance_id) \
             ON CONFLICT (account_id, instance_id) DO NOTHING \
             RETURNING id) \
         SELECT (SELECT count(*) FROM inserted), \
                (SELECT count(*) FROM old WHERE NOT old.same), \
                (SELECT count(*) FROM old WHERE old.same)"
    );
    let (added, changed, unchanged): (i64, i64, i64) = sqlx::query_as(&sql)
        .bind(account_id)
        .bind(region.id())
        .bind(&input)
        .bind(team_id)
        .fetch_one(&mut *tx)
        .await?;

    let listed: Vec<&str> = items.iter().map(|i| i.instance_id.as_str()).collect();
    let gone = if !full_listing {
        0
    } else {
        sqlx::query(
            "UPDATE instances SET gone_at = now(), updated_at = now() \
         WHERE account_id = $1 AND region = $2 AND gone_at IS NULL AND NOT (instance_id = ANY($3))",
        )
        .bind(account_id)
        .bind(region.id())
        .bind(&listed)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    };
    tx.commit().await?;

    let added = added as u64;
    if added > 0 {
        analyze_if_grown(pool, account_id, added).await;
    }

    Ok(SyncReport { added, changed: changed as u64, gone, unchanged: unchanged as u64 })
}

/// A sync that added many rows (the first one of an account, typically) leaves the planner
/// without statistics until autovacuum gets round to the table, a minute or more later; in
/// between, the instance list sorts every row of the team instead of walking the
/// `(team_id, lower(name), id)` index. `ANALYZE` samples the table in milliseconds, so run
/// it right away when the sync added at least 100 rows or a tenth of the account's rows.
/// The sync itself is committed by then: a failure here is only logged.
async fn analyze_if_grown(pool: &PgPool, account_id: Uuid, added: u64) {
    let result = async {
        if added < ANALYZE_AFTER_ADDED {
            let rows: i64 =
                sqlx::query_scalar("SELECT count(*) FROM instances WHERE account_id = $1")
                    .bind(account_id)
                    .fetch_one(pool)
                    .await?;
            if added.saturating_mul(10) < rows.max(0) as u64 {
                return Ok(());
            }
        }
        sqlx::query("ANALYZE instances").execute(pool).await.map(|_| ())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not analyze the inventory after a sync");
    }
}

/// How many added rows always warrant an `ANALYZE` (see [`analyze_if_grown`]).
const ANALYZE_AFTER_ADDED: u64 = 100;

/// Sets the status of the account's servers (after an action or a per-server refresh).
/// Returns how many rows changed.
pub async fn update_status(
    pool: &PgPool,
    account_id: Uuid,
    statuses: &[(ServerId, String)],
) -> Result<u64> {
    let servers: Vec<&str> = statuses.iter().map(|(s, _)| s.as_str()).collect();
    let values: Vec<&str> = statuses.iter().map(|(_, v)| v.as_str()).collect();
    let done = sqlx::query(
        "UPDATE instances i SET status = u.status, updated_at = now() \
         FROM unnest($2::text[], $3::text[]) AS u(server_id, status) \
         WHERE i.account_id = $1 AND i.server_id = u.server_id AND i.status IS DISTINCT FROM u.status",
    )
    .bind(account_id)
    .bind(&servers)
    .bind(&values)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Traffic package usage, as BSS reports it per package.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficUpdate {
    pub package_id: PackageId,
    pub remaining_gb: f64,
    pub total_gb: f64,
}

pub async fn update_traffic(
    pool: &PgPool,
    account_id: Uuid,
    updates: &[TrafficUpdate],
) -> Result<u64> {
    for (i, u) in updates.iter().enumerate() {
        check_gb(&format!("updates[{i}].remaining_gb"), Some(u.remaining_gb))?;
        check_gb(&format!("updates[{i}].total_gb"), Some(u.total_gb))?;
    }
    let packages: Vec<&str> = updates.iter().map(|u| u.package_id.as_str()).collect();
    let remaining: Vec<f64> = updates.iter().map(|u| u.remaining_gb).collect();
    let total: Vec<f64> = updates.iter().map(|u| u.total_gb).collect();
    let done = sqlx::query(
        "UPDATE instances i SET traffic_remaining_gb = u.remaining, traffic_total_gb = u.total, \
             updated_at = now() \
         FROM unnest($2::text[], $3::float8[], $4::float8[]) AS u(package_id, remaining, total) \
         WHERE i.account_id = $1 AND i.traffic_package_id = u.package_id",
    )
    .bind(account_id)
    .bind(&packages)
    .bind(&remaining)
    .bind(&total)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Expiry and auto-renew, as BSS reports them after a renewal or an order.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpiryUpdate {
    pub instance_id: InstanceId,
    pub expires_at: OffsetDateTime,
    /// `None` keeps the stored flag.
    pub auto_renew: Option<bool>,
}

pub async fn update_expiry(
    pool: &PgPool,
    account_id: Uuid,
    updates: &[ExpiryUpdate],
) -> Result<u64> {
    let ids: Vec<&str> = updates.iter().map(|u| u.instance_id.as_str()).collect();
    let expires: Vec<OffsetDateTime> = updates.iter().map(|u| u.expires_at).collect();
    let renew: Vec<Option<bool>> = updates.iter().map(|u| u.auto_renew).collect();
    let done = sqlx::query(
        "UPDATE instances i SET expires_at = u.expires_at, \
             auto_renew = coalesce(u.auto_renew, i.auto_renew), updated_at = now() \
         FROM unnest($2::text[], $3::timestamptz[], $4::boolean[]) AS u(instance_id, expires_at, auto_renew) \
         WHERE i.account_id = $1 AND i.instance_id = u.instance_id",
    )
    .bind(account_id)
    .bind(&ids)
    .bind(&expires)
    .bind(&renew)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
