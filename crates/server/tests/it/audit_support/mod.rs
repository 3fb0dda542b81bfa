//! Shared by the dashboard_* and audit_* tests: a team "Ops" with one member per role, a
//! cloud account, inventory rows written through the domain's sync, and audit events
//! appended through the domain (their times moved afterwards where a test needs it).

use lightdeck_domain::audit::{self, AuditEvent, AuditEventDraft, Outcome};
use lightdeck_domain::inventory::{self, SyncedInstance};
use lightdeck_domain::policy::Role;
use lightdeck_domain::users::User;
use lightdeck_domain::values::Language;
use lightdeck_huaweicloud::{InstanceId, Region, ServerId};
use lightdeck_testkit::fixtures;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::core_support::TestApp;

pub mod batch;

pub struct Fixture {
    pub app: TestApp,
    pub team: Uuid,
    pub account: Uuid,
    /// owner
    pub alice: User,
    /// admin
    pub adam: User,
    /// operator
    pub bob: User,
    // carol, the viewer, is a member too; tests only sign in as her.
}

pub async fn user(app: &TestApp, login: &str, display: &str, lang: Language, admin: bool) -> User {
    fixtures::user(app.db.pool(), login)
        .display(display)
        .language(lang)
        .site_admin(admin)
        .create()
        .await
}

pub async fn team(app: &TestApp, name: &str) -> Uuid {
    fixtures::team(app.db.pool(), name).await.id
}

/// An account with made-up credentials: these pages never call the cloud.
pub async fn account(app: &TestApp, team: Uuid, name: &str) -> Uuid {
    fixtures::cloud_account(app.db.pool(), &app.state.keyring, team, name).create().await.id
}

pub async fn fixture() -> Fixture {
    let app = TestApp::new().await;
    let team = team(&app, "Ops").await;
    let account = account(&app, team, "Production").await;
    let member = |login: &'static str, display: &'static str, role| {
        fixtures::user(app.db.pool(), login).display(display).member_of(team, role).create()
    };
    let alice = member("alice", "Alice", Role::Owner).await;
    let adam = member("adam", "Adam", Role::Admin).await;
    let bob = member("bob", "bob", Role::Operator).await;
    member("carol", "Carol", Role::Viewer).await;
    Fixture { app, team, account, alice, adam, bob }
}

pub fn iid(n: u32) -> InstanceId {
    format!("{n:024x}").parse().unwrap()
}

pub fn sid(n: u32) -> ServerId {
    format!("{n:08x}-0000-4000-8000-000000000000").parse().unwrap()
}

/// An instance named `name` with the given status, id `iid(n)` and server `sid(n)`.
pub fn instance(n: u32, name: &str, status: &str) -> SyncedInstance {
    SyncedInstance { server_id: Some(sid(n)), ..SyncedInstance::new(iid(n), name, status) }
}

pub async fn sync(app: &TestApp, account: Uuid, items: &[SyncedInstance]) {
    inventory::upsert_from_sync(app.db.pool(), account, Region::CnNorth4, items).await.unwrap();
}

/// An event of an instance action, shaped like `Action::audit_draft` makes them.
pub fn action_event(
    f: &Fixture,
    actor: &User,
    kind: &str,
    outcome: Outcome,
    targets: &[InstanceId],
    params: Value,
    panel_request: &str,
) -> AuditEventDraft {
    AuditEventDraft {
        actor_user_id: Some(actor.id),
        actor_name: Some(actor.display_name.clone()),
        target_kind: Some("instance".into()),
        target_ids: targets.iter().map(ToString::to_string).collect(),
        account_id: Some(f.account),
        region: Some("cn-north-4".into()),
        params,
        panel_request_id: Some(panel_request.into()),
        ..AuditEventDraft::new(f.team, format!("instance.{kind}.{}", outcome.as_str()), outcome)
    }
}

pub async fn append(f: &Fixture, draft: AuditEventDraft) -> AuditEvent {
    audit::append(f.app.db.pool(), draft).await.unwrap()
}

/// Moves an event in time (the table refuses updates, so the trigger is switched off for
/// the moment; this breaks the hash chain, which these tests do not read).
pub async fn backdate(f: &Fixture, seq: i64, at: OffsetDateTime) {
    let pool = f.app.db.superuser_pool();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET occurred_at = $1 WHERE team_id = $2 AND seq = $3")
        .bind(at)
        .bind(f.team)
        .bind(seq)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A reboot of web-01 by bob: requested, accepted (job), succeeded 12 s after the request.
pub async fn seed_reboot(f: &Fixture) -> (AuditEvent, AuditEvent, AuditEvent) {
    let targets = [iid(1)];
    let params = json!({"type": "SOFT"});
    let mut requested =
        action_event(f, &f.bob, "reboot", Outcome::Requested, &targets, params.clone(), "req-1");
    requested.source_ip = Some("203.0.113.7".parse().unwrap());
    requested.user_agent = Some("Mozilla/5.0 (Test)".into());
    let requested = append(f, requested).await;
    let mut accepted =
        action_event(f, &f.bob, "reboot", Outcome::Accepted, &targets, params.clone(), "req-1");
    accepted.request_id = Some("hw-req-0001".into());
    accepted.job_id = Some("ff8080817a0b1c2d017a0b3e4f5a0001".into());
    accepted.http_status = Some(200);
    let accepted = append(f, accepted).await;
    let mut succeeded =
        action_event(f, &f.bob, "reboot", Outcome::Succeeded, &targets, params, "req-1");
    succeeded.request_id = Some("hw-req-0001".into());
    succeeded.job_id = Some("ff8080817a0b1c2d017a0b3e4f5a0001".into());
    succeeded.http_status = Some(200);
    let succeeded = append(f, succeeded).await;
    backdate(f, requested.seq, succeeded.occurred_at - time::Duration::seconds(12)).await;
    backdate(f, accepted.seq, succeeded.occurred_at - time::Duration::seconds(11)).await;
    (requested, accepted, succeeded)
}
