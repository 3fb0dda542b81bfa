//! `lightdeck demo`: everything needed to try the panel on one machine, in one process — a
//! private PostgreSQL kept under `--dir`, a master key file beside it, cloudsim with three
//! sample accounts, team "Demo" with alice (owner), bob (operator) and carol (viewer), an
//! initial inventory sync, then the panel with its workers until Ctrl-C.
//!
//! The simulated cloud is kept in `cloudsim.json` under `--dir`: written within a second of
//! every change, and on Ctrl-C; read back on the next run, so what was done in the demo
//! (stopped, renamed, bought) stays done, and an action still running when the demo was
//! killed finishes after the restart instead of being unknown to the new simulator. The
//! first run, or one whose file cannot be used (another snapshot version, corrupt), seeds
//! the simulator with a fixed seed, which always gives the same accounts, keys and
//! instances; deleting the file starts the simulated cloud over that way. The panel's own
//! data lives in the private PostgreSQL and survives runs.

mod seed;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use lightdeck_domain::crypto::{Keyring, load_or_create_key_file};
use lightdeck_domain::db::{self, Database};
use lightdeck_domain::pg::PgBinaries;
use lightdeck_huaweicloud::Region;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::cli::DemoArgs;
use crate::config::AppConfig;
use crate::state::AppState;
use seed::{DemoUser, Prepared};

/// The simulator's seed: fixed, so every run brings back the same accounts and instances.
pub const SIM_SEED: u64 = 20_261_127;
pub const SIM_ACCOUNTS: usize = 3;
pub const SIM_REGIONS: [Region; 2] = [Region::CnNorth4, Region::ApSoutheast1];
/// Per account, spread evenly over [`SIM_REGIONS`]: about 20 per region.
pub const SIM_INSTANCES_PER_ACCOUNT: usize = 40;
/// Long enough to watch a reboot progress, short enough not to bore.
const SIM_JOB_SECONDS: i64 = 4;
/// Relative to `--dir`.
const POSTGRES_DIR: &str = "postgres";
const KEY_FILE: &str = "master.key";
const SNAPSHOT_FILE: &str = "cloudsim.json";
/// How often the simulated cloud is checked for changes to save: often enough that a kill
/// loses at most the last second; an unchanged cloud costs a lock and a comparison.
const SNAPSHOT_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    // Bind first: a busy port should fail before anything is started.
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}; choose another address with --listen, e.g. --listen 127.0.0.1:8081",
                args.listen
            )
        })?;
    let url = panel_url(listener.local_addr()?);

    create_private_dir(&args.dir)?;
    let key_path = args.dir.join(KEY_FILE);
    let keyring = Keyring::new(
        load_or_create_key_file(&key_path)
            .with_context(|| format!("preparing the demo key {}", key_path.display()))?,
    );
    let pg_dir = args.dir.join(POSTGRES_DIR);
    eprintln!("Starting PostgreSQL …");
    let database = Database::private(PgBinaries::find()?, &pg_dir)
        .await
        .context("starting the demo's PostgreSQL")?;
    // As root the data may live outside --dir; say where, once, and use that from here on.
    let pg_dir = database.cluster().map_or(pg_dir, |c| c.data_dir().to_path_buf());
    match database.cluster().and_then(|c| c.moved()) {
        Some(note) => eprintln!("{note}"),
        None => eprintln!("PostgreSQL keeps the demo's data in {}", pg_dir.display()),
    }

    // From here on PostgreSQL is stopped whatever happens, Ctrl-C during setup included.
    // Once the panel serves, it handles Ctrl-C itself and returns.
    let ready = tokio::select! {
        r = set_up(&args, &database, keyring, listener.local_addr()?) => r.map(Some),
        r = crate::shutdown::signal() => r.map(|()| None).map_err(anyhow::Error::from),
    };
    let outcome = match ready {
        Ok(Some(demo)) => match announce(&args, &url, &demo.prepared) {
            Ok(()) => serve(demo, listener).await,
            Err(e) => Err(e),
        },
        Ok(None) => {
            eprintln!("Interrupted during setup.");
            Ok(())
        }
        Err(e) => Err(e),
    };
    eprintln!("Stopping PostgreSQL (the data stays in {}) …", pg_dir.display());
    let stopped = database.stop().await.context("stopping the demo's PostgreSQL");
    outcome?;
    stopped?;
    eprintln!("Demo stopped.");
    Ok(ExitCode::SUCCESS)
}

