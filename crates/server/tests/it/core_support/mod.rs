//! Shared by the core_* tests: the app on a fresh test database with a manual clock, driven
//! in-process by the test kit's clients.

use axum::Router;
use lightdeck::config::AppConfig;
use lightdeck::routing::RouteTable;
use lightdeck::state::{AppState, ManualClock};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::users::User;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud};
use lightdeck_testkit::fixtures;
use time::OffsetDateTime;

pub use lightdeck_testkit::fixtures::PASSWORD;
pub use lightdeck_testkit::{Client, Page as Resp, SENT_ENCODING};

pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub clock: ManualClock,
    pub router: Router,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_config(AppConfig::default()).await
    }

    pub async fn with_config(config: AppConfig) -> TestApp {
        TestApp::build(config, None).await
    }

    /// The app with only `routes` (and the layers).
    pub async fn with_routes(routes: RouteTable) -> TestApp {
        TestApp::build(AppConfig::default(), Some(routes)).await
    }

    async fn build(config: AppConfig, routes: Option<RouteTable>) -> TestApp {
        let db = TestDb::new().await;
        // Core pages make no cloud calls; a closed port makes any attempt fail loudly.
        let cloud =
            HuaweiCloud::new(ClientConfig::new(Endpoints::single("http://127.0.0.1:9").unwrap()))
                .unwrap();
        let clock = ManualClock::new(OffsetDateTime::now_utc());
        let state =
            AppState::new(db.pool().clone(), cloud, Keyring::new(MasterKey::generate()), config)
                .unwrap()
                .with_clock(clock.clock());
        let router = match routes {
            Some(table) => lightdeck::app::build_with_routes(state.clone(), table),
            None => lightdeck::app::build(state.clone()),
        };
        TestApp { db, state, clock, router }
    }

    /// A user in no team, shown as "`login` (display)".
    pub async fn user(&self, login: &str) -> User {
        fixtures::user(self.db.pool(), login).display(&format!("{login} (display)")).create().await
    }

    /// A browser that is not signed in.
    /// Security-log entries of this kind (the newest 100).
    pub async fn security_events(&self, kind: lightdeck_domain::security_log::Kind) -> usize {
        let events = lightdeck_domain::security_log::list(self.db.pool(), None, 100).await;
        events.unwrap().into_iter().filter(|e| e.kind == kind).count()
    }

    pub fn client(&self) -> Client {
        Client::in_process(self.router.clone())
    }
}
