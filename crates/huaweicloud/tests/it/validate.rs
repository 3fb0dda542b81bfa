//! Field validation: boundaries of every rule, field names in errors, all errors at once,
//! passwords never echoed.

use lightdeck_huaweicloud::model::hcss::{ExtraResource, ImageRef, PurchaseRequest, Tag};
use lightdeck_huaweicloud::validate;
use proptest::prelude::*;

/// The seed's request example (WindowsServer 2012R2 in Singapore), which must pass.
fn seed_example() -> PurchaseRequest {
    PurchaseRequest {
        instance_name: "test-0620-01".into(),
        description: Some("test".into()),
        plan_spec: "hf.large.1.40g.30m.win".into(),
        image_ref: Some(ImageRef {
            image_name: Some("WindowsServer".into()),
            image_version: Some("2012R2_standard_ch".into()),
            image_id: None,
        }),
        region: "ap-southeast-3".into(),
        charging_mode: Some("prePaid".into()),
        period_type: "month".into(),
        period_num: 1,
        purchase_quantity: Some(2),
        is_auto_renew: Some(true),
        is_auto_pay: Some(true),
        extra_resources: Some(vec![
            ExtraResource { kind: "evs".into(), size: Some(20) },
            ExtraResource { kind: "cbr".into(), size: Some(20) },
            ExtraResource { kind: "hss".into(), size: None },
        ]),
        tags: None,
    }
}

fn errors_of(req: &PurchaseRequest) -> Vec<String> {
    match validate::purchase(req) {
        Ok(()) => Vec::new(),
        Err(e) => e.0.into_iter().map(|e| e.field).collect(),
    }
}

fn with(f: impl FnOnce(&mut PurchaseRequest)) -> PurchaseRequest {
    let mut r = seed_example();
    f(&mut r);
    r
}

fn tag(key: &str, value: &str) -> Tag {
    Tag { key: key.into(), value: value.into() }
}

#[test]
fn the_seed_example_passes() {
    validate::purchase(&seed_example()).unwrap();
    let minimal = with(|r| {
        r.description = None;
        r.charging_mode = None;
        r.purchase_quantity = None;
        r.extra_resources = None;
    });
    validate::purchase(&minimal).unwrap();
}

#[test]
fn instance_name_boundaries() {
    for ok in ["a", "实例", "中文-name_01", &"a".repeat(128), &"名".repeat(128)] {
        assert_eq!(
            errors_of(&with(|r| r.instance_name = ok.to_string())),
            Vec::<String>::new(),
            "{ok}"
        );
    }
    for bad in [
        "",
        "1abc",
        "_abc",
        "-abc",
        "my server",
        "my.server",
        "café",
        "ｆｕｌｌ",
        "名!",
        &"a".repeat(129),
        &"名".repeat(129),
    ] {
        assert_eq!(
            errors_of(&with(|r| r.instance_name = bad.to_string())),
            ["instance_name"],
            "{bad:?}"
        );
    }
    let err = validate::purchase(&with(|r| r.instance_name = "a".repeat(129))).unwrap_err();
    assert_eq!(err.get("instance_name"), Some("must be 1 to 128 characters long (it has 129)"));
    let err = validate::purchase(&with(|r| r.instance_name = "9 lives".into())).unwrap_err();
    let msg = err.get("instance_name").unwrap();
    assert!(
        msg.contains("found a space")
            && msg.contains("must start with a Chinese character or a letter"),
        "{msg}"
    );
    let err = validate::purchase(&with(|r| r.instance_name = String::new())).unwrap_err();
    assert_eq!(err.get("instance_name"), Some("is required"));
}

#[test]
fn description_counts_characters_not_bytes() {
    for ok in [String::new(), "描".repeat(1024), "x".repeat(1024), "<anything goes>".into()] {
        assert!(errors_of(&with(|r| r.description = Some(ok.clone()))).is_empty());
    }
    let err = validate::purchase(&with(|r| r.description = Some("描".repeat(1025)))).unwrap_err();
    assert_eq!(err.get("description"), Some("must be at most 1024 characters long (it has 1025)"));
}

#[test]
fn region_charging_and_period() {
    let err = validate::purchase(&with(|r| r.region = "eu-west-0".into())).unwrap_err();
    assert_eq!(err.0.iter().filter(|e| e.field == "region").count(), 1, "{err}");
    assert!(err.get("region").unwrap().contains("eu-west-0"));

    assert_eq!(errors_of(&with(|r| r.charging_mode = Some("postPaid".into()))), ["charging_mode"]);
    assert_eq!(errors_of(&with(|r| r.charging_mode = Some("prepaid".into()))), ["charging_mode"]);

    for (t, n, ok) in [
        ("month", 1, true),
        ("month", 9, true),
        ("month", 0, false),
        ("month", 10, false),
        ("year", 1, true),
        ("year", 3, true),
        ("year", 0, false),
        ("year", 4, false),
        ("month", -1, false),
        ("year", i64::MAX, false),
    ] {
        let errs = errors_of(&with(|r| {
            r.period_type = t.into();
            r.period_num = n;
        }));
        assert_eq!(errs.is_empty(), ok, "{t} {n}: {errs:?}");
        if !ok {
            assert_eq!(errs, ["period_num"]);
        }
    }
    assert_eq!(errors_of(&with(|r| r.period_type = "week".into())), ["period_type"]);
    assert_eq!(
        errors_of(&with(|r| {
            r.period_type = "Month".into();
            r.period_num = 12;
        })),
        ["period_type", "period_num"]
    );
    let err = validate::purchase(&with(|r| {
        r.period_type = "year".into();
        r.period_num = 4;
    }))
    .unwrap_err();
    assert_eq!(err.get("period_num"), Some("must be 1 to 3 years (it is 4)"));
}

