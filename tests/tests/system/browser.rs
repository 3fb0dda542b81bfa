//! A real browser: headless Chromium through chromedriver. bob reboots two instances and
//! watches the progress panel (htmx, refreshing itself) reach success; alice finds "bob
//! rebooted …" in the audit log and downloads it as CSV; carol sees no action buttons. Then
//! the same on a phone's 390 px screen: no page scrolls sideways, the instances are cards
//! with thumb-sized ticks, and bob reboots one from there. axe-core checks every page for
//! WCAG 2.1 A/AA problems at both sizes.
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
use serde_json::{Value, json};

#[tokio::test]
async fn bob_reboots_two_instances_alice_reads_it_carol_cannot() {
    let Some(programs) = programs_or_skip() else { return };
    let app = TestApp::start_default().await;
    let browser = Browser::start(&programs).await;
    let mut result = scenario(&app, &browser).await;
    if result.is_ok() {
        result = on_a_phone(&app, &browser).await;
    }
    finish(browser, "reboot-audit-viewer.png", result).await;
}

/// Chromium and chromedriver, or `None` after saying the test skipped itself (which fails
/// where `LIGHTDECK_REQUIRE_BROWSER=1` says the browser must run, as in CI).
pub(crate) fn programs_or_skip() -> Option<Programs> {
    let programs = Programs::find();
    if programs.is_none() {
        assert!(
            !browser::required(),
            "the browser test needs chromium and chromedriver, and {}=1 says it must run",
            browser::REQUIRE_VAR
        );
        // Straight to stderr: the test harness would swallow println! of a passing test.
        let _ = writeln!(std::io::stderr().lock(), "{}", browser::SKIP_MESSAGE);
    }
    programs
}

/// Closes the browser; a failed `result` panics with its error, a screenshot saved as
/// `shot` and the page's source.
pub(crate) async fn finish(b: Browser, shot: &str, result: Step) {
    if let Err(e) = result {
        let evidence = evidence(&b, shot).await;
        b.close().await;
        panic!("{e}\n{evidence}");
    }
    b.close().await;
}

/// A screenshot of what `b` shows (saved as `shot`) and the start of its page source.
pub(crate) async fn evidence(b: &Browser, shot: &str) -> String {
    let path = browser::failure_dir().join(shot);
    let saved = b.screenshot_to(&path).await;
    let source = b.client.source().await.unwrap_or_default();
    format!(
        "screenshot: {} ({saved:?})\npage source:\n{}",
        path.display(),
        source.chars().take(4000).collect::<String>()
    )
}

/// Replaces what the field holds with `text`.
pub(crate) async fn type_into(b: &Browser, css: &str, text: &str) -> Step {
    let field = b.wait_for(css).await?;
    field.clear().await.map_err(|e| format!("clearing {css}: {e}"))?;
    field.send_keys(text).await.map_err(|e| format!("typing into {css}: {e}"))
}

pub(crate) type Step = Result<(), String>;

async fn scenario(app: &TestApp, b: &Browser) -> Step {
    let instances = format!("{}/teams/{}/instances", app.base_url, app.team.id);

    // bob selects two instances and reboots them.
    go(b, &format!("{}/login", app.base_url)).await?;
    b.wait_for("form[action='/login']").await?;
    accessible(b, "the sign-in page").await?;
    sign_in(app, b, "bob").await?;
    accessible(b, "bob's dashboard").await?;
    go(b, &instances).await?;
    b.wait_for("table.instances").await?;
    // The filters and the menu fold only on phones: here they are simply there.
    for css in ["#f-q", "form[action='/logout'] button[type=submit]"] {
        if !displayed(b, css).await? {
            return Err(format!("{css} is hidden on a {:?} screen", browser::DESKTOP));
        }
    }
    bars_show_their_value(b, "table.instances td.traffic .progress > .bar").await?;
    let running = app.team.running();
    if running.len() < 3 {
        return Err(format!("the test team needs 3 running instances, it has {running:?}"));
    }
    let picked = &running[..2];
    for id in picked {
        click(b, &format!("tr#row-{id} input[type=checkbox][name=instance]")).await?;
    }
    ticks_survive_a_table_reload(b, picked).await?;
    if let Ok(dir) = std::env::var(browser::SCREENSHOT_DIR_VAR) {
        b.screenshot_to(&PathBuf::from(dir).join("instances.png")).await?;
    }
    reboot_the_ticked(app, b, picked.len()).await?;
    accessible(b, "the instances page with a finished batch").await?;
    go(b, &format!("{instances}/{}", picked[0])).await?;
    b.wait_for("section.actions-history table.history-table").await?;
    accessible(b, "a rebooted instance's page").await?;
    sign_out(b).await?;

    // alice reads it in the audit log, and downloads it.
    sign_in(app, b, "alice").await?;
    go(b, &format!("{}/teams/{}/audit", app.base_url, app.team.id)).await?;
    b.wait_for("main").await?;
    let sentences = texts(b, "main .event .sentence").await?;
    if !sentences.iter().any(|s| s.starts_with("bob rebooted ")) {
        return Err(format!("no \"bob rebooted …\" in the audit log: {sentences:?}"));
    }
    accessible(b, "the audit log").await?;
    csv_download_matches_the_page(b).await?;
    change_settings(b, &format!("{instances}/{}", picked[1])).await?;
    crate::browser_lifecycle::renew_and_reset(app, b, &picked[1]).await?;
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
    accessible(b, "carol's instances page").await?;
    sign_out(b).await
}

