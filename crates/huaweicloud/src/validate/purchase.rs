//! The Flexus L purchase request (`POST /v1/light-instances`, seed "购买Flexus L实例",
//! tables 4-1 to 4-5) and its `Client-Request-Id` header.

use super::text::{first_bad_char, join, length_problem, name_problems};
use super::{FieldError, FieldErrors};
use crate::catalog;
use crate::model::hcss::{ExtraResource, PurchaseRequest, Tag};
use crate::region::Region;

/// Checks every field of a purchase, including whether the spec is sold with the image in
/// the region, and reports all problems at once.
pub fn purchase(req: &PurchaseRequest) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::default();
    let mut field = |name: String, problem: Option<String>| {
        if let Some(message) = problem {
            errs.push(name, message);
        }
    };

    field("instance_name".into(), join(name_problems(&req.instance_name, 1, 128)));
    if let Some(d) = &req.description {
        field("description".into(), length_problem(d, 0, 1024));
    }
    if let Err(e) = req.region.parse::<Region>() {
        field("region".into(), Some(e.to_string()));
    }
    if let Some(mode) = &req.charging_mode
        && mode != "prePaid"
    {
        field(
            "charging_mode".into(),
            Some("must be “prePaid” (Flexus L is only sold paid in advance)".to_owned()),
        );
    }
    let (period_type, period_num) = period_problems(&req.period_type, req.period_num);
    field("period_type".into(), period_type);
    field("period_num".into(), period_num);
    if let Some(q) = req.purchase_quantity
        && !(1..=200).contains(&q)
    {
        field("purchase_quantity".into(), Some(format!("must be 1 to 200 (it is {q})")));
    }
    for (i, r) in req.extra_resources.iter().flatten().enumerate() {
        let (kind, size) = extra_resource_problems(r);
        field(format!("extra_resources[{i}].type"), kind);
        field(format!("extra_resources[{i}].size"), size);
    }
    for (i, t) in req.tags.iter().flatten().enumerate() {
        let (key, value) = tag_problems(t);
        field(format!("tags[{i}].key"), key);
        field(format!("tags[{i}].value"), value);
    }

    // The catalog also judges the region; keep one message per problem.
    if let Err(catalog_errs) =
        catalog::check_image_ref(&req.region, req.image_ref.as_ref(), &req.plan_spec)
    {
        for e in catalog_errs.0 {
            if e.field != "region" || errs.get("region").is_none() {
                errs.0.push(e);
            }
        }
    }
    errs.into_result()
}

fn period_problems(period_type: &str, num: i64) -> (Option<String>, Option<String>) {
    match period_type {
        "month" if !(1..=9).contains(&num) => {
            (None, Some(format!("must be 1 to 9 months (it is {num})")))
        }
        "year" if !(1..=3).contains(&num) => {
            (None, Some(format!("must be 1 to 3 years (it is {num})")))
        }
        "month" | "year" => (None, None),
        _ => {
            let t = Some("must be “month” or “year”".to_owned());
            let n = (!(1..=9).contains(&num))
                .then(|| format!("must be 1 to 9 months or 1 to 3 years (it is {num})"));
            (t, n)
        }
    }
}

fn extra_resource_problems(r: &ExtraResource) -> (Option<String>, Option<String>) {
    match (r.kind.as_str(), r.size) {
        ("evs" | "cbr", None) => {
            (None, Some(format!("is required for {} (10 to 2048 GiB)", r.kind)))
        }
        ("evs" | "cbr", Some(n)) if !(10..=2048).contains(&n) => {
            (None, Some(format!("must be 10 to 2048 GiB (it is {n})")))
        }
        ("evs" | "cbr", Some(_)) | ("hss", None) => (None, None),
        ("hss", Some(_)) => {
            (None, Some("must be left out for hss (host security has no size)".to_owned()))
        }
        _ => (
            Some(format!(
                "must be “evs” (data disk), “cbr” (backup vault) or “hss” (host security), not {}",
                catalog::quote(&r.kind)
            )),
            None,
        ),
    }
}

fn tag_problems(t: &Tag) -> (Option<String>, Option<String>) {
    (join(name_problems(&t.key, 1, 32)), length_problem(&t.value, 0, 2048))
}

/// The `Client-Request-Id` header: 36–128 letters, digits and `-`, starting with a letter or
/// digit (a UUID fits).
pub fn client_request_id(v: &str) -> Result<(), FieldError> {
    let mut problems = Vec::new();
    if let Some(p) = length_problem(v, 36, 128) {
        problems.push(p);
    }
    if let Some(bad) = first_bad_char(v, |c| c.is_ascii_alphanumeric() || c == '-') {
        problems.push(format!("may only contain letters, digits and “-” (found {bad})"));
    }
    if v.chars().next().is_some_and(|c| !c.is_ascii_alphanumeric()) {
        problems.push("must start with a letter or a digit".to_owned());
    }
    match join(problems) {
        None => Ok(()),
        Some(message) => Err(FieldError::new("Client-Request-Id", message)),
    }
}
