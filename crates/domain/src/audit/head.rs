//! The chains' heads, signed, for keeping outside the database.
//!
//! A chain proves its integrity only up to its head: whoever can write to the database may
//! delete the newest events, or edit one and recompute every hash after it, and the walk of
//! [`super::verify`] still finds an intact chain. So `lightdeck serve` appends, every minute
//! something changed, one [`HeadLine`] to a file the database user cannot rewrite: each
//! chain's latest `seq` and `hash`, the time, and an HMAC-SHA256 under a key derived from the
//! master key ([`PURPOSE`]; never the master key itself). `lightdeck audit verify --head`
//! then checks that the database still holds, at each recorded `seq`, the recorded hash.
//!
//! The MAC covers a canonical encoding (a version tag, then every field length-prefixed in
//! a fixed order, chains sorted by team id), not the JSON text, so the line's formatting
//! does not matter. Changing the encoding makes every existing line fail: add a new version.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sqlx::PgPool;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::chain::canonical_time;
use crate::Result;
use crate::crypto::{DerivedKey, Keyring};

/// What the head key is derived for (`HMAC-SHA256(master key, PURPOSE)`).
pub const PURPOSE: &str = "lightdeck audit head v1";

/// The `v` of the lines this module writes.
pub const LINE_VERSION: u32 = 1;

const VERSION_TAG: &[u8] = b"lightdeck-audit-head-v1\n";

/// One chain's newest event: a team's (or the site's, under the nil id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainHead {
    #[serde(rename = "team")]
    pub team_id: Uuid,
    pub seq: i64,
    pub hash: String,
}

/// One line of the head file, e.g.
/// `{"v":1,"at":"2026-12-02T18:00:00.000000Z","key":"1a2b3c4d","chains":[{"team":"…","seq":7,"hash":"…"}],"mac":"…"}`.
/// `key` is the id of the master key the MAC key was derived from (not secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadLine {
    pub v: u32,
    pub at: String,
    #[serde(rename = "key")]
    pub key_id: String,
    pub chains: Vec<ChainHead>,
    pub mac: String,
}

/// Why a line of the head file cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// Not a head line at all (the reason, without the line's text).
    Unreadable(String),
    /// Signed under a master key that is not configured.
    UnknownKey(String),
    /// The MAC does not match the content: forged or altered.
    BadMac,
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineProblem::Unreadable(why) => write!(f, "is not a valid head line ({why})"),
            LineProblem::UnknownKey(id) => write!(
                f,
                "is signed with a key derived from master key {id}, which is not configured \
                 (if that key was rotated out, set it in LIGHTDECK_OLD_MASTER_KEYS); it may \
                 also be forged"
            ),
            LineProblem::BadMac => f.write_str(
                "has a signature that does not match its content: it was forged or altered",
            ),
        }
    }
}

fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The bytes the MAC covers. `chains` must be sorted by team id (as [`sign`] leaves them).
pub fn canonical(at: &str, key_id: &str, chains: &[ChainHead]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + chains.len() * 128);
    out.extend_from_slice(VERSION_TAG);
    field(&mut out, at.as_bytes());
    field(&mut out, key_id.as_bytes());
    out.extend_from_slice(&(chains.len() as u64).to_be_bytes());
    for c in chains {
        field(&mut out, c.team_id.hyphenated().to_string().as_bytes());
        field(&mut out, c.seq.to_string().as_bytes());
        field(&mut out, c.hash.as_bytes());
    }
    out
}

fn mac_for(key: &DerivedKey, content: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose_secret())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(content);
    mac
}

/// A signed line for `chains` at `at`, under `key` (derived for [`PURPOSE`]).
pub fn sign(key: &DerivedKey, at: OffsetDateTime, mut chains: Vec<ChainHead>) -> HeadLine {
    chains.sort_by_key(|c| c.team_id);
    let at = canonical_time(at);
    let content = canonical(&at, key.master_id(), &chains);
    let mac = hex::encode(mac_for(key, &content).finalize().into_bytes());
    HeadLine { v: LINE_VERSION, at, key_id: key.master_id().to_owned(), chains, mac }
}

