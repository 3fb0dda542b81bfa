//! Connecting a Huawei account with 1,000 Flexus L instances in two regions through the
//! accounts page, against cloudsim: the time from the form's submit until all 1,000 are in
//! the instances table (the page verifies the keys, finds both projects, stores the account
//! and runs its first sync before it answers), and the cloud calls that took, per operation.
//!
//! A program of its own (no test harness): it runs only when asked for and prints its
//! figures.
//!
//! ```sh
//! cargo bench -p lightdeck --bench connect_account
//! ```
//! `BENCH_INSTANCES` (1000) sets the fleet.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::http::StatusCode;
use lightdeck::config::AppConfig;
use lightdeck::state::AppState;
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::inventory::{self, InstanceFilter};
use lightdeck_domain::policy::Role;
use lightdeck_domain::testing::TestDb;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud, Region};
use lightdeck_testkit::{Client, fixtures};
use secrecy::ExposeSecret;

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(connect_an_account_with_a_thousand_instances());
}

async fn connect_an_account_with_a_thousand_instances() {
    let instances: usize =
        std::env::var("BENCH_INSTANCES").ok().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let sim = lightdeck_cloudsim::spawn(
        lightdeck_cloudsim::Config::builder()
            .accounts(1)
            .instances_per_account(instances)
            .regions([Region::CnNorth4, Region::ApSoutheast1])
            .seed(7),
    )
    .await
    .expect("cloudsim starts");
    let db = TestDb::new().await;
    let mut config = ClientConfig::new(Endpoints::single(sim.base_url()).expect("cloudsim's URL"));
    config.sleep = Arc::new(|_| Box::pin(async {}));
    let cloud = HuaweiCloud::new(config).expect("a client");
    let keyring = Keyring::new(MasterKey::generate());
    let state = AppState::new(db.pool().clone(), cloud, keyring, AppConfig::default())
        .expect("translations load");
    let team = fixtures::team(db.pool(), "Bench").await.id;
    fixtures::user(db.pool(), "alice").member_of(team, Role::Owner).create().await;
    let router = lightdeck::app::build(state);
    let mut alice = Client::in_process(router);
    assert_eq!(alice.sign_in("alice", fixtures::PASSWORD).await.status, StatusCode::SEE_OTHER);

    let account = sim.accounts()[0].clone();
    let sk = account.sk.expose_secret().to_owned();
    let fields = [
        ("name", "Big"),
        ("access_key_id", account.ak.as_str()),
        ("secret_access_key", sk.as_str()),
        ("region", "cn-north-4"),
        ("region", "ap-southeast-1"),
    ];
    let calls_before = sim.requests().len();
    let started = Instant::now();
    let page = alice.post_form(&format!("/teams/{team}/accounts"), &fields).await;
    let submitted = started.elapsed();
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // What the redirect leads to: the instances table, first page.
    let table = alice.get(page.location().expect("a redirect")).await;
    let shown = started.elapsed();
    assert_eq!(table.status, StatusCode::OK);
    let listed = inventory::count(db.pool(), team, &InstanceFilter::default()).await.unwrap();
    assert_eq!(listed, instances as i64, "every instance is in the table");

    let requests = sim.requests();
    let mut per_operation: BTreeMap<String, usize> = BTreeMap::new();
    for r in &requests[calls_before..] {
        *per_operation.entry(r.operation.clone()).or_default() += 1;
    }
    println!("connect an account with {instances} instances in 2 regions (cloudsim, in process):");
    println!("  submit → stored and synced: {:.0} ms", submitted.as_secs_f64() * 1000.0);
    println!("  submit → instances page shown: {:.0} ms", shown.as_secs_f64() * 1000.0);
    println!("  cloud calls: {}", requests.len() - calls_before);
    for (operation, n) in per_operation {
        println!("    {operation:<34} {n}");
    }
    sim.shutdown().await;
}
