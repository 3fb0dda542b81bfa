//! The instance inventory: what the cloud said about each Flexus L instance at the last
//! sync, per team across its cloud accounts. Pages read only this; workers keep it fresh.
//!
//! Instances that disappear from the cloud are marked gone (`gone_at`), never deleted, so
//! the audit log's targets stay resolvable and a re-appearing instance keeps its history.

mod list;
mod page;
mod selected;
mod summary;
mod sync;

use std::str::FromStr;

use lightdeck_huaweicloud::{InstanceId, OrderId, PackageId, Region, ServerId};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::rows::{Checked, Stored};
use crate::{Error, Result};

pub use list::{
    DashboardCounts, InstanceFilter, InstanceSort, MAX_EXPIRES_WITHIN_DAYS, SortKey, count,
    dashboard_counts, list, list_summaries,
};
pub use page::{MAX_PAGE, Page, PageRequest};
pub(crate) use page::{decode_cursor, encode_cursor, like_pattern};
pub use selected::{MAX_SELECTED, expiring_before, names, selected};
pub use summary::InstanceSummary;
pub use sync::{
    ExpiryUpdate, SyncReport, SyncedInstance, TrafficUpdate, update_expiry, update_status,
    update_traffic, upsert_from_sync, upsert_some,
};

/// The coarse state behind the ECS/RMS status string (derived by the database, see the
/// migration, so every writer agrees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceState {
    Running,
    Stopped,
    /// Starting, stopping, rebooting, being built or resized.
    Transitional,
    Error,
    Unknown,
}

impl InstanceState {
    pub const ALL: [InstanceState; 5] = [
        InstanceState::Running,
        InstanceState::Stopped,
        InstanceState::Transitional,
        InstanceState::Error,
        InstanceState::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Running => "running",
            InstanceState::Stopped => "stopped",
            InstanceState::Transitional => "transitional",
            InstanceState::Error => "error",
            InstanceState::Unknown => "unknown",
        }
    }
}

impl FromStr for InstanceState {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        InstanceState::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| {
            Error::field("state", "must be one of running, stopped, transitional, error, unknown")
        })
    }
}

crate::rows::text_column!(InstanceState);

/// One instance as the inventory knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceRow {
    /// Internal row id (stable; the pagination tie-breaker).
    pub id: i64,
    pub team_id: Uuid,
    pub account_id: Uuid,
    pub region: Region,
    pub instance_id: InstanceId,
    pub server_id: Option<ServerId>,
    pub traffic_package_id: Option<PackageId>,
    pub name: String,
    pub spec_code: Option<String>,
    pub image_name: Option<String>,
    pub image_version: Option<String>,
    /// The status string as the cloud reported it, e.g. `ACTIVE`, `SHUTOFF`.
    pub status: String,
    pub state: InstanceState,
    pub private_ips: Vec<String>,
    pub public_ips: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    pub auto_renew: bool,
    pub traffic_remaining_gb: Option<f64>,
    pub traffic_total_gb: Option<f64>,
    pub order_id: Option<OrderId>,
    /// The last raw RMS resource. Only [`get`] loads it; list pages leave it `None`.
    pub raw: Option<serde_json::Value>,
    /// Its tags as RMS lists them, `(key, value)` by key.
    pub tags: Vec<(String, String)>,
    #[serde(with = "time::serde::rfc3339")]
    pub last_synced_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub gone_at: Option<OffsetDateTime>,
    /// The traffic package's current cycle, as far as BSS has said.
    pub traffic_cycle: TrafficCycle,
}

/// How often a traffic package's allowance starts afresh (BSS `quota_reuse_cycle`; the
/// discriminants are its codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReuseCycle {
    Hour = 1,
    Day = 2,
    Week = 3,
    Month = 4,
    Year = 5,
}

impl ReuseCycle {
    /// `None` for a code the reference does not list (kept out rather than guessed).
    pub fn from_code(code: i64) -> Option<Self> {
        use ReuseCycle::*;
        [Hour, Day, Week, Month, Year].into_iter().find(|c| c.code() == code)
    }

    pub fn code(self) -> i64 {
        self as i64
    }
}

/// Where in the cycle the allowance resets (BSS `quota_reuse_cycle_type`; discriminants
/// are its codes): on the calendar cycle (the 1st of the month, …) or on the anniversary
/// of the subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReuseCycleType {
    Calendar = 1,
    Anniversary = 2,
}

impl ReuseCycleType {
    pub fn from_code(code: i64) -> Option<Self> {
        [ReuseCycleType::Calendar, ReuseCycleType::Anniversary]
            .into_iter()
            .find(|c| c.code() == code)
    }

