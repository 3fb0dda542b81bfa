//! Site administration from the browser (`/admin`): users (create with a setup link,
//! disable / enable, a new setup link, site administrator or not — never the last one),
//! teams (create with an owner, rename, delete only an empty one) and the site audit log,
//! a hash chain that `lightdeck audit verify` checks.

mod cli;
mod team_pages;

use crate::instances_support::{Browser, Env, PASSWORD};

use axum::http::StatusCode;
use lightdeck_domain::policy::Role;
use lightdeck_domain::site::{self, SiteActor};
use lightdeck_domain::users;
use lightdeck_testkit::fixtures;

/// `env` with sam, a site administrator in no team, signed in.
async fn sam(env: &Env) -> Browser {
    fixtures::user(env.db.pool(), "sam").site_admin(true).create().await;
    env.signed_in("sam").await
}

/// The site chain's (action, params) in order.
async fn site_events(env: &Env) -> Vec<(String, serde_json::Value)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT action, params FROM audit_events WHERE team_id = $1 ORDER BY seq")
            .bind(site::SITE_CHAIN)
            .fetch_all(env.db.pool())
            .await
            .unwrap();
    rows.into_iter().map(|(a, p)| (a, serde_json::from_str(&p).unwrap())).collect()
}

fn setup_path(page: &lightdeck_testkit::Page) -> String {
    let link = page.text("#setup-link").expect("a setup link on the page");
    link[link.find("/setup/").unwrap()..].to_owned()
}

async fn set_password(env: &Env, path: &str, password: &str) -> StatusCode {
    let mut b = Browser::in_process(env.router.clone());
    b.get(path).await; // a session with a CSRF token, as a browser opening the link has
    let fields = [("new_password", password), ("new_password_confirm", password)];
    b.post_form(path, &fields).await.status
}

