//! Renew, reset password and unsubscribe from the browser: each asks first (a summary, a
//! typed name, the user's own password when it is not fresh), travels the one pipeline
//! (requested → accepted → outcome), and never lets a password reach the database.

use crate::instances_support;

use axum::http::StatusCode;
use instances_support::{Browser, Env, PASSWORD, Resp};
use lightdeck::state::ManualClock;
use lightdeck::workers::poll_once;
use lightdeck_domain::audit::{self, AuditFilter};
use lightdeck_domain::inventory::{InstanceRow, PageRequest};
use lightdeck_domain::policy::Role;
use time::OffsetDateTime;

async fn events(env: &Env, prefix: &str) -> Vec<String> {
    let filter = AuditFilter { action_prefix: Some(prefix.to_owned()), ..AuditFilter::default() };
    let mut items = audit::list(env.db.pool(), env.team, &filter, &PageRequest::first(200))
        .await
        .unwrap()
        .items;
    items.reverse();
    items.into_iter().map(|e| e.action).collect()
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn renew(env: &Env, b: &mut Browser, ids: &[&str], fields: &[(&str, &str)]) -> Resp {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    for id in ids {
        all.push(("instance", id));
    }
    b.post_form(&format!("/teams/{}/renewals", env.team), &all).await
}

/// Lets cloudsim finish its orders and the poller see them.
async fn settle(env: &Env) {
    env.advance(10);
    poll_once(&env.state.workers()).await.unwrap();
}

fn by_id<'a>(rows: &'a [InstanceRow], id: &str) -> &'a InstanceRow {
    rows.iter().find(|r| r.instance_id.as_str() == id).unwrap()
}

#[tokio::test]
async fn a_renewal_shows_the_new_dates_asks_once_and_reads_the_new_expiry_back() {
    let env = Env::new(2).await;
    let rows = env.instances().await;
    let ids: Vec<String> = rows.iter().take(3).map(|r| r.instance_id.to_string()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut alice = env.browser("alice", Role::Admin).await;

    let query: Vec<String> = ids.iter().map(|i| format!("instance={i}")).collect();
    let form = alice.get(&format!("/teams/{}/renewals/new?{}", env.team, query.join("&"))).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.count("table.lifecycle-lines tbody tr"), 3);
    assert_eq!(form.count("#renew-period option"), 14, "1–11 months and 1–3 years");

    let k = key();
    let review = renew(
        &env,
        &mut alice,
        &ids,
        &[("period", "3m"), ("auto_pay", "yes"), ("idempotency_key", &k), ("step", "review")],
    )
    .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(review.text(".renew-summary").unwrap().contains("This spends money"));
    assert_eq!(review.count("td.expires-after"), 3);
    assert_eq!(env.sim.count_requests("RenewalResources"), 0, "the summary sends nothing");

    let confirm: Vec<(&str, &str)> =
        vec![("period", "3m"), ("auto_pay", "yes"), ("idempotency_key", &k), ("step", "confirm")];
    let sent = renew(&env, &mut alice, &ids, &confirm).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let calls = env.sim.count_requests("RenewalResources");
    assert!((1..=3).contains(&calls), "one call per account and region: {calls}");
    // A second click on the same summary is the same renewal.
    let again = renew(&env, &mut alice, &ids, &confirm).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.header("location"), sent.header("location"));
    assert_eq!(env.sim.count_requests("RenewalResources"), calls, "never paid twice");

    settle(&env).await;
    let after = env.instances().await;
    for id in &ids {
        let (before, now) =
            (by_id(&rows, id).expires_at.unwrap(), by_id(&after, id).expires_at.unwrap());
        let days = (now - before).whole_days();
        assert!((89..=92).contains(&days), "{id}: extended by {days} days");
    }
    let orders = alice.get(&format!("/teams/{}/orders?kind=renew", env.team)).await;
    assert_eq!(orders.status, StatusCode::OK, "{}", orders.body);
    assert_eq!(orders.count("table.orders tr.order"), calls);
    assert!(orders.texts("table.orders tr.order").iter().all(|t| t.contains("Completed")));
    // The instance page names the order that bought it and links to its own orders.
    let detail = alice.get(&format!("/teams/{}/instances/{}", env.team, ids[0])).await;
    let bought = by_id(&rows, ids[0]).order_id.as_ref().map(ToString::to_string).unwrap();
    assert!(detail.texts("dl.facts dd").iter().any(|t| t.trim() == bought), "the purchase order");
    let link = detail.attr("a.orders-link", "href").unwrap();
    assert_eq!(link, format!("/teams/{}/orders?instance={}", env.team, ids[0]));
    let one = alice.get(&link).await;
    assert_eq!(one.count("table.orders tr.order"), 1, "one instance's orders");
    let none = alice.get(&format!("/teams/{}/orders?kind=unsubscribe", env.team)).await;
    assert_eq!(none.count("table.orders tr.order"), 0);
    for bad in ["kind=reboot", "state=done", "account=x", "instance=nope"] {
        let page = alice.get(&format!("/teams/{}/orders?{bad}", env.team)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(page.count("div.flash.error li"), 1, "{bad}");
    }
    let log = events(&env, "instance.renew").await;
    assert_eq!(log.iter().filter(|a| a.ends_with(".requested")).count(), calls);
    assert_eq!(log.iter().filter(|a| a.ends_with(".accepted")).count(), calls);
    assert_eq!(log.iter().filter(|a| a.ends_with(".succeeded")).count(), calls, "{log:?}");
}

