//! The instances table, its filters, pagination, row self-refresh, the detail page and
//! "Refresh now", against cloudsim and a test database, asserted through CSS selectors.

use crate::instances_support;

use axum::http::StatusCode;
use instances_support::Env;
use lightdeck_domain::policy::Role;
use lightdeck_domain::teams;
use lightdeck_domain::values::TeamName;

const ROWS: &str = "table.instances tbody tr";

#[tokio::test]
async fn lists_every_instance_of_every_account_and_region() {
    let env = Env::new(4).await;
    let all = env.instances().await;
    assert_eq!(all.len(), env.sim.instance_count());
    assert_eq!(all.len(), 8);
    let mut bob = env.browser("bob", Role::Operator).await;
    let page = bob.get(&format!("/teams/{}/instances", env.team)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count(ROWS), 8);
    let mut names = page.texts("table.instances td.name a");
    names.sort();
    let mut expected: Vec<String> = all.iter().map(|i| i.name.clone()).collect();
    expected.sort();
    assert_eq!(names, expected);
    let accounts = page.texts("table.instances td.account");
    assert!(accounts.iter().any(|a| a == "acct-0") && accounts.iter().any(|a| a == "acct-1"));
    let regions = page.texts("table.instances td.region");
    assert!(regions.iter().any(|r| r == "CN North-Beijing4"), "{regions:?}");
    assert!(regions.iter().any(|r| r == "CN-Hong Kong"), "{regions:?}");
    assert!(page.texts("table.instances td.spec").iter().all(|s| s.contains("vCPU")));
    assert!(page.texts("table.instances td.expiry").iter().all(|s| s.contains("days left")));
    assert_eq!(page.count("table.instances td.traffic .progress .bar"), 8);
    assert!(page.texts("table.instances td.ip").iter().all(|ip| ip.contains('.')));
    // Operators get checkboxes and the three buttons; every row links to its detail page.
    assert_eq!(page.count("input[type=checkbox][name=instance][form=actions-form]"), 8);
    let buttons = page.attrs("form#actions-form button[name=action]", "value");
    assert_eq!(buttons, ["start", "stop", "reboot"]);
    assert_eq!(page.attrs("select[name=type] option", "value"), ["soft", "hard"]);
    assert!(
        page.attr("form#actions-form input[name=idempotency_key]", "value")
            .is_some_and(|k| k.len() == 36)
    );
    // The account strip: both accounts with "Refresh now".
    assert_eq!(page.count("ul.account-list li.account form.refresh button"), 2);
    assert!(env.state.i18n.missing().is_empty(), "{:?}", env.state.i18n.missing());
}

#[tokio::test]
async fn viewers_see_no_action_buttons_and_cannot_act() {
    let env = Env::new(2).await;
    let mut carol = env.browser("carol", Role::Viewer).await;
    let page = carol.get(&format!("/teams/{}/instances", env.team)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count(ROWS), 4);
    assert_eq!(page.count("form#actions-form"), 0);
    assert_eq!(page.count("button[name=action]"), 0);
    assert_eq!(page.count("input[name=instance]"), 0);
    assert_eq!(page.count("form.refresh"), 0, "refresh is a cloud call: operators and up");
    let id = env.instances().await[0].instance_id.to_string();
    let resp = env.act(&mut carol, "reboot", "soft", &[&id], "k-1", false).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(env.sim.count_requests("BatchRebootServers"), 0);
}

