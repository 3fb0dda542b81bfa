//! [`TestApp`]: cloudsim on a manual clock, a fresh database, two teams with a user per role,
//! and the panel served on `127.0.0.1:0`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use lightdeck::config::AppConfig;
use lightdeck::state::{AppState, Clock};
use lightdeck_cloudsim::{Config as SimConfig, FaultRule, Handle as Sim};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::inventory::{
    self, InstanceFilter, InstanceRow, InstanceSort, PageRequest, SortKey,
};
use lightdeck_domain::policy::Role;
use lightdeck_domain::teams;
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::users::User;
use lightdeck_domain::values::Language;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud, Region};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use lightdeck_testkit::Client;
use lightdeck_testkit::fixtures;

/// Every user of the fixture shares this password.
pub use lightdeck_testkit::fixtures::PASSWORD;

/// Who is asking: the columns of the role × route matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Persona {
    Anonymous,
    /// carol
    Viewer,
    /// bob
    Operator,
    /// dave
    Admin,
    /// alice
    Owner,
    /// oscar, owner of the other team and of nothing in the main one.
    OtherOwner,
    /// sam, a site administrator who is a member of no team.
    SiteAdmin,
}

impl Persona {
    pub const ALL: [Persona; 7] = [
        Persona::Anonymous,
        Persona::Viewer,
        Persona::Operator,
        Persona::Admin,
        Persona::Owner,
        Persona::OtherOwner,
        Persona::SiteAdmin,
    ];

    pub const SIGNED_IN: [Persona; 6] = [
        Persona::Viewer,
        Persona::Operator,
        Persona::Admin,
        Persona::Owner,
        Persona::OtherOwner,
        Persona::SiteAdmin,
    ];

    pub fn login(self) -> Option<&'static str> {
        match self {
            Persona::Anonymous => None,
            Persona::Viewer => Some("carol"),
            Persona::Operator => Some("bob"),
            Persona::Admin => Some("dave"),
            Persona::Owner => Some("alice"),
            Persona::OtherOwner => Some("oscar"),
            Persona::SiteAdmin => Some("sam"),
        }
    }
}

/// One team with its cloud account and what the initial sync put in its inventory.
#[derive(Debug, Clone)]
pub struct TeamFixture {
    pub id: Uuid,
    pub name: String,
    pub account_id: Uuid,
    /// Live instances, by name.
    pub instances: Vec<InstanceRow>,
}

impl TeamFixture {
    /// The 24-hex instance id of the `i`-th instance (by name).
    pub fn instance_id(&self, i: usize) -> String {
        self.instances[i].instance_id.to_string()
    }

    /// Instance ids of the running (`ACTIVE`) instances, by name: the ones a reboot or a
    /// stop succeeds on, and a start fails on.
    pub fn running(&self) -> Vec<String> {
        self.instances
            .iter()
            .filter(|i| i.status == "ACTIVE")
            .map(|i| i.instance_id.to_string())
            .collect()
    }

    pub fn server_id(&self, i: usize) -> String {
        self.instances[i]
            .server_id
            .as_ref()
            .map(ToString::to_string)
            .expect("synced instances have a server id")
    }
}

/// Waits (up to 10 s, checking every 10 ms) until `check` says yes; panics naming `what`
/// otherwise. For effects that travel through Postgres notifications.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Options for [`TestApp`].
#[derive(Debug, Clone)]
pub struct TestAppBuilder {
    faults: Vec<FaultRule>,
    language: Language,
    instances_per_account: usize,
    regions: Vec<Region>,
    job: time::Duration,
    seed: u64,
}

impl Default for TestAppBuilder {
    fn default() -> Self {
        TestAppBuilder {
            faults: Vec::new(),
            language: Language::En,
            instances_per_account: 4,
            regions: vec![Region::CnNorth4, Region::ApSoutheast1],
            job: time::Duration::seconds(3),
            seed: 7,
        }
    }
}

impl TestAppBuilder {
    /// A cloudsim fault from the start (faults can also be added later through
    /// `app.sim.faults()`).
    pub fn fault(mut self, spec: &str) -> Self {
        self.faults.push(spec.parse().expect("a valid fault spec"));
        self
    }

