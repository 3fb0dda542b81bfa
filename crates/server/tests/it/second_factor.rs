//! The second factor over HTTP (issue 14): carol sets it up from her account page, signs in
//! with a code after her password, and the code step holds like the password does — a
//! wrong code is a throttled failed sign-in, a code is refused the second time, a recovery
//! code works once, the half-signed-in session opens nothing and expires. The secret is on
//! the enrolment page only. Codes are computed from the shown secret at the app's manual
//! clock, as a phone would.

use crate::core_support;

use axum::http::StatusCode;
use core_support::{Client, PASSWORD, Resp, TestApp};
use lightdeck_domain::security_log::{self, Kind};
use lightdeck_domain::{second_factor, site};
use lightdeck_testkit::totp_code;
use time::Duration;

/// Where setting up and changing the second factor happen.
pub(crate) const PAGE: &str = "/account/second-factor";

/// What carol's phone and drawer hold after enrolling.
pub(crate) struct Enrolled {
    pub secret: String,
    pub recovery: Vec<String>,
}

/// `client` (signed in) sets up a second factor through the pages, then the clock moves to
/// the next 30-second step so the confirming code is not the next one a test types.
pub(crate) async fn enrol(app: &TestApp, client: &mut Client) -> Enrolled {
    let shown = client.post_form(&format!("{PAGE}/start"), &[]).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let secret = shown.text("#totp-secret").expect("the key is shown").replace(' ', "");
    let code = totp_code(&secret, app.clock.now());
    let done = client.post_form(&format!("{PAGE}/confirm"), &[("code", &code)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let recovery = done.texts("#recovery-codes code");
    app.clock.advance(Duration::seconds(30));
    Enrolled { secret, recovery }
}

/// A new browser that typed `login`'s password and now stands at the code page.
pub(crate) async fn at_code_step(app: &TestApp, login: &str) -> Client {
    let mut c = app.client();
    let resp = c.sign_in(login, PASSWORD).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(resp.location(), Some("/login/code"), "the code is asked next");
    let form = c.get("/login/code").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    c
}

/// Types `code` at the code page; once signed in, the client learns the session's new CSRF
/// token (it rotates at sign-in), as a browser does from the next page.
pub(crate) async fn type_code(c: &mut Client, code: &str) -> Resp {
    let resp = c.post_form("/login/code", &[("code", code)]).await;
    if resp.status == StatusCode::SEE_OTHER {
        c.refresh_csrf().await;
    }
    resp
}

/// carol with a second factor, signed out; her secret and recovery codes.
async fn carol_enrolled(app: &TestApp) -> Enrolled {
    app.user("carol").await;
    let mut carol = app.client();
    carol.sign_in("carol", PASSWORD).await;
    let enrolled = enrol(app, &mut carol).await;
    carol.sign_out().await;
    enrolled
}

/// Every text column of the audit log and the security log, as one string.
async fn logged_text(app: &TestApp) -> String {
    sqlx::query_scalar(
        "select coalesce(string_agg(t, ' '), '') from (
           select row_to_json(a)::text as t from audit_events a
           union all select row_to_json(s)::text from security_log s) rows",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn carol_sets_it_up_and_the_key_is_shown_on_the_enrolment_page_only() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut carol = app.client();
    carol.sign_in("carol", PASSWORD).await;
    let account = carol.get("/account").await;
    assert!(account.text("#second-factor-state").unwrap().starts_with("Off"));
    let page = carol.get(PAGE).await;
    assert_eq!(page.count("form#start-enrolment"), 1, "{}", page.body);

    let shown = carol.post_form(&format!("{PAGE}/start"), &[]).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.count("figure.qr svg[role=img][aria-labelledby=qr-caption]"), 1);
    let secret = shown.text("#totp-secret").unwrap().replace(' ', "");
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    assert!(shown.header("cache-control").is_some_and(|v| v.contains("no-store")));

    // A wrong code: the same key again, the error beside the field.
    let right = totp_code(&secret, app.clock.now());
    let wrong = if right == "000000" { "000001" } else { "000000" };
    let refused = carol.post_form(&format!("{PAGE}/confirm"), &[("code", wrong)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#enrol-code-error").is_some(), "{}", refused.body);
    assert_eq!(refused.attr("#enrol-code", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(refused.text("#totp-secret").unwrap().replace(' ', ""), secret);
    let empty = carol.post_form(&format!("{PAGE}/confirm"), &[("code", "")]).await;
    assert!(empty.text("#enrol-code-error").is_some());

    let done = carol.post_form(&format!("{PAGE}/confirm"), &[("code", &right)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes = done.texts("#recovery-codes code");
    assert_eq!(codes.len(), 10);
    assert!(!done.body.contains(&secret), "the codes page does not repeat the key");

    // From now on neither the key nor a recovery code is on any page.
    for path in ["/account", PAGE, "/", "/account?done=profile"] {
        let page = carol.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains(&secret), "{path} shows the key");
        for code in &codes {
            assert!(!page.body.contains(code.as_str()), "{path} shows a recovery code");
        }
    }
    let page = carol.get(PAGE).await;
    assert!(page.text("#sf-state").unwrap().starts_with("On since"), "{}", page.body);
    assert_eq!(page.text("#recovery-left").as_deref(), Some("You have 10 recovery codes left."));
    let again = carol.post_form(&format!("{PAGE}/start"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "on already: turn it off first");

    // The site audit log has the event, and no log has a secret.
    let events = site::events(app.db.pool(), None, 10).await.unwrap();
    assert_eq!(events[0].action, "user.second_factor.enabled");
    let logged = logged_text(&app).await;
    assert!(!logged.contains(&secret));
    assert!(codes.iter().all(|c| !logged.contains(c.as_str())));
    assert!(app.state.i18n.missing().is_empty(), "{:?}", app.state.i18n.missing());
}

#[tokio::test]
async fn sign_in_asks_for_the_code_and_the_half_signed_in_session_opens_nothing() {
    let app = TestApp::new().await;
    let carol = carol_enrolled(&app).await;

    let mut c = app.client();
    let form = c.get("/login?next=/account").await;
    let csrf = form.attr("form[action='/login'] input[name=csrf]", "value").unwrap();
    let resp = c
        .post_raw(
            "/login",
            &[("csrf", &csrf), ("login", "carol"), ("password", PASSWORD), ("next", "/account")],
        )
        .await;
    assert_eq!(resp.location(), Some("/login/code"));
    // The password alone is no session with access.
    for path in ["/", "/account", PAGE] {
        assert!(c.get(path).await.is_login_redirect(), "{path} before the code");
    }
    assert!(c.post_form(&format!("{PAGE}/start"), &[]).await.is_login_redirect());

    let page = c.get("/login/code").await;
    assert_eq!(page.attr("#code", "autocomplete").as_deref(), Some("one-time-code"));
    let empty = type_code(&mut c, " ").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text("#code-error").is_some(), "beside the field: {}", empty.body);

    let code = totp_code(&carol.secret, app.clock.now());
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let resp = type_code(&mut c, &spaced).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(resp.location(), Some("/account"), "on to where she was going");
    assert_eq!(c.get("/account").await.status, StatusCode::OK);
    assert_eq!(app.security_events(Kind::SignInFailed).await, 0);
    // Signed in: the code page has nothing more to ask.
    assert_eq!(c.get("/login/code").await.location(), Some("/"));
}

#[tokio::test]
async fn a_code_is_refused_the_second_time_and_so_is_an_older_one() {
    let app = TestApp::new().await;
    let carol = carol_enrolled(&app).await;
    // At the start of a 30-second step, so the steps below are known.
    let at = app.clock.now().unix_timestamp();
    app.clock.advance(Duration::seconds(30 - at.rem_euclid(30)));
    let now = app.clock.now();
    let mut first = at_code_step(&app, "carol").await;
    assert_eq!(
        type_code(&mut first, &totp_code(&carol.secret, now)).await.status,
        StatusCode::SEE_OTHER
    );

    // Overheard and replayed in the same 30 seconds, from elsewhere.
    app.clock.advance(Duration::seconds(5));
    let mut replay = at_code_step(&app, "carol").await;
    let refused = type_code(&mut replay, &totp_code(&carol.secret, now)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.text("#code-error").unwrap().contains("used already"), "{}", refused.body);
    assert!(replay.get("/account").await.is_login_redirect());

    // The next step's code works; then the one before it is older than one accepted.
    app.clock.advance(Duration::seconds(30));
    let next = totp_code(&carol.secret, app.clock.now());
    assert_eq!(type_code(&mut replay, &next).await.status, StatusCode::SEE_OTHER);
    let mut third = at_code_step(&app, "carol").await;
    let older = type_code(&mut third, &totp_code(&carol.secret, now)).await;
    assert_eq!(older.status, StatusCode::UNAUTHORIZED);
    let failures = security_log::list(app.db.pool(), None, 10).await.unwrap();
    let reasons: Vec<(&str, Option<&str>)> = failures
        .iter()
        .filter(|e| e.kind == Kind::SignInFailed)
        .map(|e| (e.reason.as_str(), e.route.as_deref()))
        .collect();
    assert_eq!(
        reasons,
        [("second-factor code already used", Some("/login/code")); 2],
        "failed sign-ins, where the code is typed"
    );
}

#[tokio::test]
async fn wrong_codes_are_failed_sign_ins_under_the_password_throttle() {
    let app = TestApp::new().await;
    let carol = carol_enrolled(&app).await;
    let right = totp_code(&carol.secret, app.clock.now());
    let wrong = if right == "123456" { "654321" } else { "123456" };

    // Someone with carol's password, from one address and a browser she never used: five
    // guesses at the code, then that address is refused for carol (as for passwords).
    let mut c = app.client().with_ip("203.0.113.9");
    assert_eq!(c.sign_in("carol", PASSWORD).await.location(), Some("/login/code"));
    c.get("/login/code").await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(type_code(&mut c, wrong).await.status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    let throttled = type_code(&mut c, &right).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "even the right code waits");
    assert!(throttled.header("retry-after").is_some());
    assert!(throttled.text("p.notice.error").unwrap().contains("Too many failed sign-ins"));
    assert_eq!(app.security_events(Kind::SignInFailed).await, 5);
    // The password counts the same failures: no fresh guesses by starting again.
    let mut again = app.client().with_ip("203.0.113.9");
    assert_eq!(again.sign_in("carol", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);

    // Carol herself, elsewhere, is not held up.
    let mut carol_b = at_code_step(&app, "carol").await;
    assert_eq!(type_code(&mut carol_b, &right).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let app = TestApp::new().await;
    let carol = carol_enrolled(&app).await;
    let mut c = at_code_step(&app, "carol").await;
    let code = carol.recovery[0].to_uppercase();
    let resp = type_code(&mut c, &code).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(resp.location(), Some("/account/second-factor?done=recovery-used"));
    let page = c.get(resp.location().unwrap()).await;
    assert!(page.text("div.flash.ok").unwrap().contains("You have 9 left"), "{}", page.body);
    assert_eq!(page.text("#recovery-left").as_deref(), Some("You have 9 recovery codes left."));

    let mut again = at_code_step(&app, "carol").await;
    let refused = type_code(&mut again, &carol.recovery[0]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(type_code(&mut again, &carol.recovery[1]).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_code_step_ends_after_five_minutes_and_with_a_password_change() {
    let app = TestApp::new().await;
    let carol = carol_enrolled(&app).await;
    let mut c = at_code_step(&app, "carol").await;
    app.clock.advance(Duration::minutes(5) + Duration::seconds(1));
    let late = type_code(&mut c, &totp_code(&carol.secret, app.clock.now())).await;
    assert_eq!(late.location(), Some("/login?from=code-expired"));
    let page = c.get("/login?from=code-expired").await;
    assert!(page.text("p.notice").unwrap().contains("more than five minutes"));
    assert_eq!(c.get("/login/code").await.location(), Some("/login"), "nothing pending now");

    // Her password changed meanwhile (elsewhere): the half-signed-in session is over too.
    let mut c = at_code_step(&app, "carol").await;
    let user = lightdeck_domain::users::find_by_login(app.db.pool(), "carol").await.unwrap();
    let password = lightdeck_domain::values::Password::parse("another long password").unwrap();
    lightdeck_domain::users::change_password(app.db.pool(), user.unwrap().id, &password)
        .await
        .unwrap();
    let resp = type_code(&mut c, &totp_code(&carol.secret, app.clock.now())).await;
    assert_eq!(resp.location(), Some("/login?from=code-expired"));
}

#[tokio::test]
async fn new_recovery_codes_and_turning_it_off_need_the_password_and_a_code() {
    let app = TestApp::new().await;
    let carol = carol_enrolled(&app).await;
    let mut c = at_code_step(&app, "carol").await;
    type_code(&mut c, &totp_code(&carol.secret, app.clock.now())).await;
    app.clock.advance(Duration::seconds(30));
    let now_code = || totp_code(&carol.secret, app.clock.now());

    let off = format!("{PAGE}/disable");
    let refused = c.post_form(&off, &[("current_password", ""), ("code", "")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#turn-off-password-error").is_some(), "{}", refused.body);
    assert!(refused.text("#turn-off-code-error").is_some());
    assert!(refused.text("#new-codes-password-error").is_none(), "only the form sent");
    let refused =
        c.post_form(&off, &[("current_password", "not my password"), ("code", &now_code())]).await;
    assert!(refused.text("#turn-off-password-error").is_some());
    let refused = c.post_form(&off, &[("current_password", PASSWORD), ("code", "000000")]).await;
    let wrong_code = refused.text("#turn-off-code-error");
    assert!(wrong_code.is_some() && refused.text("#turn-off-password-error").is_none());

    let made = c
        .post_form(
            &format!("{PAGE}/recovery-codes"),
            &[("current_password", PASSWORD), ("code", &carol.recovery[0])],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let fresh = made.texts("#recovery-codes code");
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !carol.recovery.contains(c)));

    let done = c.post_form(&off, &[("current_password", PASSWORD), ("code", &now_code())]).await;
    assert_eq!(done.location(), Some("/account/second-factor?done=disabled"), "{}", done.body);
    let page = c.get(done.location().unwrap()).await;
    assert_eq!(page.count("form#start-enrolment"), 1);
    // Password only from now on.
    let mut later = app.client();
    assert_eq!(later.sign_in("carol", PASSWORD).await.location(), Some("/"));
    let actions: Vec<String> = site::events(app.db.pool(), None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "user.second_factor.disabled",
            "user.second_factor.recovery_codes_replaced",
            "user.second_factor.enabled"
        ]
    );
    // A wrong password and a wrong code were failed sign-ins (they count in the throttle).
    assert_eq!(app.security_events(Kind::SignInFailed).await, 2);
}

#[tokio::test]
async fn setting_it_up_in_a_session_left_open_asks_for_the_password_again() {
    let app = TestApp::new().await;
    app.user("carol").await;
    let mut carol = app.client();
    carol.sign_in("carol", PASSWORD).await;
    assert_eq!(carol.get(PAGE).await.count("#start-password"), 0, "just signed in");
    app.clock.advance(Duration::minutes(11));
    let page = carol.get(PAGE).await;
    assert_eq!(page.count("form#start-enrolment #start-password"), 1, "{}", page.body);
    let start = format!("{PAGE}/start");
    let refused = carol.post_form(&start, &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#start-password-error").is_some(), "{}", refused.body);
    let refused = carol.post_form(&start, &[("current_password", "not it at all")]).await;
    assert!(refused.text("#start-password-error").is_some());
    assert_eq!(app.security_events(Kind::SignInFailed).await, 1, "a wrong password counts");
    let shown = carol.post_form(&start, &[("current_password", PASSWORD)]).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.text("#totp-secret").is_some());
}

#[tokio::test]
async fn another_session_of_hers_never_sees_the_key_being_set_up() {
    let app = TestApp::new().await;
    let carol = app.user("carol").await;
    let mut here = app.client();
    here.sign_in("carol", PASSWORD).await;
    // A second session of carol's: a stolen cookie, say, while she scans the code.
    let mut there = app.client().with_ip("203.0.113.50");
    there.sign_in("carol", PASSWORD).await;

    let shown = here.post_form(&format!("{PAGE}/start"), &[]).await;
    let secret = shown.text("#totp-secret").unwrap().replace(' ', "");
    let confirm = format!("{PAGE}/confirm");
    let right = totp_code(&secret, app.clock.now());
    for code in ["", "000000", right.as_str()] {
        let resp = there.post_form(&confirm, &[("code", code)]).await;
        assert_eq!(resp.location(), Some("/account/second-factor?done=enrol-again"), "{code:?}");
        assert!(!resp.body.contains(&secret), "{code:?} showed the key");
    }
    let page = there.get("/account/second-factor?done=enrol-again").await;
    assert!(page.text("div.flash.ok").unwrap().contains("Start again"), "{}", page.body);
    assert!(!page.body.contains(&secret));
    assert!(!second_factor::status(app.db.pool(), carol.id).await.unwrap().on());

    // Her own session goes on: the key again beside a wrong code, then on with the right one.
    let again = here.post_form(&confirm, &[("code", "")]).await;
    assert_eq!(again.text("#totp-secret").unwrap().replace(' ', ""), secret);
    let done = here.post_form(&confirm, &[("code", &right)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(second_factor::status(app.db.pool(), carol.id).await.unwrap().on());
}

#[tokio::test]
async fn a_set_up_started_again_elsewhere_or_left_for_15_minutes_is_not_confirmed() {
    let app = TestApp::new().await;
    let carol = app.user("carol").await;
    let mut c = app.client();
    c.sign_in("carol", PASSWORD).await;
    let (start, confirm) = (format!("{PAGE}/start"), format!("{PAGE}/confirm"));

    // Started again in another browser of hers (a new key): the first one's page is over.
    let mut elsewhere = app.client();
    elsewhere.sign_in("carol", PASSWORD).await;
    let first = c.post_form(&start, &[]).await.text("#totp-secret").unwrap().replace(' ', "");
    let second =
        elsewhere.post_form(&start, &[]).await.text("#totp-secret").unwrap().replace(' ', "");
    assert_ne!(first, second);
    let late = c.post_form(&confirm, &[("code", &totp_code(&first, app.clock.now()))]).await;
    assert_eq!(late.location(), Some("/account/second-factor?done=enrol-again"));

    // Fifteen minutes after it started: neither shown again nor confirmed.
    let shown = c.post_form(&start, &[("current_password", PASSWORD)]).await;
    let secret = shown.text("#totp-secret").unwrap().replace(' ', "");
    app.clock.advance(Duration::minutes(15));
    let wrong = c.post_form(&confirm, &[("code", "")]).await;
    assert_eq!(wrong.location(), Some("/account/second-factor?done=enrol-again"));
    assert!(!wrong.body.contains(&secret));
    let right = c.post_form(&confirm, &[("code", &totp_code(&secret, app.clock.now()))]).await;
    assert_eq!(right.location(), Some("/account/second-factor?done=enrol-again"));
    assert!(!second_factor::status(app.db.pool(), carol.id).await.unwrap().on());
    assert!(site::events(app.db.pool(), None, 10).await.unwrap().is_empty(), "nothing turned on");
}

#[tokio::test]
async fn a_password_typed_while_signed_in_changes_nobody() {
    let app = TestApp::new().await;
    carol_enrolled(&app).await;
    app.user("dave").await;
    let mut c = app.client();
    c.sign_in("dave", PASSWORD).await;
    let csrf = c.csrf.clone().unwrap();
    // Signed in as dave, the sign-in form is posted with carol's password: nothing is checked
    // or started; the browser stays dave's.
    let resp =
        c.post_raw("/login", &[("csrf", &csrf), ("login", "carol"), ("password", PASSWORD)]).await;
    assert_eq!((resp.status, resp.location()), (StatusCode::SEE_OTHER, Some("/")));
    let account = c.get("/account").await;
    assert!(account.body.contains("dave"), "{}", account.body);
    assert_eq!(c.get("/login/code").await.location(), Some("/"));
    // Nor is a password tested that way: a wrong one is not even a failed sign-in.
    let csrf = c.csrf.clone().unwrap();
    let resp =
        c.post_raw("/login", &[("csrf", &csrf), ("login", "carol"), ("password", "a guess")]).await;
    assert_eq!(resp.location(), Some("/"));
    assert_eq!(app.security_events(Kind::SignInFailed).await, 0);
    c.sign_out().await;
    // Signed out, no half-done sign-in of carol's was left in the session.
    assert_eq!(c.get("/login/code").await.location(), Some("/login"));
}

#[tokio::test]
async fn disabled_or_reset_between_the_password_and_the_code_is_not_signed_in() {
    let app = TestApp::new().await;
    let carol = carol_enrolled(&app).await;
    let sam =
        lightdeck_testkit::fixtures::user(app.db.pool(), "sam").site_admin(true).create().await;
    let admin = site::SiteActor::command_line(sam.login.clone());
    let user =
        lightdeck_domain::users::find_by_login(app.db.pool(), "carol").await.unwrap().unwrap();

    let mut c = at_code_step(&app, "carol").await;
    site::set_disabled(app.db.pool(), user.id, true, &admin, app.clock.now()).await.unwrap();
    let resp = type_code(&mut c, &totp_code(&carol.secret, app.clock.now())).await;
    assert_eq!(resp.location(), Some("/login?from=code-expired"));
    assert!(c.get("/account").await.is_login_redirect());
    site::set_disabled(app.db.pool(), user.id, false, &admin, app.clock.now()).await.unwrap();

    let mut c = at_code_step(&app, "carol").await;
    assert!(second_factor::reset(app.db.pool(), user.id, &admin).await.unwrap());
    app.clock.advance(Duration::seconds(30));
    let resp = type_code(&mut c, &totp_code(&carol.secret, app.clock.now())).await;
    assert_eq!(resp.location(), Some("/login?from=code-expired"));
    assert!(c.get("/account").await.is_login_redirect());
    // Her password alone signs her in now.
    assert_eq!(app.client().sign_in("carol", PASSWORD).await.location(), Some("/"));
    assert_eq!(app.security_events(Kind::SignInFailed).await, 0, "no code was wrong");
}

#[tokio::test]
async fn a_wrong_code_is_named_in_her_sign_in_history() {
    let app = TestApp::new().await;
    let carol = carol_enrolled(&app).await;
    let mut c = at_code_step(&app, "carol").await;
    assert_eq!(type_code(&mut c, "000000").await.status, StatusCode::UNAUTHORIZED);
    let code = totp_code(&carol.secret, app.clock.now());
    let code = if code == "000000" { "000001".to_owned() } else { code };
    type_code(&mut c, &code).await;
    let page = c.get("/account").await;
    let results = page.texts("table.history tr.attempt.failed .result");
    assert_eq!(results, ["wrong second-factor code"], "{}", page.body);
}
