//! The strict lifecycle's state survives a snapshot, and snapshots written before it (without
//! its fields) still load.

use crate::common;
use crate::lifecycle_strict::{now_of, order_status, pick, renew, rms_entry, unsubscribe};

use common::*;
use lightdeck_cloudsim::SnapshotStatus;
use serde_json::{Value, json};
use time::Duration;

struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cloudsim-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self) -> std::path::PathBuf {
        self.0.join("cloudsim.json")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Removes every key named in `keys`, at any depth.
fn strip(v: &mut Value, keys: &[&str]) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !keys.contains(&k.as_str()));
            m.values_mut().for_each(|x| strip(x, keys));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| strip(x, keys)),
        _ => {}
    }
}

#[tokio::test]
async fn deletions_and_unpaid_renewals_survive_a_restart() {
    let scratch = Scratch::new("strict");
    let h = start_with(config().snapshot(scratch.file())).await;
    let a = h.accounts()[0].clone();
    let gone = pick(&h, |_| true);
    let unpaid = pick(&h, |i| i.id != gone.id);
    unsubscribe(&h, &a, &gone.id, 1).await;
    let r = renew(&h, &a, &unpaid.id, json!({"period_type": 2, "period_num": 1})).await;
    let order = r.body["order_ids"][0].as_str().unwrap().to_owned();
    h.clock().advance(Duration::seconds(30));
    assert_eq!(rms_entry(&h, &a, &gone.id).await.unwrap()["state"], "Deleted");
    h.save_snapshot(&scratch.file()).unwrap();
    h.shutdown().await;

    let h = start_with(config().snapshot(scratch.file())).await;
    assert!(
        matches!(h.snapshot_status(), SnapshotStatus::Loaded { .. }),
        "{:?}",
        h.snapshot_status()
    );
    let a = h.accounts()[0].clone();
    assert_eq!(rms_entry(&h, &a, &gone.id).await.unwrap()["state"], "Deleted");
    assert_eq!(order_status(&h, &a, &order).await, 6);
    let busy = renew(&h, &a, &unpaid.id, json!({"period_type": 2, "period_num": 1})).await;
    assert_eq!(busy.body["fail_resource_infos"][0]["error_code"], "CBC.99003144");
    h.clock().advance(Duration::minutes(10));
    assert!(rms_entry(&h, &a, &gone.id).await.is_none());
    h.clock().advance(Duration::days(7));
    assert_eq!(order_status(&h, &a, &order).await, 4);
    assert_eq!(now_of(&h, &unpaid.id).expires, unpaid.expires);
    h.save_snapshot(&scratch.file()).unwrap();
    h.shutdown().await;

    // The cancellation is kept, and so are the instance's freedom and its old expiry.
    let h = start_with(config().snapshot(scratch.file())).await;
    let a = h.accounts()[0].clone();
    assert_eq!(order_status(&h, &a, &order).await, 4);
    let again = renew(&h, &a, &unpaid.id, json!({"period_type": 2, "period_num": 1})).await;
    assert_eq!(again.body["order_ids"].as_array().unwrap().len(), 1, "{}", again.text);
}

#[tokio::test]
async fn a_snapshot_without_the_lifecycle_fields_still_loads() {
    let scratch = Scratch::new("older");
    let h = start().await;
    h.save_snapshot(&scratch.file()).unwrap();
    let ids: Vec<String> = h.instances().into_iter().map(|i| i.id).collect();
    h.shutdown().await;
    let mut doc: Value = serde_json::from_slice(&std::fs::read(scratch.file()).unwrap()).unwrap();
    strip(&mut doc, &["deleted_at", "unfrozen", "lapses", "cancelled"]);
    assert!(!doc.to_string().contains("\"lapses\""));
    std::fs::write(scratch.file(), doc.to_string()).unwrap();

    let h = start_with(config().snapshot(scratch.file())).await;
    assert!(
        matches!(h.snapshot_status(), SnapshotStatus::Loaded { .. }),
        "{:?}",
        h.snapshot_status()
    );
    let loaded: Vec<String> = h.instances().into_iter().map(|i| i.id).collect();
    assert_eq!(loaded, ids);
    assert!(h.instances().iter().all(|i| i.deleted_at.is_none() && !i.unfrozen));
}
