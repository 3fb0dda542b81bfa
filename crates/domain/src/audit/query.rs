//! Reading the log: filtered, newest first, keyset-paginated on `seq`.

use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Postgres, QueryBuilder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{AuditEvent, AuditRecord, COLUMNS, Outcome};
use crate::inventory::{Page, PageRequest, decode_cursor, encode_cursor};
use crate::{Error, Result};

/// Which events to read. Empty filter = all of the team's events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub actor_user_id: Option<Uuid>,
    /// e.g. `instance.reboot.` or `instance.` (matched literally, case-sensitive).
    pub action_prefix: Option<String>,
    /// An instance id, server id, user id… that appears in the event's targets.
    pub target_id: Option<String>,
    pub outcome: Option<Outcome>,
    /// Inclusive lower bound.
    pub from: Option<OffsetDateTime>,
    /// Exclusive upper bound.
    pub to: Option<OffsetDateTime>,
}

impl AuditFilter {
    fn check(&self) -> Result<()> {
        if self.action_prefix.as_ref().is_some_and(|p| p.len() > 100) {
            return Err(Error::field("action_prefix", "must be at most 100 characters"));
        }
        if self.target_id.as_ref().is_some_and(|t| t.len() > 256) {
            return Err(Error::field("target_id", "must be at most 256 characters"));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from >= to
        {
            return Err(Error::field("to", "must be later than from"));
        }
        Ok(())
    }
}

/// `SELECT … FROM audit_events WHERE team_id = $1 AND <filters>` for list and export.
pub(super) fn filtered_select(
    team_id: Uuid,
    filter: &AuditFilter,
) -> Result<QueryBuilder<'static, Postgres>> {
    filter.check()?;
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM audit_events WHERE team_id = "));
    qb.push_bind(team_id);
    if let Some(actor) = filter.actor_user_id {
        qb.push(" AND actor_user_id = ").push_bind(actor);
    }
    if let Some(prefix) = filter.action_prefix.as_deref().filter(|p| !p.is_empty()) {
        let mut pattern: String = prefix
            .chars()
            .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
            .collect();
        pattern.push('%');
        qb.push(" AND action LIKE ").push_bind(pattern);
    }
    if let Some(target) = filter.target_id.as_deref().filter(|t| !t.is_empty()) {
        qb.push(" AND target_ids @> ARRAY[").push_bind(target.to_owned()).push("]::text[]");
    }
    if let Some(outcome) = filter.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.as_str());
    }
    if let Some(from) = filter.from {
        qb.push(" AND occurred_at >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        qb.push(" AND occurred_at < ").push_bind(to);
    }
    Ok(qb)
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    seq: i64,
}

/// One page of the team's events, newest first.
pub async fn list(
    pool: &PgPool,
    team_id: Uuid,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEvent>> {
    let limit = page.checked_limit()?;
    let mut qb = filtered_select(team_id, filter)?;
    if let Some(cursor) = &page.cursor {
        let c: Cursor = decode_cursor(cursor)?;
        qb.push(" AND seq < ").push_bind(c.seq);
    }
    qb.push(" ORDER BY seq DESC LIMIT ").push_bind(limit + 1);
    let mut records: Vec<AuditRecord> = qb.build_query_as().fetch_all(pool).await?;
    let more = records.len() as i64 > limit;
    records.truncate(limit as usize);
    let items: Vec<AuditEvent> =
        records.into_iter().map(AuditEvent::try_from).collect::<Result<_>>()?;
    let next_cursor = match items.last() {
        Some(last) if more => Some(encode_cursor(&Cursor { seq: last.seq })),
        _ => None,
    };
    Ok(Page { items, next_cursor })
}
