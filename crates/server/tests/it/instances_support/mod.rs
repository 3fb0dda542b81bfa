//! Shared by the instances_* and actions_* tests: cloudsim on a manual clock, a fresh test
//! database with a team (owner, operator, viewer) whose accounts are cloudsim's, synced
//! once, and the app driven through `tower::ServiceExt::oneshot` with a cookie jar.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use lightdeck::config::AppConfig;
use lightdeck::routes::auth::encode_component;
use lightdeck::state::AppState;
use lightdeck_cloudsim::{Config as SimConfig, Handle};
use lightdeck_domain::accounts::{self, NewAccount, NewAkSk};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::policy::Role;
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::users::{self, NewUser, User};
use lightdeck_domain::values::{
    AccessKeyId, AccountName, DisplayName, DomainName, Language, LoginName, Password,
    SecretAccessKey, TeamName,
};
use lightdeck_domain::{inventory, teams};
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud, Region};
use secrecy::ExposeSecret;
use time::OffsetDateTime;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";
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
    let mut config = ClientConfig::new(Endpoints::single(sim.base_url()).unwrap());
    config.sleep = Arc::new(|_| Box::pin(async {}));
    HuaweiCloud::new(config).unwrap()
}

impl Env {
    /// 2 accounts × 2 regions × `per_account` instances, synced.
    pub async fn new(per_account: usize) -> Env {
        Env::with_sim(SimConfig::builder().accounts(2).instances_per_account(per_account)).await
    }

    pub async fn with_sim(config: SimConfig) -> Env {
        let sim = lightdeck_cloudsim::spawn(
            config.regions(REGIONS).manual_clock(OffsetDateTime::now_utc()).seed(7),
        )
        .await
        .unwrap();
        let db = TestDb::new().await;
        let key = MasterKey::generate();
        let state = app_state(&db, &sim, &key);
        let team =
            teams::create(db.pool(), &TeamName::parse("Ops").unwrap(), None).await.unwrap().id;
        let mut ids = Vec::new();
        for (i, a) in sim.accounts().iter().enumerate() {
            let regions =
                REGIONS.iter().map(|r| (*r, a.project_id(*r).unwrap().parse().unwrap())).collect();
            let account = accounts::create(
                db.pool(),
                &state.keyring,
                team,
                NewAccount {
                    name: AccountName::parse(&format!("acct-{i}")).unwrap(),
                    domain_name: DomainName::parse(&a.name).unwrap(),
                    domain_id: Some(a.domain_id.parse().unwrap()),
                    aksk: Some(NewAkSk {
                        access_key_id: AccessKeyId::parse(&a.ak).unwrap(),
                        secret_access_key: SecretAccessKey::parse(a.sk.expose_secret()).unwrap(),
                    }),
                    iam_user: None,
                    regions,
                },
            )
            .await
            .unwrap();
            lightdeck::workers::sync_account(&state.workers(), account.id).await.unwrap();
            ids.push(account.id);
        }
        let router = lightdeck::app::build(state.clone());
        Env { db, sim, state, router, team, accounts: ids, key }
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
        let user = users::create(
            self.db.pool(),
            NewUser {
                login: LoginName::parse(login).unwrap(),
                display_name: DisplayName::parse(login).unwrap(),
                password: Password::parse(PASSWORD).unwrap(),
                site_admin: false,
                language,
            },
        )
        .await
        .unwrap();
        teams::add_member(self.db.pool(), self.team, user.id, role).await.unwrap();
        user
    }

    /// A signed-in browser of a new member with `role`.
    pub async fn browser(&self, login: &str, role: Role) -> Browser<'_> {
        self.member(login, role).await;
        Browser::signed_in(self, login).await
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

/// A browser: keeps the session cookie.
pub struct Browser<'a> {
    env: &'a Env,
    pub cookie: Option<String>,
}

impl<'a> Browser<'a> {
    /// Signs in an existing user (password [`PASSWORD`]).
    pub async fn signed_in(env: &'a Env, login: &str) -> Browser<'a> {
        let mut b = Browser { env, cookie: None };
        let page = b.get("/login").await;
        let csrf = page.attr("form[action='/login'] input[name=csrf]", "value").unwrap();
        let resp = b
            .post_form("/login", &[("csrf", &csrf), ("login", login), ("password", PASSWORD)])
            .await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "sign-in of {login}");
        b
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        req.headers_mut().insert(header::HOST, "localhost".parse().unwrap());
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let resp = html_resp::send_as_browser(self.env.router.clone(), req).await;
        for value in resp.headers.get_all(header::SET_COOKIE) {
            let value = value.to_str().unwrap();
            let pair = value.split(';').next().unwrap().trim().to_owned();
            let removed = value.to_ascii_lowercase().contains("max-age=0");
            self.cookie = if removed { None } else { Some(pair) };
        }
        resp
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn htmx_get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).header("hx-request", "true").body(Body::empty()).unwrap())
            .await
    }

    fn form_body(fields: &[(&str, &str)]) -> String {
        fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(Self::form_body(fields)))
            .unwrap();
        self.send(req).await
    }

    /// An htmx form POST (CSRF token in the header, as `hx-headers` sends it).
    pub async fn htmx_post(&mut self, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Resp {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("hx-request", "true")
            .header("x-csrf-token", csrf)
            .body(Body::from(Self::form_body(fields)))
            .unwrap();
        self.send(req).await
    }

    /// The session's CSRF token, from the sign-out form of a page.
    pub async fn csrf(&mut self) -> String {
        let team = self.env.team;
        self.get(&format!("/teams/{team}/instances"))
            .await
            .attr("form[action='/logout'] input[name=csrf]", "value")
            .expect("the page has a sign-out form")
    }

    /// POSTs an action through htmx: `action`, `type`, instance ids, a key.
    pub async fn act(
        &mut self,
        action: &str,
        kind: &str,
        ids: &[&str],
        key: &str,
        confirmed: bool,
    ) -> Resp {
        let csrf = self.csrf().await;
        let mut fields: Vec<(&str, &str)> =
            vec![("action", action), ("type", kind), ("idempotency_key", key)];
        if confirmed {
            fields.push(("confirmed", "yes"));
        }
        for id in ids {
            fields.push(("instance", id));
        }
        let path = format!("/teams/{}/actions", self.env.team);
        self.htmx_post(&path, &csrf, &fields).await
    }
}

pub(crate) use crate::html_resp;
pub use html_resp::Resp;
