//! The rows a confirmation page lists: the instances a person selected, or those that
//! expire soon. Only live instances of the team; the caller compares counts for 404s.

use lightdeck_huaweicloud::InstanceId;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{InstanceRow, select_columns};
use crate::Result;
use crate::rows::{Checked, unchecked};

/// Most instances one confirmation page lists (and one request renews).
pub const MAX_SELECTED: usize = 500;

/// The team's live instances among `ids`, soonest expiry first.
pub async fn selected(
    pool: &PgPool,
    team_id: Uuid,
    ids: &[InstanceId],
) -> Result<Vec<InstanceRow>> {
    let sql = format!(
        "SELECT {} FROM instances \
         WHERE team_id = $1 AND instance_id = ANY($2) AND gone_at IS NULL \
         ORDER BY expires_at ASC NULLS LAST, instance_id LIMIT $3",
        select_columns(false)
    );
    let rows: Vec<Checked<InstanceRow>> = sqlx::query_as(&sql)
        .bind(team_id)
        .bind(ids)
        .bind(MAX_SELECTED as i64)
        .fetch_all(pool)
        .await?;
    Ok(unchecked(rows))
}

/// The team's live instances that expire before `until` (expired ones included), soonest
/// first, at most [`MAX_SELECTED`].
pub async fn expiring_before(
    pool: &PgPool,
    team_id: Uuid,
    until: OffsetDateTime,
) -> Result<Vec<InstanceRow>> {
    let sql = format!(
        "SELECT {} FROM instances \
         WHERE team_id = $1 AND gone_at IS NULL AND expires_at < $2 \
         ORDER BY expires_at ASC, instance_id LIMIT $3",
        select_columns(false)
    );
    let rows: Vec<Checked<InstanceRow>> = sqlx::query_as(&sql)
        .bind(team_id)
        .bind(until)
        .bind(MAX_SELECTED as i64)
        .fetch_all(pool)
        .await?;
    Ok(unchecked(rows))
}

/// The names of the team's instances among `ids`, gone ones included (orders and history
/// outlive their instances).
pub async fn names(
    pool: &PgPool,
    team_id: Uuid,
    ids: &[InstanceId],
) -> Result<std::collections::HashMap<InstanceId, String>> {
    let rows: Vec<(InstanceId, String)> = sqlx::query_as(
        "SELECT DISTINCT ON (instance_id) instance_id, name FROM instances \
         WHERE team_id = $1 AND instance_id = ANY($2) \
         ORDER BY instance_id, gone_at IS NOT NULL, last_synced_at DESC",
    )
    .bind(team_id)
    .bind(ids)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}
