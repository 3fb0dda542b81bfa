//! Every step offers what the catalog sells for the choices before it.

use axum::http::{Method, StatusCode};
use lightdeck_domain::policy::Role;
use lightdeck_domain::values::Language;
use lightdeck_huaweicloud::catalog::{self, Os, Spec};

use super::{BEIJING, HONG_KONG, Shop, options, plans};

/// The catalog's plans for a choice, smallest first (as the page lists them).
fn by_size(mut specs: Vec<&Spec>) -> Vec<String> {
    specs.sort_by_key(|s| {
        (
            s.vcpus(),
            s.ram_mib(),
            s.disk_gib(),
            s.bandwidth_mbps(),
            s.traffic_gb(),
            s.code().to_owned(),
        )
    });
    specs.into_iter().map(|s| s.code().to_owned()).collect()
}

fn catalog_images(region: lightdeck_huaweicloud::Region) -> Vec<String> {
    let mut names: Vec<String> =
        catalog::images_in(region).into_iter().map(|i| i.name().to_owned()).collect();
    names.push("(private)".to_owned());
    names.sort();
    names
}

#[tokio::test]
async fn every_step_offers_what_the_catalog_sells_for_the_choices_before_it() {
    let shop = Shop::new().await;
    let mut alice = shop.owner().await;

    // A fresh form: the account that can buy, its first region; keys-only shown, not usable.
    let fresh = alice.get(&shop.new_url()).await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    let prod = shop.prod.to_string();
    assert_eq!(fresh.attr("#f-account option[selected]", "value"), Some(prod.clone()));
    let disabled = fresh.attrs("#f-account option[disabled]", "value");
    assert_eq!(disabled, [shop.keys_only.to_string()], "an account without an IAM user");
    assert!(fresh.text("ul.unusable").unwrap().contains("IAM user"), "and why");
    assert!(!fresh.body.contains(&shop.theirs.to_string()), "another team's account");
    assert_eq!(options(&fresh, "#f-region"), ["cn-north-4", "ap-southeast-1"]);
    assert_eq!(fresh.attr("#f-region option[selected]", "value").as_deref(), Some("cn-north-4"));
    assert!(fresh.text("#f-region").unwrap().contains("CN North-Beijing4"));
    let mut beijing = options(&fresh, "#f-image");
    beijing.sort();
    assert_eq!(beijing, catalog_images(BEIJING));
    assert!(beijing.contains(&"Palworld".to_owned()));
    assert_eq!(fresh.count("input[name=plan_spec]"), 0, "no plan before an image");
    assert!(fresh.text(".plans-wait").is_some());
    assert_eq!(fresh.attr("#f-quantity", "value").as_deref(), Some("1"));
    assert!(fresh.count("#f-auto-pay[checked]") == 1, "a fresh form pays at once");
    let key = fresh.attr("input[name=idempotency_key]", "value").unwrap();
    assert!(uuid::Uuid::try_parse(&key).is_ok());

    // "Show matching choices" without JavaScript: Hong Kong sells the .30m plans, and no
    // Palworld; Ubuntu gets its newest version there.
    let mut form = shop.valid();
    form.retain(|(k, _)| !["image_version", "plan_spec", "step"].contains(k));
    let hk = shop
        .post(&mut alice, &form, &[("region", Some("ap-southeast-1")), ("step", Some("choices"))])
        .await;
    assert_eq!(hk.status, StatusCode::OK, "{}", hk.body);
    let mut images = options(&hk, "#f-image");
    images.sort();
    assert_eq!(images, catalog_images(HONG_KONG));
    assert!(!images.contains(&"Palworld".to_owned()), "Palworld is sold in the mainland only");
    assert_eq!(hk.attr("#f-version option[selected]", "value").as_deref(), Some("24.04"));
    assert_eq!(plans(&hk), by_size(catalog::specs_for(HONG_KONG, "Ubuntu", "24.04")));
    assert!(plans(&hk).iter().all(|p| p.contains(".30m.")), "{:?}", plans(&hk));
    let sent_key = form.iter().find(|(k, _)| *k == "idempotency_key").map(|(_, v)| v.clone());
    assert_eq!(hk.attr("input[name=idempotency_key]", "value"), sent_key, "kept");
    let words = hk.texts("label.plan .plan-words");
    assert!(words[0].contains("vCPU") && words[0].contains("GiB memory"), "{words:?}");
    assert!(words[0].contains("Mbit/s") && words[0].contains("GB traffic a month"));

    // Debian 12.0 in Beijing is not sold with the ahf.*.40g.2m plans; 11.1 is.
    let debian = |version: &'static str| {
        [("image", Some("Debian")), ("image_version", Some(version)), ("step", Some("choices"))]
    };
    let d12 = shop.post(&mut alice, &form, &debian("12.0")).await;
    assert_eq!(plans(&d12), by_size(catalog::specs_for(BEIJING, "Debian", "12.0")));
    assert!(!plans(&d12).iter().any(|p| p.starts_with("ahf.") && p.contains(".40g.2m.")));
    let d11 = shop.post(&mut alice, &form, &debian("11.1")).await;
    assert!(plans(&d11).contains(&"ahf.large.1.40g.2m.linux".to_owned()), "{:?}", plans(&d11));
    assert_eq!(plans(&d11), by_size(catalog::specs_for(BEIJING, "Debian", "11.1")));
    // Smallest first: memory never shrinks down the list here.
    let sizes: Vec<u32> = plans(&d11).iter().map(|p| catalog::spec(p).unwrap().ram_mib()).collect();
    assert!(sizes.is_sorted(), "{sizes:?}");
    // A chosen plan the new image is not sold with is dropped, and that is said.
    let dropped = shop
        .post(
            &mut alice,
            &form,
            &[
                ("image", Some("Debian")),
                ("image_version", Some("12.0")),
                ("plan_spec", Some("ahf.large.1.40g.2m.linux")),
                ("step", Some("choices")),
            ],
        )
        .await;
    assert_eq!(dropped.count("input[name=plan_spec][checked]"), 0);
    assert!(dropped.text("#f-plan-note").unwrap().contains("ahf.large.1.40g.2m.linux"));

    // Windows images get the .win plans; a private image the private plans of its family.
    let win =
        shop.post(&mut alice, &form, &[("image", Some("WindowsServer")), ("step", None)]).await;
    assert!(!plans(&win).is_empty() && plans(&win).iter().all(|p| p.ends_with(".win")));
    let private = shop
        .post(&mut alice, &form, &[("image", Some("(private)")), ("image_os", Some("windows"))])
        .await;
    assert_eq!(private.count("#f-image-id"), 1);
    assert_eq!(plans(&private), by_size(catalog::private_specs_for(BEIJING, Os::Windows)));
    let linux = shop.post(&mut alice, &form, &[("image", Some("(private)"))]).await;
    assert_eq!(plans(&linux), by_size(catalog::private_specs_for(BEIJING, Os::Linux)));

    // htmx swaps in the dependent steps, or the numbered names, not the page.
    let token = alice.csrf.clone().unwrap();
    let body = lightdeck_testkit::form_body(&[
        ("account", &prod),
        ("region", "ap-southeast-1"),
        ("image", "Debian"),
        ("instance_name", "web"),
        ("quantity", "12"),
        ("idempotency_key", &key),
    ]);
    for (target, found, absent) in [
        ("purchase-choices", "#purchase-choices", "#purchase-names"),
        ("purchase-names", "#purchase-names", "#purchase-choices"),
    ] {
        let headers = [("HX-Request", "true"), ("HX-Target", target), ("X-CSRF-Token", &token)];
        let partial = alice.send(Method::POST, &shop.url(), &headers, Some(body.clone())).await;
        assert_eq!(partial.status, StatusCode::OK, "{}", partial.body);
        assert_eq!(partial.count("header.topbar, main, title"), 0, "a partial, not a page");
        assert_eq!(partial.count(found), 1, "{target}: {}", partial.body);
        assert_eq!(partial.count(absent), 0);
    }
    let headers =
        [("HX-Request", "true"), ("HX-Target", "purchase-names"), ("X-CSRF-Token", &token)];
    let names = alice.send(Method::POST, &shop.url(), &headers, Some(body)).await;
    let said = names.text("#purchase-names").unwrap();
    assert!(said.contains("web-0001") && said.contains("web-0002") && said.contains("web-0012"));
    assert!(!said.contains("web-0003"), "the first two and the last: {said}");
}