    pub fn code(self) -> i64 {
        self as i64
    }
}

/// A traffic package's current cycle: for a resettable package the window the remaining
/// figure belongs to, else its validity window. Each part is optional: BSS gives what it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct TrafficCycle {
    #[serde(with = "time::serde::rfc3339::option")]
    pub start: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub end: Option<OffsetDateTime>,
    pub reuse_cycle: Option<ReuseCycle>,
    pub reuse_cycle_type: Option<ReuseCycleType>,
}

impl TrafficCycle {
    pub fn resets_monthly(&self) -> bool {
        self.reuse_cycle == Some(ReuseCycle::Month)
    }

    pub fn is_empty(&self) -> bool {
        *self == TrafficCycle::default()
    }

    /// From the stored smallints; codes nobody knows read as unknown.
    fn from_columns(
        start: Option<OffsetDateTime>,
        end: Option<OffsetDateTime>,
        cycle: Option<i16>,
        kind: Option<i16>,
    ) -> Self {
        TrafficCycle {
            start,
            end,
            reuse_cycle: cycle.and_then(|c| ReuseCycle::from_code(c.into())),
            reuse_cycle_type: kind.and_then(|k| ReuseCycleType::from_code(k.into())),
        }
    }
}

impl InstanceRow {
    /// Remaining traffic as a percentage of the package, when both are known.
    pub fn traffic_left_pct(&self) -> Option<f64> {
        traffic_left_pct(self.traffic_remaining_gb, self.traffic_total_gb)
    }
}

fn traffic_left_pct(remaining_gb: Option<f64>, total_gb: Option<f64>) -> Option<f64> {
    match (remaining_gb, total_gb) {
        (Some(left), Some(total)) if total > 0.0 => Some(left * 100.0 / total),
        _ => None,
    }
}

/// The columns every instance query selects, in the order [`InstanceRow`] decodes them
/// (by position: a page decodes 50 rows × 27 columns, and looking each column up by name
/// was a tenth of the instances page's CPU). `raw` is a placeholder so list queries can
/// skip the (large) JSON. Extra columns may follow; they are not read here.
pub(crate) fn select_columns(with_raw: bool) -> String {
    format!(
        "id, team_id, account_id, region, instance_id, server_id, traffic_package_id, name, \
         spec_code, image_name, image_version, status, state, private_ips, public_ips, \
         expires_at, auto_renew, traffic_remaining_gb::float8 AS traffic_remaining_gb, \
         traffic_total_gb::float8 AS traffic_total_gb, order_id, {}, last_synced_at, gone_at, \
         traffic_cycle_start, traffic_cycle_end, traffic_reuse_cycle, traffic_reuse_cycle_type, \
         tags",
        if with_raw { "raw" } else { "NULL::jsonb AS raw" }
    )
}

/// How many columns [`select_columns`] yields.
pub(crate) const RECORD_COLUMNS: usize = 28;

/// By position, see [`select_columns`]; each typed column parses as it decodes.
impl<'r> sqlx::FromRow<'r, PgRow> for InstanceRow {
    fn from_row(row: &'r PgRow) -> sqlx::Result<Self> {
        Ok(InstanceRow {
            id: row.try_get(0)?,
            team_id: row.try_get(1)?,
            account_id: row.try_get(2)?,
            region: row.try_get(3)?,
            instance_id: row.try_get(4)?,
            server_id: row.try_get(5)?,
            traffic_package_id: row.try_get(6)?,
            name: row.try_get(7)?,
            spec_code: row.try_get(8)?,
            image_name: row.try_get(9)?,
            image_version: row.try_get(10)?,
            status: row.try_get(11)?,
            state: row.try_get(12)?,
            private_ips: row.try_get(13)?,
            public_ips: row.try_get(14)?,
            expires_at: row.try_get(15)?,
            auto_renew: row.try_get(16)?,
            traffic_remaining_gb: row.try_get(17)?,
            traffic_total_gb: row.try_get(18)?,
            order_id: row.try_get(19)?,
            raw: row.try_get(20)?,
            last_synced_at: row.try_get(21)?,
            gone_at: row.try_get(22)?,
            traffic_cycle: TrafficCycle::from_columns(
                row.try_get(23)?,
                row.try_get(24)?,
                row.try_get(25)?,
                row.try_get(26)?,
            ),
            tags: tag_pairs(row.try_get(27)?),
        })
    }
}

