//! A real browser: headless Chromium through chromedriver. bob reboots two instances and
//! watches the progress panel (htmx, refreshing itself) reach success; alice finds "bob
//! rebooted …" in the audit log; carol sees no action buttons.
//!
//! Without chromium and chromedriver the test says it skipped, unless
//! `LIGHTDECK_REQUIRE_BROWSER=1` (CI), where that is a failure.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use lightdeck_tests::TestApp;
use lightdeck_tests::app::PASSWORD;
use lightdeck_tests::browser::{self, Browser, Programs};

#[tokio::test]
async fn bob_reboots_two_instances_alice_reads_it_carol_cannot() {
    let Some(programs) = Programs::find() else {
        assert!(
            !browser::required(),
            "the browser test needs chromium and chromedriver, and {}=1 says it must run",
            browser::REQUIRE_VAR
        );
        // Straight to stderr: the test harness would swallow println! of a passing test.
        let _ = writeln!(std::io::stderr().lock(), "{}", browser::SKIP_MESSAGE);
        return;
    };
    let app = TestApp::start_default().await;
    let browser = Browser::start(&programs).await;
    let result = scenario(&app, &browser).await;
    if let Err(e) = result {
        let shot = browser::failure_dir().join("reboot-audit-viewer.png");
        let saved = browser.screenshot_to(&shot).await;
        let source = browser.client.source().await.unwrap_or_default();
        browser.close().await;
        panic!(
            "{e}\nscreenshot: {} ({saved:?})\npage source:\n{}",
            shot.display(),
            source.chars().take(4000).collect::<String>()
        );
    }
    browser.close().await;
}

type Step = Result<(), String>;

async fn scenario(app: &TestApp, b: &Browser) -> Step {
    let instances = format!("{}/teams/{}/instances", app.base_url, app.team.id);

    // bob selects two instances and reboots them.
    sign_in(app, b, "bob").await?;
    go(b, &instances).await?;
    b.wait_for("table.instances").await?;
    bars_show_their_value(b, "table.instances td.traffic .progress > .bar").await?;
    let running = app.team.running();
    let picked = &running[..2];
    for id in picked {
        click(b, &format!("tr#row-{id} input[type=checkbox][name=instance]")).await?;
    }
    ticks_survive_a_table_reload(b, picked).await?;
    if let Ok(dir) = std::env::var(browser::SCREENSHOT_DIR_VAR) {
        b.screenshot_to(&PathBuf::from(dir).join("instances.png")).await?;
    }
    click(b, "#actions-form button[name=action][value=reboot]").await?;
    b.wait_for("#action-panel section.progress-panel").await?;

    // The panel polls by itself; the test moves the cloud's time and runs the poller.
    let deadline = Instant::now() + browser::WAIT;
    loop {
        app.advance(time::Duration::seconds(5));
        lightdeck::workers::poll_once(&app.state).await.map_err(|e| format!("poller: {e}"))?;
        let done = b
            .client
            .find_all(Locator::Css("#action-panel section.progress-panel[data-done=true]"))
            .await
            .map_err(|e| e.to_string())?;
        if !done.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            return Err("the progress panel did not show the batch as done".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(250)).await; // htmx's own 2 s refresh
    }
    let succeeded = b
        .client
        .find_all(Locator::Css("#action-panel tr.item[data-state=succeeded]"))
        .await
        .map_err(|e| e.to_string())?;
    if succeeded.len() != 2 {
        return Err(format!("expected 2 succeeded entries in the panel, saw {}", succeeded.len()));
    }
    sign_out(b).await?;

    // alice reads it in the audit log.
    sign_in(app, b, "alice").await?;
    go(b, &format!("{}/teams/{}/audit", app.base_url, app.team.id)).await?;
    b.wait_for("main").await?;
    let sentences = texts(b, "main .event .sentence").await?;
    if !sentences.iter().any(|s| s.starts_with("bob rebooted ")) {
        return Err(format!("no \"bob rebooted …\" in the audit log: {sentences:?}"));
    }
    sign_out(b).await?;

    // carol may look but not touch.
    sign_in(app, b, "carol").await?;
    go(b, &instances).await?;
    b.wait_for("table.instances").await?;
    for css in ["#actions-form", "button[name=action]", "input[type=checkbox][name=instance]"] {
        let found = b.client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())?;
        if !found.is_empty() {
            return Err(format!("carol (viewer) sees {css}"));
        }
    }
    sign_out(b).await
}

