//! A private PostgreSQL started from the installed server programs, listening only on a Unix
//! socket with trust authentication. Two kinds: a persistent cluster for `lightdeck demo`
//! (kept across runs) and throwaway clusters for tests, removed when the process that started
//! them exits, however it exits.
//!
//! The blocking work (initdb, waiting for readiness) runs on `spawn_blocking`.

mod binaries;
mod persistent;
mod relocate;
mod throwaway;

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use sqlx::postgres::PgConnectOptions;

use binaries::server_command;
pub use binaries::{HOW_TO_GET_POSTGRES, PgBinaries, RunAs};

use crate::{Error, Result};

/// The superuser initdb creates; local connections are trusted, so no password.
pub const SUPERUSER: &str = "postgres";
/// Only names the socket file (`.s.PGSQL.5432`): nothing listens on TCP.
const PORT: u16 = 5432;
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// sun_path is 108 bytes on Linux and 104 on macOS, including `/.s.PGSQL.5432` and a NUL.
const MAX_SOCKET_DIR_LEN: usize = 85;

/// A running private cluster.
#[derive(Debug)]
pub struct PgCluster {
    data_dir: PathBuf,
    socket_dir: PathBuf,
    pid: u32,
    kind: Kind,
    /// Where the data lives and why, when it is not where the caller asked.
    moved: Option<String>,
}

#[derive(Debug)]
enum Kind {
    /// `child` is `None` when an earlier run left the server running and we reuse it.
    Persistent { child: Option<Child> },
    /// The watchdog shell stops postgres and deletes `root` when `lifeline` (its stdin)
    /// closes, which the kernel does when this process exits, even on SIGKILL.
    Throwaway { watchdog: Child, lifeline: Option<ChildStdin>, root: PathBuf },
}

impl PgCluster {
    /// Starts (creating on first use) the cluster in `dir`, or reuses the server an earlier
    /// run left running there. Data is kept across runs; call [`PgCluster::stop`] to shut it
    /// down cleanly. As root, a new cluster the `postgres` user could not reach in `dir` is
    /// kept under /var/lib/lightdeck instead, and `<dir>-location` records where (see
    /// [`PgCluster::moved`]).
    pub async fn start_persistent(bins: PgBinaries, dir: PathBuf) -> Result<PgCluster> {
        blocking(move || persistent::start(&bins, &dir)).await
    }

    /// A fresh cluster in a new folder under /tmp, tuned for speed (no fsync). It is stopped
    /// and its folder removed when this value is dropped or this process exits.
    pub async fn start_throwaway(bins: PgBinaries) -> Result<PgCluster> {
        blocking(move || throwaway::start(&bins)).await
    }

