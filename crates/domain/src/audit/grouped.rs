//! Reading the log one action per line: the `requested`, `accepted` and outcome events of
//! one instance action read together, newest action first.
//!
//! Events belong to the same action when they share the panel's request id, the instance
//! kind (`instance.<kind>.…`), the account, the region and the exact target list: that is
//! how [`crate::actions::Action::audit_draft`] writes every event of one action row. A
//! purchase is the exception: its targets are the instances it created, unknown when it is
//! requested and named only as they come to exist; one request records one purchase, so
//! the target list is not compared for it. Any
//! other event (a sign-in, an account change, an event without a panel request id) is an
//! action of its own.
//!
//! Grouping is done in SQL so pages stay exact: an action is listed at its newest event
//! (its "anchor"), and only when that newest event matches the filters. The cursor is the
//! anchor's `seq`, so every action appears on exactly one page, never split across two,
//! and pages hold `limit` actions. It also means the outcome filter selects actions by how
//! they ended so far, and the dates by when they last changed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use super::query::filtered_select;
use super::{AuditEvent, AuditFilter, AuditRecord, COLUMNS};
use crate::Result;
use crate::inventory::{Page, PageRequest, decode_cursor, encode_cursor};

/// BSS order status "pending payment" (reference §5.11), as the poller stores it in
/// `actions.job_status`: the order waits for a person to pay it in the Huawei console.
pub const ORDER_PENDING_PAYMENT: &str = "6";

/// Whether an action with these fields waits for someone to pay its order. Written against
/// the fields, not the kinds, so every kind followed through an order reads the same.
pub fn awaits_payment(order_id: Option<&str>, job_status: Option<&str>) -> bool {
    order_id.is_some_and(|o| !o.is_empty()) && job_status == Some(ORDER_PENDING_PAYMENT)
}

/// Same cursor shape as the event list, so a cursor carries over between the two views.
#[derive(Serialize, Deserialize)]
struct Cursor {
    seq: i64,
}

/// What ties an event to its action; `None` for an event that stands alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ActionKey {
    panel_request_id: String,
    kind: String,
    account_id: Option<Uuid>,
    region: Option<String>,
    target_ids: Vec<String>,
}

/// The Rust twin of [`SAME_ACTION`]: both must say the same.
fn key(e: &AuditEvent) -> Option<ActionKey> {
    let panel = e.panel_request_id.as_ref()?;
    let mut parts = e.action.split('.');
    let (Some("instance"), Some(kind)) = (parts.next(), parts.next()) else { return None };
    Some(ActionKey {
        panel_request_id: panel.clone(),
        kind: kind.to_owned(),
        account_id: e.account_id,
        region: e.region.clone(),
        target_ids: if kind == "purchase" { Vec::new() } else { e.target_ids.clone() },
    })
}

/// `n` is an event of the same action as the outer, unaliased `audit_events` row.
const SAME_ACTION: &str = "n.team_id = audit_events.team_id \
    AND n.panel_request_id = audit_events.panel_request_id \
    AND audit_events.action LIKE 'instance.%' AND n.action LIKE 'instance.%' \
    AND split_part(n.action, '.', 2) = split_part(audit_events.action, '.', 2) \
    AND n.account_id IS NOT DISTINCT FROM audit_events.account_id \
    AND n.region IS NOT DISTINCT FROM audit_events.region \
    AND (n.target_ids = audit_events.target_ids \
         OR split_part(audit_events.action, '.', 2) = 'purchase')";

/// One page of the team's actions, newest first; each item holds one action's events,
/// oldest first (its last event is the newest, the one that matched the filters).
pub async fn list_actions(
    pool: &PgPool,
    team_id: Uuid,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<Vec<AuditEvent>>> {
    let limit = page.checked_limit()?;
    let mut qb = filtered_select(team_id, filter)?;
    if let Some(cursor) = &page.cursor {
        let c: Cursor = decode_cursor(cursor)?;
        qb.push(" AND seq < ").push_bind(c.seq);
    }
    // Only events no later event of the same action follows: each action's newest.
    qb.push(format!(
        " AND NOT EXISTS (SELECT 1 FROM audit_events n WHERE n.seq > audit_events.seq AND {SAME_ACTION})"
    ));
    qb.push(" ORDER BY seq DESC LIMIT ").push_bind(limit + 1);
    let mut records: Vec<AuditRecord> = qb.build_query_as().fetch_all(pool).await?;
    let more = records.len() as i64 > limit;
    records.truncate(limit as usize);
    let anchors: Vec<AuditEvent> =
        records.into_iter().map(AuditEvent::try_from).collect::<Result<_>>()?;
    let next_cursor = match anchors.last() {
        Some(last) if more => Some(encode_cursor(&Cursor { seq: last.seq })),
        _ => None,
    };

    let earlier = earlier_events(pool, team_id, &anchors).await?;
    let items = anchors
        .into_iter()
        .map(|anchor| {
            let mut events: Vec<AuditEvent> = match key(&anchor) {
                Some(k) => earlier
                    .iter()
                    .filter(|e| e.seq < anchor.seq && key(e).as_ref() == Some(&k))
                    .cloned()
                    .collect(),
                None => Vec::new(),
            };
            events.push(anchor);
            events
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// Every event before the newest anchor that shares a panel request id with an anchor,
/// oldest first (one query for the page; the caller sorts them into actions).
async fn earlier_events(
    pool: &PgPool,
    team_id: Uuid,
    anchors: &[AuditEvent],
) -> Result<Vec<AuditEvent>> {
    let panels: Vec<String> = anchors
        .iter()
        .filter(|a| key(a).is_some())
        .filter_map(|a| a.panel_request_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let Some(newest) = anchors.iter().map(|a| a.seq).max() else { return Ok(Vec::new()) };
    if panels.is_empty() {
        return Ok(Vec::new());
    }
    let records: Vec<AuditRecord> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_events WHERE team_id = $1 AND panel_request_id = ANY($2) \
         AND action LIKE 'instance.%' AND seq < $3 ORDER BY seq"
    ))
    .bind(team_id)
    .bind(&panels)
    .bind(newest)
    .fetch_all(pool)
    .await?;
    records.into_iter().map(AuditEvent::try_from).collect()
}

/// Which of `order_ids` belong to the team's actions still waiting for payment.
pub async fn orders_awaiting_payment(
    pool: &PgPool,
    team_id: Uuid,
    order_ids: &[String],
) -> Result<HashSet<String>> {
    if order_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let waiting: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT order_id FROM actions WHERE team_id = $1 AND order_id = ANY($2) \
         AND state = 'accepted' AND job_status = $3",
    )
    .bind(team_id)
    .bind(order_ids)
    .bind(ORDER_PENDING_PAYMENT)
    .fetch_all(pool)
    .await?;
    Ok(waiting.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_order_in_status_6_waits_for_payment() {
        assert!(awaits_payment(Some("CS24112518546OCZY"), Some("6")));
        for (order, status) in [
            (None, Some("6")),
            (Some(""), Some("6")),
            (Some("CS1"), Some("3")),
            (Some("CS1"), Some("5")),
            (Some("CS1"), None),
        ] {
            assert!(!awaits_payment(order, status), "{order:?} {status:?}");
        }
    }
}
