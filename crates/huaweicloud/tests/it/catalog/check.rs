//! `catalog::check*`: each invalid combination is refused against the right field.

use super::*;

fn fields(r: Result<(), lightdeck_huaweicloud::FieldErrors>) -> Vec<String> {
    r.unwrap_err().0.into_iter().map(|e| e.field).collect()
}

#[test]
fn the_seed_example_is_accepted() {
    catalog::check(
        "ap-southeast-3",
        "WindowsServer",
        "2012R2_standard_ch",
        "hf.large.1.40g.30m.win",
    )
    .unwrap();
}

#[test]
fn valid_combinations_in_every_region_are_accepted() {
    for r in Region::ALL {
        for image in catalog::images_in(r) {
            for v in image.versions_in(r) {
                let specs = image.specs_for(r, v);
                assert!(!specs.is_empty(), "{} {v} in {r} has no spec", image.name());
                for s in specs {
                    catalog::check(r.id(), image.name(), v, s.code()).unwrap();
                }
            }
        }
        for s in catalog::private_specs(r) {
            catalog::check_private(r.id(), s.code()).unwrap();
        }
    }
}

#[test]
fn the_spec_is_named_when_an_image_is_not_sold_with_it() {
    let err =
        catalog::check("ap-southeast-3", "WordPress", "6.2.2", "hf.small.1.linux").unwrap_err();
    assert_eq!(err.0.len(), 1);
    let msg = err.get("plan_spec").unwrap();
    assert!(
        msg.starts_with("“hf.small.1.linux” is not sold with WordPress 6.2.2 in AP-Singapore; choose one of hf.large.1.40g.30m.linux"),
        "{msg}"
    );
    assert!(msg.ends_with("and 1 more"), "{msg}");

    // RAM floors of the application table.
    for (image, version, code) in [
        ("Nextcloud", "26.0.1", "hf.small.2.linux"),
        ("SRS", "6.0.45", "ahf.large.2.3m.linux"),
        ("GitLab", "16.0.7", "hf.medium.3.linux"),
        ("Superset", "2.0.1", "hf.large.2.60g.30m.linux"),
        ("Palworld", "0.1.4", "hf.large.1.linux"),
        ("BT", "8.0", "ahf.large.05.40g.2m.linux"),
    ] {
        let region = catalog::spec(code).unwrap().regions().next().unwrap();
        assert_eq!(
            fields(catalog::check(region.id(), image, version, code)),
            ["plan_spec"],
            "{image} {code}"
        );
    }
}

#[test]
fn per_version_exceptions_are_refused_and_their_neighbours_accepted() {
    let cases = [
        ("cn-north-4", "Ubuntu", "16.04", "18.04", "ahf.large.1.40g.2m.linux"),
        ("cn-east-3", "Ubuntu", "16.04", "24.04", "ahf.large.05.40g.2m.linux"),
        ("cn-south-1", "Debian", "12.0", "11.1", "ahf.large.05.40g.2m.linux"),
        ("ap-southeast-1", "Debian", "9.0", "12.0", "hf.large.025.30m.linux"),
        ("ap-southeast-3", "CentOS", "7.9", "7.6", "hf.large.025.30m.linux"),
    ];
    for (region, image, refused, accepted, code) in cases {
        assert_eq!(
            fields(catalog::check(region, image, refused, code)),
            ["plan_spec"],
            "{image} {refused}"
        );
        catalog::check(region, image, accepted, code).unwrap();
    }
    // Ubuntu never gets the 0.5 GiB plan in HK/SG; CentOS_Stream has no ahf plans.
    assert_eq!(
        fields(catalog::check("ap-southeast-1", "Ubuntu", "22.04", "hf.large.025.30m.linux")),
        ["plan_spec"]
    );
    assert_eq!(
        fields(catalog::check("cn-north-4", "CentOS_Stream", "9.0", "ahf.large.1.40g.2m.linux")),
        ["plan_spec"]
    );
}

#[test]
fn windows_in_guiyang_uses_win_codes() {
    catalog::check("cn-southwest-2", "WindowsServer", "2022_standard_ch", "ahf.small.1.win")
        .unwrap();
    assert_eq!(
        fields(catalog::check(
            "cn-southwest-2",
            "WindowsServer",
            "2022_standard_ch",
            "ahf.small.1.linux"
        )),
        ["plan_spec"]
    );
    assert_eq!(
        fields(catalog::check("cn-north-4", "Ubuntu", "22.04", "hf.small.1.win")),
        ["plan_spec"]
    );
}

