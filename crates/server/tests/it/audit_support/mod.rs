//! Shared by the dashboard_* and audit_* tests: a team "Ops" with one member per role, a
//! cloud account, inventory rows written through the domain's sync, and audit events
//! appended through the domain (their times moved afterwards where a test needs it).

use lightdeck_domain::accounts::{self, NewAccount, NewAkSk};
use lightdeck_domain::audit::{self, AuditEvent, AuditEventDraft, Outcome};
use lightdeck_domain::inventory::{self, SyncedInstance};
use lightdeck_domain::policy::Role;
use lightdeck_domain::teams;
use lightdeck_domain::users::{self, NewUser, User};
use lightdeck_domain::values::{
    AccessKeyId, AccountName, DisplayName, DomainName, Language, LoginName, Password,
    SecretAccessKey, TeamName, parse_project_id,
};
use lightdeck_huaweicloud::{InstanceId, Region, ServerId};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::core_support::{PASSWORD, TestApp};

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
    users::create(
        app.db.pool(),
        NewUser {
            login: LoginName::parse(login).unwrap(),
            display_name: DisplayName::parse(display).unwrap(),
            password: Password::parse(PASSWORD).unwrap(),
            site_admin: admin,
            language: lang,
        },
    )
    .await
    .unwrap()
}

pub async fn team(app: &TestApp, name: &str) -> Uuid {
    teams::create(app.db.pool(), &TeamName::parse(name).unwrap(), None).await.unwrap().id
}

pub async fn account(app: &TestApp, team: Uuid, name: &str) -> Uuid {
    accounts::create(
        app.db.pool(),
        &app.state.keyring,
        team,
        NewAccount {
            name: AccountName::parse(name).unwrap(),
            domain_name: DomainName::parse("acme").unwrap(),
            domain_id: None,
            aksk: Some(NewAkSk {
                access_key_id: AccessKeyId::parse("HPUABCDEFGHIJKLMNOPQ").unwrap(),
                secret_access_key: SecretAccessKey::parse(
                    "Qm9vZ2llV29vZ2llQm9vZ2llV29vZ2llQm9vZ2ll",
                )
                .unwrap(),
            }),
            iam_user: None,
            regions: vec![(
                Region::CnNorth4,
                parse_project_id("0123456789abcdef0123456789abcdef").unwrap(),
            )],
        },
    )
    .await
    .unwrap()
    .id
}

pub async fn fixture() -> Fixture {
    let app = TestApp::new().await;
    let team = team(&app, "Ops").await;
    let account = account(&app, team, "Production").await;
    let alice = user(&app, "alice", "Alice", Language::En, false).await;
    let adam = user(&app, "adam", "Adam", Language::En, false).await;
    let bob = user(&app, "bob", "bob", Language::En, false).await;
    let carol = user(&app, "carol", "Carol", Language::En, false).await;
    for (u, role) in [
        (&alice, Role::Owner),
        (&adam, Role::Admin),
        (&bob, Role::Operator),
        (&carol, Role::Viewer),
    ] {
        teams::add_member(app.db.pool(), team, u.id, role).await.unwrap();
    }
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
