//! Site administration in the browser, as sam (a site administrator in no team): the
//! header links to it; he creates a user and sees the setup link, refuses a taken team
//! name beside its field, and deletes nothing that is not empty. The users, teams and site
//! audit pages pass axe-core at desktop and phone width, and on a phone none scrolls
//! sideways.
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
async fn sam_manages_users_and_teams_on_accessible_pages() {
    let Some(programs) = programs_or_skip() else { return };
    let app = TestApp::start_default().await;
    let b = Browser::start(&programs).await;
    let mut result = manage(&app, &b).await;
    if result.is_ok() {
        result = on_a_phone(&app, &b).await;
    }
    finish(b, "admin.png", result).await;
}

async fn manage(app: &TestApp, b: &Browser) -> Step {
    sign_in(app, b, "sam").await?;
    click(b, "a.site-admin").await?;
    b.wait_for("table.admin-users").await?;
    accessible(b, "the users page").await?;

    type_into(b, "#new-login", "nina").await?;
    type_into(b, "#new-name", "Nina Wu").await?;
    click(b, "form#new-user button[type=submit]").await?;
    let link = b.wait_for("#setup-link").await?;
    let text = link.text().await.map_err(|e| e.to_string())?;
    if !text.contains("/setup/") {
        return Err(format!("the setup link reads {text:?}"));
    }
    accessible(b, "the users page showing a setup link").await?;

    // Every bad field at once, beside each.
    go(b, &format!("{}/admin/users", app.base_url)).await?;
    type_into(b, "#new-login", "A").await?;
    click(b, "form#new-user button[type=submit]").await?;
    b.wait_for("#new-login-error").await?;
    b.wait_for("#new-name-error").await?;
    accessible(b, "the create form refusing bad fields").await?;

    go(b, &format!("{}/admin/teams", app.base_url)).await?;
    b.wait_for("table.admin-teams").await?;
    accessible(b, "the teams page").await?;
    let rename = format!("#rename-{}", app.other.id);
    let main = app.team.name.clone();
    type_into(b, &rename, &main).await?;
    click(b, &format!("tr#team-{} form.team-rename button", app.other.id)).await?;
    b.wait_for(&format!("#rename-{}-error", app.other.id)).await?;
    accessible(b, "the teams page refusing a taken name").await?;
    type_into(b, &format!("#delete-{}", app.team.id), &main).await?;
    click(b, &format!("tr#team-{} form.team-delete button", app.team.id)).await?;
    b.wait_for(&format!("#delete-{}-error", app.team.id)).await?;
    accessible(b, "the teams page refusing to delete a team in use").await?;

    go(b, &format!("{}/admin/audit", app.base_url)).await?;
    let events = b.client.find_all(Locator::Css("table.admin-audit tr.event")).await;
    if events.map_err(|e| e.to_string())?.is_empty() {
        return Err("the site audit log is empty after creating nina".to_owned());
    }
    accessible(b, "the site audit log").await
}

async fn on_a_phone(app: &TestApp, b: &Browser) -> Step {
    b.emulate_phone().await?;
    for (path, css, what) in [
        ("/admin/users", "table.admin-users", "the users page"),
        ("/admin/teams", "table.admin-teams", "the teams page"),
        ("/admin/audit", "table.admin-audit", "the site audit log"),
    ] {
        go(b, &format!("{}{path}", app.base_url)).await?;
        b.wait_for(css).await?;
        fits_a_phone(b, what).await?;
        accessible(b, &format!("{what} on a phone")).await?;
    }
    b.emulate_desktop().await
}
