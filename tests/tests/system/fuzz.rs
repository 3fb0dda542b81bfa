//! Hostile input against every route of `lightdeck::app::route_table()`, as every persona
//! that may call it: control characters, long strings, broken UTF-8, Unicode oddities,
//! odd numbers and types, forged and truncated cursors, other teams' ids and repeated
//! fields, in the path, the query and the form. The answer is never a 5xx, nothing panics,
//! and a refused request changes nothing in the database.
//!
//! Nothing here names a route: the fields of each route come from the forms and links of
//! the pages (crawled as the owner) plus a few generic names, and the baseline body of a
//! form is what the page itself would send. A new route is fuzzed the day it is added.
//!
//! Bounds: one value per request, each value once per field and persona; 1 MB values go
//! in form bodies only (a 1 MB URL is refused by the HTTP layer before the panel sees it).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use lightdeck::Access;
use lightdeck_domain::policy::Role;
use lightdeck_testkit::selector_of;
use lightdeck_tests::{Client, Page, Persona, TestApp};
use reqwest::Method;

use crate::support;

static PANICS: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Counts every panic of this process (handler tasks included) on top of the usual report.
fn count_panics() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

/// Field names tried on every route besides the ones its pages show.
const GENERIC_FIELDS: [&str; 3] = ["q", "next", "after"];

/// Raw (already percent-encoded) hostile values for query and form fields.
fn hostile_values(cursor: Option<&str>) -> Vec<String> {
    let mut v: Vec<String> = [
        // Control characters, alone and inside text.
        "%00",
        "a%00b",
        "%01%02%1F%7F",
        "x%0D%0Ay",
        "%09",
        "%C2%85",
        // Text that is not UTF-8.
        "%FF%FE",
        "%C3%28",
        "%E2%82",
        "%ED%A0%80",
        "%",
        "%zz",
        // Unicode that is valid but odd: right-to-left override, zero width, BOM,
        // combining marks, a joined emoji, full-width letters, a private-use character.
        "%E2%80%AEalice",
        "%E2%80%8B",
        "%EF%BB%BF",
        "e%CC%81%CC%81%CC%81",
        "%F0%9F%91%A9%E2%80%8D%F0%9F%92%BB",
        "%EF%BD%81%EF%BD%8C%EF%BD%89",
        "%EE%80%80",
        // Numbers out of every range, and other types.
        "-1",
        "0",
        "99999999999999999999999999999999",
        "-9223372036854775809",
        "1e308",
        "NaN",
        "true",
        "%5B%5D",
        "%7B%22a%22%3A1%7D",
        "null",
        "",
        // Injection-shaped text and paths.
        "%27%3B+DROP+TABLE+users%3B+--",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "..%2F..%2Fetc%2Fpasswd",
        "%2F%2Fevil.example",
        // Forged cursors.
        "AAAA",
        "eyJ2IjoiMSJ9",
        "-",
    ]
    .map(String::from)
    .to_vec();
    v.push("x".repeat(10 * 1024));
    if let Some(c) = cursor {
        v.push(c[..c.len() / 2].to_owned());
        v.push(format!("{c}A"));
        let mut flipped: Vec<char> = c.chars().collect();
        if let Some(ch) = flipped.get_mut(c.len() / 2) {
            *ch = if *ch == 'A' { 'B' } else { 'A' };
        }
        v.push(flipped.into_iter().collect());
    }
    v
}

/// Values for one path parameter: hostile text plus real ids of the other team.
fn hostile_path_values(param: &str, other: &support::Ids) -> Vec<String> {
    let mut v: Vec<String> = [
        "%00",
        "a%00b",
        "%FF",
        "%E2%80%AE",
        "-1",
        "99999999999999999999999",
        "00000000-0000-0000-0000-000000000000",
        "..",
        "%2E%2E%2F%2E%2E",
        "null",
    ]
    .map(String::from)
    .to_vec();
    v.push("y".repeat(10 * 1024));
    v.push(uuid::Uuid::new_v4().to_string());
    let theirs = match param {
        "team" => Some(&other.team),
        "instance" => Some(&other.instance),
        "batch" => Some(&other.batch),
        "account" => Some(&other.account),
        _ => None,
    };
    v.extend(theirs.cloned());
    v
}

