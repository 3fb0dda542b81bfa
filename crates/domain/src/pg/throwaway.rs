//! Throwaway clusters: a watchdog shell owns postgres and removes the cluster when the
//! process that started it exits. Rust runs no destructors for statics, and a test process
//! can die any way, so the cleanup cannot live in this process: the watchdog waits for its
//! stdin (a pipe only this process holds) to reach end-of-file, which the kernel delivers
//! whenever this process exits, even on SIGKILL.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};

use super::binaries::server_command;
use super::{Kind, PgBinaries, PgCluster, RunAs, initdb, io_error, settings, wait_ready};
use crate::{Error, Result};

/// Runs postgres in the background, prints its pid, waits for stdin to close, then stops it
/// and removes the cluster's folder. Arguments: postgres, data dir, root, settings….
const WATCHDOG: &str = r#"pg=$1; data=$2; root=$3; shift 3
"$pg" -D "$data" "$@" </dev/null >"$root/server.log" 2>&1 &
pid=$!
echo "$pid"
while read -r _line; do :; done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$root""#;

pub(super) fn start(bins: &PgBinaries) -> Result<PgCluster> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let run_as = RunAs::detect()?;
    let root = PathBuf::from(format!(
        "/tmp/ldpg-{}-{}-{:08x}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    ));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&root)
        .map_err(|e| io_error("create", &root, e))?;
    let started = start_watchdog(bins, &root, run_as);
    if started.is_err() {
        let _ = std::fs::remove_dir_all(&root);
    }
    started
}

fn start_watchdog(bins: &PgBinaries, root: &Path, run_as: Option<RunAs>) -> Result<PgCluster> {
    if let Some(r) = run_as {
        r.chown(root)?;
    }
    let data = root.join("data");
    initdb(bins, &data, run_as, true)?;
    let mut watchdog = server_command(Path::new("/bin/sh"), run_as)
        .arg("-c")
        .arg(WATCHDOG)
        .arg("lightdeck-pg-watchdog")
        .arg(bins.postgres())
        .arg(&data)
        .arg(root)
        .args(settings(root, true))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own process group, so a Ctrl-C meant for the tests does not kill the watchdog
        // before it has cleaned up.
        .process_group(0)
        .spawn()
        .map_err(|e| Error::Postgres(format!("cannot run /bin/sh: {e}")))?;
    let lifeline = watchdog.stdin.take();
    let mut first_line = String::new();
    if let Some(out) = watchdog.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut first_line);
    }
    let mut cluster = PgCluster {
        data_dir: data.clone(),
        socket_dir: root.to_path_buf(),
        pid: 0,
        kind: Kind::Throwaway { watchdog, lifeline, root: root.to_path_buf() },
        moved: None,
    };
    let pid: u32 = first_line
        .trim()
        .parse()
        .map_err(|_| Error::Postgres("the postgres watchdog did not start".into()))?;
    cluster.pid = pid;
    wait_ready(&data, pid, None, &root.join("server.log"))?;
    Ok(cluster)
}
