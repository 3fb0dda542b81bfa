//! "My account": the places you are signed in, each with its browser in words, and
//! signing them out; your recent sign-ins and failed attempts. An ended session stops at
//! its next request, whatever its own (opaque) session row says.

use axum::http::StatusCode;
use time::Duration;
use uuid::Uuid;

use crate::core_support::{Client, PASSWORD, TestApp};

const WINDOWS_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// A client of `app` from `ip` with `agent`, signed in as `login` (then a second passes).
async fn signed_in(app: &TestApp, login: &str, ip: &str, agent: &str) -> Client {
    let mut c = app.client().with_ip(ip).with_header("user-agent", agent);
    assert_eq!(c.sign_in(login, PASSWORD).await.status, StatusCode::SEE_OTHER, "{login}");
    // Sign-ins a second apart keep [`rows`] in sign-in order.
    app.clock.advance(Duration::seconds(1));
    c
}

/// (registry id, ended reason) of `user`'s rows, oldest first.
async fn rows(app: &TestApp, user: Uuid) -> Vec<(Uuid, Option<String>)> {
    sqlx::query_as(
        "select id, ended_reason from user_sessions where user_id = $1 order by signed_in_at, id",
    )
    .bind(user)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

/// The registry id of the only other session the account page offers to sign out.
fn other_session(page: &crate::core_support::Resp) -> String {
    let ids = page.attrs("form[action='/account/sessions/end'] input[name=session]", "value");
    assert_eq!(ids.len(), 1, "{}", page.body);
    ids[0].clone()
}

#[tokio::test]
async fn two_sessions_are_listed_and_one_signs_the_other_out() {
    let app = TestApp::new().await;
    let carol = app.user("carol").await;
    let mut laptop = signed_in(&app, "carol", "192.0.2.10", WINDOWS_CHROME).await;
    let mut phone = signed_in(&app, "carol", "198.51.100.20", IPHONE_SAFARI).await;

    let page = laptop.get("/account").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let listed = page.texts("table.sessions tbody tr");
    assert_eq!(listed.len(), 2, "{listed:?}");
    let this = page.text("table.sessions tr.current").unwrap();
    assert!(this.contains("Chrome on Windows") && this.contains("192.0.2.10"), "{this}");
    assert!(this.contains("this session"), "{this}");
    assert!(listed.iter().any(|r| r.contains("Safari on iPhone") && r.contains("198.51.100.20")));
    assert_eq!(page.count("form#end-others"), 1);
    // Neither cookie (the session id) appears anywhere in the page.
    for cookie in [laptop.session_cookie().unwrap(), phone.session_cookie().unwrap()] {
        assert!(!page.body.contains(&cookie), "a session id in the page");
    }
    let ids: Vec<String> = sqlx::query_scalar("select id from tower_sessions.session")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(ids.iter().all(|id| !page.body.contains(id.as_str())));

    let phone_id = other_session(&page);
    assert_eq!(phone.get("/account").await.status, StatusCode::OK);
    let done = laptop.post_form("/account/sessions/end", &[("session", &phone_id)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = laptop.get(done.location().unwrap()).await;
    assert!(after.text("div.flash.ok").unwrap().contains("signed out"));
    assert_eq!(after.count("table.sessions tbody tr"), 1);
    assert!(phone.get("/account").await.is_login_redirect(), "the phone is signed out");
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK, "the laptop stays");
    let reasons: Vec<Option<String>> =
        rows(&app, carol.id).await.into_iter().map(|r| r.1).collect();
    assert_eq!(reasons, [None, Some("ended_elsewhere".to_owned())]);

    // The same id again (already ended), this session's own, another's: 404; no id: 422.
    let again = laptop.post_form("/account/sessions/end", &[("session", &phone_id)]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let own = rows(&app, carol.id).await[0].0.to_string();
    let own = laptop.post_form("/account/sessions/end", &[("session", &own)]).await;
    assert_eq!(own.status, StatusCode::NOT_FOUND);
    let none = laptop.post_form("/account/sessions/end", &[("session", "not-an-id")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text("div.flash.error").is_some(), "{}", none.body);
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn another_users_session_is_not_found_and_nothing_ends() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let dave = app.user("dave").await;
    let mut carol = signed_in(&app, "carol", "192.0.2.10", WINDOWS_CHROME).await;
    let mut daves = signed_in(&app, "dave", "192.0.2.11", IPHONE_SAFARI).await;
    let id = rows(&app, dave.id).await[0].0.to_string();
    let refused = carol.post_form("/account/sessions/end", &[("session", &id)]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(rows(&app, dave.id).await[0].1, None);
    assert_eq!(daves.get("/account").await.status, StatusCode::OK);
    // Dave's page lists only dave's session.
    assert!(carol.get("/account").await.texts("table.sessions tbody tr").len() == 1);
}

#[tokio::test]
async fn everywhere_else_ends_all_but_this_one_and_sign_out_ends_the_row() {
    let app = TestApp::new().await;
    let carol = app.user("carol").await;
    let mut a = signed_in(&app, "carol", "192.0.2.1", WINDOWS_CHROME).await;
    let mut b = signed_in(&app, "carol", "192.0.2.2", IPHONE_SAFARI).await;
    let mut c = signed_in(&app, "carol", "192.0.2.3", "curl/8.5.0").await;
    let page = a.get("/account").await;
    assert_eq!(page.count("table.sessions tbody tr"), 3);
    assert!(page.body.contains("curl"), "{}", page.body);
    let done = a.post_form("/account/sessions/end-others", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(b.get("/account").await.is_login_redirect());
    assert!(c.get("/account").await.is_login_redirect());
    let page = a.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("table.sessions tbody tr"), 1);
    assert_eq!(page.count("form#end-others"), 0, "nothing else to end");

    assert_eq!(a.sign_out().await.status, StatusCode::SEE_OTHER);
    let reasons: Vec<Option<String>> =
        rows(&app, carol.id).await.into_iter().map(|r| r.1).collect();
    let want = ["signed_out", "ended_elsewhere", "ended_elsewhere"].map(|r| Some(r.to_owned()));
    assert_eq!(reasons, want);
}

#[tokio::test]
async fn a_session_saved_again_after_it_ended_stays_ended() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut laptop = signed_in(&app, "carol", "192.0.2.10", WINDOWS_CHROME).await;
    let mut phone = signed_in(&app, "carol", "198.51.100.20", IPHONE_SAFARI).await;
    let cookie = phone.session_cookie().unwrap();
    // The phone's session row as a request that loaded it before the end would save it.
    let (data, expiry): (Vec<u8>, time::OffsetDateTime) =
        sqlx::query_as("select data, expiry_date from tower_sessions.session where id = $1")
            .bind(&cookie)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let restore = || async {
        sqlx::query(
            "insert into tower_sessions.session (id, data, expiry_date) values ($1, $2, $3) \
             on conflict (id) do update set data = excluded.data, expiry_date = excluded.expiry_date",
        )
        .bind(&cookie)
        .bind(&data)
        .bind(expiry)
        .execute(app.db.pool())
        .await
        .unwrap();
    };
    let id = other_session(&laptop.get("/account").await);
    let done = laptop.post_form("/account/sessions/end", &[("session", &id)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    restore().await;
    assert!(phone.get("/account").await.is_login_redirect(), "written back, still ended");
    restore().await;
    phone.set_session_cookie(&cookie);
    assert!(phone.get("/account").await.is_login_redirect(), "and again");
}

#[tokio::test]
async fn idle_sessions_are_not_listed_and_expiry_ends_the_row() {
    let app = TestApp::new().await;
    let carol = app.user("carol").await;
    let mut a = signed_in(&app, "carol", "192.0.2.1", WINDOWS_CHROME).await;
    let _b = signed_in(&app, "carol", "192.0.2.2", IPHONE_SAFARI).await;
    app.clock.advance(Duration::minutes(20));
    assert_eq!(a.get("/account").await.status, StatusCode::OK); // a is seen (touched)
    app.clock.advance(Duration::minutes(15));
    // b has been idle 35 minutes (the limit is 30): not listed, although it never came back.
    let page = a.get("/account").await;
    assert_eq!(page.count("table.sessions tbody tr"), 1, "{}", page.body);
    app.clock.advance(Duration::minutes(31));
    assert!(a.get("/account").await.is_login_redirect());
    assert_eq!(rows(&app, carol.id).await[0].1.as_deref(), Some("expired"));
    // Signing in again ends the abandoned one too.
    signed_in(&app, "carol", "192.0.2.3", WINDOWS_CHROME).await;
    let reasons: Vec<Option<String>> =
        rows(&app, carol.id).await.into_iter().map(|r| r.1).collect();
    assert_eq!(reasons, [Some("expired".to_owned()), Some("expired".to_owned()), None]);
}

#[tokio::test]
async fn the_history_lists_failed_attempts_and_sign_ins_with_their_address() {
    let app = TestApp::new().await;
    app.user("carol").await;
    app.user("dave").await;
    let mut stranger = app.client().with_ip("203.0.113.66").with_header("user-agent", "curl/8.5.0");
    assert_eq!(
        stranger.sign_in("carol", "not the password").await.status,
        StatusCode::UNAUTHORIZED
    );
    // Someone else's failure is not carol's business.
    let mut other = app.client().with_ip("203.0.113.77");
    assert_eq!(other.sign_in("dave", "not the password").await.status, StatusCode::UNAUTHORIZED);
    app.clock.advance(Duration::minutes(1));
    let mut carol = signed_in(&app, "carol", "192.0.2.44", WINDOWS_CHROME).await;

    let page = carol.get("/account").await;
    let lines = page.texts("table.history tbody tr");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("signed in") && lines[0].contains("192.0.2.44"), "{lines:?}");
    assert!(lines[0].contains("Chrome on Windows"), "{lines:?}");
    assert!(lines[1].contains("wrong password") && lines[1].contains("203.0.113.66"), "{lines:?}");
    assert!(!page.body.contains("203.0.113.77"));
    assert_eq!(page.count("table.history tr.failed"), 1);

    // The page in Chinese names the same things in Chinese.
    let zh = carol.post_form("/language", &[("lang", "zh-CN"), ("next", "/account")]).await;
    assert_eq!(zh.status, StatusCode::SEE_OTHER);
    let page = carol.get("/account").await;
    assert!(page.body.contains("密码错误") && page.body.contains("Windows 上的 Chrome"));
}