#[test]
fn the_image_name_is_named_when_it_is_unknown_or_not_sold_there() {
    let err = catalog::check("cn-north-4", "wordpress", "6.2.2", "hf.small.1.linux").unwrap_err();
    assert_eq!(err.0.len(), 1);
    assert!(err.get("image_ref.image_name").unwrap().contains("did you mean WordPress?"));

    let err = catalog::check("cn-north-4", "Windows", "2019", "hf.small.1.win").unwrap_err();
    assert_eq!(fields(Err(err.clone())), ["image_ref.image_name"]);
    assert!(err.get("image_ref.image_name").unwrap().contains("choose one such as BT"));

    for (region, image, version) in [
        ("ap-southeast-1", "Palworld", "0.1.4"),
        ("cn-southwest-2", "Palworld", "0.1.4"),
        ("cn-southwest-2", "CentOS_Stream", "9.0"),
    ] {
        let code = catalog::specs_in(region.parse().unwrap()).next().unwrap().code();
        let err = catalog::check(region, image, version, code).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        let msg = err.get("image_ref.image_name").unwrap();
        assert!(msg.contains("is not offered in") && msg.contains("CN North-Beijing4"), "{msg}");
    }
}

#[test]
fn the_version_is_named_when_it_is_not_sold_there() {
    let err = catalog::check("cn-southwest-2", "Ubuntu", "16.04", "ahf.small.1.linux").unwrap_err();
    assert_eq!(err.0.len(), 1);
    let msg = err.get("image_ref.image_version").unwrap();
    assert_eq!(
        msg,
        "Ubuntu “16.04” is not offered in CN Southwest-Guiyang1; choose one of 24.04, 22.04, 20.04, 18.04"
    );
    assert_eq!(
        fields(catalog::check(
            "ap-southeast-1",
            "WindowsServer",
            "2022_standard_ch",
            "hf.large.1.40g.30m.win"
        )),
        ["image_ref.image_version"]
    );
    assert_eq!(
        fields(catalog::check("cn-north-4", "WordPress", "", "hf.small.1.linux")),
        ["image_ref.image_version"]
    );
}

#[test]
fn region_and_spec_problems_are_reported_together() {
    let err = catalog::check("eu-west-0", "WordPress", "6.2.2", "hf.tiny.linux").unwrap_err();
    assert_eq!(fields(Err(err.clone())), ["region", "plan_spec"]);
    assert!(err.get("region").unwrap().contains("“eu-west-0”"));
    assert!(err.get("plan_spec").unwrap().contains("is not a Flexus L spec code"));

    assert_eq!(
        fields(catalog::check("eu-west-0", "Ubuntu", "1.0", "hf.small.1.linux")),
        ["region", "image_ref.image_version"]
    );
    assert_eq!(
        fields(catalog::check("cn-north-4", "Nope", "1", "")),
        ["image_ref.image_name", "plan_spec"]
    );
    // A spec from another region's price list.
    let err = catalog::check("cn-north-4", "Nope", "1", "hf.large.1.40g.30m.linux").unwrap_err();
    assert!(err.get("plan_spec").unwrap().contains("is not sold in CN North-Beijing4"));
}

#[test]
fn private_images_accept_any_spec_of_the_region() {
    catalog::check_private("cn-north-4", "hf.small.1.win").unwrap();
    catalog::check_private("cn-southwest-2", "ahf.large.05.40g.2m.linux").unwrap();
    catalog::check_private("ap-southeast-1", "hf.large.025.30m.linux").unwrap();
    let err = catalog::check_private("ap-southeast-1", "hf.small.1.linux").unwrap_err();
    assert!(err.get("plan_spec").unwrap().contains("not sold with private images in CN-Hong Kong"));
    assert_eq!(fields(catalog::check_private("mars-1", "nope")), ["region", "plan_spec"]);
}

#[test]
fn image_ref_shapes() {
    let r = |n: Option<&str>, v: Option<&str>, id: Option<&str>| ImageRef {
        image_name: n.map(Into::into),
        image_version: v.map(Into::into),
        image_id: id.map(Into::into),
    };
    let check =
        |ir: Option<&ImageRef>| catalog::check_image_ref("cn-north-4", ir, "hf.small.1.linux");
    check(Some(&r(Some("Ubuntu"), Some("22.04"), None))).unwrap();
    check(Some(&r(None, None, Some("5f0b9d3a-private")))).unwrap();
    assert_eq!(fields(check(None)), ["image_ref"]);
    assert_eq!(fields(check(Some(&r(None, None, None)))), ["image_ref"]);
    assert_eq!(fields(check(Some(&r(Some("Ubuntu"), None, None)))), ["image_ref.image_version"]);
    assert_eq!(fields(check(Some(&r(None, Some("22.04"), None)))), ["image_ref.image_name"]);
    assert_eq!(fields(check(Some(&r(None, None, Some(" "))))), ["image_ref.image_id"]);
    assert_eq!(fields(check(Some(&r(Some("Ubuntu"), Some("22.04"), Some("x"))))), ["image_ref"]);
}

#[test]
fn long_input_is_cut_short_in_messages() {
    let long = "x".repeat(10_000);
    let err = catalog::check(&long, &long, &long, &long).unwrap_err();
    assert!(err.to_string().len() < 1_000, "{}", err.to_string().len());
}
