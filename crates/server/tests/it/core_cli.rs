//! The `lightdeck` binary: help texts, `serve` refusing bad settings, and the admin
//! commands against a test database (and cloudsim for `account add`).

use std::process::Output;

use lightdeck_domain::accounts::{NewAccount, NewAkSk, NewIamUser};
use lightdeck_domain::audit::{self, AuditEventDraft, Outcome};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::values::{
    AccessKeyId, AccountName, DomainName, IamPassword, IamUserName, SecretAccessKey,
    parse_project_id,
};
use lightdeck_domain::{accounts, second_factor, teams, users};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

const KEY: &str = "iWDydV6QOnTHm7p3LY5wL+l1e1dVaSAWWwTAd8/SKjQ=";
/// The key rotated to in the re-encryption test.
const NEW_KEY: &str = "sHpjBvp3artArDg1IIhRWQOjwb53a9vJCefFS9JGERs=";

fn lightdeck() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lightdeck"));
    for var in [
        "DATABASE_URL",
        "LIGHTDECK_MASTER_KEY",
        "LIGHTDECK_OLD_MASTER_KEYS",
        "LIGHTDECK_LISTEN",
        "LIGHTDECK_PUBLIC_URL",
        "LIGHTDECK_SYNC_INTERVAL",
        "LIGHTDECK_HUAWEI_ENDPOINT",
        "LIGHTDECK_SESSION_IDLE",
        "LIGHTDECK_SESSION_MAX",
        "LIGHTDECK_METRICS_LISTEN",
        "LIGHTDECK_METRICS_TOKEN",
        "LIGHTDECK_TRUSTED_PROXIES",
        "LIGHTDECK_AUDIT_HEAD_FILE",
        "RUST_LOG",
    ] {
        c.env_remove(var);
    }
    c.kill_on_drop(true);
    c
}

async fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut c = lightdeck();
    c.args(args).envs(env.iter().copied());
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    child.wait_with_output().await.unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn every_subcommand_has_help() {
    for args in [
        vec![],
        vec!["serve"],
        vec!["migrate"],
        vec!["user"],
        vec!["user", "add"],
        vec!["user", "passwd"],
        vec!["user", "reset-second-factor"],
        vec!["team"],
        vec!["team", "add"],
        vec!["team", "member"],
        vec!["team", "member", "add"],
        vec!["account"],
        vec!["account", "add"],
        vec!["account", "reencrypt"],
        vec!["audit"],
        vec!["audit", "verify"],
        vec!["sim"],
        vec!["demo"],
    ] {
        let mut full = args.clone();
        full.push("--help");
        let o = run(&full, &[], None).await;
        assert!(o.status.success(), "{full:?}: {}", err(&o));
        let text = out(&o);
        let usage = format!("Usage: lightdeck {}", args.join(" "));
        assert!(text.contains(usage.trim_end()), "{full:?}:\n{text}");
        assert!(text.lines().count() > 4, "{full:?} says little:\n{text}");
    }
}