impl HeadLine {
    /// The line as written to the file (without the newline).
    pub fn to_json(&self) -> String {
        // Strings and integers only: serializing cannot fail.
        serde_json::to_string(self).expect("a head line serializes")
    }

    /// When it was written.
    pub fn time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.at, &Rfc3339).ok()
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Reads one line (its shape only; [`check_mac`] says whether to believe it).
pub fn parse(text: &str) -> std::result::Result<HeadLine, LineProblem> {
    let line: HeadLine = serde_json::from_str(text.trim()).map_err(|e| {
        LineProblem::Unreadable(format!("not the expected JSON at column {}", e.column()))
    })?;
    if line.v != LINE_VERSION {
        return Err(LineProblem::Unreadable(format!("unknown version {}", line.v)));
    }
    if line.time().is_none() {
        return Err(LineProblem::Unreadable("\"at\" is not an RFC 3339 time".into()));
    }
    if let Some(c) = line.chains.iter().find(|c| c.seq < 1 || !is_hash(&c.hash)) {
        return Err(LineProblem::Unreadable(format!(
            "chain {} has no valid seq and hash",
            c.team_id
        )));
    }
    if line.chains.windows(2).any(|w| w[0].team_id >= w[1].team_id) {
        return Err(LineProblem::Unreadable("chains are not sorted by team id".into()));
    }
    Ok(line)
}

/// Whether the line's MAC is right under the keyring's key of that id (in constant time).
pub fn check_mac(line: &HeadLine, keyring: &Keyring) -> std::result::Result<(), LineProblem> {
    let key = keyring
        .derive_with(&line.key_id, PURPOSE)
        .ok_or_else(|| LineProblem::UnknownKey(line.key_id.clone()))?;
    let given = hex::decode(&line.mac).map_err(|_| LineProblem::BadMac)?;
    let content = canonical(&line.at, &line.key_id, &line.chains);
    mac_for(&key, &content).verify_slice(&given).map_err(|_| LineProblem::BadMac)
}

/// Every chain's newest event (teams, deleted teams and the site), by team id. One index
/// probe per chain (a skip scan), however long the chains.
pub async fn heads(pool: &PgPool) -> Result<Vec<ChainHead>> {
    let rows: Vec<(Uuid, i64, String)> = sqlx::query_as(
        "WITH RECURSIVE t(team_id) AS ( \
             (SELECT team_id FROM audit_events ORDER BY team_id LIMIT 1) \
             UNION ALL \
             SELECT (SELECT a.team_id FROM audit_events a WHERE a.team_id > t.team_id \
                     ORDER BY a.team_id LIMIT 1) \
             FROM t WHERE t.team_id IS NOT NULL \
         ) \
         SELECT t.team_id, e.seq, e.hash FROM t CROSS JOIN LATERAL ( \
             SELECT seq, hash FROM audit_events a WHERE a.team_id = t.team_id \
             ORDER BY seq DESC LIMIT 1 \
         ) AS e \
         WHERE t.team_id IS NOT NULL ORDER BY t.team_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(team_id, seq, hash)| ChainHead { team_id, seq, hash }).collect())
}

/// Every `(chain, seq, hash)` the good lines of a head file recorded, each once, and the
/// places where two lines disagree (only a rewritten database makes the writer do that).
#[derive(Debug, Default)]
pub struct Recorded {
    /// `(team, seq)` → (hash, the first line that recorded it).
    heads: BTreeMap<(Uuid, i64), (String, usize)>,
    /// The latest line's chains (what a plain comparison checks).
    pub last: Option<(usize, HeadLine)>,
    pub conflicts: Vec<Conflict>,
}

/// Two good lines record different hashes for the same event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub team_id: Uuid,
    pub seq: i64,
    pub first_line: usize,
    pub line: usize,
}

