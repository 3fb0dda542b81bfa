//! What a sentence needs beyond the event itself: the instances' names (from the inventory)
//! and, for an outcome, how long after its `requested` event it came. Both cost a bounded
//! number of queries per page, whatever the page holds.

use std::collections::{HashMap, HashSet};

use lightdeck_domain::Error;
use lightdeck_domain::audit::{self, AuditEvent, AuditFilter, Outcome};
use lightdeck_domain::inventory::{self, MAX_PAGE, PageRequest};
use lightdeck_huaweicloud::InstanceId;
use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use crate::i18n::Tr;
use crate::views::audit::EventView;
use crate::views::audit::names::tell_apart;
use crate::views::audit::sentence::instance_kind;

/// Instances the inventory no longer lists are looked up one by one, at most this many per
/// page; beyond that the sentence shows their ids.
const MAX_GONE_LOOKUPS: usize = 20;
/// How far back an outcome's `requested` event is looked for outside the page.
const PAIR_WINDOW: Duration = Duration::HOUR;

/// The events as the audit page and the dashboard show them.
pub async fn event_views(
    db: &PgPool,
    team: Uuid,
    tr: &Tr,
    events: &[AuditEvent],
) -> Result<Vec<EventView>, Error> {
    let names = instance_names(db, team, tr, events).await?;
    let seconds = durations(db, team, events).await?;
    Ok(events.iter().map(|e| EventView::new(tr, e, &names, seconds.get(&e.seq).copied())).collect())
}

/// instance id → name for every instance the events name, with its account when another
/// account of the team has an instance of the same name.
pub(super) async fn instance_names(
    db: &PgPool,
    team: Uuid,
    tr: &Tr,
    events: &[AuditEvent],
) -> Result<HashMap<String, String>, Error> {
    let mut ids: Vec<InstanceId> = events
        .iter()
        .filter(|e| e.target_kind.as_deref() == Some("instance"))
        .flat_map(|e| e.target_ids.iter())
        .collect::<HashSet<_>>()
        .into_iter()
        .filter_map(|id| id.parse().ok())
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let targets = inventory::resolve(db, team, &ids).await?;
    let mut names = tell_apart(db, team, tr, &targets).await?;
    let gone = ids.iter().filter(|id| !names.contains_key(id.as_str()));
    for id in gone.take(MAX_GONE_LOOKUPS).cloned().collect::<Vec<_>>() {
        match inventory::get(db, team, &id).await {
            Ok(row) => {
                names.insert(id.to_string(), row.name);
            }
            Err(Error::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(names)
}

/// Whether `r` is the `requested` event that `e` reports the outcome of.
fn pairs(r: &AuditEvent, e: &AuditEvent) -> bool {
    r.outcome == Outcome::Requested
        && r.seq < e.seq
        && instance_kind(&r.action).is_some()
        && instance_kind(&r.action) == instance_kind(&e.action)
        && r.target_ids == e.target_ids
        && r.account_id == e.account_id
        && r.region == e.region
        && match (&r.panel_request_id, &e.panel_request_id) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

/// The latest matching `requested` event before `e`.
fn find_requested<'a>(
    candidates: impl Iterator<Item = &'a AuditEvent>,
    e: &AuditEvent,
) -> Option<&'a AuditEvent> {
    candidates.filter(|r| pairs(r, e)).max_by_key(|r| r.seq)
}

/// seq → whole seconds from the `requested` event, for outcome events of instance actions.
async fn durations(
    db: &PgPool,
    team: Uuid,
    events: &[AuditEvent],
) -> Result<HashMap<i64, i64>, Error> {
    let outcomes: Vec<&AuditEvent> = events
        .iter()
        .filter(|e| e.outcome != Outcome::Requested && instance_kind(&e.action).is_some())
        .collect();
    let mut found = HashMap::new();
    let mut unpaired = Vec::new();
    for e in outcomes {
        match find_requested(events.iter(), e) {
            Some(r) => {
                found.insert(e.seq, (e.occurred_at - r.occurred_at).whole_seconds());
            }
            None => unpaired.push(e),
        }
    }
    let (Some(oldest), Some(newest)) = (
        unpaired.iter().map(|e| e.occurred_at).min(),
        unpaired.iter().map(|e| e.occurred_at).max(),
    ) else {
        return Ok(found);
    };
    // One query for all of them: the requested events of the hour before. More than a
    // page of requests in that hour leaves the oldest outcomes without a duration.
    let filter = AuditFilter {
        action_prefix: Some("instance.".to_owned()),
        outcome: Some(Outcome::Requested),
        from: Some(oldest - PAIR_WINDOW),
        to: Some(newest + Duration::microseconds(1)),
        ..AuditFilter::default()
    };
    let requested = audit::list(db, team, &filter, &PageRequest::first(MAX_PAGE)).await?;
    for e in unpaired {
        if let Some(r) = find_requested(requested.items.iter(), e) {
            found.insert(e.seq, (e.occurred_at - r.occurred_at).whole_seconds());
        }
    }
    Ok(found)
}
