//! The summary says what the purchase is; confirming needs a fresh password; one key is
//! one purchase, however often it is confirmed.

use axum::http::StatusCode;
use lightdeck_testkit::fixtures::PASSWORD;

use super::Shop;

fn orders(shop: &Shop) -> usize {
    shop.sim.state()["orders"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn the_summary_says_everything_and_sends_nothing() {
    let shop = Shop::new().await;
    let mut alice = shop.owner().await;
    let page = shop
        .post(
            &mut alice,
            &shop.valid(),
            &[
                ("quantity", Some("12")),
                ("data_disk_gib", Some("100")),
                ("backup_gib", Some("50")),
                ("host_security", Some("yes")),
                ("period", Some("3m")),
                ("auto_renew", Some("yes")),
                ("tags", Some("env=prod\n\nteam = shop ")),
                ("description", Some("the shop's web servers")),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let lines = page.texts(".purchase-summary ul.summary li");
    let all = lines.join("\n");
    for said in [
        "12 instances of the plan hf.small.1.linux (2 vCPUs · 2 GiB memory · 40 GiB system disk",
        "each running Ubuntu 22.04",
        "In the region CN North-Beijing4 (cn-north-4).",
        "charged to the cloud account prod (Huawei account",
        "For 3 months.",
        "Renewed automatically",
        "Paid at once from the balance of prod",
        "a 100 GiB data disk, 50 GiB of cloud backup, host security",
        "web-0001, web-0002 … web-0012",
        "Description: the shop's web servers",
        "Tags: env=prod, team=shop.",
        "lightdeck-purchase",
    ] {
        assert!(all.contains(said), "the summary lacks {said:?}:\n{all}");
    }
    assert!(lines.len() >= 8, "one sentence per line: {lines:?}");
    assert!(page.text(".purchase-summary .money").unwrap().contains("This spends money"));
    assert_eq!(page.count("#current-password"), 0, "signed in just now: no password asked");
    assert_eq!(page.text("#purchase-confirm button.buy").as_deref(), Some("Buy 12 instances"));
    // What the confirming form sends is the choice, normalized.
    let hidden = |name: &str| page.attr(&format!("#purchase-confirm input[name={name}]"), "value");
    assert_eq!(hidden("tags").as_deref(), Some("env=prod\nteam=shop"));
    assert_eq!(hidden("quantity").as_deref(), Some("12"));
    assert_eq!(hidden("auto_pay").as_deref(), Some("yes"));

    let unpaid = shop.post(&mut alice, &shop.valid(), &[("auto_pay", None)]).await;
    let all = unpaid.texts(".purchase-summary ul.summary li").join("\n");
    assert!(all.contains("waits for payment in the Huawei console"), "{all}");
    assert!(all.contains("Not renewed automatically") && all.contains("No data disk"), "{all}");
    // "Change something" brings the form back as it was.
    let back = shop.post(&mut alice, &shop.valid(), &[("step", Some("choices"))]).await;
    assert_eq!(back.attr("#f-name", "value").as_deref(), Some("web"));
    assert_eq!(
        back.attr("input[name=plan_spec][checked]", "value").as_deref(),
        Some("hf.small.1.linux")
    );
    assert_eq!(back.count("#f-auto-pay[checked]"), 1);

    assert_eq!(shop.actions().await, 0);
    assert_eq!(shop.purchase_calls(), 0, "a summary sends nothing");
}

#[tokio::test]
async fn confirming_needs_the_password_when_it_was_typed_more_than_ten_minutes_ago() {
    let shop = Shop::new().await;
    let mut alice = shop.owner().await;
    shop.clock.advance(time::Duration::minutes(11));
    let form = shop.valid();
    let review = shop.post(&mut alice, &form, &[]).await;
    assert_eq!(review.count("#current-password"), 1, "{}", review.body);

    for (typed, says) in [(None, "Type your Lightdeck password"), (Some("not it"), "not your")] {
        let refused = shop
            .post(&mut alice, &form, &[("step", Some("confirm")), ("current_password", typed)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed:?}");
        let error = refused.text("#current-password-error").unwrap_or_default();
        assert!(error.contains(says), "{typed:?}: {error}");
        assert_eq!(refused.attr("#current-password", "aria-invalid").as_deref(), Some("true"));
        assert!(refused.text(".purchase-summary").is_some(), "the summary stays");
        assert!(!refused.body.contains("not it"), "a typed password is never shown again");
    }
    assert_eq!(shop.actions().await, 0);
    assert_eq!(shop.purchase_calls(), 0);

    let bought = shop
        .post(&mut alice, &form, &[("step", Some("confirm")), ("current_password", Some(PASSWORD))])
        .await;
    assert_eq!(bought.status, StatusCode::SEE_OTHER, "{}", bought.body);
    assert_eq!(shop.actions().await, 1);
}

#[tokio::test]
async fn the_same_key_confirmed_twice_is_one_purchase_and_one_order() {
    let shop = Shop::new().await;
    let mut alice = shop.owner().await;
    let before = orders(&shop);
    let form = shop.valid();
    let confirm = [("step", Some("confirm"))];
    let first = shop.post(&mut alice, &form, &confirm).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let to = first.header("location").unwrap().to_owned();
    assert!(to.starts_with(&format!("/teams/{}/batches/", shop.team)), "{to}");
    // A second click, a second tab, a browser retry: the same key.
    let again = shop.post(&mut alice, &form, &confirm).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.header("location"), Some(to.as_str()), "the first purchase's page");
    assert_eq!(shop.actions().await, 1, "one action");
    assert_eq!(shop.purchase_calls(), 1, "one purchase sent");
    assert_eq!(orders(&shop), before + 1, "one order in cloudsim");
    let kind: String =
        sqlx::query_scalar("SELECT kind FROM actions").fetch_one(shop.db.pool()).await.unwrap();
    assert_eq!(kind, "purchase");

    // The same form confirmed again after changing a choice (Back, "Change something"):
    // the first purchase stands, the change is not bought silently but offered anew.
    let changed =
        shop.post(&mut alice, &form, &[("step", Some("confirm")), ("quantity", Some("5"))]).await;
    assert_eq!(changed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", changed.body);
    assert_eq!(changed.attr(".already-bought a", "href").as_deref(), Some(to.as_str()));
    assert_eq!(changed.count(".purchase-summary"), 1, "the new choices, to confirm");
    let fresh = changed.attr("#purchase-confirm input[name=idempotency_key]", "value").unwrap();
    assert_ne!(
        Some(fresh.as_str()),
        form.iter().find(|(k, _)| *k == "idempotency_key").map(|(_, v)| v.as_str())
    );
    assert_eq!(shop.purchase_calls(), 1, "nothing sent for the change");
    let bought = shop
        .post(
            &mut alice,
            &form,
            &[
                ("step", Some("confirm")),
                ("quantity", Some("5")),
                ("idempotency_key", Some(&fresh)),
            ],
        )
        .await;
    assert_eq!(bought.status, StatusCode::SEE_OTHER, "{}", bought.body);
    assert_eq!(shop.purchase_calls(), 2, "confirmed: a purchase of its own");

    // A new form (a new key) is a new purchase.
    let other = shop.post(&mut alice, &shop.valid(), &confirm).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_ne!(other.header("location"), Some(to.as_str()));
    assert_eq!(shop.purchase_calls(), 3);
    // A key the form did not make is refused, and nothing is sent.
    let forged = shop
        .post(&mut alice, &form, &[("step", Some("confirm")), ("idempotency_key", Some("x"))])
        .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(forged.text("div.flash.error").unwrap().contains("out of date"));
    assert_eq!(shop.purchase_calls(), 3);
}
