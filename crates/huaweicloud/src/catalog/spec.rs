//! Spec codes (`plan_spec`) and their sizes.

use std::fmt;

use crate::region::{Region, RegionGroup};

/// The operating-system family a spec code is sold for (`.linux` or `.win` suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Os {
    Linux,
    Windows,
}

impl Os {
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::Windows => "Windows",
        }
    }
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One spec code and the bundle it buys (seed tables 4-12 to 4-17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub(super) code: String,
    pub(super) os: Os,
    pub(super) vcpus: u32,
    /// MiB rather than GiB because Hong Kong/Singapore sell a 0.5 GiB plan.
    pub(super) ram_mib: u32,
    pub(super) disk_gib: u32,
    pub(super) bandwidth_mbps: u32,
    pub(super) traffic_gb: u32,
    pub(super) groups: Vec<RegionGroup>,
}

impl Spec {
    /// The code sent as `plan_spec`, e.g. `hf.small.1.linux`.
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn os(&self) -> Os {
        self.os
    }

    pub fn vcpus(&self) -> u32 {
        self.vcpus
    }

    /// Memory in MiB (exact; 512 for the 0.5 GiB plan).
    pub fn ram_mib(&self) -> u32 {
        self.ram_mib
    }

    /// Memory in GiB, e.g. `0.5` or `2.0`. Exact, since every size is a multiple of 1/1024.
    pub fn ram_gib(&self) -> f64 {
        f64::from(self.ram_mib) / 1024.0
    }

    /// System disk in GiB.
    pub fn disk_gib(&self) -> u32 {
        self.disk_gib
    }

    /// Peak public bandwidth in Mbit/s.
    pub fn bandwidth_mbps(&self) -> u32 {
        self.bandwidth_mbps
    }

    /// Monthly traffic package in GB.
    pub fn traffic_gb(&self) -> u32 {
        self.traffic_gb
    }

    /// The region groups whose price list carries this code.
    pub fn groups(&self) -> &[RegionGroup] {
        &self.groups
    }

    /// The regions where this code is sold.
    pub fn regions(&self) -> impl Iterator<Item = Region> + '_ {
        Region::ALL.into_iter().filter(|r| self.groups.contains(&r.group()))
    }

    pub fn is_sold_in(&self, region: Region) -> bool {
        self.groups.contains(&region.group())
    }

    /// One line for people, e.g. "2 vCPU · 2 GiB · 40 GiB disk · 3 Mbit/s · 400 GB/month".
    pub fn summary(&self) -> String {
        format!(
            "{} vCPU · {} GiB · {} GiB disk · {} Mbit/s · {} GB/month",
            self.vcpus,
            self.ram_gib(),
            self.disk_gib,
            self.bandwidth_mbps,
            self.traffic_gb
        )
    }
}

impl fmt::Display for Spec {
    /// `code (summary)`, e.g. "hf.small.1.linux (2 vCPU · 2 GiB · …)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code, self.summary())
    }
}
