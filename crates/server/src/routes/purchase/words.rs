//! The purchase form's values in the reader's language: regions, plans, periods, what an
//! image is, and each field's problem.

use fluent_bundle::FluentArgs;
use lightdeck_domain::actions::TermUnit;
use lightdeck_domain::purchase::PurchaseTerm;
use lightdeck_huaweicloud::Region;
use lightdeck_huaweicloud::catalog::{Image, ImageKind, Spec};

use super::form::{Arg, Problem, TagProblem};
use crate::i18n::Tr;
use crate::views::instances::region_name;

/// "CN-Hong Kong (ap-southeast-1)".
pub fn region(tr: &Tr, r: Region) -> String {
    format!("{} ({})", region_name(r, tr.lang), r.id())
}

/// Memory in GiB as people write it: `0.5`, `2`.
fn gib(mib: u32) -> String {
    if mib.is_multiple_of(1024) {
        (mib / 1024).to_string()
    } else {
        format!("{}", f64::from(mib) / 1024.0)
    }
}

/// vCPU · memory · system disk · peak bandwidth · monthly traffic.
pub fn plan(tr: &Tr, spec: &Spec) -> String {
    let mut args = FluentArgs::new();
    args.set("vcpus", spec.vcpus());
    args.set("ram", gib(spec.ram_mib()));
    args.set("disk", spec.disk_gib());
    args.set("bandwidth", spec.bandwidth_mbps());
    args.set("traffic", spec.traffic_gb());
    tr.t_args("purchase-plan-words", &args)
}

/// Smallest first: the order people compare sizes in.
pub fn by_size(a: &&Spec, b: &&Spec) -> std::cmp::Ordering {
    let key = |s: &Spec| {
        (
            s.vcpus(),
            s.ram_mib(),
            s.disk_gib(),
            s.bandwidth_mbps(),
            s.traffic_gb(),
            s.code().to_owned(),
        )
    };
    key(a).cmp(&key(b))
}

pub fn term(tr: &Tr, t: PurchaseTerm) -> String {
    let count = i64::from(t.count());
    match t.unit() {
        TermUnit::Month => tr.t1("purchase-months", "count", count),
        TermUnit::Year => tr.t1("purchase-years", "count", count),
    }
}

/// The catalog key of an image's words: `purchase-image-about-` and its name in lower
/// case, other characters as `-` ("Huawei Cloud EulerOS" → `…-huawei-cloud-euleros`).
pub fn about_key(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("purchase-image-about-{slug}")
}

/// What the image is, e.g. "websites and blogs".
pub fn about(tr: &Tr, image: &Image) -> String {
    tr.t(&about_key(image.name()))
}

pub fn kind_group(tr: &Tr, kind: ImageKind) -> String {
    match kind {
        ImageKind::App => tr.t("purchase-images-apps"),
        ImageKind::System => tr.t("purchase-images-systems"),
    }
}

fn tag_problem(tr: &Tr, (line, key, twice): &TagProblem) -> String {
    let said = match twice {
        Some(k) => tr.t1(key, "key", k.as_str()),
        None => tr.t(key),
    };
    match line {
        Some(n) => tr.t2("purchase-error-tag-line", "line", *n, "problem", said),
        None => said,
    }
}

/// One field's problem, in words.
pub fn problem(tr: &Tr, p: &Problem) -> String {
    let mut args = FluentArgs::new();
    for (name, arg) in &p.args {
        match arg {
            Arg::Text(t) => args.set(*name, t.clone()),
            Arg::Region(r) => args.set(*name, region_name(*r, tr.lang)),
            Arg::Tags(list) => {
                let said: Vec<String> = list.iter().map(|t| tag_problem(tr, t)).collect();
                args.set(*name, said.join(&tr.t("purchase-error-sep")));
            }
        }
    }
    tr.t_args(p.key, &args)
}

/// "web-0001, web-0002 … web-0012": every name when they are few, else the first two
/// and the last.
pub fn names(tr: &Tr, names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => tr.t1("purchase-names-one", "name", one.as_str()),
        few if few.len() <= 4 => {
            tr.t2("purchase-names-few", "count", few.len(), "names", few.join(", "))
        }
        many => {
            let mut args = FluentArgs::new();
            args.set("count", many.len());
            args.set("first", many[0].clone());
            args.set("second", many[1].clone());
            args.set("last", many[many.len() - 1].clone());
            tr.t_args("purchase-names-many", &args)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use lightdeck_huaweicloud::catalog;

    use super::*;
    use crate::i18n::{I18n, Language};

    #[test]
    fn every_catalog_image_says_what_it_is_in_both_languages() {
        let i18n = Arc::new(I18n::load().unwrap());
        for image in catalog::images() {
            for lang in [Language::En, Language::ZhCn] {
                let key = about_key(image.name());
                assert!(i18n.has(lang, &key), "{lang}: no {key} for {}", image.name());
            }
        }
        assert_eq!(about_key("Huawei Cloud EulerOS"), "purchase-image-about-huawei-cloud-euleros");
    }

    #[test]
    fn plans_read_as_sizes_and_sort_smallest_first() {
        let tr = Tr::new(Arc::new(I18n::load().unwrap()), Language::En);
        let half = catalog::spec("hf.large.025.30m.linux").unwrap();
        assert_eq!(
            plan(&tr, half),
            "2 vCPUs · 0.5 GiB memory · 20 GiB system disk · 30 Mbit/s peak · 1024 GB traffic a month"
        );
        let mut specs: Vec<&Spec> = catalog::specs_in(Region::ApSoutheast1).collect();
        specs.sort_by(by_size);
        assert_eq!(specs[0].code(), "hf.large.025.30m.linux");
        let n: Vec<String> = (1..=3).map(|i| format!("web-{i:04}")).collect();
        assert_eq!(names(&tr, &n), "The 3 instances are named web-0001, web-0002, web-0003.");
    }
}
