//! The hash chain's canonical encoding.
//!
//! `hash = SHA-256(prev_hash_bytes ‖ canonical(event))`, hex-encoded; the first event of a
//! team has `prev_hash` = 64 zeros. The encoding is a version tag followed by every content
//! field in a fixed order, each length-prefixed (so no two events encode alike), with:
//! times as UTC RFC 3339 with exactly six fraction digits (Postgres keeps microseconds),
//! IPs as Rust prints them, and JSON with object keys sorted by their UTF-8 bytes (jsonb
//! reorders keys, so the stored order cannot be relied on). Changing any of this breaks
//! every existing chain: add a new version tag instead.

use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};

use super::AuditEvent;

/// `prev_hash` of a team's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const VERSION: &[u8] = b"lightdeck-audit-v1\n";

struct Encoder(Vec<u8>);

impl Encoder {
    fn field(&mut self, bytes: &[u8]) {
        self.0.push(1);
        self.0.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        self.0.extend_from_slice(bytes);
    }

    fn opt(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.field(v.as_bytes()),
            None => self.0.push(0),
        }
    }
}

/// Six fraction digits, always UTC; sub-microsecond digits are dropped.
pub fn canonical_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// JSON with sorted keys and no whitespace.
pub fn canonical_json(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            out.push_str(&value.to_string());
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                canonical_json(v, out);
            }
            out.push('}');
        }
    }
}

/// The params text as stored and hashed.
pub fn canonical_params(params: &serde_json::Value) -> String {
    let mut out = String::new();
    canonical_json(params, &mut out);
    out
}

/// The bytes that are hashed for one event (everything except id, prev_hash and hash).
pub fn canonical(e: &AuditEvent) -> Vec<u8> {
    encode(e, &canonical_params(&e.params))
}

/// `params` is the stored text: verification hashes exactly what is in the database.
fn encode(e: &AuditEvent, params: &str) -> Vec<u8> {
    let mut enc = Encoder(Vec::with_capacity(512));
    enc.0.extend_from_slice(VERSION);
    enc.field(e.team_id.hyphenated().to_string().as_bytes());
    enc.field(e.seq.to_string().as_bytes());
    enc.field(canonical_time(e.occurred_at).as_bytes());
    enc.opt(e.actor_user_id.map(|u| u.hyphenated().to_string()).as_deref());
    enc.opt(e.actor_name.as_deref());
    enc.opt(e.source_ip.map(|ip| ip.to_string()).as_deref());
    enc.opt(e.user_agent.as_deref());
    enc.opt(e.session_hash.as_deref());
    enc.field(e.action.as_bytes());
    enc.opt(e.target_kind.as_deref());
    enc.0.extend_from_slice(&(e.target_ids.len() as u64).to_be_bytes());
    for id in &e.target_ids {
        enc.field(id.as_bytes());
    }
    enc.opt(e.account_id.map(|u| u.hyphenated().to_string()).as_deref());
    enc.opt(e.region.as_deref());
    enc.field(params.as_bytes());
    enc.opt(e.request_id.as_deref());
    enc.opt(e.job_id.as_deref());
    enc.opt(e.order_id.as_deref());
    enc.opt(e.http_status.map(|s| s.to_string()).as_deref());
    enc.opt(e.error_code.as_deref());
    enc.opt(e.error_message.as_deref());
    enc.field(e.outcome.as_str().as_bytes());
    enc.opt(e.panel_request_id.as_deref());
    enc.0
}

/// The event's hash given the previous one. A malformed `prev_hash` (it is checked hex on
/// insert) hashes as its raw text, which can never match a well-formed chain.
pub fn event_hash(prev_hash: &str, e: &AuditEvent) -> String {
    hash_encoded(prev_hash, &canonical(e))
}

/// [`event_hash`] over the params text as stored.
pub(crate) fn stored_event_hash(prev_hash: &str, e: &AuditEvent, params: &str) -> String {
    hash_encoded(prev_hash, &encode(e, params))
}

fn hash_encoded(prev_hash: &str, encoded: &[u8]) -> String {
    let mut h = Sha256::new();
    match hex::decode(prev_hash) {
        Ok(bytes) if bytes.len() == 32 => h.update(&bytes),
        _ => h.update(prev_hash.as_bytes()),
    }
    h.update(encoded);
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let mut a = String::new();
        canonical_json(&json!({"b": 1, "a": {"z": [1, {"y": 2, "x": "é\n"}], "aa": null}}), &mut a);
        assert_eq!(a, r#"{"a":{"aa":null,"z":[1,{"x":"é\n","y":2}]},"b":1}"#);
    }

    #[test]
    fn time_has_fixed_precision_in_utc() {
        let t = time::macros::datetime!(2026-11-27 18:00:01.123456789 +08:00);
        assert_eq!(canonical_time(t), "2026-11-27T10:00:01.123456Z");
        let t = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        assert_eq!(canonical_time(t), "2026-01-02T03:04:05.000000Z");
    }

    #[test]
    fn genesis_is_sixty_four_zeros() {
        assert_eq!(GENESIS.len(), 64);
        assert!(GENESIS.bytes().all(|b| b == b'0'));
    }
}
