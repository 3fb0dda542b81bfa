//! Shared by the core_* tests: the app on a fresh test database, driven through
//! `tower::ServiceExt::oneshot`, with a manual clock and a one-cookie jar per client.

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use lightdeck::config::AppConfig;
use lightdeck::routes::RouteTable;
use lightdeck::routes::auth::encode_component;
use lightdeck::state::{AppState, ManualClock};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::users::{self, NewUser, User};
use lightdeck_domain::values::{DisplayName, Language, LoginName, Password};
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud};
use time::OffsetDateTime;

pub const PASSWORD: &str = "correct horse battery";

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

    pub async fn user(&self, login: &str) -> User {
        users::create(
            self.db.pool(),
            NewUser {
                login: LoginName::parse(login).unwrap(),
                display_name: DisplayName::parse(&format!("{login} (display)")).unwrap(),
                password: Password::parse(PASSWORD).unwrap(),
                site_admin: false,
                language: Language::En,
            },
        )
        .await
        .unwrap()
    }

    pub fn client(&self) -> Client<'_> {
        Client { app: self, cookie: None, ip: None, headers: Vec::new() }
    }

    /// As a browser sends it: see [`html_resp::send_as_browser`].
    pub async fn send(&self, req: Request<Body>) -> Resp {
        html_resp::send_as_browser(self.router.clone(), req).await
    }
}

/// A browser: keeps the session cookie, optionally comes from a fixed address.
pub struct Client<'a> {
    app: &'a TestApp,
    pub cookie: Option<String>,
    pub ip: Option<IpAddr>,
    pub headers: Vec<(&'static str, String)>,
}

impl Client<'_> {
    pub fn with_ip(mut self, ip: &str) -> Self {
        self.ip = Some(ip.parse().unwrap());
        self
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path).header(header::HOST, "localhost");
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        for (k, v) in &self.headers {
            b = b.header(*k, v);
        }
        b
    }

    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        if let Some(ip) = self.ip {
            req.extensions_mut().insert(ConnectInfo(SocketAddr::new(ip, 40000)));
        }
        let resp = self.app.send(req).await;
        for value in resp.headers.get_all(header::SET_COOKIE) {
            let value = value.to_str().unwrap();
            let pair = value.split(';').next().unwrap().trim().to_owned();
            let removed = value.to_ascii_lowercase().contains("max-age=0");
            self.cookie = if removed { None } else { Some(pair) };
        }
        resp
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// The CSRF token of the current session, read from the sign-in form.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/login").await;
        page.attr("form[action='/login'] input[name=csrf]", "value")
            .expect("the sign-in form has a csrf field")
    }

    pub async fn sign_in(&mut self, login: &str, password: &str) -> Resp {
        let csrf = self.csrf().await;
        self.post_form("/login", &[("csrf", &csrf), ("login", login), ("password", password)]).await
    }

    /// The token of a signed-in session, from the sign-out form of any page.
    pub async fn page_csrf(&mut self) -> String {
        let page = self.get("/no-such-page").await;
        page.attr("form[action='/logout'] input[name=csrf]", "value")
            .expect("the page has a sign-out form")
    }
}

pub(crate) use crate::html_resp;
pub use html_resp::Resp;

/// The value of the session cookie in a jar entry `name=value`.
pub fn cookie_value(cookie: &Option<String>) -> String {
    cookie.as_deref().and_then(|c| c.split_once('=')).map(|(_, v)| v.to_owned()).unwrap_or_default()
}
