//! The inventory sync of one account (RMS → ECS → BSS → domain), its report, its guard
//! against overlapping runs, and how it behaves when parts of the cloud fail.

use std::collections::HashMap;

use crate::instances_support;

use instances_support::Env;
use lightdeck::workers::{WorkerError, sync, sync_account};
use lightdeck_cloudsim::Package;
use lightdeck_domain::accounts;
use lightdeck_domain::inventory::{self, ReuseCycle, ReuseCycleType};
use lightdeck_domain::policy::Role;
use time::OffsetDateTime;

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
    let again = sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    assert_eq!((again.added, again.changed, again.gone), (0, 0, 0));
    assert_eq!(again.unchanged, 3);
    assert_eq!(again.regions, 2);
    let status = accounts::sync_status(&env.state.db, env.accounts[0]).await.unwrap();
    assert!(status.last_synced_at.is_some(), "recorded in the database");
    assert_eq!((status.sync_failures, status.last_failure), (0, None));
    let metrics = env.state.metrics.render();
    assert!(metrics.contains("operation=\"ListAllResources\""), "cloud calls are counted");
    assert!(metrics.contains("operation=\"ListFreeResourceUsages\""));
}

#[tokio::test]
async fn a_sync_stores_the_traffic_cycle_bss_reports() {
    let env = Env::new(2).await;
    let packages: HashMap<String, Package> =
        env.sim.instances().into_iter().map(|i| (i.id.clone(), i.package)).collect();
    let before = env.instances().await;
    assert_eq!(before.len(), 4);
    for row in &before {
        let package = &packages[row.instance_id.as_str()];
        let cycle = row.traffic_cycle;
        // BSS prints whole seconds.
        let secs = |t: Option<OffsetDateTime>| t.map(OffsetDateTime::unix_timestamp);
        assert_eq!(secs(cycle.start), Some(package.start.unix_timestamp()), "{row:?}");
        assert_eq!(secs(cycle.end), Some(package.end.unix_timestamp()), "{row:?}");
        assert_eq!(cycle.reuse_cycle, Some(ReuseCycle::Month));
        assert_eq!(cycle.reuse_cycle_type, Some(ReuseCycleType::Anniversary));
        assert!(cycle.resets_monthly());
    }
    // A usage read that fails keeps the stored cycle.
    env.sim.faults().add("ListFreeResourceUsages:429:1".parse().unwrap());
    let summary = sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    assert_eq!(summary.partial, ["ListFreeResourceUsages"]);
    let after = env.instances().await;
    let cycles = |rows: &[inventory::InstanceRow]| {
        rows.iter().map(|r| (r.instance_id.clone(), r.traffic_cycle)).collect::<Vec<_>>()
    };
    assert_eq!(cycles(&after), cycles(&before));
}

#[tokio::test]
async fn a_sync_running_elsewhere_is_not_overlapped() {
    let env = Env::new(1).await;
    let account = env.accounts[0];
    // Another process (its own connection) holds the account's sync lease.
    let other = accounts::try_begin_sync(env.db.pool(), account).await.unwrap().unwrap();
    assert!(matches!(
        sync_account(&env.state.workers(), account).await,
        Err(WorkerError::SyncRunning)
    ));
    other.release().await.unwrap();
    assert!(sync_account(&env.state.workers(), account).await.is_ok());
}

#[tokio::test]
async fn failures_are_reported_and_partial_reads_keep_old_figures() {
    let env = Env::new(2).await;
    let account = env.accounts[1];
    let before = env.instances().await;

    env.sim.faults().add("ListFreeResourceUsages:429:1".parse().unwrap());
    let summary = sync_account(&env.state.workers(), account).await.unwrap();
    assert_eq!(summary.partial, ["ListFreeResourceUsages"]);
    let after = env.instances().await;
    for b in before.iter().filter(|i| i.account_id == account) {
        let a = after.iter().find(|a| a.instance_id == b.instance_id).unwrap();
        assert_eq!(a.traffic_total_gb, b.traffic_total_gb, "kept");
    }
    env.sim.faults().clear();

    env.sim.faults().add("ListAllResources:500:1".parse().unwrap());
    let last_ok = accounts::sync_status(&env.state.db, account).await.unwrap().last_synced_at;
    assert!(last_ok.is_some());
    for n in 1..=2 {
        let failed = sync_account(&env.state.workers(), account).await;
        assert!(matches!(failed, Err(WorkerError::Cloud(_))), "{failed:?}");
        let status = accounts::sync_status(&env.state.db, account).await.unwrap();
        assert_eq!(status.sync_failures, n);
        assert_eq!(status.last_synced_at, last_ok, "the last success is kept");
        let failure = status.last_failure.clone().unwrap();
        assert_eq!(failure.http_status, Some(500), "{failure:?}");
        assert!(!failure.code.is_empty() && failure.message.is_some(), "{failure:?}");
        let listed = accounts::list_all(&env.state.db).await.unwrap();
        let listed = listed.iter().find(|a| a.id == account).unwrap();
        let in_a_row = sync::failures_in_a_row(&env.state.workers(), listed).await;
        assert_eq!(in_a_row, n, "the loop backs off on the stored count");
        if n == 1 {
            env.sim.faults().add("ListAllResources:500:1".parse().unwrap());
        }
    }
    assert_eq!(env.instances().await.len(), before.len(), "a failed sync marks nothing gone");
}

#[tokio::test]
async fn the_page_shows_the_recorded_sync_also_after_a_restart() {
    let mut env = Env::new(1).await;
    let account = env.accounts[0];
    env.sim.faults().add("ListAllResources:500:1".parse().unwrap());
    assert!(sync_account(&env.state.workers(), account).await.is_err());
    // Another process, or this one restarted: nothing in its memory.
    env.restart();
    env.member("ann", Role::Viewer).await;
    let mut ann = env.signed_in("ann").await;
    let page = ann.get(&format!("/teams/{}/instances", env.team)).await;
    let text = page.text(&format!("li.account[data-account='{account}'] .last-sync")).unwrap();
    assert!(text.starts_with("last read 20"), "{text}");
    assert!(text.contains("failed") && text.contains("(1 in a row)"), "{text}");
    assert!(text.contains(", HTTP 500)"), "the code is shown: {text}");
    let other = env.accounts[1];
    let text = page.text(&format!("li.account[data-account='{other}'] .last-sync")).unwrap();
    assert!(text.starts_with("last read 20") && !text.contains("failed"), "{text}");
}
