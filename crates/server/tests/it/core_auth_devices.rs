//! Device cookies (issue 14): failures from elsewhere neither lock out nor slow down a
//! browser that has signed in as the user before; strangers' browsers get a per-login
//! slowdown instead of a lockout, and the per-address limits still hold.

use crate::core_support;

use axum::http::StatusCode;
use core_support::{Client, PASSWORD, Resp, TestApp};
use lightdeck_domain::security_log::{self, Kind};
use time::Duration;

const COOKIE: &str = "lightdeck_device";

/// The device cookie a response sets: its whole `Set-Cookie` and its value.
fn device_cookie(resp: &Resp) -> Option<(String, String)> {
    resp.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        let (name, rest) = c.split_once('=')?;
        let value = rest.split(';').next()?;
        name.ends_with(COOKIE).then(|| (c.to_owned(), value.to_owned()))
    })
}

/// A new browser at `ip` that sends `cookie` as its device cookie.
fn browser_with(app: &TestApp, ip: &str, cookie: &str) -> Client {
    app.client().with_ip(ip).with_header("cookie", &format!("{COOKIE}={cookie}"))
}

/// Wrong passwords for `login`, one from each of `n` addresses of 10.9.x.y.
async fn botnet(app: &TestApp, login: &str, n: usize) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for i in 0..n {
        let mut c = app.client().with_ip(&format!("10.9.{}.{}", i / 200, i % 200 + 1));
        statuses.push(c.sign_in(login, "a wrong guess").await.status);
    }
    statuses
}

