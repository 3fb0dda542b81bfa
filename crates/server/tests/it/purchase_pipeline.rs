//! A purchase through the one pipeline against cloudsim: intent first, sent once, its order
//! followed to the new instances (named in the outcome), payment waits shown as such,
//! refusals in words, and a lost answer reconciled by the purchase's tag — never bought
//! twice.

use crate::instances_support;

use instances_support::Env;
use lightdeck::act::record_and_send_purchase;
use lightdeck::state::ManualClock;
use lightdeck::workers::{poll_once, sync_account};
use lightdeck_cloudsim::Config as SimConfig;
use lightdeck_domain::actions::{self, Action, ActionState, NewPurchase, RequestContext};
use lightdeck_domain::audit::{self, AuditFilter};
use lightdeck_domain::inventory::PageRequest;
use lightdeck_domain::policy::Role;
use lightdeck_domain::purchase::{
    ExtraSize, ImageChoice, InstanceName, PlanParts, Purchase, PurchaseDescription, PurchasePlan,
    PurchaseTerm, Quantity, UserTags,
};
use lightdeck_huaweicloud::Region;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

fn plan(env: &Env, account: usize, name: &str, quantity: i64, auto_pay: bool) -> PurchasePlan {
    PurchasePlan::new(PlanParts {
        account_id: env.accounts[account],
        region: Region::CnNorth4,
        image: ImageChoice::Catalog { name: "Ubuntu".into(), version: "22.04".into() },
        plan_spec: "hf.small.1.linux".into(),
        data_disk: Some(ExtraSize::new("data_disk_gib", 20).unwrap()),
        backup: None,
        host_security: true,
        term: PurchaseTerm::parse("1m").unwrap(),
        auto_renew: false,
        auto_pay,
        name: InstanceName::parse(name).unwrap(),
        description: PurchaseDescription::parse("bought by a test").unwrap(),
        tags: UserTags::parse("env=test").unwrap(),
        quantity: Quantity::new(quantity).unwrap(),
    })
    .unwrap()
}

/// One account with one instance, whose IAM user is stored (purchases need it).
async fn shop() -> Env {
    Env::buying(SimConfig::builder().accounts(1).instances_per_account(1)).await
}

/// [`shop`] where nobody pays an order left for the console unless the test does.
async fn unpaid_shop() -> Env {
    let nobody_pays = time::Duration::days(30);
    Env::buying(
        SimConfig::builder().accounts(1).instances_per_account(1).payment_delay(nobody_pays),
    )
    .await
}

/// Who buys, as a request of alice's records it.
fn context(alice: Uuid) -> RequestContext {
    RequestContext {
        actor_user_id: alice,
        actor_name: "alice".into(),
        source_ip: None,
        user_agent: Some("test".into()),
        session_hash: None,
        panel_request_id: Some(Uuid::new_v4().to_string()),
    }
}

async fn buy(env: &Env, plan: PurchasePlan, key: &str) -> Vec<Action> {
    let alice = env.member_or_existing("alice", Role::Owner).await;
    let new = NewPurchase {
        team_id: env.team,
        purchase: Purchase::new(plan),
        context: context(alice),
        idempotency_key: Some(key.to_owned()),
    };
    let batch = record_and_send_purchase(&env.state, &new).await.unwrap();
    actions::batch_progress(env.db.pool(), env.team, batch.id)
        .await
        .unwrap()
        .actions
        .into_iter()
        .map(|d| d.action)
        .collect()
}

async fn action(env: &Env, id: Uuid) -> Action {
    actions::get(env.db.pool(), env.team, id).await.unwrap()
}

/// Purchase orders cloudsim holds (`order_type` 1), seeded ones aside.
fn purchase_orders(env: &Env, since: OffsetDateTime) -> Vec<Value> {
    let state = env.sim.state();
    let orders = state["orders"].as_array().cloned().unwrap_or_default();
    orders
        .into_iter()
        .filter(|o| o["order_type"] == 1)
        .filter(|o| {
            let created = o["created"].as_str().unwrap_or_default();
            OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
                .is_ok_and(|t| t >= since - time::Duration::seconds(1))
        })
        .collect()
}

