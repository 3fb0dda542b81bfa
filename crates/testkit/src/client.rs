//! A browser-like client of one panel: it sends the headers Chromium sends, keeps cookies,
//! follows no redirects (tests look at them) and knows the session's CSRF token.

use std::collections::BTreeMap;
use std::net::IpAddr;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};

use crate::page::{BROWSER_HEADERS, Page, csrf_of};
use crate::transport::Transport;

/// Whatever the session cookie is called, its name contains this.
const SESSION_COOKIE: &str = "lightdeck_session";

/// A browser-like client of one panel, in this process or on a socket.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
    /// name → value.
    cookies: BTreeMap<String, String>,
    /// The session's CSRF token, as the last page that carried one showed it.
    pub csrf: Option<String>,
    /// Sent with every request (e.g. `Accept-Language`), after the browser's own.
    pub headers: Vec<(String, String)>,
}

impl Client {
    /// A client of `router`, called in this process with `Host: localhost`.
    pub fn in_process(router: Router) -> Client {
        Client::over(Transport::InProcess { router, ip: None })
    }

    /// A client of the panel at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn socket(base: &str) -> Client {
        Client::over(Transport::socket(base))
    }

    fn over(transport: Transport) -> Client {
        Client { transport, cookies: BTreeMap::new(), csrf: None, headers: Vec::new() }
    }

    /// Comes from `ip` (in-process only: a socket's peer address is the real one).
    pub fn with_ip(mut self, ip: &str) -> Client {
        let ip: IpAddr = ip.parse().unwrap_or_else(|e| panic!("bad IP address {ip:?}: {e}"));
        match &mut self.transport {
            Transport::InProcess { ip: peer, .. } => *peer = Some(ip),
            Transport::Socket { base, .. } => panic!("{base} sees the real peer address"),
        }
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Client {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The session cookie's value (whatever the cookie is called).
    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.iter().find(|(name, _)| name.contains(SESSION_COOKIE)).map(|(_, v)| v.clone())
    }

    /// Replaces the session cookie (to replay an old one, or to share another's session).
    pub fn set_session_cookie(&mut self, value: &str) {
        let name = self
            .cookies
            .keys()
            .find(|n| n.contains(SESSION_COOKIE))
            .cloned()
            .unwrap_or_else(|| SESSION_COOKIE.to_owned());
        self.cookies.insert(name, value.to_owned());
    }

    /// Any request: `headers` win over the client's and the browser's of the same name; a
    /// body is sent as a form unless `headers` say otherwise.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Page {
        let own: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(headers.iter().copied())
            .collect();
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .body(body.clone().map(Body::from).unwrap_or_else(Body::empty))
            .unwrap_or_else(|e| panic!("a request to {path:?}: {e}"));
        let map = req.headers_mut();
        let is_own = |name: &str| own.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        for (k, v) in BROWSER_HEADERS {
            if !is_own(k) {
                map.insert(k, HeaderValue::from_static(v));
            }
        }
        if body.is_some() && !is_own("content-type") {
            map.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
        }
        if !self.cookies.is_empty() {
            let jar =
                self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            map.insert(header::COOKIE, HeaderValue::from_str(&jar).expect("a cookie header"));
        }
        for (k, v) in own {
            let name = HeaderName::from_bytes(k.as_bytes()).expect("a header name");
            map.append(name, HeaderValue::from_str(v).expect("a header value"));
        }
        let page = self.transport.exchange(req).await;
        for value in page.headers.get_all(header::SET_COOKIE) {
            self.store_cookie(value.to_str().unwrap_or_default());
        }
        if let Some(token) = csrf_of(&page) {
            self.csrf = Some(token);
        }
        page
    }

    fn store_cookie(&mut self, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|p| p.trim().split_once('=')) else {
            return;
        };
        let removed = value.is_empty()
            || parts.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0" || a.starts_with("max-age=-") || a.contains("1970")
            });
        if removed {
            self.cookies.remove(name);
        } else {
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, &[], None).await
    }

    /// A GET as htmx sends it.
    pub async fn get_htmx(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, &[("HX-Request", "true")], None).await
    }

    /// Posts a form with the session's CSRF token added (unless `fields` has one).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            all.push(("csrf", &token));
        }
        self.send(Method::POST, path, &[], Some(form_body(&all))).await
    }

    /// Posts a form as htmx does: token in `X-CSRF-Token`, `HX-Request: true`.
    pub async fn post_htmx(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.clone().unwrap_or_default();
        let headers = [("HX-Request", "true"), ("X-CSRF-Token", token.as_str())];
        self.send(Method::POST, path, &headers, Some(form_body(fields))).await
    }

    /// Posts a form exactly as given: no token added.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, &[], Some(form_body(fields))).await
    }

    /// GET /login (for the cookie and token), then POST it.
    pub async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        assert_eq!(form.status, StatusCode::OK, "GET /login: {}", form.body);
        let token = form
            .attr("form[action='/login'] input[name=csrf]", "value")
            .expect("the sign-in form has a csrf field");
        let page = self
            .post_raw("/login", &[("csrf", &token), ("login", login), ("password", password)])
            .await;
        if page.status == StatusCode::SEE_OTHER {
            // The token rotates at sign-in; any full page shows the new one.
            self.refresh_csrf().await;
        }
        page
    }

    /// Reads the session's current token from a full page: the layout of a 404 page when
    /// signed in, else the sign-in form (which starts a session if there is none).
    pub async fn refresh_csrf(&mut self) -> String {
        let page = self.get("/lightdeck-testkit-no-such-page").await;
        if let Some(token) = csrf_of(&page) {
            return token;
        }
        let page = self.get("/login").await;
        csrf_of(&page).unwrap_or_else(|| panic!("no CSRF token on the sign-in page: {}", page.body))
    }

    pub async fn sign_out(&mut self) -> Page {
        self.post_form("/logout", &[]).await
    }
}

/// `application/x-www-form-urlencoded` of `fields`.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
