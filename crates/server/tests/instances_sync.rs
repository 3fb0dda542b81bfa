//! The inventory sync of one account (RMS → ECS → BSS → domain), its report, its guard
//! against overlapping runs, and how it behaves when parts of the cloud fail.

mod instances_support;

use instances_support::Env;
use lightdeck::workers::{WorkerError, sync, sync_account};

#[tokio::test]
async fn a_sync_fills_every_column_and_a_second_changes_nothing() {
    let env = Env::new(3).await;
    let all = env.instances().await;
    assert_eq!(all.len(), 6);
    for i in &all {
        assert!(i.server_id.is_some() && i.traffic_package_id.is_some(), "{i:?}");
        assert!(i.spec_code.is_some() && i.image_name.is_some(), "{i:?}");
        assert!(!i.public_ips.is_empty() && !i.private_ips.is_empty(), "{i:?}");
        assert!(i.expires_at.is_some(), "expiry from BSS: {i:?}");
        assert!(i.traffic_total_gb.is_some_and(|t| t > 0.0), "traffic from BSS: {i:?}");
        assert!(matches!(i.status.as_str(), "ACTIVE" | "SHUTOFF"), "{}", i.status);
    }
    let again = sync_account(&env.state, env.accounts[0]).await.unwrap();
    assert_eq!((again.added, again.changed, again.gone), (0, 0, 0));
    assert_eq!(again.unchanged, 3);
    assert_eq!(again.regions, 2);
    assert!(sync::status(env.accounts[0]).unwrap().last_ok.is_some());
    let metrics = env.state.metrics.render();
    assert!(metrics.contains("operation=\"ListAllResources\""), "cloud calls are counted");
    assert!(metrics.contains("operation=\"ListFreeResourceUsages\""));
}

#[tokio::test]
async fn a_sync_running_elsewhere_is_not_overlapped() {
    let env = Env::new(1).await;
    let account = env.accounts[0];
    // Another process holds the account's sync lock.
    let mut other = env.db.pool().begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('lightdeck.sync.account'), hashtext($1))")
        .bind(account.to_string())
        .execute(&mut *other)
        .await
        .unwrap();
    assert!(matches!(sync_account(&env.state, account).await, Err(WorkerError::SyncRunning)));
    other.rollback().await.unwrap();
    assert!(sync_account(&env.state, account).await.is_ok());
}

#[tokio::test]
async fn failures_are_reported_and_partial_reads_keep_old_figures() {
    let env = Env::new(2).await;
    let account = env.accounts[1];
    let before = env.instances().await;

    env.sim.faults().add("ListFreeResourceUsages:429:1".parse().unwrap());
    let summary = sync_account(&env.state, account).await.unwrap();
    assert_eq!(summary.partial, ["ListFreeResourceUsages"]);
    let after = env.instances().await;
    for b in before.iter().filter(|i| i.account_id == account) {
        let a = after.iter().find(|a| a.instance_id == b.instance_id).unwrap();
        assert_eq!(a.traffic_total_gb, b.traffic_total_gb, "kept");
    }
    env.sim.faults().clear();

    env.sim.faults().add("ListAllResources:500:1".parse().unwrap());
    let failures_before = sync::status(account).map_or(0, |s| s.failures);
    let failed = sync_account(&env.state, account).await;
    assert!(matches!(failed, Err(WorkerError::Cloud(_))), "{failed:?}");
    let status = sync::status(account).unwrap();
    assert_eq!(status.failures, failures_before + 1);
    assert!(status.last_error_at.is_some());
    assert_eq!(env.instances().await.len(), before.len(), "a failed sync marks nothing gone");
}
