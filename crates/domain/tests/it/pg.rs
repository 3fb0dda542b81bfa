//! The private Postgres starter and the test databases built on it.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use lightdeck_domain::Error;
use lightdeck_domain::pg::{PgBinaries, PgCluster, process_alive};
use lightdeck_domain::testing::TestDb;
use sqlx::Connection;

fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(format!("/tmp/ld-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Polls an outside process's progress (there is no clock to drive).
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn each_test_db_is_fresh_and_migrated() {
    let a = TestDb::new().await;
    let b = TestDb::new().await;
    assert_ne!(a.name(), b.name());
    sqlx::query("insert into teams (id, name) values (gen_random_uuid(), 'only in a')")
        .execute(a.pool())
        .await
        .unwrap();
    let count = |db: &TestDb| {
        let pool = db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("select count(*) from teams")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count(&a).await, 1);
    assert_eq!(count(&b).await, 0);
    // The session store's table is there too, and the URL works on its own.
    let mut conn = sqlx::PgConnection::connect(b.url()).await.unwrap();
    let sessions: i64 = sqlx::query_scalar("select count(*) from tower_sessions.session")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn missing_binaries_give_one_message_saying_how_to_get_postgres() {
    let empty = scratch_dir("nobins");
    std::fs::create_dir_all(&empty).unwrap();
    let err = PgBinaries::find_in(std::slice::from_ref(&empty)).unwrap_err();
    std::fs::remove_dir_all(&empty).unwrap();
    let Error::Postgres(message) = err else { panic!("wrong error kind: {err:?}") };
    for hint in [
        "apt-get install postgresql",
        "dnf install postgresql-server",
        "brew install postgresql@16",
        "docker compose up",
        "DATABASE_URL",
    ] {
        assert!(message.contains(hint), "{hint:?} missing from: {message}");
    }
}

/// Runs twice: as the test, it starts a copy of this test binary that starts a throwaway
/// cluster and exits without any cleanup of its own (like a `static`); then it checks that
/// the postgres process and the folder disappear.
#[tokio::test]
async fn a_throwaway_cluster_disappears_when_its_process_exits() {
    // The test's path within the one test binary.
    const NAME: &str = "pg::a_throwaway_cluster_disappears_when_its_process_exits";
    if std::env::var_os("LIGHTDECK_PG_EXIT_CHILD").is_some() {
        let cluster = PgCluster::start_throwaway(PgBinaries::find().unwrap()).await.unwrap();
        let root = cluster.throwaway_root().unwrap().to_path_buf();
        assert!(process_alive(cluster.pid()) && root.exists());
        println!("CLUSTER {} {}", cluster.pid(), root.display());
        std::mem::forget(cluster);
        std::process::exit(0);
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
        .env("LIGHTDECK_PG_EXIT_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("CLUSTER ").map(|(_, rest)| rest))
        .unwrap_or_else(|| {
            panic!(
                "child did not start a cluster: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let (pid, root) = line.split_once(' ').unwrap();
    let (pid, root): (u32, PathBuf) = (pid.parse().unwrap(), root.into());
    eventually("postgres has exited", || !process_alive(pid));
    eventually("the cluster folder is gone", || !root.exists());
}

/// What `lightdeck demo` does: a private cluster with the `lightdeck` database, migrated;
/// reused while it runs, and its data kept across a stop, a crash's stale pid file and a
/// new start. (One test, because creating a durable cluster takes seconds.)
#[tokio::test]
async fn the_demo_database_is_kept_across_restarts() {
    use lightdeck_domain::db::{self, Database};
    let dir = scratch_dir("demo");
    let bins = PgBinaries::find().unwrap();
    let first = Database::private(bins.clone(), &dir).await.unwrap();
    assert!(first.url().contains("/lightdeck"), "{}", first.url());
    let pool = first.connect().await.unwrap();
    db::migrate(&pool).await.unwrap();
    sqlx::query("insert into teams (id, name) values (gen_random_uuid(), 'Kept')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let Database::Private(cluster) = first else { panic!("not a private cluster") };

    // A second start while the server runs (say, the panel crashed) reuses that server.
    let again = PgCluster::start_persistent(bins.clone(), dir.clone()).await.unwrap();
    assert_eq!(again.pid(), cluster.pid());
    drop(again);

    let pid = cluster.pid();
    cluster.stop().await.unwrap();
    assert!(!process_alive(pid), "postgres still running after stop");
    assert!(!dir.join("postmaster.pid").exists());

    // A pid file left by a crash, naming a process that no longer exists, does not block.
    let stale = format!("4000000\n{0}\n0\n5432\n{0}\n\n0 0\nready\n", dir.display());
    std::fs::write(dir.join("postmaster.pid"), stale).unwrap();

    let second = Database::private(bins.clone(), &dir).await.unwrap();
    let pool = db::connect(&second.url()).await.unwrap();
    db::migrate(&pool).await.unwrap();
    let name: String = sqlx::query_scalar("select name from teams").fetch_one(&pool).await.unwrap();
    assert_eq!(name, "Kept");
    pool.close().await;
    second.stop().await.unwrap();

    // After a reboot the pid in a stale file can belong to an unrelated live process (here:
    // this test), which PostgreSQL would take for a server still running; the socket's lock
    // file says the same. Neither must be mistaken for a server or block the start.
    let me = std::process::id();
    let stale = format!("{me}\n{0}\n0\n5432\n{0}\n\n0 0\nready\n", dir.display());
    std::fs::write(dir.join("postmaster.pid"), stale).unwrap();
    std::fs::write(dir.join(".s.PGSQL.5432.lock"), format!("{me}\n{}\n", dir.display())).unwrap();
    let third = PgCluster::start_persistent(bins, dir.clone()).await.unwrap();
    assert_ne!(third.pid(), me);
    let mut conn =
        sqlx::ConnectOptions::connect(&third.connect_options("lightdeck")).await.unwrap();
    let name: String =
        sqlx::query_scalar("select name from teams").fetch_one(&mut conn).await.unwrap();
    assert_eq!(name, "Kept");
    conn.close().await.unwrap();
    third.stop().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// As root, a cluster for a folder the `postgres` user cannot enter (a 0700 folder, like
/// root's home) lives under /var/lib/lightdeck, found again through `<dir>-location`; a
/// record naming a cluster made for another record is refused; and once the record is
/// deleted, the old cluster, still running, is stopped and replaced by a fresh one.
#[tokio::test]
async fn as_root_a_cluster_the_postgres_user_cannot_reach_moves() {
    use lightdeck_domain::db::{self, Database};
    use std::os::unix::fs::DirBuilderExt;
    if !is_root() {
        eprintln!("not running as root: PostgreSQL runs as this user and its data never moves");
    }
    let closed = scratch_dir("closed");
    std::fs::DirBuilder::new().mode(0o700).create(&closed).unwrap();
    let dir = closed.join("postgres");
    let record = closed.join("postgres-location");
    let bins = PgBinaries::find().unwrap();

    let first = Database::private(bins.clone(), &dir).await.unwrap();
    let cluster = first.cluster().unwrap();
    let data = cluster.data_dir().to_path_buf();
    if !is_root() {
        assert_eq!(data, dir.canonicalize().unwrap());
        assert!(cluster.moved().is_none() && !record.exists());
        first.stop().await.unwrap();
        std::fs::remove_dir_all(&closed).unwrap();
        return;
    }
    struct Cleanup(Vec<PathBuf>);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            for d in &self.0 {
                // A failed assertion can leave a server running on the folder.
                let pid = std::fs::read_to_string(d.join("postmaster.pid")).unwrap_or_default();
                if let Some(pid) = pid.lines().next() {
                    let _ = Command::new("kill").args(["-INT", pid]).status();
                    std::thread::sleep(Duration::from_secs(1));
                }
                let _ = std::fs::remove_dir_all(d);
            }
        }
    }
    let _cleanup = Cleanup(vec![data.clone(), closed.clone()]);
    assert!(data.to_string_lossy().starts_with("/var/lib/lightdeck/demo-"), "{}", data.display());
    let note = cluster.moved().expect("says where the data went").to_owned();
    assert!(
        note.contains(&data.display().to_string()) && note.contains(&*closed.to_string_lossy())
    );
    assert!(!dir.exists(), "nothing is created where the postgres user cannot go");
    let pool = first.connect().await.unwrap();
    db::migrate(&pool).await.unwrap();
    sqlx::query("insert into teams (id, name) values (gen_random_uuid(), 'Moved')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    first.stop().await.unwrap();

    // Found again through the record, data and all; then left running, as by a killed demo.
    let second = Database::private(bins.clone(), &dir).await.unwrap();
    assert_eq!(second.cluster().unwrap().data_dir(), data);
    let pool = second.connect().await.unwrap();
    let name: String = sqlx::query_scalar("select name from teams").fetch_one(&pool).await.unwrap();
    assert_eq!(name, "Moved");
    pool.close().await;
    let Database::Private(left_running) = second else { unreachable!() };
    let old_pid = left_running.pid();
    std::mem::forget(left_running);

    // A record whose token is not the cluster's names somebody else's data: hands off.
    let genuine = std::fs::read_to_string(&record).unwrap();
    let path = genuine.lines().next().unwrap();
    std::fs::write(&record, format!("{path}\n0123456789abcdef\n")).unwrap();
    let err = PgCluster::start_persistent(bins.clone(), dir.clone()).await.unwrap_err();
    assert!(err.to_string().contains("another demo's cluster"), "{err}");
    assert!(process_alive(old_pid), "a refused record leaves the cluster alone");

    // No record (the demo folder was deleted): a fresh cluster, the old server stopped.
    std::fs::remove_file(&record).unwrap();
    let fresh = Database::private(bins, &dir).await.unwrap();
    assert!(!process_alive(old_pid), "the old postmaster was stopped");
    assert_eq!(fresh.cluster().unwrap().data_dir(), data, "same place, new cluster");
    let pool = fresh.connect().await.unwrap();
    db::migrate(&pool).await.unwrap();
    let teams: i64 =
        sqlx::query_scalar("select count(*) from teams").fetch_one(&pool).await.unwrap();
    assert_eq!(teams, 0, "nothing of the old cluster is left");
    pool.close().await;
    fresh.stop().await.unwrap();
}

#[tokio::test]
async fn a_bad_database_url_is_a_field_error_without_the_password() {
    let Err(Error::Invalid(errors)) =
        lightdeck_domain::db::connect("mysql://user:hunter2@host/db").await
    else {
        panic!("a non-postgres URL was accepted");
    };
    let message = errors.get("DATABASE_URL").unwrap();
    assert!(message.contains("postgres://") && !message.contains("hunter2"), "{message}");
}
