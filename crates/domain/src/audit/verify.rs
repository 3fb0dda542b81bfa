//! Walking a team's chain to find the first place it was tampered with.

use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::chain::{GENESIS, stored_event_hash};
use super::{AuditEvent, AuditRecord, COLUMNS};
use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The event's content no longer matches its own hash.
    EditedContent,
    /// An event is missing: a gap in `seq`, or an event whose hash was made for a later `seq`.
    MissingEvent,
    /// The event at this `seq` is not part of the chain: the next event links past it.
    InsertedEvent,
    /// `prev_hash` does not name the previous event, and no simpler explanation fits.
    BrokenLink,
}

/// Where the chain first breaks: everything before `seq` verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    pub kind: BreakKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Events read (including the one at the break, if any).
    pub checked: u64,
    pub first_break: Option<Break>,
    /// The chain's head (last event read before any break): write seq and hash down somewhere
    /// else to detect a wholesale rewrite later, since a chain only proves integrity up to
    /// its head. Meaningful when the chain is intact.
    pub head_seq: i64,
    pub head_hash: String,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// What the walk remembers of the previous event: constant memory however long the chain.
struct Prev {
    seq: i64,
    hash: String,
    prev_hash: String,
}

fn hash_with_seq(e: &AuditEvent, params: &str, seq: i64) -> String {
    let mut moved = e.clone();
    moved.seq = seq;
    stored_event_hash(&e.prev_hash, &moved, params)
}

/// Classifies one event against its predecessor; `None` when it is intact.
fn check(prev: Option<&Prev>, e: &AuditEvent, params: &str) -> Option<Break> {
    let expected_seq = prev.map_or(1, |p| p.seq + 1);
    let expected_link = prev.map_or(GENESIS, |p| p.hash.as_str());
    let at = |seq, kind| Some(Break { seq, kind });

    if e.seq > expected_seq {
        return at(expected_seq, BreakKind::MissingEvent);
    }
    if e.seq < expected_seq {
        return at(e.seq, BreakKind::InsertedEvent);
    }
    if e.prev_hash != expected_link {
        if let Some(p) = prev
            && e.prev_hash == p.prev_hash
        {
            // This event follows the one before its predecessor: the predecessor was slipped in.
            return at(p.seq, BreakKind::InsertedEvent);
        }
        if hash_with_seq(e, params, e.seq + 1) == e.hash {
            // Hashed as the next seq: an event was deleted and the rest renumbered.
            return at(e.seq, BreakKind::MissingEvent);
        }
        return at(e.seq, BreakKind::BrokenLink);
    }
    if stored_event_hash(&e.prev_hash, e, params) != e.hash {
        return at(e.seq, BreakKind::EditedContent);
    }
    None
}

/// Reads the team's events in `seq` order as a stream and stops at the first break.
pub async fn verify(pool: &PgPool, team_id: Uuid) -> Result<VerifyReport> {
    let sql = format!("SELECT {COLUMNS} FROM audit_events WHERE team_id = $1 ORDER BY seq");
    let mut rows = sqlx::query_as::<_, AuditRecord>(&sql).bind(team_id).fetch(pool);
    let mut prev: Option<Prev> = None;
    let mut checked = 0u64;
    let mut first_break = None;
    while let Some(record) = rows.try_next().await? {
        checked += 1;
        let seq = record.seq;
        // A value this crate could never have written (say, an HTTP status of 70000) is an edit.
        let Ok((event, params)) = record.split(true) else {
            first_break = Some(Break { seq, kind: BreakKind::EditedContent });
            break;
        };
        if let Some(b) = check(prev.as_ref(), &event, &params) {
            first_break = Some(b);
            break;
        }
        prev = Some(Prev { seq: event.seq, hash: event.hash, prev_hash: event.prev_hash });
    }
    let (head_seq, head_hash) = prev.map_or((0, GENESIS.to_owned()), |p| (p.seq, p.hash));
    Ok(VerifyReport { checked, first_break, head_seq, head_hash })
}