#[tokio::test]
async fn a_renewal_without_auto_pay_waits_for_payment_then_completes() {
    let env = Env::new(1).await;
    let id = env.instances().await[0].instance_id.to_string();
    let mut alice = env.browser("alice", Role::Owner).await;
    let k = key();
    let fields = [("period", "1y"), ("idempotency_key", k.as_str()), ("step", "confirm")];
    let sent = renew(&env, &mut alice, &[&id], &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    settle(&env).await;
    let progress = alice.get(sent.header("location").unwrap()).await;
    let text = progress.body.to_lowercase();
    assert!(text.contains("waiting for payment"), "{}", progress.body);

    let order: String = sqlx::query_scalar("SELECT order_id FROM actions WHERE kind = 'renew'")
        .fetch_one(env.db.pool())
        .await
        .unwrap();
    assert!(progress.body.contains(&order), "the page names the order to pay");
    assert!(env.sim.pay_order(&order));
    // An order waiting for payment is looked at every two minutes (real time); let them pass.
    sqlx::query("UPDATE actions SET next_poll_at = now() WHERE kind = 'renew'")
        .execute(env.db.pool())
        .await
        .unwrap();
    settle(&env).await;
    assert_eq!(events(&env, "instance.renew.succeeded").await.len(), 1);
}

#[tokio::test]
async fn renewal_input_is_checked_and_only_admins_and_owners_may_renew() {
    let env = Env::new(1).await;
    let id = env.instances().await[0].instance_id.to_string();
    let mut alice = env.browser("alice", Role::Admin).await;
    let k = key();
    for bad in ["12m", "4y", "", "1w", &"9".repeat(10_000)] {
        let page = renew(
            &env,
            &mut alice,
            &[&id],
            &[("period", bad), ("idempotency_key", &k), ("step", "confirm")],
        )
        .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:.20}");
        assert!(page.text("#renew-period-error").is_some(), "{bad:.20}");
    }
    let other = "0123456789abcdef01234567";
    let page =
        renew(&env, &mut alice, &[other], &[("period", "1m"), ("idempotency_key", &k)]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "unknown ids are 404");
    let days = alice.get(&format!("/teams/{}/renewals/new?expires_within=0", env.team)).await;
    assert_eq!(days.status, StatusCode::UNPROCESSABLE_ENTITY);
    let soon = alice.get(&format!("/teams/{}/renewals/new?expires_within=366", env.team)).await;
    assert_eq!(soon.status, StatusCode::OK, "{}", soon.body);
    assert_eq!(env.sim.count_requests("RenewalResources"), 0);

    for (login, role) in [("bob", Role::Operator), ("carol", Role::Viewer)] {
        let mut b = env.browser(login, role).await;
        let page = b.get(&format!("/teams/{}/renewals/new?instance={id}", env.team)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{login}");
        let page = renew(
            &env,
            &mut b,
            &[&id],
            &[("period", "1m"), ("idempotency_key", &k), ("step", "confirm")],
        )
        .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{login}");
    }
    assert_eq!(env.sim.count_requests("RenewalResources"), 0);
}

async fn reset(env: &Env, b: &mut Browser, id: &str, fields: &[(&str, &str)]) -> Resp {
    let k = key();
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("instance", id));
    if !fields.iter().any(|(f, _)| *f == "idempotency_key") {
        all.push(("idempotency_key", &k));
    }
    b.post_form(&format!("/teams/{}/passwords", env.team), &all).await
}

