//! Running a team from the browser, with two browsers side by side: alice (owner) adds a new
//! person, eve, as an operator and copies her setup link; eve opens it in her own browser,
//! sets a password, signs in and reboots an instance. alice makes eve a viewer, and eve's
//! page, still open, can no longer reboot. Then carol, signed in twice, changes her password
//! in one browser and the other is signed out at its next click.

use lightdeck_tests::TestApp;
use lightdeck_tests::app::PASSWORD;
use lightdeck_tests::browser::Browser;

use crate::browser::{
    Step, accessible, click, displayed, evidence, go, programs_or_skip, reboot_the_ticked, sign_in,
    type_into,
};

const EVE_PASSWORD: &str = "eve's own long passphrase 7";
const CAROL_NEW_PASSWORD: &str = "carol's brand new passphrase 9";

#[tokio::test]
async fn a_new_operator_joins_acts_and_is_demoted_and_a_password_change_signs_out_elsewhere() {
    let Some(programs) = programs_or_skip() else { return };
    let app = TestApp::start_default().await;
    let alice = Browser::start(&programs).await;
    let other = Browser::start(&programs).await;
    let result = match scenario(&app, &alice, &other).await {
        Ok(()) => carol_changes_her_password(&app, &alice, &other).await,
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        let mut report = e;
        for (who, b) in [("first", &alice), ("second", &other)] {
            let evidence = evidence(b, &format!("team-{who}-browser.png")).await;
            report.push_str(&format!("\n{who} browser: {evidence}"));
        }
        alice.close().await;
        other.close().await;
        panic!("{report}");
    }
    alice.close().await;
    other.close().await;
}

async fn scenario(app: &TestApp, alice: &Browser, eve: &Browser) -> Step {
    let team = format!("{}/teams/{}", app.base_url, app.team.id);
    sign_in(app, alice, "alice").await?;
    go(alice, &format!("{team}/members")).await?;
    type_into(alice, "#new-login", "eve").await?;
    type_into(alice, "#new-name", "Eve Example").await?;
    click(alice, "#new-role option[value=operator]").await?;
    click(alice, "form#new-person button[type=submit]").await?;
    let link = alice.wait_for("#setup-link").await?.text().await.map_err(|e| e.to_string())?;
    if !link.contains("/setup/") {
        return Err(format!("the setup link does not look like one: {link:?}"));
    }
    if !displayed(alice, "button.copy[data-copy=setup-link]").await? {
        return Err("no copy button beside the setup link".to_owned());
    }
    click(alice, "button.copy[data-copy=setup-link]").await?;
    accessible(alice, "the members page with a new setup link").await?;

    // eve, in her own browser, sets her password through the link and signs in.
    go(eve, &link).await?;
    eve.wait_for("form#setup-form").await?;
    accessible(eve, "the setup page").await?;
    type_into(eve, "#new-password", EVE_PASSWORD).await?;
    type_into(eve, "#new-password-confirm", EVE_PASSWORD).await?;
    click(eve, "form#setup-form button[type=submit]").await?;
    eve.wait_for("form[action='/login']").await?;
    sign_in_with(app, eve, "eve", EVE_PASSWORD).await?;

    // She reboots a running instance.
    let running = app.team.running();
    let Some(id) = running.first() else {
        return Err("the test team has no running instance".to_owned());
    };
    go(eve, &format!("{team}/instances")).await?;
    click(eve, &format!("tr#row-{id} input[type=checkbox][name=instance]")).await?;
    reboot_the_ticked(app, eve, 1).await?;

    // alice makes her a viewer; eve's page is still open, with a tick and a Reboot button.
    let tick = format!("tr#row-{id} input[type=checkbox][name=instance]");
    let ticked = eve.wait_for(&tick).await?.prop("checked").await.map_err(|e| e.to_string())?;
    if ticked.as_deref() != Some("true") {
        click(eve, &tick).await?;
    }
    go(alice, &format!("{team}/members")).await?;
    let eve_id = app_user_id(app, "eve").await?;
    click(alice, &format!("#role-{eve_id} option[value=viewer]")).await?;
    click(alice, &format!("#member-{eve_id} form.member-role button[type=submit]")).await?;
    alice.wait_for(".flash.ok").await?;
    let role = alice.wait_for(&format!("#member-{eve_id} .role")).await?;
    let role = role.text().await.map_err(|e| e.to_string())?;
    if !role.to_lowercase().contains("viewer") {
        return Err(format!("eve's role after the change reads {role:?}"));
    }
    click(eve, "#actions-form button[name=action][value=reboot]").await?;
    let refusal = eve.wait_for("#flash .flash.error").await?;
    let text = refusal.text().await.map_err(|e| e.to_string())?;
    if text.trim().is_empty() {
        return Err("eve's refused reboot says nothing".to_owned());
    }
    // Her one reboot as an operator, and nothing since.
    let eve_id: uuid::Uuid = eve_id.parse().map_err(|e| format!("{e}"))?;
    let asked = app
        .audit(app.team.id)
        .await
        .into_iter()
        .filter(|e| e.actor_user_id == Some(eve_id) && e.action == "instance.reboot.requested")
        .count();
    if asked != 1 {
        return Err(format!(
            "eve asked for {asked} reboots; only the one before her demotion counts"
        ));
    }
    accessible(eve, "a viewer's refused reboot").await?;
    sign_out_here(eve).await?;
    sign_out_here(alice).await
}

