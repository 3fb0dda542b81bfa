//! The purchase page: its choices come from the catalog for the region and image chosen;
//! every bad value is refused beside its field with nothing recorded or sent; a valid form
//! shows its summary, asks for the password when it is not fresh, and the same key
//! confirmed twice is one purchase.
//!
//! The team has three accounts: "prod" (an IAM user, Beijing and Hong Kong), "keys-only"
//! (an access key only: it cannot buy) and, in another team, "theirs".

mod choices;
mod confirm;
mod refusals;

use axum::Router;
use axum::http::StatusCode;
use lightdeck::config::AppConfig;
use lightdeck::state::{AppState, ManualClock};
use lightdeck_cloudsim::{Config as SimConfig, Handle};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::policy::Role;
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::values::Language;
use lightdeck_huaweicloud::Region;
use lightdeck_testkit::fixtures::{self, PASSWORD};
use lightdeck_testkit::{Client as Browser, Page as Resp};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::instances_support::sim_client;

pub const BEIJING: Region = Region::CnNorth4;
pub const HONG_KONG: Region = Region::ApSoutheast1;

pub struct Shop {
    pub db: TestDb,
    pub sim: Handle,
    /// The panel's clock (sign-in times, password freshness).
    pub clock: ManualClock,
    pub router: Router,
    pub team: Uuid,
    pub prod: Uuid,
    pub keys_only: Uuid,
    pub theirs: Uuid,
}

impl Shop {
    pub async fn new() -> Shop {
        let now = OffsetDateTime::now_utc();
        let sim = lightdeck_cloudsim::spawn(
            SimConfig::builder()
                .accounts(2)
                .instances_per_account(0)
                .regions([BEIJING, HONG_KONG])
                .manual_clock(now)
                .seed(13),
        )
        .await
        .unwrap();
        let db = TestDb::new().await;
        let clock = ManualClock::new(now);
        let state = AppState::new(
            db.pool().clone(),
            sim_client(&sim),
            Keyring::new(MasterKey::generate()),
            AppConfig::default(),
        )
        .unwrap()
        .with_clock(clock.clock());
        let pool = db.pool();
        let team = fixtures::team(pool, "Shop").await.id;
        let other = fixtures::team(pool, "Elsewhere").await.id;
        let accounts = sim.accounts();
        let prod = fixtures::cloud_account(pool, &state.keyring, team, "prod")
            .from_sim(&accounts[0], &[BEIJING, HONG_KONG])
            .with_iam_of(&accounts[0])
            .create()
            .await
            .id;
        let keys_only = fixtures::cloud_account(pool, &state.keyring, team, "keys-only")
            .from_sim(&accounts[1], &[BEIJING])
            .create()
            .await
            .id;
        let theirs = fixtures::cloud_account(pool, &state.keyring, other, "theirs")
            .from_sim(&accounts[1], &[BEIJING])
            .with_iam_of(&accounts[1])
            .create()
            .await
            .id;
        let router = lightdeck::app::build(state.clone());
        Shop { db, sim, clock, router, team, prod, keys_only, theirs }
    }

    /// A signed-in member of the team with `role`, reading `language`.
    pub async fn member(&self, login: &str, role: Role, language: Language) -> Browser {
        fixtures::user(self.db.pool(), login)
            .language(language)
            .member_of(self.team, role)
            .create()
            .await;
        let mut b = Browser::in_process(self.router.clone());
        let resp = b.sign_in(login, PASSWORD).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "sign-in of {login}");
        b
    }

    pub async fn owner(&self) -> Browser {
        self.member("alice", Role::Owner, Language::En).await
    }

    pub fn new_url(&self) -> String {
        format!("/teams/{}/purchases/new", self.team)
    }

    pub fn url(&self) -> String {
        format!("/teams/{}/purchases", self.team)
    }

    /// A complete, valid form: two Ubuntu 22.04 instances on the smallest Beijing plan,
    /// paid at once, for a month.
    pub fn valid(&self) -> Vec<(&'static str, String)> {
        [
            ("account", self.prod.to_string()),
            ("region", "cn-north-4".to_owned()),
            ("image", "Ubuntu".to_owned()),
            ("image_version", "22.04".to_owned()),
            ("plan_spec", "hf.small.1.linux".to_owned()),
            ("data_disk_gib", String::new()),
            ("backup_gib", String::new()),
            ("period", "1m".to_owned()),
            ("auto_pay", "yes".to_owned()),
            ("instance_name", "web".to_owned()),
            ("description", String::new()),
            ("tags", String::new()),
            ("quantity", "2".to_owned()),
            ("idempotency_key", Uuid::new_v4().to_string()),
            ("step", "review".to_owned()),
        ]
        .into_iter()
        .collect()
    }

    /// POSTs `fields` with `changes` applied (a field changed, added, or with `None`, left out).
    pub async fn post(
        &self,
        b: &mut Browser,
        fields: &[(&'static str, String)],
        changes: &[(&'static str, Option<&str>)],
    ) -> Resp {
        let mut all: Vec<(&str, String)> = fields.to_vec();
        for (name, value) in changes {
            all.retain(|(k, _)| k != name);
            if let Some(v) = value {
                all.push((name, (*v).to_owned()));
            }
        }
        let borrowed: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post_form(&self.url(), &borrowed).await
    }

    /// The actions recorded, of any kind.
    pub async fn actions(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM actions").fetch_one(self.db.pool()).await.unwrap()
    }

    /// Purchases cloudsim was asked for.
    pub fn purchase_calls(&self) -> usize {
        self.sim.count_requests("PurchaseLightInstances")
    }
}

/// The `value` attributes of a select's options (placeholders left out).
pub fn options(page: &Resp, select: &str) -> Vec<String> {
    page.attrs(&format!("{select} option"), "value").into_iter().filter(|v| !v.is_empty()).collect()
}

/// The plan codes offered, in page order.
pub fn plans(page: &Resp) -> Vec<String> {
    page.attrs("input[name=plan_spec]", "value")
}
