//! One line per action: the sentence of its newest event, how long it took from its
//! `requested` event, and its events on expand. The actions come grouped from the domain
//! ([`audit::list_actions`]); this only words them.

use std::collections::HashSet;

use lightdeck_domain::Error;
use lightdeck_domain::audit::{self, AuditEvent, Outcome};
use sqlx::PgPool;
use uuid::Uuid;

use crate::i18n::Tr;
use crate::views::actions::Payment;
use crate::views::audit::enrich::instance_names;
use crate::views::audit::{EventView, format_time, iso_time, sentence};

/// One action (or one event that is no action) as the page lists it.
#[derive(Debug, Clone)]
pub struct ActionLine {
    /// The `seq` of its newest event (the line's id on the page).
    pub seq: i64,
    pub sentence: String,
    /// `requested`, `succeeded`, …, or `payment` (also the CSS modifier `outcome-…`).
    pub outcome: &'static str,
    pub outcome_label: String,
    /// When it began: the time of its first event.
    pub time: String,
    pub time_iso: String,
    /// Its events, oldest first.
    pub events: Vec<EventView>,
    /// "3 events", for the expanded list's heading.
    pub events_label: String,
    /// Set while its order waits for someone to pay it.
    pub payment: Option<Payment>,
}

/// Whole seconds from the action's `requested` event to `e`, for an outcome.
fn seconds_since_request(events: &[AuditEvent], e: &AuditEvent) -> Option<i64> {
    if e.outcome == Outcome::Requested {
        return None;
    }
    let requested = events.iter().find(|r| r.outcome == Outcome::Requested && r.seq < e.seq)?;
    Some((e.occurred_at - requested.occurred_at).whole_seconds())
}

/// The actions of one page (each oldest event first) as lines.
pub async fn action_lines(
    db: &PgPool,
    team: Uuid,
    tr: &Tr,
    actions: &[Vec<AuditEvent>],
) -> Result<Vec<ActionLine>, Error> {
    let all: Vec<AuditEvent> = actions.iter().flatten().cloned().collect();
    let names = instance_names(db, team, tr, &all).await?;
    // Only an accepted action can still wait for its order to be paid.
    let orders: Vec<String> = actions
        .iter()
        .filter_map(|events| events.last())
        .filter(|e| e.outcome == Outcome::Accepted)
        .filter_map(|e| e.order_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let waiting = audit::orders_awaiting_payment(db, team, &orders).await?;

    let mut lines = Vec::with_capacity(actions.len());
    for events in actions {
        let (Some(first), Some(last)) = (events.first(), events.last()) else { continue };
        let order = last
            .order_id
            .as_deref()
            .filter(|o| last.outcome == Outcome::Accepted && waiting.contains(*o));
        let payment = order.map(|o| Payment::new(tr, "audit-pay-link", o));
        let (sentence, outcome, outcome_label) = match order {
            Some(o) => (
                sentence::payment_sentence(tr, last, &names, o),
                "payment",
                tr.t("audit-outcome-payment"),
            ),
            None => (
                sentence::sentence(tr, last, &names, seconds_since_request(events, last)),
                last.outcome.as_str(),
                sentence::outcome_label(tr, last.outcome),
            ),
        };
        lines.push(ActionLine {
            seq: last.seq,
            sentence,
            outcome,
            outcome_label,
            time: format_time(first.occurred_at),
            time_iso: iso_time(first.occurred_at),
            events: events
                .iter()
                .map(|e| EventView::new(tr, e, &names, seconds_since_request(events, e)))
                .collect(),
            events_label: tr.t1("audit-line-events", "count", events.len() as u64),
            payment,
        });
    }
    Ok(lines)
}
