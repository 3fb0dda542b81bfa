//! Shared by the instances_* and actions_* tests: cloudsim on a manual clock, a fresh test
//! database with a team whose accounts are cloudsim's, synced once, and the app driven
//! in-process by the test kit's clients.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use lightdeck::config::AppConfig;
use lightdeck::state::AppState;
use lightdeck_cloudsim::{Config as SimConfig, Handle};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::inventory;
use lightdeck_domain::policy::Role;
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::users::User;
use lightdeck_domain::values::Language;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud, Region};
use lightdeck_testkit::fixtures;
use time::OffsetDateTime;
use uuid::Uuid;

pub use lightdeck_testkit::fixtures::PASSWORD;

pub use lightdeck_testkit::{Client as Browser, Page as Resp};

pub const REGIONS: [Region; 2] = [Region::CnNorth4, Region::ApSoutheast1];

pub struct Env {
    pub db: TestDb,
    pub sim: Handle,
    pub state: AppState,
    pub router: Router,
    pub team: Uuid,
    /// The panel's account ids, in cloudsim's account order.
    pub accounts: Vec<Uuid>,
    key: MasterKey,
}

/// A cloud client for cloudsim that never really waits between retries.
pub fn sim_client(sim: &Handle) -> HuaweiCloud {
    HuaweiCloud::new(sim_config(sim)).unwrap()
}

fn sim_config(sim: &Handle) -> ClientConfig {
    let mut config = ClientConfig::new(Endpoints::single(sim.base_url()).unwrap());
    config.sleep = Arc::new(|_| Box::pin(async {}));
    config
}

impl Env {
    /// 2 accounts × 2 regions × `per_account` instances, synced.
    pub async fn new(per_account: usize) -> Env {
        Env::with_sim(SimConfig::builder().accounts(2).instances_per_account(per_account)).await
    }

    pub async fn with_sim(config: SimConfig) -> Env {
        Env::build(config, false).await
    }

    /// Like [`Env::with_sim`], with each account's IAM user stored too (purchases need it).
    pub async fn buying(config: SimConfig) -> Env {
        Env::build(config, true).await
    }

    async fn build(config: SimConfig, iam: bool) -> Env {
        let sim = lightdeck_cloudsim::spawn(
            config.regions(REGIONS).manual_clock(OffsetDateTime::now_utc()).seed(7),
        )
        .await
        .unwrap();
        let db = TestDb::new().await;
        let key = MasterKey::generate();
        let state = app_state(&db, &sim, &key);
        let team = fixtures::team(db.pool(), "Ops").await.id;
        let mut ids = Vec::new();
        for (i, a) in sim.accounts().iter().enumerate() {
            let mut account =
                fixtures::cloud_account(db.pool(), &state.keyring, team, &format!("acct-{i}"))
                    .from_sim(a, &REGIONS);
            if iam {
                account = account.with_iam_of(a);
            }
            let account = account.create().await;
            lightdeck::workers::sync_account(&state.workers(), account.id).await.unwrap();
            ids.push(account.id);
        }
        let router = lightdeck::app::build(state.clone());
        Env { db, sim, state, router, team, accounts: ids, key }
    }

    /// The app with a cloud client that gives up on a request after `timeout` (a hanging
    /// cloud then costs the test that long, not the default minute).
    pub fn cloud_timeout(&mut self, timeout: std::time::Duration) {
        let mut cloud = sim_config(&self.sim);
        cloud.timeout = timeout;
        self.use_cloud(cloud);
    }

    /// The app with a cloud client whose clock is cloudsim's, so the test can move the
    /// simulated cloud days ahead and still be answered (requests carry their signing time).
    pub fn cloud_on_sim_clock(&mut self) {
        let mut cloud = sim_config(&self.sim);
        let clock = self.sim.clock().clone();
        cloud.clock = Arc::new(move || clock.now());
        self.use_cloud(cloud);
    }

    fn use_cloud(&mut self, cloud: ClientConfig) {
        let clock = self.state.clock.clone();
        self.state = AppState::new(
            self.db.pool().clone(),
            HuaweiCloud::new(cloud).unwrap(),
            Keyring::new(self.key.clone()),
            AppConfig::default(),
        )
        .unwrap()
        .with_clock(clock);
        self.router = lightdeck::app::build(self.state.clone());
    }

    /// Another process on the same database: a new AppState (and router), same cloud.
    pub fn restart(&mut self) {
        self.state = app_state(&self.db, &self.sim, &self.key);
        self.router = lightdeck::app::build(self.state.clone());
    }

    pub async fn member(&self, login: &str, role: Role) -> User {
        self.member_speaking(login, role, Language::En).await
    }

    pub async fn member_speaking(&self, login: &str, role: Role, language: Language) -> User {
        fixtures::user(self.db.pool(), login)
            .language(language)
            .member_of(self.team, role)
            .create()
            .await
    }

    /// The id of the member `login`, made with `role` if there is none yet.
    pub async fn member_or_existing(&self, login: &str, role: Role) -> Uuid {
        match lightdeck_domain::users::find_by_login(self.db.pool(), login).await.unwrap() {
            Some(u) => u.id,
            None => self.member(login, role).await.id,
        }
    }

    /// A signed-in browser of a new member with `role`.
    pub async fn browser(&self, login: &str, role: Role) -> Browser {
        self.member(login, role).await;
        self.signed_in(login).await
    }

    /// A browser signed in as an existing user (password [`PASSWORD`]).
    pub async fn signed_in(&self, login: &str) -> Browser {
        let mut b = Browser::in_process(self.router.clone());
        let resp = b.sign_in(login, PASSWORD).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "sign-in of {login}");
        b
    }

    /// `browser` POSTs an action through htmx: `action`, `type`, instance ids, a key.
    pub async fn act(
        &self,
        browser: &mut Browser,
        action: &str,
        kind: &str,
        ids: &[&str],
        key: &str,
        confirmed: bool,
    ) -> Resp {
        let mut fields: Vec<(&str, &str)> =
            vec![("action", action), ("type", kind), ("idempotency_key", key)];
        if confirmed {
            fields.push(("confirmed", "yes"));
        }
        for id in ids {
            fields.push(("instance", id));
        }
        browser.post_htmx(&format!("/teams/{}/actions", self.team), &fields).await
    }

    /// Every live instance of the team (first page of 500), by name.
    pub async fn instances(&self) -> Vec<inventory::InstanceRow> {
        inventory::list(
            self.db.pool(),
            self.team,
            &inventory::InstanceFilter::default(),
            inventory::InstanceSort::default(),
            &inventory::PageRequest::first(500),
        )
        .await
        .unwrap()
        .items
    }

    /// Runs `sql` on the inventory with `$1` bound to `instance_id`: a shortcut to figures
    /// (traffic used, days to expiry, no address) the cloud would take days to reach.
    pub async fn alter(&self, sql: &str, instance_id: &str) {
        let done = sqlx::query(sql).bind(instance_id).execute(self.db.pool()).await.unwrap();
        assert_eq!(done.rows_affected(), 1, "{sql} for {instance_id}");
    }

    pub fn advance(&self, seconds: i64) {
        assert!(self.sim.clock().advance(time::Duration::seconds(seconds)));
    }
}

fn app_state(db: &TestDb, sim: &Handle, key: &MasterKey) -> AppState {
    AppState::new(
        db.pool().clone(),
        sim_client(sim),
        Keyring::new(key.clone()),
        AppConfig::default(),
    )
    .unwrap()
}