/// What the pages show of one route: field names, and a baseline body (each field's first
/// value, as the page would send it).
#[derive(Debug, Default, Clone)]
struct Shape {
    fields: BTreeSet<String>,
    baseline: Vec<(String, String)>,
}

/// The personas that may call a route (its access allows them).
fn callers(access: Access) -> Vec<Persona> {
    let role = |p: Persona| match p {
        Persona::Viewer => Some(Role::Viewer),
        Persona::Operator => Some(Role::Operator),
        Persona::Admin => Some(Role::Admin),
        Persona::Owner => Some(Role::Owner),
        Persona::Anonymous | Persona::OtherOwner | Persona::SiteAdmin => None,
    };
    match access {
        Access::Public => Persona::ALL.to_vec(),
        Access::SignedIn => Persona::SIGNED_IN.to_vec(),
        Access::SiteAdmin => vec![Persona::SiteAdmin],
        Access::Team(permission) => Persona::ALL
            .into_iter()
            .filter(|p| role(*p).is_some_and(|r| r.allows(permission)))
            .collect(),
    }
}

/// `url` as the route pattern it belongs to, among `filled` (pattern → filled url).
fn route_of<'a>(url: &str, filled: &'a BTreeMap<String, String>) -> Option<&'a str> {
    let path = url.split(['?', '#']).next()?;
    filled.iter().find(|(_, u)| u.as_str() == path).map(|(p, _)| p.as_str())
}

