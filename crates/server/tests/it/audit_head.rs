//! The audit chains' signed heads outside the database: the writer appends a line only when
//! a head moved (and at shutdown), and the head catches what the chain walk cannot: deleted
//! newest events and a chain recomputed after an edit; a forged line is refused. Also
//! `lightdeck audit verify --head FILE` as a command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lightdeck::audit_head::{self, HeadWriter};
use lightdeck::shutdown::Shutdown;
use lightdeck::state::Clock;
use lightdeck_domain::audit::head::{self, LineProblem, Mismatch};
use lightdeck_domain::audit::{self, AuditEvent, AuditEventDraft, Outcome};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::site::SITE_CHAIN;
use lightdeck_domain::teams;
use lightdeck_domain::testing::TestDb;
use uuid::Uuid;

const KEY: &str = "iWDydV6QOnTHm7p3LY5wL+l1e1dVaSAWWwTAd8/SKjQ=";

struct TempFile(PathBuf);

impl TempFile {
    fn new() -> TempFile {
        TempFile(std::env::temp_dir().join(format!("ld-audit-head-{}.jsonl", Uuid::new_v4())))
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.0).unwrap().lines().map(str::to_owned).collect()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn keyring() -> Keyring {
    Keyring::new(MasterKey::from_base64(KEY, "test").unwrap())
}

struct Fixture {
    db: TestDb,
    team: Uuid,
    events: Vec<AuditEvent>,
    file: TempFile,
}

async fn fixture() -> Fixture {
    let db = TestDb::new().await;
    let name = lightdeck_domain::values::TeamName::parse("Ops").unwrap();
    let team = teams::create(db.pool(), &name, None).await.unwrap().id;
    let mut events = Vec::new();
    for i in 0..4 {
        let mut draft = AuditEventDraft::new(team, "instance.reboot", Outcome::Succeeded);
        draft.actor_name = Some(format!("user{i}"));
        events.push(audit::append(db.pool(), draft).await.unwrap());
    }
    let site = AuditEventDraft::new(SITE_CHAIN, "user.create", Outcome::Succeeded);
    audit::append(db.pool(), site).await.unwrap();
    Fixture { db, team, events, file: TempFile::new() }
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// What `verify --head` concludes: every head of the good lines against the database.
async fn check(db: &TestDb, path: &Path) -> Vec<(Uuid, Option<Mismatch>)> {
    let mut recorded = head::Recorded::default();
    for (i, text) in std::fs::read_to_string(path).unwrap().lines().enumerate() {
        let line = head::parse(text).unwrap();
        head::check_mac(&line, &keyring()).unwrap();
        recorded.add(i + 1, line);
    }
    let heads = recorded.heads();
    let stored = head::stored(db.pool(), &heads).await.unwrap();
    head::compare(&heads, &stored)
}

/// The chain's first mismatch, if any.
fn mismatch_of(found: &[(Uuid, Option<Mismatch>)], team: Uuid) -> Option<Mismatch> {
    found.iter().filter(|(id, _)| *id == team).find_map(|(_, m)| m.clone())
}

/// As a superuser would: the trigger off, `sql`, the trigger on.
async fn tamper(db: &TestDb, sql: &[&str]) {
    let mut tx = db.superuser_pool().begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete")
        .execute(&mut *tx)
        .await
        .unwrap();
    for s in sql {
        sqlx::query(s).execute(&mut *tx).await.unwrap();
    }
    sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_line_is_written_only_when_a_head_moved() {
    let f = fixture().await;
    let ring = keyring();
    let mut w = HeadWriter::open(f.db.pool().clone(), &ring, &f.file.0).unwrap();
    assert!(w.write_if_changed(now()).await.unwrap());
    assert!(!w.write_if_changed(now()).await.unwrap(), "nothing changed");
    let lines = f.file.lines();
    assert_eq!(lines.len(), 1);
    let line = head::parse(&lines[0]).unwrap();
    assert_eq!(line.chains.len(), 2, "the team's chain and the site's");
    assert_eq!(line.chains[0].team_id, SITE_CHAIN);
    let team = line.chains.iter().find(|c| c.team_id == f.team).unwrap();
    assert_eq!((team.seq, team.hash.as_str()), (4, f.events[3].hash.as_str()));
    assert!(!lines[0].contains(KEY));

    // A restart finds the last line and writes nothing new either.
    let mut w = HeadWriter::open(f.db.pool().clone(), &ring, &f.file.0).unwrap();
    assert!(!w.write_if_changed(now()).await.unwrap());
    audit::append(f.db.pool(), AuditEventDraft::new(f.team, "team.rename", Outcome::Succeeded))
        .await
        .unwrap();
    assert!(w.write_if_changed(now()).await.unwrap());
    assert_eq!(f.file.lines().len(), 2);
    assert!(check(&f.db, &f.file.0).await.iter().all(|(_, m)| m.is_none()));
}

#[tokio::test]
async fn the_writer_loop_writes_at_once_and_at_shutdown() {
    let f = fixture().await;
    let w = HeadWriter::open(f.db.pool().clone(), &keyring(), &f.file.0).unwrap();
    let shutdown = Shutdown::default();
    let task = tokio::spawn(audit_head::run(
        w,
        Duration::from_secs(3600),
        shutdown.clone(),
        Clock::system(),
    ));
    // The first tick is immediate.
    for _ in 0..100 {
        if std::fs::read_to_string(&f.file.0).is_ok_and(|t| t.lines().count() == 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(f.file.lines().len(), 1);
    audit::append(f.db.pool(), AuditEventDraft::new(f.team, "team.rename", Outcome::Succeeded))
        .await
        .unwrap();
    shutdown.trigger();
    tokio::time::timeout(Duration::from_secs(10), task).await.unwrap().unwrap();
    let lines = f.file.lines();
    assert_eq!(lines.len(), 2, "the last line is written at shutdown");
    let last = head::parse(&lines[1]).unwrap();
    assert_eq!(last.chains.iter().find(|c| c.team_id == f.team).unwrap().seq, 5);
}

#[tokio::test]
async fn the_head_catches_deleted_newest_events_the_walk_does_not() {
    let f = fixture().await;
    let mut w = HeadWriter::open(f.db.pool().clone(), &keyring(), &f.file.0).unwrap();
    w.write_if_changed(now()).await.unwrap();
    assert!(check(&f.db, &f.file.0).await.iter().all(|(_, m)| m.is_none()));

    let delete = format!("DELETE FROM audit_events WHERE team_id = '{}' AND seq >= 3", f.team);
    tamper(&f.db, &[&delete]).await;
    let walk = audit::verify(f.db.pool(), f.team).await.unwrap();
    assert!(walk.is_intact(), "a truncated chain walks as intact: {walk:?}");
    assert_eq!(walk.head_seq, 2);
    let found = check(&f.db, &f.file.0).await;
    assert_eq!(mismatch_of(&found, f.team), Some(Mismatch::Missing { seq: 4, latest: Some(2) }));
    assert_eq!(mismatch_of(&found, SITE_CHAIN), None);

    // Waiting for the next head does not hide it: the earlier line still holds seq 4.
    assert!(w.write_if_changed(now()).await.unwrap());
    assert_eq!(f.file.lines().len(), 2);
    let found = check(&f.db, &f.file.0).await;
    assert_eq!(mismatch_of(&found, f.team), Some(Mismatch::Missing { seq: 4, latest: Some(2) }));
}

#[tokio::test]
async fn the_head_catches_a_chain_recomputed_after_an_edit() {
    let f = fixture().await;
    let mut w = HeadWriter::open(f.db.pool().clone(), &keyring(), &f.file.0).unwrap();
    w.write_if_changed(now()).await.unwrap();

    // Edit seq 2 and recompute every hash from there, as someone who read the code would.
    // (Then the next head records the new hashes, and the earlier line still disagrees.)
    let mut events = f.events.clone();
    events[1].actor_name = Some("mallory".into());
    let mut sql = Vec::new();
    for i in 1..events.len() {
        let prev = events[i - 1].hash.clone();
        let e = &mut events[i];
        e.prev_hash = prev;
        e.hash = audit::chain::event_hash(&e.prev_hash, e);
        sql.push(format!(
            "UPDATE audit_events SET actor_name = '{}', prev_hash = '{}', hash = '{}' \
             WHERE team_id = '{}' AND seq = {}",
            e.actor_name.as_deref().unwrap_or_default(),
            e.prev_hash,
            e.hash,
            f.team,
            e.seq
        ));
    }
    let sql: Vec<&str> = sql.iter().map(String::as_str).collect();
    tamper(&f.db, &sql).await;
    assert!(audit::verify(f.db.pool(), f.team).await.unwrap().is_intact());
    let found = check(&f.db, &f.file.0).await;
    assert_eq!(mismatch_of(&found, f.team), Some(Mismatch::Rewritten { seq: 4 }));
    assert!(w.write_if_changed(now()).await.unwrap());
    let found = check(&f.db, &f.file.0).await;
    assert_eq!(mismatch_of(&found, f.team), Some(Mismatch::Rewritten { seq: 4 }));
}

#[tokio::test]
async fn a_line_with_a_wrong_mac_is_refused() {
    let f = fixture().await;
    let mut w = HeadWriter::open(f.db.pool().clone(), &keyring(), &f.file.0).unwrap();
    w.write_if_changed(now()).await.unwrap();
    let mut line = head::parse(&f.file.lines()[0]).unwrap();
    assert_eq!(head::check_mac(&line, &keyring()), Ok(()));
    line.chains[1].seq = 2;
    assert_eq!(head::check_mac(&line, &keyring()), Err(LineProblem::BadMac));
    // Signed under another master key: not believed either.
    let other = Keyring::new(MasterKey::from_bytes([9; 32]));
    let forged = head::sign(&other.derive(head::PURPOSE), now(), line.chains.clone());
    assert!(matches!(head::check_mac(&forged, &keyring()), Err(LineProblem::UnknownKey(_))));
}

async fn lightdeck(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_lightdeck"));
    for var in ["DATABASE_URL", "LIGHTDECK_MASTER_KEY", "LIGHTDECK_OLD_MASTER_KEYS", "RUST_LOG"] {
        c.env_remove(var);
    }
    c.args(args).envs(env.iter().copied()).kill_on_drop(true);
    c.output().await.unwrap()
}

#[tokio::test]
async fn audit_verify_head_on_the_command_line() {
    let f = fixture().await;
    let mut w = HeadWriter::open(f.db.pool().clone(), &keyring(), &f.file.0).unwrap();
    w.write_if_changed(now()).await.unwrap();
    let path = f.file.0.to_str().unwrap();
    let env = [("DATABASE_URL", f.db.url()), ("LIGHTDECK_MASTER_KEY", KEY)];
    let out = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    let err = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();

    let o = lightdeck(&["audit", "verify", "--head", path], &env).await;
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("Ops: matches the head (seq 4)"), "{}", out(&o));
    assert!(out(&o).contains("site (users and teams): matches the head (seq 1)"), "{}", out(&o));

    // Without the key it cannot check (and says why); with a missing file neither.
    let o = lightdeck(&["audit", "verify", "--head", path], &env[..1]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--head needs LIGHTDECK_MASTER_KEY"), "{}", err(&o));
    let o = lightdeck(&["audit", "verify", "--head", "/nonexistent/head.jsonl"], &env).await;
    assert_eq!(o.status.code(), Some(2));

    let delete = format!("DELETE FROM audit_events WHERE team_id = '{}' AND seq = 4", f.team);
    tamper(&f.db, &[&delete]).await;
    let o = lightdeck(&["audit", "verify", "--team", "Ops", "--head", path], &env).await;
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(text.contains("Ops: intact, 3 events"), "{text}");
    assert!(
        text.contains(
            "Ops: BROKEN against the head (line 1): the head recorded seq 4, but the chain now ends at \
             seq 3: its newest events were deleted"
        ),
        "{text}"
    );
    assert!(!text.contains("site"), "--team checks that team only: {text}");

    // A forged line after the good one is reported; the good one is still used.
    let mut forged = head::parse(&f.file.lines()[0]).unwrap();
    forged.chains[1].seq = 3;
    forged.chains[1].hash = "0".repeat(64);
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str(&forged.to_json());
    text.push('\n');
    std::fs::write(path, text).unwrap();
    let o = lightdeck(&["audit", "verify", "--head", path], &env).await;
    assert_eq!(o.status.code(), Some(1));
    let text = out(&o);
    assert!(
        text.contains("line 2: BROKEN: the line has a signature that does not match"),
        "{text}"
    );
    assert!(text.contains("the last one (line 1)"), "{text}");
    assert!(!text.contains(KEY) && !err(&o).contains(KEY));
}

#[tokio::test]
async fn serve_writes_the_head_at_start_and_at_shutdown() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let f = fixture().await;
    let path = f.file.0.to_str().unwrap();
    let serve = |file: &str| {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_lightdeck"));
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .args(["serve"])
            .env("DATABASE_URL", f.db.url())
            .env("LIGHTDECK_MASTER_KEY", KEY)
            .env("LIGHTDECK_LISTEN", "127.0.0.1:0")
            .env("LIGHTDECK_HUAWEI_ENDPOINT", "http://127.0.0.1:9")
            .env("LIGHTDECK_AUDIT_HEAD_FILE", file)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        c
    };

    // A path it cannot write stops it before it serves.
    let o = serve("/nonexistent-dir/head.jsonl").output().await.unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("opening the audit head file /nonexistent-dir/head.jsonl"), "{err}");

    let mut child = serve(path).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut logged = Vec::new();
    while logged.iter().all(|l: &String| !l.contains("audit head written")) {
        let line = tokio::time::timeout(Duration::from_secs(20), stderr.next_line())
            .await
            .expect("serve logs the first head")
            .unwrap()
            .expect("serve is running");
        logged.push(line);
    }
    assert_eq!(f.file.lines().len(), 1);
    let written = logged.iter().find(|l| l.contains("audit head written")).unwrap();
    assert!(written.contains(&f.events[3].hash), "the log line carries the head: {written}");
    assert!(!logged.iter().any(|l| l.contains(KEY)));

    audit::append(f.db.pool(), AuditEventDraft::new(f.team, "team.rename", Outcome::Succeeded))
        .await
        .unwrap();
    let pid = child.id().unwrap().to_string();
    let killed = tokio::process::Command::new("kill").args(["-TERM", &pid]).status().await;
    assert!(killed.unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("serve stops after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let lines = f.file.lines();
    assert_eq!(lines.len(), 2, "the last head is written at shutdown");
    let last = head::parse(&lines[1]).unwrap();
    assert_eq!(last.chains.iter().find(|c| c.team_id == f.team).unwrap().seq, 5);
}

/// The README's separate runtime role: migrations applied by the owner, the panel connected
/// as a role that may read and append audit events but can neither change them nor switch
/// the trigger off — and `serve`'s start-up migration step still works for it.
#[tokio::test]
async fn a_runtime_role_without_ownership_can_run_but_not_rewrite_the_audit() {
    let db = TestDb::new().await;
    let role = format!("ld_app_{}", Uuid::new_v4().simple());
    let owner = db.pool();
    for sql in [
        format!("create role {role} login"),
        format!("grant usage on schema public, tower_sessions to {role}"),
        format!("grant select, insert, update, delete on all tables in schema public to {role}"),
        format!(
            "grant select, insert, update, delete on all tables in schema tower_sessions to {role}"
        ),
        format!("revoke update, delete, truncate on audit_events from {role}"),
        format!("grant usage on all sequences in schema public to {role}"),
    ] {
        sqlx::query(&sql).execute(owner).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let url = db.url().replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(url, db.url(), "the test URL names its user: {}", db.url());
    let app = lightdeck_domain::db::connect(&url).await.expect("the runtime role connects");
    lightdeck_domain::db::migrate(&app).await.expect("nothing pending: migrate is a no-op");

    let name = lightdeck_domain::values::TeamName::parse("Runtime").unwrap();
    let team = teams::create(owner, &name, None).await.unwrap().id;
    let draft = AuditEventDraft::new(team, "instance.reboot", Outcome::Succeeded);
    let event = audit::append(&app, draft).await.expect("the runtime role appends");
    for sql in [
        "alter table audit_events disable trigger user".to_owned(),
        format!("delete from audit_events where id = {}", event.id),
        format!("update audit_events set action = 'x' where id = {}", event.id),
    ] {
        let refused = sqlx::query(&sql).execute(&app).await;
        assert!(refused.is_err(), "the runtime role could run: {sql}");
    }
}
