//! Appending events: the only write this log ever sees.

use serde_json::Value;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use time::OffsetDateTime;

use super::chain::{GENESIS, event_hash};
use super::{AuditEvent, AuditEventDraft, redact};
use crate::{Error, Result};

const MAX_TEXT: usize = 2000;
const MAX_SHORT: usize = 256;
const MAX_TARGETS: usize = 10_000;
const MAX_PARAMS_BYTES: usize = 64 * 1024;

/// Postgres text cannot hold NUL, and an over-long user agent must not make an event
/// (say, a denial) impossible to record: clean and cap instead of refusing.
fn clean(s: String, max_chars: usize) -> String {
    let s = if s.contains('\0') { s.replace('\0', "\u{FFFD}") } else { s };
    if s.chars().count() > max_chars { s.chars().take(max_chars).collect() } else { s }
}

fn clean_opt(s: Option<String>, max_chars: usize) -> Option<String> {
    s.map(|s| clean(s, max_chars))
}

/// jsonb rejects `\u0000` and has no negative zero; fix both so a re-read value hashes the same.
fn clean_json(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(clean(s, usize::MAX)),
        Value::Number(n) if n.as_f64() == Some(0.0) && n.is_f64() => Value::from(0.0),
        Value::Array(items) => Value::Array(items.into_iter().map(clean_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter().map(|(k, v)| (clean(k, usize::MAX), clean_json(v))).collect(),
        ),
        other => other,
    }
}

fn check_action(action: &str) -> Result<()> {
    let ok = !action.is_empty()
        && action.len() <= 100
        && action
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_'))
        && !action.starts_with('.')
        && !action.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(Error::field(
            "action",
            "must be 1 to 100 lowercase letters, digits, '_' and '.', like instance.reboot.requested",
        ))
    }
}

/// Validates the draft and turns it into an event without its place in the chain.
fn prepare(d: AuditEventDraft) -> Result<AuditEvent> {
    check_action(&d.action)?;
    if d.target_ids.len() > MAX_TARGETS {
        return Err(Error::field("target_ids", format!("at most {MAX_TARGETS} targets per event")));
    }
    let params = clean_json(redact(d.params));
    if params.to_string().len() > MAX_PARAMS_BYTES {
        return Err(Error::field("params", "must be at most 64 KiB of JSON"));
    }
    Ok(AuditEvent {
        id: 0,
        team_id: d.team_id,
        seq: 0,
        occurred_at: OffsetDateTime::UNIX_EPOCH,
        actor_user_id: d.actor_user_id,
        actor_name: clean_opt(d.actor_name, MAX_SHORT),
        source_ip: d.source_ip,
        user_agent: clean_opt(d.user_agent, 512),
        session_hash: d.session_hash.map(String::from),
        action: d.action,
        target_kind: clean_opt(d.target_kind, MAX_SHORT),
        target_ids: d.target_ids.into_iter().map(|t| clean(t, MAX_SHORT)).collect(),
        account_id: d.account_id,
        region: clean_opt(d.region, MAX_SHORT),
        params,
        request_id: clean_opt(d.request_id, MAX_SHORT),
        job_id: clean_opt(d.job_id, MAX_SHORT),
        order_id: clean_opt(d.order_id, MAX_SHORT),
        http_status: d.http_status,
        error_code: clean_opt(d.error_code, MAX_SHORT),
        error_message: clean_opt(d.error_message, MAX_TEXT),
        outcome: d.outcome,
        panel_request_id: clean_opt(d.panel_request_id, MAX_SHORT),
        prev_hash: String::new(),
        hash: String::new(),
    })
}

const LOCK: &str = "pg_advisory_xact_lock(hashtext('lightdeck.audit'), hashtext($1::text))";

/// Reads the team's chain head and the time, and gives the event its place after it.
async fn place(conn: &mut PgConnection, event: &mut AuditEvent) -> Result<()> {
    let (last_seq, last_hash, now): (Option<i64>, Option<String>, OffsetDateTime) = sqlx::query_as(
        "SELECT e.seq, e.hash, date_trunc('microseconds', clock_timestamp()) \
             FROM (SELECT 1) AS one LEFT JOIN LATERAL ( \
                 SELECT seq, hash FROM audit_events WHERE team_id = $1 ORDER BY seq DESC LIMIT 1 \
             ) AS e ON true",
    )
    .bind(event.team_id)
    .fetch_one(conn)
    .await?;
    event.seq = last_seq.unwrap_or(0) + 1;
    event.occurred_at = now;
    event.prev_hash = last_hash.unwrap_or_else(|| GENESIS.to_owned());
    event.hash = event_hash(&event.prev_hash, event);
    Ok(())
}

