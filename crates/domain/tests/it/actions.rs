//! Actions against a real Postgres: intent with its audit event, transitions, the worker
//! claim (never twice), lease takeover, progress.

use std::collections::HashSet;
use std::time::Duration;

use lightdeck_domain::Error;
use lightdeck_domain::actions::{
    self, ActionKind, ActionState, CloudError, CloudReply, Finish, NewBatch, Params, Poll,
    RenewTerm, RequestContext, ServerResult, Terminal, Tracking, TrackingKind,
};
use lightdeck_domain::audit::{self, AuditFilter, Outcome, SessionHash};
use lightdeck_domain::inventory::{self, PageRequest, SyncedInstance, Target};
use lightdeck_domain::testing::TestDb;
use lightdeck_huaweicloud::{InstanceId, JobId, OrderId, Region, ServerId};
use sqlx::PgPool;
use uuid::Uuid;

struct Fixture {
    team: Uuid,
    user: Uuid,
    account: Uuid,
}

async fn fixture(pool: &PgPool) -> Fixture {
    let (team, user, account) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2)")
        .bind(team)
        .bind(format!("team-{team}"))
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (id, login, display_name, password_hash) VALUES ($1, $2, 'Ada', 'x')",
    )
    .bind(user)
    .bind(format!("u{user}"))
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO cloud_accounts (id, team_id, name, domain_name, access_key_id, secret_key_key_id, \
         secret_key_sealed) VALUES ($1, $2, 'main', 'hw', 'AK', 'k1', '\\x00')",
    )
    .bind(account)
    .bind(team)
    .execute(pool)
    .await
    .unwrap();
    Fixture { team, user, account }
}

fn iid(n: u32) -> InstanceId {
    format!("{n:024x}").parse().unwrap()
}

fn sid(n: u32) -> ServerId {
    format!("{n:08x}-0000-4000-8000-000000000000").parse().unwrap()
}

fn job(n: u32) -> JobId {
    format!("{n:032x}").parse().unwrap()
}

async fn instances(pool: &PgPool, f: &Fixture, count: u32) -> Vec<InstanceId> {
    let items: Vec<SyncedInstance> = (1..=count)
        .map(|n| SyncedInstance {
            server_id: Some(sid(n)),
            ..SyncedInstance::new(iid(n), format!("vm-{n}"), "ACTIVE")
        })
        .collect();
    inventory::upsert_from_sync(pool, f.account, Region::CnNorth4, &items).await.unwrap();
    items.into_iter().map(|i| i.instance_id).collect()
}

fn context(f: &Fixture) -> RequestContext {
    RequestContext {
        actor_user_id: f.user,
        actor_name: "Ada".into(),
        source_ip: Some("203.0.113.9".parse().unwrap()),
        user_agent: Some("Mozilla/5.0".into()),
        session_hash: Some(SessionHash::of("session-secret")),
        panel_request_id: Some("req-1".into()),
    }
}

fn batch(f: &Fixture, params: Params, targets: Vec<Target>) -> NewBatch {
    NewBatch { team_id: f.team, params, targets, context: context(f), idempotency_key: None }
}

#[tokio::test]
async fn intent_records_actions_and_audit_together_without_secrets() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = instances(pool, &f, 3).await;
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();

    let b = actions::record_intent(pool, &batch(&f, Params::Reboot { hard: false }, targets))
        .await
        .unwrap();
    assert!(!b.replayed);
    assert_eq!(b.actions.len(), 1);
    let a = &b.actions[0];
    assert_eq!(a.state, ActionState::Requested);
    assert_eq!(a.server_ids, vec![sid(1), sid(2), sid(3)]);
    assert_eq!(a.params, Params::Reboot { hard: false });

    let events = audit::list(pool, f.team, &AuditFilter::default(), &PageRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.action, "instance.reboot.requested");
    assert_eq!(e.outcome, Outcome::Requested);
    assert_eq!(e.target_ids, ids.iter().map(ToString::to_string).collect::<Vec<_>>());
    assert_eq!(e.actor_name.as_deref(), Some("Ada"));
    assert_eq!(e.source_ip, Some("203.0.113.9".parse().unwrap()));
    assert_eq!(e.session_hash.as_deref(), Some(SessionHash::of("session-secret").as_str()));
    assert_eq!(e.params, serde_json::json!({"type": "SOFT"}), "the shape audit chains have");

    let p = actions::batch_progress(pool, f.team, b.id).await.unwrap();
    assert_eq!((p.total, p.requested, p.done), (1, 1, false));
}

