//! Tables 4-9 (application images), 4-10 (system images) and 4-11 (private images), with
//! the seed's per-version exceptions, transcribed again by hand.

use super::*;

// 表 4-9: the spec cells repeat, so each distinct cell is written once.
const APP_MAINLAND: &[&str] = &[
    "hf.small.1.linux",
    "hf.small.2.linux",
    "hf.medium.1.linux",
    "hf.medium.2.linux",
    "hf.medium.3.linux",
    "hf.large.1.linux",
    "hf.xlarge.1.linux",
    "hf.xlarge.3.linux",
    "hf.large.1.2m.linux",
    "hf.large.2.3m.linux",
    "ahf.large.1.40g.2m.linux",
];
const APP_HKSG: &[&str] = &[
    "hf.large.1.40g.30m.linux",
    "hf.large.2.60g.30m.linux",
    "hf.large.4.80g.30m.linux",
    "hf.xlarge.2.160g.30m.linux",
    "hf.xlarge.4.240g.30m.linux",
];
const APP_GUIYANG: &[&str] = &[
    "ahf.large.1.40g.2m.linux",
    "ahf.large.1.2m.linux",
    "ahf.small.1.linux",
    "ahf.small.2.linux",
    "ahf.large.2.3m.linux",
    "ahf.medium.1.linux",
    "ahf.medium.2.linux",
    "ahf.medium.3.linux",
    "ahf.large.1.linux",
    "ahf.xlarge.1.linux",
    "ahf.xlarge.3.linux",
];
// Nextcloud, SRS
const BIG_MAINLAND: &[&str] = &[
    "hf.medium.1.linux",
    "hf.medium.2.linux",
    "hf.medium.3.linux",
    "hf.large.1.linux",
    "hf.xlarge.1.linux",
    "hf.xlarge.3.linux",
    "hf.large.2.3m.linux",
];
const BIG_HKSG: &[&str] = &[
    "hf.large.2.60g.30m.linux",
    "hf.large.4.80g.30m.linux",
    "hf.xlarge.2.160g.30m.linux",
    "hf.xlarge.4.240g.30m.linux",
];
const BIG_GUIYANG: &[&str] = &[
    "ahf.medium.1.linux",
    "ahf.medium.2.linux",
    "ahf.medium.3.linux",
    "ahf.large.1.linux",
    "ahf.xlarge.1.linux",
    "ahf.xlarge.3.linux",
];
// GitLab, Superset
const HUGE_MAINLAND: &[&str] = &["hf.large.1.linux", "hf.xlarge.1.linux", "hf.xlarge.3.linux"];
const HUGE_HKSG: &[&str] =
    &["hf.large.4.80g.30m.linux", "hf.xlarge.2.160g.30m.linux", "hf.xlarge.4.240g.30m.linux"];
const HUGE_GUIYANG: &[&str] = &["ahf.large.1.linux", "ahf.xlarge.1.linux", "ahf.xlarge.3.linux"];
const NONE: &[&str] = &[];

