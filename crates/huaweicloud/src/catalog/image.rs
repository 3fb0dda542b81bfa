//! Application and system images, the versions sold per region group, and which spec codes
//! each version can be bought with (seed tables 4-9 and 4-10).

use std::collections::BTreeMap;
use std::fmt;

use super::spec::{Os, Spec};
use crate::region::{Region, RegionGroup};

/// Whether an image ships an application on top of an OS, or just the OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    /// 应用镜像 (table 4-9), e.g. WordPress.
    App,
    /// 系统镜像 (table 4-10), e.g. Ubuntu.
    System,
}

impl ImageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageKind::App => "application",
            ImageKind::System => "system",
        }
    }
}

impl fmt::Display for ImageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An image as named in `image_ref.image_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub(super) name: String,
    pub(super) kind: ImageKind,
    pub(super) os: Os,
    pub(super) offers: Vec<Offer>,
}

/// What one region group sells of one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Offer {
    pub(super) group: RegionGroup,
    pub(super) versions: Vec<String>,
    pub(super) specs: Vec<String>,
    /// version → codes of `specs` that this version cannot be bought with.
    pub(super) exclude: BTreeMap<String, Vec<String>>,
    /// code of `specs` → the only versions it can be bought with.
    pub(super) only_versions: BTreeMap<String, Vec<String>>,
}

impl Offer {
    fn allows(&self, version: &str, code: &str) -> bool {
        self.versions.iter().any(|v| v == version)
            && self.specs.iter().any(|c| c == code)
            && !self.exclude.get(version).is_some_and(|codes| codes.iter().any(|c| c == code))
            && self.only_versions.get(code).is_none_or(|vs| vs.iter().any(|v| v == version))
    }
}

impl Image {
    /// The value of `image_ref.image_name`, e.g. `WordPress` or `Huawei Cloud EulerOS`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> ImageKind {
        self.kind
    }

    /// The OS family of every spec this image is sold with.
    pub fn os(&self) -> Os {
        self.os
    }

    fn offer(&self, region: Region) -> Option<&Offer> {
        self.offers.iter().find(|o| o.group == region.group())
    }

    pub fn is_offered_in(&self, region: Region) -> bool {
        self.offer(region).is_some()
    }

    /// The regions where this image is sold.
    pub fn regions(&self) -> impl Iterator<Item = Region> + '_ {
        Region::ALL.into_iter().filter(|r| self.is_offered_in(*r))
    }

    /// The versions sold in `region`, newest first as the seed lists them; empty if none.
    pub fn versions_in(&self, region: Region) -> Vec<&str> {
        self.offer(region)
            .map(|o| o.versions.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub fn has_version(&self, region: Region, version: &str) -> bool {
        self.offer(region).is_some_and(|o| o.versions.iter().any(|v| v == version))
    }

    /// Whether `code` can be bought with this image `version` in `region`.
    pub fn allows(&self, region: Region, version: &str, code: &str) -> bool {
        self.offer(region).is_some_and(|o| o.allows(version, code))
    }

    /// The specs this image `version` can be bought with in `region`, in the seed's order.
    pub fn specs_for(&self, region: Region, version: &str) -> Vec<&'static Spec> {
        let Some(offer) = self.offer(region) else {
            return Vec::new();
        };
        offer
            .specs
            .iter()
            .filter(|code| offer.allows(version, code))
            .filter_map(|code| super::spec(code))
            .collect()
    }
}