/// Everything set up and ready to serve.
struct Demo {
    state: AppState,
    sim: lightdeck_cloudsim::Handle,
    /// Where the simulated cloud is saved.
    snapshot: PathBuf,
    prepared: Prepared,
}

async fn set_up(
    args: &DemoArgs,
    database: &Database,
    keyring: Keyring,
    listen: SocketAddr,
) -> anyhow::Result<Demo> {
    let pool = database.connect().await?;
    db::migrate(&pool).await.context("applying database migrations")?;

    let snapshot = args.dir.join(SNAPSHOT_FILE);
    let sim = lightdeck_cloudsim::spawn(
        lightdeck_cloudsim::Config::builder()
            .seed(SIM_SEED)
            .accounts(SIM_ACCOUNTS)
            .instances_per_account(SIM_INSTANCES_PER_ACCOUNT)
            .regions(SIM_REGIONS)
            .job_duration(time::Duration::seconds(SIM_JOB_SECONDS))
            .snapshot(&snapshot),
    )
    .await
    .context("starting cloudsim")?;
    eprintln!("{}", snapshot_line(sim.snapshot_status(), &snapshot));
    eprintln!(
        "cloudsim (the simulated Huawei Cloud) is on {} with {} instances",
        sim.base_url(),
        sim.instance_count()
    );

    let prepared = seed::prepare(&pool, &keyring, sim.accounts(), &SIM_REGIONS).await?;
    if prepared.reused() {
        eprintln!(
            "Reusing the demo data in {} — passwords were shown on the first run; reset one \
             with `lightdeck user passwd alice` while the demo runs, with \
             DATABASE_URL='{}'",
            args.dir.display(),
            database.url()
        );
    }
    for name in &prepared.updated_accounts {
        eprintln!("Updated the stored credentials of account {name} to match cloudsim");
    }

    let config = AppConfig {
        listen,
        huawei_endpoint: Some(sim.base_url().to_owned()),
        ..AppConfig::default()
    };
    let cloud = super::serve::cloud_client(config.huawei_endpoint.as_deref())?;
    let state = AppState::new(pool, cloud, keyring, config).context("loading the translations")?;

    eprintln!("Syncing the inventory of {} accounts …", prepared.accounts.len());
    let mut instances = 0;
    for account in &prepared.accounts {
        instances += initial_sync(&state, *account).await?;
    }
    eprintln!("The inventory holds {instances} instances.");
    Ok(Demo { state, sim, snapshot, prepared })
}

/// Where this run's simulated cloud came from, in one line.
fn snapshot_line(status: &lightdeck_cloudsim::SnapshotStatus, path: &Path) -> String {
    use lightdeck_cloudsim::SnapshotStatus;
    match status {
        SnapshotStatus::Loaded { saved_at } => {
            let at = saved_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| saved_at.to_string());
            format!("The simulated cloud is restored from {} (saved {at}).", path.display())
        }
        SnapshotStatus::Fresh => format!(
            "The simulated cloud starts fresh from its seed; it is kept in {}.",
            path.display()
        ),
        SnapshotStatus::Discarded { reason } => format!(
            "The simulated cloud starts from its seed: {} cannot be used ({reason}); it will \
             be replaced.",
            path.display()
        ),
    }
}

/// Syncs one account; returns how many instances it has.
async fn initial_sync(state: &AppState, account: uuid::Uuid) -> anyhow::Result<u64> {
    let summary = crate::workers::sync::sync_account(&state.workers(), account)
        .await
        .context("the initial inventory sync")?;
    if !summary.partial.is_empty() {
        eprintln!("Some details could not be read: {}", summary.partial.join(", "));
    }
    Ok(summary.added + summary.changed + summary.unchanged)
}

/// Serves until Ctrl-C or SIGTERM, saving the simulated cloud as it changes; then stops
/// cloudsim, saves it a last time and closes the pool.
async fn serve(demo: Demo, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let pool = demo.state.db.clone();
    let snapshotter = demo.sim.snapshotter();
    let (stop_saving, stopped) = tokio::sync::watch::channel(false);
    let saving = tokio::spawn(keep_saving(snapshotter.clone(), demo.snapshot.clone(), stopped));
    let served = super::serve::serve_on(demo.state, listener).await;
    // The saver finishes a save it is in; only then is the last one written, so an older
    // state can never land after it.
    let _ = stop_saving.send(true);
    let _ = saving.await;
    demo.sim.shutdown().await;
    let path = demo.snapshot.clone();
    let saved = tokio::task::spawn_blocking(move || snapshotter.save_if_changed(&path))
        .await
        .context("saving the simulated cloud")?
        .with_context(|| format!("saving the simulated cloud to {}", demo.snapshot.display()));
    pool.close().await;
    served?;
    saved?;
    eprintln!("The simulated cloud is saved in {}.", demo.snapshot.display());
    Ok(())
}