    /// The language every fixture user has in their settings.
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    pub fn instances_per_account(mut self, n: usize) -> Self {
        self.instances_per_account = n;
        self
    }

    /// How long cloudsim's start/stop/reboot jobs run (simulated time).
    pub fn job_duration(mut self, d: time::Duration) -> Self {
        self.job = d;
        self
    }

    pub async fn start(self) -> TestApp {
        TestApp::start(self).await
    }
}

/// The whole system for one test. Dropping it stops the panel and cloudsim.
pub struct TestApp {
    pub sim: Sim,
    pub db: TestDb,
    pub state: AppState,
    pub addr: SocketAddr,
    pub base_url: String,
    /// alice, bob, carol, dave.
    pub team: TeamFixture,
    /// oscar's.
    pub other: TeamFixture,
    pub users: HashMap<Persona, User>,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    pub async fn start_default() -> TestApp {
        TestAppBuilder::default().start().await
    }

    async fn start(options: TestAppBuilder) -> TestApp {
        // HuaweiCloud::new installs it too; reqwest clients built before that need it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let t0 =
            OffsetDateTime::now_utc().replace_nanosecond(0).expect("zero nanoseconds is valid");
        let mut sim_config = SimConfig::builder()
            .seed(options.seed)
            .accounts(2)
            .instances_per_account(options.instances_per_account)
            .regions(options.regions.clone())
            .job_duration(options.job)
            .manual_clock(t0);
        for rule in options.faults {
            sim_config = sim_config.fault(rule);
        }
        let sim = lightdeck_cloudsim::spawn(sim_config).await.expect("cloudsim starts");
        let db = TestDb::new().await;
        let keyring = Keyring::new(MasterKey::generate());
        let state = app_state(&sim, db.pool().clone(), keyring);

        let users = create_users(&state, options.language).await;
        let team = create_team(
            &state,
            &sim,
            0,
            "Lightdeck Test",
            &options.regions,
            &[
                (users[&Persona::Owner].id, Role::Owner),
                (users[&Persona::Operator].id, Role::Operator),
                (users[&Persona::Viewer].id, Role::Viewer),
                (users[&Persona::Admin].id, Role::Admin),
            ],
        )
        .await;
        let other = create_team(
            &state,
            &sim,
            1,
            "Other Team",
            &options.regions,
            &[(users[&Persona::OtherOwner].id, Role::Owner)],
        )
        .await;

        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
        let addr = listener.local_addr().expect("a bound address");
        let server = tokio::spawn(serve(state.clone(), listener));
        // As `serve` does: sessions and users are cached while change notifications flow.
        state.spawn_auth_cache();
        let cache = state.auth_cache.clone();
        eventually("the session cache goes live", || {
            let live = cache.stats().live;
            async move { live }
        })
        .await;
        let mut app = TestApp {
            sim,
            db,
            state,
            addr,
            base_url: format!("http://{addr}"),
            team,
            other,
            users,
            server,
        };
        app.team.instances = app.instances(app.team.id).await;
        app.other.instances = app.instances(app.other.id).await;
        app
    }

    /// Moves cloudsim's clock, which is also the panel's and the Huawei client's.
    pub fn advance(&self, by: time::Duration) {
        assert!(self.sim.clock().advance(by), "cloudsim runs on a manual clock");
    }

    pub fn now(&self) -> OffsetDateTime {
        self.sim.clock().now()
    }

    /// A second panel process on the same database (as after a restart): its own pool,
    /// Huawei client and state, the same master key.
    pub async fn restarted_state(&self) -> AppState {
        let pool = lightdeck_domain::db::connect(self.db.url()).await.expect("a second pool");
        app_state(&self.sim, pool, (*self.state.keyring).clone())
    }

    /// A client that is not signed in.
    pub fn anonymous(&self) -> Client {
        Client::socket(&self.base_url)
    }