/// The table reloads itself (after a refresh, an action) and rows refresh themselves while
/// transitional; what the user ticked must still be ticked afterwards.
async fn ticks_survive_a_table_reload(b: &Browser, picked: &[String]) -> Step {
    b.client
        .execute(
            "document.getElementById('instance-table').setAttribute('data-old', '1');
             htmx.trigger(document.body, 'inventory-changed');",
            Vec::new(),
        )
        .await
        .map_err(|e| format!("triggering a table reload: {e}"))?;
    b.wait_for("#instance-table:not([data-old])").await?;
    for id in picked {
        let css = format!("tr#row-{id} input[type=checkbox][name=instance]");
        let checked = b.wait_for(&css).await?.is_selected().await.map_err(|e| e.to_string())?;
        if !checked {
            return Err(format!("{css} lost its tick when the table reloaded"));
        }
    }
    Ok(())
}

/// Every bar whose value class (`w-N`, N > 0) says it is partly full is drawn with a width.
async fn bars_show_their_value(b: &Browser, css: &str) -> Step {
    let bars = b.client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())?;
    let mut checked = 0;
    for bar in bars {
        let class = bar.attr("class").await.map_err(|e| e.to_string())?.unwrap_or_default();
        let filled = class
            .split_whitespace()
            .filter_map(|c| c.strip_prefix("w-"))
            .any(|n| n.parse::<u32>().is_ok_and(|n| n > 0));
        if !filled {
            continue;
        }
        let (_, _, width, height) = bar.rectangle().await.map_err(|e| e.to_string())?;
        if width < 1.0 || height < 1.0 {
            return Err(format!(
                "a bar with class \"{class}\" ({css}) is drawn {width}×{height} px: it shows nothing"
            ));
        }
        checked += 1;
    }
    if checked == 0 {
        return Err(format!("no partly full bar matches {css}"));
    }
    Ok(())
}

async fn go(b: &Browser, url: &str) -> Step {
    b.client.goto(url).await.map_err(|e| format!("opening {url}: {e}"))
}

async fn click(b: &Browser, css: &str) -> Step {
    let el = b.wait_for(css).await?;
    el.click().await.map_err(|e| format!("clicking {css}: {e}"))
}

async fn texts(b: &Browser, css: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for el in b.client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())? {
        out.push(el.text().await.map_err(|e| e.to_string())?);
    }
    Ok(out)
}

async fn sign_in(app: &TestApp, b: &Browser, login: &str) -> Step {
    go(b, &format!("{}/login", app.base_url)).await?;
    let user = b.wait_for("form[action='/login'] input[name=login]").await?;
    user.send_keys(login).await.map_err(|e| e.to_string())?;
    let password = b.wait_for("form[action='/login'] input[name=password]").await?;
    password.send_keys(PASSWORD).await.map_err(|e| e.to_string())?;
    click(b, "form[action='/login'] button[type=submit]").await?;
    // Signed in: the layout shows the sign-out form.
    b.wait_for("form[action='/logout']")
        .await
        .map(|_| ())
        .map_err(|e| format!("{login} signs in: {e}"))
}

async fn sign_out(b: &Browser) -> Step {
    click(b, "form[action='/logout'] button[type=submit]").await?;
    b.wait_for("form[action='/login']").await.map(|_| ())
}
