//! A bad value in any field, or a combination the catalog does not sell, is refused beside
//! its field (422, never a 500), the form comes back filled (long values cut short), and
//! nothing is recorded or sent.

use axum::http::StatusCode;
use uuid::Uuid;

use super::{Shop, plans};

/// The id of each field's error message; the field itself points at it.
fn error_id(field: &str) -> &'static str {
    match field {
        "account" => "f-account-error",
        "region" => "f-region-error",
        "image" => "f-image-error",
        "image_version" => "f-version-error",
        "image_id" => "f-image-id-error",
        "image_os" => "f-image-os-error",
        "plan_spec" => "f-plan-error",
        "data_disk_gib" => "f-data-disk-error",
        "backup_gib" => "f-backup-error",
        "period" => "f-period-error",
        "instance_name" => "f-name-error",
        "description" => "f-description-error",
        "tags" => "f-tags-error",
        "quantity" => "f-quantity-error",
        other => panic!("no error id for {other}"),
    }
}

type Changes = Vec<(&'static str, Option<String>)>;

/// (what, the changes to the valid form, the field that must be named).
fn cases(shop: &Shop) -> Vec<(String, Changes, &'static str)> {
    let long = "x".repeat(10 * 1024);
    let one = |field: &'static str, value: &str| {
        (
            format!("{field}={}", value.chars().take(40).collect::<String>()),
            vec![(field, Some(value.to_owned()))],
            field,
        )
    };
    let mut out = Vec::new();
    let theirs = shop.theirs.to_string();
    let keys_only = shop.keys_only.to_string();
    let random = Uuid::new_v4().to_string();
    for (field, values) in [
        ("account", vec!["", "not-a-uuid", &random, &theirs, &keys_only, "true", &long]),
        ("region", vec!["", "mars-1", "cn-east-3", "CN-NORTH-4", "[]", &long]),
        ("image", vec!["", "NoSuchImage", "ubuntu", &long]),
        ("image_version", vec!["", "99", "22.04.1", &long]),
        ("plan_spec", vec!["", "hf.nope", "hf.large.1.40g.30m.linux", "hf.small.1.win", &long]),
        ("data_disk_gib", vec!["9", "2049", "-1", "1.5", "abc", "true", "1e3", &long]),
        ("backup_gib", vec!["0", "99999999", "NaN", &long]),
        ("period", vec!["", "10m", "4y", "0m", "12", "1w", &long]),
        ("instance_name", vec!["", "1web", "web site", "web.01", &"a".repeat(129), &long]),
        ("description", vec![&"d".repeat(1025), &long]),
        (
            "tags",
            vec![
                "=x",
                "lightdeck-purchase=x",
                "a=1\na=2",
                "9bad=x",
                &format!("k={}", "v".repeat(256)),
                &long,
            ],
        ),
        ("quantity", vec!["0", "201", "-1", "abc", "1e2", "2.5", "[]", &long]),
    ] {
        for v in values {
            out.push(one(field, v));
        }
    }
    let ten_tags: String = (0..10).map(|i| format!("k{i}=v\n")).collect();
    out.push(one("tags", &ten_tags));
    let s = |v: &str| Some(v.to_owned());
    let combos: Vec<(&str, Changes, &'static str)> = vec![
        (
            "Palworld in Hong Kong",
            vec![
                ("region", s("ap-southeast-1")),
                ("image", s("Palworld")),
                ("image_version", s("0.1.4")),
                ("plan_spec", s("hf.xlarge.3.linux")),
            ],
            "image",
        ),
        (
            "Debian 12.0 with an ahf.*.40g.2m plan in Beijing",
            vec![
                ("image", s("Debian")),
                ("image_version", s("12.0")),
                ("plan_spec", s("ahf.large.1.40g.2m.linux")),
            ],
            "plan_spec",
        ),
        (
            "Debian 9.0 with the 0.5 GiB plan in Hong Kong",
            vec![
                ("region", s("ap-southeast-1")),
                ("image", s("Debian")),
                ("image_version", s("9.0")),
                ("plan_spec", s("hf.large.025.30m.linux")),
            ],
            "plan_spec",
        ),
        ("a Beijing plan in Hong Kong", vec![("region", s("ap-southeast-1"))], "plan_spec"),
        (
            "keys-only in Hong Kong",
            vec![("account", Some(keys_only.clone())), ("region", s("ap-southeast-1"))],
            "account",
        ),
        (
            "a private image without a usable id",
            vec![("image", s("(private)")), ("image_id", s("nope")), ("image_os", s("linux"))],
            "image_id",
        ),
        (
            "a private image of no known family",
            vec![
                ("image", s("(private)")),
                ("image_id", Some(Uuid::new_v4().to_string())),
                ("image_os", s("beos")),
            ],
            "image_os",
        ),
        (
            "a Windows plan for a Linux private image",
            vec![
                ("image", s("(private)")),
                ("image_id", Some(Uuid::new_v4().to_string())),
                ("plan_spec", s("hf.small.1.win")),
            ],
            "plan_spec",
        ),
        (
            "a Hong Kong plan for a private image in Beijing",
            vec![
                ("image", s("(private)")),
                ("image_id", Some(Uuid::new_v4().to_string())),
                ("plan_spec", s("hf.large.1.40g.30m.linux")),
            ],
            "plan_spec",
        ),
        (
            "124 characters for 2 numbered names",
            vec![("instance_name", Some("a".repeat(124)))],
            "instance_name",
        ),
        ("a version of another image", vec![("image_version", s("12.0"))], "image_version"),
    ];
    for (what, changes, field) in combos {
        out.push((what.to_owned(), changes, field));
    }
    out
}

