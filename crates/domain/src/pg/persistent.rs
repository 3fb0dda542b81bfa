//! The cluster `lightdeck demo` keeps across runs: created on first use, started, or taken
//! over when a run that was killed left its postmaster running.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::binaries::server_command;
use super::{
    Kind, PORT, PgBinaries, PgCluster, RunAs, initdb, io_error, process_alive, relocate, settings,
    signal, socket_dir_for, wait_exit, wait_ready,
};
use crate::{Error, Result};

pub(super) const LOG: &str = "lightdeck-postgres.log";

pub(super) fn start(bins: &PgBinaries, dir: &Path) -> Result<PgCluster> {
    let run_as = RunAs::detect()?;
    let dir = absolute(dir)?;
    let (data, moved) = match relocate::spare_place(bins, &dir, run_as)? {
        Some(spare) => (spare.data, Some(spare.note)),
        None => (prepare_in_place(bins, &dir, run_as)?, None),
    };
    let socket_dir = socket_dir_for(&data, run_as)?;
    match postmaster(&data) {
        Postmaster::Running { pid, socket } => {
            // An earlier run was not stopped: use that server rather than fight over the lock.
            wait_ready(&data, pid, None, &data.join(LOG))?;
            return Ok(PgCluster {
                data_dir: data,
                socket_dir: socket.unwrap_or(socket_dir),
                pid,
                kind: Kind::Persistent { child: None },
                moved,
            });
        }
        Postmaster::Stale => remove_stale_locks(&data, &socket_dir)?,
        Postmaster::None => {}
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data.join(LOG))
        .map_err(|e| io_error("open", &data.join(LOG), e))?;
    let log2 = log.try_clone().map_err(|e| io_error("open", &data.join(LOG), e))?;
    let mut child = server_command(&bins.postgres(), run_as)
        .arg("-D")
        .arg(&data)
        .args(settings(&socket_dir, false))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .spawn()
        .map_err(|e| Error::Postgres(format!("cannot run {}: {e}", bins.postgres().display())))?;
    let pid = child.id();
    if let Err(e) = wait_ready(&data, pid, Some(&mut child), &data.join(LOG)) {
        let _ = signal(pid, "INT");
        let _ = child.wait();
        return Err(e);
    }
    Ok(PgCluster {
        data_dir: data,
        socket_dir,
        pid,
        kind: Kind::Persistent { child: Some(child) },
        moved,
    })
}

/// `dir` with every symlink above it resolved; `dir` itself need not exist yet (a cluster
/// kept elsewhere never creates it).
fn absolute(dir: &Path) -> Result<PathBuf> {
    let name = dir.file_name().ok_or_else(|| {
        Error::Postgres(format!("{} does not name a folder for PostgreSQL", dir.display()))
    })?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
    let parent = parent.canonicalize().map_err(|e| io_error("resolve", parent, e))?;
    let dir = parent.join(name);
    Ok(dir.canonicalize().unwrap_or(dir))
}

fn prepare_in_place(bins: &PgBinaries, dir: &Path, run_as: Option<RunAs>) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    let dir = dir.canonicalize().map_err(|e| io_error("resolve", dir, e))?;
    if let Some(r) = run_as {
        if let Some(blocker) = r.blocked_ancestor(&dir) {
            if !dir.join("PG_VERSION").exists() {
                r.check_reachable(&dir)?;
            }
            // A cluster made before, by a normal user: new ones move (see `relocate`).
            return Err(Error::Postgres(format!(
                "{} holds PostgreSQL data, but PostgreSQL refuses to run as root and the \
                 `postgres` user Lightdeck runs it as cannot enter {}; run Lightdeck as the \
                 user who made that data, move the folder where `postgres` can reach it, or \
                 delete it to start from scratch",
                dir.display(),
                blocker.display()
            )));
        }
        r.chown(&dir)?;
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| io_error("set permissions on", &dir, e))?;
    if !dir.join("PG_VERSION").exists() {
        let empty =
            std::fs::read_dir(&dir).map_err(|e| io_error("read", &dir, e))?.next().is_none();
        if !empty {
            return Err(Error::Postgres(format!(
                "{} is not empty and holds no PostgreSQL data; move its contents away or choose another folder",
                dir.display()
            )));
        }
        stop_orphans(&dir)?;
        initdb(bins, &dir, run_as, false)?;
    }
    Ok(dir)
}

/// What `postmaster.pid` in a data folder says.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Postmaster {
    /// No pid file: no server runs on this data.
    None,
    /// The pid names a live postgres serving this very folder.
    Running { pid: u32, socket: Option<PathBuf> },
    /// Left by a server that is gone (a crash, a reboot); the pid may since belong to an
    /// unrelated process, which PostgreSQL would take for a running server and refuse to start.
    Stale,
}

pub(super) fn postmaster(data: &Path) -> Postmaster {
    let Ok(text) = std::fs::read_to_string(data.join("postmaster.pid")) else {
        return Postmaster::None;
    };
    let mut lines = text.lines();
    let Some(pid) = lines.next().and_then(|l| l.trim().parse::<u32>().ok()) else {
        return Postmaster::Stale;
    };
    let socket = lines.nth(3).map(str::trim).filter(|s| !s.is_empty()).map(PathBuf::from);
    if serves(pid, data) { Postmaster::Running { pid, socket } } else { Postmaster::Stale }
}