#[tokio::test]
async fn a_password_reset_names_the_broken_rule_and_never_stores_the_password() {
    let env = Env::new(1).await;
    let id = env.instances().await[0].instance_id.to_string();
    let mut alice = env.browser("alice", Role::Admin).await;
    let form = alice.get(&format!("/teams/{}/instances/{id}/password", env.team)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.count("#current-password"), 0, "the password was typed at sign-in just now");

    let short = reset(
        &env,
        &mut alice,
        &id,
        &[("mode", "typed"), ("new_password", "aB3"), ("new_password_confirm", "aB3")],
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text("#new-password-error").unwrap().contains("8 to 26"));
    let root = reset(
        &env,
        &mut alice,
        &id,
        &[
            ("mode", "typed"),
            ("new_password", "Toor-2027x"),
            ("new_password_confirm", "Toor-2027x"),
        ],
    )
    .await;
    assert!(root.text("#new-password-error").unwrap().contains("root"));
    let differ = reset(
        &env,
        &mut alice,
        &id,
        &[
            ("mode", "typed"),
            ("new_password", "Ld-9qzW!x2"),
            ("new_password_confirm", "Ld-9qzW!x3"),
        ],
    )
    .await;
    assert!(differ.text("#new-password-confirm-error").is_some());
    assert!(!differ.body.contains("Ld-9qzW"), "a typed password is never sent back");
    assert_eq!(env.sim.count_requests("BatchResetServersPassword"), 0);

    let secret = "Ld-9qzW!x2";
    let done = reset(
        &env,
        &mut alice,
        &id,
        &[("mode", "typed"), ("new_password", secret), ("new_password_confirm", secret)],
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.header("cache-control"), Some("no-store"));
    assert_eq!(env.sim.count_requests("BatchResetServersPassword"), 1);
    assert!(!done.body.contains(secret));
    assert_eq!(
        events(&env, "instance.reset_password").await,
        ["instance.reset_password.requested", "instance.reset_password.succeeded"]
    );

    // Generated: shown once, meeting the rules; a replay of that form shows nothing.
    let k = key();
    let fields = [("mode", "generate"), ("idempotency_key", k.as_str())];
    let made = reset(&env, &mut alice, &id, &fields).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let generated = made.text("#generated-password").unwrap();
    assert!(lightdeck_huaweicloud::validate::new_password(&generated).is_ok(), "{generated}");
    let replay = reset(&env, &mut alice, &id, &fields).await;
    assert!(replay.text("#generated-password").is_none());
    assert!(!replay.body.contains(&generated));
    assert_eq!(env.sim.count_requests("BatchResetServersPassword"), 2);

    // Neither password is anywhere in the database: actions, audit, sessions, logs.
    let dump: String = sqlx::query_scalar(
        "SELECT coalesce(string_agg(t::text, ' '), '') FROM ( \
           SELECT row_to_json(a)::text AS t FROM actions a UNION ALL \
           SELECT row_to_json(e)::text FROM audit_events e UNION ALL \
           SELECT row_to_json(s)::text FROM security_log s) x",
    )
    .fetch_one(env.db.pool())
    .await
    .unwrap();
    assert!(!dump.is_empty());
    for p in [secret, generated.as_str()] {
        assert!(!dump.contains(p), "a password reached the database");
    }
}

#[tokio::test]
async fn a_stale_sign_in_must_type_its_password_again_and_a_wrong_one_counts() {
    let mut env = Env::new(1).await;
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    env.state = env.state.clone().with_clock(clock.clock());
    env.router = lightdeck::app::build(env.state.clone());
    let id = env.instances().await[0].instance_id.to_string();
    let mut alice = env.browser("alice", Role::Owner).await;
    clock.advance(time::Duration::minutes(11));

    let form = alice.get(&format!("/teams/{}/instances/{id}/password", env.team)).await;
    assert_eq!(form.count("#current-password"), 1, "{}", form.body);
    let secret = "Ld-9qzW!x2";
    let base = [("mode", "typed"), ("new_password", secret), ("new_password_confirm", secret)];
    let missing = reset(&env, &mut alice, &id, &base).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.text("#current-password-error").is_some());
    let mut wrong = base.to_vec();
    wrong.push(("current_password", "not-my-password"));
    let wrong = reset(&env, &mut alice, &id, &wrong).await;
    assert!(wrong.text("#current-password-error").unwrap().contains("not your"));
    let failures: i64 =
        sqlx::query_scalar("SELECT count(*) FROM security_log WHERE kind = 'sign_in_failed'")
            .fetch_one(env.db.pool())
            .await
            .unwrap();
    assert_eq!(failures, 1, "a wrong password counts like a failed sign-in");
    assert_eq!(env.sim.count_requests("BatchResetServersPassword"), 0);

    let mut right = base.to_vec();
    right.push(("current_password", PASSWORD));
    let done = reset(&env, &mut alice, &id, &right).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(env.sim.count_requests("BatchResetServersPassword"), 1);

    // Unsubscribing right after needs no second prompt: the password is fresh again.
    let form = alice.get(&format!("/teams/{}/instances/{id}/unsubscribe", env.team)).await;
    assert_eq!(form.count("#current-password"), 0);
}