#[tokio::test]
async fn regions_and_messages_are_in_the_readers_language() {
    let shop = Shop::new().await;
    let mut li = shop.member("lilei", Role::Owner, Language::ZhCn).await;
    let page = li.get(&shop.new_url()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("#f-region").unwrap().contains("华北-北京四"), "{}", page.body);
    assert!(page.text("h1").unwrap().contains("购买"));
    let refused = shop
        .post(&mut li, &shop.valid(), &[("quantity", Some("0")), ("region", Some("cn-east-3"))])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let quantity = refused.text("#f-quantity-error").unwrap();
    assert!(quantity.contains("1 到 200"), "{quantity}");
    let region = refused.text("#f-region-error").unwrap();
    assert!(region.contains("华东-上海一") && region.contains("prod"), "{region}");
}

#[tokio::test]
async fn only_owners_are_offered_the_purchase() {
    let shop = Shop::new().await;
    let mut alice = shop.owner().await;
    for page in [
        format!("/teams/{}/instances", shop.team),
        format!("/teams/{}/orders", shop.team),
        "/".to_owned(),
    ] {
        let shown = alice.get(&page).await;
        assert_eq!(shown.attr("a.buy-link", "href"), Some(shop.new_url()), "{page}");
    }
    for (login, role) in [("dave", Role::Admin), ("bob", Role::Operator), ("carol", Role::Viewer)] {
        let mut b = shop.member(login, role, Language::En).await;
        for page in [format!("/teams/{}/instances", shop.team), "/".to_owned()] {
            assert_eq!(b.get(&page).await.count("a.buy-link"), 0, "{login} on {page}");
        }
        assert_eq!(b.get(&shop.new_url()).await.status, StatusCode::FORBIDDEN, "{login}");
        let sent = shop.post(&mut b, &shop.valid(), &[("step", Some("confirm"))]).await;
        assert_eq!(sent.status, StatusCode::FORBIDDEN, "{login}");
    }
    assert_eq!(shop.actions().await, 0);
    assert_eq!(shop.purchase_calls(), 0);
}
