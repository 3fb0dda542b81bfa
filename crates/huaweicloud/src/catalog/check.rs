//! Is this spec sold with this image in this region? Answers name the wrong field and offer
//! a few valid choices, for showing next to a form field.

use super::data::CATALOG;
use super::image::Image;
use super::spec::Spec;
use crate::model::hcss::ImageRef;
use crate::region::Region;
use crate::validate::FieldErrors;

const F_REGION: &str = "region";
const F_IMAGE_NAME: &str = "image_ref.image_name";
const F_IMAGE_VERSION: &str = "image_ref.image_version";
const F_IMAGE_ID: &str = "image_ref.image_id";
const F_PLAN_SPEC: &str = "plan_spec";

/// How many choices a message lists before "and N more".
const MAX_CHOICES: usize = 4;

/// Checks an application or system image purchase: the region is a Flexus L region, the
/// image is sold there in that version, and `plan_spec` is sold with that version there.
/// Every problem found is reported against its field.
pub fn check(
    region: &str,
    image_name: &str,
    image_version: &str,
    plan_spec: &str,
) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::default();
    let region = parse_region(region, &mut errs);
    let image = CATALOG.image(image_name);
    let spec = CATALOG.spec(plan_spec);

    let Some(image) = image else {
        errs.push(F_IMAGE_NAME, unknown_image(image_name));
        check_spec_alone(region, plan_spec, spec, &mut errs);
        return errs.into_result();
    };
    let Some(region) = region else {
        if image_version.trim().is_empty() {
            errs.push(F_IMAGE_VERSION, "is empty");
        } else if !image.regions().any(|r| image.has_version(r, image_version)) {
            errs.push(
                F_IMAGE_VERSION,
                format!("{} is not a version of {}", quote(image_version), image.name()),
            );
        }
        if spec.is_none() {
            errs.push(F_PLAN_SPEC, unknown_spec(plan_spec));
        }
        return errs.into_result();
    };
    if !image.is_offered_in(region) {
        errs.push(F_IMAGE_NAME, not_offered(image, region));
        check_spec_alone(Some(region), plan_spec, spec, &mut errs);
        return errs.into_result();
    }
    if !image.has_version(region, image_version) {
        errs.push(F_IMAGE_VERSION, bad_version(image, region, image_version));
        check_spec_alone(Some(region), plan_spec, spec, &mut errs);
        return errs.into_result();
    }
    if !image.allows(region, image_version, plan_spec) {
        let allowed = image.specs_for(region, image_version);
        let what = match spec {
            None if plan_spec.trim().is_empty() => "is empty".to_owned(),
            None => format!("{} is not a Flexus L spec code", quote(plan_spec)),
            Some(_) => format!(
                "{} is not sold with {} {} in {}",
                quote(plan_spec),
                image.name(),
                image_version,
                region.name_en()
            ),
        };
        errs.push(F_PLAN_SPEC, format!("{what}; choose one of {}", spec_list(&allowed)));
    }
    errs.into_result()
}

/// Checks a private-image purchase (`image_ref.image_id`): any spec of table 4-11 for the
/// region, Linux or Windows, since the image id alone does not say which OS it holds.
pub fn check_private(region: &str, plan_spec: &str) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::default();
    let region = parse_region(region, &mut errs);
    let spec = CATALOG.spec(plan_spec);
    match (region, spec) {
        (_, None) => errs.push(F_PLAN_SPEC, unknown_spec(plan_spec)),
        (Some(r), Some(s)) if !super::private_specs(r).contains(&s) => {
            // Same OS only: someone who typed a .win code wants a Windows spec.
            let allowed = super::private_specs_for(r, s.os());
            errs.push(
                F_PLAN_SPEC,
                format!(
                    "{} is not sold with private images in {}; choose one of {}",
                    quote(plan_spec),
                    r.name_en(),
                    spec_list(&allowed)
                ),
            );
        }
        _ => {}
    }
    errs.into_result()
}