#[tokio::test]
async fn only_site_administrators_reach_the_pages_and_the_header_links_them() {
    let env = Env::new(1).await;
    let mut alice = env.browser("alice", Role::Owner).await;
    let mut sam = sam(&env).await;
    for url in ["/admin/users", "/admin/teams", "/admin/audit"] {
        assert_eq!(alice.get(url).await.status, StatusCode::FORBIDDEN, "{url}");
        let page = sam.get(url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.body);
        assert_eq!(page.attr("a.site-admin", "href").as_deref(), Some("/admin/users"));
    }
    let refused = alice.post_form("/admin/users", &[("login", "x1y"), ("name", "X")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        alice.get(&format!("/teams/{}/instances", env.team)).await.text("a.site-admin").is_none()
    );
}

#[tokio::test]
async fn a_created_user_sets_their_password_once_through_the_link() {
    let env = Env::new(1).await;
    let mut sam = sam(&env).await;
    let made = sam
        .post_form("/admin/users", &[("login", "dave"), ("name", "Dave Li"), ("language", "zh-CN")])
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let path = setup_path(&made);
    let token = path.trim_start_matches("/setup/").to_owned();
    let dave = users::find_by_login(env.db.pool(), "dave").await.unwrap().unwrap();
    assert_eq!(dave.language.as_str(), "zh-CN");
    assert!(made.text(&format!("tr#user-{}", dave.id)).is_some(), "the new user is listed");

    let chosen = "dave's own long passphrase";
    assert_eq!(set_password(&env, &path, chosen).await, StatusCode::SEE_OTHER);
    assert_eq!(set_password(&env, &path, "a replayed passphrase").await, StatusCode::NOT_FOUND);
    let mut b = Browser::in_process(env.router.clone());
    assert_eq!(b.sign_in("dave", chosen).await.status, StatusCode::SEE_OTHER);

    // Taken login and every bad field at once, beside each field.
    let taken = sam
        .post_form("/admin/users", &[("login", "dave"), ("name", "D"), ("language", "en")])
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.text("#new-login-error").unwrap().contains("taken"));
    let long = "x".repeat(10 * 1024);
    let bad =
        sam.post_form("/admin/users", &[("login", &long), ("name", ""), ("language", "fr")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for id in ["#new-login-error", "#new-name-error", "#new-language-error"] {
        assert!(bad.text(id).is_some(), "{id}: {:?}", bad.texts(".field-error"));
    }
    // Control characters are refused at the edge, for every form (input.rs).
    let control = sam.post_form("/admin/users", &[("login", "eve"), ("name", "a\u{7}b")]).await;
    assert_eq!(control.status, StatusCode::UNPROCESSABLE_ENTITY);

    let events = site_events(&env).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "user.created");
    assert_eq!(events[0].1["login"], "dave");
    let all: String =
        sqlx::query_scalar("SELECT string_agg(row_to_json(e)::text, '') FROM audit_events e")
            .fetch_one(env.db.pool())
            .await
            .unwrap();
    assert!(!all.contains(&token) && !all.contains(chosen), "no token or password in the audit");
    let log = sam.get("/admin/audit").await;
    assert_eq!(log.text("tr.event .what").as_deref(), Some("sam created user dave"));
}

#[tokio::test]
async fn disabling_ends_open_sessions_and_refuses_sign_in_until_enabled() {
    let env = Env::new(1).await;
    let mut sam = sam(&env).await;
    let dave = env.member("dave", Role::Operator).await;
    let mut dave_b = env.signed_in("dave").await;
    let instances = format!("/teams/{}/instances", env.team);
    assert_eq!(dave_b.get(&instances).await.status, StatusCode::OK);

    let off = sam.post_form(&format!("/admin/users/{}/disable", dave.id), &[]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    assert!(dave_b.get(&instances).await.is_login_redirect(), "his open session ended at once");
    let mut again = Browser::in_process(env.router.clone());
    let refused = again.sign_in("dave", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "the usual wrong-login message");
    let page = sam.get("/admin/users?q=dave").await;
    assert!(page.text(&format!("tr#user-{} .state", dave.id)).unwrap().contains("disabled"));

    let on = sam.post_form(&format!("/admin/users/{}/enable", dave.id), &[]).await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    assert!(dave_b.get(&instances).await.is_login_redirect(), "old sessions stay ended");
    let mut back = Browser::in_process(env.router.clone());
    assert_eq!(back.sign_in("dave", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(back.get(&instances).await.status, StatusCode::OK);

    let sam_user = users::find_by_login(env.db.pool(), "sam").await.unwrap().unwrap();
    let selfish = sam.post_form(&format!("/admin/users/{}/disable", sam_user.id), &[]).await;
    assert_eq!(selfish.status, StatusCode::CONFLICT);
    assert!(selfish.text(".flash.error").unwrap().contains("yourself"));

    let actions: Vec<String> = site_events(&env).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["user.disabled", "user.enabled"]);
}

#[tokio::test]
async fn a_new_setup_link_stops_the_old_password_and_works_once() {
    let env = Env::new(1).await;
    let mut sam = sam(&env).await;
    let dave = env.member("dave", Role::Viewer).await;
    let mut dave_b = env.signed_in("dave").await;
    let first = sam.post_form(&format!("/admin/users/{}/setup-link", dave.id), &[]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let first = setup_path(&first);
    let made = sam.post_form(&format!("/admin/users/{}/setup-link", dave.id), &[]).await;
    let path = setup_path(&made);
    assert!(dave_b.get("/").await.is_login_redirect(), "signed out");
    let mut b = Browser::in_process(env.router.clone());
    assert_eq!(b.sign_in("dave", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(set_password(&env, &first, "an older link's phrase").await, StatusCode::NOT_FOUND);
    assert_eq!(set_password(&env, &path, "dave's fresh passphrase").await, StatusCode::SEE_OTHER);
    assert_eq!(set_password(&env, &path, "dave's fresh passphrase").await, StatusCode::NOT_FOUND);
    assert_eq!(b.sign_in("dave", "dave's fresh passphrase").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_last_site_administrator_stays_even_when_two_revoke_each_other_at_once() {
    let env = Env::new(1).await;
    let mut sam = sam(&env).await;
    let sam_id = users::find_by_login(env.db.pool(), "sam").await.unwrap().unwrap().id;
    let eve = env.member("eve", Role::Viewer).await;

    let alone = sam.post_form(&format!("/admin/users/{sam_id}/revoke-admin"), &[]).await;
    assert_eq!(alone.status, StatusCode::CONFLICT, "{}", alone.body);
    assert!(alone.text(".flash.error").unwrap().contains("at least one"));

    let made = sam.post_form(&format!("/admin/users/{}/grant-admin", eve.id), &[]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let log = sam.get("/admin/audit").await;
    assert_eq!(log.text("tr.event .what").as_deref(), Some("sam made eve a site administrator"));

    for _ in 0..5 {
        let by = |id| SiteActor { user_id: Some(id), ..SiteActor::command_line("test") };
        let pool = env.db.pool();
        let (as_sam, as_eve) = (by(sam_id), by(eve.id));
        let (a, b) = tokio::join!(
            site::set_site_admin(pool, eve.id, false, &as_sam),
            site::set_site_admin(pool, sam_id, false, &as_eve),
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
        let admins: i64 =
            sqlx::query_scalar("SELECT count(*) FROM users WHERE site_admin AND NOT disabled")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(admins, 1);
        // Back to two for the next round.
        let (left, right) = if a.is_ok() { (sam_id, eve.id) } else { (eve.id, sam_id) };
        site::set_site_admin(pool, right, true, &by(left)).await.unwrap();
    }
    let unknown =
        sam.post_form(&format!("/admin/users/{}/grant-admin", uuid::Uuid::new_v4()), &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        sam.post_form("/admin/users/not-an-id/disable", &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn users_are_searched_and_paged_fifty_at_a_time() {
    let env = Env::new(1).await;
    let mut sam = sam(&env).await;
    for i in 0..55 {
        fixtures::user(env.db.pool(), &format!("user{i:02}"))
            .display(&format!("Person {i}"))
            .create()
            .await;
    }
    let first = sam.get("/admin/users").await;
    assert_eq!(first.count("tr.user"), 50);
    assert!(first.text("#users-shown").unwrap().contains("1–50 of 56"));
    let next = first.attr("a[rel=next]", "href").expect("a next page");
    let second = sam.get(&next).await;
    assert_eq!(second.count("tr.user"), 6);
    assert!(second.attr("a[rel=prev]", "href").is_some());
    let found = sam.get("/admin/users?q=PERSON+54").await;
    assert_eq!(found.count("tr.user"), 1, "by name, any case");
    let by_login = sam.get("/admin/users?q=user1").await;
    assert_eq!(by_login.count("tr.user"), 10);
    let odd = sam.get("/admin/users?q=%25_&page=-3").await;
    assert_eq!(odd.status, StatusCode::OK);
    assert_eq!(odd.count("tr.user"), 0, "like wildcards are taken literally");
}

#[tokio::test]
async fn no_setup_token_or_password_reaches_a_log_line() {
    if !crate::core_logs::alone_in_a_child("admin::no_setup_token_or_password_reaches_a_log_line") {
        return;
    }
    let (logs, _guard) = crate::core_logs::capture_logs();
    let env = Env::new(1).await;
    let mut sam = sam(&env).await;
    let made = sam
        .post_form("/admin/users", &[("login", "dave"), ("name", "Dave"), ("language", "en")])
        .await;
    let first = setup_path(&made);
    let dave = users::find_by_login(env.db.pool(), "dave").await.unwrap().unwrap();
    let again = sam.post_form(&format!("/admin/users/{}/setup-link", dave.id), &[]).await;
    let path = setup_path(&again);
    let chosen = "dave's secret passphrase";
    assert_eq!(set_password(&env, &path, chosen).await, StatusCode::SEE_OTHER);
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(text.contains("/admin/users"), "requests were logged: {text}");
    for secret in [&first["/setup/".len()..], &path["/setup/".len()..], chosen] {
        assert!(!text.contains(secret), "a secret in the logs");
    }
}
