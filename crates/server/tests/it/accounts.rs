//! The team's cloud accounts page: connecting an account (verified against cloudsim before
//! anything is stored, then synced at once), its field errors and the cloud's refusals in
//! words, who may use it; changes, pausing and removal are in `accounts/changes.rs`.

mod changes;

use axum::Router;
use axum::http::StatusCode;
use lightdeck::config::AppConfig;
use lightdeck::state::AppState;
use lightdeck_cloudsim::{Account as SimAccount, Config as SimConfig, Handle};
use lightdeck_domain::accounts;
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::policy::Role;
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::values::Language;
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud};
use lightdeck_testkit::{Client, Page, fixtures};
use secrecy::ExposeSecret;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::instances_support::{PASSWORD, REGIONS, sim_client};

/// cloudsim with three accounts; the team "Ops" has the first connected (as `acct-0`) and
/// synced, the other two are free to connect.
pub struct World {
    pub db: TestDb,
    pub sim: Handle,
    pub state: AppState,
    pub router: Router,
    pub team: Uuid,
    pub existing: Uuid,
}

impl World {
    pub async fn new() -> World {
        let sim = lightdeck_cloudsim::spawn(
            SimConfig::builder()
                .accounts(3)
                .instances_per_account(4)
                .regions(REGIONS)
                .manual_clock(OffsetDateTime::now_utc())
                .seed(7),
        )
        .await
        .unwrap();
        let db = TestDb::new().await;
        let state = state_with(&db, sim_client(&sim));
        let team = fixtures::team(db.pool(), "Ops").await.id;
        let existing = fixtures::cloud_account(db.pool(), &state.keyring, team, "acct-0")
            .from_sim(&sim.accounts()[0], &REGIONS)
            .create()
            .await
            .id;
        lightdeck::workers::sync_account(&state.workers(), existing).await.unwrap();
        let router = lightdeck::app::build(state.clone());
        World { db, sim, state, router, team, existing }
    }

    /// A signed-in browser of a new member of Ops.
    pub async fn member(&self, login: &str, role: Role, language: Language) -> Client {
        fixtures::user(self.db.pool(), login)
            .language(language)
            .member_of(self.team, role)
            .create()
            .await;
        self.signed_in(&self.router, login).await
    }

    pub async fn owner(&self) -> Client {
        self.member("alice", Role::Owner, Language::En).await
    }

    pub async fn signed_in(&self, router: &Router, login: &str) -> Client {
        let mut c = Client::in_process(router.clone());
        assert_eq!(c.sign_in(login, PASSWORD).await.status, StatusCode::SEE_OTHER);
        c
    }

    pub fn url(&self, rest: &str) -> String {
        format!("/teams/{}/accounts{rest}", self.team)
    }

    /// Live instances of `account` in the team's inventory.
    pub async fn instances_of(&self, account: Uuid) -> usize {
        let all = lightdeck_domain::inventory::list(
            self.db.pool(),
            self.team,
            &Default::default(),
            Default::default(),
            &lightdeck_domain::inventory::PageRequest::first(500),
        )
        .await
        .unwrap();
        all.items.iter().filter(|i| i.account_id == account).count()
    }

    /// The team's audit events (oldest first) as (action, actor, params text).
    pub async fn audit(&self) -> Vec<(String, Option<String>, String)> {
        sqlx::query_as(
            "select action, actor_name, params::text from audit_events where team_id = $1
             order by seq",
        )
        .bind(self.team)
        .fetch_all(self.db.pool())
        .await
        .unwrap()
    }
}

pub fn state_with(db: &TestDb, cloud: HuaweiCloud) -> AppState {
    let keyring = Keyring::new(MasterKey::generate());
    AppState::new(db.pool().clone(), cloud, keyring, AppConfig::default()).unwrap()
}