impl Recorded {
    /// Adds a line already parsed and checked ([`check_mac`]); `n` is its line number.
    pub fn add(&mut self, n: usize, line: HeadLine) {
        for c in &line.chains {
            match self.heads.get(&(c.team_id, c.seq)) {
                Some((hash, _)) if *hash == c.hash => {}
                Some((_, first_line)) => self.conflicts.push(Conflict {
                    team_id: c.team_id,
                    seq: c.seq,
                    first_line: *first_line,
                    line: n,
                }),
                None => {
                    self.heads.insert((c.team_id, c.seq), (c.hash.clone(), n));
                }
            }
        }
        self.last = Some((n, line));
    }

    /// Each recorded head once, by team then seq.
    pub fn heads(&self) -> Vec<ChainHead> {
        self.heads
            .iter()
            .map(|(&(team_id, seq), (hash, _))| ChainHead { team_id, seq, hash: hash.clone() })
            .collect()
    }

    /// The first line that recorded this head.
    pub fn line_of(&self, team_id: Uuid, seq: i64) -> Option<usize> {
        self.heads.get(&(team_id, seq)).map(|(_, n)| *n)
    }
}

/// What the database holds for one recorded head: the hash at the recorded `seq` (if that
/// event exists) and the chain's latest `seq` (if it has any event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub team_id: Uuid,
    pub seq: i64,
    pub hash_at_seq: Option<String>,
    pub latest_seq: Option<i64>,
}

/// Reads, for each of `heads`, what [`compare`] needs (one index probe each).
pub async fn stored(pool: &PgPool, heads: &[ChainHead]) -> Result<Vec<Stored>> {
    let mut out = Vec::with_capacity(heads.len());
    for chunk in heads.chunks(10_000) {
        let teams: Vec<Uuid> = chunk.iter().map(|c| c.team_id).collect();
        let seqs: Vec<i64> = chunk.iter().map(|c| c.seq).collect();
        let rows: Vec<(Uuid, i64, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT h.team_id, h.seq, e.hash, \
                 (SELECT max(m.seq) FROM audit_events m WHERE m.team_id = h.team_id) \
             FROM unnest($1::uuid[], $2::bigint[]) AS h(team_id, seq) \
             LEFT JOIN audit_events e ON e.team_id = h.team_id AND e.seq = h.seq",
        )
        .bind(&teams)
        .bind(&seqs)
        .fetch_all(pool)
        .await?;
        out.extend(rows.into_iter().map(|(team_id, seq, hash_at_seq, latest_seq)| Stored {
            team_id,
            seq,
            hash_at_seq,
            latest_seq,
        }));
    }
    Ok(out)
}

/// How the database differs from a recorded head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The event at the recorded `seq` is gone; the chain now ends at `latest` (`None`: no
    /// event left). With `latest` below `seq`, the newest events were deleted.
    Missing { seq: i64, latest: Option<i64> },
    /// The event at the recorded `seq` has another hash: the chain was edited and recomputed.
    Rewritten { seq: i64 },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Mismatch::Missing { seq, latest: None } => write!(
                f,
                "the head recorded seq {seq}, but the chain has no events left: they were deleted"
            ),
            Mismatch::Missing { seq, latest: Some(latest) } if latest < seq => write!(
                f,
                "the head recorded seq {seq}, but the chain now ends at seq {latest}: its newest \
                 events were deleted"
            ),
            Mismatch::Missing { seq, .. } => {
                write!(f, "the event at seq {seq}, recorded in the head, is missing")
            }
            Mismatch::Rewritten { seq } => write!(
                f,
                "the event at seq {seq} no longer has the hash recorded in the head: the chain \
                 was edited and its hashes recomputed"
            ),
        }
    }
}

