//! The instances table's "traffic left below" and "expires within" filters: what they
//! list, in which order, what a bad value gets, and the "Renew these N instances…" link.

use axum::http::StatusCode;
use lightdeck_domain::policy::Role;

use crate::instances_support::Env;

const ROWS: &str = "table.instances tbody tr";

#[tokio::test]
async fn the_traffic_filter_lists_only_instances_below_the_share() {
    let env = Env::new(3).await;
    let all = env.instances().await;
    // Left of 100 GB: 10 and 19.9 are below 20 %, exactly 20 is not, the rest have 50.
    let lefts = [10.0, 19.9, 20.0];
    for (i, inst) in all.iter().enumerate() {
        let left = lefts.get(i).copied().unwrap_or(50.0);
        let sql = format!(
            "UPDATE instances SET traffic_remaining_gb = {left}, traffic_total_gb = 100 \
             WHERE instance_id = $1"
        );
        env.alter(&sql, inst.instance_id.as_str()).await;
    }
    let mut carol = env.browser("carol", Role::Viewer).await;
    let base = format!("/teams/{}/instances", env.team);

    let page = carol.get(&format!("{base}?traffic_below=20&sort=traffic")).await;
    assert_eq!(page.status, StatusCode::OK);
    let names: Vec<String> = all[..2].iter().map(|i| i.name.clone()).collect();
    assert_eq!(page.texts("table.instances td.name"), names, "least left first");
    assert_eq!(page.attr("#f-traffic-below option[selected]", "value").as_deref(), Some("20"));
    assert_eq!(page.count(ROWS), 2);
    let page = carol.get(&format!("{base}?traffic_below=50")).await;
    assert_eq!(page.count(ROWS), 3);
    // A value the form does not offer still shows as chosen.
    let page = carol.get(&format!("{base}?traffic_below=35")).await;
    assert_eq!(page.attr("#f-traffic-below option[selected]", "value").as_deref(), Some("35"));
    assert_eq!(page.count(ROWS), 3);

    for bad in ["abc", "0", "101", "-5", "20.5", "%00"] {
        let page = carol.get(&format!("{base}?traffic_below={bad}")).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        if bad != "%00" {
            assert_eq!(
                page.text(".field.invalid #f-traffic-below-error").as_deref(),
                Some("Traffic left: choose a percentage from 1 to 100."),
                "{bad}"
            );
            assert_eq!(
                page.attr("#f-traffic-below", "aria-describedby").as_deref(),
                Some("f-traffic-below-error")
            );
            assert_eq!(page.count(ROWS), 0);
        }
    }
    let partial = carol.get_htmx(&format!("{base}?traffic_below=x")).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        partial.texts("#instance-table [role=alert] li"),
        ["Traffic left: choose a percentage from 1 to 100."]
    );
}

#[tokio::test]
async fn the_expiry_filter_lists_soonest_first_and_offers_to_renew_them() {
    let env = Env::new(3).await;
    let all = env.instances().await;
    // In days from now: expired yesterday, 2, 5, 20; the rest in 200.
    let days = [-1, 2, 5, 20];
    for (i, inst) in all.iter().enumerate() {
        let d = days.get(i).copied().unwrap_or(200);
        let sql = format!(
            "UPDATE instances SET expires_at = now() + interval '{d} days' WHERE instance_id = $1"
        );
        env.alter(&sql, inst.instance_id.as_str()).await;
    }
    let base = format!("/teams/{}/instances", env.team);
    let names = |n: usize| all[..n].iter().map(|i| i.name.clone()).collect::<Vec<_>>();
    let renew_href = |d: u32| format!("/teams/{}/renewals/new?expires_within={d}", env.team);

    for (login, role, may_renew) in [
        ("vera", Role::Viewer, false),
        ("otto", Role::Operator, false),
        ("adam", Role::Admin, true),
        ("olga", Role::Owner, true),
    ] {
        let mut b = env.browser(login, role).await;
        let page = b.get(&format!("{base}?expires_within=7&sort=expiry")).await;
        assert_eq!(page.status, StatusCode::OK, "{login}");
        assert_eq!(page.texts("table.instances td.name"), names(3), "{login}: soonest first");
        assert_eq!(page.attr("#f-expires-within option[selected]", "value").as_deref(), Some("7"));
        // The table reloads itself (after a refresh) with the same filter.
        let reload = page.attr("#instance-table", "hx-get").unwrap();
        assert!(reload.contains("expires_within=7") && reload.contains("sort=expiry"), "{reload}");
        let link = page.attr("p.renew-all a", "href");
        assert_eq!(link, may_renew.then(|| renew_href(7)), "{login}");
        if may_renew {
            let text = page.text("p.renew-all a").unwrap();
            assert_eq!(text, "Renew these 3 instances…");
            // Through htmx (the filters changed) the table says it too.
            let partial = b.get_htmx(&format!("{base}?expires_within=30&sort=expiry")).await;
            assert_eq!(partial.texts("table.instances td.name"), names(4));
            assert_eq!(partial.attr("p.renew-all a", "href"), Some(renew_href(30)));
            assert_eq!(partial.text("p.renew-all a").as_deref(), Some("Renew these 4 instances…"));
        }
    }

    let mut adam = env.signed_in("adam").await;
    // Nothing expiring: no link to renew nothing.
    env.alter(
        "UPDATE instances SET expires_at = NULL WHERE instance_id = $1",
        all[0].instance_id.as_str(),
    )
    .await;
    let page = adam.get(&format!("{base}?expires_within=1")).await;
    assert_eq!(page.count(ROWS), 0);
    assert_eq!(page.count("p.renew-all"), 0);
    // Without the filter there is no such link either.
    assert_eq!(adam.get(&base).await.count("p.renew-all"), 0);

    for bad in ["0", "367", "seven", "7d", "99999999999"] {
        let page = adam.get(&format!("{base}?expires_within={bad}")).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(
            page.text(".field.invalid #f-expires-within-error").as_deref(),
            Some("Expires: choose a number of days from 1 to 366."),
            "{bad}"
        );
        assert_eq!(page.count("p.renew-all"), 0);
    }
    let page = adam.get(&format!("{base}?expires_within=366")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count(ROWS), all.len() - 1, "all but the one without an expiry");
}
