//! Loads `plans.json` (embedded at compile time) into typed structs once, and checks that it
//! is consistent with itself, so that a typo in the data fails every test loudly instead of
//! silently refusing a valid purchase.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

use super::image::{Image, ImageKind, Offer};
use super::spec::{Os, Spec};
use crate::region::RegionGroup;

const PLANS_JSON: &str = include_str!("plans.json");

pub(super) struct Catalog {
    pub(super) specs: Vec<Spec>,
    by_code: HashMap<String, usize>,
    pub(super) images: Vec<Image>,
    /// Table 4-11: spec codes allowed with a private image, per OS and region group.
    pub(super) private: Vec<(Os, RegionGroup, Vec<String>)>,
}

impl Catalog {
    pub(super) fn spec(&self, code: &str) -> Option<&Spec> {
        self.by_code.get(code).map(|&i| &self.specs[i])
    }

    pub(super) fn image(&self, name: &str) -> Option<&Image> {
        self.images.iter().find(|i| i.name == name)
    }
}

pub(super) static CATALOG: LazyLock<Catalog> = LazyLock::new(|| match load(PLANS_JSON) {
    Ok(c) => c,
    // The file is compiled in, never user input: a broken file is a build defect that the
    // catalog tests catch before release.
    Err(e) => panic!("catalog/plans.json is invalid: {e}"),
});