#[tokio::test]
async fn serve_refuses_to_start_without_or_with_bad_settings_naming_the_variable() {
    let o = run(&["serve"], &[], None).await;
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(e.contains("DATABASE_URL is not set"), "{e}");
    assert!(e.contains("LIGHTDECK_MASTER_KEY is not set"), "{e}");

    let short_key = "c2hvcnQta2V5LXNlY3JldA==";
    let o = run(
        &["serve"],
        &[
            ("DATABASE_URL", "mysql://u:hunter2@db/x"),
            ("LIGHTDECK_MASTER_KEY", short_key),
            ("LIGHTDECK_LISTEN", "localhost"),
            ("LIGHTDECK_PUBLIC_URL", "panel.example"),
            ("LIGHTDECK_SESSION_IDLE", "5 weeks"),
            ("LIGHTDECK_METRICS_TOKEN", "short-metrics-token"),
            ("LIGHTDECK_METRICS_LISTEN", "9464"),
            ("LIGHTDECK_TRUSTED_PROXIES", "127.0.0.1, proxy.example"),
        ],
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    for expected in [
        "DATABASE_URL must start with postgres://",
        "LIGHTDECK_MASTER_KEY must be base64 of exactly 32 bytes",
        "LIGHTDECK_LISTEN must be an address and port",
        "LIGHTDECK_PUBLIC_URL must start with http:// or https://",
        "LIGHTDECK_SESSION_IDLE must be a number with an optional unit",
        "LIGHTDECK_METRICS_TOKEN must be at least 32 characters",
        "LIGHTDECK_METRICS_LISTEN must be an address and port",
        "LIGHTDECK_TRUSTED_PROXIES: \"proxy.example\" is not an address",
    ] {
        assert!(e.contains(expected), "missing {expected:?} in:\n{e}");
    }
    assert!(
        !e.contains(short_key) && !e.contains("hunter2") && !e.contains("short-metrics-token"),
        "secrets echoed:\n{e}"
    );

    // Reachable from other machines without the address people open: refused, saying why.
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let o = run(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://x/y"),
            ("LIGHTDECK_MASTER_KEY", key),
            ("LIGHTDECK_LISTEN", "0.0.0.0:8080"),
        ],
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(e.contains("LIGHTDECK_PUBLIC_URL is not set"), "{e}");
    assert!(e.contains("0.0.0.0:8080"), "{e}");

    // Metrics for other machines need a token.
    let o = run(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://x/y"),
            ("LIGHTDECK_MASTER_KEY", key),
            ("LIGHTDECK_METRICS_LISTEN", "0.0.0.0:9464"),
        ],
        None,
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("LIGHTDECK_METRICS_TOKEN is not set"), "{}", err(&o));

    let o = run(
        &["serve"],
        &[("DATABASE_URL", "postgres://x/y"), ("LIGHTDECK_MASTER_KEY", "not base64!")],
        None,
    )
    .await;
    assert!(err(&o).contains("LIGHTDECK_MASTER_KEY is not valid base64"), "{}", err(&o));
}

#[tokio::test]
async fn users_and_teams_from_the_command_line() {
    let db = TestDb::new().await;
    let env = [("DATABASE_URL", db.url())];

    let o = run(
        &["user", "add", "alice", "--password-stdin", "--site-admin"],
        &env,
        Some("a long password 1\n"),
    )
    .await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("created user alice (site administrator)"));
    let pw = SecretString::from("a long password 1".to_owned());
    let signed = users::verify_password(db.pool(), "alice", &pw).await.unwrap();
    assert!(matches!(signed, users::SignIn::Accepted(ref u) if u.site_admin));

    let o = run(&["user", "add", "bob", "--generate-password", "--language", "zh-CN"], &env, None)
        .await;
    assert!(o.status.success(), "{}", err(&o));
    let printed = out(&o).lines().find_map(|l| l.strip_prefix("password: ")).unwrap().to_owned();
    assert_eq!(printed.len(), 20);
    let pw = SecretString::from(printed.clone());
    assert!(matches!(
        users::verify_password(db.pool(), "bob", &pw).await.unwrap(),
        users::SignIn::Accepted(_)
    ));

    let o = run(&["user", "add", "Bad Name", "--generate-password"], &env, None).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("login name"), "{}", err(&o));
    let o = run(&["user", "add", "carol", "--password-stdin"], &env, Some("short\n")).await;
    assert!(err(&o).contains("at least 12 characters"), "{}", err(&o));
    assert!(!err(&o).contains("short\n"));
    let o = run(&["user", "add", "carol"], &env, None).await;
    assert!(err(&o).contains("--password-stdin"), "no terminal: {}", err(&o));

    let o = run(&["user", "passwd", "bob", "--password-stdin"], &env, Some("another password 2\n"))
        .await;
    assert!(o.status.success(), "{}", err(&o));
    let pw = SecretString::from("another password 2".to_owned());
    assert!(matches!(
        users::verify_password(db.pool(), "bob", &pw).await.unwrap(),
        users::SignIn::Accepted(_)
    ));

    let o = run(&["team", "add", "Ops", "--owner", "alice"], &env, None).await;
    assert!(o.status.success(), "{}", err(&o));
    let o = run(&["team", "member", "add", "Ops", "bob", "operator"], &env, None).await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("added bob to Ops as operator"));
    let o = run(&["team", "member", "add", "Ops", "bob", "king"], &env, None).await;
    assert!(err(&o).contains("role must be one of"), "{}", err(&o));
    let o = run(&["team", "member", "add", "Nope", "bob", "viewer"], &env, None).await;
    assert!(err(&o).contains("no team named \"Nope\""), "{}", err(&o));

    let team = teams::find_by_name(db.pool(), "Ops").await.unwrap().unwrap();
    let members = teams::members(db.pool(), team.id).await.unwrap();
    let roles: Vec<_> = members.iter().map(|m| (m.login.as_str(), m.role.as_str())).collect();
    assert_eq!(roles, [("alice", "owner"), ("bob", "operator")]);

    let o = run(&["migrate"], &env, None).await;
    assert!(o.status.success(), "{}", err(&o));
    let o = run(&["migrate"], &[], None).await;
    assert!(err(&o).contains("DATABASE_URL is not set"));
}