/// Crawls every GET route as `owner` (the site administration pages as `site_admin`) and
/// records, per (method, route), the fields its forms and links use, and the first real
/// cursor seen.
async fn discover(
    owner: &mut Client,
    site_admin: &mut Client,
    routes: &[lightdeck::RouteInfo],
    filled: &BTreeMap<String, String>,
) -> (BTreeMap<(String, String), Shape>, Option<String>) {
    let mut shapes: BTreeMap<(String, String), Shape> = BTreeMap::new();
    let mut cursor = None;
    for r in routes.iter().filter(|r| r.method == Method::GET) {
        let Some(url) = filled.get(r.path) else { continue };
        let reader = if r.access == Access::SiteAdmin { &mut *site_admin } else { &mut *owner };
        let page = reader.get(url).await;
        let html = page.html();
        for form in html.select(&selector_of("form")) {
            let el = form.value();
            let method = el.attr("method").unwrap_or("get").to_ascii_uppercase();
            let action = el.attr("action").or(el.attr("hx-post")).unwrap_or(url.as_str());
            let method = if el.attr("hx-post").is_some() { "POST".to_owned() } else { method };
            let Some(route) = route_of(action, filled) else { continue };
            let shape = shapes.entry((method, route.to_owned())).or_default();
            let mut seen = BTreeSet::new();
            for field in
                form.select(&selector_of("input[name], select[name], textarea[name], button[name]"))
            {
                let f = field.value();
                let name = f.attr("name").unwrap_or_default().to_owned();
                shape.fields.insert(name.clone());
                if !seen.insert(name.clone()) {
                    continue;
                }
                let value = match f.name() {
                    "select" => field
                        .select(&selector_of("option"))
                        .next()
                        .and_then(|o| o.value().attr("value").map(str::to_owned))
                        .unwrap_or_default(),
                    // A typed password, so the other fields get past "enter your password".
                    _ if f.attr("type") == Some("password") => "not the password 1".to_owned(),
                    _ => f.attr("value").unwrap_or_default().to_owned(),
                };
                shape.baseline.push((name, value));
            }
        }
        for link in html.select(&selector_of("a[href], [hx-get]")) {
            let href =
                link.value().attr("hx-get").or(link.value().attr("href")).unwrap_or_default();
            let Some((path, query)) = href.split_once('?') else { continue };
            let Some(route) = route_of(path, filled) else { continue };
            let shape = shapes.entry(("GET".to_owned(), route.to_owned())).or_default();
            for (k, v) in form_urlencoded::parse(query.as_bytes()) {
                if k == "after" && !v.is_empty() && cursor.is_none() {
                    cursor = Some(v.to_string());
                }
                shape.fields.insert(k.into_owned());
            }
        }
    }
    (shapes, cursor)
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The body (or query) with `field` set to the raw `value`; other fields as the baseline.
fn with_field(baseline: &[(String, String)], csrf: &str, field: &str, raw: &str) -> String {
    let mut parts: Vec<String> = baseline
        .iter()
        .filter(|(k, _)| k != field && k != "csrf")
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    if field != "csrf" {
        parts.push(format!("csrf={}", encode(csrf)));
    }
    parts.push(format!("{}={raw}", encode(field)));
    parts.join("&")
}

/// Every table the panel writes, by row versions, except those a refused request may touch on
/// purpose: sessions (an anonymous visit has one) and the security log (refusals go there).
async fn fingerprint(app: &TestApp) -> BTreeMap<String, String> {
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables \
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'tower_sessions') \
           AND tablename NOT IN ('security_log', '_sqlx_migrations') ORDER BY 1",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let sql = tables
        .iter()
        .map(|(t,)| {
            // A write leaves a new row version (a new xmin) or a different count; reading
            // those is much cheaper than hashing every row after every request.
            format!(
                "SELECT '{t}', count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM {t}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows: Vec<(String, String)> = sqlx::query_as(&sql).fetch_all(app.db.pool()).await.unwrap();
    rows.into_iter().collect()
}

fn refused(page: &Page) -> bool {
    page.status.is_client_error() || page.is_login_redirect()
}

struct Fuzz<'a> {
    app: &'a TestApp,
    problems: Vec<String>,
    requests: usize,
    before: BTreeMap<String, String>,
}

/// One request of the fuzz.
struct Shot<'a> {
    persona: Persona,
    method: &'a Method,
    route: &'a str,
    url: String,
    body: Option<String>,
    htmx: bool,
}

impl Fuzz<'_> {
    async fn send(&mut self, client: &mut Client, shot: Shot<'_>) {
        let headers: &[(&str, &str)] = if shot.htmx { &[("HX-Request", "true")] } else { &[] };
        let panics = PANICS.load(Ordering::SeqCst);
        let shown = |s: &str| s.chars().take(120).collect::<String>();
        let what = format!(
            "{} {} as {:?}: {}{}",
            shot.method,
            shot.route,
            shot.persona,
            shown(&shot.url),
            shot.body.as_deref().map(|b| format!(" body {}", shown(b))).unwrap_or_default()
        );
        let page = client.send(shot.method.clone(), &shot.url, headers, shot.body).await;
        self.requests += 1;
        if page.status.is_server_error() {
            self.problems.push(format!("{what} answered {}", page.status));
        }
        if PANICS.load(Ordering::SeqCst) != panics {
            self.problems.push(format!("{what} panicked"));
        }
        let after = fingerprint(self.app).await;
        if refused(&page) && after != self.before {
            let changed: Vec<&String> =
                after.keys().filter(|t| after.get(*t) != self.before.get(*t)).collect();
            self.problems
                .push(format!("{what} was refused ({}) but changed {changed:?}", page.status));
        }
        self.before = after;
    }
}

