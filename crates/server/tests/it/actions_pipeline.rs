//! The action pipeline of DESIGN.md against cloudsim: intent committed before the cloud
//! call, one batch call per (account, region), answers recorded with their audit events,
//! the poller following jobs to their end (also after a restart), failures explained.

use crate::instances_support;

use axum::http::StatusCode;
use instances_support::{Env, Resp};
use lightdeck::workers::poll_once;
use lightdeck_domain::actions::{self, ActionState, Params};
use lightdeck_domain::audit::{self, AuditEvent, AuditFilter};
use lightdeck_domain::inventory::{InstanceRow, PageRequest};
use lightdeck_domain::policy::Role;

async fn events(env: &Env, prefix: &str) -> Vec<AuditEvent> {
    let filter = AuditFilter { action_prefix: Some(prefix.to_owned()), ..AuditFilter::default() };
    let mut items = audit::list(env.db.pool(), env.team, &filter, &PageRequest::first(500))
        .await
        .unwrap()
        .items;
    items.reverse();
    items
}

fn item_states(panel: &Resp) -> Vec<String> {
    panel.attrs("tr.item", "data-state")
}

fn batch_url(panel: &Resp) -> String {
    panel.attr("section.progress-panel p a", "href").expect("the panel links to itself")
}

/// Two running instances in different accounts.
fn two_running(all: &[InstanceRow]) -> (InstanceRow, InstanceRow) {
    let a = all.iter().find(|i| i.status == "ACTIVE" && i.account_id != all[0].account_id).unwrap();
    let b = all.iter().find(|i| i.status == "ACTIVE" && i.account_id == all[0].account_id).unwrap();
    (a.clone(), b.clone())
}

#[tokio::test]
async fn reboot_two_instances_from_request_to_success() {
    let env = Env::new(4).await;
    let (a, b) = two_running(&env.instances().await);
    let (ida, idb) = (a.instance_id.to_string(), b.instance_id.to_string());
    let mut bob = env.browser("bob", Role::Operator).await;

    let panel = env.act(&mut bob, "reboot", "soft", &[&ida, &idb], "key-1", false).await;
    assert_eq!(panel.status, StatusCode::OK, "{}", panel.body);
    assert_eq!(env.sim.count_requests("BatchRebootServers"), 2, "one call per account");
    assert_eq!(item_states(&panel), ["accepted", "accepted"]);
    assert_eq!(panel.attr("section.progress-panel", "hx-trigger").as_deref(), Some("every 2s"));
    assert!(panel.text("section.progress-panel h2").unwrap().contains("Restart — 2 instances"));
    assert_eq!(panel.header("hx-trigger"), Some("inventory-changed"), "the table reloads");
    // A fresh key for the next submit, swapped into the form out of band.
    let next = panel.attr("input#idempotency-key[hx-swap-oob]", "value").unwrap();
    assert_ne!(next, "key-1");

    let requested = events(&env, "instance.reboot.requested").await;
    let accepted = events(&env, "instance.reboot.accepted").await;
    assert_eq!((requested.len(), accepted.len()), (2, 2));
    assert!(
        requested
            .iter()
            .all(|e| e.actor_name.as_deref() == Some("bob") && e.session_hash.is_some())
    );
    assert!(accepted.iter().all(|e| e.job_id.is_some() && e.request_id.is_some()));
    assert!(requested[0].seq < accepted[0].seq);
    // The servers were refreshed right after acceptance: their rows now show them moving.
    let rows = env.instances().await;
    let moving =
        rows.iter().filter(|r| r.instance_id == a.instance_id || r.instance_id == b.instance_id);
    assert!(
        moving.clone().all(|r| r.status == "REBOOT"),
        "{:?}",
        moving.map(|r| &r.status).collect::<Vec<_>>()
    );

    // The job is still running: the poller records that and keeps the panel refreshing.
    assert_eq!(poll_once(&env.state.workers()).await.unwrap(), 2);
    let panel = bob.get_htmx(&batch_url(&panel)).await;
    assert_eq!(item_states(&panel), ["running", "running"]);
    assert!(panel.attr("section.progress-panel", "hx-trigger").is_some());

    env.advance(10);
    assert_eq!(poll_once(&env.state.workers()).await.unwrap(), 2);
    let panel = bob.get_htmx(&batch_url(&panel)).await;
    assert_eq!(item_states(&panel), ["succeeded", "succeeded"]);
    assert_eq!(panel.attr("section.progress-panel", "hx-trigger"), None, "done: no more polling");
    assert_eq!(
        panel.texts("tr.item td:nth-child(3) .status"),
        ["Running", "Running"],
        "the rows' new states"
    );
    assert_eq!(poll_once(&env.state.workers()).await.unwrap(), 0, "nothing left to poll");

    let succeeded = events(&env, "instance.reboot.succeeded").await;
    assert_eq!(succeeded.len(), 2);
    for e in &succeeded {
        let acc = accepted.iter().find(|x| x.target_ids == e.target_ids).unwrap();
        assert_eq!(e.job_id, acc.job_id);
        assert_eq!(e.request_id, acc.request_id);
    }
    assert!(
        env.instances()
            .await
            .iter()
            .filter(|r| r.instance_id == a.instance_id)
            .all(|r| r.status == "ACTIVE")
    );
    let detail = bob.get(&format!("/teams/{}/instances/{ida}", env.team)).await;
    assert!(detail.texts("section.actions-history td").iter().any(|t| t.contains("bob: Restart")));
    let mut alice = env.browser("alice", Role::Owner).await;
    let trail = alice.get(&format!("/teams/{}/instances/{ida}", env.team)).await;
    let lines = trail.texts("section.audit-trail tbody tr");
    assert_eq!(lines.len(), 3, "requested, accepted, succeeded: {lines:?}");
    assert!(lines.iter().all(|l| l.contains("bob: Restart")), "{lines:?}");
    assert!(
        lines[0].contains("Succeeded") && lines[2].contains("Requested"),
        "newest first: {lines:?}"
    );
    assert!(env.state.i18n.missing().is_empty(), "{:?}", env.state.i18n.missing());
}

