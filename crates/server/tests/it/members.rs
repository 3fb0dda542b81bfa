//! A team's members from the browser: owners add, re-role and remove; the last owner stays;
//! each change is an audit event of the team; a removed member's open session no longer
//! sees the team at its next request.

use crate::instances_support;

use axum::http::StatusCode;
use instances_support::Env;
use lightdeck_domain::audit::{self, AuditFilter};
use lightdeck_domain::inventory::PageRequest;
use lightdeck_domain::policy::Role;
use lightdeck_domain::teams;
use lightdeck_testkit::fixtures;

async fn team_events(env: &Env) -> Vec<(String, serde_json::Value)> {
    let filter =
        AuditFilter { action_prefix: Some("team.member".to_owned()), ..AuditFilter::default() };
    let mut items =
        audit::list(env.db.pool(), env.team, &filter, &PageRequest::first(50)).await.unwrap().items;
    items.reverse();
    items.into_iter().map(|e| (e.action, e.params)).collect()
}

#[tokio::test]
async fn an_owner_adds_re_roles_and_removes_members_and_each_change_is_audited() {
    let env = Env::new(1).await;
    let mut alice = env.browser("alice", Role::Owner).await;
    let dave = fixtures::user(env.db.pool(), "dave").create().await;
    let url = format!("/teams/{}/members", env.team);

    let page = alice.get(&url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.count("tr.member"), 1);
    assert!(page.text("tr.member .last-owner").is_some(), "the only owner cannot be changed");

    let added = alice.post_form(&url, &[("login", "dave"), ("role", "operator")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = alice.get(&format!("{url}?done=added")).await;
    let row = format!("tr#member-{}", dave.id);
    assert_eq!(page.text(&format!("{row} td.role")).as_deref(), Some("Operator"));
    assert!(page.text(&row).unwrap().contains("by alice"), "who added them");

    // dave, signed in, sees the team; made viewer, he can no longer reboot.
    let mut dave_b = env.signed_in("dave").await;
    assert_eq!(dave_b.get(&format!("/teams/{}/instances", env.team)).await.status, StatusCode::OK);
    let changed = alice.post_form(&format!("{url}/{}/role", dave.id), &[("role", "viewer")]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let id = env.instances().await[0].instance_id.to_string();
    let key = uuid::Uuid::new_v4().to_string();
    let reboot = env.act(&mut dave_b, "reboot", "soft", &[&id], &key, false).await;
    assert_eq!(reboot.status, StatusCode::FORBIDDEN, "a viewer now");

    let removed = alice.post_form(&format!("{url}/{}/remove", dave.id), &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let gone = dave_b.get(&format!("/teams/{}/instances", env.team)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "his open session lost the team at once");

    let events = team_events(&env).await;
    let actions: Vec<&str> = events.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["team.member.added", "team.member.role_changed", "team.member.removed"]);
    assert_eq!(events[1].1["from"], "operator");
    assert_eq!(events[1].1["role"], "viewer");
    let audit_page = alice.get(&format!("/teams/{}/audit?view=events", env.team)).await;
    assert_eq!(audit_page.status, StatusCode::OK);
    let said = audit_page.body;
    for sentence in [
        "alice added dave to the team as an operator",
        "alice made dave a viewer",
        "alice removed dave from the team",
    ] {
        assert!(said.contains(sentence), "{sentence} missing");
    }
}

#[tokio::test]
async fn bad_members_input_is_refused_beside_its_field_and_the_last_owner_stays() {
    let env = Env::new(1).await;
    let mut alice = env.browser("alice", Role::Owner).await;
    let alice_id = teams::member_rows(env.db.pool(), env.team).await.unwrap()[0].user_id;
    let url = format!("/teams/{}/members", env.team);
    fixtures::user(env.db.pool(), "erin").member_of(env.team, Role::Admin).create().await;

    let cases: [(&str, &str, &str); 5] = [
        ("nobody", "viewer", "#add-login-error"),
        ("erin", "viewer", "#add-login-error"),
        ("Bad Login\u{7}", "viewer", "#add-login-error"),
        ("erin", "emperor", "#add-role-error"),
        (&"x".repeat(10_000), "viewer", "#add-login-error"),
    ];
    for (login, role, error) in cases {
        let page = alice.post_form(&url, &[("login", login), ("role", role)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{login:.20} {role}");
        if !login.contains('\u{7}') {
            assert!(page.text(error).is_some(), "{login:.20} {role}: {}", page.body);
        }
    }
    let demote = alice.post_form(&format!("{url}/{alice_id}/role"), &[("role", "admin")]).await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
    assert!(demote.text("div.flash.error").unwrap().contains("at least one owner"));
    let leave = alice.post_form(&format!("{url}/{alice_id}/remove"), &[]).await;
    assert_eq!(leave.status, StatusCode::CONFLICT);
    let other = uuid::Uuid::new_v4();
    let unknown = alice.post_form(&format!("{url}/{other}/remove"), &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad_id = alice.post_form(&format!("{url}/not-a-uuid/role"), &[("role", "viewer")]).await;
    assert_eq!(bad_id.status, StatusCode::NOT_FOUND);
    assert!(team_events(&env).await.is_empty(), "nothing changed, nothing audited");

    for (login, role) in [("bob", Role::Admin), ("carol", Role::Viewer)] {
        let mut b = env.browser(login, role).await;
        assert_eq!(b.get(&url).await.status, StatusCode::FORBIDDEN, "{login}");
        let add = b.post_form(&url, &[("login", "erin"), ("role", "owner")]).await;
        assert_eq!(add.status, StatusCode::FORBIDDEN, "{login}");
    }
    assert!(env.state.i18n.missing().is_empty(), "{:?}", env.state.i18n.missing());
}

/// An owner adds someone who has no user yet: the page shows a one-time link (stored only
/// as a hash); the person sets their password there once, then signs in; the link then,
/// or after 24 hours, opens nothing.
#[tokio::test]
async fn a_new_person_sets_their_own_password_through_a_one_time_link() {
    let mut env = Env::new(1).await;
    let clock = lightdeck::state::ManualClock::new(time::OffsetDateTime::now_utc());
    env.state = env.state.clone().with_clock(clock.clock());
    env.router = lightdeck::app::build(env.state.clone());
    let mut alice = env.browser("alice", Role::Owner).await;
    let url = format!("/teams/{}/members/new", env.team);

    let made = alice
        .post_form(&url, &[("login", "dave"), ("name", "Dave Li"), ("role", "operator")])
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let link = made.text("#setup-link").unwrap();
    let path = link[link.find("/setup/").unwrap()..].to_owned();
    let token = path.trim_start_matches("/setup/").to_owned();
    let stored: String =
        sqlx::query_scalar("SELECT string_agg(row_to_json(l)::text, '') FROM setup_links l")
            .fetch_one(env.db.pool())
            .await
            .unwrap();
    assert!(!stored.contains(&token), "only a hash of the token is stored");

    // Before the link is used, no password opens the account.
    let mut nobody = lightdeck_testkit::Client::in_process(env.router.clone());
    assert_eq!(
        nobody.sign_in("dave", instances_support::PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(nobody.sign_in("dave", "!").await.status, StatusCode::UNAUTHORIZED);

    let mut dave = lightdeck_testkit::Client::in_process(env.router.clone());
    let form = dave.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.text(".setup").unwrap().contains("dave"));
    let short = dave
        .post_form(&path, &[("new_password", "short"), ("new_password_confirm", "short")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text("#new-password-error").is_some());
    let chosen = "dave's own long passphrase";
    let set =
        dave.post_form(&path, &[("new_password", chosen), ("new_password_confirm", chosen)]).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    assert_eq!(dave.sign_in("dave", chosen).await.status, StatusCode::SEE_OTHER);
    assert_eq!(dave.get(&format!("/teams/{}/instances", env.team)).await.status, StatusCode::OK);

    // Used once: gone. A second person's link lapses after 24 hours.
    let mut replay = lightdeck_testkit::Client::in_process(env.router.clone());
    assert_eq!(replay.get(&path).await.status, StatusCode::NOT_FOUND);
    let again = replay
        .post_form(
            &path,
            &[
                ("new_password", "someone else's phrase"),
                ("new_password_confirm", "someone else's phrase"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let made =
        alice.post_form(&url, &[("login", "erin"), ("name", "Erin"), ("role", "viewer")]).await;
    let late = made.text("#setup-link").unwrap();
    let late = late[late.find("/setup/").unwrap()..].to_owned();
    clock.advance(time::Duration::hours(25));
    let mut erin = lightdeck_testkit::Client::in_process(env.router.clone());
    assert_eq!(erin.get(&late).await.status, StatusCode::NOT_FOUND);
    assert_eq!(erin.get("/setup/not-a-token").await.status, StatusCode::NOT_FOUND);

    let events = team_events(&env).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].1["new_user"], true);
}

#[tokio::test]
async fn a_new_person_form_names_each_bad_field() {
    let env = Env::new(1).await;
    let mut alice = env.browser("alice", Role::Owner).await;
    let url = format!("/teams/{}/members/new", env.team);
    let cases: [(&str, &str, &str, &str); 4] = [
        ("alice", "Alice Again", "viewer", "#new-login-error"),
        ("New Person", "x", "viewer", "#new-login-error"),
        ("fred", &"n".repeat(10_000), "viewer", "#new-name-error"),
        ("fred", "Fred", "king", "#new-role-error"),
    ];
    for (login, name, role, error) in cases {
        let page = alice.post_form(&url, &[("login", login), ("name", name), ("role", role)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(page.text(error).is_some(), "{error}: {}", page.body);
        assert!(page.text("#setup-link").is_none());
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM setup_links")
        .fetch_one(env.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
}
