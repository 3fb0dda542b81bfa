//! The lifecycle pages in the browser, as alice (owner): she renews an instance for a year
//! from its summary and watches the order to its end, resets its password with one the
//! panel makes (shown once, with a copy button), and opens the unsubscribe page, where a
//! wrong name is refused beside its field. Every page passes axe-core, and on a phone
//! none scrolls sideways.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use lightdeck_tests::TestApp;
use lightdeck_tests::app::PASSWORD;
use lightdeck_tests::browser::{self, Browser};

use crate::browser::{Step, accessible, click, displayed, fits_a_phone, go};

pub(crate) async fn renew_and_reset(app: &TestApp, b: &Browser, id: &str) -> Step {
    let team = format!("{}/teams/{}", app.base_url, app.team.id);
    go(b, &format!("{team}/renewals/new?instance={id}")).await?;
    b.wait_for("#renew-period").await?;
    accessible(b, "the renewal form").await?;
    click(b, "#renew-period option[value='1y']").await?;
    click(b, "form[aria-labelledby=renew-form-heading] button[type=submit]").await?;
    b.wait_for(".renew-summary td, .renew-summary li").await?;
    if b.client.find_all(Locator::Css("td.expires-after")).await.map_err(|e| e.to_string())?.len()
        != 1
    {
        return Err("the renewal summary should show the new expiry of the one instance".into());
    }
    accessible(b, "the renewal summary").await?;
    click(b, ".renew-summary button[type=submit]").await?;
    until_done(app, b).await?;
    accessible(b, "a finished renewal's progress").await?;

    go(b, &format!("{team}/instances/{id}/password")).await?;
    b.wait_for("form#password-form").await?;
    accessible(b, "the password reset form").await?;
    click(b, "input[name=mode][value=generate]").await?;
    // Signed in minutes ago: the panel does not ask again; if it does, she types it.
    if !b
        .client
        .find_all(Locator::Css("#current-password"))
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        let field = b.wait_for("#current-password").await?;
        field.send_keys(PASSWORD).await.map_err(|e| e.to_string())?;
    }
    click(b, "form#password-form button[type=submit]").await?;
    let shown = b.wait_for("#generated-password").await?;
    let password = shown.text().await.map_err(|e| e.to_string())?;
    if lightdeck_huaweicloud::validate::new_password(&password).is_err() {
        return Err("the generated password breaks ECS's rules".to_owned());
    }
    if !displayed(b, "button.copy").await? {
        return Err("no copy button beside the generated password".to_owned());
    }
    click(b, "button.copy").await?;
    accessible(b, "the generated password page").await?;

    go(b, &format!("{team}/instances/{id}/unsubscribe")).await?;
    b.wait_for("#typed-name").await?;
    accessible(b, "the unsubscribe page").await?;
    let field = b.wait_for("#typed-name").await?;
    field.send_keys("not-its-name").await.map_err(|e| e.to_string())?;
    if let Some(p) = b
        .client
        .find_all(Locator::Css("#current-password"))
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
    {
        p.send_keys(PASSWORD).await.map_err(|e| e.to_string())?;
    }
    click(b, "form button.danger[type=submit]").await?;
    b.wait_for("#typed-name-error").await?;
    accessible(b, "the unsubscribe page refusing a wrong name").await?;
    team_pages(app, b, None).await
}

/// The orders list (with the renewal above in it), the members page and your account.
async fn team_pages(app: &TestApp, b: &Browser, phone: Option<()>) -> Step {
    let team = format!("{}/teams/{}", app.base_url, app.team.id);
    for (url, css, what) in [
        (format!("{team}/orders"), "table.orders", "the orders list"),
        (format!("{team}/members"), "table.members", "the members page"),
        (format!("{}/account", app.base_url), "form#password-change", "your account page"),
    ] {
        go(b, &url).await?;
        b.wait_for(css).await?;
        if phone.is_some() {
            fits_a_phone(b, what).await?;
        }
        accessible(b, what).await?;
    }
    Ok(())
}

pub(crate) async fn on_a_phone(app: &TestApp, b: &Browser, id: &str) -> Step {
    let team = format!("{}/teams/{}", app.base_url, app.team.id);
    go(b, &format!("{team}/renewals/new?instance={id}")).await?;
    b.wait_for("#renew-period").await?;
    fits_a_phone(b, "the renewal form").await?;
    click(b, "form[aria-labelledby=renew-form-heading] button[type=submit]").await?;
    b.wait_for(".renew-summary").await?;
    fits_a_phone(b, "the renewal summary").await?;
    accessible(b, "the renewal summary on a phone").await?;
    go(b, &format!("{team}/instances/{id}/password")).await?;
    b.wait_for("form#password-form").await?;
    fits_a_phone(b, "the password reset form").await?;
    go(b, &format!("{team}/instances/{id}/unsubscribe")).await?;
    b.wait_for("#typed-name").await?;
    fits_a_phone(b, "the unsubscribe page").await?;
    accessible(b, "the unsubscribe page on a phone").await?;
    team_pages(app, b, Some(())).await
}

/// Drives the cloud and the poller until the progress panel says the batch is done.
async fn until_done(app: &TestApp, b: &Browser) -> Step {
    b.wait_for("section.progress-panel").await?;
    let deadline = Instant::now() + browser::WAIT;
    loop {
        app.advance(time::Duration::seconds(5));
        lightdeck::workers::poll_once(&app.state.workers())
            .await
            .map_err(|e| format!("poller: {e}"))?;
        let done = b
            .client
            .find_all(Locator::Css("section.progress-panel[data-done=true]"))
            .await
            .map_err(|e| e.to_string())?;
        if !done.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err("the renewal's progress panel never showed it done".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
