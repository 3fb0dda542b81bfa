//! The audit log: who did what, to which instance, through which Huawei request and job,
//! and how it ended.
//!
//! It is append-only three ways: this module only INSERTs; a trigger refuses UPDATE, DELETE
//! and TRUNCATE; and each team's events form a SHA-256 hash chain
//! (`hash = SHA-256(prev_hash ‖ canonical content)`, see [`chain`]) that [`verify`] walks to
//! find the first edited, missing or inserted event. Appends of one team take a
//! transaction-scoped advisory lock so `seq` and `prev_hash` never fork.

mod append;
pub mod chain;
mod export;
mod grouped;
pub mod head;
mod query;
mod redact;
mod verify;

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Error, Result};

pub use append::{append, append_in};
pub use export::{export_csv, export_jsonl};
pub use grouped::{ORDER_PENDING_PAYMENT, awaits_payment, list_actions, orders_awaiting_payment};
pub use query::{AuditFilter, list};
pub use redact::redact;
pub use verify::{Break, BreakKind, VerifyReport, verify};

/// How the thing an event describes ended (so far).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Requested,
    Accepted,
    Succeeded,
    Failed,
    /// Refused by the panel's own policy before anything reached the cloud.
    Denied,
    /// Nobody can tell whether the cloud did it (e.g. a timeout after sending).
    Unknown,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Requested,
        Outcome::Accepted,
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::Denied,
        Outcome::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Requested => "requested",
            Outcome::Accepted => "accepted",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Denied => "denied",
            Outcome::Unknown => "unknown",
        }
    }
}

impl FromStr for Outcome {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s).ok_or_else(|| {
            Error::field(
                "outcome",
                "must be one of requested, accepted, succeeded, failed, denied, unknown",
            )
        })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::rows::text_column!(Outcome);

/// The SHA-256 (lowercase hex) of a session id: enough to tell sessions apart in the log,
/// useless for taking one over.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionHash(String);

impl SessionHash {
    /// Hashes a session id. The id itself goes no further than this call.
    pub fn of(session_id: &str) -> Self {
        SessionHash(hex::encode(Sha256::digest(session_id.as_bytes())))
    }