    /// Connection options for `database`, as the superuser, over the socket.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .socket(&self.socket_dir)
            .port(PORT)
            .username(SUPERUSER)
            .database(database)
    }

    /// The same as a URL (`postgres://postgres@%2Fpath%2Fto%2Fdir:5432/database`).
    pub fn url(&self, database: &str) -> String {
        let host = percent_encode(&self.socket_dir.to_string_lossy());
        format!("postgres://{SUPERUSER}@{host}:{PORT}/{}", percent_encode(database))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// One sentence saying where the data lives and why, when that is not the folder given
    /// to [`PgCluster::start_persistent`].
    pub fn moved(&self) -> Option<&str> {
        self.moved.as_deref()
    }

    /// The postmaster's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Fast shutdown (open transactions roll back, nothing committed is lost); waits until
    /// the server has exited. A throwaway cluster's folder is removed too.
    pub async fn stop(self) -> Result<()> {
        blocking(move || self.stop_blocking()).await
    }

    fn stop_blocking(mut self) -> Result<()> {
        match &mut self.kind {
            Kind::Persistent { child } => {
                signal(self.pid, "INT")?;
                if let Some(child) = child {
                    child
                        .wait()
                        .map_err(|e| Error::Postgres(format!("waiting for postgres: {e}")))?;
                } else {
                    wait_exit(self.pid)?;
                }
            }
            Kind::Throwaway { watchdog, lifeline, .. } => {
                drop(lifeline.take());
                watchdog
                    .wait()
                    .map_err(|e| Error::Postgres(format!("waiting for postgres: {e}")))?;
            }
        }
        Ok(())
    }

    /// Where a throwaway cluster lives (removed at exit); `None` for a persistent one.
    pub fn throwaway_root(&self) -> Option<&Path> {
        match &self.kind {
            Kind::Throwaway { root, .. } => Some(root),
            Kind::Persistent { .. } => None,
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Postgres(format!("the postgres starter stopped unexpectedly: {e}")))?
}

fn settings(socket_dir: &Path, throwaway: bool) -> Vec<String> {
    let mut s = vec![
        "listen_addresses=".to_string(),
        format!("unix_socket_directories={}", socket_dir.display()),
        format!("port={PORT}"),
    ];
    if throwaway {
        // Test data is worthless after the process exits; durability only costs time.
        s.extend(
            ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200"]
                .map(String::from),
        );
    }
    s.into_iter().flat_map(|kv| ["-c".to_string(), kv]).collect()
}

fn initdb(bins: &PgBinaries, data: &Path, run_as: Option<RunAs>, throwaway: bool) -> Result<()> {
    let mut cmd = server_command(&bins.initdb(), run_as);
    cmd.arg("-D").arg(data).args(["-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-locale"]);
    if throwaway {
        cmd.arg("--no-sync");
    }
    run(&mut cmd, "initdb")
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd.output().map_err(|e| Error::Postgres(format!("cannot run {what}: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    Err(Error::Postgres(format!("{what} failed ({}): {}", out.status, tail(&stderr))))
}

/// The data dir itself when its path is short and plain enough for a socket, else a short
/// folder under /tmp named after it (stable, so every run of one cluster uses the same one).
fn socket_dir_for(data: &Path, run_as: Option<RunAs>) -> Result<PathBuf> {
    let s = data.to_string_lossy();
    let plain = !s.contains([' ', ',', '"', '\'', '\\']);
    if s.len() <= MAX_SOCKET_DIR_LEN && plain {
        return Ok(data.to_path_buf());
    }
    let hash = hex::encode(&Sha256::digest(s.as_bytes())[..6]);
    let dir = PathBuf::from(format!("/tmp/lightdeck-{hash}"));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_error("create", &dir, e)),
    }
    if let Some(r) = run_as {
        r.chown(&dir)?;
    }
    Ok(dir)
}

/// Waits until `postmaster.pid` names `pid` and says `ready` (PostgreSQL 10+).
fn wait_ready(data: &Path, pid: u32, mut child: Option<&mut Child>, log: &Path) -> Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(text) = std::fs::read_to_string(data.join("postmaster.pid")) {
            let lines: Vec<&str> = text.lines().collect();
            if lines.first().map(|l| l.trim()) == Some(&pid.to_string())
                && lines.get(7).map(|l| l.trim()) == Some("ready")
            {
                return Ok(());
            }
        }
        let exited = match child.as_deref_mut() {
            Some(c) => c.try_wait().ok().flatten().is_some(),
            None => !process_alive(pid),
        };
        if exited || Instant::now() > deadline {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            let why = if exited {
                "exited during startup"
            } else {
                "did not become ready within a minute"
            };
            return Err(Error::Postgres(format!(
                "postgres {why}; its log ends with: {}",
                tail(&log)
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether `pid` is a live (not zombie) process.
pub fn process_alive(pid: u32) -> bool {
    if Path::new("/proc/self").exists() {
        return match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => {
                stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
            }
            Err(_) => false,
        };
    }
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Waits until a server that is not our child has exited (someone else reaps it).
fn wait_exit(pid: u32) -> Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    while process_alive(pid) {
        if Instant::now() > deadline {
            return Err(Error::Postgres(format!(
                "postgres (pid {pid}) did not stop within a minute"
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn signal(pid: u32, sig: &str) -> Result<()> {
    let status = Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .map_err(|e| Error::Postgres(format!("cannot run kill: {e}")))?;
    if status.success() || !process_alive(pid) {
        Ok(())
    } else {
        Err(Error::Postgres(format!("cannot signal postgres (pid {pid})")))
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(5)..].join(" | ")
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::Postgres(format!("cannot {what} {}: {e}", path.display()))
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_or_odd_data_dirs_get_a_short_socket_dir() {
        let short = Path::new("/srv/lightdeck/.lightdeck/postgres");
        assert_eq!(socket_dir_for(short, None).unwrap(), short);
        let long = PathBuf::from(format!("/home/someone/{}/.lightdeck/postgres", "x".repeat(80)));
        let dir = socket_dir_for(&long, None).unwrap();
        assert!(
            dir.to_string_lossy().starts_with("/tmp/lightdeck-")
                && dir.to_string_lossy().len() < 40
        );
        assert_eq!(socket_dir_for(&long, None).unwrap(), dir, "stable across runs");
        let spaced = Path::new("/home/a b/.lightdeck/postgres");
        let spaced_dir = socket_dir_for(spaced, None).unwrap();
        assert_ne!(spaced_dir, spaced);
        std::fs::remove_dir(dir).unwrap();
        std::fs::remove_dir(spaced_dir).unwrap();
    }

    #[test]
    fn urls_encode_the_socket_dir() {
        assert_eq!(percent_encode("/tmp/ld pg"), "%2Ftmp%2Fld%20pg");
    }
}
