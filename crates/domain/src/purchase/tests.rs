use lightdeck_huaweicloud::model::hcss::PURCHASE_TAG_KEY;

use super::*;

pub(crate) fn parts() -> PlanParts {
    PlanParts {
        account_id: Uuid::from_u128(7),
        region: Region::CnNorth4,
        image: ImageChoice::Catalog { name: "Ubuntu".into(), version: "22.04".into() },
        plan_spec: "hf.small.1.linux".into(),
        data_disk: None,
        backup: None,
        host_security: false,
        term: PurchaseTerm::parse("1m").unwrap(),
        auto_renew: false,
        auto_pay: true,
        name: InstanceName::parse("web").unwrap(),
        description: PurchaseDescription::default(),
        tags: UserTags::default(),
        quantity: Quantity::new(1).unwrap(),
    }
}

/// The field a single-value parser's error names.
pub(crate) fn field_of(e: crate::Error) -> String {
    match e {
        crate::Error::Invalid(errs) => errs.0[0].field.clone(),
        other => panic!("{other:?}"),
    }
}

fn fields(e: FieldErrors) -> Vec<String> {
    e.0.into_iter().map(|e| e.field).collect()
}

#[test]
fn a_plan_the_catalog_sells_becomes_the_hcss_request_with_the_purchase_tag() {
    let mut p = parts();
    p.data_disk = Some(ExtraSize::new("data_disk_gib", 100).unwrap());
    p.backup = Some(ExtraSize::new("backup_gib", 50).unwrap());
    p.host_security = true;
    p.tags = UserTags::parse("env=prod").unwrap();
    p.quantity = Quantity::new(2).unwrap();
    let plan = PurchasePlan::new(p).unwrap();
    let id = Uuid::from_u128(42);
    let req = plan.request(id);
    assert_eq!(req.purchase_tag(), Some(id.to_string().as_str()));
    assert_eq!(req.tags.as_ref().unwrap().len(), 2);
    assert_eq!(req.purchase_quantity, Some(2));
    assert_eq!((req.period_type.as_str(), req.period_num), ("month", 1));
    let kinds: Vec<&str> = req.extra_resources.iter().flatten().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["evs", "cbr", "hss"]);
    assert!(validate::purchase(&req).is_ok());
    assert_eq!(plan.names(), ["web-0001", "web-0002"]);
}

#[test]
fn combinations_the_catalog_does_not_sell_name_the_field_to_change() {
    // Debian 12.0 is not sold with the ahf.*.40g.2m plans in Beijing.
    let mut p = parts();
    p.image = ImageChoice::Catalog { name: "Debian".into(), version: "12.0".into() };
    p.plan_spec = "ahf.large.1.40g.2m.linux".into();
    assert_eq!(fields(PurchasePlan::new(p).unwrap_err()), ["plan_spec"]);

    let mut p = parts();
    p.image = ImageChoice::Catalog { name: "Ubuntu".into(), version: "16.04".into() };
    p.region = Region::CnSouthwest2;
    p.plan_spec = "ahf.small.1.linux".into();
    assert_eq!(fields(PurchasePlan::new(p).unwrap_err()), ["image_version"]);

    let mut p = parts();
    p.image = ImageChoice::Catalog { name: "Windows 95".into(), version: "1".into() };
    assert!(fields(PurchasePlan::new(p).unwrap_err()).contains(&"image".to_owned()));

    // A Windows plan for a Linux image.
    let mut p = parts();
    p.plan_spec = "hf.small.1.win".into();
    assert_eq!(fields(PurchasePlan::new(p).unwrap_err()), ["plan_spec"]);

    // A Hong Kong plan in Beijing.
    let mut p = parts();
    p.plan_spec = "hf.large.1.40g.30m.linux".into();
    assert_eq!(fields(PurchasePlan::new(p).unwrap_err()), ["plan_spec"]);
}

#[test]
fn private_images_take_the_specs_of_their_os_family() {
    let id = "1b2c3d4e-0000-4000-8000-000000000000";
    let mut p = parts();
    p.image = ImageChoice::private(id, Os::Windows).unwrap();
    p.plan_spec = "hf.small.1.win".into();
    let plan = PurchasePlan::new(p.clone()).unwrap();
    let req = plan.request(Uuid::nil());
    assert_eq!(req.image_ref.unwrap().image_id.as_deref(), Some(id));
    p.plan_spec = "hf.small.1.linux".into();
    assert_eq!(fields(PurchasePlan::new(p).unwrap_err()), ["plan_spec"]);
    assert!(ImageChoice::private("ubuntu", Os::Linux).is_err());
}

#[test]
fn a_long_name_is_refused_only_when_it_must_be_numbered() {
    let mut p = parts();
    p.name = InstanceName::parse(&"a".repeat(125)).unwrap();
    assert!(PurchasePlan::new(p.clone()).is_ok());
    p.quantity = Quantity::new(3).unwrap();
    assert_eq!(fields(PurchasePlan::new(p).unwrap_err()), ["instance_name"]);
}

#[test]
fn stored_json_reads_back_and_a_tampered_row_does_not() {
    let mut p = parts();
    p.tags = UserTags::parse("env=prod\nowner=ops").unwrap();
    p.description = PurchaseDescription::parse("shop\nfront").unwrap();
    p.backup = Some(ExtraSize::new("backup_gib", 20).unwrap());
    let purchase = Purchase::new(PurchasePlan::new(p).unwrap());
    let json = encode_stored(&purchase);
    assert_eq!(decode_stored(&json).unwrap(), purchase);
    assert_eq!(json["tags"], serde_json::json!([["env", "prod"], ["owner", "ops"]]));
    assert!(json.to_string().contains(&purchase.purchase_id.to_string()));

    // A plan a later catalog no longer sells is still what was bought.
    let mut retired = json.clone();
    retired["plan_spec"] = serde_json::json!("hf.small.9.linux");
    retired["image_version"] = serde_json::json!("10.04");
    let old = decode_stored(&retired).expect("an old purchase stays readable");
    assert_eq!(old.plan.parts().plan_spec, "hf.small.9.linux");

    for (key, bad) in [
        ("quantity", serde_json::json!(0)),
        ("period_num", serde_json::json!(10)),
        ("instance_name", serde_json::json!("1web")),
        ("tags", serde_json::json!([[PURCHASE_TAG_KEY, "x"]])),
        ("client_request_id", serde_json::json!("short")),
    ] {
        let mut tampered = json.clone();
        tampered[key] = bad;
        assert!(decode_stored(&tampered).is_none(), "{key}");
    }
    let mut extra = json.clone();
    extra["password"] = serde_json::json!("x");
    assert!(decode_stored(&extra).is_none(), "unknown keys are refused");
}

#[test]
fn each_purchase_has_its_own_ids_and_tag() {
    let plan = PurchasePlan::new(parts()).unwrap();
    let (a, b) = (Purchase::new(plan.clone()), Purchase::new(plan));
    assert_ne!(a.purchase_id, b.purchase_id);
    assert_ne!(a.client_request_id, b.client_request_id);
    assert_eq!(a.tag_filter(), format!("{PURCHASE_TAG_KEY}={}", a.purchase_id));
    assert_eq!(a.request().purchase_tag(), Some(a.purchase_id.to_string().as_str()));
}
