//! The second factor in a real browser: alice cannot require one of her team without one of
//! her own (the members page says so beside the choice); carol sets it up from her account
//! page — the test reads the key the page shows and computes the codes from it, as her phone
//! would — keeps her recovery codes, signs out and signs in again with her password and a
//! code. On a phone she signs in with a code again, turns it off and sets it up anew; then
//! sam resets it from site administration; her team then requires one, and the dashboard
//! shows her its card asking her to set one up. Every page on the way passes axe-core (WCAG
//! 2.1 A/AA) at desktop width and on a 390 px phone, where none scrolls sideways.
//!
//! Without chromium and chromedriver the test says it skipped, unless
//! `LIGHTDECK_REQUIRE_BROWSER=1` (CI), where that is a failure.

use lightdeck_testkit::totp_code;
use lightdeck_tests::TestApp;
use lightdeck_tests::app::PASSWORD;
use lightdeck_tests::browser::Browser;
use time::Duration;

use crate::browser::{
    Step, accessible, click, finish, fits_a_phone, go, programs_or_skip, sign_in, sign_out,
    type_into,
};

#[tokio::test]
async fn carol_sets_up_a_second_factor_and_signs_in_with_it() {
    let Some(programs) = programs_or_skip() else { return };
    let app = TestApp::start_default().await;
    let b = Browser::start(&programs).await;
    let result = scenario(&app, &b).await;
    finish(b, "second-factor.png", result).await;
}

async fn scenario(app: &TestApp, b: &Browser) -> Step {
    an_owner_without_one_cannot_require_it(app, b).await?;
    sign_in(app, b, "carol").await?;
    let secret = enrol(app, b, "on a desktop").await?;
    sign_out(b).await?;
    sign_in_with_code(app, b, &secret, "on a desktop").await?;

    b.emulate_phone().await?;
    sign_out(b).await?;
    sign_in_with_code(app, b, &secret, "on a phone").await?;
    go(b, &format!("{}/account/second-factor", app.base_url)).await?;
    b.wait_for("#sf-state.sf-on").await?;
    phone_ok(b, "the second-factor page, on").await?;
    // Off with her password and a code; the forms say what is missing beside each field.
    click(b, "form#turn-off button[type=submit]").await?;
    b.wait_for("#turn-off-password-error").await?;
    b.wait_for("#turn-off-code-error").await?;
    phone_ok(b, "the turn-off form refusing empty fields").await?;
    type_into(b, "#turn-off-password", PASSWORD).await?;
    type_into(b, "#turn-off-code", &next_code(app, &secret)).await?;
    click(b, "form#turn-off button[type=submit]").await?;
    b.wait_for("form#start-enrolment").await?;
    phone_ok(b, "the second-factor page, off").await?;
    let secret = enrol(app, b, "on a phone").await?;
    sign_out(b).await?;
    sign_in_with_code(app, b, &secret, "on a phone").await?;
    b.emulate_desktop().await?;

    // sam resets it (a lost phone): carol is signed out, and signs in with her password.
    sign_out(b).await?;
    sign_in(app, b, "sam").await?;
    go(b, &format!("{}/admin/users", app.base_url)).await?;
    let carol = app.user(lightdeck_tests::Persona::Viewer).id;
    let reset = format!("tr#user-{carol} form[action$='/second-factor/reset'] button");
    b.wait_for(&reset).await?;
    accessible(b, "the users page with a second factor to reset").await?;
    b.emulate_phone().await?;
    phone_ok(b, "the users page with a second factor to reset").await?;
    b.emulate_desktop().await?;
    click(b, &reset).await?;
    b.wait_for("div.flash.ok").await?;
    sign_out(b).await?;

    // Her team now requires one (set here directly: its owner has none): she signs in with
    // her password, and the dashboard shows the team's card saying so, with no figures.
    sqlx::query("update teams set require_second_factor = true where id = $1")
        .bind(app.team.id)
        .execute(app.db.pool())
        .await
        .map_err(|e| e.to_string())?;
    sign_in(app, b, "carol").await?;
    go(b, &format!("{}/", app.base_url)).await?;
    b.wait_for(&format!("article#team-{}.enrol-first", app.team.id)).await?;
    accessible(b, "the dashboard of a team that requires a second factor").await?;
    b.emulate_phone().await?;
    phone_ok(b, "the dashboard of a team that requires a second factor").await?;
    b.emulate_desktop().await
}