/// Saves the simulated cloud whenever it changed, until `stop` says so. A failing save is
/// reported once, not every second, and retried.
async fn keep_saving(
    snapshotter: lightdeck_cloudsim::Snapshotter,
    path: PathBuf,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(SNAPSHOT_CHECK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let (s, p) = (snapshotter.clone(), path.clone());
        // Copying the state holds its lock briefly; serializing and fsync run off the
        // runtime's threads.
        match tokio::task::spawn_blocking(move || s.save_if_changed(&p)).await {
            Ok(Ok(_)) => failing = false,
            Ok(Err(e)) if !failing => {
                failing = true;
                eprintln!("Cannot save the simulated cloud to {}: {e}", path.display());
            }
            Ok(Err(_)) | Err(_) => {}
        }
    }
}

/// The URL for people: an unspecified address (0.0.0.0) is reachable as loopback.
fn panel_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// `--dir` holds the database (its own folder, 0700) and the key file (0600). Others may
/// pass through it but not list it: when Lightdeck runs as root, PostgreSQL runs as the
/// `postgres` user and must reach its folder.
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o711)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// Prints the URL and the users: one JSON line with `--json`, else a block of text.
fn announce(args: &DemoArgs, url: &str, prepared: &Prepared) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", json_line(url, &prepared.users))?;
    } else {
        write!(out, "{}", text_block(url, prepared))?;
    }
    out.flush()?;
    Ok(())
}

fn json_line(url: &str, users: &[DemoUser]) -> serde_json::Value {
    let users: Vec<_> = users
        .iter()
        .map(|u| {
            json!({
                "login": u.login,
                "password": u.password.as_ref().map(|p| p.expose_secret().to_owned()),
                "role": u.role.as_str(),
            })
        })
        .collect();
    json!({ "url": url, "users": users })
}

fn text_block(url: &str, prepared: &Prepared) -> String {
    let rule = "─".repeat(64);
    let mut s = format!("\n{rule}\n  Lightdeck demo: open {url}\n\n");
    s.push_str(&format!("  {:<8} {:<24} {}\n", "login", "password", "role"));
    for u in &prepared.users {
        let password =
            u.password.as_ref().map_or("(shown on the first run)", |p| p.expose_secret());
        s.push_str(&format!("  {:<8} {:<24} {}\n", u.login, password, u.role.as_str()));
    }
    s.push('\n');
    if prepared.users.iter().any(|u| u.password.is_some()) {
        s.push_str("  Passwords are shown only now; note them down.\n");
    }
    s.push_str("  Ctrl-C stops the demo; run it again to continue with the same data.\n");
    s.push_str(&format!("{rule}\n"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use lightdeck_domain::policy::Role;
    use secrecy::SecretString;

    #[test]
    fn urls_for_people() {
        assert_eq!(panel_url("127.0.0.1:8080".parse().unwrap()), "http://127.0.0.1:8080");
        assert_eq!(panel_url("0.0.0.0:9000".parse().unwrap()), "http://127.0.0.1:9000");
        assert_eq!(panel_url("[::]:9000".parse().unwrap()), "http://[::1]:9000");
    }

    #[test]
    fn json_has_passwords_only_when_created() {
        let users = vec![
            DemoUser {
                login: "alice",
                role: Role::Owner,
                password: Some(SecretString::from("pw-1")),
            },
            DemoUser { login: "carol", role: Role::Viewer, password: None },
        ];
        let v = json_line("http://127.0.0.1:1", &users);
        assert_eq!(v["url"], "http://127.0.0.1:1");
        assert_eq!(v["users"][0]["password"], "pw-1");
        assert_eq!(v["users"][0]["role"], "owner");
        assert!(v["users"][1]["password"].is_null());
        assert_eq!(v["users"][1]["login"], "carol");
    }
}
