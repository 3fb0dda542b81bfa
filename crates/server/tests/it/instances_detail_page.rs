//! The instance page for people who are not developers: how to log in (address, ssh line,
//! copy buttons, the console), the traffic package's cycle with its warning level, and the
//! lifecycle links each role gets.

use axum::http::StatusCode;
use lightdeck_domain::policy::Role;

use crate::instances_support::Env;

fn detail_url(env: &Env, id: &str) -> String {
    format!("/teams/{}/instances/{id}", env.team)
}

#[tokio::test]
async fn the_page_says_how_to_log_in_with_or_without_an_address() {
    let env = Env::new(1).await;
    let inst = env.instances().await.remove(0);
    let id = inst.instance_id.to_string();
    let ip = inst.public_ips[0].clone();
    let mut carol = env.browser("carol", Role::Viewer).await;
    let page = carol.get(&detail_url(&env, &id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("section.login-card code#login-ip").as_deref(), Some(ip.as_str()));
    let ssh = format!("ssh root@{ip}");
    assert_eq!(page.text("section.login-card code#login-ssh").as_deref(), Some(ssh.as_str()));
    // A copy button per line, named in words, hidden until its script shows it.
    assert_eq!(
        page.attrs("button.copy[type=button][hidden]", "data-copy"),
        ["login-ip", "login-ssh"]
    );
    assert_eq!(page.texts("button.copy"), ["Copy IP address", "Copy command"]);
    assert_eq!(page.attrs("button.copy", "data-status"), ["copy-status", "copy-status"]);
    assert_eq!(page.count("#copy-status[role=status]"), 1);
    assert_eq!(page.count(".no-ip"), 0);
    let console = format!(
        "https://console.huaweicloud.com/smb/?region={}#/resources/flexus/l",
        inst.region.id()
    );
    assert_eq!(page.attr("a.console-link", "href"), Some(console.clone()));
    // The script is a static file of its own (the CSP allows no inline script).
    let script = page.attr("script[src^='/static/copy.js?v=']", "src").unwrap();
    assert_eq!(page.count("script:not([src])"), 0);
    let js = carol.get(&script).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").unwrap().starts_with("text/javascript"));
    assert!(js.body.contains("navigator.clipboard"));

    env.alter("UPDATE instances SET public_ips = '{}' WHERE instance_id = $1", &id).await;
    let page = carol.get(&detail_url(&env, &id)).await;
    assert!(page.text(".login-card .no-ip").unwrap().starts_with("No public IP address"));
    assert_eq!(page.count("#login-ip, #login-ssh, button.copy, #copy-status"), 0);
    assert_eq!(page.attr("a.console-link", "href"), Some(console), "the console still helps");
}

#[tokio::test]
async fn the_traffic_cycle_is_shown_with_its_warning_level() {
    let env = Env::new(1).await;
    let inst = env.instances().await.remove(0);
    let id = inst.instance_id.to_string();
    let cycle = inst.traffic_cycle;
    let mut bob = env.browser("bob", Role::Operator).await;
    let page = bob.get(&detail_url(&env, &id)).await;
    let section = "section.traffic-cycle";
    assert_eq!(page.attr(section, "data-resets-monthly").as_deref(), Some("true"));
    let facts = page.texts(&format!("{section} dl.cycle-facts dd"));
    let window = format!(
        "{} to {}",
        lightdeck::views::instances::when(cycle.start.unwrap()),
        lightdeck::views::instances::when(cycle.end.unwrap())
    );
    assert!(facts.contains(&window), "{window} in {facts:?}");
    assert!(facts.iter().any(|f| f == "Every month (counted from the purchase date)"), "{facts:?}");
    assert!(facts.iter().any(|f| f.contains("GB used (")), "{facts:?}");

    for (left, level, pct) in
        [(50.0, None, "50 %"), (15.0, Some("warning"), "85 %"), (3.0, Some("critical"), "97 %")]
    {
        let sql = format!(
            "UPDATE instances SET traffic_remaining_gb = {left}, traffic_total_gb = 100 \
             WHERE instance_id = $1"
        );
        env.alter(&sql, &id).await;
        let page = bob.get(&detail_url(&env, &id)).await;
        let used = page.texts(&format!("{section} dl.cycle-facts dd"));
        assert!(used.iter().any(|f| f.ends_with(&format!("GB used ({pct})"))), "{used:?}");
        match level {
            None => assert_eq!(page.count(".traffic-warning"), 0, "{left} GB left"),
            Some(level) => {
                let warning = page.text(&format!(".traffic-warning.level-{level}")).unwrap();
                assert!(warning.contains(pct), "{warning}");
                let label = if level == "warning" { "Warning:" } else { "Critical:" };
                assert!(warning.starts_with(label), "{warning}");
                assert_eq!(page.count(&format!("{section}.level-{level}")), 1);
            }
        }
    }

    // Not known yet (synced before the cycle was stored): said so, no guess.
    env.alter(
        "UPDATE instances SET traffic_cycle_start = NULL, traffic_cycle_end = NULL, \
         traffic_reuse_cycle = NULL, traffic_reuse_cycle_type = NULL WHERE instance_id = $1",
        &id,
    )
    .await;
    let page = bob.get(&detail_url(&env, &id)).await;
    assert_eq!(page.attr(section, "data-resets-monthly").as_deref(), Some("false"));
    let facts = page.texts(&format!("{section} dl.cycle-facts dd"));
    assert_eq!(facts.iter().filter(|f| *f == "not known yet").count(), 2, "{facts:?}");
}

#[tokio::test]
async fn lifecycle_links_appear_exactly_for_the_roles_allowed() {
    let env = Env::new(1).await;
    let id = env.instances().await.remove(0).instance_id.to_string();
    let team = env.team;
    let renew = format!("/teams/{team}/renewals/new?instance={id}");
    let password = format!("/teams/{team}/instances/{id}/password");
    let unsubscribe = format!("/teams/{team}/instances/{id}/unsubscribe");
    for (login, role, may_renew, may_manage, may_unsubscribe) in [
        ("vera", Role::Viewer, false, false, false),
        ("otto", Role::Operator, false, false, false),
        ("adam", Role::Admin, true, true, false),
        ("olga", Role::Owner, true, true, true),
    ] {
        let mut b = env.browser(login, role).await;
        let page = b.get(&detail_url(&env, &id)).await;
        assert_eq!(page.status, StatusCode::OK, "{login}");
        let href = |sel: &str| page.attr(sel, "href");
        assert_eq!(href("a.renew-link"), may_renew.then(|| renew.clone()), "{login}");
        assert_eq!(href("a.password-link"), may_manage.then(|| password.clone()), "{login}");
        assert_eq!(href("a.unsubscribe-link"), may_unsubscribe.then(|| unsubscribe.clone()));
        let any = may_renew || may_manage || may_unsubscribe;
        assert_eq!(page.count("section.lifecycle-links"), usize::from(any), "{login}");
        if may_unsubscribe {
            assert_eq!(
                page.attr("a.unsubscribe-link", "class").as_deref(),
                Some("btn danger unsubscribe-link")
            );
            assert_eq!(page.text("a.unsubscribe-link").as_deref(), Some("Unsubscribe…"));
        }

        // The table's selection bar: the same permissions, as buttons of the selection form.
        let list = b.get(&format!("/teams/{team}/instances")).await;
        let bar = "form#actions-form[method=post]";
        let renew_btn = format!(
            "{bar} button[type=submit][formaction='/teams/{team}/renewals/new'][formmethod=post]"
        );
        let reset_btn = format!(
            "{bar} button[type=submit][formaction='/teams/{team}/passwords/new'][formmethod=post]"
        );
        assert_eq!(list.count(&renew_btn), usize::from(may_renew), "{login}");
        assert_eq!(list.count(&reset_btn), usize::from(may_manage), "{login}");
        if may_renew {
            assert_eq!(list.text(&renew_btn).as_deref(), Some("Renew…"));
            assert_eq!(list.text(&reset_btn).as_deref(), Some("Reset password…"));
            // Their posts carry the form's CSRF field and the selected rows.
            assert_eq!(list.count(&format!("{bar} input[type=hidden][name=csrf]")), 1);
            assert!(list.count("input[type=checkbox][name=instance][form=actions-form]") > 0);
            // htmx stays on the power buttons, so these submit natively.
            assert_eq!(list.count(&format!("{bar}[hx-post]")), 0);
            assert_eq!(list.count(&format!("{renew_btn}[hx-post], {reset_btn}[hx-post]")), 0);
        }
        if role != Role::Viewer {
            let powered = list.attrs(&format!("{bar} button[name=action][hx-post]"), "value");
            assert_eq!(powered, ["start", "stop", "reboot"], "{login}");
        }
    }
}