async fn events(env: &Env) -> Vec<audit::AuditEvent> {
    let filter =
        AuditFilter { action_prefix: Some("instance.purchase".into()), ..AuditFilter::default() };
    let mut items = audit::list(env.db.pool(), env.team, &filter, &PageRequest::first(100))
        .await
        .unwrap()
        .items;
    items.reverse();
    items
}

fn tagged(env: &Env, purchase_id: &str) -> Vec<lightdeck_cloudsim::Instance> {
    env.sim
        .instances()
        .into_iter()
        .filter(|i| i.tags.get("lightdeck-purchase").map(String::as_str) == Some(purchase_id))
        .collect()
}

fn purchase_id(a: &Action) -> String {
    match &a.params {
        actions::Params::Purchase(p) => p.purchase_id.to_string(),
        other => panic!("not a purchase: {other:?}"),
    }
}

#[tokio::test]
async fn with_auto_pay_the_order_completes_and_the_instances_arrive_named_and_tagged() {
    let env = shop().await;
    let since = env.sim.clock().now();
    let sent = buy(&env, plan(&env, 0, "shop", 2, true), "k1").await;
    assert_eq!(sent.len(), 1, "one action per purchase");
    let a = &sent[0];
    assert_eq!(a.state, ActionState::Accepted, "{a:?}");
    assert!(a.order_id.is_some());
    assert_eq!(a.instance_ids.len(), 2, "HCSS hands out the ids at once");
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 1);

    env.advance(10);
    poll_once(&env.state.workers()).await.unwrap();
    let done = action(&env, a.id).await;
    assert_eq!(done.state, ActionState::Succeeded, "{done:?}");
    let rows = env.instances().await;
    let bought: Vec<_> =
        rows.iter().filter(|r| done.instance_ids.contains(&r.instance_id)).collect();
    let mut names: Vec<&str> = bought.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["shop-0001", "shop-0002"]);
    assert!(bought.iter().all(|r| r.expires_at.is_some() && r.server_id.is_some()));
    assert_eq!(tagged(&env, &purchase_id(&done)).len(), 2);
    assert_eq!(purchase_orders(&env, since).len(), 1);

    let log = events(&env).await;
    let kinds: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "instance.purchase.requested",
            "instance.purchase.accepted",
            "instance.purchase.succeeded"
        ]
    );
    let requested = &log[0];
    assert_eq!(requested.params["plan_spec"], "hf.small.1.linux");
    assert_eq!(requested.params["quantity"], 2);
    assert_eq!(requested.params["purchase_id"], purchase_id(&done).as_str());
    assert_eq!(log[2].target_ids.len(), 2, "the outcome names what was bought");
    let iam = env.sim.accounts()[0].iam_password.clone();
    let dump = serde_json::to_string(&log.iter().map(|e| &e.params).collect::<Vec<_>>()).unwrap();
    assert!(!dump.contains(secrecy::ExposeSecret::expose_secret(&iam)), "no secret in the audit");
}

#[tokio::test]
async fn without_auto_pay_it_waits_for_payment_until_paid_in_the_console() {
    let env = unpaid_shop().await;
    let a = buy(&env, plan(&env, 0, "later", 1, false), "k").await.remove(0);
    env.advance(10);
    poll_once(&env.state.workers()).await.unwrap();
    let waiting = action(&env, a.id).await;
    assert_eq!(waiting.state, ActionState::Accepted);
    assert_eq!(waiting.job_status.as_deref(), Some("6"), "status 6: a person must pay");

    let order = waiting.order_id.clone().unwrap().to_string();
    assert!(env.sim.pay_order(&order));
    env.advance(10);
    // Orders waiting for payment are looked at every two minutes.
    sqlx::query("UPDATE actions SET next_poll_at = now() WHERE id = $1")
        .bind(a.id)
        .execute(env.db.pool())
        .await
        .unwrap();
    poll_once(&env.state.workers()).await.unwrap();
    let done = action(&env, a.id).await;
    assert_eq!(done.state, ActionState::Succeeded, "{done:?}");
    assert!(env.instances().await.iter().any(|r| r.name == "later"));
}

