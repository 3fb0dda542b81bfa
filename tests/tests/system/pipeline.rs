//! The action pipeline end to end: the instances page's form → intent and audit event →
//! cloudsim's batch call → the job poller → outcome event and inventory refresh, with
//! cloudsim failing jobs, throttling, and the panel restarting mid-job.

use lightdeck_domain::actions::{self, ActionState, BatchProgress};
use lightdeck_domain::audit::AuditEvent;
use lightdeck_tests::{Page, Persona, TestApp};
use uuid::Uuid;

use crate::support;

async fn progress(app: &TestApp, batch: &str) -> BatchProgress {
    let id: Uuid = batch.parse().expect("a batch UUID");
    actions::batch_progress(app.db.pool(), app.team.id, id).await.expect("the batch exists")
}

/// The team's events for `action` (e.g. `instance.reboot.`) that name `target`, oldest first.
async fn events(app: &TestApp, prefix: &str, target: &str) -> Vec<AuditEvent> {
    let mut v: Vec<AuditEvent> = app
        .audit(app.team.id)
        .await
        .into_iter()
        .filter(|e| e.action.starts_with(prefix) && e.target_ids.iter().any(|t| t == target))
        .collect();
    v.reverse();
    v
}

fn actions_of(events: &[AuditEvent]) -> Vec<&str> {
    events.iter().map(|e| e.action.as_str()).collect()
}

/// Whether the progress panel asks htmx to load it again.
fn keeps_polling(page: &Page) -> bool {
    page.count("[hx-trigger*='every']") > 0
}

async fn assert_chain_intact(app: &TestApp) {
    for team in [app.team.id, app.other.id] {
        let report =
            lightdeck_domain::audit::verify(app.db.pool(), team).await.expect("verify runs");
        assert!(
            report.is_intact(),
            "the audit chain of {team} is intact: {:?}",
            report.first_break
        );
    }
}

#[tokio::test]
async fn a_reboot_of_two_instances_in_two_regions_runs_to_success_with_its_audit_trail() {
    let app = TestApp::start_default().await;
    let running: Vec<_> = app.team.instances.iter().filter(|i| i.status == "ACTIVE").collect();
    let first = running[0];
    let second = running
        .iter()
        .find(|i| i.region != first.region)
        .expect("the fixture spreads instances over two regions");
    let (a, b) = (first.instance_id.to_string(), second.instance_id.to_string());
    let mut bob = app.client(Persona::Operator).await;

    let batch = support::start_batch(&app, &mut bob, "reboot", &[&a, &b]).await;
    assert_eq!(app.sim.count_requests("BatchRebootServers"), 2, "one call per region");
    let p = progress(&app, &batch).await;
    assert_eq!((p.total, p.accepted), (2, 2), "both accepted: {p:?}");

    let panel_url = format!("/teams/{}/batches/{batch}", app.team.id);
    let running = bob.get_htmx(&panel_url).await;
    assert_eq!(running.status.as_u16(), 200, "{}", running.body);
    assert!(keeps_polling(&running), "a running batch refreshes itself: {}", running.body);
    let full = bob.get(&panel_url).await;
    assert_eq!(full.status.as_u16(), 200);
    assert!(full.count("main h1") == 1, "the panel as a page of its own");

    support::finish_jobs(&app).await;
    let p = progress(&app, &batch).await;
    assert!(p.done && p.succeeded == 2, "{p:?}");
    let done = bob.get_htmx(&panel_url).await;
    assert!(!keeps_polling(&done), "a finished batch stops refreshing: {}", done.body);

    for id in [&a, &b] {
        let row = app.instance(app.team.id, id).await;
        assert_eq!(row.status, "ACTIVE", "{id} is running again after the reboot");
        let trail = events(&app, "instance.reboot.", id).await;
        assert_eq!(
            actions_of(&trail),
            ["instance.reboot.requested", "instance.reboot.accepted", "instance.reboot.succeeded"],
            "{id}"
        );
        assert!(trail.iter().all(|e| e.actor_name.as_deref() == Some("bob")), "bob did it");
        assert!(
            trail[1].job_id.is_some() && trail[1].request_id.is_some(),
            "Huawei's ids are kept"
        );
        let row_page = bob.get_htmx(&format!("/teams/{}/instances/{id}/row", app.team.id)).await;
        let row_page = row_page.in_table();
        assert_eq!(
            row_page.attr("tr", "data-state").as_deref(),
            Some("running"),
            "{}",
            row_page.body
        );
        assert_eq!(row_page.count("tr[hx-trigger]"), 0, "a settled row stops refreshing");
    }

    // alice reads it as a sentence in the audit log; bob may not read the log.
    let mut alice = app.client(Persona::Owner).await;
    let log = alice.get(&format!("/teams/{}/audit", app.team.id)).await;
    assert_eq!(log.status.as_u16(), 200);
    let sentences = log.texts("li.event .sentence");
    for name in [&first.name, &second.name] {
        let said = format!("bob rebooted {name}");
        assert!(sentences.iter().any(|s| s.starts_with(&said)), "{said:?} in {sentences:?}");
    }
    let denied = bob.get(&format!("/teams/{}/audit", app.team.id)).await;
    assert_eq!(denied.status.as_u16(), 403);
    assert_chain_intact(&app).await;
}

