//! The cloud accounts page in the browser, as alice (owner): she connects cloudsim's second
//! account (the other team's, not yet connected to hers) with its AK/SK in both regions,
//! and its instances appear in the instances table at once. The accounts page, one
//! account's settings and the removal confirmation pass axe-core at desktop and phone width,
//! and on a phone none scrolls sideways.
//!
//! Without chromium and chromedriver the test says it skipped, unless
//! `LIGHTDECK_REQUIRE_BROWSER=1` (CI), where that is a failure.

use fantoccini::Locator;
use lightdeck_tests::TestApp;
use lightdeck_tests::browser::Browser;

use crate::browser::{
    Step, accessible, click, finish, fits_a_phone, go, programs_or_skip, sign_in, type_into,
};

#[tokio::test]
async fn alice_connects_an_account_and_its_instances_appear() {
    let Some(programs) = programs_or_skip() else { return };
    let app = TestApp::start_default().await;
    let b = Browser::start(&programs).await;
    let mut result = connect(&app, &b).await;
    if result.is_ok() {
        result = on_a_phone(&app, &b).await;
    }
    finish(b, "accounts.png", result).await;
}

async fn rows(b: &Browser, css: &str) -> Result<usize, String> {
    Ok(b.client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())?.len())
}

async fn connect(app: &TestApp, b: &Browser) -> Step {
    let team = format!("{}/teams/{}", app.base_url, app.team.id);
    sign_in(app, b, "alice").await?;
    go(b, &format!("{team}/instances")).await?;
    b.wait_for("table.instances").await?;
    let before = rows(b, "table.instances tbody tr[id^=row-]").await?;

    // The team's navigation leads there.
    click(b, &format!("nav.teams a[href='/teams/{}/accounts']", app.team.id)).await?;
    b.wait_for("table.cloud-accounts").await?;
    accessible(b, "the cloud accounts page").await?;

    // A wrong SK first: the cloud's refusal in words, nothing stored.
    // In clear only here, as `lightdeck sim` prints them.
    let credentials = app.sim.credentials_json();
    let sim = &credentials["accounts"][1];
    let (ak, sk) = (sim["ak"].as_str().unwrap_or_default(), sim["sk"].as_str().unwrap_or_default());
    type_into(b, "#f-name", "Second").await?;
    type_into(b, "#f-ak", ak).await?;
    type_into(b, "#f-sk", &"A".repeat(40)).await?;
    click(b, "#f-region-cn-north-4").await?;
    click(b, "#f-region-ap-southeast-1").await?;
    click(b, "form#connect-account button[type=submit]").await?;
    b.wait_for("[role=alert]").await?;
    accessible(b, "the accounts page refusing a wrong key").await?;

    // The form keeps the name, the AK and the regions; the SK is typed again.
    type_into(b, "#f-sk", sk).await?;
    click(b, "form#connect-account button[type=submit]").await?;
    b.wait_for("table.instances").await?;
    let after = rows(b, "table.instances tbody tr[id^=row-]").await?;
    if after <= before {
        return Err(format!("the table lists {after} instances after connecting, {before} before"));
    }
    let accounts: Vec<String> = crate::browser::texts(b, "table.instances td.account").await?;
    if !accounts.iter().any(|a| a.contains("Second")) {
        return Err(format!("no instance of the new account in the table: {accounts:?}"));
    }

    go(b, &format!("{team}/accounts/{}", app.team.account_id)).await?;
    b.wait_for("form#account-regions").await?;
    accessible(b, "an account's settings").await?;
    go(b, &format!("{team}/accounts/{}/remove", app.team.account_id)).await?;
    b.wait_for("form.account-remove").await?;
    accessible(b, "the removal confirmation").await
}

async fn on_a_phone(app: &TestApp, b: &Browser) -> Step {
    let team = format!("{}/teams/{}", app.base_url, app.team.id);
    b.emulate_phone().await?;
    for (url, css, what) in [
        (format!("{team}/accounts"), "table.cloud-accounts", "the cloud accounts page"),
        (format!("{team}/accounts/{}", app.team.account_id), "form#account-regions", "settings"),
        (
            format!("{team}/accounts/{}/remove", app.team.account_id),
            "form.account-remove",
            "the removal confirmation",
        ),
    ] {
        go(b, &url).await?;
        b.wait_for(css).await?;
        fits_a_phone(b, what).await?;
        accessible(b, &format!("{what} on a phone")).await?;
    }
    b.emulate_desktop().await
}