#[tokio::test]
async fn every_bad_value_is_refused_beside_its_field_and_nothing_is_recorded_or_sent() {
    let shop = Shop::new().await;
    let mut alice = shop.owner().await;
    let valid = shop.valid();
    let review = shop.post(&mut alice, &valid, &[]).await;
    assert_eq!(review.status, StatusCode::OK, "the valid form is valid: {}", review.body);

    let mut problems = Vec::new();
    let cases = cases(&shop);
    for (what, changes, field) in &cases {
        for step in ["review", "confirm"] {
            let mut all: Vec<(&'static str, Option<&str>)> =
                changes.iter().map(|(k, v)| (*k, v.as_deref())).collect();
            all.push(("step", Some(step)));
            let page = shop.post(&mut alice, &valid, &all).await;
            let id = error_id(field);
            let said = format!("{what} ({step})");
            if page.status != StatusCode::UNPROCESSABLE_ENTITY {
                problems.push(format!("{said}: status {}", page.status));
                continue;
            }
            if page.count(&format!("#{id}")) != 1 {
                problems.push(format!("{said}: no #{id}; errors {:?}", page.texts(".field-error")));
            }
            let pointing = format!("[aria-invalid=true][aria-describedby~={id}]");
            if page.count(&pointing) == 0 {
                problems.push(format!("{said}: no field marked invalid pointing at #{id}"));
            }
            if page.count("#purchase-form") != 1 || page.count(".purchase-summary") != 0 {
                problems.push(format!("{said}: the form is not shown again"));
            }
            if page.body.contains(&"x".repeat(3001)) {
                problems.push(format!("{said}: a 10 KB value came back in full"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases:\n  {}",
        problems.len(),
        cases.len(),
        problems.join("\n  ")
    );

    // The half-filled form comes back filled, long values cut short.
    let page = shop
        .post(
            &mut alice,
            &valid,
            &[
                ("instance_name", Some("1web")),
                ("tags", Some("env=prod\nteam=shop")),
                ("data_disk_gib", Some("100")),
            ],
        )
        .await;
    assert_eq!(page.attr("#f-name", "value").as_deref(), Some("1web"));
    assert!(page.body.contains(">env=prod\nteam=shop</textarea>"), "the tags as typed");
    assert_eq!(page.attr("#f-data-disk", "value").as_deref(), Some("100"));
    assert_eq!(page.attr("#f-version option[selected]", "value").as_deref(), Some("22.04"));
    assert_eq!(plans(&page).len(), 12);
    assert_eq!(
        page.attr("input[name=plan_spec][checked]", "value").as_deref(),
        Some("hf.small.1.linux")
    );
    let long = shop.post(&mut alice, &valid, &[("instance_name", Some(&"x".repeat(10240)))]).await;
    assert_eq!(long.attr("#f-name", "value").map(|v| v.chars().count()), Some(200));

    // Every problem at once, each beside its field.
    let many = shop
        .post(
            &mut alice,
            &valid,
            &[
                ("quantity", Some("0")),
                ("instance_name", Some("")),
                ("period", Some("x")),
                ("plan_spec", Some("nope")),
                ("tags", Some("=x")),
            ],
        )
        .await;
    assert_eq!(many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(many.count(".field-error"), 5, "{:?}", many.texts(".field-error"));
    assert!(many.text("div.flash.error").unwrap().contains("5 fields"));
    let tags = shop.post(&mut alice, &valid, &[("tags", Some("ok=1\n9bad=x\nok=2"))]).await;
    let said = tags.text("#f-tags-error").unwrap();
    assert!(
        said.contains("line 2") && said.contains("line 3") && said.contains("“ok” is given twice"),
        "{said}"
    );

    // Control characters are refused at the door, naming the field.
    for (field, value) in
        [("instance_name", "a\u{0}b"), ("tags", "k=v\u{0}"), ("description", "a\tb")]
    {
        let page =
            shop.post(&mut alice, &valid, &[(field, Some(value)), ("step", Some("confirm"))]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(page.all_text().iter().any(|t| t.contains(field)), "{field}: {}", page.body);
    }

    assert_eq!(shop.actions().await, 0, "nothing recorded");
    assert_eq!(shop.purchase_calls(), 0, "nothing sent");
}