    /// A client signed in as `persona` (anonymous: not signed in).
    pub async fn client(&self, persona: Persona) -> Client {
        let mut client = self.anonymous();
        if let Some(login) = persona.login() {
            let page = client.sign_in(login, PASSWORD).await;
            assert_eq!(page.status.as_u16(), 303, "{login} signs in: {}", page.body);
        }
        client
    }

    pub fn user(&self, persona: Persona) -> &User {
        &self.users[&persona]
    }

    /// The team's live instances in the inventory, by name.
    pub async fn instances(&self, team: Uuid) -> Vec<InstanceRow> {
        inventory::list(
            self.db.pool(),
            team,
            &InstanceFilter::default(),
            InstanceSort::asc(SortKey::Name),
            &PageRequest::first(100),
        )
        .await
        .expect("the inventory lists")
        .items
    }

    /// The inventory row of one instance.
    pub async fn instance(&self, team: Uuid, instance_id: &str) -> InstanceRow {
        let id = instance_id.parse().expect("a 24-hex instance id");
        inventory::get(self.db.pool(), team, &id).await.expect("the instance is in the inventory")
    }

    /// The team's audit events, newest first.
    pub async fn audit(&self, team: Uuid) -> Vec<lightdeck_domain::audit::AuditEvent> {
        lightdeck_domain::audit::list(
            self.db.pool(),
            team,
            &Default::default(),
            &PageRequest::first(200),
        )
        .await
        .expect("the audit log lists")
        .items
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.state.shutdown.trigger();
        self.server.abort();
    }
}

/// The panel's state against `sim`, every clock reading cloudsim's, retries without waiting.
fn app_state(sim: &Sim, pool: PgPool, keyring: Keyring) -> AppState {
    let sim_clock = sim.clock().clone();
    let signing_clock = sim_clock.clone();
    let cloud = HuaweiCloud::new(ClientConfig {
        endpoints: Endpoints::single(sim.base_url()).expect("cloudsim's URL"),
        sleep: Arc::new(|_| Box::pin(async {})),
        clock: Arc::new(move || signing_clock.now()),
        ..ClientConfig::default()
    })
    .expect("a Huawei Cloud client");
    AppState::new(pool, cloud, keyring, AppConfig::default())
        .expect("translations load")
        .with_clock(Clock::from_fn(move || sim_clock.now()))
}

async fn create_users(state: &AppState, language: Language) -> HashMap<Persona, User> {
    let make = |persona: Persona| {
        let login = persona.login().expect("a signed-in persona");
        let user = fixtures::user(&state.db, login)
            .language(language)
            .site_admin(persona == Persona::SiteAdmin)
            .create();
        async move { (persona, user.await) }
    };
    let (a, b, c, d, e, f) = tokio::join!(
        make(Persona::Viewer),
        make(Persona::Operator),
        make(Persona::Admin),
        make(Persona::Owner),
        make(Persona::OtherOwner),
        make(Persona::SiteAdmin),
    );
    [a, b, c, d, e, f].into_iter().collect()
}

/// A team with `members`, cloudsim's `sim_account`-th account connected in `regions`, and
/// its inventory synced once.
async fn create_team(
    state: &AppState,
    sim: &Sim,
    sim_account: usize,
    name: &str,
    regions: &[Region],
    members: &[(Uuid, Role)],
) -> TeamFixture {
    let team = fixtures::team(&state.db, name).await;
    for (user, role) in members {
        teams::add_member(&state.db, team.id, *user, *role).await.expect("a member");
    }
    let cloud = &sim.accounts()[sim_account];
    // With its IAM user, as an owner who buys instances connects it (purchases need one).
    let account = fixtures::cloud_account(&state.db, &state.keyring, team.id, &cloud.name)
        .from_sim(cloud, regions)
        .with_iam_of(cloud)
        .create()
        .await;
    lightdeck::workers::sync::sync_account(&state.workers(), account.id)
        .await
        .expect("the initial inventory sync");
    TeamFixture { id: team.id, name: team.name, account_id: account.id, instances: Vec::new() }
}

async fn serve(state: AppState, listener: tokio::net::TcpListener) {
    let shutdown = state.shutdown.clone();
    let app = lightdeck::app::build(state);
    let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move { shutdown.wait().await })
        .await;
}