/// The connect form for cloudsim's `account` with `sk`, in both regions.
pub async fn connect(
    c: &mut Client,
    url: &str,
    name: &str,
    account: &SimAccount,
    sk: &str,
) -> Page {
    let fields = [
        ("name", name),
        ("access_key_id", account.ak.as_str()),
        ("secret_access_key", sk),
        ("region", "cn-north-4"),
        ("region", "ap-southeast-1"),
    ];
    c.post_form(url, &fields).await
}

#[tokio::test]
async fn good_credentials_are_verified_stored_audited_and_synced_at_once() {
    let w = World::new().await;
    let mut alice = w.owner().await;
    let sim = w.sim.accounts()[1].clone();
    let page = connect(&mut alice, &w.url(""), "Prod", &sim, sim.sk.expose_secret()).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), Some(format!("/teams/{}/instances?synced=4.0.0", w.team).as_str()));

    let stored = accounts::list(w.db.pool(), w.team).await.unwrap();
    let prod = stored.iter().find(|a| a.name == "Prod").expect("Prod is stored");
    assert_eq!(prod.domain_id.as_deref(), Some(sim.domain_id.as_str()));
    assert_eq!(prod.domain_name, sim.name);
    let regions = accounts::regions(w.db.pool(), prod.id).await.unwrap();
    assert_eq!(regions.len(), 2);
    for r in &regions {
        assert_eq!(r.project_id.as_str(), sim.projects[r.region.id()]);
    }
    assert_eq!(w.instances_of(prod.id).await, 4, "the first sync ran");

    let audit = w.audit().await;
    let (action, actor, params) = audit.last().unwrap();
    assert_eq!(action, "account.connected");
    assert_eq!(actor.as_deref(), Some("alice"));
    assert!(params.contains("Prod") && params.contains(&sim.ak[16..]), "{params}");
    assert!(!params.contains(&sim.ak) && !params.contains(sim.sk.expose_secret()), "{params}");

    let list = alice.get(&w.url("")).await;
    assert_eq!(list.status, StatusCode::OK);
    let row = list.text(&format!("#account-{}", prod.id)).unwrap();
    assert!(row.contains(&format!("AK …{}", &sim.ak[16..])), "{row}");
    assert!(row.contains("CN North-Beijing4") && row.contains(&sim.domain_id), "{row}");
    assert!(!list.body.contains(&sim.ak) && !list.body.contains(sim.sk.expose_secret()));
}