/// An operator called at night, with only a phone: every page fits the screen, and a reboot
/// is a tick on a card and one button.
async fn on_a_phone(app: &TestApp, b: &Browser) -> Step {
    let instances = format!("{}/teams/{}/instances", app.base_url, app.team.id);
    b.emulate_phone().await?;

    go(b, &format!("{}/login", app.base_url)).await?;
    b.wait_for("form[action='/login']").await?;
    fits_a_phone(b, "the sign-in page").await?;
    accessible(b, "the sign-in page on a phone").await?;
    sign_in(app, b, "bob").await?;
    fits_a_phone(b, "bob's dashboard").await?;
    accessible(b, "bob's dashboard on a phone").await?;

    go(b, &instances).await?;
    b.wait_for("table.instances").await?;
    fits_a_phone(b, "the instances page").await?;
    header_is_one_row(b).await?;
    if displayed(b, "#f-q").await? {
        return Err("on a phone the filters should be folded behind \"Filters\"".to_owned());
    }
    instances_are_cards(b).await?;
    let id = app.team.running()[2].clone();
    click(b, &format!("tr#row-{id} input[type=checkbox][name=instance]")).await?;
    if let Ok(dir) = std::env::var(browser::SCREENSHOT_DIR_VAR) {
        b.client.execute("window.scrollTo(0, 0);", Vec::new()).await.map_err(|e| e.to_string())?;
        b.screenshot_to(&PathBuf::from(dir).join("instances-phone.png")).await?;
    }
    reboot_the_ticked(app, b, 1).await?;
    fits_a_phone(b, "the instances page with a finished batch").await?;
    // Unfolded, what the menu and the filters show must pass too.
    click(b, "details.filters-toggle > summary").await?;
    click(b, "details.menu > summary").await?;
    b.wait_for("#f-q").await?;
    fits_a_phone(b, "the instances page, menu and filters open").await?;
    accessible(b, "the instances page on a phone, menu and filters open").await?;

    go(b, &format!("{instances}/{id}")).await?;
    b.wait_for("section.actions-history table.history-table").await?;
    fits_a_phone(b, "a rebooted instance's page").await?;
    accessible(b, "a rebooted instance's page on a phone").await?;
    sign_out(b).await?;

    sign_in(app, b, "alice").await?;
    go(b, &format!("{}/teams/{}/audit", app.base_url, app.team.id)).await?;
    b.wait_for("ol.events").await?;
    fits_a_phone(b, "the audit log").await?;
    accessible(b, "the audit log on a phone").await?;
    go(b, &format!("{instances}/{id}")).await?;
    b.wait_for("form#settings-form").await?;
    fits_a_phone(b, "an instance's page with its settings form").await?;
    accessible(b, "an instance's settings form on a phone").await?;
    crate::browser_lifecycle::on_a_phone(app, b, &id).await?;
    sign_out(b).await?;
    b.emulate_desktop().await
}

/// alice (admin) on an instance's page: a refused name and hostname show their problems
/// beside the fields, a good hostname is saved and the restart is offered right there.
async fn change_settings(b: &Browser, page: &str) -> Step {
    go(b, page).await?;
    b.wait_for("form#settings-form").await?;
    accessible(b, "an instance's page with its settings form").await?;
    let fill = |css: &'static str, text: &'static str| async move {
        let el = b.wait_for(css).await?;
        el.clear().await.map_err(|e| format!("clearing {css}: {e}"))?;
        el.send_keys(text).await.map_err(|e| format!("typing into {css}: {e}"))
    };
    fill("#settings-name", "web 02").await?;
    fill("#settings-hostname", "-web02").await?;
    click(b, "form#settings-form button[type=submit]").await?;
    b.wait_for("#settings-hostname-error").await?;
    accessible(b, "the settings form with field errors").await?;
    fill("#settings-name", "web-02").await?;
    fill("#settings-hostname", "web02").await?;
    click(b, "form#settings-form button[type=submit]").await?;
    b.wait_for(".settings-notice form.reboot-offer button").await?;
    accessible(b, "an instance's page offering a restart").await
}

