//! The role × route matrix: every route of `lightdeck::app::route_table()` has an expected
//! outcome for every persona, written out below, and each cell is measured over HTTP.
//! A route without a row fails (so does a row for a route that no longer exists).

use std::collections::BTreeSet;

use lightdeck_tests::{Client, Page, Persona, TestApp};

use crate::support;

/// What one persona gets from one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 2xx or 3xx (other than to the sign-in page), or 422 (the form's own checks answered):
    /// the route let them in.
    Ok,
    /// 303 to /login: not signed in.
    Login,
    /// 403: signed in, a member, but the role may not.
    Forbidden,
    /// 404: not a member of the team in the path (ids don't leak).
    NotFound,
}

use Expect::{Forbidden as F, Login as L, NotFound as N, Ok as A};

/// Columns: anonymous, viewer, operator, admin, owner, owner of another team, site
/// administrator (a member of no team).
const TABLE: &[(&str, &str, [Expect; 7])] = &[
    // Sign in and out, language: anyone.
    ("GET", "/login", [A, A, A, A, A, A, A]),
    ("POST", "/login", [A, A, A, A, A, A, A]),
    ("POST", "/logout", [A, A, A, A, A, A, A]),
    ("POST", "/language", [A, A, A, A, A, A, A]),
    // The second step of signing in: without a password just checked it sends strangers to
    // the password (a signed-in user to the start page).
    ("GET", "/login/code", [L, A, A, A, A, A, A]),
    ("POST", "/login/code", [L, A, A, A, A, A, A]),
    // No session at all.
    ("GET", "/healthz", [A, A, A, A, A, A, A]),
    ("GET", "/metrics", [A, A, A, A, A, A, A]),
    ("GET", "/static/{*path}", [A, A, A, A, A, A, A]),
    // Signed in.
    ("GET", "/", [L, A, A, A, A, A, A]),
    ("GET", "/account", [L, A, A, A, A, A, A]),
    ("POST", "/account/password", [L, A, A, A, A, A, A]),
    // My account: sessions (each persona ends only its own; an empty form is refused).
    ("POST", "/account/sessions/end", [L, A, A, A, A, A, A]),
    ("POST", "/account/sessions/end-others", [L, A, A, A, A, A, A]),
    ("POST", "/account/profile", [L, A, A, A, A, A, A]),
    // My account: the second factor (each persona starts setting one up; empty forms are
    // refused by the forms, so nothing is confirmed, replaced or turned off).
    ("GET", "/account/second-factor", [L, A, A, A, A, A, A]),
    ("POST", "/account/second-factor/start", [L, A, A, A, A, A, A]),
    ("POST", "/account/second-factor/confirm", [L, A, A, A, A, A, A]),
    ("POST", "/account/second-factor/recovery-codes", [L, A, A, A, A, A, A]),
    ("POST", "/account/second-factor/disable", [L, A, A, A, A, A, A]),
    // See instances and jobs: every member.
    ("GET", "/teams/{team}/instances", [L, A, A, A, A, N, N]),
    ("GET", "/teams/{team}/instances/{instance}", [L, A, A, A, A, N, N]),
    ("GET", "/teams/{team}/instances/{instance}/row", [L, A, A, A, A, N, N]),
    ("GET", "/teams/{team}/batches/{batch}", [L, A, A, A, A, N, N]),
    ("GET", "/teams/{team}/orders", [L, A, A, A, A, N, N]),
    // Start / stop / reboot: operator and up.
    ("POST", "/teams/{team}/actions", [L, F, A, A, A, N, N]),
    // Rename, hostname, description: admin and owner.
    ("POST", "/teams/{team}/instances/{instance}/settings", [L, F, F, A, A, N, N]),
    // Renew and reset passwords: admin and owner.
    ("GET", "/teams/{team}/renewals/new", [L, F, F, A, A, N, N]),
    ("POST", "/teams/{team}/renewals/new", [L, F, F, A, A, N, N]),
    ("POST", "/teams/{team}/renewals", [L, F, F, A, A, N, N]),
    ("GET", "/teams/{team}/instances/{instance}/password", [L, F, F, A, A, N, N]),
    ("POST", "/teams/{team}/passwords/new", [L, F, F, A, A, N, N]),
    ("POST", "/teams/{team}/passwords", [L, F, F, A, A, N, N]),
    // Unsubscribe: the owner only.
    ("GET", "/teams/{team}/instances/{instance}/unsubscribe", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/instances/{instance}/unsubscribe", [L, F, F, F, A, N, N]),
    // Buy instances: the owner only. The form's round trip answers 200 (choices) or 422
    // (an empty review); nothing is bought without a confirmed, valid form.
    ("GET", "/teams/{team}/purchases/new", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/purchases", [L, F, F, F, A, N, N]),
    // Manage members: the owner only.
    ("GET", "/teams/{team}/members", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/members", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/members/{user}/role", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/members/{user}/remove", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/members/new", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/members/second-factor", [L, F, F, F, A, N, N]),
    // A setup link: public (the link is the key); an empty form is refused by the form.
    ("GET", "/setup/{token}", [A, A, A, A, A, A, A]),
    ("POST", "/setup/{token}", [A, A, A, A, A, A, A]),
    // Read and export the audit log: admin and owner.
    ("GET", "/teams/{team}/audit", [L, F, F, A, A, N, N]),
    ("GET", "/teams/{team}/audit/export.csv", [L, F, F, A, A, N, N]),
    ("GET", "/teams/{team}/audit/export.jsonl", [L, F, F, A, A, N, N]),
    // Refresh one account's inventory from the cloud: operator and up (it makes cloud calls
    // on the team's behalf, like start / stop / reboot).
    ("POST", "/teams/{team}/accounts/{account}/refresh", [L, F, A, A, A, N, N]),
    // Site administration (users, teams, the site audit log): site administrators only,
    // whatever their teams. {user} is the extra member, {team} the main team.
    ("GET", "/admin/users", [L, F, F, F, F, F, A]),
    ("POST", "/admin/users", [L, F, F, F, F, F, A]),
    ("POST", "/admin/users/{user}/disable", [L, F, F, F, F, F, A]),
    ("POST", "/admin/users/{user}/enable", [L, F, F, F, F, F, A]),
    ("POST", "/admin/users/{user}/setup-link", [L, F, F, F, F, F, A]),
    ("POST", "/admin/users/{user}/grant-admin", [L, F, F, F, F, F, A]),
    ("POST", "/admin/users/{user}/revoke-admin", [L, F, F, F, F, F, A]),
    ("POST", "/admin/users/{user}/second-factor/reset", [L, F, F, F, F, F, A]),
    ("GET", "/admin/teams", [L, F, F, F, F, F, A]),
    ("POST", "/admin/teams", [L, F, F, F, F, F, A]),
    ("POST", "/admin/teams/{team}/rename", [L, F, F, F, F, F, A]),
    ("POST", "/admin/teams/{team}/delete", [L, F, F, F, F, F, A]),
    ("GET", "/admin/audit", [L, F, F, F, F, F, A]),
    // Cloud accounts page: the owner only (like members). Empty forms are refused by the
    // forms (422), so nothing is connected, changed, paused or removed.
    ("GET", "/teams/{team}/accounts", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/accounts", [L, F, F, F, A, N, N]),
    ("GET", "/teams/{team}/accounts/{account}", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/accounts/{account}/name", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/accounts/{account}/regions", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/accounts/{account}/credentials", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/accounts/{account}/syncing", [L, F, F, F, A, N, N]),
    ("GET", "/teams/{team}/accounts/{account}/remove", [L, F, F, F, A, N, N]),
    ("POST", "/teams/{team}/accounts/{account}/remove", [L, F, F, F, A, N, N]),
];

/// POST routes that start or end the session they are sent in.
const SESSION_CHANGING: [&str; 2] = ["/login", "/logout"];

fn classify(page: &Page) -> Result<Expect, String> {
    let s = page.status.as_u16();
    if page.is_login_redirect() {
        return Ok(Expect::Login);
    }
    match s {
        403 => Ok(Expect::Forbidden),
        404 => Ok(Expect::NotFound),
        200..=399 | 422 => Ok(Expect::Ok),
        _ => Err(format!("status {s}")),
    }
}

#[tokio::test]
async fn every_route_has_an_expected_outcome_for_every_role_and_gets_it() {
    let routes = lightdeck::app::route_table();
    let mut problems = Vec::new();

    let listed: BTreeSet<(String, &str)> =
        routes.iter().map(|r| (r.method.to_string(), r.path)).collect();
    let expected: BTreeSet<(String, &str)> =
        TABLE.iter().map(|(m, p, _)| ((*m).to_owned(), *p)).collect();
    for (m, p) in listed.difference(&expected) {
        problems.push(format!(
            "route {m} {p} has no row in the role × route matrix (tests/tests/system/matrix.rs): add its expected outcome for every role"
        ));
    }
    for (m, p) in expected.difference(&listed) {
        problems
            .push(format!("the matrix has a row for {m} {p}, which route_table() no longer lists"));
    }
    assert_eq!(TABLE.len(), expected.len(), "the matrix lists a route twice");

    let app = TestApp::start_default().await;
    let ids = support::ids(&app).await;
    let mut readers = Vec::new();
    for persona in Persona::ALL {
        readers.push((persona, app.client(persona).await));
    }

    for (method, path, row) in TABLE {
        if !listed.contains(&((*method).to_owned(), *path)) {
            continue;
        }
        let url = match support::fill(path, &ids) {
            Ok(u) => u,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        for (persona, want) in Persona::ALL.into_iter().zip(row) {
            let (_, reader) = readers.iter_mut().find(|(p, _)| *p == persona).unwrap();
            let page = if *method == "GET" {
                reader.get(&url).await
            } else {
                // Signing in or out changes the session: those get a session of their own.
                let mut own;
                let client = if SESSION_CHANGING.contains(path) {
                    own = app.client(persona).await;
                    &mut own
                } else {
                    reader
                };
                if persona == Persona::Anonymous {
                    client.get("/login").await; // a session with a CSRF token
                }
                match post_minimal(&app, client, persona, path, &url).await {
                    Ok(page) => page,
                    Err(e) => {
                        problems.push(e);
                        break;
                    }
                }
            };
            match classify(&page) {
                Ok(got) if got == *want => {}
                Ok(got) => problems.push(format!(
                    "{method} {path} as {persona:?}: expected {want:?}, got {got:?} (status {}, location {:?})",
                    page.status,
                    page.location()
                )),
                Err(e) => problems.push(format!(
                    "{method} {path} as {persona:?}: expected {want:?}, got {e}: {}",
                    excerpt(&page.body)
                )),
            }
        }
    }
    assert!(problems.is_empty(), "role × route matrix:\n  {}", problems.join("\n  "));
}

/// The smallest valid body for each state-changing route, so the access check (not form
/// validation) decides the answer.
async fn post_minimal(
    app: &TestApp,
    client: &mut Client,
    persona: Persona,
    path: &str,
    url: &str,
) -> Result<Page, String> {
    Ok(match path {
        "/login" => {
            // Anonymous signs in as carol; the others again as themselves.
            let login = persona.login().unwrap_or("carol");
            let csrf = client.csrf.clone().unwrap_or_default();
            client
                .post_raw(
                    url,
                    &[
                        ("csrf", &csrf),
                        ("login", login),
                        ("password", lightdeck_tests::app::PASSWORD),
                    ],
                )
                .await
        }
        "/logout" => client.post_form(url, &[]).await,
        // No password was just checked in these sessions: nothing to type a code for.
        "/login/code" => client.post_form(url, &[("code", "123456")]).await,
        // The second factor: set-up starts (a secret being set up changes nothing else);
        // empty forms are refused by the forms (422).
        "/account/second-factor/start"
        | "/account/second-factor/confirm"
        | "/account/second-factor/recovery-codes"
        | "/account/second-factor/disable" => client.post_form(url, &[]).await,
        // An empty choice is refused by the form (422): the team's requirement stays off.
        "/teams/{team}/members/second-factor" => client.post_form(url, &[]).await,
        "/language" => client.post_form(url, &[("lang", "en"), ("next", "/healthz")]).await,
        "/teams/{team}/actions" => {
            // A different instance per persona, so no cell sees another's action in flight.
            let i = match persona {
                Persona::Operator => 1,
                Persona::Admin => 2,
                _ => 3,
            };
            let instance = app.team.instance_id(i);
            support::post_action(client, url, "reboot", &[&instance]).await
        }
        "/teams/{team}/accounts/{account}/refresh" => client.post_form(url, &[]).await,
        // Cloud accounts: an empty form is refused by the form (422); removal needs its
        // confirmation, so the account stays for the other rows.
        "/teams/{team}/accounts"
        | "/teams/{team}/accounts/{account}/name"
        | "/teams/{team}/accounts/{account}/regions"
        | "/teams/{team}/accounts/{account}/credentials"
        | "/teams/{team}/accounts/{account}/syncing"
        | "/teams/{team}/accounts/{account}/remove" => client.post_form(url, &[]).await,
        // Lifecycle forms: the selection opens a form; an empty submit is refused by the
        // form (422), so nothing is renewed, reset or unsubscribed.
        "/teams/{team}/renewals/new" | "/teams/{team}/passwords/new" => {
            client.post_form(url, &[("instance", &app.team.instance_id(0))]).await
        }
        // Members: an empty add is refused by its form; {user} is a member who is none of
        // the personas, so giving them their own role again and removing them (the owner's
        // cell, last) leave every other cell as it was.
        "/teams/{team}/members" | "/account/password" | "/teams/{team}/members/new" => {
            client.post_form(url, &[]).await
        }
        "/setup/{token}" => client.post_form(url, &[]).await,
        // My account: no session named, an empty profile (422); ending the others leaves
        // this reader signed in.
        "/account/sessions/end" | "/account/sessions/end-others" | "/account/profile" => {
            client.post_form(url, &[]).await
        }
        "/teams/{team}/members/{user}/role" => client.post_form(url, &[("role", "viewer")]).await,
        "/teams/{team}/members/{user}/remove" => client.post_form(url, &[]).await,
        // An empty purchase form shows the choices again (200): nothing is bought.
        "/teams/{team}/purchases" => client.post_form(url, &[]).await,
        "/teams/{team}/renewals"
        | "/teams/{team}/passwords"
        | "/teams/{team}/instances/{instance}/unsubscribe" => client.post_form(url, &[]).await,
        "/teams/{team}/instances/{instance}/settings" => {
            // A description only: names and hostnames stay as the other cells expect them.
            let description = format!("set by {persona:?}");
            let key = format!("matrix-settings-{persona:?}");
            client.post_form(url, &[("description", &description), ("idempotency_key", &key)]).await
        }
        // Site administration: empty forms are refused by the form (422: no user or team
        // made, no team renamed, and deleting wants the team's name typed); the extra
        // member is disabled then enabled, made site administrator then not, in table order.
        "/admin/users"
        | "/admin/teams"
        | "/admin/teams/{team}/rename"
        | "/admin/teams/{team}/delete" => client.post_form(url, &[]).await,
        "/admin/users/{user}/disable"
        | "/admin/users/{user}/enable"
        | "/admin/users/{user}/setup-link"
        | "/admin/users/{user}/grant-admin"
        | "/admin/users/{user}/revoke-admin"
        // The extra member has no second factor: nothing to reset, nothing changes.
        | "/admin/users/{user}/second-factor/reset" => client.post_form(url, &[]).await,
        other => {
            return Err(format!(
                "the matrix has no minimal body for POST {other}: add one in post_minimal"
            ));
        }
    })
}

fn excerpt(body: &str) -> String {
    body.chars().take(300).collect()
}