#[tokio::test]
async fn a_job_the_cloud_fails_is_reported_with_huaweis_code() {
    let app = TestApp::start_default().await;
    let target = app.team.running()[0].clone();
    let mut bob = app.client(Persona::Operator).await;

    // Starting a running server: cloudsim accepts the batch, and its sub-job FAILs.
    let batch = support::run_batch(&app, &mut bob, "start", &[&target]).await;
    let p = progress(&app, &batch).await;
    assert!(p.done && p.failed == 1, "{p:?}");
    let result = &p.actions[0].results[0];
    assert_eq!(result.error_code.as_deref(), Some("Ecs.0112"), "{result:?}");

    let trail = events(&app, "instance.start.", &target).await;
    let last = trail.last().expect("events");
    assert_eq!(last.action, "instance.start.failed", "{:?}", actions_of(&trail));
    assert_eq!(last.error_code.as_deref(), Some("Ecs.0112"));

    let panel = bob.get(&format!("/teams/{}/batches/{batch}", app.team.id)).await;
    assert_eq!(panel.status.as_u16(), 200);
    let item = format!("section.progress-panel tr.item[data-instance='{target}']");
    assert_eq!(panel.attr(&item, "data-state").as_deref(), Some("failed"));
    let explanation = panel.text(&format!("{item} .explanation")).unwrap_or_default();
    assert!(!explanation.is_empty(), "the failure is explained in words: {}", panel.body);
    assert!(!explanation.contains("Ecs.0112"), "in plain words, not codes: {explanation}");
    let facts = panel.texts(&format!("{item} details dd"));
    assert!(facts.iter().any(|f| f == "Ecs.0112"), "Huawei's code is in the details: {facts:?}");
    assert_chain_intact(&app).await;
}

#[tokio::test]
async fn throttling_fails_a_call_cleanly_and_only_delays_a_poll() {
    let app = TestApp::start_default().await;
    let mut bob = app.client(Persona::Operator).await;
    let target = app.team.running()[0].clone();

    // Every batch call throttled: the client's retries give up, the action fails with
    // Huawei's code, and the server is not touched.
    app.sim.faults().add("BatchRebootServers:429:1".parse().unwrap());
    let batch = support::start_batch(&app, &mut bob, "reboot", &[&target]).await;
    let p = progress(&app, &batch).await;
    assert!(p.done && p.failed == 1, "{p:?}");
    let trail = events(&app, "instance.reboot.", &target).await;
    assert_eq!(actions_of(&trail), ["instance.reboot.requested", "instance.reboot.failed"]);
    assert_eq!(trail[1].error_code.as_deref(), Some("APIG.0308"));
    assert_eq!(trail[1].http_status, Some(429));
    app.sim.faults().clear();

    // Job polls throttled: the action stays accepted however often it is polled, and
    // succeeds once the cloud answers again.
    app.sim.faults().add("ShowJob:429:1".parse().unwrap());
    let batch = support::start_batch(&app, &mut bob, "reboot", &[&target]).await;
    for _ in 0..3 {
        app.advance(time::Duration::seconds(5));
        lightdeck::workers::poll_once(&app.state.workers()).await.expect("a poller pass");
    }
    let p = progress(&app, &batch).await;
    assert_eq!(p.accepted, 1, "still waiting for the job: {p:?}");
    assert!(app.sim.count_requests("ShowJob") >= 3, "it did ask");
    app.sim.faults().clear();
    support::finish_jobs(&app).await;
    assert_eq!(progress(&app, &batch).await.succeeded, 1);
    assert_chain_intact(&app).await;
}

#[tokio::test]
async fn a_restarted_panel_finishes_the_job_the_old_one_started() {
    let app = TestApp::start_default().await;
    let mut bob = app.client(Persona::Operator).await;
    let target = app.team.running()[0].clone();
    let batch = support::start_batch(&app, &mut bob, "reboot", &[&target]).await;
    // The old process looks once while the job runs, then goes away.
    lightdeck::workers::poll_once(&app.state.workers()).await.expect("a poller pass");
    assert_eq!(progress(&app, &batch).await.accepted, 1);
    app.state.shutdown.trigger();

    let restarted = app.restarted_state().await;
    support::finish_jobs_with(&app, &restarted).await;
    let p = progress(&app, &batch).await;
    assert!(p.done && p.succeeded == 1, "{p:?}");
    let trail = events(&app, "instance.reboot.", &target).await;
    assert_eq!(
        actions_of(&trail),
        ["instance.reboot.requested", "instance.reboot.accepted", "instance.reboot.succeeded"]
    );
    assert_eq!(
        support::all_action_states(&app).await,
        vec![ActionState::Succeeded],
        "nothing ran twice"
    );
    assert_chain_intact(&app).await;
}