#[tokio::test]
async fn intent_is_all_or_nothing() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = instances(pool, &f, 2).await;
    let mut targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    // A second group naming an account of another team: the whole batch must be refused.
    let other = fixture(pool).await;
    targets.push(Target {
        account_id: other.account,
        region: Region::CnNorth4,
        instances: targets[0].instances.clone(),
    });
    let err = actions::record_intent(pool, &batch(&f, Params::Stop { hard: false }, targets))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err}");

    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM actions").fetch_one(pool).await.unwrap();
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events").fetch_one(pool).await.unwrap();
    assert_eq!((count, events), (0, 0));

    let err = actions::record_intent(pool, &batch(&f, Params::Stop { hard: false }, vec![]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("instance_ids"));
}

#[tokio::test]
async fn big_groups_are_split_and_idempotency_keys_replay() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = instances(pool, &f, 1203).await;
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    let mut nb = batch(&f, Params::Start, targets);
    nb.idempotency_key = Some("form-42".into());

    let first = actions::record_intent(pool, &nb).await.unwrap();
    let sizes: Vec<usize> = first.actions.iter().map(|a| a.server_ids.len()).collect();
    assert_eq!(sizes, vec![1000, 203]);

    let again = actions::record_intent(pool, &nb).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.id, first.id);
    let ids_first: HashSet<Uuid> = first.actions.iter().map(|a| a.id).collect();
    let ids_again: HashSet<Uuid> = again.actions.iter().map(|a| a.id).collect();
    assert_eq!(ids_first, ids_again);
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events").fetch_one(pool).await.unwrap();
    assert_eq!(events, 2, "one requested event per action, none for the replay");
}

#[tokio::test]
async fn transitions_write_their_audit_events_and_refuse_going_back() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = instances(pool, &f, 2).await;
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    let b =
        actions::record_intent(pool, &batch(&f, Params::Reboot { hard: false }, targets.clone()))
            .await
            .unwrap();
    let a = b.actions[0].id;

    let reply = CloudReply { request_id: Some("hw-req-1".into()), http_status: Some(200) };
    let accepted = actions::mark_accepted(pool, a, &reply, &Tracking::Job(job(1)), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!((accepted.state, accepted.job_id.clone()), (ActionState::Accepted, Some(job(1))));
    let err = actions::mark_failed(pool, a, &CloudError::default()).await.unwrap_err();
    assert!(matches!(err, Error::Rule(ref m) if m.contains("accepted")), "{err}");
    assert!(matches!(actions::mark_unknown(pool, Uuid::new_v4(), "x").await, Err(Error::NotFound)));

    let b2 = actions::record_intent(pool, &batch(&f, Params::Stop { hard: false }, targets))
        .await
        .unwrap();
    let err = CloudError {
        http_status: Some(400),
        code: Some("Ecs.0114".into()),
        message: "server is locked".into(),
        request_id: Some("hw-req-2".into()),
    };
    let failed = actions::mark_failed(pool, b2.actions[0].id, &err).await.unwrap();
    assert_eq!(failed.state, ActionState::Failed);
    assert!(failed.finished_at.is_some());

    let events = audit::list(pool, f.team, &AuditFilter::default(), &PageRequest::first(10))
        .await
        .unwrap()
        .items;
    let names: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "instance.stop.failed",
            "instance.stop.requested",
            "instance.reboot.accepted",
            "instance.reboot.requested"
        ]
    );
    assert_eq!(events[0].error_code.as_deref(), Some("Ecs.0114"));
    assert_eq!(events[0].http_status, Some(400));
    assert_eq!(events[2].job_id, Some(job(1).to_string()));
    assert_eq!(events[2].request_id.as_deref(), Some("hw-req-1"));
    assert!(audit::verify(pool, f.team).await.unwrap().is_intact());

    // Only the owning team sees the batch and the instance history.
    assert!(matches!(
        actions::batch_progress(pool, Uuid::new_v4(), b.id).await,
        Err(Error::NotFound)
    ));
    let history = actions::list_for_instance(pool, f.team, &ids[0], 10).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.kind()).collect::<Vec<_>>(),
        vec![ActionKind::Stop, ActionKind::Reboot]
    );
    assert!(
        actions::list_for_instance(pool, Uuid::new_v4(), &ids[0], 10).await.unwrap().is_empty()
    );
}