#[tokio::test]
async fn filters_and_search_narrow_the_table() {
    let env = Env::new(4).await;
    let all = env.instances().await;
    let mut bob = env.browser("bob", Role::Operator).await;
    let base = format!("/teams/{}/instances", env.team);

    let page = bob.get(&format!("{base}?account={}", env.accounts[1])).await;
    assert_eq!(page.count(ROWS), 4);
    assert!(page.texts("table.instances td.account").iter().all(|a| a == "acct-1"));

    let page = bob.get(&format!("{base}?region=ap-southeast-1")).await;
    let in_hk = all.iter().filter(|i| i.region.id() == "ap-southeast-1").count();
    assert_eq!(page.count(ROWS), in_hk);

    let target = &all[3];
    let page = bob.get(&format!("{base}?q={}", target.name)).await;
    assert_eq!(page.texts("table.instances td.name"), vec![target.name.clone()]);
    let ip = target.public_ips[0].clone();
    let page = bob.get(&format!("{base}?q={ip}")).await;
    assert_eq!(page.texts("table.instances td.ip"), [ip]);

    // A stopped server, after a sync, is the only one the "stopped" filter shows.
    let server = target.server_id.as_ref().unwrap().to_string();
    env.sim.set_server_state(&server, "SHUTOFF", None).unwrap();
    lightdeck::workers::sync_account(&env.state.workers(), target.account_id).await.unwrap();
    let stopped: Vec<String> = env
        .instances()
        .await
        .iter()
        .filter(|i| i.status == "SHUTOFF")
        .map(|i| i.instance_id.to_string())
        .collect();
    assert!(stopped.contains(&target.instance_id.to_string()));
    let page = bob.get(&format!("{base}?status=stopped")).await;
    let mut shown = page.attrs("input[name=instance]", "value");
    shown.sort();
    let mut expected = stopped.clone();
    expected.sort();
    assert_eq!(shown, expected);
    assert!(page.texts("table.instances td .status").iter().all(|s| s == "Stopped"));

    let page = bob.get(&format!("{base}?q=no-such-instance-anywhere")).await;
    assert_eq!(page.count(ROWS), 0);
    assert!(page.text("p.empty").unwrap().contains("No instance matches"));

    // Bad filter values: 422, the message next to the field that is wrong.
    let page = bob.get(&format!("{base}?region=mars-1&sort=colour")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text("#f-region + .field-error, .field.invalid .field-error")
            .unwrap()
            .starts_with("Region")
    );
    assert_eq!(page.count(".field.invalid"), 2);
    assert_eq!(page.count("#instance-table [role=alert]"), 0, "said once, beside the fields");

    // The same through htmx (a search typed too long): the table partial, which has no
    // fields, says what is wrong instead of "nothing matches".
    let long = "x".repeat(201);
    let partial = bob.get_htmx(&format!("{base}?q={long}&sort=colour")).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        partial.texts("#instance-table [role=alert] li"),
        [
            "Search: use at most 200 characters.",
            "Sort by: choose name, status, expiry date or traffic left."
        ]
    );
    assert_eq!(partial.count("p.empty"), 0);

    // htmx asks for the table only.
    let partial = bob.get_htmx(&format!("{base}?account={}", env.accounts[0])).await;
    assert_eq!(partial.count("header.topbar"), 0);
    assert_eq!(partial.count("div#instance-table"), 1);
    assert_eq!(partial.count(ROWS), 4);
}

#[tokio::test]
async fn keyset_pagination_walks_forward_and_back() {
    let env = Env::new(28).await; // 56 instances, 50 per page
    let mut bob = env.browser("bob", Role::Operator).await;
    let base = format!("/teams/{}/instances", env.team);
    let first = bob.get(&format!("{base}?sort=name")).await;
    assert_eq!(first.count(ROWS), 50);
    assert_eq!(first.count("nav.pagination a.prev"), 0);
    let next = first.attr("nav.pagination a.next", "href").unwrap();
    let second = bob.get(&next).await;
    assert_eq!(second.count(ROWS), 6);
    assert_eq!(second.count("nav.pagination a.next"), 0);
    let mut seen = first.texts("td.name");
    seen.extend(second.texts("td.name"));
    let mut sorted = seen.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(seen, sorted, "sorted by name across pages");
    let mut ids = first.attrs("input[name=instance]", "value");
    ids.extend(second.attrs("input[name=instance]", "value"));
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 56, "no row twice, none missing");
    let back = bob.get(&second.attr("nav.pagination a.prev", "href").unwrap()).await;
    assert_eq!(back.texts("td.name"), first.texts("td.name"));
    // Descending by expiry is a different order with the same rows.
    let desc = bob.get(&format!("{base}?sort=expiry&dir=desc")).await;
    assert_eq!(desc.count(ROWS), 50);
}