/// A stored tags object as `(key, value)` pairs by key; values that are not strings (RMS
/// lists only strings) are left out rather than shown wrong.
pub(crate) fn tag_pairs(tags: serde_json::Value) -> Vec<(String, String)> {
    match tags {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Stored for InstanceRow {
    const TABLE: &'static str = "instances";
}

/// One instance of the team, by its 24-hex instance id. Another team's instance is
/// [`Error::NotFound`], exactly like a missing one.
pub async fn get(pool: &PgPool, team_id: Uuid, instance_id: &InstanceId) -> Result<InstanceRow> {
    // The same Huawei account connected twice would list an instance twice; prefer the live row.
    let sql = format!(
        "SELECT {} FROM instances WHERE team_id = $1 AND instance_id = $2 \
         ORDER BY gone_at IS NOT NULL, last_synced_at DESC LIMIT 1",
        select_columns(true)
    );
    let row: Option<Checked<InstanceRow>> =
        sqlx::query_as(&sql).bind(team_id).bind(instance_id).fetch_optional(pool).await?;
    Ok(row.ok_or(Error::NotFound)?.0)
}

/// One instance an action will address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TargetInstance {
    pub instance_id: InstanceId,
    pub server_id: Option<ServerId>,
    pub traffic_package_id: Option<PackageId>,
    pub order_id: Option<OrderId>,
    pub name: String,
}

/// The team's instances in one (account, region): one cloud call's worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub account_id: Uuid,
    pub region: Region,
    pub instances: Vec<TargetInstance>,
}

/// A [`TargetInstance`] with the (account, region) it is grouped by.
#[derive(sqlx::FromRow)]
struct Located {
    account_id: Uuid,
    region: Region,
    #[sqlx(flatten)]
    instance: TargetInstance,
}

impl Stored for Located {
    const TABLE: &'static str = "instances";
}

/// Which of `names` more than one of the team's accounts uses for a live instance: where
/// those are named to a person, the account is named too (DESIGN.md, "Names a person can
/// tell apart").
pub async fn shared_names(
    pool: &PgPool,
    team_id: Uuid,
    names: &[String],
) -> Result<std::collections::HashSet<String>> {
    let shared: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM instances WHERE team_id = $1 AND gone_at IS NULL AND name = ANY($2) \
         GROUP BY name HAVING count(DISTINCT account_id) > 1",
    )
    .bind(team_id)
    .bind(names)
    .fetch_all(pool)
    .await?;
    Ok(shared.into_iter().collect())
}

/// The given instance ids that belong to the team and still exist, grouped by
/// (account, region) in a stable order. Ids of other teams, unknown or gone instances are
/// simply absent: the caller compares and answers 404.
pub async fn resolve(pool: &PgPool, team_id: Uuid, ids: &[InstanceId]) -> Result<Vec<Target>> {
    let rows: Vec<Checked<Located>> = sqlx::query_as(
        // `id` only names the row if one does not parse.
        "SELECT id, account_id, region, instance_id, server_id, traffic_package_id, order_id, name \
         FROM instances \
         WHERE team_id = $1 AND instance_id = ANY($2) AND gone_at IS NULL \
         ORDER BY account_id, region, instance_id",
    )
    .bind(team_id)
    .bind(ids)
    .fetch_all(pool)
    .await?;

    let mut targets: Vec<Target> = Vec::new();
    for Checked(Located { account_id, region, instance }) in rows {
        match targets.last_mut() {
            Some(t) if t.account_id == account_id && t.region == region => {
                // The same instance id under the same account twice is impossible (unique key).
                t.instances.push(instance);
            }
            _ => targets.push(Target { account_id, region, instances: vec![instance] }),
        }
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`InstanceRow`] decodes by position: the select list must name its fields in
    /// exactly the struct's order.
    #[test]
    fn select_columns_match_the_positional_decoder() {
        const FIELDS: [&str; RECORD_COLUMNS] = [
            "id",
            "team_id",
            "account_id",
            "region",
            "instance_id",
            "server_id",
            "traffic_package_id",
            "name",
            "spec_code",
            "image_name",
            "image_version",
            "status",
            "state",
            "private_ips",
            "public_ips",
            "expires_at",
            "auto_renew",
            "traffic_remaining_gb",
            "traffic_total_gb",
            "order_id",
            "raw",
            "last_synced_at",
            "gone_at",
            "traffic_cycle_start",
            "traffic_cycle_end",
            "traffic_reuse_cycle",
            "traffic_reuse_cycle_type",
            "tags",
        ];
        for with_raw in [false, true] {
            let sql = select_columns(with_raw);
            let names: Vec<&str> = sql
                .split(',')
                .map(|c| c.trim().rsplit(" AS ").next().unwrap_or_default().trim())
                .collect();
            assert_eq!(names, FIELDS, "{sql}");
        }
    }
}