/// A site administrator who lost their phone and their recovery codes: nobody can reset
/// their second factor on the users page (not even they), so the server's shell does.
#[tokio::test]
async fn user_reset_second_factor_from_the_command_line() {
    let db = TestDb::new().await;
    let env = [("DATABASE_URL", db.url())];
    let sam = lightdeck_testkit::fixtures::user(db.pool(), "sam").site_admin(true).create().await;
    let keys = keyring(KEY);
    let t0 = time::OffsetDateTime::now_utc();
    let shown = second_factor::start_enrolment(db.pool(), &keys, &sam, t0).await.unwrap();
    let code = lightdeck_testkit::totp_code(shown.secret_base32(), t0);
    let me = lightdeck_domain::site::SiteActor::command_line("test");
    second_factor::confirm_enrolment(db.pool(), &keys, &sam, shown.id(), &code, &me, t0)
        .await
        .unwrap();
    let epoch = users::get(db.pool(), sam.id).await.unwrap().session_epoch;

    let o = run(&["user", "reset-second-factor", "sam"], &env, None).await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("removed the second factor of sam"), "{}", out(&o));
    assert!(out(&o).contains("sessions have ended"), "{}", out(&o));
    let after = users::get(db.pool(), sam.id).await.unwrap();
    assert!(!after.second_factor);
    assert_eq!(after.session_epoch, epoch + 1, "his sessions end");
    let events = lightdeck_domain::site::events(db.pool(), None, 10).await.unwrap();
    assert_eq!(events[0].action, "user.second_factor.reset");
    assert!(
        events[0].actor_name.as_deref().is_some_and(|n| n.starts_with("command line on ")),
        "{:?}",
        events[0].actor_name
    );
    assert_eq!(events[0].param("login").as_deref(), Some("sam"));

    // Again: nothing on, nothing changed, no event.
    let o = run(&["user", "reset-second-factor", "sam"], &env, None).await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("sam had no second factor; nothing changed"), "{}", out(&o));
    assert_eq!(users::get(db.pool(), sam.id).await.unwrap().session_epoch, epoch + 1);
    assert_eq!(lightdeck_domain::site::events(db.pool(), None, 10).await.unwrap().len(), 2);

    let o = run(&["user", "reset-second-factor", "nobody"], &env, None).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("there is no user with the login \"nobody\""), "{}", err(&o));
}