/// Presses Reboot for what is ticked, then drives the cloud until the progress panel (which
/// polls by itself) says all `count` instances succeeded.
pub(crate) async fn reboot_the_ticked(app: &TestApp, b: &Browser, count: usize) -> Step {
    click(b, "#actions-form button[name=action][value=reboot]").await?;
    b.wait_for("#action-panel section.progress-panel").await?;
    // The panel polls by itself; the test moves the cloud's time and runs the poller.
    let deadline = Instant::now() + browser::WAIT;
    loop {
        app.advance(time::Duration::seconds(5));
        lightdeck::workers::poll_once(&app.state.workers())
            .await
            .map_err(|e| format!("poller: {e}"))?;
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
    if succeeded.len() != count {
        return Err(format!(
            "expected {count} succeeded entries in the panel, saw {}",
            succeeded.len()
        ));
    }
    Ok(())
}

/// axe-core finds no WCAG 2.1 A/AA violation on the page as it is now.
pub(crate) async fn accessible(b: &Browser, page: &str) -> Step {
    let violations = b.accessibility_violations().await?;
    if violations.is_empty() {
        return Ok(());
    }
    Err(format!("axe-core on {page}:\n  {}", violations.join("\n  ")))
}

/// The phone's viewport really is [`browser::PHONE`] wide, the page is no wider, and nothing
/// in it (a table in its scrolling wrapper, say) has to be scrolled sideways either.
pub(crate) async fn fits_a_phone(b: &Browser, page: &str) -> Step {
    fits_a_phone_of(b, page, browser::PHONE.0).await
}

/// [`fits_a_phone`] for a phone emulated `width` CSS pixels wide.
pub(crate) async fn fits_a_phone_of(b: &Browser, page: &str, width: u32) -> Step {
    let found = run(
        b,
        "const wide = [];
         for (const el of document.querySelectorAll('body *')) {
           const style = getComputedStyle(el);
           if (!['auto', 'scroll'].includes(style.overflowX)) continue;
           if (el.scrollWidth > el.clientWidth + 1)
             wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
               + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
         }
         return { inner: window.innerWidth, scroll: document.documentElement.scrollWidth, wide };",
    )
    .await?;
    let inner = found["inner"].as_u64().unwrap_or(0);
    let scroll = found["scroll"].as_u64().unwrap_or(u64::MAX);
    if inner != u64::from(width) {
        return Err(format!("{page}: the phone's viewport is {inner} px wide, not {width}"));
    }
    if scroll > inner {
        return Err(format!(
            "{page} is {scroll} px wide on a {inner} px phone: it scrolls sideways"
        ));
    }
    if found["wide"].as_array().is_some_and(|w| !w.is_empty()) {
        return Err(format!("{page} on a phone: these scroll sideways: {}", found["wide"]));
    }
    Ok(())
}

/// The header keeps one row: brand, team links and the menu button side by side.
async fn header_is_one_row(b: &Browser) -> Step {
    let rows = run(
        b,
        "const boxes = Array.from(document.querySelector('header.topbar').children)
           .map(el => el.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
         const first = boxes[0];
         return boxes.filter(r => r.top >= first.bottom).length;",
    )
    .await?;
    if rows != json!(0) {
        return Err(format!(
            "on a phone the header wraps: {rows} of its parts sit below the first"
        ));
    }
    Ok(())
}

/// Each instance is a card that fits the screen: name and status, then account · region,
/// then expiry and traffic, each pair on one line; its tick is at least 44 × 44 px to tap.
async fn instances_are_cards(b: &Browser) -> Step {
    let problems = run(
        b,
        "const problems = [];
         const width = window.innerWidth;
         const rows = document.querySelectorAll('table.instances tbody tr');
         if (rows.length === 0) problems.push('no instance rows');
         for (const tr of rows) {
           const box = css => { const el = tr.querySelector(css); return el && el.getBoundingClientRect(); };
           const cells = { name: box('td.name'), status: box('td .status'), account: box('td.account'),
             region: box('td.region'), expiry: box('td.expiry'), traffic: box('td.traffic') };
           for (const [what, r] of Object.entries(cells)) {
             if (!r || r.width === 0) problems.push(tr.id + ': no ' + what);
             else if (r.left < 0 || r.right > width) problems.push(tr.id + ': ' + what + ' is off screen');
           }
           const sameLine = (a, b) => cells[a] && cells[b] && Math.abs(cells[a].top - cells[b].top) < 4;
           for (const [a, c] of [['name', 'status'], ['account', 'region'], ['expiry', 'traffic']])
             if (!sameLine(a, c)) problems.push(tr.id + ': ' + a + ' and ' + c + ' are not on one line');
           const tick = tr.querySelector('input[type=checkbox]');
           const target = (tick.closest('label') || tick).getBoundingClientRect();
           if (target.width < 44 || target.height < 44)
             problems.push(tr.id + ': the tick is a ' + target.width + ' x ' + target.height + ' px target');
         }
         return problems.slice(0, 10);",
    )
    .await?;
    if problems.as_array().is_some_and(|p| !p.is_empty()) {
        return Err(format!("the instances on a phone are not tappable cards: {problems}"));
    }
    Ok(())
}

/// "Download CSV" saves a file whose rows are the events the page lists (and any older).
async fn csv_download_matches_the_page(b: &Browser) -> Step {
    let shown = run(
        b,
        "return Array.from(document.querySelectorAll('ol.events li.event')).map(li => ({
           seq: li.id.replace('event-', ''),
           action: li.querySelector('dd.action').textContent.trim(),
           sentence: li.querySelector('.sentence').textContent.trim(),
         }));",
    )
    .await?;
    let shown = shown.as_array().cloned().unwrap_or_default();
    if shown.is_empty() {
        return Err("the audit log lists no events to compare the CSV with".to_owned());
    }
    click(b, ".audit-export a[href*='export.csv']").await?;
    let path = b.wait_for_download(".csv").await?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8: {e}", path.display()))?;
    let rows = lightdeck_testkit::parse_csv(text.strip_prefix('\u{feff}').unwrap_or(&text))?;
    let header = rows.first().ok_or("the CSV is empty")?;
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or(format!("no {name} column in {header:?}"))
    };
    let (seq, action) = (col("seq")?, col("action")?);
    let events = &rows[1..];
    if events.len() < shown.len() {
        return Err(format!("the CSV has {} events, the page shows {}", events.len(), shown.len()));
    }
    for event in &shown {
        let wanted = (event["seq"].as_str().unwrap_or(""), event["action"].as_str().unwrap_or(""));
        let row = events.iter().find(|r| r.get(seq).map(String::as_str) == Some(wanted.0));
        match row {
            None => {
                return Err(format!(
                    "event {} ({}) is not in the CSV",
                    wanted.0, event["sentence"]
                ));
            }
            Some(r) if r.get(action).map(String::as_str) != Some(wanted.1) => {
                return Err(format!(
                    "event {}: the page says {}, the CSV {r:?}",
                    wanted.0, wanted.1
                ));
            }
            Some(_) => {}
        }
    }
    let reboot = shown
        .iter()
        .find(|e| e["sentence"].as_str().is_some_and(|s| s.starts_with("bob rebooted ")))
        .ok_or("no \"bob rebooted …\" on the page")?;
    if !reboot["action"].as_str().is_some_and(|a| a.contains("reboot")) {
        return Err(format!("\"bob rebooted …\" is recorded as {}", reboot["action"]));
    }
    Ok(())
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