#[tokio::test]
async fn only_transitional_rows_refresh_themselves() {
    let env = Env::new(2).await;
    let all = env.instances().await;
    let moving = &all[0];
    let server = moving.server_id.as_ref().unwrap().to_string();
    env.sim.set_server_state(&server, "REBOOT", Some("rebooting")).unwrap();
    lightdeck::workers::sync_account(&env.state.workers(), moving.account_id).await.unwrap();

    let mut bob = env.browser("bob", Role::Operator).await;
    let page = bob.get(&format!("/teams/{}/instances", env.team)).await;
    let triggers = page.attrs(&format!("{ROWS}[hx-trigger]"), "id");
    assert_eq!(triggers, [format!("row-{}", moving.instance_id)]);
    let row_url = format!("/teams/{}/instances/{}/row", env.team, moving.instance_id);
    let row_sel = format!("tr#row-{}", moving.instance_id);
    assert_eq!(page.attr(&row_sel, "hx-get").as_deref(), Some(row_url.as_str()));
    assert_eq!(page.attr(&row_sel, "hx-trigger").as_deref(), Some("every 2s"));
    assert_eq!(page.attr(&row_sel, "hx-swap").as_deref(), Some("outerHTML"));

    let row = bob.get_htmx(&row_url).await;
    assert_eq!(row.status, StatusCode::OK);
    assert!(row.body.trim_start().starts_with("<tr"), "a bare row: {}", row.body);
    assert!(row.body.contains("hx-trigger=\"every 2s\""));

    env.sim.set_server_state(&server, "ACTIVE", None).unwrap();
    lightdeck::workers::sync_account(&env.state.workers(), moving.account_id).await.unwrap();
    let row = bob.get_htmx(&row_url).await;
    assert!(!row.body.contains("hx-trigger"), "a stable row stops polling: {}", row.body);
    assert!(row.body.contains("Running"));
}