#[tokio::test]
async fn a_failing_job_is_explained_in_plain_words() {
    let env = Env::new(4).await;
    let running = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let id = running.instance_id.to_string();
    let mut bob = env.browser("bob", Role::Operator).await;
    let panel = env.act(&mut bob, "start", "soft", &[&id], "key-start", false).await;
    assert_eq!(item_states(&panel), ["accepted"]);
    env.advance(10);
    poll_once(&env.state.workers()).await.unwrap();
    let panel = bob.get_htmx(&batch_url(&panel)).await;
    assert_eq!(item_states(&panel), ["failed"]);
    assert_eq!(
        panel.text("tr.item p.explanation").as_deref(),
        Some("The instance was already running, so there was nothing to start.")
    );
    let details = panel.texts("tr.item details dd");
    assert!(details.contains(&"Ecs.0112".to_owned()), "{details:?}");
    let job =
        actions::list_for_instance(env.db.pool(), env.team, &running.instance_id, 5).await.unwrap();
    assert_eq!(job[0].state, ActionState::Failed);
    assert!(details.contains(&job[0].job_id.as_ref().unwrap().to_string()));
    assert!(details.contains(job[0].request_id.as_ref().unwrap()));
    assert_eq!(events(&env, "instance.start.failed").await.len(), 1);

    // The same in Chinese.
    let zh = lightdeck::i18n::Tr::new(env.state.i18n.clone(), lightdeck::i18n::Language::ZhCn);
    let text = lightdeck::explain::explain(
        &zh,
        Some("Ecs.0112"),
        None,
        Some("server x is already running (status ACTIVE)"),
    );
    assert_eq!(text, "实例本来就在运行，无需开机。");
}

