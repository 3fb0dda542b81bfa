//! The regions where Flexus L instances are sold.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Huawei Cloud region that sells Flexus L instances (seed, "地域和终端节点").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    CnNorth4,
    CnEast3,
    CnSouth1,
    ApSoutheast1,
    ApSoutheast3,
    CnSouthwest2,
}

/// Which table of spec codes a region uses: the seed groups regions that share a price list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegionGroup {
    /// 北京四、上海一、广州
    Mainland,
    /// 香港、新加坡
    HongKongSingapore,
    /// 贵阳一
    Guiyang,
}

impl Region {
    pub const ALL: [Region; 6] = [
        Region::CnNorth4,
        Region::CnEast3,
        Region::CnSouth1,
        Region::ApSoutheast1,
        Region::ApSoutheast3,
        Region::CnSouthwest2,
    ];

    /// Huawei's region id, e.g. `cn-north-4`.
    pub fn id(self) -> &'static str {
        match self {
            Region::CnNorth4 => "cn-north-4",
            Region::CnEast3 => "cn-east-3",
            Region::CnSouth1 => "cn-south-1",
            Region::ApSoutheast1 => "ap-southeast-1",
            Region::ApSoutheast3 => "ap-southeast-3",
            Region::CnSouthwest2 => "cn-southwest-2",
        }
    }

    /// The name Huawei's Chinese console uses.
    pub fn name_zh(self) -> &'static str {
        match self {
            Region::CnNorth4 => "华北-北京四",
            Region::CnEast3 => "华东-上海一",
            Region::CnSouth1 => "华南-广州",
            Region::ApSoutheast1 => "中国-香港",
            Region::ApSoutheast3 => "亚太-新加坡",
            Region::CnSouthwest2 => "西南-贵阳一",
        }
    }

    /// The name Huawei's English console uses.
    pub fn name_en(self) -> &'static str {
        match self {
            Region::CnNorth4 => "CN North-Beijing4",
            Region::CnEast3 => "CN East-Shanghai1",
            Region::CnSouth1 => "CN South-Guangzhou",
            Region::ApSoutheast1 => "CN-Hong Kong",
            Region::ApSoutheast3 => "AP-Singapore",
            Region::CnSouthwest2 => "CN Southwest-Guiyang1",
        }
    }

    pub fn group(self) -> RegionGroup {
        match self {
            Region::CnNorth4 | Region::CnEast3 | Region::CnSouth1 => RegionGroup::Mainland,
            Region::ApSoutheast1 | Region::ApSoutheast3 => RegionGroup::HongKongSingapore,
            Region::CnSouthwest2 => RegionGroup::Guiyang,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A region id that is not one of the Flexus L regions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{0}” is not a Flexus L region (expected one of cn-north-4, cn-east-3, cn-south-1, ap-southeast-1, ap-southeast-3, cn-southwest-2)"
)]
pub struct UnknownRegion(pub String);

impl FromStr for Region {
    type Err = UnknownRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        Region::ALL
            .into_iter()
            .find(|r| r.id() == trimmed)
            .ok_or_else(|| UnknownRegion(s.chars().take(64).collect()))
    }
}

impl Serialize for Region {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for r in Region::ALL {
            assert_eq!(r.id().parse::<Region>().unwrap(), r);
            assert_eq!(r.to_string(), r.id());
        }
    }

    #[test]
    fn unknown_region_is_named() {
        let err = "eu-west-0".parse::<Region>().unwrap_err();
        assert!(err.to_string().contains("eu-west-0"));
    }
}