/// carol signs in in both browsers, changes her password in the first, and the second is
/// sent to the sign-in page at its next request; the first stays signed in.
async fn carol_changes_her_password(app: &TestApp, first: &Browser, second: &Browser) -> Step {
    sign_in(app, first, "carol").await?;
    sign_in(app, second, "carol").await?;
    go(first, &format!("{}/account", app.base_url)).await?;
    type_into(first, "#current-password", PASSWORD).await?;
    type_into(first, "#new-password", CAROL_NEW_PASSWORD).await?;
    type_into(first, "#new-password-confirm", CAROL_NEW_PASSWORD).await?;
    click(first, "form#password-change button[type=submit]").await?;
    first.wait_for(".flash.ok").await?;
    accessible(first, "the account page after a password change").await?;
    browser_zone_fills_the_field(first).await?;

    go(second, &format!("{}/teams/{}/instances", app.base_url, app.team.id)).await?;
    second
        .wait_for("form[action='/login']")
        .await
        .map_err(|e| format!("carol's other browser is still signed in: {e}"))?;
    go(first, &format!("{}/teams/{}/instances", app.base_url, app.team.id)).await?;
    first
        .wait_for("table.instances")
        .await
        .map_err(|e| format!("the browser that changed the password was signed out: {e}"))?;
    Ok(())
}

async fn sign_in_with(app: &TestApp, b: &Browser, login: &str, password: &str) -> Step {
    go(b, &format!("{}/login", app.base_url)).await?;
    type_into(b, "form[action='/login'] input[name=login]", login).await?;
    type_into(b, "form[action='/login'] input[name=password]", password).await?;
    click(b, "form[action='/login'] button[type=submit]").await?;
    b.wait_for("form[action='/logout']")
        .await
        .map(|_| ())
        .map_err(|e| format!("{login} signs in with the password they set: {e}"))
}

async fn sign_out_here(b: &Browser) -> Step {
    crate::browser::sign_out(b).await
}

async fn app_user_id(app: &TestApp, login: &str) -> Result<String, String> {
    lightdeck_domain::users::find_by_login(app.db.pool(), login)
        .await
        .map_err(|e| e.to_string())?
        .map(|u| u.id.to_string())
        .ok_or_else(|| format!("no user {login} in the database"))
}

/// With a zone saved that is not the browser's, "Use this browser's time zone" appears and
/// puts the browser's own zone in the field.
async fn browser_zone_fills_the_field(b: &Browser) -> Step {
    type_into(b, "#profile-zone", "Pacific/Chatham").await?;
    click(b, "form#profile button[type=submit]").await?;
    b.wait_for(".flash.ok").await?;
    let own =
        crate::browser::run(b, "return Intl.DateTimeFormat().resolvedOptions().timeZone;").await?;
    let own = own.as_str().unwrap_or_default().to_owned();
    if own.is_empty() || own == "Pacific/Chatham" {
        return Ok(()); // nothing to offer in this browser
    }
    if !displayed(b, "#use-browser-zone").await? {
        return Err(format!("no \"use this browser's time zone\" button (browser: {own})"));
    }
    click(b, "#use-browser-zone").await?;
    let value =
        b.wait_for("#profile-zone").await?.prop("value").await.map_err(|e| e.to_string())?;
    if value.as_deref() != Some(own.as_str()) {
        return Err(format!("the zone field reads {value:?} after the click, not {own}"));
    }
    accessible(b, "the account page offering the browser's zone").await
}
