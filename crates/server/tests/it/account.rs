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