#[tokio::test]
async fn a_wrong_sk_is_explained_and_nothing_is_stored() {
    let w = World::new().await;
    let mut alice = w.owner().await;
    let sim = w.sim.accounts()[1].clone();
    let wrong = "A".repeat(40);
    let page = connect(&mut alice, &w.url(""), "Prod", &sim, &wrong).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let alert = page.text("[role=alert]").unwrap();
    assert!(alert.contains("did not accept the access key"), "{alert}");
    assert!(alert.contains("APIG.0301") && alert.contains("HTTP 401"), "{alert}");
    assert!(!page.body.contains(&wrong), "the SK is not shown again");
    assert_eq!(page.attr("#f-name", "value").as_deref(), Some("Prod"), "the form keeps the name");
    assert_eq!(accounts::list(w.db.pool(), w.team).await.unwrap().len(), 1);
    assert!(w.audit().await.is_empty());

    // Five bad signatures in a row lock the key for a while: said as such.
    let mut last = page;
    for _ in 0..5 {
        last = connect(&mut alice, &w.url(""), "Prod", &sim, &wrong).await;
    }
    let alert = last.text("[role=alert]").unwrap();
    assert!(alert.contains("locked this access key"), "{alert}");
    assert!(alert.contains("APIG.0301"), "{alert}");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_explained() {
    let w = World::new().await;
    let mut config = ClientConfig::new(Endpoints::single("http://127.0.0.1:1").unwrap());
    config.sleep = std::sync::Arc::new(|_| Box::pin(async {}));
    let state = state_with(&w.db, HuaweiCloud::new(config).unwrap());
    let router = lightdeck::app::build(state);
    fixtures::user(w.db.pool(), "alice").member_of(w.team, Role::Owner).create().await;
    let mut alice = w.signed_in(&router, "alice").await;
    let sim = w.sim.accounts()[1].clone();
    let page = connect(&mut alice, &w.url(""), "Prod", &sim, sim.sk.expose_secret()).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let alert = page.text("[role=alert]").unwrap();
    assert!(alert.contains("could not reach Huawei Cloud"), "{alert}");
    assert!(alert.contains("lightdeck.unreachable"), "{alert}");
    assert_eq!(accounts::list(w.db.pool(), w.team).await.unwrap().len(), 1);
}

#[tokio::test]
async fn every_field_error_is_shown_at_once_in_both_languages_without_asking_the_cloud() {
    let w = World::new().await;
    let before = w.sim.requests().len();
    let long = "x".repeat(10 * 1024);
    let too_long = "y".repeat(65);
    let fields = [
        ("name", long.as_str()),
        ("access_key_id", "bad"),
        ("secret_access_key", ""),
        ("iam_account", too_long.as_str()),
        ("iam_user", ""),
        ("region", "mars-1"),
    ];
    for (login, language, sk_words) in [
        ("alice", Language::En, "40 letters and digits"),
        ("lihua", Language::ZhCn, "40 位字母和数字"),
    ] {
        let mut c = w.member(login, Role::Owner, language).await;
        let page = c.post_form(&w.url(""), &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        for id in [
            "f-name-error",
            "f-ak-error",
            "f-sk-error",
            "f-iam-account-error",
            "f-iam-user-error",
            "f-iam-password-error",
            "f-region-error",
        ] {
            assert_eq!(page.count(&format!("#{id}")), 1, "{id} in {language:?}");
        }
        assert!(page.text("#f-sk-error").unwrap().contains(sk_words));
        assert!(!page.body.contains(&long), "a 10 KB name is not echoed whole");
    }
    // Control characters are refused at the edge, before the form, naming the field.
    for name in ["Prod\tline", "a\u{1}b"] {
        let mut c = w.signed_in(&w.router, "alice").await;
        let page = c.post_form(&w.url(""), &[("name", name), ("region", "cn-north-4")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("name"), "{}", page.body);
    }
    assert_eq!(w.sim.requests().len(), before, "no cloud call for a form with errors");
    assert_eq!(accounts::list(w.db.pool(), w.team).await.unwrap().len(), 1);
}

#[tokio::test]
async fn viewers_and_admins_are_refused_and_other_teams_accounts_are_not_found() {
    let w = World::new().await;
    for (login, role) in [("carol", Role::Viewer), ("dave", Role::Admin)] {
        let mut c = w.member(login, role, Language::En).await;
        assert_eq!(c.get(&w.url("")).await.status, StatusCode::FORBIDDEN);
        let page = c.post_form(&w.url(""), &[("name", "X")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let rename = w.url(&format!("/{}/name", w.existing));
        assert_eq!(c.post_form(&rename, &[("name", "Y")]).await.status, StatusCode::FORBIDDEN);
    }
    let other = fixtures::team(w.db.pool(), "Other").await.id;
    let theirs =
        fixtures::cloud_account(w.db.pool(), &w.state.keyring, other, "theirs").create().await.id;
    let mut alice = w.owner().await;
    for path in ["", "/remove"] {
        let page = alice.get(&w.url(&format!("/{theirs}{path}"))).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "GET {path}");
    }
    for (path, fields) in [
        ("/name", vec![("name", "mine")]),
        ("/syncing", vec![("paused", "yes")]),
        ("/remove", vec![("confirm", "remove")]),
        ("/regions", vec![("region", "cn-north-4")]),
    ] {
        let page = alice.post_form(&w.url(&format!("/{theirs}{path}")), &fields).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "POST {path}");
    }
    let still = accounts::get(w.db.pool(), other, theirs).await.unwrap();
    assert_eq!((still.name.as_str(), still.sync_paused), ("theirs", false));
}
