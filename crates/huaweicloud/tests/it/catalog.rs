//! The catalog against the seed's appendix tables, transcribed again here by hand (not
//! generated from plans.json) so that a slip in either copy shows up as a failure.

use std::collections::BTreeSet;

use lightdeck_huaweicloud::catalog::{self, ImageKind, Os};
use lightdeck_huaweicloud::model::hcss::ImageRef;
use lightdeck_huaweicloud::{Region, RegionGroup};

/// (code, vCPU, RAM GiB as printed, system disk GiB, peak Mbit/s, traffic GB)
type Row = (&'static str, u32, &'static str, u32, u32, u32);

// 表 4-12 Linux, 北京四、上海一、广州
const T4_12: &[Row] = &[
    ("hf.small.1.linux", 2, "2", 40, 3, 400),
    ("hf.small.2.linux", 2, "2", 50, 4, 600),
    ("hf.medium.1.linux", 2, "4", 70, 5, 1000),
    ("hf.medium.2.linux", 2, "4", 80, 6, 1200),
    ("hf.medium.3.linux", 2, "4", 100, 8, 1600),
    ("hf.large.1.linux", 2, "8", 120, 10, 2000),
    ("hf.xlarge.1.linux", 4, "8", 180, 6, 1200),
    ("hf.xlarge.3.linux", 4, "16", 180, 10, 2000),
    ("hf.large.1.2m.linux", 2, "2", 40, 2, 200),
    ("hf.large.2.3m.linux", 2, "4", 50, 3, 400),
    ("ahf.large.05.40g.2m.linux", 2, "1", 40, 2, 100),
    ("ahf.large.1.40g.2m.linux", 2, "2", 40, 2, 100),
];

// 表 4-13 Linux, 香港、新加坡
const T4_13: &[Row] = &[
    ("hf.large.025.30m.linux", 2, "0.5", 20, 30, 1024),
    ("hf.large.05.40g.30m.linux", 2, "1", 40, 30, 1024),
    ("hf.large.1.40g.30m.linux", 2, "2", 40, 30, 1024),
    ("hf.large.2.60g.30m.linux", 2, "4", 60, 30, 2048),
    ("hf.large.4.80g.30m.linux", 2, "8", 80, 30, 3072),
    ("hf.xlarge.2.160g.30m.linux", 4, "8", 160, 30, 4096),
    ("hf.xlarge.4.240g.30m.linux", 4, "16", 240, 30, 5120),
];

// 表 4-14 Linux, 贵阳一
const T4_14: &[Row] = &[
    ("ahf.large.05.40g.2m.linux", 2, "1", 40, 2, 100),
    ("ahf.large.1.40g.2m.linux", 2, "2", 40, 2, 100),
    ("ahf.large.1.2m.linux", 2, "2", 40, 2, 200),
    ("ahf.small.1.linux", 2, "2", 40, 3, 400),
    ("ahf.small.2.linux", 2, "2", 50, 4, 600),
    ("ahf.large.2.3m.linux", 2, "4", 50, 3, 400),
    ("ahf.medium.1.linux", 2, "4", 70, 5, 1000),
    ("ahf.medium.2.linux", 2, "4", 80, 6, 1200),
    ("ahf.medium.3.linux", 2, "4", 100, 8, 1600),
    ("ahf.large.1.linux", 2, "8", 120, 10, 2000),
    ("ahf.xlarge.1.linux", 4, "8", 180, 6, 1200),
    ("ahf.xlarge.3.linux", 4, "16", 180, 10, 2000),
];

// 表 4-15 Windows, 北京四、上海一、广州 (split over two pages in the seed)
const T4_15: &[Row] = &[
    ("hf.small.1.win", 2, "2", 40, 3, 400),
    ("hf.small.2.win", 2, "2", 50, 4, 600),
    ("hf.medium.1.win", 2, "4", 70, 5, 1000),
    ("hf.medium.2.win", 2, "4", 80, 6, 1200),
    ("hf.medium.3.win", 2, "4", 100, 8, 1600),
    ("hf.large.1.win", 2, "8", 120, 10, 2000),
    ("hf.xlarge.1.win", 4, "8", 180, 6, 1200),
    ("hf.xlarge.3.win", 4, "16", 180, 10, 2000),
    ("hf.large.1.2m.win", 2, "2", 40, 2, 200),
    ("hf.large.2.3m.win", 2, "4", 50, 3, 400),
    ("ahf.large.1.40g.2m.win", 2, "2", 40, 2, 100),
];

// 表 4-16 Windows, 香港、新加坡
const T4_16: &[Row] = &[
    ("hf.large.1.40g.30m.win", 2, "2", 40, 30, 1024),
    ("hf.large.2.60g.30m.win", 2, "4", 60, 30, 2048),
    ("hf.large.4.80g.30m.win", 2, "8", 80, 30, 3072),
    ("hf.xlarge.2.160g.30m.win", 4, "8", 160, 30, 4096),
    ("hf.xlarge.4.240g.30m.win", 4, "16", 240, 30, 5120),
];