async fn accepted_actions(pool: &PgPool, f: &Fixture, n: u32) -> Vec<Uuid> {
    let ids = instances(pool, f, n).await;
    let mut out = Vec::new();
    for id in ids {
        let targets = inventory::resolve(pool, f.team, &[id]).await.unwrap();
        let b = actions::record_intent(pool, &batch(f, Params::Start, targets)).await.unwrap();
        let a = b.actions[0].id;
        actions::mark_accepted(
            pool,
            a,
            &CloudReply::default(),
            &Tracking::Job(job(out.len() as u32)),
            Duration::ZERO,
        )
        .await
        .unwrap();
        out.push(a);
    }
    out
}

#[tokio::test]
async fn two_concurrent_claimers_never_get_the_same_action() {
    let db = TestDb::new().await;
    let pool = db.pool().clone();
    let f = fixture(&pool).await;
    let all = accepted_actions(&pool, &f, 50).await;

    let claimer = |name: &'static str| {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got =
                    actions::claim_due(&pool, name, Duration::from_secs(300), 3).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|a| a.id));
            }
        })
    };
    let (a, b) = (claimer("worker-a"), claimer("worker-b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let sa: HashSet<Uuid> = a.iter().copied().collect();
    let sb: HashSet<Uuid> = b.iter().copied().collect();
    assert_eq!(sa.len(), a.len());
    assert_eq!(sb.len(), b.len());
    assert!(sa.is_disjoint(&sb), "an action was claimed twice");
    assert_eq!(sa.len() + sb.len(), all.len(), "every due action was claimed");
    // Leased: nothing more to claim.
    assert!(
        actions::claim_due(&pool, "worker-c", Duration::from_secs(300), 100)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn polling_finishing_and_resuming_after_a_lost_lease() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = accepted_actions(pool, &f, 2).await;

    // worker-a claims with a lease that is already over when the next transaction starts:
    // as if it died. worker-b resumes the work.
    let got = actions::claim_due(pool, "worker-a", Duration::ZERO, 10).await.unwrap();
    assert_eq!(got.len(), 2);
    let resumed = actions::claim_due(pool, "worker-b", Duration::from_secs(300), 10).await.unwrap();
    assert_eq!(resumed.len(), 2);
    assert!(resumed.iter().all(|a| a.attempts == 2 && a.claimed_by.as_deref() == Some("worker-b")));

    // The old worker cannot write any more.
    let poll = Poll {
        job_status: "RUNNING",
        results: &[],
        next_poll_in: Duration::ZERO,
        missing_since: None,
    };
    let err = actions::record_poll(pool, ids[0], "worker-a", &poll).await.unwrap_err();
    assert!(matches!(err, Error::Rule(ref m) if m.contains("lease")), "{err}");

    let running = vec![ServerResult {
        server_id: sid(1),
        status: "RUNNING".into(),
        error_code: None,
        error_message: None,
    }];
    let poll = Poll {
        job_status: "RUNNING",
        results: &running,
        next_poll_in: Duration::from_secs(3600),
        missing_since: None,
    };
    let polled = actions::record_poll(pool, ids[0], "worker-b", &poll).await.unwrap();
    assert_eq!(
        (polled.job_status.as_deref(), polled.claimed_by.as_deref()),
        (Some("RUNNING"), None)
    );
    // Not due for an hour.
    assert!(
        actions::claim_due(pool, "worker-b", Duration::from_secs(300), 10)
            .await
            .unwrap()
            .is_empty()
    );

    let done = Finish {
        outcome: Terminal::Failed,
        job_status: Some("FAIL".into()),
        error_code: Some("Ecs.0001".into()),
        error_message: Some("boom".into()),
        results: vec![ServerResult {
            server_id: sid(2),
            status: "FAIL".into(),
            error_code: Some("Ecs.0001".into()),
            error_message: Some("boom".into()),
        }],
    };
    let finished = actions::finish(pool, ids[1], "worker-b", &done).await.unwrap();
    assert_eq!(finished.state, ActionState::Failed);
    assert!(finished.next_poll_at.is_none() && finished.finished_at.is_some());
    let err = actions::finish(pool, ids[1], "worker-b", &done).await.unwrap_err();
    assert!(matches!(err, Error::Rule(ref m) if m.contains("failed")), "{err}");

    let progress = actions::batch_progress(pool, f.team, finished.batch_id).await.unwrap();
    assert!(progress.done);
    assert_eq!(progress.actions[0].results[0].error_message.as_deref(), Some("boom"));

    let events = audit::list(pool, f.team, &AuditFilter::default(), &PageRequest::first(1))
        .await
        .unwrap()
        .items;
    assert_eq!(events[0].action, "instance.start.failed");
    assert_eq!(events[0].outcome, Outcome::Failed);
    assert_eq!(events[0].error_message.as_deref(), Some("boom"));
    assert_eq!(events[0].actor_user_id, Some(f.user));
    assert!(audit::verify(pool, f.team).await.unwrap().is_intact());
}

#[tokio::test]
async fn requested_actions_left_behind_by_a_dead_process_become_unknown() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = instances(pool, &f, 1).await;
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    let b = actions::record_intent(pool, &batch(&f, Params::Reboot { hard: false }, targets))
        .await
        .unwrap();

    // Young enough: left alone.
    let none = actions::expire_requested(pool, Duration::from_secs(3600), 10).await.unwrap();
    assert!(none.is_empty());

    let expired = actions::expire_requested(pool, Duration::ZERO, 10).await.unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].id, b.actions[0].id);
    assert_eq!(expired[0].state, ActionState::Unknown);
    // A late answer from the cloud can no longer rewrite history.
    let late = actions::mark_accepted(
        pool,
        expired[0].id,
        &CloudReply::default(),
        &Tracking::Job(job(1)),
        Duration::ZERO,
    )
    .await
    .unwrap_err();
    assert!(matches!(late, Error::Rule(_)));

    let events = audit::list(pool, f.team, &AuditFilter::default(), &PageRequest::first(1))
        .await
        .unwrap()
        .items;
    assert_eq!(
        (events[0].action.as_str(), events[0].outcome),
        ("instance.reboot.unknown", Outcome::Unknown)
    );
}