#[tokio::test]
async fn an_attacker_cannot_lock_carol_out_of_her_own_browser() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut carol = app.client().with_ip("198.51.100.10");
    let resp = carol.sign_in("carol", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    let (set_cookie, value) = device_cookie(&resp).expect("a device cookie at sign-in");
    let lower = set_cookie.to_ascii_lowercase();
    for flag in ["httponly", "samesite=lax", "path=/", "max-age=31536000"] {
        assert!(lower.contains(flag), "{flag}: {set_cookie}");
    }
    assert!(!lower.contains("secure"), "plain http: no Secure flag: {set_cookie}");
    // `login-hash|nonce|mac`: keyed hashes and a random nonce, nothing readable.
    let parts: Vec<&str> = value.split('|').collect();
    assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [22, 22, 43], "{value}");
    assert!(!value.to_ascii_lowercase().contains("carol") && !value.contains(PASSWORD));
    let (key_id, sealed): (String, Vec<u8>) =
        sqlx::query_as("select key_id, sealed from device_cookie_key")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(!value.contains(&key_id), "no key id in the cookie");
    assert!(sealed.len() > 32, "the key is stored sealed");
    carol.sign_out().await;

    // The attack: 12 wrong passwords for carol from one address. Five are checked,
    // then that address is refused for carol.
    let mut attacker = app.client().with_ip("203.0.113.66");
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(attacker.sign_in("carol", "a wrong guess").await.status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 7]);
    // And 12 more from as many addresses: five more are checked, then carol's login is
    // slowed down for browsers without her cookie.
    let statuses = botnet(&app, "carol", 12).await;
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 7]);

    // Carol's browser, with its device cookie, is not affected.
    let resp = carol.sign_in("carol", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(device_cookie(&resp).map(|c| c.1), Some(value.clone()), "renewed as it is");
    carol.sign_out().await;
    // Nor is it from the attacker's own address (say, the same café network).
    let mut at_cafe = browser_with(&app, "203.0.113.66", &value);
    assert_eq!(at_cafe.sign_in("carol", PASSWORD).await.status, StatusCode::SEE_OTHER);

    // A fresh browser elsewhere is slowed down, not locked out for 15 minutes.
    let mut fresh = app.client().with_ip("192.0.2.200");
    let resp = fresh.sign_in("carol", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = resp.header("retry-after").and_then(|v| v.parse().ok()).unwrap();
    assert!((1..=60).contains(&retry), "seconds, not minutes: {retry}");
    assert_eq!(
        resp.text(".notice.error").as_deref(),
        Some(
            "Too many failed sign-ins for this login from browsers it has not used before. \
             Try again in 60 seconds."
        )
    );
    app.clock.advance(Duration::seconds(retry + 1));
    let resp = fresh.sign_in("carol", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert!(device_cookie(&resp).is_some(), "the new browser is trusted from now on");

    // The security log names devices by a hash, never by the cookie.
    let events = security_log::list(app.db.pool(), None, 100).await.unwrap();
    assert!(events.iter().all(|e| !format!("{e:?}").contains(parts[1])));
    let devices: Vec<Option<String>> =
        sqlx::query_scalar("select device from security_log where device is not null")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert!(devices.is_empty(), "carol's browser never failed: {devices:?}");
}

#[tokio::test]
async fn a_forged_damaged_or_other_users_device_cookie_counts_as_none() {
    let app = TestApp::new().await;
    app.user("carol").await;
    app.user("bob").await;
    let bob = app.client().with_ip("198.51.100.20").sign_in("bob", PASSWORD).await;
    let (_, bobs) = device_cookie(&bob).unwrap();
    let carols = device_cookie(&app.client().sign_in("carol", PASSWORD).await).unwrap().1;
    assert_eq!(botnet(&app, "carol", 10).await, [StatusCode::UNAUTHORIZED; 10]);

    let mut forged_mac = carols.clone();
    let last = if forged_mac.ends_with('A') { "B" } else { "A" };
    forged_mac.replace_range(forged_mac.len() - 1.., last);
    let (hash, rest) = carols.split_once('|').unwrap();
    let other_login_hash = format!("{}|{rest}", bobs.split('|').next().unwrap());
    assert_ne!(hash, bobs.split('|').next().unwrap());
    for cookie in [bobs.as_str(), &forged_mac, &other_login_hash, "garbage", "a|b|c", "||"] {
        let mut c = browser_with(&app, "192.0.2.50", cookie);
        let resp = c.sign_in("carol", PASSWORD).await;
        assert_eq!(resp.status, StatusCode::TOO_MANY_REQUESTS, "{cookie}: {}", resp.body);
    }
    // Bob's cookie is still good for bob, and carol's for carol.
    let mut as_bob = browser_with(&app, "192.0.2.50", &bobs);
    assert_eq!(as_bob.sign_in("bob", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let mut as_carol = browser_with(&app, "192.0.2.50", &carols);
    assert_eq!(as_carol.sign_in("carol", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_trusted_browser_has_its_own_limit_that_locks_only_itself() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut carol = app.client().with_ip("198.51.100.10");
    carol.sign_in("carol", PASSWORD).await;
    carol.sign_out().await;
    for _ in 0..10 {
        assert_eq!(carol.sign_in("carol", "typo typo").await.status, StatusCode::UNAUTHORIZED);
    }
    let resp = carol.sign_in("carol", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        resp.text(".notice.error").as_deref(),
        Some("Too many failed sign-ins. Try again in 15 minutes.")
    );
    let devices: Vec<String> =
        sqlx::query_scalar("select device from security_log where kind = 'sign_in_failed'")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(devices.len(), 10);
    assert!(devices.iter().all(|d| d.len() == 32 && d == &devices[0]), "{devices:?}");
    // Those failures were that browser's: another one, even at the same address, is fine.
    let mut other = app.client().with_ip("198.51.100.10");
    assert_eq!(other.sign_in("carol", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let throttled = app.security_events(Kind::SignInThrottled).await;
    assert_eq!(throttled, 1);
    app.clock.advance(Duration::minutes(15) + Duration::seconds(1));
    assert_eq!(carol.sign_in("carol", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_spraying_many_logins_is_still_stopped() {
    let app = TestApp::new().await;
    app.user("alice").await;
    let alices = device_cookie(&app.client().sign_in("alice", PASSWORD).await).unwrap().1;
    let mut sprayer = app.client().with_ip("192.0.2.7");
    for i in 0..10 {
        let resp = sprayer.sign_in(&format!("guess{i}"), "wrong password!").await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
    }
    for login in ["guess11", "alice"] {
        let resp = sprayer.sign_in(login, PASSWORD).await;
        assert_eq!(resp.status, StatusCode::TOO_MANY_REQUESTS, "{login}");
        assert_eq!(resp.header("retry-after"), Some("900"));
    }
    // A browser there that alice signed in with before is not refused with the address.
    let mut alice = browser_with(&app, "192.0.2.7", &alices);
    assert_eq!(alice.sign_in("alice", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn over_https_the_device_cookie_is_host_prefixed_and_secure() {
    let app = TestApp::with_config(lightdeck::config::AppConfig {
        public_url: Some("https://panel.example".into()),
        ..Default::default()
    })
    .await;
    app.user("carol").await;
    let resp = app.client().sign_in("carol", PASSWORD).await;
    let (set_cookie, _) = device_cookie(&resp).unwrap();
    assert!(set_cookie.starts_with("__Host-lightdeck_device="), "{set_cookie}");
    assert!(set_cookie.to_ascii_lowercase().contains("; secure"), "{set_cookie}");
    assert!(!set_cookie.to_ascii_lowercase().contains("domain="), "{set_cookie}");
}

#[tokio::test]
async fn a_device_key_no_master_key_opens_is_replaced_and_sign_ins_keep_working() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut carol = app.client();
    let old = device_cookie(&carol.sign_in("carol", PASSWORD).await).unwrap().1;
    carol.sign_out().await;
    // As after the master key that sealed it was dropped from the configuration.
    sqlx::query("update device_cookie_key set key_id = 'deadbeef'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let resp = carol.sign_in("carol", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let new = device_cookie(&resp).unwrap().1;
    assert_ne!(new, old, "the old cookie no longer verifies: a new device");
    let key_id: String = sqlx::query_scalar("select key_id from device_cookie_key")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_ne!(key_id, "deadbeef");
}

/// A stranger's guesses at /login do not lock a signed-in user out of the forms that ask
/// for their password again (here: changing it); their own wrong tries still do.
#[tokio::test]
async fn guesses_elsewhere_do_not_block_the_password_prompt_of_a_signed_in_user() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut carol = app.client().with_ip("198.51.100.20");
    assert_eq!(carol.sign_in("carol", PASSWORD).await.status, StatusCode::SEE_OTHER);
    botnet(&app, "carol", 12).await;
    let new = "carol's next passphrase 42";
    let fields =
        [("current_password", PASSWORD), ("new_password", new), ("new_password_confirm", new)];
    let changed = carol.post_form("/account/password", &fields).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);

    // Ten wrong current passwords from her own address, and the form says wait.
    let wrong = [
        ("current_password", "not it at all"),
        ("new_password", new),
        ("new_password_confirm", new),
    ];
    for _ in 0..10 {
        assert_eq!(carol.post_form("/account/password", &wrong).await.status.as_u16(), 422);
    }
    let right =
        [("current_password", new), ("new_password", PASSWORD), ("new_password_confirm", PASSWORD)];
    let held = carol.post_form("/account/password", &right).await;
    assert_eq!(held.status.as_u16(), 422, "throttled after her own ten failures");
}
