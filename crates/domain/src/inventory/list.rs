//! Reading the inventory: the filtered, sorted, keyset-paginated instance list and the
//! dashboard counts.

use lightdeck_huaweicloud::Region;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::summary::{self, InstanceSummary};
use super::{
    InstanceRow, InstanceState, Page, PageRequest, RECORD_COLUMNS, decode_cursor, encode_cursor,
    like_pattern, select_columns,
};
use crate::rows::corrupt_row;
use crate::{Error, Result};

/// Which instances to list. Empty filter = every live instance of the team.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceFilter {
    pub account_id: Option<Uuid>,
    pub region: Option<Region>,
    pub state: Option<InstanceState>,
    /// The cloud's status string, compared case-insensitively (e.g. `shutoff`).
    pub status: Option<String>,
    /// Free text matched case-insensitively against name, private and public IPs,
    /// instance id and server id.
    pub text: Option<String>,
    /// Also list instances the cloud no longer reports.
    pub include_gone: bool,
    /// Only instances with less than this percentage of their traffic package left (those
    /// whose figures are not known yet are left out). 0 to 100.
    pub traffic_below_pct: Option<f64>,
    /// Only instances that expire within this many days from now, or already expired: the
    /// dashboard's count. At most [`MAX_EXPIRES_WITHIN_DAYS`].
    pub expires_within_days: Option<u32>,
}

/// The furthest [`InstanceFilter::expires_within_days`] looks ahead: a year, leap day included.
pub const MAX_EXPIRES_WITHIN_DAYS: u32 = 366;