#[tokio::test]
async fn refusals_end_failed_with_huaweis_code_and_buy_nothing() {
    let env = shop().await;
    let since = env.sim.clock().now();
    let account = env.sim.accounts()[0].name.clone();

    env.sim.set_sold_out("cn-north-4", &["hf.small.1.linux"]).unwrap();
    let sold_out = buy(&env, plan(&env, 0, "a", 1, true), "k1").await.remove(0);
    env.sim.set_sold_out("cn-north-4", &[]).unwrap();

    env.sim.set_quota(&account, Some(1)).unwrap();
    let quota = buy(&env, plan(&env, 0, "b", 1, true), "k2").await.remove(0);
    env.sim.set_quota(&account, None).unwrap();

    env.sim.set_balance(&account, 1.0).unwrap();
    let broke = buy(&env, plan(&env, 0, "c", 1, true), "k3").await.remove(0);
    env.sim.set_balance(&account, 100_000.0).unwrap();

    env.sim.faults().add("PurchaseLightInstances:429svc:1".parse().unwrap());
    let throttled = buy(&env, plan(&env, 0, "d", 1, true), "k4").await.remove(0);
    env.sim.faults().clear();

    for (a, code) in [
        (&sold_out, "HCSS.14000010"),
        (&quota, "HCSS.14000011"),
        (&broke, "CBC.30050006"),
        (&throttled, "HCSS.14290001"),
    ] {
        assert_eq!(a.state, ActionState::Failed, "{a:?}");
        assert_eq!(a.error_code.as_deref(), Some(code));
    }
    assert!(purchase_orders(&env, since).is_empty(), "nothing was bought");
    assert_eq!(events(&env).await.iter().filter(|e| e.action.ends_with(".failed")).count(), 4);
}

#[tokio::test]
async fn a_lost_answer_is_unknown_then_found_by_its_tag_with_exactly_one_order() {
    let env = shop().await;
    let since = env.sim.clock().now();
    env.sim.faults().add("CreateLightInstances:drop_after:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "lost", 3, true), "k").await.remove(0);
    env.sim.faults().clear();
    assert_eq!(lost.state, ActionState::Unknown, "{lost:?}");
    assert!(lost.reconcile_until.is_some());
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 1, "sent once, not retried");
    assert_eq!(purchase_orders(&env, since).len(), 1, "the order exists");

    // Before the order completes no instance carries the tag, but its order is the
    // account's only one that nobody follows: the purchase is followed through it.
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    let following = action(&env, lost.id).await;
    assert_eq!(following.state, ActionState::Accepted, "{following:?}");
    assert!(following.order_guessed, "picked from the orders, not named by an answer");

    env.advance(10);
    poll_once(&env.state.workers()).await.unwrap();
    let found = action(&env, lost.id).await;
    assert_eq!(found.state, ActionState::Succeeded, "{found:?}");
    assert_eq!(found.instance_ids.len(), 3, "found by the tag once the order completed");
    assert_eq!(tagged(&env, &purchase_id(&found)).len(), 3);
    assert_eq!(purchase_orders(&env, since).len(), 1, "still exactly one order");
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 1);
    let kinds: Vec<String> = events(&env).await.into_iter().map(|e| e.action).collect();
    assert_eq!(
        kinds,
        [
            "instance.purchase.requested",
            "instance.purchase.unknown",
            "instance.purchase.accepted",
            "instance.purchase.succeeded"
        ]
    );
}