#[tokio::test]
async fn renewals_are_sent_ten_per_call_and_need_no_server() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    // An instance whose server RMS has not shown yet can still be renewed (BSS addresses
    // the instance), but not have its password reset (ECS addresses the server).
    let mut items: Vec<SyncedInstance> = (1..=25)
        .map(|n| SyncedInstance {
            server_id: Some(sid(n)),
            ..SyncedInstance::new(iid(n), format!("vm-{n}"), "ACTIVE")
        })
        .collect();
    items.push(SyncedInstance::new(iid(99), "bare".to_owned(), "BUILD"));
    inventory::upsert_from_sync(pool, f.account, Region::CnNorth4, &items).await.unwrap();
    let ids: Vec<InstanceId> = items.into_iter().map(|i| i.instance_id).collect();
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    let term = RenewTerm::parse("2m").unwrap();
    let renew = batch(&f, Params::Renew { term, auto_pay: true }, targets.clone());
    let recorded = actions::record_intent(pool, &renew).await.unwrap();
    let sizes: Vec<usize> = recorded.actions.iter().map(|a| a.instance_ids.len()).collect();
    assert_eq!(sizes, vec![10, 10, 6], "BSS takes at most 10 resources per call");
    assert_eq!(recorded.actions.iter().map(|a| a.server_ids.len()).sum::<usize>(), 25);
    let read = actions::get(pool, f.team, recorded.actions[0].id).await.unwrap();
    assert_eq!(read.params, Params::Renew { term, auto_pay: true });
    assert_eq!(read.kind().tracking(), TrackingKind::Order);

    let err = actions::record_intent(pool, &batch(&f, Params::ResetPassword, targets)).await;
    assert!(matches!(err, Err(Error::Invalid(_))), "{err:?}");
    let order: OrderId = "CS24022811305H1EW".parse().unwrap();
    let accepted = actions::mark_accepted(
        pool,
        recorded.actions[0].id,
        &CloudReply::default(),
        &Tracking::Order(order.clone()),
        Duration::ZERO,
    )
    .await
    .unwrap();
    assert_eq!(accepted.tracking(), Some(Tracking::Order(order)));
    let stored: serde_json::Value =
        sqlx::query_scalar("SELECT params::jsonb FROM audit_events LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        stored,
        serde_json::json!({"period_type": "month", "period_num": 2, "auto_pay": true})
    );
}