#[tokio::test]
async fn hostile_input_on_every_route_is_refused_cleanly() {
    count_panics();
    let app = TestApp::start_default().await;
    let ids = support::ids(&app).await;
    let other = support::other_ids(&app).await;
    let routes = lightdeck::app::route_table();
    let mut filled = BTreeMap::new();
    for r in &routes {
        filled.insert(r.path.to_owned(), support::fill(r.path, &ids).unwrap());
    }
    let mut owner = app.client(Persona::Owner).await;
    let mut sam = app.client(Persona::SiteAdmin).await;
    let (shapes, cursor) = discover(&mut owner, &mut sam, &routes, &filled).await;
    let values = hostile_values(cursor.as_deref());

    let mut fuzz =
        Fuzz { app: &app, problems: Vec::new(), requests: 0, before: fingerprint(&app).await };
    for r in &routes {
        let key = (r.method.to_string(), r.path.to_owned());
        let shape = shapes.get(&key).cloned().unwrap_or_default();
        let url = &filled[r.path];
        let callers = callers(r.access);
        let primary = if callers.contains(&Persona::Owner) {
            Persona::Owner
        } else {
            *callers.last().expect("every route has a caller")
        };
        for (rank, persona) in callers.into_iter().enumerate() {
            // Forms that ask for the user's own password (a reset, a password change)
            // count a wrong one as a failed sign-in, and the fuzz sends many: without this
            // the persona's login would be throttled for the routes after. Throttling is
            // tested elsewhere; here it would only hide the next route's answers.
            sqlx::query("DELETE FROM security_log WHERE kind = 'sign_in_failed'")
                .execute(app.db.pool())
                .await
                .unwrap();
            let mut client = fresh(&app, persona).await;
            // Signing in notes the time on the user: that write is not the fuzzed request's.
            fuzz.before = fingerprint(&app).await;
            // A signed-in persona's accepted POST may be a sign-out, and signing in again
            // costs a password check: generic fields go to the others only.
            let mut fields = shape.fields.clone();
            if r.method == Method::GET || persona == Persona::Anonymous {
                fields.extend(GENERIC_FIELDS.map(String::from));
            }
            let mut requests: Vec<(String, Option<String>)> = Vec::new();
            for param in params(r.path) {
                for v in hostile_path_values(&param, &other) {
                    let Ok(path_url) = support::fill(r.path, &ids_with(&ids, &param, &v)) else {
                        continue;
                    };
                    requests.push((path_url, None));
                }
            }
            // The most privileged caller gets every value; the others a rotating quarter
            // each, which keeps the run near a minute on two cores.
            let share = |i: usize| primary == persona || i % 4 == rank % 4;
            for field in &fields {
                let mut raws: Vec<String> = values
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| share(*i))
                    .map(|(_, v)| v.clone())
                    .collect();
                if r.method == Method::POST {
                    raws.push("z".repeat(1024 * 1024));
                }
                raws.push(format!("a&{}=b", encode(field)));
                for raw in raws {
                    requests.push((field.clone(), Some(raw)));
                }
            }
            for (i, (target, raw)) in requests.into_iter().enumerate() {
                let csrf = client.csrf.clone().unwrap_or_default();
                let (target, body) = match (raw, r.method == Method::GET) {
                    // A path variant: the page's own body, if any.
                    (None, true) => (target, None),
                    (None, false) => {
                        (target, Some(with_field(&shape.baseline, &csrf, "csrf", &encode(&csrf))))
                    }
                    (Some(raw), true) => (format!("{url}?{}={raw}", encode(&target)), None),
                    (Some(raw), false) => {
                        (url.clone(), Some(with_field(&shape.baseline, &csrf, &target, &raw)))
                    }
                };
                let cookie = client.session_cookie();
                let shot = Shot {
                    persona,
                    method: &r.method,
                    route: r.path,
                    url: target,
                    body,
                    htmx: i % 2 == 1,
                };
                fuzz.send(&mut client, shot).await;
                if client.session_cookie() != cookie {
                    keep_session(&app, &mut client, persona).await;
                    fuzz.before = fingerprint(&app).await;
                }
            }
        }
    }
    eprintln!("fuzz: {} requests over {} routes", fuzz.requests, routes.len());
    assert!(fuzz.requests > 1000, "only {} requests were sent", fuzz.requests);
    let shown: Vec<&String> = fuzz.problems.iter().take(40).collect();
    assert!(
        fuzz.problems.is_empty(),
        "{} problems with hostile input, the first {}:\n  {}",
        fuzz.problems.len(),
        shown.len(),
        shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
    );
}

/// A client of `persona` whose session has a CSRF token (anonymous ones too).
async fn fresh(app: &TestApp, persona: Persona) -> Client {
    let mut c = app.client(persona).await;
    if persona == Persona::Anonymous {
        c.get("/login").await;
    }
    c
}

/// A request changed the session (a sign-out form with an extra field is still a
/// sign-out; a sign-in rotates the id): start again as `persona`, so the rest is sent as
/// that persona.
async fn keep_session(app: &TestApp, client: &mut Client, persona: Persona) {
    *client = fresh(app, persona).await;
}

/// The `{param}` names of a route pattern.
fn params(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

fn ids_with(ids: &support::Ids, param: &str, value: &str) -> support::Ids {
    let mut out = ids.clone();
    match param {
        "team" => out.team = value.to_owned(),
        "instance" => out.instance = value.to_owned(),
        "batch" => out.batch = value.to_owned(),
        "account" => out.account = value.to_owned(),
        _ => {}
    }
    out
}
