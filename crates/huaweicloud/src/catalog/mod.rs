//! The Flexus L plan catalog: every spec code (`plan_spec`) with its sizes, the application
//! and system images sold per region, and which spec each image version can be bought with
//! (seed appendix, tables 4-9 to 4-17).
//!
//! The tables live in `plans.json` as data; this module only reads them. Known seed errors
//! are corrected there with a `note` (Windows in Guiyang lists `.linux` codes: we use the
//! `ahf.*.win` codes of table 4-17).

mod check;
mod data;
mod image;
mod spec;

pub(crate) use check::quote;
pub use check::{check, check_image_ref, check_private};
pub use image::{Image, ImageKind};
pub use spec::{Os, Spec};

use data::CATALOG;

use crate::region::Region;

/// The spec with this exact code, e.g. `hf.small.1.linux`.
pub fn spec(code: &str) -> Option<&'static Spec> {
    CATALOG.spec(code)
}

/// Every spec code, in the seed's table order.
pub fn specs() -> impl Iterator<Item = &'static Spec> {
    CATALOG.specs.iter()
}

/// The spec codes sold in `region` (Linux and Windows).
pub fn specs_in(region: Region) -> impl Iterator<Item = &'static Spec> {
    specs().filter(move |s| s.is_sold_in(region))
}

/// Every application and system image, in the seed's order.
pub fn images() -> impl Iterator<Item = &'static Image> {
    CATALOG.images.iter()
}

/// The image with this exact `image_name` (case-sensitive, as the API is).
pub fn image(name: &str) -> Option<&'static Image> {
    CATALOG.image(name)
}

/// The images sold in `region`; `Image::versions_in(region)` gives their versions there.
pub fn images_in(region: Region) -> Vec<&'static Image> {
    images().filter(|i| i.is_offered_in(region)).collect()
}

/// The versions of `image_name` sold in `region`, or `None` if the image is not sold there.
pub fn versions(region: Region, image_name: &str) -> Option<Vec<&'static str>> {
    image(image_name).filter(|i| i.is_offered_in(region)).map(|i| i.versions_in(region))
}

/// The specs `image_name` `version` can be bought with in `region` (empty if none).
pub fn specs_for(region: Region, image_name: &str, version: &str) -> Vec<&'static Spec> {
    image(image_name).map(|i| i.specs_for(region, version)).unwrap_or_default()
}

/// The specs a private image can be bought with in `region` (table 4-11, both OS families).
pub fn private_specs(region: Region) -> Vec<&'static Spec> {
    private(region, None)
}

/// The specs a private image of one OS family can be bought with in `region`.
pub fn private_specs_for(region: Region, os: Os) -> Vec<&'static Spec> {
    private(region, Some(os))
}

fn private(region: Region, os: Option<Os>) -> Vec<&'static Spec> {
    CATALOG
        .private
        .iter()
        .filter(|(o, g, _)| *g == region.group() && os.is_none_or(|os| os == *o))
        .flat_map(|(_, _, codes)| codes.iter().filter_map(|c| spec(c)))
        .collect()
}
