//! The purchase page in the browser. alice (owner) follows "Buy instances" from the
//! instances page, picks an image (htmx swaps in its versions and plans), is told beside
//! the fields what is missing, reviews the summary and buys two instances paid at once;
//! the order completes in cloudsim, the poller brings them in, and they are in the
//! instances table with their numbered names. bob (operator) sees no purchase link and is
//! refused the page. Every step passes axe-core at desktop width and on a 375 px phone,
//! where none scrolls sideways.
//!
//! Without chromium and chromedriver the test says it skipped, unless
//! `LIGHTDECK_REQUIRE_BROWSER=1` (CI), where that is a failure.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use lightdeck_tests::app::PASSWORD;
use lightdeck_tests::browser::{self, Browser};
use lightdeck_tests::{Persona, TestApp};

use crate::browser::{
    Step, accessible, click, finish, fits_a_phone_of, go, programs_or_skip, run, sign_in, sign_out,
    texts, type_into,
};

#[tokio::test]
async fn alice_buys_two_instances_and_sees_them_bob_cannot_buy() {
    let Some(programs) = programs_or_skip() else { return };
    let app = TestApp::start_default().await;
    let b = Browser::start(&programs).await;
    let mut result = buy_two(&app, &b).await;
    if result.is_ok() {
        result = bob_cannot(&app, &b).await;
    }
    if result.is_ok() {
        result = on_a_small_phone(&app, &b).await;
    }
    finish(b, "purchase.png", result).await;
}

async fn count(b: &Browser, css: &str) -> Result<usize, String> {
    Ok(b.client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())?.len())
}

/// Chooses Ubuntu, waits for htmx to swap in its versions and plans, and picks the
/// smallest plan.
async fn choose_image_and_plan(b: &Browser) -> Step {
    click(b, "#f-image option[value='Ubuntu']").await?;
    b.wait_for("#f-version").await?;
    b.wait_for("input[name=plan_spec]").await?;
    click(b, "input[name=plan_spec][value='hf.small.1.linux']").await
}

/// Types the password when the summary asks for it (signed in minutes ago, it does not).
async fn password_if_asked(b: &Browser) -> Step {
    if count(b, "#current-password").await? > 0 {
        type_into(b, "#current-password", PASSWORD).await?;
    }
    Ok(())
}

async fn buy_two(app: &TestApp, b: &Browser) -> Step {
    buying(app, b).await.map_err(|e| format!("alice buying: {e}"))
}