#[tokio::test]
async fn audit_verify_exits_1_at_the_first_broken_link() {
    let db = TestDb::new().await;
    let env = [("DATABASE_URL", db.url())];
    let name = lightdeck_domain::values::TeamName::parse("Ops").unwrap();
    let team = teams::create(db.pool(), &name, None).await.unwrap();
    for i in 0..4 {
        let mut draft = AuditEventDraft::new(team.id, "instance.reboot", Outcome::Succeeded);
        draft.actor_name = Some(format!("user{i}"));
        audit::append(db.pool(), draft).await.unwrap();
    }
    let o = run(&["audit", "verify"], &env, None).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("Ops: intact, 4 events"), "{}", out(&o));

    let mut tx = db.superuser_pool().begin().await.unwrap();
    for sql in [
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 2",
        "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();

    let o = run(&["audit", "verify", "--team", "Ops"], &env, None).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        out(&o).contains("Ops: BROKEN at seq 2 (the event was changed after it was written)"),
        "{}",
        out(&o)
    );
    let o = run(&["audit", "verify", "--team", "Nope"], &env, None).await;
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn account_add_checks_the_credentials_and_finds_the_projects() {
    let db = TestDb::new().await;
    let sim = lightdeck_cloudsim::spawn(
        lightdeck_cloudsim::Config::builder()
            .listen("127.0.0.1:0".parse().unwrap())
            .accounts(1)
            .instances_per_account(1),
    )
    .await
    .unwrap();
    let account = sim.accounts()[0].clone();
    let name = lightdeck_domain::values::TeamName::parse("Ops").unwrap();
    let team = teams::create(db.pool(), &name, None).await.unwrap();
    let env = [("DATABASE_URL", db.url()), ("LIGHTDECK_MASTER_KEY", KEY)];
    let args = [
        "account",
        "add",
        "--team",
        "Ops",
        "--name",
        "Prod",
        "--ak",
        &account.ak,
        "--sk-stdin",
        "--regions",
        "cn-north-4,ap-southeast-1",
        "--endpoint",
        sim.base_url(),
    ];

    let wrong = run(&args, &env, Some(&format!("{}\n", "A".repeat(40)))).await;
    assert_eq!(wrong.status.code(), Some(2));
    assert!(err(&wrong).contains("the cloud refused the credentials"), "{}", err(&wrong));
    assert!(accounts::list(db.pool(), team.id).await.unwrap().is_empty());

    let sk = format!("{}\n", account.sk.expose_secret());
    let o = run(&args, &env, Some(&sk)).await;
    assert!(o.status.success(), "{}", err(&o));
    // Without RUST_LOG the Huawei client's per-call info lines are not shown.
    assert!(!err(&o).contains("huawei call"), "{}", err(&o));
    assert!(
        !out(&o).contains(account.sk.expose_secret())
            && !err(&o).contains(account.sk.expose_secret())
    );
    let stored = accounts::list(db.pool(), team.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].domain_id.as_deref(), Some(account.domain_id.as_str()));
    assert_eq!(stored[0].domain_name, account.name);
    let regions = accounts::regions(db.pool(), stored[0].id).await.unwrap();
    let mut found: Vec<(String, String)> =
        regions.iter().map(|r| (r.region.id().to_owned(), r.project_id.to_string())).collect();
    found.sort();
    let mut expected: Vec<(String, String)> = ["ap-southeast-1", "cn-north-4"]
        .iter()
        .map(|r| ((*r).to_owned(), account.projects[*r].clone()))
        .collect();
    expected.sort();
    assert_eq!(found, expected);

    let o = run(&args, &[("DATABASE_URL", db.url())], Some(&sk)).await;
    assert!(err(&o).contains("LIGHTDECK_MASTER_KEY is not set"), "{}", err(&o));
    let o =
        run(&["account", "add", "--team", "Ops", "--name", "X", "--regions", "mars-1"], &env, None)
            .await;
    assert!(err(&o).contains("region must be one of"), "{}", err(&o));
    sim.shutdown().await;
}

fn keyring(key: &str) -> Keyring {
    Keyring::new(MasterKey::from_base64(key, "test key").unwrap())
}