/// Inserts a placed event. With `lock`, the statement takes the team's advisory lock
/// itself (for a single-statement transaction), so it waits for any locked appender.
async fn insert(conn: &mut PgConnection, e: &AuditEvent, lock: bool) -> Result<i64> {
    let sql = format!(
        "{} INSERT INTO audit_events (team_id, seq, occurred_at, actor_user_id, actor_name, \
             source_ip, user_agent, session_hash, action, target_kind, target_ids, account_id, \
             region, params, request_id, job_id, order_id, http_status, error_code, \
             error_message, outcome, panel_request_id, prev_hash, hash) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21, $22, $23, $24 {} \
         RETURNING id",
        if lock { format!("WITH lock AS (SELECT {LOCK})") } else { String::new() },
        if lock { "FROM lock" } else { "" },
    );
    let id = sqlx::query_scalar(&sql)
        .bind(e.team_id)
        .bind(e.seq)
        .bind(e.occurred_at)
        .bind(e.actor_user_id)
        .bind(&e.actor_name)
        .bind(e.source_ip.map(|ip| ip.to_string()))
        .bind(&e.user_agent)
        .bind(&e.session_hash)
        .bind(&e.action)
        .bind(&e.target_kind)
        .bind(&e.target_ids)
        .bind(e.account_id)
        .bind(&e.region)
        .bind(super::chain::canonical_params(&e.params))
        .bind(&e.request_id)
        .bind(&e.job_id)
        .bind(&e.order_id)
        .bind(e.http_status.map(i32::from))
        .bind(&e.error_code)
        .bind(&e.error_message)
        .bind(e.outcome.as_str())
        .bind(&e.panel_request_id)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .fetch_one(conn)
        .await?;
    Ok(id)
}

async fn append_locked(
    tx: &mut Transaction<'_, Postgres>,
    mut event: AuditEvent,
) -> Result<AuditEvent> {
    let conn = &mut **tx;
    // Separate statements on purpose: under READ COMMITTED the head is read with a snapshot
    // taken after the lock is granted, so it sees the event the previous holder committed.
    sqlx::query(&format!("SELECT {LOCK}")).bind(event.team_id).execute(&mut *conn).await?;
    place(conn, &mut event).await?;
    event.id = insert(conn, &event, false).await?;
    Ok(event)
}

/// Appends one event inside the caller's transaction, so it commits (or not) together with
/// what it describes. The team's chain stays locked until that transaction ends: keep it short.
pub async fn append_in(
    tx: &mut Transaction<'_, Postgres>,
    draft: AuditEventDraft,
) -> Result<AuditEvent> {
    append_locked(tx, prepare(draft)?).await
}

fn is_seq_taken(e: &Error) -> bool {
    matches!(e, Error::Database(sqlx::Error::Database(db))
        if db.constraint() == Some("audit_events_team_seq_key"))
}

/// Appends one event in its own transaction (committed, durable, when this returns).
///
/// Optimistic first: read the head, then insert in one autocommit statement that takes the
/// team's lock itself: two round trips and no BEGIN/COMMIT, which matters when every
/// commit waits for the disk. If another appender took the place meanwhile, the unique
/// `(team_id, seq)` refuses the insert and we try again; under heavy contention for one
/// team we queue on the lock instead.
pub async fn append(pool: &PgPool, draft: AuditEventDraft) -> Result<AuditEvent> {
    let mut event = prepare(draft)?;
    let mut conn = pool.acquire().await?;
    for _ in 0..3 {
        place(&mut conn, &mut event).await?;
        match insert(&mut conn, &event, true).await {
            Ok(id) => {
                event.id = id;
                return Ok(event);
            }
            Err(e) if is_seq_taken(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    drop(conn);
    let mut tx = pool.begin().await?;
    let event = append_locked(&mut tx, event).await?;
    tx.commit().await?;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actions_are_checked() {
        assert!(check_action("instance.reboot.requested").is_ok());
        for bad in ["", "Instance.reboot", "a b", ".x", "x.", "x;drop"] {
            let err = check_action(bad).unwrap_err();
            assert!(err.to_string().contains("action"), "{bad}");
        }
    }

    #[test]
    fn json_is_cleaned_for_jsonb() {
        let v = clean_json(json!({"a\u{0}": "x\u{0}y", "z": -0.0, "n": [-0.0, 1.5]}));
        assert_eq!(v, json!({"a\u{FFFD}": "x\u{FFFD}y", "z": 0.0, "n": [0.0, 1.5]}));
    }

    #[test]
    fn text_is_capped() {
        assert_eq!(clean("é".repeat(10), 3), "ééé");
    }
}
