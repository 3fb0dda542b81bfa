//! The in-memory session, user and account cache (`lightdeck::auth_cache`) never outlives the
//! database: changes made by another process (plain SQL here, as another `lightdeck
//! serve` or the CLI would) reach every page view, and a lost notification connection
//! turns the cache off until it is back.

use lightdeck_tests::app::eventually;
use lightdeck_tests::{Client, Persona, TestApp};

/// Signs `persona` in and views the instances page until a view is answered from memory
/// (session, user and the team's accounts all hits, no query before the page's own); the
/// first views fill the cache, and a
/// notification from the sign-in itself may refuse a fill once. Returns the client and
/// the page's path.
async fn cached_client(app: &TestApp, persona: Persona) -> (Client, String) {
    let path = format!("/teams/{}/instances", app.team.id);
    let client = app.client(persona).await;
    let cache = app.state.auth_cache.clone();
    eventually("a page view is answered from memory", || {
        let (mut client, path, cache) = (client.clone(), path.clone(), cache.clone());
        async move {
            let before = cache.stats();
            assert_eq!(client.get(&path).await.status.as_u16(), 200);
            let after = cache.stats();
            after.live && after.misses == before.misses && after.hits == before.hits + 3
        }
    })
    .await;
    (client, path)
}

/// Waits until `client`'s view of `path` sends it to sign in.
async fn until_signed_out(client: &Client, path: &str, what: &str) {
    eventually(what, || {
        let mut client = client.clone();
        let path = path.to_owned();
        async move { client.get(&path).await.is_login_redirect() }
    })
    .await;
}

async fn sql(app: &TestApp, statement: &str, bind: uuid::Uuid) {
    sqlx::query(statement).bind(bind).execute(app.db.pool()).await.expect(statement);
}

#[tokio::test]
async fn a_session_deleted_elsewhere_stops_working_at_once() {
    let app = TestApp::start_default().await;
    let (mut bob, path) = cached_client(&app, Persona::Operator).await;
    // Another process signing bob out deletes the row; nothing in this process is told
    // but the notification.
    sqlx::query("delete from tower_sessions.session").execute(app.db.pool()).await.unwrap();
    until_signed_out(&bob, &path, "the deleted session is refused").await;
    assert!(bob.get(&path).await.is_login_redirect());
}

#[tokio::test]
async fn disabling_a_user_or_dropping_a_membership_elsewhere_applies_at_once() {
    let app = TestApp::start_default().await;
    let (carol, path) = cached_client(&app, Persona::Viewer).await;
    let carol_id = app.user(Persona::Viewer).id;
    sql(&app, "delete from memberships where user_id = $1", carol_id).await;
    eventually("a dropped membership hides the team", || {
        let mut carol = carol.clone();
        let path = path.clone();
        async move { carol.get(&path).await.status.as_u16() == 404 }
    })
    .await;

    let (mut bob, path) = cached_client(&app, Persona::Operator).await;
    sql(&app, "update users set disabled = true where id = $1", app.user(Persona::Operator).id)
        .await;
    until_signed_out(&bob, &path, "a disabled user is signed out").await;
    assert!(bob.get(&path).await.is_login_redirect());
}

#[tokio::test]
async fn a_lost_notification_connection_turns_the_cache_off_until_it_is_back() {
    let app = TestApp::start_default().await;
    let (mut alice, path) = cached_client(&app, Persona::Owner).await;
    let terminated: Vec<bool> = sqlx::query_scalar(
        "select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and query ilike 'listen%'",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(terminated, [true], "one listening connection");
    let cache = app.state.auth_cache.clone();
    eventually("the cache notices the lost connection", || {
        let stats = cache.stats();
        // Going offline forgets everything; a quick reconnect starts from empty too.
        async move { !stats.live || (stats.sessions == 0 && stats.users == 0) }
    })
    .await;
    eventually("the listener is back", || {
        let live = cache.stats().live;
        async move { live }
    })
    .await;
    // Pages still work, are cached again, and changes still arrive.
    assert_eq!(alice.get(&path).await.status.as_u16(), 200);
    let (alice, path) = cached_client(&app, Persona::Owner).await;
    sqlx::query("delete from tower_sessions.session").execute(app.db.pool()).await.unwrap();
    until_signed_out(&alice, &path, "the deleted session is refused after the reconnect").await;
}

#[tokio::test]
async fn an_account_renamed_or_synced_elsewhere_shows_at_once() {
    let app = TestApp::start_default().await;
    let (bob, path) = cached_client(&app, Persona::Operator).await;
    sql(
        &app,
        "update cloud_accounts set name = 'Renamed elsewhere' where id = $1",
        app.team.account_id,
    )
    .await;
    eventually("the new account name is on the page", || {
        let mut bob = bob.clone();
        let path = path.clone();
        async move { bob.get(&path).await.texts("td.account").iter().any(|n| n == "Renamed elsewhere") }
    })
    .await;
}

// My account's sessions registry: a session ended elsewhere (another process's "sign
// out", here plain SQL) stops at once although its user, with their live sessions, was
// answered from memory.
#[tokio::test]
async fn a_session_ended_in_the_registry_elsewhere_stops_at_once() {
    let app = TestApp::start_default().await;
    let (mut bob, path) = cached_client(&app, Persona::Operator).await;
    let (carol, carol_path) = cached_client(&app, Persona::Viewer).await;
    sql(
        &app,
        "update user_sessions set ended_at = now(), ended_reason = 'ended_elsewhere'
         where user_id = $1",
        app.user(Persona::Operator).id,
    )
    .await;
    until_signed_out(&bob, &path, "the ended session is refused").await;
    assert!(bob.get(&path).await.is_login_redirect());
    let mut carol = carol;
    assert_eq!(carol.get(&carol_path).await.status.as_u16(), 200, "another user's stays");
}