/// Whether `pid` is a live postgres whose data folder is `data`. The postmaster works from
/// its data folder, so its cwd says which cluster it serves; where that cannot be read (no
/// /proc, another user's process) its command line, which holds `-D <data>`, has to do.
fn serves(pid: u32, data: &Path) -> bool {
    if pid == 0 || !process_alive(pid) {
        return false;
    }
    let data = data.canonicalize().unwrap_or_else(|_| data.to_path_buf());
    if let Ok(cwd) = std::fs::read_link(format!("/proc/{pid}/cwd")) {
        return cwd == data;
    }
    let command = match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(raw) => String::from_utf8_lossy(&raw).replace('\0', " "),
        Err(_) => Command::new("ps")
            .args(["-o", "command=", "-p", &pid.to_string()])
            .stderr(Stdio::null())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default(),
    };
    command.contains("postgres") && command.contains(&*data.to_string_lossy())
}

/// Removes the lock files a dead server left, in the data folder and beside its socket.
/// Only called once `postmaster.pid` proved stale; the socket's lock is checked on its own.
fn remove_stale_locks(data: &Path, socket_dir: &Path) -> Result<()> {
    let pid_file = data.join("postmaster.pid");
    std::fs::remove_file(&pid_file)
        .or_else(ignore_missing)
        .map_err(|e| io_error("remove", &pid_file, e))?;
    let socket_lock = socket_dir.join(format!(".s.PGSQL.{PORT}.lock"));
    let holder = std::fs::read_to_string(&socket_lock)
        .ok()
        .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<u32>().ok()));
    if holder.is_some_and(|pid| !serves(pid, data)) {
        std::fs::remove_file(&socket_lock)
            .or_else(ignore_missing)
            .map_err(|e| io_error("remove", &socket_lock, e))?;
    }
    Ok(())
}

fn ignore_missing(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) }
}

/// Stops the postmasters still serving `data` after its folder was deleted (a demo killed,
/// then its folder removed). They keep the socket's lock, so a new cluster made in the same
/// place could not start while they run, and they would run on unseen. Linux only; elsewhere
/// PostgreSQL notices within a minute that its lock file is gone and stops by itself.
pub(super) fn stop_orphans(data: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Ok(()) };
    let gone = format!("{} (deleted)", data.display());
    let servers: Vec<(u32, u32)> = entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cwd = std::fs::read_link(e.path().join("cwd")).ok()?;
            if cwd.as_os_str() != gone.as_str() {
                return None;
            }
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let (name, rest) = stat.rsplit_once(')')?;
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            name.ends_with("(postgres").then_some((pid, ppid))
        })
        .collect();
    // Only the postmaster: it shuts its children down; SIGINT means other things to them.
    for &(pid, ppid) in &servers {
        if !servers.iter().any(|&(p, _)| p == ppid) {
            signal(pid, "INT")?;
            wait_exit(pid)?;
        }
    }
    Ok(())
}

/// Stops whatever server runs on `data` (fast shutdown) and waits until it has gone.
pub(super) fn stop_any(data: &Path) -> Result<()> {
    if let Postmaster::Running { pid, .. } = postmaster(data) {
        signal(pid, "INT")?;
        wait_exit(pid)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ld-pm-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn pid_file(dir: &Path, pid: u32) {
        let text = format!("{pid}\n{0}\n0\n5432\n{0}\n\n0 0\nready\n", dir.display());
        std::fs::write(dir.join("postmaster.pid"), text).unwrap();
    }

    #[test]
    fn a_pid_file_naming_a_dead_or_unrelated_process_is_stale() {
        let dir = scratch("stale");
        assert_eq!(postmaster(&dir), Postmaster::None);
        // This test process is alive, but it is no postgres serving `dir`.
        pid_file(&dir, std::process::id());
        assert_eq!(postmaster(&dir), Postmaster::Stale);
        let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
        pid_file(&dir, sleeper.id());
        assert_eq!(postmaster(&dir), Postmaster::Stale);
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
        assert_eq!(postmaster(&dir), Postmaster::Stale, "dead now");
        std::fs::write(dir.join("postmaster.pid"), "garbage\n").unwrap();
        assert_eq!(postmaster(&dir), Postmaster::Stale);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_process_working_in_the_data_folder_counts_as_its_server() {
        let dir = scratch("cwd");
        let mut server = Command::new("sleep").arg("30").current_dir(&dir).spawn().unwrap();
        pid_file(&dir, server.id());
        let running = postmaster(&dir);
        server.kill().unwrap();
        server.wait().unwrap();
        if Path::new("/proc/self/cwd").exists() {
            assert!(matches!(running, Postmaster::Running { pid, .. } if pid == server.id()));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_server_whose_folder_was_deleted_is_stopped() {
        if !Path::new("/proc/self/cwd").exists() {
            return;
        }
        let dir = scratch("orphan");
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        // A stand-in postmaster: `sleep` under the name postgres, working in `data`.
        let program = dir.join("postgres");
        std::fs::copy("/bin/sleep", &program).unwrap();
        let mut server = Command::new(&program).arg("30").current_dir(&data).spawn().unwrap();
        let mut bystander = Command::new("sleep").arg("30").current_dir(&data).spawn().unwrap();
        stop_orphans(&data).unwrap();
        assert!(server.try_wait().unwrap().is_none(), "its folder still exists");
        std::fs::remove_dir(&data).unwrap();
        std::fs::create_dir(&data).unwrap();
        stop_orphans(&data).unwrap();
        assert!(server.wait().unwrap().signal().is_some(), "stopped");
        assert!(bystander.try_wait().unwrap().is_none(), "only postgres is stopped");
        bystander.kill().unwrap();
        bystander.wait().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stale_locks_are_removed() {
        let dir = scratch("locks");
        pid_file(&dir, std::process::id());
        let lock = dir.join(".s.PGSQL.5432.lock");
        std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
        remove_stale_locks(&dir, &dir).unwrap();
        assert!(!dir.join("postmaster.pid").exists() && !lock.exists());
        remove_stale_locks(&dir, &dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