// 表 4-17 Windows, 贵阳一
const T4_17: &[Row] = &[
    ("ahf.large.1.40g.2m.win", 2, "2", 40, 2, 100),
    ("ahf.large.1.2m.win", 2, "2", 40, 2, 200),
    ("ahf.small.1.win", 2, "2", 40, 3, 400),
    ("ahf.small.2.win", 2, "2", 50, 4, 600),
    ("ahf.large.2.3m.win", 2, "4", 50, 3, 400),
    ("ahf.medium.1.win", 2, "4", 70, 5, 1000),
    ("ahf.medium.2.win", 2, "4", 80, 6, 1200),
    ("ahf.medium.3.win", 2, "4", 100, 8, 1600),
    ("ahf.large.1.win", 2, "8", 120, 10, 2000),
    ("ahf.xlarge.1.win", 4, "8", 180, 6, 1200),
    ("ahf.xlarge.3.win", 4, "16", 180, 10, 2000),
];

const TABLES: &[(&[Row], RegionGroup, Os)] = &[
    (T4_12, RegionGroup::Mainland, Os::Linux),
    (T4_13, RegionGroup::HongKongSingapore, Os::Linux),
    (T4_14, RegionGroup::Guiyang, Os::Linux),
    (T4_15, RegionGroup::Mainland, Os::Windows),
    (T4_16, RegionGroup::HongKongSingapore, Os::Windows),
    (T4_17, RegionGroup::Guiyang, Os::Windows),
];

fn ram_mib(printed: &str) -> u32 {
    match printed {
        "0.5" => 512,
        n => n.parse::<u32>().unwrap() * 1024,
    }
}

fn region_of(group: RegionGroup) -> Vec<Region> {
    Region::ALL.into_iter().filter(|r| r.group() == group).collect()
}

fn set(codes: &[&str]) -> BTreeSet<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

fn codes(specs: &[&catalog::Spec]) -> BTreeSet<String> {
    specs.iter().map(|s| s.code().to_owned()).collect()
}

#[test]
fn the_data_file_loads() {
    // Forces the LazyLock: a malformed or inconsistent plans.json panics here.
    assert_eq!(catalog::specs().count(), 55);
    assert_eq!(catalog::images().count(), 24);
}

#[test]
fn every_spec_of_tables_4_12_to_4_17_has_the_right_size_and_regions() {
    for &(table, group, os) in TABLES {
        for &(code, vcpus, ram, disk, mbps, traffic) in table {
            let s = catalog::spec(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(s.os(), os, "{code}");
            assert_eq!(s.vcpus(), vcpus, "{code}");
            assert_eq!(s.ram_mib(), ram_mib(ram), "{code}");
            assert_eq!(s.disk_gib(), disk, "{code}");
            assert_eq!(s.bandwidth_mbps(), mbps, "{code}");
            assert_eq!(s.traffic_gb(), traffic, "{code}");
            assert!(s.groups().contains(&group), "{code} not in {group:?}");
            for r in region_of(group) {
                assert!(s.is_sold_in(r) && s.regions().any(|x| x == r), "{code} in {r}");
            }
        }
    }
}

#[test]
fn no_spec_is_sold_where_no_table_lists_it() {
    for s in catalog::specs() {
        let expected: Vec<RegionGroup> = TABLES
            .iter()
            .filter(|(t, _, _)| t.iter().any(|row| row.0 == s.code()))
            .map(|&(_, g, _)| g)
            .collect();
        assert!(!expected.is_empty(), "{} is in no seed table", s.code());
        assert_eq!(s.groups().len(), expected.len(), "{}", s.code());
        for r in Region::ALL {
            assert_eq!(s.is_sold_in(r), expected.contains(&r.group()), "{} in {r}", s.code());
        }
        let in_region: Vec<Region> =
            Region::ALL.into_iter().filter(|r| catalog::specs_in(*r).any(|x| x == s)).collect();
        assert_eq!(in_region, s.regions().collect::<Vec<_>>());
    }
}

#[test]
fn sizes_read_as_a_summary() {
    let s = catalog::spec("hf.small.1.linux").unwrap();
    assert_eq!(s.summary(), "2 vCPU · 2 GiB · 40 GiB disk · 3 Mbit/s · 400 GB/month");
    let half = catalog::spec("hf.large.025.30m.linux").unwrap();
    assert_eq!(half.ram_gib(), 0.5);
    assert_eq!(half.summary(), "2 vCPU · 0.5 GiB · 20 GiB disk · 30 Mbit/s · 1024 GB/month");
    assert!(half.to_string().starts_with("hf.large.025.30m.linux (2 vCPU"));
    assert!(catalog::spec("hf.small.1").is_none());
    assert!(catalog::spec("HF.SMALL.1.LINUX").is_none());
}

mod images;

mod check;