#[tokio::test]
async fn throttling_is_retried_then_explained_and_the_intent_stays() {
    let env = Env::new(2).await;
    env.sim.faults().add("BatchRebootServers:429:1".parse().unwrap());
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let id = inst.instance_id.to_string();
    let mut bob = env.browser("bob", Role::Operator).await;
    let panel = env.act(&mut bob, "reboot", "soft", &[&id], "key-429", false).await;
    assert_eq!(panel.status, StatusCode::OK);
    assert!(env.sim.count_requests("BatchRebootServers") > 1, "the client retried");
    assert_eq!(item_states(&panel), ["failed"]);
    assert!(
        panel
            .text("tr.item p.explanation")
            .unwrap()
            .starts_with("Huawei Cloud received too many requests")
    );
    assert!(panel.texts("tr.item details dd").contains(&"APIG.0308".to_owned()));
    // The intent was committed before the call: requested, then failed.
    assert_eq!(events(&env, "instance.reboot.requested").await.len(), 1);
    let failed = events(&env, "instance.reboot.failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error_code.as_deref(), Some("APIG.0308"));
    assert_eq!(failed[0].http_status, Some(429));
}

#[tokio::test]
async fn nothing_reaches_the_cloud_when_the_intent_cannot_be_recorded() {
    let env = Env::new(2).await;
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let id = inst.instance_id.to_string();
    let mut bob = env.browser("bob", Role::Operator).await;
    // The audit append inside record_intent's transaction fails, as a full disk would.
    sqlx::raw_sql(
        "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'disk full'; END $$; \
         CREATE TRIGGER test_refuse BEFORE INSERT ON audit_events \
         FOR EACH ROW EXECUTE FUNCTION test_refuse();",
    )
    .execute(env.db.pool())
    .await
    .unwrap();
    let path = format!("/teams/{}/actions", env.team);
    let resp = bob
        .post_htmx(
            &path,
            &[("action", "reboot"), ("type", "soft"), ("idempotency_key", "k"), ("instance", &id)],
        )
        .await;
    assert_eq!(resp.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!resp.body.contains("disk full"), "no internal text: {}", resp.body);
    assert_eq!(env.sim.count_requests("BatchRebootServers"), 0, "fail closed");
    let recorded =
        actions::list_for_instance(env.db.pool(), env.team, &inst.instance_id, 5).await.unwrap();
    assert!(recorded.is_empty(), "the whole intent rolled back");
}

#[tokio::test]
async fn the_same_idempotency_key_acts_once() {
    let env = Env::new(2).await;
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let id = inst.instance_id.to_string();
    let mut bob = env.browser("bob", Role::Operator).await;
    let first = env.act(&mut bob, "reboot", "soft", &[&id], "same-key", false).await;
    let second = env.act(&mut bob, "reboot", "soft", &[&id], "same-key", false).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(batch_url(&first), batch_url(&second));
    assert_eq!(env.sim.count_requests("BatchRebootServers"), 1);
    assert_eq!(events(&env, "instance.reboot.requested").await.len(), 1);
}

#[tokio::test]
async fn foreign_or_unknown_ids_refuse_the_whole_request() {
    let env = Env::new(2).await;
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let id = inst.instance_id.to_string();
    let mut bob = env.browser("bob", Role::Operator).await;
    let unknown = "0123456789abcdef01234567";
    let resp = env.act(&mut bob, "reboot", "soft", &[&id, unknown], "k-a", false).await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    let resp = env.act(&mut bob, "reboot", "soft", &[&id, "../../etc"], "k-b", false).await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    assert_eq!(env.sim.count_requests("BatchRebootServers"), 0);
    assert!(
        actions::list_for_instance(env.db.pool(), env.team, &inst.instance_id, 5)
            .await
            .unwrap()
            .is_empty()
    );

    // Bad form values: 422 naming the field, nothing recorded.
    let resp = env.act(&mut bob, "explode", "sideways", &[], "", false).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = resp.texts("ul.details li");
    assert!(problems.iter().any(|p| p.starts_with("How:")), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("Instances:")), "{problems:?}");
}