/// Dispatches on the shape of `image_ref`: name and version, or a private image id.
/// Shape errors (neither, both, half) are reported here too.
pub fn check_image_ref(
    region: &str,
    image_ref: Option<&ImageRef>,
    plan_spec: &str,
) -> Result<(), FieldErrors> {
    let present = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.trim().is_empty());
    let Some(r) = image_ref else {
        let mut errs = FieldErrors::default();
        errs.push("image_ref", "choose an image: give image_name and image_version, or image_id");
        return Err(errs);
    };
    let (name, version, id) =
        (present(&r.image_name), present(&r.image_version), present(&r.image_id));
    let mut errs = FieldErrors::default();
    if id && (name || version) {
        errs.push(
            "image_ref",
            "give either image_id (a private image) or image_name and image_version, not both",
        );
        return Err(errs);
    }
    match (name, version, id) {
        (_, _, true) => return check_private(region, plan_spec),
        (true, true, _) => {
            return check(
                region,
                r.image_name.as_deref().unwrap_or_default(),
                r.image_version.as_deref().unwrap_or_default(),
                plan_spec,
            );
        }
        (true, false, _) => errs.push(F_IMAGE_VERSION, "is required with image_name"),
        (false, true, _) => errs.push(F_IMAGE_NAME, "is required with image_version"),
        (false, false, _) if r.image_id.is_some() => {
            errs.push(F_IMAGE_ID, "is empty; give the id of one of your private images")
        }
        (false, false, _) => errs
            .push("image_ref", "choose an image: give image_name and image_version, or image_id"),
    }
    errs.into_result()
}

fn parse_region(region: &str, errs: &mut FieldErrors) -> Option<Region> {
    match region.parse::<Region>() {
        Ok(r) => Some(r),
        Err(_) => {
            let ids: Vec<&str> = Region::ALL.iter().map(|r| r.id()).collect();
            errs.push(
                F_REGION,
                format!(
                    "{} is not a region that sells Flexus L instances; choose one of {}",
                    quote(region),
                    ids.join(", ")
                ),
            );
            None
        }
    }
}

/// Without a usable image the spec can still be unknown or sold elsewhere.
fn check_spec_alone(
    region: Option<Region>,
    code: &str,
    spec: Option<&Spec>,
    errs: &mut FieldErrors,
) {
    match (spec, region) {
        (None, _) => errs.push(F_PLAN_SPEC, unknown_spec(code)),
        (Some(s), Some(r)) if !s.is_sold_in(r) => {
            let here: Vec<&Spec> = super::specs_in(r).filter(|x| x.os() == s.os()).collect();
            errs.push(
                F_PLAN_SPEC,
                format!(
                    "{} is not sold in {}; choose one of {}",
                    quote(code),
                    r.name_en(),
                    spec_list(&here)
                ),
            );
        }
        _ => {}
    }
}

fn unknown_image(name: &str) -> String {
    if name.trim().is_empty() {
        return format!("is empty; choose an image such as {}", image_examples());
    }
    let hint = CATALOG
        .images
        .iter()
        .find(|i| i.name().eq_ignore_ascii_case(name.trim()))
        .map(|i| format!(" (did you mean {}?)", i.name()));
    match hint {
        Some(h) => format!("{} is not a Flexus L image{h}", quote(name)),
        None => format!(
            "{} is not a Flexus L image; choose one such as {}",
            quote(name),
            image_examples()
        ),
    }
}

fn image_examples() -> String {
    let names: Vec<&str> = CATALOG.images.iter().map(Image::name).collect();
    short_list(&names)
}

fn unknown_spec(code: &str) -> String {
    if code.trim().is_empty() {
        "is empty; choose a spec code such as hf.small.1.linux".to_owned()
    } else {
        format!("{} is not a Flexus L spec code", quote(code))
    }
}

fn not_offered(image: &Image, region: Region) -> String {
    let elsewhere: Vec<&str> = image.regions().map(|r| r.name_en()).collect();
    format!(
        "{} is not offered in {}; it is sold in {}",
        image.name(),
        region.name_en(),
        elsewhere.join(", ")
    )
}

fn bad_version(image: &Image, region: Region, version: &str) -> String {
    let versions = image.versions_in(region);
    let what = if version.trim().is_empty() {
        "is empty".to_owned()
    } else {
        format!("{} {} is not offered in {}", image.name(), quote(version), region.name_en())
    };
    format!("{what}; choose one of {}", short_list(&versions))
}

fn spec_list(specs: &[&Spec]) -> String {
    let codes: Vec<&str> = specs.iter().map(|s| s.code()).collect();
    short_list(&codes)
}

/// "a, b, c, d and 7 more" — forms show these next to one field, so they stay short.
fn short_list(items: &[&str]) -> String {
    match items.len() {
        0 => "(none)".to_owned(),
        n if n <= MAX_CHOICES => items.join(", "),
        n => format!("{} and {} more", items[..MAX_CHOICES].join(", "), n - MAX_CHOICES),
    }
}

/// Quotes user input, cut short so a huge value cannot flood a message.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() > MAX {
        format!("“{}…”", s.chars().take(MAX).collect::<String>())
    } else {
        format!("“{s}”")
    }
}
