//! 200 purchases submitted at once through the action pipeline, against cloudsim failing
//! about a fifth of `CreateLightInstances` calls: dropped or hung before the order exists,
//! dropped or hung after it exists (the answer lost), or a 500. Then the orders complete,
//! the poller follows them and the syncs reconcile the lost answers, and the figures
//! compare what the panel reports with what cloudsim really sold: per outcome, purchases
//! and the orders behind them, and the number of purchases bought twice (must be 0).
//!
//! A program of its own (no test harness): it runs only when asked for and prints its
//! figures.
//!
//! ```sh
//! cargo bench -p lightdeck --bench purchase_faults
//! ```
//! `BENCH_PURCHASES` (200) and `BENCH_FAULT_SHARE` (0.2) change the load.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lightdeck::act::record_and_send_purchase;
use lightdeck::config::AppConfig;
use lightdeck::state::AppState;
use lightdeck::workers::{poll_once, sync_account};
use lightdeck_domain::actions::{self, ActionState, NewPurchase, Params, RequestContext};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::policy::Role;
use lightdeck_domain::purchase::{
    ImageChoice, InstanceName, PlanParts, Purchase, PurchaseDescription, PurchasePlan,
    PurchaseTerm, Quantity, UserTags,
};
use lightdeck_domain::testing::TestDb;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud, Region};
use lightdeck_testkit::fixtures;
use time::OffsetDateTime;
use uuid::Uuid;