async fn buying(app: &TestApp, b: &Browser) -> Step {
    let instances = format!("{}/teams/{}/instances", app.base_url, app.team.id);
    sign_in(app, b, "alice").await?;
    go(b, &instances).await?;
    b.wait_for("table.instances").await?;
    click(b, "a.buy-link").await?;
    b.wait_for("form#purchase-form").await?;
    accessible(b, "the purchase form").await?;
    if count(b, "input[name=plan_spec]").await? != 0 {
        return Err("plans are listed before an image is chosen".to_owned());
    }

    choose_image_and_plan(b).await?;
    accessible(b, "the purchase form with an image and a plan").await?;
    // Nothing named yet: refused beside the field, the rest kept.
    type_into(b, "#f-quantity", "2").await?;
    click(b, "form#purchase-form button.review").await?;
    b.wait_for("#f-name-error").await?;
    accessible(b, "the purchase form with a field error").await?;
    let kept = b.wait_for("input[name=plan_spec][value='hf.small.1.linux']").await?;
    if !kept.is_selected().await.map_err(|e| e.to_string())? {
        return Err("the chosen plan was lost on the way back".to_owned());
    }

    type_into(b, "#f-name", "shop").await?;
    click(b, "#f-tags").await?; // leaving the name asks htmx for the numbered names
    // htmx swaps the element itself: it is read in one script, never held.
    let deadline = Instant::now() + browser::WAIT;
    let read =
        "const p = document.getElementById('purchase-names'); return p ? p.textContent : '';";
    while !run(b, read).await?.as_str().unwrap_or_default().contains("shop-0002") {
        if Instant::now() > deadline {
            return Err("the numbered names never showed shop-0002".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(b, "form#purchase-form button.review").await?;
    b.wait_for(".purchase-summary").await?;
    let summary = texts(b, ".purchase-summary ul.summary li").await?.join("\n");
    for said in ["2 instances", "Ubuntu", "shop-0001", "shop-0002", "Paid at once"] {
        if !summary.contains(said) {
            return Err(format!("the summary does not say {said:?}:\n{summary}"));
        }
    }
    accessible(b, "the purchase summary").await?;
    password_if_asked(b).await?;
    click(b, "#purchase-confirm button.buy").await?;

    // The order completes in cloudsim; the poller follows it and brings the instances in.
    b.wait_for("section.progress-panel").await?;
    let deadline = Instant::now() + browser::WAIT;
    while count(b, "section.progress-panel[data-done=true]").await? == 0 {
        if Instant::now() > deadline {
            return Err("the purchase's progress panel never showed it done".to_owned());
        }
        app.advance(time::Duration::seconds(5));
        lightdeck::workers::poll_once(&app.state.workers())
            .await
            .map_err(|e| format!("poller: {e}"))?;
        tokio::time::sleep(Duration::from_millis(250)).await; // htmx's own 2 s refresh
    }
    if count(b, "section.progress-panel tr.item[data-state=succeeded]").await? == 0 {
        let said = texts(b, "section.progress-panel").await?.join(" ");
        return Err(format!("the purchase did not succeed: {said}"));
    }
    accessible(b, "a finished purchase's progress").await?;

    go(b, &instances).await?;
    b.wait_for("table.instances").await?;
    let rows = texts(b, "table.instances tbody tr").await?.join("\n");
    for name in ["shop-0001", "shop-0002"] {
        if !rows.contains(name) {
            return Err(format!("{name} is not in the instances table:\n{rows}"));
        }
    }
    sign_out(b).await
}

async fn bob_cannot(app: &TestApp, b: &Browser) -> Step {
    let team = format!("{}/teams/{}", app.base_url, app.team.id);
    sign_in(app, b, "bob").await?;
    go(b, &format!("{team}/instances")).await?;
    b.wait_for("table.instances").await?;
    if count(b, "a.buy-link, a[href$='/purchases/new']").await? != 0 {
        return Err("bob (operator) is offered the purchase".to_owned());
    }
    go(b, &format!("{team}/purchases/new")).await?;
    b.wait_for("main").await?;
    if count(b, "form#purchase-form").await? != 0 {
        return Err("bob (operator) is shown the purchase form".to_owned());
    }
    let mut http = app.client(Persona::Operator).await;
    let page = http.get(&format!("/teams/{}/purchases/new", app.team.id)).await;
    if page.status.as_u16() != 403 {
        return Err(format!("bob's GET of the purchase page answered {}", page.status));
    }
    sign_out(b).await
}

/// Every step again on a 375 px phone: it fits, and axe finds nothing. Nothing is bought.
async fn on_a_small_phone(app: &TestApp, b: &Browser) -> Step {
    let width = browser::SMALL_PHONE.0;
    let form = format!("{}/teams/{}/purchases/new", app.base_url, app.team.id);
    b.emulate_phone_of(browser::SMALL_PHONE).await?;
    sign_in(app, b, "alice").await?;
    go(b, &form).await?;
    b.wait_for("form#purchase-form").await?;
    fits_a_phone_of(b, "the purchase form", width).await?;
    accessible(b, "the purchase form on a phone").await?;
    choose_image_and_plan(b).await?;
    fits_a_phone_of(b, "the purchase form with its plans", width).await?;
    accessible(b, "the purchase form with its plans on a phone").await?;
    click(b, "form#purchase-form button.review").await?;
    b.wait_for("#f-name-error").await?;
    fits_a_phone_of(b, "the purchase form with a field error", width).await?;
    accessible(b, "the purchase form with a field error on a phone").await?;
    type_into(b, "#f-name", "phone").await?;
    type_into(b, "#f-tags", "env=test").await?;
    click(b, "form#purchase-form button.review").await?;
    b.wait_for(".purchase-summary").await?;
    fits_a_phone_of(b, "the purchase summary", width).await?;
    accessible(b, "the purchase summary on a phone").await?;
    sign_out(b).await?;
    b.emulate_desktop().await
}