#[tokio::test]
async fn a_lost_answer_found_by_the_tag_alone_when_the_order_already_completed() {
    let env = shop().await;
    let since = env.sim.clock().now();
    env.sim.faults().add("CreateLightInstances:drop_after:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "late", 2, true), "k").await.remove(0);
    env.sim.faults().clear();
    env.advance(10);
    let summary = sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    assert_eq!(summary.reconciled, 1);
    let found = action(&env, lost.id).await;
    assert_eq!(found.state, ActionState::Succeeded, "{found:?}");
    assert_eq!(found.instance_ids.len(), 2);
    assert!(found.order_id.is_some(), "the order read from the instances");
    let names: Vec<String> = env
        .instances()
        .await
        .into_iter()
        .filter(|r| found.instance_ids.contains(&r.instance_id))
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["late-0001", "late-0002"]);
    assert_eq!(purchase_orders(&env, since).len(), 1, "exactly one order");
    let kinds: Vec<String> = events(&env).await.into_iter().map(|e| e.action).collect();
    assert_eq!(
        kinds,
        ["instance.purchase.requested", "instance.purchase.unknown", "instance.purchase.succeeded"]
    );
}

#[tokio::test]
async fn a_lost_answer_whose_order_waits_for_payment_is_found_among_the_orders() {
    let env = unpaid_shop().await;
    env.sim.faults().add("PurchaseLightInstances:drop_after:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "unpaid", 1, false), "k").await.remove(0);
    env.sim.faults().clear();
    assert_eq!(lost.state, ActionState::Unknown);

    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    let found = action(&env, lost.id).await;
    assert_eq!(found.state, ActionState::Accepted, "followed as an order now: {found:?}");
    let order = found.order_id.clone().unwrap().to_string();
    poll_once(&env.state.workers()).await.unwrap();
    assert_eq!(action(&env, lost.id).await.job_status.as_deref(), Some("6"));

    assert!(env.sim.pay_order(&order));
    env.advance(10);
    sqlx::query("UPDATE actions SET next_poll_at = now() WHERE id = $1")
        .bind(lost.id)
        .execute(env.db.pool())
        .await
        .unwrap();
    poll_once(&env.state.workers()).await.unwrap();
    let done = action(&env, lost.id).await;
    assert_eq!(done.state, ActionState::Succeeded, "{done:?}");
    assert_eq!(done.instance_ids.len(), 1);
}

#[tokio::test]
async fn two_lost_purchases_are_not_told_apart_by_untagged_orders() {
    let env = unpaid_shop().await;
    env.sim.faults().add("PurchaseLightInstances:drop_after:1".parse().unwrap());
    let a = buy(&env, plan(&env, 0, "one", 1, false), "k1").await.remove(0);
    let b = buy(&env, plan(&env, 0, "two", 1, false), "k2").await.remove(0);
    env.sim.faults().clear();
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    for id in [a.id, b.id] {
        assert_eq!(action(&env, id).await.state, ActionState::Unknown, "no guessing");
    }
    // Once paid and completed, each is found by its own tag.
    let state = env.sim.state();
    for o in state["orders"].as_array().unwrap() {
        if o["order_type"] == 1 && o["status"] == 6 {
            assert!(env.sim.pay_order(o["order_id"].as_str().unwrap()));
        }
    }
    env.advance(10);
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    for id in [a.id, b.id] {
        let done = action(&env, id).await;
        assert_eq!(done.state, ActionState::Succeeded, "{done:?}");
        assert_eq!(done.instance_ids.len(), 1);
    }
    let (ta, tb) = (action(&env, a.id).await, action(&env, b.id).await);
    assert_ne!(ta.instance_ids, tb.instance_ids, "each its own instance");
}

#[tokio::test]
async fn a_purchase_that_never_reached_the_cloud_stays_unknown_after_the_deadline() {
    let mut env = shop().await;
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    env.state = env.state.clone().with_clock(clock.clock());
    env.router = lightdeck::app::build(env.state.clone());
    let since = env.sim.clock().now();
    env.sim.faults().add("PurchaseLightInstances:drop:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "never", 1, true), "k").await.remove(0);
    env.sim.faults().clear();
    assert_eq!(lost.state, ActionState::Unknown);
    assert!(purchase_orders(&env, since).is_empty());

    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    assert!(action(&env, lost.id).await.reconcile_until.is_some(), "still looking");
    clock.advance(time::Duration::minutes(31));
    let open = actions::reconciling(env.db.pool(), env.accounts[0], env.state.now()).await;
    assert!(open.unwrap().is_empty(), "the search ends after its deadline");
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    let after = action(&env, lost.id).await;
    assert_eq!(after.state, ActionState::Unknown, "a person must check the console");
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 1, "never sent again");
}

#[tokio::test]
async fn a_hanging_answer_after_the_order_was_made_is_reconciled_too() {
    let mut env = shop().await;
    env.cloud_timeout(std::time::Duration::from_millis(300));
    let since = env.sim.clock().now();
    env.sim.faults().add("PurchaseLightInstances:hang_after:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "slow", 1, true), "k").await.remove(0);
    env.sim.faults().clear();
    assert_eq!(lost.state, ActionState::Unknown, "{lost:?}");
    env.advance(10);
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    assert_eq!(action(&env, lost.id).await.state, ActionState::Succeeded);
    assert_eq!(purchase_orders(&env, since).len(), 1);
}

#[tokio::test]
async fn the_same_key_twice_is_one_purchase_and_one_order() {
    let env = shop().await;
    let since = env.sim.clock().now();
    let p = plan(&env, 0, "once", 1, true);
    let first = buy(&env, p.clone(), "same").await;
    let second = buy(&env, p, "same").await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].id, second[0].id, "the first purchase replayed");
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 1);
    assert_eq!(purchase_orders(&env, since).len(), 1);
    assert_eq!(
        events(&env).await.iter().filter(|e| e.action == "instance.purchase.requested").count(),
        1
    );
}