#[tokio::test]
async fn parameters_are_stored_as_json_and_read_back_typed() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = instances(pool, &f, 1).await;
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    let b = actions::record_intent(pool, &batch(&f, Params::Stop { hard: true }, targets))
        .await
        .unwrap();
    let id = b.actions[0].id;

    let (kind, json): (String, serde_json::Value) =
        sqlx::query_as("SELECT kind, params FROM actions WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((kind.as_str(), json), ("stop", serde_json::json!({"type": "HARD"})));
    let read = actions::get(pool, f.team, id).await.unwrap();
    assert_eq!((read.kind(), read.params), (ActionKind::Stop, Params::Stop { hard: true }));

    // A row whose JSON does not fit its kind is an error, never a guess.
    sqlx::query("UPDATE actions SET params = '{\"type\": \"GENTLE\"}' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    let err = actions::get(pool, f.team, id).await.unwrap_err();
    assert!(
        matches!(&err, Error::Corrupt { table: "actions", id: row, detail }
            if *row == id.to_string() && detail.starts_with("params")),
        "{err}"
    );
}

#[tokio::test]
async fn a_row_whose_params_do_not_fit_its_kind_is_corrupt_and_named() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = instances(pool, &f, 1).await;
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    let b = actions::record_intent(pool, &batch(&f, Params::Start, targets)).await.unwrap();
    let id = b.actions[0].id;

    // A start's `{}` is no purchase: the row is not one this version wrote, and nothing may
    // guess at what it means.
    sqlx::query("UPDATE actions SET kind = 'purchase' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    let corrupt = |err: Error| match err {
        Error::Corrupt { table, id: row, detail } => {
            assert_eq!((table, row), ("actions", id.to_string()));
            assert!(detail.contains("params"), "{detail}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    };
    corrupt(actions::get(pool, f.team, id).await.unwrap_err());
    corrupt(actions::batch_progress(pool, f.team, b.id).await.unwrap_err());
    corrupt(actions::list_for_instance(pool, f.team, &ids[0], 10).await.unwrap_err());
    let reply = CloudReply::default();
    let order: OrderId = "CS24022811305H1EW".parse().unwrap();
    corrupt(
        actions::mark_accepted(pool, id, &reply, &Tracking::Order(order), Duration::from_secs(1))
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn a_tracking_that_contradicts_the_kind_is_refused() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let f = fixture(pool).await;
    let ids = instances(pool, &f, 1).await;
    let targets = inventory::resolve(pool, f.team, &ids).await.unwrap();
    let b = actions::record_intent(pool, &batch(&f, Params::Start, targets)).await.unwrap();
    let a = b.actions[0].id;

    // A start is an ECS call: a BSS order is not what the poller could follow.
    let order: OrderId = "CS24022811305H1EW".parse().unwrap();
    let reply = CloudReply::default();
    let err = actions::mark_accepted(pool, a, &reply, &Tracking::Order(order), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Rule(ref m) if m.contains("job")), "{err}");
    let unchanged = actions::get(pool, f.team, a).await.unwrap();
    assert_eq!((unchanged.state, unchanged.order_id), (ActionState::Requested, None));
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events").fetch_one(pool).await.unwrap();
    assert_eq!(events, 1, "only the requested event");

    let accepted = actions::mark_accepted(pool, a, &reply, &Tracking::Job(job(7)), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(accepted.tracking(), Some(Tracking::Job(job(7))));
    let missing = actions::mark_accepted(
        pool,
        Uuid::new_v4(),
        &reply,
        &Tracking::Job(job(8)),
        Duration::ZERO,
    )
    .await;
    assert!(matches!(missing, Err(Error::NotFound)));
}
