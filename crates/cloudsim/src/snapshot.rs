//! Keeping the simulated cloud in a file: loading it at [`crate::spawn`] when
//! [`crate::Config::snapshot`] names one, and saving it, atomically, on request.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::http::App;
use crate::state::{Fleet, Snapshot, SnapshotError, State, Timings};

/// Where the state of a new simulator came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotStatus {
    /// From the seed: no snapshot was configured, or there was no file yet.
    Fresh,
    /// From the snapshot, taken at `saved_at` (simulator clock).
    Loaded { saved_at: OffsetDateTime },
    /// From the seed, because the file could not be used; the next save replaces it.
    Discarded { reason: String },
}

/// Reads the configured snapshot. Never fails: whatever is wrong with the file becomes a
/// [`SnapshotStatus::Discarded`] and the caller seeds instead.
pub(crate) async fn load(
    path: Option<&Path>,
    fleet: &Fleet,
    timings: Timings,
) -> (Option<(State, OffsetDateTime)>, SnapshotStatus) {
    let Some(path) = path else { return (None, SnapshotStatus::Fresh) };
    let bytes = match tokio::fs::read(path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (None, SnapshotStatus::Fresh);
        }
        Err(e) => {
            return (None, SnapshotStatus::Discarded { reason: format!("cannot read it: {e}") });
        }
    };
    let restored = Snapshot::parse(&bytes, fleet).and_then(|snap| {
        let saved_at = snap.saved_at;
        State::restore(snap, timings).map(|st| (st, saved_at))
    });
    match restored {
        Ok((st, saved_at)) => (Some((st, saved_at)), SnapshotStatus::Loaded { saved_at }),
        Err(e) => (None, SnapshotStatus::Discarded { reason: reason(&e) }),
    }
}

fn reason(e: &SnapshotError) -> String {
    // serde_json messages can quote a file's contents; a line is enough to say what broke.
    e.to_string().chars().take(300).collect()
}

/// One written snapshot.
#[derive(Debug, Clone, Copy)]
pub struct SavedSnapshot {
    /// Size of the file.
    pub bytes: usize,
    pub instances: usize,
    /// From the call until the state was copied; the state lock is held only for the copy,
    /// so requests wait at most this long.
    pub locked: Duration,
    /// The whole save: copy, serialization, write, fsync, rename.
    pub took: Duration,
}

/// Saves a simulator's state; cheap to clone and `Send`, so a background task can own one.
/// Saves through clones of one `Snapshotter` are written one at a time, in the order their
/// state was copied, so a slow earlier save never overwrites a later one.
#[derive(Clone)]
pub struct Snapshotter {
    app: Arc<App>,
    fleet: Arc<Fleet>,
    /// The state generation last written (None: nothing written, or the file is not known
    /// to hold this state). Held during the whole save.
    written: Arc<Mutex<Option<u64>>>,
}

impl std::fmt::Debug for Snapshotter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshotter").finish_non_exhaustive()
    }
}

impl Snapshotter {
    pub(crate) fn new(app: Arc<App>, fleet: Fleet, loaded: bool) -> Self {
        // A state just loaded is what the file holds: no need to write it back unchanged.
        // Read without ticking: progress due at load is a change still to be written.
        let written =
            loaded.then(|| app.state.lock().unwrap_or_else(PoisonError::into_inner).generation());
        Snapshotter { app, fleet: Arc::new(fleet), written: Arc::new(Mutex::new(written)) }
    }

    /// Writes the state to `path` (blocking: run it on `spawn_blocking` in async code).
    pub fn save(&self, path: &Path) -> std::io::Result<SavedSnapshot> {
        let started = Instant::now();
        let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        let st = self.app.lock_state();
        let copy = (st.snapshot(&self.fleet, self.app.clock.now()), st.generation());
        drop(st);
        self.write(path, copy, &mut written, started)
    }

    /// Writes the state to `path` only if it changed since the last save through this
    /// snapshotter (or since it was loaded); `None` when there was nothing to write.
    pub fn save_if_changed(&self, path: &Path) -> std::io::Result<Option<SavedSnapshot>> {
        let started = Instant::now();
        let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        let st = self.app.lock_state();
        if *written == Some(st.generation()) {
            return Ok(None);
        }
        let copy = (st.snapshot(&self.fleet, self.app.clock.now()), st.generation());
        drop(st);
        self.write(path, copy, &mut written, started).map(Some)
    }

    fn write(
        &self,
        path: &Path,
        (snap, generation): (Snapshot, u64),
        written: &mut Option<u64>,
        started: Instant,
    ) -> std::io::Result<SavedSnapshot> {
        let locked = started.elapsed();
        let bytes = snap.to_json();
        write_atomically(path, &bytes)?;
        *written = Some(generation);
        Ok(SavedSnapshot {
            bytes: bytes.len(),
            instances: snap.instance_count(),
            locked,
            took: started.elapsed(),
        })
    }
}

/// Temp file in the same folder, fsync, rename, fsync the folder: a crash at any point
/// leaves either the old file or the new one, never a torn one. The file is 0600: it holds
/// every account's secret key.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        // The mode applies only on creation; a temp file left by a crash keeps its own.
        #[cfg(unix)]
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // Makes the rename itself durable; some filesystems refuse to sync a folder.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