#[tokio::test]
async fn account_reencrypt_moves_every_secret_to_the_new_key() {
    const SK: &str = "Qm9vZ2llV29vZ2llQm9vZ2llV29vZ2llQm9vZ2ll";
    const IAM_PW: &str = "iam-Password-456";
    let db = TestDb::new().await;
    let name = lightdeck_domain::values::TeamName::parse("Ops").unwrap();
    let team = teams::create(db.pool(), &name, None).await.unwrap();
    let (old_ring, new_ring) = (keyring(KEY), keyring(NEW_KEY));
    let new = NewAccount {
        name: AccountName::parse("Prod").unwrap(),
        domain_name: DomainName::parse("acme").unwrap(),
        domain_id: None,
        aksk: Some(NewAkSk {
            access_key_id: AccessKeyId::parse("HPUABCDEFGHIJKLMNOPQ").unwrap(),
            secret_access_key: SecretAccessKey::parse(SK).unwrap(),
        }),
        iam_user: Some(NewIamUser {
            user_name: IamUserName::parse("ops").unwrap(),
            password: IamPassword::parse(IAM_PW).unwrap(),
        }),
        regions: vec![(
            lightdeck_huaweicloud::Region::CnNorth4,
            parse_project_id("0123456789abcdef0123456789abcdef").unwrap(),
        )],
    };
    let account = accounts::create(db.pool(), &old_ring, team.id, new).await.unwrap();
    // And a user's second factor: its key is sealed the same way.
    let carol = lightdeck_testkit::fixtures::user(db.pool(), "carol").create().await;
    let t0 = time::OffsetDateTime::now_utc();
    let shown = second_factor::start_enrolment(db.pool(), &old_ring, &carol, t0).await.unwrap();
    let code = lightdeck_testkit::totp_code(shown.secret_base32(), t0);
    let me = lightdeck_domain::site::SiteActor::command_line("test");
    second_factor::confirm_enrolment(db.pool(), &old_ring, &carol, shown.id(), &code, &me, t0)
        .await
        .unwrap();
    let reencrypt = ["account", "reencrypt"];

    let o = run(&reencrypt, &[("DATABASE_URL", db.url())], None).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("LIGHTDECK_MASTER_KEY is not set"), "{}", err(&o));

    // The new key alone cannot open what the old one sealed; the error says what to set.
    let o = run(&reencrypt, &[("DATABASE_URL", db.url()), ("LIGHTDECK_MASTER_KEY", NEW_KEY)], None)
        .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("LIGHTDECK_OLD_MASTER_KEYS"), "{}", err(&o));
    assert!(err(&o).contains(old_ring.current_id()), "{}", err(&o));
    assert!(accounts::credentials(db.pool(), &old_ring, account.id).await.is_ok());

    let rotated = [
        ("DATABASE_URL", db.url()),
        ("LIGHTDECK_MASTER_KEY", NEW_KEY),
        ("LIGHTDECK_OLD_MASTER_KEYS", KEY),
    ];
    let o = run(&reencrypt, &rotated, None).await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("re-sealed 3 secrets"), "{}", out(&o));
    assert!(!out(&o).contains(KEY) && !err(&o).contains(KEY));

    let creds = accounts::credentials(db.pool(), &new_ring, account.id).await.unwrap();
    assert_eq!(creds.aksk().unwrap().sk.expose_secret(), SK);
    assert_eq!(creds.password().unwrap().password.expose_secret(), IAM_PW);
    assert!(
        accounts::credentials(db.pool(), &old_ring, account.id).await.is_err(),
        "the old key no longer opens anything"
    );
    let t1 = t0 + time::Duration::seconds(30);
    let next = lightdeck_testkit::totp_code(shown.secret_base32(), t1);
    let check = second_factor::verify(db.pool(), &new_ring, carol.id, &next, t1).await.unwrap();
    assert_eq!(check, second_factor::Check::App, "carol's app goes on working");

    let o = run(&reencrypt, &rotated, None).await;
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("re-sealed 0 secrets"), "{}", out(&o));
}

#[tokio::test]
async fn serve_answers_and_stops_cleanly_on_sigterm() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

    let db = TestDb::new().await;
    // A free port for the metrics listener (taken back at once; a clash would fail loudly).
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut c = lightdeck();
    c.args(["serve"])
        .env("DATABASE_URL", db.url())
        .env("LIGHTDECK_MASTER_KEY", KEY)
        .env("LIGHTDECK_LISTEN", "127.0.0.1:0")
        .env("LIGHTDECK_METRICS_LISTEN", metrics_addr.to_string())
        .env("LIGHTDECK_HUAWEI_ENDPOINT", "http://127.0.0.1:9")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut logged_start = false;
    let url = loop {
        let line = stderr.next_line().await.unwrap().expect("serve printed its address");
        logged_start |= line.contains("INFO") && line.contains("lightdeck serving");
        if let Some(url) = line.strip_prefix("lightdeck listening on ") {
            break url.to_owned();
        }
    };
    assert!(logged_start, "without RUST_LOG the panel's own info lines are shown");
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("x-request-id:"), "{answer}");
    // With a listener of their own, the metrics are there and not on the panel's.
    let get = |addr: String| async move {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let request = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    };
    let on_panel = get(addr.to_owned()).await;
    assert!(on_panel.starts_with("HTTP/1.1 404"), "{on_panel}");
    let own = get(metrics_addr.to_string()).await;
    assert!(own.starts_with("HTTP/1.1 200"), "{own}");
    assert!(own.contains("lightdeck_http_requests_total"), "{own}");

    let pid = child.id().unwrap().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait())
        .await
        .expect("serve stops after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
}