/// Each recorded head against the database, in the order given: `None` when the event at
/// the recorded `seq` is there with the recorded hash (the chain may have grown since).
pub fn compare(heads: &[ChainHead], stored: &[Stored]) -> Vec<(Uuid, Option<Mismatch>)> {
    let by_head: HashMap<(Uuid, i64), &Stored> =
        stored.iter().map(|s| ((s.team_id, s.seq), s)).collect();
    heads
        .iter()
        .map(|head| {
            let mismatch = match by_head.get(&(head.team_id, head.seq)) {
                Some(Stored { hash_at_seq: Some(hash), .. }) if *hash == head.hash => None,
                Some(Stored { hash_at_seq: Some(_), .. }) => {
                    Some(Mismatch::Rewritten { seq: head.seq })
                }
                Some(Stored { hash_at_seq: None, latest_seq, .. }) => {
                    Some(Mismatch::Missing { seq: head.seq, latest: *latest_seq })
                }
                None => Some(Mismatch::Missing { seq: head.seq, latest: None }),
            };
            (head.team_id, mismatch)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;

    fn keyring(byte: u8) -> Keyring {
        Keyring::new(MasterKey::from_bytes([byte; 32]))
    }

    fn chains() -> Vec<ChainHead> {
        vec![
            ChainHead { team_id: Uuid::from_u128(2), seq: 7, hash: "b".repeat(64) },
            ChainHead { team_id: Uuid::nil(), seq: 3, hash: "a".repeat(64) },
        ]
    }

    fn at() -> OffsetDateTime {
        time::macros::datetime!(2026-12-02 18:00:01.5 UTC)
    }

    #[test]
    fn a_signed_line_reads_back_and_checks() {
        let ring = keyring(7);
        let line = sign(&ring.derive(PURPOSE), at(), chains());
        assert_eq!(line.chains[0].team_id, Uuid::nil(), "sorted by team id");
        assert_eq!(line.at, "2026-12-02T18:00:01.500000Z");
        assert_eq!(line.key_id, ring.current_id());
        let back = parse(&line.to_json()).unwrap();
        assert_eq!(back, line);
        assert_eq!(check_mac(&back, &ring), Ok(()));
    }

    #[test]
    fn the_mac_key_is_derived_not_the_master_key() {
        let master = MasterKey::from_bytes([7; 32]);
        let derived = master.derive(PURPOSE);
        assert_ne!(derived.expose_secret(), &[7; 32]);
        assert_ne!(derived.expose_secret(), master.derive("another purpose").expose_secret());
        assert!(format!("{derived:?}").contains("[REDACTED]"));
    }

    #[test]
    fn any_change_breaks_the_mac() {
        let ring = keyring(7);
        let line = sign(&ring.derive(PURPOSE), at(), chains());
        let mut edits = Vec::new();
        let mut l = line.clone();
        l.chains[1].seq = 6;
        edits.push(l);
        let mut l = line.clone();
        l.chains[0].hash = "c".repeat(64);
        edits.push(l);
        let mut l = line.clone();
        l.at = "2026-12-02T18:00:02.500000Z".into();
        edits.push(l);
        let mut l = line.clone();
        l.chains.pop();
        edits.push(l);
        let mut l = line.clone();
        l.mac = "00".repeat(32);
        edits.push(l);
        for l in edits {
            assert_eq!(check_mac(&l, &ring), Err(LineProblem::BadMac), "{l:?}");
        }
        // Another master key: the line names a key this ring does not hold.
        assert!(matches!(check_mac(&line, &keyring(8)), Err(LineProblem::UnknownKey(_))));
        // The same id with other key bytes cannot happen (the id is the key's hash), but an
        // old key still checks lines it signed.
        let rotated = keyring(8).with_old_key(MasterKey::from_bytes([7; 32]));
        assert_eq!(check_mac(&line, &rotated), Ok(()));
    }

    #[test]
    fn the_canonical_form_is_length_prefixed_and_stable() {
        let c = vec![ChainHead { team_id: Uuid::nil(), seq: 1, hash: "0".repeat(64) }];
        let bytes = canonical("t", "k", &c);
        assert!(bytes.starts_with(VERSION_TAG));
        let rest = &bytes[VERSION_TAG.len()..];
        assert_eq!(&rest[..9], &[0, 0, 0, 0, 0, 0, 0, 1, b't']);
        assert_ne!(canonical("tk", "", &c), canonical("t", "k", &c));
        let key = keyring(1).derive(PURPOSE);
        assert_eq!(sign(&key, at(), chains()).mac, sign(&key, at(), chains()).mac);
    }

    #[test]
    fn bad_lines_are_unreadable_without_echoing_them() {
        for text in [
            "",
            "not json",
            r#"{"v":2,"at":"2026-12-02T18:00:01Z","key":"k","chains":[],"mac":""}"#,
            r#"{"v":1,"at":"yesterday","key":"k","chains":[],"mac":""}"#,
            r#"{"v":1,"at":"2026-12-02T18:00:01Z","key":"k","chains":[{"team":"00000000-0000-0000-0000-000000000000","seq":0,"hash":"x"}],"mac":""}"#,
        ] {
            match parse(text) {
                Err(LineProblem::Unreadable(why)) => assert!(!why.contains("yesterday"), "{why}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn compare_finds_truncated_and_rewritten_chains() {
        let ring = keyring(7);
        let line = sign(&ring.derive(PURPOSE), at(), chains());
        let (site, team) = (Uuid::nil(), Uuid::from_u128(2));
        let at_seq = |team_id, seq, hash: Option<String>, latest| Stored {
            team_id,
            seq,
            hash_at_seq: hash,
            latest_seq: latest,
        };
        // Grown since: fine.
        let got = compare(
            &line.chains,
            &[
                at_seq(site, 3, Some("a".repeat(64)), Some(9)),
                at_seq(team, 7, Some("b".repeat(64)), Some(7)),
            ],
        );
        assert_eq!(got, [(site, None), (team, None)]);
        let got = compare(
            &line.chains,
            &[at_seq(site, 3, None, Some(2)), at_seq(team, 7, Some("c".repeat(64)), Some(7))],
        );
        assert_eq!(
            got,
            [
                (site, Some(Mismatch::Missing { seq: 3, latest: Some(2) })),
                (team, Some(Mismatch::Rewritten { seq: 7 })),
            ]
        );
        assert!(got[0].1.as_ref().unwrap().to_string().contains("newest events were deleted"));
        let got = compare(&line.chains, &[]);
        assert_eq!(got[1], (team, Some(Mismatch::Missing { seq: 7, latest: None })));
    }

    #[test]
    fn recorded_keeps_every_head_once_and_finds_disagreeing_lines() {
        let key = keyring(7).derive(PURPOSE);
        let team = Uuid::from_u128(2);
        let mut rec = Recorded::default();
        rec.add(1, sign(&key, at(), chains()));
        rec.add(2, sign(&key, at(), chains()));
        let mut later = chains();
        later[0].seq = 8;
        later[0].hash = "d".repeat(64);
        rec.add(3, sign(&key, at(), later.clone()));
        assert_eq!(rec.heads().len(), 3, "site 3, team 7, team 8");
        assert_eq!(rec.line_of(team, 7), Some(1));
        assert!(rec.conflicts.is_empty());
        // The same event recorded with another hash: the database was rewritten between.
        later[0].hash = "e".repeat(64);
        rec.add(4, sign(&key, at(), later));
        assert_eq!(rec.conflicts, [Conflict { team_id: team, seq: 8, first_line: 3, line: 4 }]);
        assert_eq!(rec.last.as_ref().map(|(n, _)| *n), Some(4));
    }
}