#[tokio::test]
async fn an_account_without_an_iam_user_or_region_cannot_buy_and_nothing_is_recorded() {
    let env = Env::new(1).await;
    let alice = env.member_or_existing("alice", Role::Owner).await;
    let new = NewPurchase {
        team_id: env.team,
        purchase: Purchase::new(plan(&env, 0, "x", 1, true)),
        context: context(alice),
        idempotency_key: Some("k".into()),
    };
    let err = actions::record_purchase(env.db.pool(), &new).await.unwrap_err();
    assert!(err.to_string().contains("invalid input"), "{err}");
    let other_team = lightdeck_testkit::fixtures::team(env.db.pool(), "Other").await.id;
    let stolen = NewPurchase { team_id: other_team, ..new };
    assert!(actions::record_purchase(env.db.pool(), &stolen).await.is_err());
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM actions WHERE kind = 'purchase'")
        .fetch_one(env.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert!(events(&env).await.is_empty());
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 0);
}

#[tokio::test]
async fn the_progress_page_the_audit_log_and_the_table_tell_a_purchase_in_words() {
    let env = unpaid_shop().await;
    // Waiting for payment: the page says so and links to Huawei's console.
    let waiting = buy(&env, plan(&env, 0, "shop", 2, false), "k1").await.remove(0);
    let mut alice = env.signed_in("alice").await;
    let progress = alice.get(&format!("/teams/{}/batches/{}", env.team, waiting.batch_id)).await;
    assert_eq!(progress.status, axum::http::StatusCode::OK, "{}", progress.body);
    let names = progress.texts("tr.item td:first-child");
    assert_eq!(names, ["shop-0001", "shop-0002"], "the names they will have");
    assert_eq!(progress.count("tr.item td:first-child a"), 0, "no link before they exist");
    env.advance(10);
    poll_once(&env.state.workers()).await.unwrap();
    let progress = alice.get(&format!("/teams/{}/batches/{}", env.team, waiting.batch_id)).await;
    assert_eq!(progress.count("tr.item[data-state=payment]"), 2, "{}", progress.body);
    assert_eq!(progress.count("p.payment a[rel~=external]"), 2);

    // A lost answer: the page says the panel is looking, and keeps refreshing.
    env.sim.faults().add("PurchaseLightInstances:drop:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "lost", 1, true), "k2").await.remove(0);
    env.sim.faults().clear();
    let page = alice.get(&format!("/teams/{}/batches/{}", env.team, lost.batch_id)).await;
    let why = page.text("tr.item .explanation").unwrap();
    assert!(why.contains("looking for instances"), "{why}");
    assert!(why.contains("Do not buy again"), "{why}");
    assert_eq!(page.attr("section.progress-panel", "data-done").as_deref(), Some("false"));

    // Paid and completed: the instances are in the table with their tags, and the audit
    // log reads one line naming them.
    assert!(env.sim.pay_order(waiting.order_id.as_ref().unwrap().as_str()));
    env.advance(10);
    sqlx::query("UPDATE actions SET next_poll_at = now() WHERE id = $1")
        .bind(waiting.id)
        .execute(env.db.pool())
        .await
        .unwrap();
    poll_once(&env.state.workers()).await.unwrap();
    let table = alice.get(&format!("/teams/{}/instances?q=shop", env.team)).await;
    assert_eq!(table.count("td.name ul.tags li"), 2, "{}", table.body);
    assert!(table.texts("td.name ul.tags li").iter().all(|t| t == "env=test"));
    let audit = alice.get(&format!("/teams/{}/audit?action=instance.purchase.", env.team)).await;
    let sentences = audit.texts("li.line > details > summary .sentence");
    assert!(sentences.iter().any(|s| s.contains("bought shop-0001, shop-0002")), "{sentences:?}");
    assert!(
        sentences.iter().any(|s| s.contains("bought 1 × hf.small.1.linux (Ubuntu 22.04)")),
        "the lost one, by what was asked: {sentences:?}"
    );
}

#[tokio::test]
async fn a_process_killed_after_sending_leaves_a_purchase_the_next_one_finds_by_its_tag() {
    let env = shop().await;
    let since = env.sim.clock().now();
    let alice = env.member_or_existing("alice", Role::Owner).await;
    let purchase = Purchase::new(plan(&env, 0, "orphan", 1, true));
    let new = NewPurchase {
        team_id: env.team,
        purchase: purchase.clone(),
        context: context(alice),
        idempotency_key: Some("k".into()),
    };
    // The intent is committed and the request reaches the cloud; then the process dies
    // (kill -9) before it can record the answer.
    let batch = actions::record_purchase(env.db.pool(), &new).await.unwrap();
    let handle = lightdeck::workers::cloud::account_handle(&env.state.workers(), env.accounts[0])
        .await
        .unwrap();
    handle.purchase(&purchase.request(), &purchase.client_request_id).await.unwrap();
    let id = batch.actions[0].id;
    assert_eq!(action(&env, id).await.state, ActionState::Requested);

    // A later process sweeps the stale intent: unknown, and looked for by its tag.
    sqlx::query("UPDATE actions SET created_at = now() - interval '16 minutes' WHERE id = $1")
        .bind(id)
        .execute(env.db.pool())
        .await
        .unwrap();
    poll_once(&env.state.workers()).await.unwrap();
    let swept = action(&env, id).await;
    assert_eq!(swept.state, ActionState::Unknown);
    assert!(swept.reconcile_until.is_some(), "a purchase is reconciled, not abandoned");

    env.advance(10);
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    let found = action(&env, id).await;
    assert_eq!(found.state, ActionState::Succeeded, "{found:?}");
    assert_eq!(found.instance_ids.len(), 1);
    assert_eq!(purchase_orders(&env, since).len(), 1, "exactly one order");
}

#[tokio::test]
async fn a_token_that_cannot_be_had_means_nothing_was_sent() {
    let mut env = shop().await;
    env.cloud_timeout(std::time::Duration::from_millis(300));
    env.sim.faults().add("KeystoneCreateUserTokenByPassword:hang:1".parse().unwrap());
    let a = buy(&env, plan(&env, 0, "notoken", 1, true), "k").await.remove(0);
    env.sim.faults().clear();
    assert_eq!(a.state, ActionState::Failed, "never sent, so not unknown: {a:?}");
    assert_eq!(a.reconcile_until, None);
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 0);
}

