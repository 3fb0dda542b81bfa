//! Sign-in and sign-out, session id rotation, CSRF refusal and cross-team 404s, over HTTP
//! against the served panel.

use lightdeck_tests::app::PASSWORD;
use lightdeck_tests::{Persona, TestApp};

use crate::support;

#[tokio::test]
async fn sign_in_shows_the_user_and_sign_out_ends_the_session() {
    let app = TestApp::start_default().await;
    let instances = format!("/teams/{}/instances", app.team.id);
    let mut bob = app.anonymous();

    let page = bob.get(&instances).await;
    assert!(page.is_login_redirect(), "anonymous is sent to sign in: {}", page.status);
    assert_eq!(
        page.location(),
        Some(format!("/login?next={instances}").as_str()),
        "and comes back here afterwards"
    );

    let wrong = bob.sign_in("bob", "not the password at all").await;
    assert_eq!(wrong.status.as_u16(), 401);
    assert_eq!(wrong.count("form[action='/login'] input[name=login]"), 1, "the form again");
    assert_eq!(wrong.count("[role=alert]"), 1, "with a message");

    let signed_in = bob.sign_in("bob", PASSWORD).await;
    assert_eq!(signed_in.status.as_u16(), 303);
    assert_eq!(signed_in.location(), Some("/"));

    let page = bob.get(&instances).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let who = page.text("header .who").expect("the layout names the user");
    assert!(who.split_whitespace().any(|w| w == "bob"), "{who:?}");
    assert_eq!(page.count("form[action='/logout']"), 1);

    let out = bob.sign_out().await;
    assert_eq!(out.status.as_u16(), 303);
    assert_eq!(out.location(), Some("/login?from=signed-out"));
    let page = bob.get(&instances).await;
    assert!(page.is_login_redirect(), "signed out: {}", page.status);
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_dies_at_sign_out() {
    let app = TestApp::start_default().await;
    let instances = format!("/teams/{}/instances", app.team.id);
    let mut alice = app.anonymous();
    alice.get("/login").await;
    assert!(alice.session_cookie().is_none(), "looking at the sign-in form stores nothing");
    // Choosing a language before signing in is what starts a session.
    let chose = alice.post_form("/language", &[("lang", "en"), ("next", "/login")]).await;
    assert_eq!(chose.status.as_u16(), 303, "{}", chose.body);
    let before = alice.session_cookie().expect("the language choice starts a session");

    assert_eq!(alice.sign_in("alice", PASSWORD).await.status.as_u16(), 303);
    let after = alice.session_cookie().expect("a signed-in session");
    assert_ne!(before, after, "sign-in issues a new session id");

    // Someone who planted or saw the pre-sign-in id gets nothing from it.
    let mut planted = app.anonymous();
    planted.set_session_cookie(&before);
    assert!(planted.get(&instances).await.is_login_redirect(), "the old id is not signed in");

    // A copy of the signed-in cookie works until sign-out, then not any more.
    let mut copy = app.anonymous();
    copy.set_session_cookie(&after);
    assert_eq!(copy.get(&instances).await.status.as_u16(), 200);
    assert_eq!(alice.sign_out().await.status.as_u16(), 303);
    assert!(alice.session_cookie().is_none(), "the cookie is cleared");
    let page = copy.get(&instances).await;
    assert!(page.is_login_redirect(), "the id is dead after sign-out: {}", page.status);
}

#[tokio::test]
async fn state_changing_requests_without_the_session_token_are_refused() {
    let app = TestApp::start_default().await;
    let url = format!("/teams/{}/actions", app.team.id);
    let target = app.team.instance_id(0);
    let mut bob = app.client(Persona::Operator).await;
    let token = bob.csrf.clone().expect("a token after sign-in");
    let key = uuid::Uuid::new_v4().to_string();
    let fields = |csrf: &'static str| {
        vec![("csrf", csrf), ("action", "reboot"), ("type", "soft"), ("instance", target.as_str())]
    };

    let missing = bob
        .post_raw(
            &url,
            &[
                ("action", "reboot"),
                ("type", "soft"),
                ("instance", &target),
                ("idempotency_key", &key),
            ],
        )
        .await;
    assert_eq!(missing.status.as_u16(), 403, "no token");
    let wrong = bob.post_raw(&url, &fields("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).await;
    assert_eq!(wrong.status.as_u16(), 403, "another token");

    // Another session's token does not work in this one.
    let carol = app.client(Persona::Viewer).await;
    let carols = carol.csrf.clone().expect("carol's token");
    assert_ne!(carols, token);
    let mut form = vec![("csrf", carols.as_str()), ("action", "reboot"), ("type", "soft")];
    form.push(("instance", &target));
    assert_eq!(bob.post_raw(&url, &form).await.status.as_u16(), 403, "carol's token");

    // The right token from another site.
    let mut cross = bob.clone().with_header("Origin", "http://evil.example");
    let page = support::post_action(&mut cross, &url, "reboot", &[&target]).await;
    assert_eq!(page.status.as_u16(), 403, "cross-origin");
    let mut cross = bob.clone().with_header("Sec-Fetch-Site", "cross-site");
    let page = support::post_action(&mut cross, &url, "reboot", &[&target]).await;
    assert_eq!(page.status.as_u16(), 403, "Sec-Fetch-Site: cross-site");

    // Sign-in itself needs the token too.
    let mut stranger = app.anonymous();
    stranger.get("/login").await;
    let page = stranger.post_raw("/login", &[("login", "bob"), ("password", PASSWORD)]).await;
    assert_eq!(page.status.as_u16(), 403, "sign-in without a token");
    assert!(stranger.get(&format!("/teams/{}/instances", app.team.id)).await.is_login_redirect());

    assert_eq!(app.sim.count_requests("BatchRebootServers"), 0, "nothing reached the cloud");
    assert!(support::all_action_states(&app).await.is_empty(), "nothing was recorded");

    // And with the token (as a form field, and as htmx's header) it goes through.
    let page = support::post_action(&mut bob, &url, "reboot", &[&target]).await;
    assert_eq!(page.status.as_u16(), 303, "with the token: {}", page.body);
    support::finish_jobs(&app).await;
    let second = app.team.instance_id(1);
    let key = uuid::Uuid::new_v4().to_string();
    let page = bob
        .post_htmx(
            &url,
            &[
                ("action", "reboot"),
                ("type", "soft"),
                ("instance", &second),
                ("idempotency_key", &key),
            ],
        )
        .await;
    assert!(page.status.is_success(), "htmx with X-CSRF-Token: {} {}", page.status, page.body);
}

#[tokio::test]
async fn another_teams_ids_answer_404_like_ids_that_do_not_exist() {
    let app = TestApp::start_default().await;
    let (a, b) = (app.team.id, app.other.id);
    let mut oscar = app.client(Persona::OtherOwner).await;
    let b_batch = {
        let url = format!("/teams/{b}/actions");
        let page =
            support::post_action(&mut oscar, &url, "reboot", &[&app.other.instance_id(0)]).await;
        assert_eq!(page.status.as_u16(), 303, "oscar reboots in his team: {}", page.body);
        support::batch_of(&page).expect("a batch id")
    };
    support::finish_jobs(&app).await;
    let mut alice = app.client(Persona::Owner).await;
    let a_batch = support::run_batch(&app, &mut alice, "reboot", &[&app.team.instance_id(0)]).await;
    let b_instance = app.other.instance_id(0);
    let nobody = uuid::Uuid::new_v4();

    let not_found = alice.get(&format!("/teams/{nobody}/instances")).await;
    assert_eq!(not_found.status.as_u16(), 404);
    let reference = not_found.text("main h1");

    for path in [
        format!("/teams/{b}/instances"),
        format!("/teams/{b}/instances/{b_instance}"),
        format!("/teams/{b}/batches/{b_batch}"),
        format!("/teams/{b}/audit"),
        format!("/teams/{a}/instances/{b_instance}"),
        format!("/teams/{a}/instances/{b_instance}/row"),
        format!("/teams/{a}/batches/{b_batch}"),
        format!("/teams/{a}/batches/{nobody}"),
        format!("/teams/{a}/instances/0123456789abcdef01234567"),
        "/teams/not-a-uuid/instances".to_owned(),
    ] {
        let page = alice.get(&path).await;
        assert_eq!(page.status.as_u16(), 404, "{path}");
        assert_eq!(page.text("main h1"), reference, "{path} looks like any other 404");
    }
    // Each owner's dashboard shows their own team only.
    let dash = alice.get("/").await;
    assert_eq!(dash.count(&format!("article.team-card#team-{a}")), 1, "{}", dash.body);
    assert_eq!(dash.count(&format!("a[href^='/teams/{b}']")), 0, "alice sees nothing of team B");
    let dash = oscar.get("/").await;
    assert_eq!(dash.count(&format!("article.team-card#team-{b}")), 1);
    assert_eq!(dash.count(&format!("a[href^='/teams/{a}']")), 0, "oscar sees nothing of team A");

    // And the other way round.
    for path in [format!("/teams/{a}/instances"), format!("/teams/{a}/batches/{a_batch}")] {
        assert_eq!(oscar.get(&path).await.status.as_u16(), 404, "oscar: {path}");
    }

    // An action on another team's instance, through one's own team, reaches nobody.
    let before = app.sim.count_requests("BatchRebootServers");
    let page =
        support::post_action(&mut alice, &format!("/teams/{a}/actions"), "reboot", &[&b_instance])
            .await;
    assert_eq!(page.status.as_u16(), 404, "another team's instance id: {}", page.body);
    let page =
        support::post_action(&mut alice, &format!("/teams/{b}/actions"), "reboot", &[&b_instance])
            .await;
    assert_eq!(page.status.as_u16(), 404, "another team's action route");
    assert_eq!(app.sim.count_requests("BatchRebootServers"), before, "no cloud call");
}

#[tokio::test]
async fn a_viewers_action_is_refused_logged_as_a_denial_and_never_sent() {
    let app = TestApp::start_default().await;
    let mut carol = app.client(Persona::Viewer).await;
    let url = format!("/teams/{}/actions", app.team.id);
    let page = support::post_action(&mut carol, &url, "reboot", &[&app.team.instance_id(0)]).await;
    assert_eq!(page.status.as_u16(), 403);
    assert_eq!(page.count("main h1"), 1, "a full error page: {}", page.body);

    let denials = lightdeck_domain::security_log::list(app.db.pool(), None, 50).await.unwrap();
    let carol_id = app.user(Persona::Viewer).id;
    assert!(
        denials.iter().any(|e| e.kind == lightdeck_domain::security_log::Kind::RequestDenied
            && e.user_id == Some(carol_id)),
        "the denial is in the security log: {denials:?}"
    );
    let audit = app.audit(app.team.id).await;
    assert!(
        audit.iter().all(|e| e.actor_user_id != Some(carol_id)),
        "nothing of it in the team's audit chain: {audit:?}"
    );
    assert_eq!(app.sim.count_requests("BatchRebootServers"), 0);
    assert!(support::all_action_states(&app).await.is_empty());
}