#[tokio::test]
async fn detail_page_shows_the_inventory_and_hides_other_teams() {
    let env = Env::new(2).await;
    let inst = env.instances().await.remove(0);
    let mut alice = env.browser("alice", Role::Owner).await;
    let url = format!("/teams/{}/instances/{}", env.team, inst.instance_id);
    let page = alice.get(&url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1").map(|h| h.starts_with(&inst.name)), Some(true));
    let values = page.texts("dl.facts dd");
    for id in [
        inst.instance_id.to_string(),
        inst.server_id.as_ref().unwrap().to_string(),
        inst.traffic_package_id.as_ref().unwrap().to_string(),
    ] {
        assert!(values.contains(&id), "{id} in {values:?}");
    }
    assert!(values.iter().any(|v| v.contains("GB used")), "{values:?}");
    assert_eq!(page.count("section.audit-trail"), 1, "owners read the audit trail");
    assert!(env.state.i18n.missing().is_empty(), "{:?}", env.state.i18n.missing());

    // Operators see the actions but not the audit trail (that needs ReadAudit).
    let mut bob = env.browser("bob", Role::Operator).await;
    let page = bob.get(&url).await;
    assert_eq!(page.count("section.actions-history"), 1);
    assert_eq!(page.count("section.audit-trail"), 0);

    // Another team's instance, a malformed id, an unknown id: all 404.
    let other =
        teams::create(env.db.pool(), &TeamName::parse("Other").unwrap(), None).await.unwrap();
    let dave = env.member("dave", Role::Owner).await;
    teams::add_member(env.db.pool(), other.id, dave.id, Role::Owner).await.unwrap();
    let mut dave_b = env.signed_in("dave").await;
    let foreign = dave_b.get(&format!("/teams/{}/instances/{}", other.id, inst.instance_id)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bob.get(&format!("/teams/{}/instances/nothex", env.team)).await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = format!("/teams/{}/instances/{}", env.team, "0123456789abcdef01234567");
    assert_eq!(bob.get(&unknown).await.status, StatusCode::NOT_FOUND);
    let row = bob.get(&format!("/teams/{}/instances/{}/row", other.id, inst.instance_id)).await;
    assert_eq!(row.status, StatusCode::NOT_FOUND, "bob is not in the other team");
    let row = bob.get(&format!("/teams/{}/instances/nothex/row", env.team)).await;
    assert_eq!(row.status, StatusCode::NOT_FOUND, "a malformed id names nothing");
}

#[tokio::test]
async fn refresh_now_reports_what_changed() {
    let env = Env::new(2).await;
    let inst = env.instances().await.remove(0);
    let mut bob = env.browser("bob", Role::Operator).await;
    let csrf = bob.refresh_csrf().await;
    let url = format!("/teams/{}/accounts/{}/refresh", env.team, inst.account_id);

    let resp = bob.post_htmx(&url, &[]).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.text(".flash.ok").as_deref(), Some("0 added, 0 changed, 0 gone."));
    assert_eq!(resp.header("hx-trigger"), Some("inventory-changed"));

    env.sim.set_server_state(inst.server_id.as_ref().unwrap().as_str(), "SHUTOFF", None).unwrap();
    let resp = bob.post_htmx(&url, &[]).await;
    assert_eq!(resp.text(".flash.ok").as_deref(), Some("0 added, 1 changed, 0 gone."));

    // Without htmx: back to the list, which says what changed.
    let resp = bob.post_form(&url, &[("csrf", &csrf)]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    let page = bob.get(resp.header("location").unwrap()).await;
    assert_eq!(page.text("p.notice.ok").as_deref(), Some("0 added, 0 changed, 0 gone."));
    let last = page.texts("li.account .last-sync");
    assert!(last.iter().any(|l| l.starts_with("last read")), "{last:?}");

    // Viewers may not; another team's account is not found.
    let mut carol = env.browser("carol", Role::Viewer).await;
    assert_eq!(carol.post_htmx(&url, &[]).await.status, StatusCode::FORBIDDEN);
    let bogus = format!("/teams/{}/accounts/{}/refresh", env.team, uuid::Uuid::new_v4());
    assert_eq!(bob.post_htmx(&bogus, &[]).await.status, StatusCode::NOT_FOUND);
    // Nor is an id that is no id at all.
    let malformed = format!("/teams/{}/accounts/not-a-uuid/refresh", env.team);
    assert_eq!(bob.post_htmx(&malformed, &[]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn empty_team_says_what_to_do() {
    let env = Env::new(1).await;
    let other =
        teams::create(env.db.pool(), &TeamName::parse("Empty").unwrap(), None).await.unwrap();
    let erin = env.member("erin", Role::Owner).await;
    teams::add_member(env.db.pool(), other.id, erin.id, Role::Owner).await.unwrap();
    let mut b = env.signed_in("erin").await;
    let page = b.get(&format!("/teams/{}/instances", other.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("p.empty").unwrap().starts_with("No instances yet"));
    assert_eq!(
        page.text("section.accounts p.muted").as_deref(),
        Some("No Huawei Cloud account is connected to this team yet.")
    );
}

#[tokio::test]
async fn pages_render_completely_in_chinese() {
    let env = Env::new(2).await;
    let inst = env.instances().await.into_iter().find(|i| i.status == "ACTIVE").unwrap();
    env.member_speaking("lin", Role::Owner, lightdeck_domain::values::Language::ZhCn).await;
    let mut lin = env.signed_in("lin").await;
    let page = lin.get(&format!("/teams/{}/instances", env.team)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.attr("html", "lang").as_deref(), Some("zh-CN"));
    assert_eq!(page.text("h1").as_deref(), Some("Ops 的实例"));
    assert!(page.texts("table.instances td.region").iter().any(|r| r == "华北-北京四"));
    assert_eq!(page.texts("form#actions-form button[name=action]"), ["开机", "关机", "重启"]);
    let detail = lin.get(&format!("/teams/{}/instances/{}", env.team, inst.instance_id)).await;
    assert_eq!(detail.status, StatusCode::OK);
    let id = inst.instance_id.to_string();
    let confirm = env.act(&mut lin, "stop", "soft", &[&id], "zh-1", false).await;
    assert!(confirm.text("p.confirm-message").unwrap().contains("将关闭"));
    let panel = env.act(&mut lin, "stop", "soft", &[&id], "zh-1", true).await;
    assert_eq!(panel.attrs("tr.item", "data-state"), ["accepted"]);
    let row = lin.get_htmx(&format!("/teams/{}/instances/{}/row", env.team, id)).await;
    // A bare <tr> (an HTML parser would drop it outside a table, so look at the text).
    assert!(row.body.contains(">变更中</span>"), "{}", row.body);
    let missing = env.state.i18n.missing();
    assert!(missing.is_empty(), "{missing:?}");
}