/// A lost purchase and an open order someone placed in the console at the same time, with
/// other choices: the order is not taken for the purchase's.
#[tokio::test]
async fn an_order_from_the_console_is_not_taken_for_a_lost_purchase() {
    let env = unpaid_shop().await;
    // Lost before reaching the cloud: no order of its own.
    env.sim.faults().add("PurchaseLightInstances:drop:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "lost", 2, false), "k").await.remove(0);
    env.sim.faults().clear();
    // Someone buys one instance in the console (a purchase without the panel's tag).
    let handle = lightdeck::workers::cloud::account_handle(&env.state.workers(), env.accounts[0])
        .await
        .unwrap();
    let mut console = plan(&env, 0, "console", 1, false).request(Uuid::new_v4());
    console.tags = None;
    let id = lightdeck_huaweicloud::client::ClientRequestId::generate();
    handle.purchase(&console, &id).await.unwrap();

    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    let after = action(&env, lost.id).await;
    assert_eq!(after.state, ActionState::Unknown, "not taken for the lost purchase: {after:?}");
    assert_eq!(after.order_id, None);
}

/// A purchase still on its way (recorded, not answered) could own any new order: while one
/// is in flight on the account, no order is picked for a lost one.
#[tokio::test]
async fn no_order_is_picked_while_another_purchase_is_in_flight() {
    let env = unpaid_shop().await;
    env.sim.faults().add("PurchaseLightInstances:drop_after:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "lost", 1, false), "k1").await.remove(0);
    env.sim.faults().clear();
    // Another purchase whose intent is recorded but not yet sent (its process is busy).
    let alice = env.member_or_existing("alice", Role::Owner).await;
    let in_flight = NewPurchase {
        team_id: env.team,
        purchase: Purchase::new(plan(&env, 0, "busy", 1, false)),
        context: context(alice),
        idempotency_key: Some("k2".into()),
    };
    actions::record_purchase(env.db.pool(), &in_flight).await.unwrap();
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    assert_eq!(action(&env, lost.id).await.state, ActionState::Unknown, "no guess");
}

/// An order picked for a lost purchase that is then cancelled may not have been its: the
/// purchase is unknown (and still looked for), not "nothing was bought".
#[tokio::test]
async fn a_picked_order_that_is_cancelled_leaves_the_purchase_unknown() {
    let mut env = unpaid_shop().await;
    env.cloud_on_sim_clock();
    env.sim.faults().add("PurchaseLightInstances:drop_after:1".parse().unwrap());
    let lost = buy(&env, plan(&env, 0, "lapse", 1, false), "k").await.remove(0);
    env.sim.faults().clear();
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    let following = action(&env, lost.id).await;
    assert_eq!(following.state, ActionState::Accepted);
    assert!(following.order_guessed);
    // Nobody pays: the order lapses at its deadline and is cancelled.
    assert!(env.sim.clock().advance(time::Duration::days(16)));
    poll_once(&env.state.workers()).await.unwrap();
    let ended = action(&env, lost.id).await;
    assert_eq!(ended.state, ActionState::Unknown, "{ended:?}");
    assert!(ended.error_message.unwrap().contains("may not have been"));
}

#[tokio::test]
async fn two_submits_of_one_key_at_the_same_moment_are_one_purchase() {
    let env = shop().await;
    env.member_or_existing("alice", Role::Owner).await;
    let p = plan(&env, 0, "race", 1, true);
    let (a, b) = tokio::join!(buy(&env, p.clone(), "same"), buy(&env, p, "same"));
    assert_eq!(a[0].id, b[0].id);
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 1);
}

/// More purchases at once than the pool has connections: each is recorded on one
/// connection, so none waits for a second one while holding the first.
#[tokio::test]
async fn a_burst_of_purchases_does_not_run_the_pool_dry() {
    let env = shop().await;
    let alice = env.member_or_existing("alice", Role::Owner).await;
    let recorded = futures_util::future::join_all((0..40).map(|i| {
        let new = NewPurchase {
            team_id: env.team,
            purchase: Purchase::new(plan(&env, 0, &format!("burst{i}"), 1, true)),
            context: context(alice),
            idempotency_key: Some(format!("k{i}")),
        };
        let pool = env.db.pool().clone();
        async move { actions::record_purchase(&pool, &new).await }
    }))
    .await;
    assert!(recorded.iter().all(Result::is_ok), "{:?}", recorded.iter().find(|r| r.is_err()));
}

/// The syncs find a lost answer and keep the bought instances fresh: an account whose
/// syncing is paused cannot buy, in the form or in the pipeline.
#[tokio::test]
async fn an_account_whose_syncing_is_paused_cannot_buy() {
    let env = shop().await;
    sqlx::query("UPDATE cloud_accounts SET sync_paused = true WHERE id = $1")
        .bind(env.accounts[0])
        .execute(env.db.pool())
        .await
        .unwrap();
    let alice = env.member_or_existing("alice", Role::Owner).await;
    let new = NewPurchase {
        team_id: env.team,
        purchase: Purchase::new(plan(&env, 0, "paused", 1, true)),
        context: context(alice),
        idempotency_key: Some("k".into()),
    };
    let err = actions::record_purchase(env.db.pool(), &new).await.unwrap_err();
    assert!(
        matches!(&err, lightdeck_domain::Error::Invalid(e) if e.get("account").is_some()),
        "{err}"
    );
    let mut b = env.signed_in("alice").await;
    let form = b.get(&format!("/teams/{}/purchases/new", env.team)).await;
    assert!(form.body.contains("syncing is paused"), "the form says why");
    assert_eq!(env.sim.count_requests("PurchaseLightInstances"), 0);
}

/// A purchase followed through its order can still end unknown (the cloud forgot the
/// order, or it was polled too long): it is then looked for by its tag like a lost answer.
#[tokio::test]
async fn a_purchase_whose_order_is_forgotten_is_looked_for_by_its_tag() {
    let env = shop().await;
    let a = buy(&env, plan(&env, 0, "forgotten", 1, true), "k").await.remove(0);
    assert_eq!(a.state, ActionState::Accepted);
    let claimed =
        actions::claim_due(env.db.pool(), "w", std::time::Duration::from_secs(60), 10).await;
    assert!(claimed.unwrap().iter().any(|c| c.id == a.id));
    let gone = actions::Finish {
        outcome: actions::Terminal::Unknown,
        job_status: None,
        error_code: Some("lightdeck.order_gone".into()),
        error_message: Some("the cloud kept answering that it does not know this order".into()),
        results: Vec::new(),
    };
    let ended = actions::finish(env.db.pool(), a.id, "w", &gone).await.unwrap();
    assert!(ended.reconcile_until.is_some(), "looked for, not abandoned");

    env.advance(10);
    sync_account(&env.state.workers(), env.accounts[0]).await.unwrap();
    let found = action(&env, a.id).await;
    assert_eq!(found.state, ActionState::Succeeded, "{found:?}");
    assert_eq!(found.instance_ids.len(), 1);
}
