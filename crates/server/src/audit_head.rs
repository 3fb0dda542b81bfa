//! Writes the audit chains' signed heads outside the database (`LIGHTDECK_AUDIT_HEAD_FILE`).
//!
//! Every interval (a minute) and once more at shutdown, the heads of all chains are read;
//! when they changed since the last line, one signed line
//! ([`lightdeck_domain::audit::head`]) is appended to the file and logged at info level (a
//! second place); a chain that no longer holds the last line's head (newest events deleted,
//! hashes recomputed) is logged as an error. The file is only ever appended to, never rewritten: keep it where the
//! database user cannot write (another machine's log, an append-only mount, a backup), and
//! check it with `lightdeck audit verify --head FILE`.

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use lightdeck_domain::audit::head::{self, ChainHead};
use lightdeck_domain::crypto::{DerivedKey, Keyring};
use sqlx::PgPool;
use tokio::task::JoinHandle;

use crate::shutdown::Shutdown;
use crate::state::{AppState, Clock};

/// How much of the file's end is read at start, to find the last line written.
const TAIL: u64 = 1 << 20;

/// Appends head lines to one file. Holds the derived head key, never the master key.
#[derive(Debug)]
pub struct HeadWriter {
    db: PgPool,
    key: DerivedKey,
    path: PathBuf,
    /// The chains of the last line written (or found at the end of the file at start).
    last: Option<Vec<ChainHead>>,
}

impl HeadWriter {
    /// Checks that `path` can be appended to (creating it, readable by this user only) and
    /// remembers its last valid line, so a restart writes nothing when nothing changed.
    pub fn open(db: PgPool, keyring: &Keyring, path: &Path) -> anyhow::Result<HeadWriter> {
        let mut file = open_append(path)?;
        let key = keyring.derive(head::PURPOSE);
        let last = last_line(&mut file)
            .ok()
            .flatten()
            .and_then(|text| head::parse(&text).ok())
            .filter(|line| head::check_mac(line, keyring).is_ok())
            .map(|line| line.chains);
        Ok(HeadWriter { db, key, path: path.to_owned(), last })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the heads and appends a signed line if they changed; true when it wrote one.
    pub async fn write_if_changed(&mut self, now: time::OffsetDateTime) -> anyhow::Result<bool> {
        let chains = head::heads(&self.db).await.context("reading the audit chains' heads")?;
        if self.last.as_ref() == Some(&chains) {
            return Ok(false);
        }
        if let Some(last) = &self.last {
            // Written anyway (the earlier line still proves it), but said at once.
            let stored = head::stored(&self.db, last).await.context("reading the last heads")?;
            for (team, mismatch) in head::compare(last, &stored) {
                if let Some(m) = mismatch {
                    tracing::error!(chain = %team, "audit chain tampered with since the last head: {m}");
                }
            }
        }
        let line = head::sign(&self.key, now, chains);
        let text = line.to_json();
        let mut file = open_append(&self.path)?;
        file.write_all(format!("{text}\n").as_bytes())
            .and_then(|()| file.sync_data())
            .with_context(|| format!("appending to {}", self.path.display()))?;
        tracing::info!(head = %text, file = %self.path.display(), "audit head written");
        self.last = Some(line.chains);
        Ok(true)
    }
}

fn open_append(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("opening the audit head file {}", path.display()))
}

/// The file's last non-empty line, if it lies within its last [`TAIL`] bytes.
fn last_line(file: &mut std::fs::File) -> std::io::Result<Option<String>> {
    let len = file.metadata()?.len();
    let start = len.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(start))?;
    let mut tail = Vec::new();
    file.take(TAIL).read_to_end(&mut tail)?;
    let text = String::from_utf8_lossy(&tail);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let last = lines.next_back().map(str::to_owned);
    // A line cut by the window's start is not a line: then there is nothing to compare.
    if start > 0 && lines.next().is_none() {
        return Ok(None);
    }
    Ok(last)
}

/// The writer's loop: at once, then every `interval`, and a last time at shutdown.
pub async fn run(mut writer: HeadWriter, interval: Duration, shutdown: Shutdown, clock: Clock) {
    let mut every = tokio::time::interval(interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopping = tokio::select! {
            _ = every.tick() => false,
            () = shutdown.wait() => true,
        };
        if let Err(e) = writer.write_if_changed(clock.now()).await {
            tracing::warn!(error = format!("{e:#}"), "could not write the audit head");
        }
        if stopping {
            return;
        }
    }
}

/// The writer for `state`'s settings, opened (so a bad path stops `serve` before it starts);
/// `None` when no head file is configured.
pub fn open(state: &AppState) -> anyhow::Result<Option<HeadWriter>> {
    match &state.config.audit_head_file {
        Some(path) => HeadWriter::open(state.db.clone(), &state.keyring, path).map(Some),
        None => Ok(None),
    }
}

/// Starts [`run`] for `writer` with `state`'s interval, shutdown and clock.
pub fn spawn(writer: HeadWriter, state: &AppState) -> JoinHandle<()> {
    tracing::info!(file = %writer.path().display(), "writing the audit chains' heads");
    tokio::spawn(run(
        writer,
        state.config.audit_head_interval,
        state.shutdown.clone(),
        state.clock.clone(),
    ))
}
