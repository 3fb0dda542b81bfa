//! The command line writes the same site events ("command line on HOST"), and `lightdeck
//! audit verify` walks the site chain and reports a tampered event.

use lightdeck_domain::site;
use lightdeck_domain::teams;
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::values::TeamName;

fn lightdeck() -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_lightdeck"));
    c.env_remove("RUST_LOG").kill_on_drop(true);
    c
}

#[tokio::test]
async fn the_command_line_writes_site_events_and_verify_finds_a_tampered_one() {
    let db = TestDb::new().await;
    let run = |args: &[&str]| {
        let mut c = lightdeck();
        c.args(args).env("DATABASE_URL", db.url()).stdin(std::process::Stdio::null());
        c.output()
    };
    let o = run(&["user", "add", "dave", "--generate-password"]).await.unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed = String::from_utf8_lossy(&o.stdout).to_string();
    let o = run(&["team", "add", "Ops", "--owner", "dave"]).await.unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT action, actor_name, params FROM audit_events WHERE team_id = $1 ORDER BY seq",
    )
    .bind(site::SITE_CHAIN)
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["user.created", "team.created"]
    );
    assert!(rows[0].1.as_deref().unwrap().starts_with("command line on "), "{:?}", rows[0].1);
    let password = printed.lines().find_map(|l| l.strip_prefix("password: ")).unwrap();
    assert!(rows.iter().all(|r| !r.2.contains(password)), "no password in the audit");

    let o = run(&["audit", "verify"]).await.unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("site (users and teams): intact, 2 events"), "{out}");

    let mut tx = db.superuser_pool().begin().await.unwrap();
    for sql in [
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "UPDATE audit_events SET actor_name = 'mallory' \
         WHERE seq = 1 AND team_id = '00000000-0000-0000-0000-000000000000'",
        "ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let o = run(&["audit", "verify"]).await.unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "site (users and teams): BROKEN at seq 1 (the event was changed after it was written)"
        ),
        "{out}"
    );
    let name = TeamName::parse("Ops").unwrap();
    assert!(teams::find_by_name(db.pool(), name.as_str()).await.unwrap().is_some());
}

#[tokio::test]
async fn the_command_line_disables_and_enables_users_with_the_pages_rules() {
    let db = TestDb::new().await;
    let run = |args: &[&str]| {
        let mut c = lightdeck();
        c.args(args).env("DATABASE_URL", db.url()).stdin(std::process::Stdio::null());
        c.output()
    };
    let ok = |o: &std::process::Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    ok(&run(&["user", "add", "eve", "--generate-password"]).await.unwrap());
    ok(&run(&["user", "add", "root", "--generate-password", "--site-admin"]).await.unwrap());
    let disabled = || async {
        sqlx::query_scalar::<_, bool>("select disabled from users where login = 'eve'")
            .fetch_one(db.pool())
            .await
            .unwrap()
    };
    let said = ok(&run(&["user", "disable", "eve"]).await.unwrap());
    assert!(said.contains("disabled eve"), "{said}");
    assert!(disabled().await);
    ok(&run(&["user", "enable", "eve"]).await.unwrap());
    assert!(!disabled().await);

    let o = run(&["user", "disable", "nobody"]).await.unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no user with the login"));
    // The only site administrator stays enabled, as on the page.
    let o = run(&["user", "disable", "root"]).await.unwrap();
    assert!(!o.status.success());
    let why = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(why.contains("site administrator"), "{why}");

    let actions: Vec<String> =
        sqlx::query_scalar("select action from audit_events where team_id = $1 order by seq")
            .bind(site::SITE_CHAIN)
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(actions, ["user.created", "user.created", "user.disabled", "user.enabled"]);
}