#[test]
fn purchase_quantity_boundaries() {
    for (q, ok) in [(1, true), (200, true), (0, false), (201, false), (-5, false)] {
        assert_eq!(errors_of(&with(|r| r.purchase_quantity = Some(q))).is_empty(), ok, "{q}");
    }
    assert_eq!(errors_of(&with(|r| r.purchase_quantity = Some(201))), ["purchase_quantity"]);
}

#[test]
fn extra_resources_are_named_by_index() {
    let res = |kind: &str, size: Option<i64>| ExtraResource { kind: kind.into(), size };
    let ok = [
        res("evs", Some(10)),
        res("evs", Some(2048)),
        res("cbr", Some(10)),
        res("cbr", Some(2048)),
        res("hss", None),
    ];
    assert!(errors_of(&with(|r| r.extra_resources = Some(ok.to_vec()))).is_empty());

    let bad = vec![
        res("evs", Some(9)),
        res("cbr", Some(2049)),
        res("evs", None),
        res("hss", Some(10)),
        res("EVS", Some(20)),
        res("", None),
    ];
    let err = validate::purchase(&with(|r| r.extra_resources = Some(bad))).unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "extra_resources[0].size",
            "extra_resources[1].size",
            "extra_resources[2].size",
            "extra_resources[3].size",
            "extra_resources[4].type",
            "extra_resources[5].type",
        ]
    );
    assert_eq!(err.get("extra_resources[0].size"), Some("must be 10 to 2048 GiB (it is 9)"));
    assert!(err.get("extra_resources[2].size").unwrap().starts_with("is required for evs"));
    assert!(err.get("extra_resources[3].size").unwrap().contains("left out for hss"));
    assert!(err.get("extra_resources[4].type").unwrap().contains("“EVS”"));
}

#[test]
fn tags_keys_and_values() {
    let ok = vec![
        tag("env", ""),
        tag("环境", "生产"),
        tag(&"k".repeat(32), &"v".repeat(2048)),
        tag("a-b_c9", "x"),
    ];
    assert!(errors_of(&with(|r| r.tags = Some(ok))).is_empty());
    let bad = vec![
        tag("", "v"),
        tag(&"k".repeat(33), "v"),
        tag("1key", "v"),
        tag("key with space", "v"),
        tag("ok", &"值".repeat(2049)),
    ];
    let err = validate::purchase(&with(|r| r.tags = Some(bad))).unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["tags[0].key", "tags[1].key", "tags[2].key", "tags[3].key", "tags[4].value"]
    );
    assert_eq!(err.get("tags[1].key"), Some("must be 1 to 32 characters long (it has 33)"));
    assert_eq!(
        err.get("tags[4].value"),
        Some("must be at most 2048 characters long (it has 2049)")
    );
}

#[test]
fn image_ref_and_catalog_are_checked() {
    assert_eq!(errors_of(&with(|r| r.image_ref = None)), ["image_ref"]);
    let private = with(|r| {
        r.image_ref =
            Some(ImageRef { image_id: Some("7a1b2c3d-private".into()), ..ImageRef::default() });
        r.plan_spec = "hf.large.025.30m.linux".into();
    });
    validate::purchase(&private).unwrap();
    assert_eq!(errors_of(&with(|r| r.plan_spec = "hf.small.1.win".into())), ["plan_spec"]);
    let hk_only = with(|r| {
        r.image_ref = Some(ImageRef {
            image_name: Some("WindowsServer".into()),
            image_version: Some("2022_standard_ch".into()),
            image_id: None,
        })
    });
    assert_eq!(errors_of(&hk_only), ["image_ref.image_version"]);
}

#[test]
fn all_problems_are_collected_at_once() {
    let req = PurchaseRequest {
        instance_name: "1 bad".into(),
        description: Some("d".repeat(1025)),
        plan_spec: "hf.small.1.linux".into(),
        image_ref: Some(ImageRef {
            image_name: Some("WordPress".into()),
            image_version: Some("6.2.2".into()),
            image_id: None,
        }),
        region: "ap-southeast-3".into(),
        charging_mode: Some("postPaid".into()),
        period_type: "year".into(),
        period_num: 5,
        purchase_quantity: Some(0),
        is_auto_renew: None,
        is_auto_pay: None,
        extra_resources: Some(vec![ExtraResource { kind: "hss".into(), size: Some(1) }]),
        tags: Some(vec![tag("", "")]),
    };
    let err = validate::purchase(&req).unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "instance_name",
            "description",
            "charging_mode",
            "period_num",
            "purchase_quantity",
            "extra_resources[0].size",
            "tags[0].key",
            "plan_spec",
        ]
    );
    assert!(err.to_string().contains(
        "plan (plan_spec): “hf.small.1.linux” is not sold with WordPress 6.2.2 in AP-Singapore"
    ));
}

mod fields;
