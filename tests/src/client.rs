//! An HTTP client that behaves like a browser in the ways the panel cares about: it sends
//! the headers Chromium sends (compressed bodies accepted, and decoded), keeps cookies,
//! follows no redirects (tests look at them), and sends the session's CSRF token with
//! every form it posts. Pages are read through CSS selectors, never substrings.

use std::collections::BTreeMap;

use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use scraper::{ElementRef, Html, Selector};

/// What Chromium sends with every navigation; a test's own header of the same name wins.
/// Every browser accepts compressed bodies, and the audit export once broke only then.
pub const BROWSER_HEADERS: [(&str, &str); 4] = [
    ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("accept-language", "en-US,en;q=0.9"),
    (
        "user-agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
];

/// One response, read to the end (and decoded, as a browser would).
#[derive(Debug, Clone)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A table-row fragment (`<tr>…</tr>`, e.g. an htmx row refresh) placed inside a table,
    /// where an HTML parser keeps it (outside one, `<tr>` and `<td>` tags are dropped).
    pub fn in_table(&self) -> Page {
        Page {
            status: self.status,
            headers: self.headers.clone(),
            body: format!("<table><tbody>{}</tbody></table>", self.body),
        }
    }

    /// `Location`, for redirects.
    pub fn location(&self) -> Option<&str> {
        self.header(LOCATION.as_str())
    }

    /// A 303 to the sign-in page because nobody is signed in (not the "signed out"
    /// confirmation that follows a sign-out).
    pub fn is_login_redirect(&self) -> bool {
        self.status == StatusCode::SEE_OTHER
            && self.location().is_some_and(|l| {
                (l == "/login" || l.starts_with("/login?next=")) && !l.contains("signed-out")
            })
    }

    /// Texts of every element matching `selector`, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = selector_of(selector);
        self.html().select(&sel).map(text_of).collect()
    }

    pub fn text(&self, selector: &str) -> Option<String> {
        self.texts(selector).into_iter().next()
    }

    /// The attribute of the first element matching `selector`.
    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        self.attrs(selector, attr).into_iter().next()
    }

    /// The attribute of every element matching `selector` that has it.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = selector_of(selector);
        self.html().select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    pub fn count(&self, selector: &str) -> usize {
        let sel = selector_of(selector);
        self.html().select(&sel).count()
    }

    /// Every text node of the document (scripts and styles excluded), for "no missing
    /// translation marker anywhere" checks; attribute values are included too.
    pub fn all_text(&self) -> Vec<String> {
        let html = self.html();
        let mut out = Vec::new();
        for node in html.root_element().descendants() {
            if let Some(el) = ElementRef::wrap(node) {
                out.extend(el.value().attrs().map(|(_, v)| v.to_owned()));
                continue;
            }
            if let Some(text) = node.value().as_text() {
                let inside_code = node
                    .parent()
                    .and_then(|p| {
                        p.value().as_element().map(|e| matches!(e.name(), "script" | "style"))
                    })
                    .unwrap_or(false);
                if !inside_code && !text.trim().is_empty() {
                    out.push(text.trim().to_owned());
                }
            }
        }
        out
    }
}

/// Whitespace-collapsed text of an element.
pub fn text_of(e: ElementRef<'_>) -> String {
    e.text().flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ")
}

/// Panics on a selector typo (a test bug, not a finding).
pub fn selector_of(selector: &str) -> Selector {
    Selector::parse(selector).unwrap_or_else(|e| panic!("bad CSS selector {selector:?}: {e}"))
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

/// A browser-like client of one panel.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    /// name → value.
    cookies: BTreeMap<String, String>,
    /// The session's CSRF token, as the last full page showed it.
    pub csrf: Option<String>,
    /// Sent with every request (e.g. `Accept-Language`).
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            cookies: BTreeMap::new(),
            csrf: None,
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Client {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The session cookie's value (whatever the cookie is called).
    pub fn session_cookie(&self) -> Option<String> {
        self.cookies
            .iter()
            .find(|(name, _)| name.contains("lightdeck_session"))
            .map(|(_, v)| v.clone())
    }

    /// Replaces the session cookie (to replay an old one).
    pub fn set_session_cookie(&mut self, value: &str) {
        let name = self
            .cookies
            .keys()
            .find(|n| n.contains("lightdeck_session"))
            .cloned()
            .unwrap_or_else(|| "lightdeck_session".to_owned());
        self.cookies.insert(name, value.to_owned());
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Page {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let jar =
                self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req = req.header(COOKIE, jar);
        }
        let own = |name: &str| {
            self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
                || headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        for (k, v) in BROWSER_HEADERS {
            if !own(k) {
                req = req.header(k, v);
            }
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.header("content-type", "application/x-www-form-urlencoded").body(body);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("request to {path} failed: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        // Decoded by reqwest (gzip, br); a body that breaks off halfway fails the test.
        let body = resp.text().await.unwrap_or_else(|e| panic!("reading {path}: {e}"));
        for value in headers.get_all(SET_COOKIE) {
            self.store_cookie(value.to_str().unwrap_or_default());
        }
        let page = Page { status, headers, body };
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

    /// Reads the session's current token from a full page (a 404 page has the layout too).
    pub async fn refresh_csrf(&mut self) -> String {
        let page = self.get("/lightdeck-tests-no-such-page").await;
        csrf_of(&page).unwrap_or_else(|| panic!("no CSRF token on the layout: {}", page.body))
    }

    pub async fn sign_out(&mut self) -> Page {
        self.post_form("/logout", &[]).await
    }
}

/// The CSRF token a full page carries: `<body hx-headers>`, else any form's `csrf` field.
pub fn csrf_of(page: &Page) -> Option<String> {
    let from_body = page.attr("body[hx-headers]", "hx-headers").and_then(|h| {
        let v: serde_json::Value = serde_json::from_str(&h).ok()?;
        v.get("X-CSRF-Token").and_then(|t| t.as_str()).map(str::to_owned)
    });
    from_body.or_else(|| page.attr("form input[name=csrf]", "value"))
}
