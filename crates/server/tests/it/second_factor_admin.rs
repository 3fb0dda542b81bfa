//! Other people's say over a second factor (issue 14): a team owner requires one of the
//! members (audited in the team's log), and members without one are sent to set it up
//! before they can act in that team; a site administrator resets someone's (audited in the
//! site's log), which ends that person's sessions. And the pages in Chinese, and the logs.

use crate::core_logs::{alone_in_a_child, capture_logs};
use crate::core_support;
use crate::second_factor::{PAGE, at_code_step, enrol, type_code};

use axum::http::StatusCode;
use core_support::{Client, PASSWORD, TestApp};
use lightdeck_domain::audit::{self, AuditFilter};
use lightdeck_domain::inventory::PageRequest;
use lightdeck_domain::policy::Role;
use lightdeck_domain::values::Language;
use lightdeck_testkit::{fixtures, totp_code};
use time::Duration;

async fn signed_in(app: &TestApp, login: &str) -> Client {
    let mut c = app.client();
    let resp = c.sign_in(login, PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{login}: {}", resp.body);
    c
}

#[tokio::test]
async fn a_team_that_requires_it_sends_members_without_one_to_set_it_up() {
    let app = TestApp::new().await;
    let pool = app.db.pool();
    let demo = fixtures::team(pool, "Demo").await;
    fixtures::user(pool, "alice").member_of(demo.id, Role::Owner).create().await;
    fixtures::user(pool, "bob").member_of(demo.id, Role::Operator).create().await;
    let members = format!("/teams/{}/members", demo.id);
    let setting = format!("{members}/second-factor");
    let instances = format!("/teams/{}/instances", demo.id);

    // Not without one of her own: it would shut alice out too. The reason is beside the choice.
    let mut alice = signed_in(&app, "alice").await;
    let refused = alice.post_form(&setting, &[("required", "yes")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.text("#team-second-factor-error").unwrap().contains("your own"));
    assert_eq!(
        refused.attr("#team-second-factor fieldset", "aria-describedby").as_deref(),
        Some("team-second-factor-error")
    );
    let odd = alice.post_form(&setting, &[("required", "maybe")]).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(odd.text("#team-second-factor-error").is_some());

    enrol(&app, &mut alice).await;
    let done = alice.post_form(&setting, &[("required", "yes")]).await;
    assert_eq!(done.location(), Some(format!("{members}?done=second-factor-required").as_str()));
    let page = alice.get(done.location().unwrap()).await;
    assert_eq!(page.attr("#team-second-factor input[value=yes]", "checked").as_deref(), Some(""));
    assert_eq!(page.count("tr.member .badge.second-factor"), 1, "alice's, not bob's");
    assert_eq!(alice.get(&instances).await.status, StatusCode::OK, "alice has one");

    // The team's audit log says it in a sentence.
    let filter = AuditFilter { action_prefix: Some("team.".to_owned()), ..AuditFilter::default() };
    let events = audit::list(pool, demo.id, &filter, &PageRequest::first(5)).await.unwrap().items;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "team.second_factor.required");
    let log = alice.get(&format!("/teams/{}/audit", demo.id)).await;
    let sentences = log.texts(".event .sentence");
    assert!(
        sentences.iter().any(|s| s.starts_with("alice required a second factor for team Demo")),
        "{sentences:?}"
    );

    // bob has none: every page and action of the team sends him to set it up, saying why.
    let mut bob = signed_in(&app, "bob").await;
    let sent = bob.get(&instances).await;
    let to = format!("{PAGE}?team={}", demo.id);
    assert_eq!((sent.status, sent.location()), (StatusCode::SEE_OTHER, Some(to.as_str())));
    let htmx = bob.get_htmx(&instances).await;
    assert_eq!(htmx.header("hx-redirect"), Some(to.as_str()));
    let action =
        bob.post_form(&format!("/teams/{}/actions", demo.id), &[("action", "reboot")]).await;
    assert_eq!(action.location(), Some(to.as_str()), "no action before he has one");
    let why = bob.get(&to).await;
    assert_eq!(
        why.text("#required-by").as_deref(),
        Some(
            "Team Demo asks every member to sign in with a second factor. Set one up here to \
             go on working in it."
        )
    );
    // The dashboard shows him none of the team's figures or activity either: a card says
    // why and links to setting one up.
    let home = bob.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let card = format!("article#team-{}", demo.id);
    assert_eq!(home.count(&format!("{card}.enrol-first")), 1, "{}", home.body);
    assert_eq!(home.attr(&format!("{card} a[href]"), "href").as_deref(), Some(to.as_str()));
    assert!(home.text(&format!("{card} .enrol-first-why")).unwrap().contains("second factor"));
    for data in [".team-figures", ".state-counts", ".attention-counts", ".activity", ".events"] {
        assert_eq!(home.count(&format!("{card} {data}")), 0, "{data} shown");
    }
    assert!(!home.body.contains("required a second factor"), "no audit sentence");
    // alice, who has one, sees the team's card as always.
    let hers = alice.get("/").await;
    assert_eq!(hers.count(&format!("{card}.enrol-first")), 0);
    assert_eq!(hers.count(&format!("{card} .team-figures")), 1, "{}", hers.body);
    // His own account and other pages stay open.
    assert_eq!(bob.get("/account").await.status, StatusCode::OK);
    enrol(&app, &mut bob).await;
    assert_eq!(bob.get(&instances).await.status, StatusCode::OK, "with one, he works again");

    // No longer required: recorded too.
    let off = alice.post_form(&setting, &[("required", "no")]).await;
    assert_eq!(off.location(), Some(format!("{members}?done=second-factor-not-required").as_str()));
    let events = audit::list(pool, demo.id, &filter, &PageRequest::first(5)).await.unwrap().items;
    assert_eq!(events[0].action, "team.second_factor.not_required");
}

#[tokio::test]
async fn a_site_administrator_resets_it_and_the_users_sessions_end() {
    let app = TestApp::new().await;
    let pool = app.db.pool();
    let carol = app.user("carol").await;
    let sam = fixtures::user(pool, "sam").site_admin(true).create().await;
    let mut carol_b = signed_in(&app, "carol").await;
    enrol(&app, &mut carol_b).await;

    let mut admin = signed_in(&app, "sam").await;
    let users = admin.get("/admin/users").await;
    let row = format!("tr#user-{}", carol.id);
    assert_eq!(users.count(&format!("{row} .badge.second-factor")), 1);
    let reset = format!("/admin/users/{}/second-factor/reset", carol.id);
    assert_eq!(users.count(&format!("form[action='{reset}']")), 1);
    let own = admin.post_form(&format!("/admin/users/{}/second-factor/reset", sam.id), &[]).await;
    assert_eq!(own.status, StatusCode::CONFLICT, "his own is turned off on his account page");

    let done = admin.post_form(&reset, &[]).await;
    assert_eq!(done.location(), Some("/admin/users?done=second-factor-reset"), "{}", done.body);
    assert!(carol_b.get("/account").await.is_login_redirect(), "her sessions ended");
    let flash = admin.get(done.location().unwrap()).await.text("div.flash.ok");
    assert!(flash.unwrap().contains("Their second factor is removed"));
    let page = admin.get("/admin/users").await;
    assert_eq!(page.count(&format!("{row} .badge.second-factor")), 0);
    let log = admin.get("/admin/audit").await;
    let sentences = log.texts("table.admin-audit tr.event");
    assert!(
        sentences.iter().any(|s| s.contains("sam") && s.contains("reset carol's second factor")),
        "{sentences:?}"
    );
    // Her password alone signs her in now, and she may set up a new one.
    let mut again = app.client();
    assert_eq!(again.sign_in("carol", PASSWORD).await.location(), Some("/"));

    // Reset again, with none on: the page says nothing changed, and her session goes on.
    let none = admin.post_form(&reset, &[]).await;
    assert_eq!(none.location(), Some("/admin/users?done=second-factor-none"));
    let flash = admin.get(none.location().unwrap()).await.text("div.flash.ok");
    assert!(flash.unwrap().contains("nothing changed"));
    assert_eq!(again.get("/account").await.status, StatusCode::OK, "her session goes on");
    let resets = lightdeck_domain::site::events(pool, None, 20).await.unwrap();
    let resets = resets.iter().filter(|e| e.action == "user.second_factor.reset").count();
    assert_eq!(resets, 1, "only the real reset is in the site log");
}

/// The pages of the second factor in Chinese: nothing missing from the catalog.
#[tokio::test]
async fn every_second_factor_page_speaks_chinese() {
    let app = TestApp::new().await;
    let pool = app.db.pool();
    let demo = fixtures::team(pool, "Demo").await;
    fixtures::user(pool, "mei")
        .language(Language::ZhCn)
        .member_of(demo.id, Role::Owner)
        .create()
        .await;
    let mut mei = signed_in(&app, "mei").await;
    let page = mei.get(PAGE).await;
    assert_eq!(page.text("h1").as_deref(), Some("第二重验证"));
    let shown = mei.post_form(&format!("{PAGE}/start"), &[]).await;
    assert_eq!(shown.text("h1").as_deref(), Some("设置第二重验证"));
    let enrolled = enrol(&app, &mut mei).await;
    mei.get(PAGE).await;
    mei.get(&format!("/teams/{}/members", demo.id)).await;
    mei.post_form(&format!("/teams/{}/members/second-factor", demo.id), &[("required", "yes")])
        .await;
    mei.get(&format!("/teams/{}/audit", demo.id)).await;
    mei.sign_out().await;
    let mut c = app.client().with_header("Accept-Language", "zh-CN");
    c.sign_in("mei", PASSWORD).await;
    let form = c.get("/login/code").await;
    assert_eq!(form.text("h1").as_deref(), Some("输入验证码"));
    let wrong = type_code(&mut c, "000000").await;
    assert!(wrong.text("#code-error").is_some());
    let code = totp_code(&enrolled.secret, app.clock.now());
    type_code(&mut c, &code).await;
    assert!(app.state.i18n.missing().is_empty(), "{:?}", app.state.i18n.missing());
}

/// Nothing that opens a second factor reaches the log: not the key, not the link of the QR
/// code, not a code typed or a recovery code shown.
#[tokio::test]
async fn second_factor_secrets_stay_out_of_the_logs() {
    if !alone_in_a_child("second_factor_admin::second_factor_secrets_stay_out_of_the_logs") {
        return;
    }
    let (buffer, _guard) = capture_logs();
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut carol = signed_in(&app, "carol").await;
    let enrolled = enrol(&app, &mut carol).await;
    carol.sign_out().await;
    let mut c = at_code_step(&app, "carol").await;
    let wrong = type_code(&mut c, "999999").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let code = totp_code(&enrolled.secret, app.clock.now());
    assert_eq!(type_code(&mut c, &code).await.status, StatusCode::SEE_OTHER);
    c.sign_out().await;
    app.clock.advance(Duration::seconds(30));
    let mut d = at_code_step(&app, "carol").await;
    assert_eq!(type_code(&mut d, &enrolled.recovery[0]).await.status, StatusCode::SEE_OTHER);

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("second factor due"), "the log does say what happened:\n{logs}");
    for secret in [enrolled.secret.as_str(), "otpauth", code.as_str(), "999999"]
        .into_iter()
        .chain(enrolled.recovery.iter().map(String::as_str))
    {
        assert!(!has_word(&logs, secret), "{secret} is in the log");
    }
}

/// `word` in `text` on its own: not inside a longer run of letters and digits (six digits
/// inside a timestamp's microseconds are not a code).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