#[derive(Deserialize)]
struct RawCatalog {
    specs: Vec<RawSpec>,
    images: Vec<RawImage>,
    private: Vec<RawPrivate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    code: String,
    os: RawOs,
    vcpus: u32,
    ram_mib: u32,
    disk_gib: u32,
    bandwidth_mbps: u32,
    traffic_gb: u32,
    groups: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImage {
    kind: RawKind,
    name: String,
    offers: Vec<RawOffer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffer {
    group: RawGroup,
    versions: Vec<String>,
    specs: Vec<String>,
    #[serde(default)]
    exclude: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    only_versions: BTreeMap<String, Vec<String>>,
    /// Why the row differs from the seed, for people reading the file.
    #[serde(default, rename = "note")]
    _note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrivate {
    os: RawOs,
    group: RawGroup,
    specs: Vec<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum RawOs {
    Linux,
    Windows,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum RawKind {
    App,
    System,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum RawGroup {
    Mainland,
    HongkongSingapore,
    Guiyang,
}

impl From<RawOs> for Os {
    fn from(o: RawOs) -> Os {
        match o {
            RawOs::Linux => Os::Linux,
            RawOs::Windows => Os::Windows,
        }
    }
}

impl From<RawGroup> for RegionGroup {
    fn from(g: RawGroup) -> RegionGroup {
        match g {
            RawGroup::Mainland => RegionGroup::Mainland,
            RawGroup::HongkongSingapore => RegionGroup::HongKongSingapore,
            RawGroup::Guiyang => RegionGroup::Guiyang,
        }
    }
}

fn load(json: &str) -> Result<Catalog, String> {
    let raw: RawCatalog = serde_json::from_str(json).map_err(|e| e.to_string())?;

    let mut specs = Vec::with_capacity(raw.specs.len());
    let mut by_code = HashMap::new();
    for s in raw.specs {
        let os = Os::from(s.os);
        let suffix = match os {
            Os::Linux => ".linux",
            Os::Windows => ".win",
        };
        if !s.code.ends_with(suffix) {
            return Err(format!("spec {} is marked {os} but lacks the {suffix} suffix", s.code));
        }
        if by_code.insert(s.code.clone(), specs.len()).is_some() {
            return Err(format!("spec {} is listed twice", s.code));
        }
        specs.push(Spec {
            code: s.code,
            os,
            vcpus: s.vcpus,
            ram_mib: s.ram_mib,
            disk_gib: s.disk_gib,
            bandwidth_mbps: s.bandwidth_mbps,
            traffic_gb: s.traffic_gb,
            groups: s.groups.into_iter().map(RegionGroup::from).collect(),
        });
    }
    let mut catalog = Catalog { specs, by_code, images: Vec::new(), private: Vec::new() };

    for img in raw.images {
        if catalog.image(&img.name).is_some() {
            return Err(format!("image {} is listed twice", img.name));
        }
        let image = build_image(&catalog, img)?;
        catalog.images.push(image);
    }

    for p in raw.private {
        let (os, group) = (Os::from(p.os), RegionGroup::from(p.group));
        for code in &p.specs {
            check_code(&catalog, code, group, Some(os), "private images")?;
        }
        catalog.private.push((os, group, p.specs));
    }
    Ok(catalog)
}

fn build_image(catalog: &Catalog, img: RawImage) -> Result<Image, String> {
    let mut os = None;
    let mut offers: Vec<Offer> = Vec::new();
    for o in img.offers {
        let group = RegionGroup::from(o.group);
        let ctx = &img.name;
        if offers.iter().any(|x| x.group == group) {
            return Err(format!("{ctx} has two offers for {group:?}"));
        }
        if o.versions.is_empty() || o.specs.is_empty() {
            return Err(format!("{ctx} in {group:?} lists no versions or no specs"));
        }
        for code in &o.specs {
            let spec = check_code(catalog, code, group, os, ctx)?;
            os = Some(spec.os);
        }
        for (version, codes) in &o.exclude {
            if !o.versions.contains(version) {
                return Err(format!(
                    "{ctx} in {group:?} excludes specs for unknown version {version}"
                ));
            }
            if let Some(c) = codes.iter().find(|c| !o.specs.contains(c)) {
                return Err(format!(
                    "{ctx} {version} in {group:?} excludes {c}, which is not listed"
                ));
            }
        }
        for (code, versions) in &o.only_versions {
            if !o.specs.contains(code) {
                return Err(format!("{ctx} in {group:?} restricts {code}, which is not listed"));
            }
            if let Some(v) = versions.iter().find(|v| !o.versions.contains(v)) {
                return Err(format!("{ctx} in {group:?} restricts {code} to unknown version {v}"));
            }
        }
        offers.push(Offer {
            group,
            versions: o.versions,
            specs: o.specs,
            exclude: o.exclude,
            only_versions: o.only_versions,
        });
    }
    let os = os.ok_or_else(|| format!("{} is offered nowhere", img.name))?;
    let kind = match img.kind {
        RawKind::App => ImageKind::App,
        RawKind::System => ImageKind::System,
    };
    Ok(Image { name: img.name, kind, os, offers })
}

/// The spec must exist, be sold in `group`, and match the OS of its siblings.
fn check_code<'c>(
    catalog: &'c Catalog,
    code: &str,
    group: RegionGroup,
    os: Option<Os>,
    ctx: &str,
) -> Result<&'c Spec, String> {
    let spec = catalog.spec(code).ok_or_else(|| format!("{ctx} lists unknown spec {code}"))?;
    if !spec.groups.contains(&group) {
        return Err(format!("{ctx} lists {code} for {group:?}, where it is not sold"));
    }
    if os.is_some_and(|os| os != spec.os) {
        return Err(format!("{ctx} mixes Linux and Windows specs ({code})"));
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_file_is_consistent() {
        let c = load(PLANS_JSON).unwrap();
        assert!(!c.specs.is_empty() && !c.images.is_empty() && c.private.len() == 6);
    }

    #[test]
    fn inconsistencies_are_reported() {
        let base = |offer: &str| {
            format!(
                r#"{{"specs": [{{"code": "a.linux", "os": "linux", "vcpus": 1, "ram_mib": 512,
                  "disk_gib": 1, "bandwidth_mbps": 1, "traffic_gb": 1, "groups": ["guiyang"]}}],
                  "images": [{{"kind": "app", "name": "X", "offers": [{offer}]}}], "private": []}}"#
            )
        };
        assert!(
            load(&base(r#"{"group": "guiyang", "versions": ["1"], "specs": ["a.linux"]}"#)).is_ok()
        );
        let bad = [
            (r#"{"group": "guiyang", "versions": ["1"], "specs": ["b.linux"]}"#, "unknown spec"),
            (r#"{"group": "mainland", "versions": ["1"], "specs": ["a.linux"]}"#, "not sold"),
            (
                r#"{"group": "guiyang", "versions": ["1"], "specs": ["a.linux"], "exclude": {"2": ["a.linux"]}}"#,
                "unknown version",
            ),
            (
                r#"{"group": "guiyang", "versions": ["1"], "specs": ["a.linux"], "only_versions": {"a.linux": ["3"]}}"#,
                "unknown version",
            ),
            (
                r#"{"group": "guiyang", "versions": ["1"], "specs": ["a.linux"], "typo": 1}"#,
                "unknown field",
            ),
        ];
        for (offer, want) in bad {
            let err = load(&base(offer)).err().unwrap();
            assert!(err.contains(want), "{err}");
        }
    }
}