/// alice (owner, no second factor) asks that every member have one: refused beside the
/// choice, since it would shut her out too.
async fn an_owner_without_one_cannot_require_it(app: &TestApp, b: &Browser) -> Step {
    sign_in(app, b, "alice").await?;
    go(b, &format!("{}/teams/{}/members", app.base_url, app.team.id)).await?;
    click(b, "#team-second-factor input[value=yes]").await?;
    click(b, "#team-second-factor button[type=submit]").await?;
    b.wait_for("#team-second-factor-error").await?;
    accessible(b, "the members page refusing to require a second factor").await?;
    b.emulate_phone().await?;
    phone_ok(b, "the members page refusing to require a second factor").await?;
    b.emulate_desktop().await?;
    sign_out(b).await
}

async fn phone_ok(b: &Browser, page: &str) -> Step {
    check(b, page, "on a phone").await
}

/// The code carol's phone shows once the clock has moved to the next 30-second step (a
/// code already accepted is refused, as it should be).
fn next_code(app: &TestApp, secret: &str) -> String {
    app.advance(Duration::seconds(30));
    totp_code(secret, app.now())
}

/// Whether the browser emulates a phone now (the page is at most that wide).
async fn on_a_phone(b: &Browser) -> Result<bool, String> {
    let width = crate::browser::run(b, "return window.innerWidth;").await?;
    Ok(width.as_u64().is_some_and(|w| w <= u64::from(lightdeck_tests::browser::PHONE.0)))
}

/// axe-core at the current width, and on a phone no sideways scrolling either.
async fn check(b: &Browser, page: &str, width: &str) -> Step {
    if on_a_phone(b).await? {
        fits_a_phone(b, page).await?;
    }
    accessible(b, &format!("{page} {width}")).await
}

/// carol, signed in, sets up a second factor from "Your account"; the key the page shows.
async fn enrol(app: &TestApp, b: &Browser, width: &str) -> Result<String, String> {
    go(b, &format!("{}/account", app.base_url)).await?;
    click(b, "a[href='/account/second-factor']").await?;
    b.wait_for("form#start-enrolment").await?;
    check(b, "the second-factor page, off", width).await?;
    click(b, "form#start-enrolment button[type=submit]").await?;
    let key = b.wait_for("#totp-secret").await?.text().await.map_err(|e| e.to_string())?;
    let secret: String = key.split_whitespace().collect();
    if secret.len() != 32 {
        return Err(format!("the key shown is not 160 bits of base32: {key:?}"));
    }
    b.wait_for("figure.qr svg").await?;
    check(b, "the enrolment page", width).await?;

    // A code that is not the app's: refused beside the field, the same key still shown.
    let right = totp_code(&secret, app.now());
    let wrong = if right == "000000" { "000001" } else { "000000" };
    type_into(b, "#enrol-code", wrong).await?;
    click(b, "form#confirm-enrolment button[type=submit]").await?;
    b.wait_for("#enrol-code-error").await?;
    check(b, "the enrolment page refusing a wrong code", width).await?;
    type_into(b, "#enrol-code", &right).await?;
    click(b, "form#confirm-enrolment button[type=submit]").await?;
    b.wait_for("#recovery-codes code").await?;
    let codes = crate::browser::texts(b, "#recovery-codes code").await?;
    if codes.len() != 10 {
        return Err(format!("{} recovery codes shown, not 10", codes.len()));
    }
    check(b, "the recovery codes", width).await?;
    click(b, "a[href='/account/second-factor']").await?;
    b.wait_for("#sf-state.sf-on").await?;
    Ok(secret)
}

/// Password first, then the code from the key.
async fn sign_in_with_code(app: &TestApp, b: &Browser, secret: &str, width: &str) -> Step {
    go(b, &format!("{}/login", app.base_url)).await?;
    type_into(b, "form[action='/login'] input[name=login]", "carol").await?;
    type_into(b, "form[action='/login'] input[name=password]", PASSWORD).await?;
    click(b, "form[action='/login'] button[type=submit]").await?;
    b.wait_for("form#second-step").await?;
    check(b, "the code page", width).await?;
    type_into(b, "#code", "12345").await?;
    click(b, "form#second-step button[type=submit]").await?;
    b.wait_for("#code-error").await?;
    check(b, "the code page refusing a wrong code", width).await?;
    type_into(b, "#code", &next_code(app, secret)).await?;
    click(b, "form#second-step button[type=submit]").await?;
    b.wait_for("form[action='/logout']")
        .await
        .map(|_| ())
        .map_err(|e| format!("carol signs in with her code {width}: {e}"))
}