impl InstanceFilter {
    /// Values no page offers, refused here too, so a caller cannot build a query that
    /// would fail in Postgres (an interval overflow) or mean nothing (NaN).
    fn check(&self) -> Result<()> {
        if self.text.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(Error::field("text", "must be at most 200 characters"));
        }
        if self.traffic_below_pct.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
            return Err(Error::field("traffic_below_pct", "must be between 0 and 100"));
        }
        if self.expires_within_days.is_some_and(|d| d > MAX_EXPIRES_WITHIN_DAYS) {
            return Err(Error::field("expires_within_days", "must be at most 366"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Case-insensitive name.
    Name,
    /// The coarse state (running, stopped, …).
    Status,
    /// Expiry time; instances without one sort last.
    Expiry,
    /// Remaining traffic in GB; instances without a known figure sort last.
    TrafficLeft,
}

impl SortKey {
    /// The ORDER BY expression; each has an index `(team_id, <expr>, id)` in the migration.
    fn expr(self) -> &'static str {
        match self {
            SortKey::Name => "lower(name)",
            SortKey::Status => "state",
            SortKey::Expiry => "coalesce(expires_at, 'infinity'::timestamptz)",
            SortKey::TrafficLeft => "coalesce(traffic_remaining_gb, 'NaN'::numeric)",
        }
    }

    fn sql_type(self) -> &'static str {
        match self {
            SortKey::Name | SortKey::Status => "text",
            SortKey::Expiry => "timestamptz",
            SortKey::TrafficLeft => "numeric",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceSort {
    pub key: SortKey,
    pub descending: bool,
}

impl InstanceSort {
    pub fn asc(key: SortKey) -> Self {
        InstanceSort { key, descending: false }
    }

    pub fn desc(key: SortKey) -> Self {
        InstanceSort { key, descending: true }
    }
}

impl Default for InstanceSort {
    fn default() -> Self {
        InstanceSort::asc(SortKey::Name)
    }
}

/// Where the previous page ended. The sort is part of the cursor so a cursor from one sort
/// cannot silently be applied to another.
#[derive(Serialize, Deserialize)]
struct Cursor {
    k: SortKey,
    d: bool,
    /// The sort value of the last row, as Postgres printed it (cast back on the next page).
    v: String,
    i: i64,
}

/// A record a page query can return: decoded by position from the first `WIDTH` columns
/// (the sort value follows them).
pub(super) trait Listable: Sized + Send + Unpin {
    const WIDTH: usize;
    fn decode(row: &PgRow) -> sqlx::Result<Self>;
    fn row_id(&self) -> i64;
}

impl Listable for InstanceRow {
    const WIDTH: usize = RECORD_COLUMNS;

    fn decode(row: &PgRow) -> sqlx::Result<Self> {
        <InstanceRow as sqlx::FromRow<PgRow>>::from_row(row)
    }

    fn row_id(&self) -> i64 {
        self.id
    }
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, filter: &InstanceFilter) {
    if let Some(account) = filter.account_id {
        qb.push(" AND account_id = ").push_bind(account);
    }
    if let Some(region) = filter.region {
        qb.push(" AND region = ").push_bind(region.id());
    }
    if let Some(state) = filter.state {
        qb.push(" AND state = ").push_bind(state.as_str());
    }
    if let Some(status) = filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        qb.push(" AND upper(status) = upper(").push_bind(status.to_owned()).push(")");
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = like_pattern(text);
        qb.push(" AND (name ILIKE ").push_bind(pattern.clone());
        qb.push(" OR instance_id ILIKE ").push_bind(pattern.clone());
        qb.push(" OR server_id ILIKE ").push_bind(pattern.clone());
        qb.push(" OR array_to_string(private_ips, ' ') ILIKE ").push_bind(pattern.clone());
        qb.push(" OR array_to_string(public_ips, ' ') ILIKE ").push_bind(pattern);
        qb.push(")");
    }
    if let Some(pct) = filter.traffic_below_pct {
        qb.push(" AND traffic_left_pct < ").push_bind(pct).push("::float8");
    }
    if let Some(days) = filter.expires_within_days {
        // The database's clock, like `dashboard_counts`, so a link from the dashboard lists
        // exactly the instances it counted.
        let days = i32::try_from(days).unwrap_or(i32::MAX);
        qb.push(" AND expires_at <= now() + make_interval(days => ").push_bind(days).push(")");
    }
    if !filter.include_gone {
        qb.push(" AND gone_at IS NULL");
    } else {
        // A removed account's instances are gone too, but not "gone from the cloud".
        qb.push(
            " AND account_id NOT IN (SELECT id FROM cloud_accounts WHERE removed_at IS NOT NULL)",
        );
    }
}

/// How many of the team's instances match `filter` (all pages).
pub async fn count(db: impl PgExecutor<'_>, team_id: Uuid, filter: &InstanceFilter) -> Result<i64> {
    filter.check()?;
    let mut qb = QueryBuilder::new("SELECT count(*) FROM instances WHERE team_id = ");
    qb.push_bind(team_id);
    push_filters(&mut qb, filter);
    Ok(qb.build_query_scalar().fetch_one(db).await?)
}

/// One page of the team's instances.
pub async fn list(
    db: impl PgExecutor<'_>,
    team_id: Uuid,
    filter: &InstanceFilter,
    sort: InstanceSort,
    page: &PageRequest,
) -> Result<Page<InstanceRow>> {
    let columns = select_columns(false);
    let (items, next_cursor) =
        fetch_page::<InstanceRow>(db, &columns, team_id, filter, sort, page).await?;
    Ok(Page { items, next_cursor })
}

/// Like [`list`], with only what the instances table shows.
pub async fn list_summaries(
    db: impl PgExecutor<'_>,
    team_id: Uuid,
    filter: &InstanceFilter,
    sort: InstanceSort,
    page: &PageRequest,
) -> Result<Page<InstanceSummary>> {
    let (items, next_cursor) =
        fetch_page::<InstanceSummary>(db, summary::COLUMNS, team_id, filter, sort, page).await?;
    Ok(Page { items, next_cursor })
}

/// The records of one page and the cursor of the next.
async fn fetch_page<R: Listable>(
    db: impl PgExecutor<'_>,
    columns: &str,
    team_id: Uuid,
    filter: &InstanceFilter,
    sort: InstanceSort,
    page: &PageRequest,
) -> Result<(Vec<R>, Option<String>)> {
    let limit = page.checked_limit()?;
    filter.check()?;
    let expr = sort.key.expr();
    let mut qb = QueryBuilder::new(format!(
        "SELECT {columns}, ({expr})::text AS sort_value FROM instances WHERE team_id = "
    ));
    qb.push_bind(team_id);
    push_filters(&mut qb, filter);

    if let Some(cursor) = &page.cursor {
        let c: Cursor = decode_cursor(cursor)?;
        if c.k != sort.key || c.d != sort.descending {
            return Err(Error::field(
                "cursor",
                "belongs to a different sort order; start from the first page",
            ));
        }
        let op = if sort.descending { "<" } else { ">" };
        qb.push(format!(" AND ({expr}, id) {op} ("));
        qb.push_bind(c.v).push(format!("::{}, ", sort.key.sql_type()));
        qb.push_bind(c.i).push(")");
    }
    let dir = if sort.descending { "DESC" } else { "ASC" };
    // The limit is written into the SQL, not bound: with a bound LIMIT the planner never
    // trusts a cached generic plan and plans the query again on every page view (measured:
    // a third of the query's cost). It is a checked integer, never text from a request.
    qb.push(format!(" ORDER BY {expr} {dir}, id {dir} LIMIT {}", limit + 1));

    let mut rows: Vec<PgRow> = qb.build().fetch_all(db).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let records = rows
        .iter()
        .map(|row| R::decode(row).map_err(|e| corrupt_row("instances", "id", row, e)))
        .collect::<sqlx::Result<Vec<R>>>()?;
    // Only the last row's sort value is needed (for the cursor).
    let next_cursor = match (rows.last(), records.last()) {
        (Some(row), Some(last)) if more => Some(encode_cursor(&Cursor {
            k: sort.key,
            d: sort.descending,
            v: row.try_get(R::WIDTH)?,
            i: last.row_id(),
        })),
        _ => None,
    };
    Ok((records, next_cursor))
}

/// The numbers on the dashboard, over the team's live instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct DashboardCounts {
    pub total: i64,
    pub running: i64,
    pub stopped: i64,
    pub transitional: i64,
    pub error: i64,
    pub unknown: i64,
    /// Expiring within the given number of days (or already expired).
    pub expiring: i64,
    /// With less than the given percentage of their traffic package left.
    pub low_traffic: i64,
}

pub async fn dashboard_counts(
    pool: &PgPool,
    team_id: Uuid,
    expiring_within_days: u32,
    traffic_below_pct: f64,
) -> Result<DashboardCounts> {
    if !(0.0..=100.0).contains(&traffic_below_pct) {
        return Err(Error::field("traffic_below_pct", "must be between 0 and 100"));
    }
    let days = i32::try_from(expiring_within_days)
        .ok()
        .filter(|d| *d <= 3650)
        .ok_or_else(|| Error::field("expiring_within_days", "must be at most 3650"))?;
    let counts = sqlx::query_as(
        "SELECT count(*) AS total, \
                count(*) FILTER (WHERE state = 'running') AS running, \
                count(*) FILTER (WHERE state = 'stopped') AS stopped, \
                count(*) FILTER (WHERE state = 'transitional') AS transitional, \
                count(*) FILTER (WHERE state = 'error') AS error, \
                count(*) FILTER (WHERE state = 'unknown') AS unknown, \
                count(*) FILTER (WHERE expires_at <= now() + make_interval(days => $2)) AS expiring, \
                count(*) FILTER (WHERE traffic_left_pct < $3::float8) AS low_traffic \
         FROM instances WHERE team_id = $1 AND gone_at IS NULL",
    )
    .bind(team_id)
    .bind(days)
    .bind(traffic_below_pct)
    .fetch_one(pool)
    .await?;
    Ok(counts)
}
