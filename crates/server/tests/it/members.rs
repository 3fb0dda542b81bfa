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