/// (name, version, mainland, HK/SG, Guiyang)
type AppRow = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const T4_9: &[AppRow] = &[
    ("BT", "8.0", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("WordPress", "6.2.2", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("Portainer", "2.18.4", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("PrestaShop", "1.7.8", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("Nextcloud", "26.0.1", BIG_MAINLAND, BIG_HKSG, BIG_GUIYANG),
    ("GitLab", "16.0.7", HUGE_MAINLAND, HUGE_HKSG, HUGE_GUIYANG),
    ("Odoo", "16.0", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("Superset", "2.0.1", HUGE_MAINLAND, HUGE_HKSG, HUGE_GUIYANG),
    ("Matomo", "4.14.2", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("SRS", "6.0.45", BIG_MAINLAND, BIG_HKSG, BIG_GUIYANG),
    // 不支持香港、新加坡区域 / 不支持贵阳一区域
    ("Palworld", "0.1.4", &["hf.xlarge.3.linux"], NONE, NONE),
    ("Redmine", "5.1", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("Nodejs", "21", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("Moodle", "4.3.4", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("KodBox", "1.49", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("Joomla", "5.0.3", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("Ghost", "5.67", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
    ("CRM", "8.0", APP_MAINLAND, APP_HKSG, APP_GUIYANG),
];

fn cell(row: &AppRow, group: RegionGroup) -> &'static [&'static str] {
    match group {
        RegionGroup::Mainland => row.2,
        RegionGroup::HongKongSingapore => row.3,
        RegionGroup::Guiyang => row.4,
    }
}

#[test]
fn every_application_image_of_table_4_9() {
    for row in T4_9 {
        let (name, version) = (row.0, row.1);
        let image = catalog::image(name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(image.kind(), ImageKind::App, "{name}");
        assert_eq!(image.os(), Os::Linux, "{name}");
        for r in Region::ALL {
            let want = cell(row, r.group());
            if want.is_empty() {
                assert!(!image.is_offered_in(r), "{name} should not be sold in {r}");
                assert_eq!(catalog::versions(r, name), None);
                assert!(catalog::specs_for(r, name, version).is_empty());
            } else {
                assert_eq!(catalog::versions(r, name), Some(vec![version]), "{name} in {r}");
                assert_eq!(
                    codes(&catalog::specs_for(r, name, version)),
                    set(want),
                    "{name} in {r}"
                );
            }
        }
    }
}

// 表 4-10. Versions and spec cells per region group; exceptions follow separately.
const SYS_MAINLAND: &[&str] = &[
    "hf.small.1.linux",
    "hf.small.2.linux",
    "hf.medium.1.linux",
    "hf.medium.2.linux",
    "hf.medium.3.linux",
    "hf.large.1.linux",
    "hf.xlarge.1.linux",
    "hf.xlarge.3.linux",
    "hf.large.1.2m.linux",
    "hf.large.2.3m.linux",
    "ahf.large.05.40g.2m.linux",
    "ahf.large.1.40g.2m.linux",
];
const SYS_HKSG: &[&str] = &[
    "hf.large.025.30m.linux",
    "hf.large.05.40g.30m.linux",
    "hf.large.1.40g.30m.linux",
    "hf.large.2.60g.30m.linux",
    "hf.large.4.80g.30m.linux",
    "hf.xlarge.2.160g.30m.linux",
    "hf.xlarge.4.240g.30m.linux",
];
const UBUNTU_HKSG: &[&str] = &[
    "hf.large.05.40g.30m.linux",
    "hf.large.1.40g.30m.linux",
    "hf.large.2.60g.30m.linux",
    "hf.large.4.80g.30m.linux",
    "hf.xlarge.2.160g.30m.linux",
    "hf.xlarge.4.240g.30m.linux",
];
// Same cell as the application images in Guiyang: no ahf.large.05.40g.2m.linux.
const SYS_GUIYANG: &[&str] = APP_GUIYANG;
const STREAM_MAINLAND: &[&str] = &[
    "hf.small.1.linux",
    "hf.small.2.linux",
    "hf.medium.1.linux",
    "hf.medium.2.linux",
    "hf.medium.3.linux",
    "hf.large.1.linux",
    "hf.xlarge.1.linux",
    "hf.xlarge.3.linux",
    "hf.large.1.2m.linux",
    "hf.large.2.3m.linux",
];
const WIN_MAINLAND: &[&str] = &[
    "hf.small.1.win",
    "hf.small.2.win",
    "hf.medium.1.win",
    "hf.medium.2.win",
    "hf.medium.3.win",
    "hf.large.1.win",
    "hf.xlarge.1.win",
    "hf.xlarge.3.win",
    "hf.large.1.2m.win",
    "hf.large.2.3m.win",
    "ahf.large.1.40g.2m.win",
];
const WIN_HKSG: &[&str] = &[
    "hf.large.1.40g.30m.win",
    "hf.large.2.60g.30m.win",
    "hf.large.4.80g.30m.win",
    "hf.xlarge.2.160g.30m.win",
    "hf.xlarge.4.240g.30m.win",
];
// The seed prints ahf.*.linux here (known seed error); Windows needs the .win codes.
const WIN_GUIYANG: &[&str] = &[
    "ahf.large.1.40g.2m.win",
    "ahf.large.1.2m.win",
    "ahf.small.1.win",
    "ahf.small.2.win",
    "ahf.large.2.3m.win",
    "ahf.medium.1.win",
    "ahf.medium.2.win",
    "ahf.medium.3.win",
    "ahf.large.1.win",
    "ahf.xlarge.1.win",
    "ahf.xlarge.3.win",
];
const UBUNTU: &[&str] = &["24.04", "22.04", "20.04", "18.04", "16.04"];
const CENTOS: &[&str] =
    &["8.2", "8.1", "8.0", "7.9", "7.8", "7.7", "7.6", "7.5", "7.4", "7.3", "7.2"];
const DEBIAN: &[&str] = &["12.0", "11.1", "9.0"];
const WINDOWS: &[&str] = &[
    "2022_standard_ch",
    "2022_datacenter_ch",
    "2019_standard_ch",
    "2019_datacenter_ch",
    "2016_standard_ch",
    "2016_datacenter_ch",
    "2012R2_standard_ch",
    "2012R2_datacenter_ch",
];

type Cell = (&'static [&'static str], &'static [&'static str]);
/// (name, (versions, specs) for mainland, HK/SG, Guiyang)
const T4_10: &[(&str, Cell, Cell, Cell)] = &[
    (
        "Ubuntu",
        (UBUNTU, SYS_MAINLAND),
        (UBUNTU, UBUNTU_HKSG),
        (&["24.04", "22.04", "20.04", "18.04"], SYS_GUIYANG),
    ),
    (
        "Huawei Cloud EulerOS",
        (&["2.0"], SYS_MAINLAND),
        (&["2.0"], SYS_HKSG),
        (&["2.0"], SYS_GUIYANG),
    ),
    ("CentOS", (CENTOS, SYS_MAINLAND), (CENTOS, SYS_HKSG), (CENTOS, SYS_GUIYANG)),
    ("Debian", (DEBIAN, SYS_MAINLAND), (DEBIAN, SYS_HKSG), (DEBIAN, SYS_GUIYANG)),
    (
        "WindowsServer",
        (WINDOWS, WIN_MAINLAND),
        (&["2019_standard_ch", "2016_standard_ch", "2012R2_standard_ch"], WIN_HKSG),
        (WINDOWS, WIN_GUIYANG),
    ),
    ("CentOS_Stream", (&["9.0"], STREAM_MAINLAND), (&["9.0"], SYS_HKSG), (NONE, NONE)),
];

/// The parenthesised exceptions of table 4-10: is `code` refused for this version?
fn seed_exception(image: &str, group: RegionGroup, version: &str, code: &str) -> bool {
    let two_ahf = ["ahf.large.05.40g.2m.linux", "ahf.large.1.40g.2m.linux"];
    match (image, group) {
        // (16.04 镜像版本不支持)
        ("Ubuntu", RegionGroup::Mainland) => version == "16.04" && two_ahf.contains(&code),
        // (12.0 镜像版本不支持)
        ("Debian", RegionGroup::Mainland) => version == "12.0" && two_ahf.contains(&code),
        // (9.0 镜像版本不支持)
        ("Debian", RegionGroup::HongKongSingapore) => {
            version == "9.0" && code == "hf.large.025.30m.linux"
        }
        // (仅 7.6 镜像版本支持)
        ("CentOS", RegionGroup::HongKongSingapore) => {
            version != "7.6" && code == "hf.large.025.30m.linux"
        }
        _ => false,
    }
}

#[test]
fn every_system_image_version_of_table_4_10_with_its_exceptions() {
    for &(name, mainland, hksg, guiyang) in T4_10 {
        let image = catalog::image(name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(image.kind(), ImageKind::System, "{name}");
        let want_os = if name == "WindowsServer" { Os::Windows } else { Os::Linux };
        assert_eq!(image.os(), want_os, "{name}");
        for r in Region::ALL {
            let (versions, specs) = match r.group() {
                RegionGroup::Mainland => mainland,
                RegionGroup::HongKongSingapore => hksg,
                RegionGroup::Guiyang => guiyang,
            };
            if versions.is_empty() {
                assert_eq!(catalog::versions(r, name), None, "{name} should not be sold in {r}");
                continue;
            }
            assert_eq!(catalog::versions(r, name), Some(versions.to_vec()), "{name} in {r}");
            for v in versions {
                let want: BTreeSet<String> = specs
                    .iter()
                    .filter(|c| !seed_exception(name, r.group(), v, c))
                    .map(|c| c.to_string())
                    .collect();
                assert_eq!(codes(&catalog::specs_for(r, name, v)), want, "{name} {v} in {r}");
            }
        }
    }
}

#[test]
fn images_in_each_region() {
    let all: Vec<&str> = T4_9.iter().map(|r| r.0).chain(T4_10.iter().map(|r| r.0)).collect();
    for r in Region::ALL {
        let names: BTreeSet<&str> = catalog::images_in(r).iter().map(|i| i.name()).collect();
        let missing: BTreeSet<&str> = all.iter().copied().filter(|n| !names.contains(n)).collect();
        let want: BTreeSet<&str> = match r.group() {
            RegionGroup::Mainland => BTreeSet::new(),
            RegionGroup::HongKongSingapore => ["Palworld"].into(),
            RegionGroup::Guiyang => ["Palworld", "CentOS_Stream"].into(),
        };
        assert_eq!(missing, want, "{r}");
        assert_eq!(names.len() + missing.len(), all.len(), "{r} has an image not in the seed");
    }
    assert_eq!(catalog::versions(Region::CnNorth4, "NoSuchImage"), None);
    assert!(catalog::specs_for(Region::CnNorth4, "Ubuntu", "99.99").is_empty());
}

// 表 4-11: private images.
#[test]
fn private_images_of_table_4_11() {
    let linux_guiyang: &[&str] = &[
        "ahf.large.05.40g.2m.linux",
        "ahf.large.1.40g.2m.linux",
        "ahf.large.1.2m.linux",
        "ahf.small.1.linux",
        "ahf.small.2.linux",
        "ahf.large.2.3m.linux",
        "ahf.medium.1.linux",
        "ahf.medium.2.linux",
        "ahf.medium.3.linux",
        "ahf.large.1.linux",
        "ahf.xlarge.1.linux",
        "ahf.xlarge.3.linux",
    ];
    for r in Region::ALL {
        let (linux, windows): (&[&str], &[&str]) = match r.group() {
            RegionGroup::Mainland => (SYS_MAINLAND, WIN_MAINLAND),
            RegionGroup::HongKongSingapore => (SYS_HKSG, WIN_HKSG),
            RegionGroup::Guiyang => (linux_guiyang, WIN_GUIYANG),
        };
        assert_eq!(codes(&catalog::private_specs_for(r, Os::Linux)), set(linux), "{r}");
        assert_eq!(codes(&catalog::private_specs_for(r, Os::Windows)), set(windows), "{r}");
        let both: BTreeSet<String> = set(linux).union(&set(windows)).cloned().collect();
        assert_eq!(codes(&catalog::private_specs(r)), both, "{r}");
    }
}