#[tokio::test]
async fn unsubscribing_lists_what_goes_asks_for_the_name_and_is_for_owners_only() {
    let env = Env::new(1).await;
    let row = env.instances().await[0].clone();
    let id = row.instance_id.to_string();
    let url = format!("/teams/{}/instances/{id}/unsubscribe", env.team);

    let mut admin = env.browser("dave", Role::Admin).await;
    assert_eq!(admin.get(&url).await.status, StatusCode::FORBIDDEN);

    let mut owner = env.browser("alice", Role::Owner).await;
    let form = owner.get(&url).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let released = form.texts("ul.released li");
    assert!(released.iter().any(|r| r.contains("EIP")), "{released:?}");
    assert!(released.iter().any(|r| r.contains("traffic package")), "{released:?}");

    let k = key();
    let wrong = owner
        .post_form(&url, &[("scope", "whole"), ("typed_name", "nope"), ("idempotency_key", &k)])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text("#typed-name-error").is_some());
    let scope = owner
        .post_form(&url, &[("scope", "all"), ("typed_name", &row.name), ("idempotency_key", &k)])
        .await;
    assert!(scope.text("#scope-error").is_some());
    assert_eq!(env.sim.count_requests("CancelResourcesSubscription"), 0);

    let sent = owner
        .post_form(&url, &[("scope", "whole"), ("typed_name", &row.name), ("idempotency_key", &k)])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(env.sim.count_requests("CancelResourcesSubscription"), 1);
    // The order takes a while (cloudsim, like BSS, processes it first).
    for _ in 0..30 {
        if !events(&env, "instance.unsubscribe.succeeded").await.is_empty() {
            break;
        }
        env.advance(50);
        settle(&env).await;
        sqlx::query("UPDATE actions SET next_poll_at = now()")
            .execute(env.db.pool())
            .await
            .unwrap();
    }
    assert_eq!(
        events(&env, "instance.unsubscribe").await,
        [
            "instance.unsubscribe.requested",
            "instance.unsubscribe.accepted",
            "instance.unsubscribe.succeeded"
        ]
    );
    let released = env.instances().await.into_iter().find(|r| r.instance_id == row.instance_id);
    assert_eq!(released.map(|r| r.status).as_deref(), Some("DELETING"), "shown as being released");
    let page = owner.get(&format!("/teams/{}/instances/{id}", env.team)).await;
    assert!(page.body.contains("Being released"), "{}", page.body);
    // Once RMS no longer lists it, the sync marks it gone: out of the table, still audited.
    // (cloudsim checks signatures against its clock: it moves at most minutes here.)
    // RMS lists a released instance as Deleted for ten minutes.
    for _ in 0..9 {
        lightdeck::workers::sync_account(&env.state.workers(), row.account_id).await.unwrap();
        if env.instances().await.iter().all(|r| r.instance_id != row.instance_id) {
            break;
        }
        env.advance(90);
    }
    assert!(env.instances().await.iter().all(|r| r.instance_id != row.instance_id));
    assert_eq!(events(&env, "instance.unsubscribe").await.len(), 3);
}