pub(crate) async fn run(b: &Browser, script: &str) -> Result<Value, String> {
    b.client.execute(script, Vec::new()).await.map_err(|e| format!("running a script: {e}"))
}

pub(crate) async fn go(b: &Browser, url: &str) -> Step {
    b.client.goto(url).await.map_err(|e| format!("opening {url}: {e}"))
}

pub(crate) async fn click(b: &Browser, css: &str) -> Step {
    let el = b.wait_for(css).await?;
    el.click().await.map_err(|e| format!("clicking {css}: {e}"))
}

/// Whether the browser draws the element. WebDriver's own "is displayed" would not do: it
/// calls everything in a closed <details> hidden, and wide screens show the folded filters
/// and menu without opening them.
pub(crate) async fn displayed(b: &Browser, css: &str) -> Result<bool, String> {
    let el = b.wait_for(css).await?;
    let shown = b
        .client
        .execute("return arguments[0].checkVisibility();", vec![json!(el)])
        .await
        .map_err(|e| format!("is {css} shown: {e}"))?;
    Ok(shown == json!(true))
}

pub(crate) async fn texts(b: &Browser, css: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for el in b.client.find_all(Locator::Css(css)).await.map_err(|e| e.to_string())? {
        out.push(el.text().await.map_err(|e| e.to_string())?);
    }
    Ok(out)
}

pub(crate) async fn sign_in(app: &TestApp, b: &Browser, login: &str) -> Step {
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

pub(crate) async fn sign_out(b: &Browser) -> Step {
    // On a phone "Sign out" is in the folded menu: open it as a person would.
    let button = "form[action='/logout'] button[type=submit]";
    if !displayed(b, button).await? {
        click(b, "details.menu > summary").await?;
    }
    click(b, button).await?;
    b.wait_for("form[action='/login']").await.map(|_| ())
}
