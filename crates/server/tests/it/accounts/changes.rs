//! Changing a connected account: credentials (verified first), pausing (the sync loop
//! skips it), removal (instances leave, history stays, the name is free), regions; the
//! command line's `account add` with its audit event; and secrets in no body, row or log.

use std::time::Duration;

use axum::http::StatusCode;
use lightdeck_domain::accounts;
use secrecy::ExposeSecret;

use super::{World, connect};
use crate::core_logs::{alone_in_a_child, capture_logs};

#[tokio::test]
async fn wrong_new_credentials_leave_the_old_ones_working() {
    let w = World::new().await;
    let mut alice = w.owner().await;
    let sim = w.sim.accounts()[0].clone();
    let url = w.url(&format!("/{}/credentials", w.existing));
    let wrong = "B".repeat(40);
    let fields = [("access_key_id", sim.ak.as_str()), ("secret_access_key", wrong.as_str())];
    let page = alice.post_form(&url, &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text("[role=alert]").unwrap().contains("APIG.0301"));
    lightdeck::workers::sync_account(&w.state.workers(), w.existing)
        .await
        .expect("the old credentials still sign");

    let right = sim.sk.expose_secret().to_owned();
    let fields = [("access_key_id", sim.ak.as_str()), ("secret_access_key", right.as_str())];
    let page = alice.post_form(&url, &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let actions: Vec<String> = w.audit().await.into_iter().map(|(a, _, _)| a).collect();
    assert_eq!(actions, ["account.credentials_replaced"]);
}

#[tokio::test]
async fn a_paused_account_is_skipped_by_the_sync_loop_and_says_so() {
    let w = World::new().await;
    let mut alice = w.owner().await;
    let keyring = &w.state.keyring;
    let regions = crate::instances_support::REGIONS;
    let paused =
        lightdeck_testkit::fixtures::cloud_account(w.db.pool(), keyring, w.team, "a-paused")
            .from_sim(&w.sim.accounts()[1], &regions)
            .create()
            .await
            .id;
    let live = lightdeck_testkit::fixtures::cloud_account(w.db.pool(), keyring, w.team, "z-live")
        .from_sim(&w.sim.accounts()[2], &regions)
        .create()
        .await
        .id;
    let page = alice.post_form(&w.url(&format!("/{paused}/syncing")), &[("paused", "yes")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let detail = alice.get(&w.url(&format!("/{paused}"))).await;
    assert!(detail.text("h1").unwrap().contains("Syncing paused"));

    // The loop visits accounts by name: the paused one comes first in every pass.
    let shutdown = lightdeck::shutdown::Shutdown::default();
    let handles = lightdeck::workers::spawn(w.state.workers(), shutdown.clone(), Duration::ZERO);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while accounts::sync_status(w.db.pool(), live).await.unwrap().last_synced_at.is_none() {
        assert!(tokio::time::Instant::now() < deadline, "the live account was never synced");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.trigger();
    for h in handles {
        h.await.unwrap();
    }
    assert!(accounts::sync_status(w.db.pool(), paused).await.unwrap().last_synced_at.is_none());
    assert_eq!(w.instances_of(paused).await, 0);

    let refresh = alice.post_form(&w.url(&format!("/{paused}/refresh")), &[]).await;
    assert_eq!(refresh.status, StatusCode::CONFLICT);
    let page = alice.post_form(&w.url(&format!("/{paused}/syncing")), &[("paused", "no")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let actions: Vec<String> = w.audit().await.into_iter().map(|(a, _, _)| a).collect();
    assert_eq!(actions, ["account.paused", "account.resumed"]);
}

#[tokio::test]
async fn removal_takes_the_instances_keeps_the_history_and_frees_the_name() {
    let w = World::new().await;
    let mut alice = w.owner().await;
    assert_eq!(w.instances_of(w.existing).await, 4);
    let confirm = alice.get(&w.url(&format!("/{}/remove", w.existing))).await;
    assert!(confirm.text(".remove-what").unwrap().contains("4 instances leave"));
    let url = w.url(&format!("/{}/remove", w.existing));
    assert_eq!(alice.post_form(&url, &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.instances_of(w.existing).await, 4, "not without the confirmation");

    let page = alice.post_form(&url, &[("confirm", "remove")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(w.instances_of(w.existing).await, 0);
    assert!(accounts::list(w.db.pool(), w.team).await.unwrap().is_empty());
    let counts = lightdeck_domain::inventory::dashboard_counts(w.db.pool(), w.team, 7, 10.0);
    assert_eq!(counts.await.unwrap().total, 0);
    let table = alice.get(&format!("/teams/{}/instances", w.team)).await;
    assert_eq!(table.count("tr[id^=row-]"), 0, "the table lists none of its instances");
    assert_eq!(alice.get(&w.url(&format!("/{}", w.existing))).await.status, StatusCode::NOT_FOUND);

    let audit = alice.get(&format!("/teams/{}/audit", w.team)).await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.body.contains("account.removed"), "the audit page shows the removal");

    // The name is free again, for the same Huawei account.
    let sim = w.sim.accounts()[0].clone();
    let again = connect(&mut alice, &w.url(""), "acct-0", &sim, sim.sk.expose_secret()).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let stored = accounts::list(w.db.pool(), w.team).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(w.instances_of(stored[0].id).await, 4);
}

#[tokio::test]
async fn turning_a_region_off_and_on_again_finds_its_project_first() {
    let w = World::new().await;
    let mut alice = w.owner().await;
    let url = w.url(&format!("/{}/regions", w.existing));
    let page = alice.post_form(&url, &[("region", "cn-north-4")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let left = w.instances_of(w.existing).await;
    assert!(left < 4, "the Hong Kong instances left the table");
    let fields = [("region", "cn-north-4"), ("region", "ap-southeast-1")];
    assert_eq!(alice.post_form(&url, &fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(w.instances_of(w.existing).await, 4);
    let none = alice.post_form(&url, &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text("#f-region-error").is_some());
}

#[tokio::test]
async fn secrets_appear_in_no_body_audit_row_or_log_line() {
    if !alone_in_a_child("accounts::changes::secrets_appear_in_no_body_audit_row_or_log_line") {
        return;
    }
    let (buffer, _guard) = capture_logs();
    let w = World::new().await;
    let mut alice = w.owner().await;
    let sim = w.sim.accounts()[1].clone();
    let sk = sim.sk.expose_secret().to_owned();
    let pw = sim.iam_password.expose_secret().to_owned();
    let mut bodies = Vec::new();
    let fields = [
        ("name", "Prod"),
        ("access_key_id", sim.ak.as_str()),
        ("secret_access_key", sk.as_str()),
        ("iam_account", sim.name.as_str()),
        ("iam_user", sim.iam_user.as_str()),
        ("iam_password", pw.as_str()),
        ("region", "cn-north-4"),
    ];
    let page = alice.post_form(&w.url(""), &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    bodies.push(page.body);
    let id = accounts::list(w.db.pool(), w.team).await.unwrap()[0].id;
    let wrong = [("iam_password", "not it at all"), ("name", "x")];
    for (path, extra) in [("", wrong.as_slice()), ("/credentials", &[])] {
        let url = if path.is_empty() { w.url("") } else { w.url(&format!("/{id}{path}")) };
        let mut f = fields.to_vec();
        f.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        f.extend_from_slice(extra);
        bodies.push(alice.post_form(&url, &f).await.body);
    }
    for path in ["".to_owned(), format!("/{id}"), format!("/{id}/remove")] {
        bodies.push(alice.get(&w.url(&path)).await.body);
    }
    bodies.push(alice.get(&format!("/teams/{}/audit", w.team)).await.body);
    let audit: Vec<String> = sqlx::query_scalar("select row_to_json(a)::text from audit_events a")
        .fetch_all(w.db.pool())
        .await
        .unwrap();
    assert!(audit.len() >= 2);
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    for secret in [sk.as_str(), pw.as_str()] {
        for body in &bodies {
            assert!(!body.contains(secret), "a page shows a secret");
        }
        assert!(!audit.iter().any(|row| row.contains(secret)), "an audit row holds a secret");
        assert!(!logs.contains(secret), "a log line holds a secret");
    }
}

#[tokio::test]
async fn account_add_on_the_command_line_writes_the_same_event() {
    let w = World::new().await;
    let sim = w.sim.accounts()[2].clone();
    let key = lightdeck_domain::crypto::MasterKey::generate();
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_lightdeck"));
    c.args(["account", "add", "--team", "Ops", "--name", "Cli", "--ak", &sim.ak, "--sk-stdin"])
        .args(["--regions", "cn-north-4", "--endpoint", w.sim.base_url()])
        .env("DATABASE_URL", w.db.url())
        .env("LIGHTDECK_MASTER_KEY", key.to_base64().expose_secret())
        .env_remove("LIGHTDECK_OLD_MASTER_KEYS")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut input,
        format!("{}\n", sim.sk.expose_secret()).as_bytes(),
    )
    .await
    .unwrap();
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let audit = w.audit().await;
    let (action, actor, params) = audit.last().unwrap();
    assert_eq!(action, "account.connected");
    assert!(actor.as_deref().unwrap_or_default().starts_with("command line on "), "{actor:?}");
    assert!(params.contains("Cli") && !params.contains(sim.sk.expose_secret()));
}