/// The benchmark, with its numbers printed (`--nocapture`) and only the counts
/// asserted: 25 instances in 3 accounts are renewed with ⌈n/10⌉ BSS calls per account and
/// region, each followed to its order's end.
#[tokio::test]
async fn renewing_25_instances_in_3_accounts_takes_one_call_per_ten() {
    let env =
        Env::with_sim(lightdeck_cloudsim::Config::builder().accounts(3).instances_per_account(10))
            .await;
    let rows = env.instances().await;
    let picked: Vec<&InstanceRow> = rows.iter().take(25).collect();
    let mut groups: std::collections::BTreeMap<(uuid::Uuid, &str), usize> = Default::default();
    for r in &picked {
        *groups.entry((r.account_id, r.region.id())).or_default() += 1;
    }
    let expected: usize = groups.values().map(|n| n.div_ceil(10)).sum();
    let accounts: std::collections::BTreeSet<uuid::Uuid> =
        picked.iter().map(|r| r.account_id).collect();
    assert_eq!(accounts.len(), 3, "the 25 span the 3 accounts");

    let ids: Vec<String> = picked.iter().map(|r| r.instance_id.to_string()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut alice = env.browser("alice", Role::Owner).await;
    let k = key();
    let started = std::time::Instant::now();
    let sent = renew(
        &env,
        &mut alice,
        &ids,
        &[("period", "1m"), ("auto_pay", "yes"), ("idempotency_key", &k), ("step", "confirm")],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let submitted = started.elapsed();
    let mut polls = 0;
    while events(&env, "instance.renew.succeeded").await.len() < expected && polls < 10 {
        settle(&env).await;
        polls += 1;
    }
    let all_done = started.elapsed();
    assert_eq!(env.sim.count_requests("RenewalResources"), expected);
    assert_eq!(events(&env, "instance.renew.succeeded").await.len(), expected);
    eprintln!(
        "renew 25 instances in 3 accounts ({} account×region groups): {expected} BSS renew calls, \
         submit answered in {submitted:?}, all terminal after {polls} poll passes, {all_done:?} in all",
        groups.len()
    );
}

/// Every log line of a reset (the panel's, the cloud client's, at debug level) is free of
/// both the typed and the generated password.
#[tokio::test]
async fn a_password_reset_leaves_no_password_in_the_logs() {
    use crate::core_logs::{alone_in_a_child, capture_logs};
    if !alone_in_a_child("lifecycle::a_password_reset_leaves_no_password_in_the_logs") {
        return;
    }
    let (buffer, _guard) = capture_logs();

    let env = Env::new(1).await;
    let id = env.instances().await[0].instance_id.to_string();
    let mut alice = env.browser("alice", Role::Admin).await;
    let secret = "Qz-7wLp!r4";
    let typed = [("mode", "typed"), ("new_password", secret), ("new_password_confirm", secret)];
    assert_eq!(reset(&env, &mut alice, &id, &typed).await.status, StatusCode::OK);
    let made = reset(&env, &mut alice, &id, &[("mode", "generate")]).await;
    let generated = made.text("#generated-password").unwrap();
    // A refused one too: the form's answer and the logs name the rule, not the password.
    let bad = "root-Qz-7wLp";
    let refused = [("mode", "typed"), ("new_password", bad), ("new_password_confirm", bad)];
    assert_eq!(
        reset(&env, &mut alice, &id, &refused).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/passwords"), "the requests were logged:\n{logs:.2000}");
    for p in [secret, generated.as_str(), bad] {
        assert!(!logs.contains(p), "a password in the logs");
    }
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_on_a_confirming_form_checks_at_most_the_limit() {
    let mut env = Env::new(1).await;
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    env.state = env.state.clone().with_clock(clock.clock());
    env.router = lightdeck::app::build(env.state.clone());
    let id = env.instances().await[0].instance_id.to_string();
    let mut alice = env.browser("alice", Role::Admin).await;
    clock.advance(time::Duration::minutes(11));
    let cookie = alice.session_cookie().unwrap();
    let token = alice.refresh_csrf().await;
    let secret = "Ld-9qzW!x2";
    // Thirty copies of the form, sent at once with a wrong password.
    let sent = futures_util::future::join_all((0..30).map(|_| {
        let mut b = Browser::in_process(env.router.clone());
        b.set_session_cookie(&cookie);
        let (env, id, token) = (&env, id.clone(), token.clone());
        async move {
            let fields = [
                ("mode", "typed"),
                ("new_password", secret),
                ("new_password_confirm", secret),
                ("current_password", "not-my-password"),
                ("csrf", token.as_str()),
            ];
            reset(env, &mut b, &id, &fields).await.status
        }
    }))
    .await;
    assert!(sent.iter().all(|s| s.is_client_error()), "{sent:?}");
    let checked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM security_log WHERE kind = 'sign_in_failed'")
            .fetch_one(env.db.pool())
            .await
            .unwrap();
    assert!((1..=10).contains(&checked), "{checked} wrong passwords checked");
    assert_eq!(env.sim.count_requests("BatchResetServersPassword"), 0);
}