#[tokio::test]
async fn stopping_and_forced_restarts_ask_first() {
    let env = Env::new(2).await;
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let id = inst.instance_id.to_string();
    let mut bob = env.browser("bob", Role::Operator).await;
    let confirm = env.act(&mut bob, "reboot", "hard", &[&id], "k-hard", false).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.text("p.confirm-message").unwrap().contains("like pulling the power plug"));
    assert_eq!(confirm.texts("ul.confirm-instances li"), vec![inst.name.clone()]);
    assert_eq!(confirm.attr("form input[name=confirmed]", "value").as_deref(), Some("yes"));
    assert_eq!(
        confirm.attr("form input[name=idempotency_key]", "value").as_deref(),
        Some("k-hard")
    );
    assert_eq!(env.sim.count_requests("BatchRebootServers"), 0, "nothing before the confirmation");

    let panel = env.act(&mut bob, "reboot", "hard", &[&id], "k-hard", true).await;
    assert_eq!(item_states(&panel), ["accepted"]);
    let recorded =
        actions::list_for_instance(env.db.pool(), env.team, &inst.instance_id, 5).await.unwrap();
    assert_eq!(recorded[0].params, Params::Reboot { hard: true });

    // A soft restart does not ask; a non-htmx request lands on the progress page.
    let other = env.instances().await.into_iter().find(|i| i.status == "SHUTOFF").unwrap();
    let csrf = bob.refresh_csrf().await;
    let other_id = other.instance_id.to_string();
    let resp = bob
        .post_form(
            &format!("/teams/{}/actions", env.team),
            &[
                ("csrf", &csrf),
                ("action", "start"),
                ("type", "soft"),
                ("idempotency_key", "k-page"),
                ("instance", &other_id),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    let page = bob.get(resp.header("location").unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("header.topbar"), 1);
    assert_eq!(item_states(&page), ["accepted"]);
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_job_resumes_it() {
    let mut env = Env::new(2).await;
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let id = inst.instance_id.to_string();
    let batch = {
        let mut bob = env.browser("bob", Role::Operator).await;
        let panel = env.act(&mut bob, "reboot", "soft", &[&id], "k-restart", false).await;
        assert_eq!(item_states(&panel), ["accepted"]);
        poll_once(&env.state.workers()).await.unwrap();
        batch_url(&panel)
    };
    // The process goes away; a new one starts on the same database.
    env.restart();
    env.advance(10);
    assert_eq!(poll_once(&env.state.workers()).await.unwrap(), 1);
    let recorded =
        actions::list_for_instance(env.db.pool(), env.team, &inst.instance_id, 5).await.unwrap();
    assert_eq!(recorded[0].state, ActionState::Succeeded);
    assert_eq!(events(&env, "instance.reboot.succeeded").await.len(), 1);
    let mut bob = env.signed_in("bob").await;
    let panel = bob.get(&batch).await;
    assert_eq!(item_states(&panel), ["succeeded"]);
}

#[tokio::test]
async fn batches_of_other_teams_are_not_found() {
    let env = Env::new(2).await;
    let mut bob = env.browser("bob", Role::Operator).await;
    let resp = bob.get(&format!("/teams/{}/batches/{}", env.team, uuid::Uuid::new_v4())).await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bob.get(&format!("/teams/{}/batches/not-a-uuid", env.team)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn actions_left_requested_by_a_dead_process_become_unknown() {
    let env = Env::new(2).await;
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let mut bob = env.browser("bob", Role::Operator).await;
    let id = inst.instance_id.to_string();
    let panel = env.act(&mut bob, "reboot", "soft", &[&id], "k-stale", false).await;
    assert_eq!(item_states(&panel), ["accepted"]);
    // Pretend a process recorded an intent an hour ago and died before calling the cloud.
    sqlx::query(
        "UPDATE actions SET state = 'requested', created_at = now() - interval '1 hour', \
         job_id = NULL, next_poll_at = NULL",
    )
    .execute(env.db.pool())
    .await
    .unwrap();
    poll_once(&env.state.workers()).await.unwrap();
    let panel = bob.get_htmx(&batch_url(&panel)).await;
    assert_eq!(item_states(&panel), ["unknown"]);
    assert!(panel.text("tr.item p.explanation").unwrap().starts_with("Nobody can tell"));
    assert_eq!(events(&env, "instance.reboot.unknown").await.len(), 1);
}

#[tokio::test]
async fn a_job_the_cloud_no_longer_knows_ends_unknown_after_a_minute() {
    let mut env = Env::new(2).await;
    let clock = lightdeck::state::ManualClock::new(time::OffsetDateTime::now_utc());
    env.state = env.state.clone().with_clock(clock.clock());
    env.router = lightdeck::app::build(env.state.clone());
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    let id = inst.instance_id.to_string();
    let mut bob = env.browser("bob", Role::Operator).await;
    let panel = env.act(&mut bob, "reboot", "soft", &[&id], "k-gone", false).await;
    assert_eq!(item_states(&panel), ["accepted"]);

    // The cloud forgets the job (a restarted cloud does), and meanwhile somebody stops the
    // server in the console: the refresh at the end must show that.
    sqlx::query("UPDATE actions SET job_id = '0123456789abcdef0123456789abcdef'")
        .execute(env.db.pool())
        .await
        .unwrap();
    let server = inst.server_id.as_ref().unwrap().to_string();
    env.sim.set_server_state(&server, "SHUTOFF", None).unwrap();

    // One "not found" is not the end: the cloud may just be slow to list a new job.
    assert_eq!(poll_once(&env.state.workers()).await.unwrap(), 1);
    let recorded =
        actions::list_for_instance(env.db.pool(), env.team, &inst.instance_id, 5).await.unwrap();
    assert_eq!(recorded[0].state, ActionState::Accepted);
    assert!(recorded[0].missing_since.is_some());
    clock.advance(time::Duration::seconds(30));
    poll_once(&env.state.workers()).await.unwrap();
    let panel = bob.get_htmx(&batch_url(&panel)).await;
    assert_eq!(item_states(&panel), ["accepted"], "still followed after 30 s");

    clock.advance(time::Duration::seconds(31));
    assert_eq!(poll_once(&env.state.workers()).await.unwrap(), 1);
    let panel = bob.get_htmx(&batch_url(&panel)).await;
    assert_eq!(item_states(&panel), ["unknown"]);
    let explanation = panel.text("tr.item p.explanation").unwrap();
    assert!(explanation.starts_with("Huawei Cloud no longer knows the job"), "{explanation}");
    assert_eq!(events(&env, "instance.reboot.unknown").await.len(), 1);
    let row = env.instances().await.into_iter().find(|i| i.instance_id == inst.instance_id);
    assert_eq!(row.unwrap().status, "SHUTOFF", "the server was read again");
    assert_eq!(poll_once(&env.state.workers()).await.unwrap(), 0, "nothing is followed any more");
}