    /// Accepts an already computed hash (64 lowercase hex characters).
    pub fn from_hex(hash: &str) -> Result<Self> {
        if hash.len() == 64
            && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(SessionHash(hash.to_owned()))
        } else {
            Err(Error::field("session_hash", "must be 64 lowercase hex characters (a SHA-256)"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SessionHash {
    type Error = Error;

    fn try_from(s: String) -> Result<Self> {
        SessionHash::from_hex(&s)
    }
}

impl From<SessionHash> for String {
    fn from(h: SessionHash) -> String {
        h.0
    }
}

/// An event before it is appended: everything except its place in the chain and its time
/// (both assigned under the team's lock). `params` is redacted on append, whatever the caller did.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEventDraft {
    pub team_id: Uuid,
    pub actor_user_id: Option<Uuid>,
    /// The actor's display name at the time, so renamed or deleted users stay readable.
    pub actor_name: Option<String>,
    pub source_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub session_hash: Option<SessionHash>,
    /// Dotted lowercase name, e.g. `instance.reboot.requested`.
    pub action: String,
    /// e.g. `instance`, `team`, `member`, `cloud_account`.
    pub target_kind: Option<String>,
    pub target_ids: Vec<String>,
    pub account_id: Option<Uuid>,
    pub region: Option<String>,
    pub params: serde_json::Value,
    /// Huawei's `X-Request-Id`.
    pub request_id: Option<String>,
    pub job_id: Option<String>,
    pub order_id: Option<String>,
    pub http_status: Option<u16>,
    /// Huawei's error code and message, e.g. `Ecs.0114`.
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub outcome: Outcome,
    /// The panel's own request id (ties together the events of one click).
    pub panel_request_id: Option<String>,
}

impl AuditEventDraft {
    /// An event of `actor`'s doing: who, from where, in which session and request.
    pub fn by(
        actor: &crate::actions::RequestContext,
        team_id: Uuid,
        action: impl Into<String>,
        outcome: Outcome,
    ) -> Self {
        AuditEventDraft {
            actor_user_id: Some(actor.actor_user_id),
            actor_name: Some(actor.actor_name.clone()),
            source_ip: actor.source_ip,
            user_agent: actor.user_agent.clone(),
            session_hash: actor.session_hash.clone(),
            panel_request_id: actor.panel_request_id.clone(),
            ..AuditEventDraft::new(team_id, action, outcome)
        }
    }

    pub fn new(team_id: Uuid, action: impl Into<String>, outcome: Outcome) -> Self {
        AuditEventDraft {
            team_id,
            actor_user_id: None,
            actor_name: None,
            source_ip: None,
            user_agent: None,
            session_hash: None,
            action: action.into(),
            target_kind: None,
            target_ids: Vec::new(),
            account_id: None,
            region: None,
            params: serde_json::Value::Object(Default::default()),
            request_id: None,
            job_id: None,
            order_id: None,
            http_status: None,
            error_code: None,
            error_message: None,
            outcome,
            panel_request_id: None,
        }
    }
}

/// An appended event as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub team_id: Uuid,
    /// 1, 2, 3, … per team.
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub actor_user_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub source_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub session_hash: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_ids: Vec<String>,
    pub account_id: Option<Uuid>,
    pub region: Option<String>,
    pub params: serde_json::Value,
    pub request_id: Option<String>,
    pub job_id: Option<String>,
    pub order_id: Option<String>,
    pub http_status: Option<u16>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub outcome: Outcome,
    pub panel_request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The columns every audit query selects, matching [`AuditRecord`].
pub(crate) const COLUMNS: &str = "id, team_id, seq, occurred_at, actor_user_id, actor_name, \
    source_ip, user_agent, session_hash, action, target_kind, target_ids, \
    account_id, region, params, request_id, job_id, order_id, http_status, error_code, \
    error_message, outcome, panel_request_id, prev_hash, hash";

/// An event as stored, before [`AuditRecord::split`]. Not the event itself: verification
/// needs the params text exactly as stored (the chain hashes it), and a tampered address
/// or status is refused or shown leniently depending on the reader.
#[derive(sqlx::FromRow)]
pub(crate) struct AuditRecord {
    id: i64,
    team_id: Uuid,
    seq: i64,
    occurred_at: OffsetDateTime,
    actor_user_id: Option<Uuid>,
    actor_name: Option<String>,
    source_ip: Option<String>,
    user_agent: Option<String>,
    session_hash: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_ids: Vec<String>,
    account_id: Option<Uuid>,
    region: Option<String>,
    params: String,
    request_id: Option<String>,
    job_id: Option<String>,
    order_id: Option<String>,
    http_status: Option<i32>,
    error_code: Option<String>,
    error_message: Option<String>,
    /// Text, not [`Outcome`]: verify reports an unknown one as an edit of that event.
    outcome: String,
    panel_request_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl TryFrom<AuditRecord> for AuditEvent {
    type Error = Error;

    fn try_from(r: AuditRecord) -> Result<Self> {
        Ok(r.split(false)?.0)
    }
}

fn bad(id: i64, column: &str) -> Error {
    Error::Corrupt {
        table: "audit_events",
        id: id.to_string(),
        detail: format!("{column}: a value this crate never writes"),
    }
}

/// Only a tampered row holds an address that does not read back exactly as written.
fn ip(id: i64, stored: Option<String>, strict: bool) -> Result<Option<IpAddr>> {
    let Some(text) = stored else { return Ok(None) };
    match text.parse::<IpAddr>() {
        Ok(ip) if ip.to_string() == text => Ok(Some(ip)),
        Ok(ip) if !strict => Ok(Some(ip)),
        _ if strict => Err(bad(id, "source_ip")),
        _ => Ok(None),
    }
}

impl AuditRecord {
    /// The event and its params text exactly as stored (what the chain hashes). `strict`
    /// (for verify) refuses values that could only come from tampering, so they cannot
    /// hash like the original; otherwise they are shown as best they can be.
    pub(crate) fn split(self, strict: bool) -> Result<(AuditEvent, String)> {
        let r = self;
        let params = r.params;
        let event = AuditEvent {
            id: r.id,
            team_id: r.team_id,
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor_user_id: r.actor_user_id,
            actor_name: r.actor_name,
            source_ip: ip(r.id, r.source_ip, strict)?,
            user_agent: r.user_agent,
            session_hash: r.session_hash,
            action: r.action,
            target_kind: r.target_kind,
            target_ids: r.target_ids,
            account_id: r.account_id,
            region: r.region,
            // Only a tampered row holds text that is not JSON; show it as it is (verify
            // reports the row, since its hash no longer matches).
            params: serde_json::from_str(&params)
                .unwrap_or_else(|_| serde_json::Value::String(params.clone())),
            request_id: r.request_id,
            job_id: r.job_id,
            order_id: r.order_id,
            http_status: match r.http_status.map(u16::try_from) {
                None => None,
                Some(Ok(s)) => Some(s),
                Some(Err(_)) if strict => return Err(bad(r.id, "http_status")),
                Some(Err(_)) => None,
            },
            error_code: r.error_code,
            error_message: r.error_message,
            outcome: r.outcome.parse().map_err(|_| bad(r.id, "outcome"))?,
            panel_request_id: r.panel_request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        };
        Ok((event, params))
    }
}