const ACCOUNTS: usize = 4;

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(purchases_under_faults());
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn purchases_under_faults() {
    let purchases: usize = env_or("BENCH_PURCHASES", 200);
    let share: f64 = env_or("BENCH_FAULT_SHARE", 0.2);
    let started_at = OffsetDateTime::now_utc();
    let sim = lightdeck_cloudsim::spawn(
        lightdeck_cloudsim::Config::builder()
            .accounts(ACCOUNTS)
            .instances_per_account(2)
            .regions([Region::CnNorth4])
            .manual_clock(started_at)
            .seed(11),
    )
    .await
    .expect("cloudsim starts");
    // Five kinds of failure, one fifth of the share each; a request meets at most one.
    let each = 1.0 - (1.0 - share).powf(1.0 / 5.0);
    for kind in ["drop", "hang", "drop_after", "hang_after", "500"] {
        let rule = format!("CreateLightInstances:{kind}:{each:.4}");
        sim.faults().add(rule.parse().expect("a fault rule"));
    }

    let db = TestDb::new().await;
    let mut config = ClientConfig::new(Endpoints::single(sim.base_url()).expect("cloudsim's URL"));
    config.sleep = Arc::new(|_| Box::pin(async {}));
    // A hung answer costs this long; the panel's real limit is a minute.
    config.timeout = Duration::from_secs(2);
    let cloud = HuaweiCloud::new(config).expect("a client");
    let keyring = Keyring::new(MasterKey::generate());
    let state = AppState::new(db.pool().clone(), cloud, keyring, AppConfig::default())
        .expect("translations load");
    let team = fixtures::team(db.pool(), "Bench").await.id;
    let alice = fixtures::user(db.pool(), "alice").member_of(team, Role::Owner).create().await;
    let mut accounts = Vec::new();
    for (i, a) in sim.accounts().iter().enumerate() {
        let account = fixtures::cloud_account(db.pool(), &state.keyring, team, &format!("a{i}"))
            .from_sim(a, &[Region::CnNorth4])
            .with_iam_of(a)
            .create()
            .await;
        accounts.push(account.id);
    }
    for id in &accounts {
        sync_account(&state.workers(), *id).await.expect("the first sync");
    }

    // All at once: each its own task, as 200 browsers would be.
    let submit_started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..purchases {
        let state = state.clone();
        let account = accounts[i % accounts.len()];
        let actor = alice.id;
        tasks.push(tokio::spawn(async move {
            let plan = plan(account, i);
            let new = NewPurchase {
                team_id: team,
                purchase: Purchase::new(plan),
                context: RequestContext {
                    actor_user_id: actor,
                    actor_name: "alice".into(),
                    source_ip: None,
                    user_agent: None,
                    session_hash: None,
                    panel_request_id: Some(Uuid::new_v4().to_string()),
                },
                idempotency_key: Some(format!("bench-{i}")),
            };
            let t = Instant::now();
            let batch = record_and_send_purchase(&state, &new).await.expect("recorded");
            (batch.id, t.elapsed())
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.push(t.await.expect("a task").1);
    }
    let submitted_in = submit_started.elapsed();
    latencies.sort();
    let right_after = outcomes(&state, team).await;
    sim.faults().clear();

    // Orders complete, the customer pays the unpaid ones, the poller and the syncs do the
    // rest: rounds until nothing changes.
    let mut rounds = 0;
    let mut last = BTreeMap::new();
    loop {
        rounds += 1;
        assert!(sim.clock().advance(time::Duration::seconds(20)));
        for _ in 0..3 {
            poll_once(&state.workers()).await.expect("a poll");
        }
        for id in &accounts {
            sync_account(&state.workers(), *id).await.expect("a sync");
        }
        let now = outcomes(&state, team).await;
        if now == last || rounds > 20 {
            break;
        }
        last = now;
    }
    let end = outcomes(&state, team).await;

    // What cloudsim sold, by the purchase tag on each instance and the order behind it.
    let mut orders_of: HashMap<String, HashSet<String>> = HashMap::new();
    let mut untagged = 0;
    for inst in sim.instances() {
        match inst.tags.get("lightdeck-purchase") {
            Some(p) => {
                orders_of.entry(p.clone()).or_default().insert(inst.order_id.clone());
            }
            None if inst.created >= started_at => untagged += 1,
            None => {}
        }
    }
    let sold_orders: HashSet<&String> = orders_of.values().flatten().collect();
    let bought_twice = orders_of.values().filter(|o| o.len() > 1).count();
    let requests = sim.count_requests("PurchaseLightInstances");

    // Every succeeded purchase must own instances in cloudsim, and every order a
    // purchase's action names must be the order behind its tagged instances.
    let mut false_successes = 0;
    let mut wrong_orders = 0;
    for (purchase_id, state_name, order) in purchase_records(&state, team).await {
        let sold = orders_of.get(&purchase_id);
        if state_name == "succeeded" && sold.is_none_or(HashSet::is_empty) {
            false_successes += 1;
        }
        if let Some(order) = order
            && sold.is_some_and(|o| !o.contains(&order))
        {
            wrong_orders += 1;
        }
    }

    let rows = actions_by_outcome(&state, team).await;
    println!(
        "purchases submitted: {purchases} over {ACCOUNTS} accounts, {share:.0}% of calls failing",
        share = share * 100.0
    );
    println!(
        "submit: all {purchases} answered in {:.2} s; p50 {:.0} ms, p99 {:.0} ms per purchase",
        submitted_in.as_secs_f64(),
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() * 99 / 100])
    );
    println!("right after submitting: {right_after:?}");
    println!("after {rounds} rounds of orders completing, polls and syncs: {end:?}");
    println!("HCSS purchase calls received by cloudsim: {requests}");
    println!("{:<12} {:>10} {:>26}", "outcome", "purchases", "cloudsim orders behind them");
    let mut reported_orders = 0;
    for (state_name, ids) in &rows {
        let orders: usize = ids.iter().map(|p| orders_of.get(p).map_or(0, HashSet::len)).sum();
        reported_orders += orders;
        println!("{state_name:<12} {:>10} {orders:>26}", ids.len());
    }
    println!("orders cloudsim created for the panel's purchases: {}", sold_orders.len());
    println!("orders the panel's purchases account for: {reported_orders}");
    println!("instances bought without the panel's tag: {untagged}");
    println!("purchases bought twice: {bought_twice}");
    println!("purchases reported succeeded without an instance in cloudsim: {false_successes}");
    println!("purchases naming an order other than the one behind their instances: {wrong_orders}");
    assert_eq!(bought_twice, 0, "a purchase was bought twice");
    assert_eq!(untagged, 0);
    assert_eq!(false_successes, 0);
    assert_eq!(wrong_orders, 0);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn plan(account: Uuid, i: usize) -> PurchasePlan {
    PurchasePlan::new(PlanParts {
        account_id: account,
        region: Region::CnNorth4,
        image: ImageChoice::Catalog { name: "Debian".into(), version: "11.1".into() },
        plan_spec: "hf.small.1.linux".into(),
        data_disk: None,
        backup: None,
        host_security: false,
        term: PurchaseTerm::parse("1m").expect("a term"),
        auto_renew: false,
        // A quarter wait for payment (cloudsim's customer pays them after a while).
        auto_pay: !i.is_multiple_of(4),
        name: InstanceName::parse(&format!("bench-{i}")).expect("a name"),
        description: PurchaseDescription::default(),
        tags: UserTags::default(),
        quantity: Quantity::new(1 + (i % 3) as i64).expect("a quantity"),
    })
    .expect("a plan the catalog sells")
}

/// How many purchase actions are in each state (and, for accepted, waiting for payment).
async fn outcomes(state: &AppState, team: Uuid) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (name, ids) in actions_by_outcome(state, team).await {
        out.insert(name, ids.len());
    }
    out
}

/// Each purchase action: its purchase id, state and the order it names.
async fn purchase_records(state: &AppState, team: Uuid) -> Vec<(String, String, Option<String>)> {
    let rows: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM actions WHERE kind = 'purchase'")
        .fetch_all(&state.db)
        .await
        .expect("actions");
    let mut out = Vec::new();
    for id in rows {
        let a = actions::get(&state.db, team, id).await.expect("an action");
        let Params::Purchase(p) = &a.params else { continue };
        let order = a.order_id.as_ref().map(ToString::to_string);
        out.push((p.purchase_id.to_string(), a.state.as_str().to_owned(), order));
    }
    out
}

/// Purchase ids by the state their action is in.
async fn actions_by_outcome(state: &AppState, team: Uuid) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM actions WHERE kind = 'purchase'")
        .fetch_all(&state.db)
        .await
        .expect("actions");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in rows {
        let a = actions::get(&state.db, team, id).await.expect("an action");
        let Params::Purchase(p) = &a.params else { continue };
        let name = match (a.state, a.job_status.as_deref(), a.reconcile_until) {
            (ActionState::Accepted, Some("6"), _) => "payment".to_owned(),
            (ActionState::Unknown, _, Some(_)) => "reconciling".to_owned(),
            (s, _, _) => s.as_str().to_owned(),
        };
        out.entry(name).or_default().push(p.purchase_id.to_string());
    }
    out
}
