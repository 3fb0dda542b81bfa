//! Your own account: a password change needs the current password, names each problem
//! beside its field, and signs out every other session of the user (this one stays).

use crate::instances_support;

use axum::http::StatusCode;
use instances_support::{Env, PASSWORD};
use lightdeck_domain::policy::Role;

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let env = Env::new(1).await;
    let mut laptop = env.browser("carol", Role::Viewer).await;
    let mut phone = env.signed_in("carol").await;
    let instances = format!("/teams/{}/instances", env.team);
    assert_eq!(phone.get(&instances).await.status, StatusCode::OK);

    let page = laptop.get("/account").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.count("form#password-change"), 1);

    let new = "a much longer passphrase";
    let cases: [(&str, &str, &str, &str); 4] = [
        ("wrong password!", new, new, "#current-password-error"),
        (PASSWORD, "short", "short", "#new-password-error"),
        (PASSWORD, new, "a different passphrase", "#new-password-confirm-error"),
        ("", new, new, "#current-password-error"),
    ];
    for (current, typed, again, error) in cases {
        let fields = [
            ("current_password", current),
            ("new_password", typed),
            ("new_password_confirm", again),
        ];
        let refused = laptop.post_form("/account/password", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(refused.text(error).is_some(), "{error}: {}", refused.body);
        assert!(!refused.body.contains(typed) || typed.is_empty(), "passwords are not echoed");
    }
    assert_eq!(phone.get(&instances).await.status, StatusCode::OK, "nothing changed yet");

    let fields =
        [("current_password", PASSWORD), ("new_password", new), ("new_password_confirm", new)];
    let done = laptop.post_form("/account/password", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = laptop.get(done.header("location").unwrap()).await;
    assert!(page.text("div.flash.ok").unwrap().contains("signed out"));
    assert_eq!(laptop.get(&instances).await.status, StatusCode::OK, "this session stays");
    assert!(phone.get(&instances).await.is_login_redirect(), "the other session has ended");

    // The new password signs in; the old one no longer does.
    let mut again = lightdeck_testkit::Client::in_process(env.router.clone());
    assert_eq!(again.sign_in("carol", new).await.status, StatusCode::SEE_OTHER);
    let mut old = lightdeck_testkit::Client::in_process(env.router.clone());
    assert_eq!(old.sign_in("carol", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_account_page_is_for_signed_in_users_only() {
    let env = Env::new(1).await;
    let mut anonymous = lightdeck_testkit::Client::in_process(env.router.clone());
    assert!(anonymous.get("/account").await.is_login_redirect());
}

/// Every field's problem at once, in the reader's language; nothing saved, nothing huge
/// echoed.
#[tokio::test]
async fn profile_problems_are_named_beside_each_field_at_once() {
    let env = Env::new(1).await;
    let mut carol = env.browser("carol", Role::Viewer).await;
    let page = carol.get("/account").await;
    assert_eq!(page.count("form#profile"), 1);
    assert_eq!(page.attr("#profile-zone", "value").as_deref(), Some("UTC"), "en reads UTC");

    let huge = "x".repeat(10 * 1024);
    let fields =
        [("display_name", huge.as_str()), ("language", "fr"), ("time_zone", "Mars/Olympus")];
    let refused = carol.post_form("/account/profile", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["#profile-name-error", "#profile-language-error", "#profile-zone-error"] {
        assert!(refused.text(id).is_some(), "{id}: {}", refused.body);
    }
    assert!(!refused.body.contains(&huge), "a 10 KB value is not echoed");
    let fields = [("display_name", "Carol Chen"), ("language", "en"), ("time_zone", huge.as_str())];
    let refused = carol.post_form("/account/profile", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#profile-zone-error").is_some() && !refused.body.contains(&huge));
    assert_eq!(refused.attr("#profile-name", "value").as_deref(), Some("Carol Chen"), "kept");
    // Control characters are refused at the edge (`input.rs`), every such field named.
    let fields = [("display_name", "Carol\tChen"), ("language", "en\u{7}"), ("time_zone", "UTC")];
    let refused = carol.post_form("/account/profile", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = refused.text("ul.details").unwrap_or_default();
    assert!(details.contains("display_name") && details.contains("language"), "{details}");
    let saved: (String, Option<String>) =
        sqlx::query_as("select display_name, time_zone from users where login = 'carol'")
            .fetch_one(env.db.pool())
            .await
            .unwrap();
    assert_eq!(saved.1, None, "nothing saved");

    // In Chinese, the same problems in Chinese.
    let fields = [("display_name", ""), ("language", "zh-CN"), ("time_zone", "Asia/Nowhere")];
    let mut wei = env.browser("wei", Role::Viewer).await;
    assert_eq!(
        wei.post_form("/language", &[("lang", "zh-CN"), ("next", "/")]).await.status,
        StatusCode::SEE_OTHER
    );
    let refused = wei.post_form("/account/profile", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#profile-name-error").unwrap().contains("名字"));
    assert!(refused.text("#profile-zone-error").unwrap().contains("时区"));
    assert!(refused.text("#profile-language-error").is_none());
}

/// `YYYY-MM-DD HH:MM` at the start of `s`.
fn minute(s: &str) -> time::PrimitiveDateTime {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::PrimitiveDateTime::parse(s.get(..16).unwrap_or(s), &format)
        .unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

#[tokio::test]
async fn a_beijing_user_reads_every_time_in_beijing_time_with_the_zone_named() {
    let env = Env::new(1).await;
    let mut utc = env.browser("carol", Role::Viewer).await;
    let mut beijing = env.browser("dave", Role::Viewer).await;
    let fields =
        [("display_name", "Dave Li"), ("language", "en"), ("time_zone", " Asia/Shanghai ")];
    let saved = beijing.post_form("/account/profile", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = beijing.get(saved.header("location").unwrap()).await;
    assert!(page.text("div.flash.ok").is_some());
    assert_eq!(page.attr("#profile-zone", "value").as_deref(), Some("Asia/Shanghai"));
    assert!(page.text("p").unwrap_or_default().contains("Dave Li"), "the new name is used");

    let path = format!("/teams/{}/instances", env.team);
    let there = beijing.get(&path).await.text("span.last-sync").unwrap();
    let here = utc.get(&path).await.text("span.last-sync").unwrap();
    let (there, here) =
        (there.trim_start_matches("last read "), here.trim_start_matches("last read "));
    assert!(here.ends_with(" UTC"), "{here}");
    assert!(there.contains("+08 (Asia/Shanghai)"), "{there}");
    assert_eq!(minute(there) - minute(here), time::Duration::hours(8), "{there} vs {here}");

    // The sessions list on the account page is in the same zone.
    let account = beijing.get("/account").await;
    assert!(account.text("table.sessions tr.current").unwrap().contains("(Asia/Shanghai)"));
}

#[tokio::test]
async fn the_audit_log_is_read_in_the_readers_zone_with_seconds() {
    let env = Env::new(1).await;
    let mut erin = env.browser("erin", Role::Admin).await;
    let fields = [("display_name", "Erin"), ("language", "en"), ("time_zone", "Asia/Kolkata")];
    assert_eq!(erin.post_form("/account/profile", &fields).await.status, StatusCode::SEE_OTHER);
    let id = env.instances().await[0].instance_id.to_string();
    let done = env.act(&mut erin, "reboot", "soft", &[&id], "tz-audit", false).await;
    assert!(done.status.is_success(), "{}", done.body);
    let page = erin.get(&format!("/teams/{}/audit", env.team)).await;
    let shown = page.text("time.when").expect("an audit line with its time");
    // India is 5 h 30 min ahead, which no whole-hour mistake produces.
    assert!(shown.contains(" +05:30 (Asia/Kolkata)"), "{shown}");
    assert_eq!(shown.get(16..17), Some(":"), "seconds are kept: {shown}");
}
