//! The identifiers Huawei Cloud hands out, each parsed once at the edge.
//!
//! Three ids name one Flexus L instance: the 24-hex instance id (RMS, purchase, BSS
//! renew/unsubscribe), the UUID server id (every ECS call) and the UUID traffic package id
//! (BSS usage). Mixing them up fails at the cloud, so each is its own type.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An id string that does not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} “{value}” is malformed: expected {expected}")]
pub struct InvalidId {
    pub kind: &'static str,
    pub value: String,
    pub expected: &'static str,
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $expected:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                let check: fn(&str) -> bool = $check;
                if check(s) {
                    Ok($name(s.to_owned()))
                } else {
                    Err(InvalidId {
                        kind: $kind,
                        value: s.chars().take(80).collect(),
                        expected: $expected,
                    })
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> {
                s.parse()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A Flexus L instance id: 24 lowercase hex characters, e.g. `66e3e9f8b271f8319ef19e86`.
    InstanceId, "instance id", "24 lowercase hex characters", |s| is_lower_hex(s, 24)
);
id_type!(
    /// An ECS server id (UUID), e.g. `72a270de-665a-4f46-8d64-24ad6edccdd2`.
    ServerId, "server id", "a UUID like 72a270de-665a-4f46-8d64-24ad6edccdd2", is_uuid
);
id_type!(
    /// A traffic package (BSS free resource) id (UUID).
    PackageId, "traffic package id", "a UUID like 4fb5cd67-73f8-4313-bc1b-f76ed15c9d09", is_uuid
);
id_type!(
    /// An ECS job id: 32 lowercase hex characters.
    JobId, "job id", "32 lowercase hex characters", |s| is_lower_hex(s, 32)
);
id_type!(
    /// A BSS order id, e.g. `CS24022811305H1EW`: `CS` then 10–30 uppercase letters and digits.
    OrderId, "order id", "CS followed by uppercase letters and digits, e.g. CS24022811305H1EW",
    |s| s.len() >= 12
        && s.len() <= 32
        && s.starts_with("CS")
        && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
);
id_type!(
    /// An IAM project id (one per region per account): 32 hex characters.
    ProjectId, "project id", "32 hex characters", |s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
);
id_type!(
    /// An account (IAM domain) id: 32 hex characters.
    DomainId, "account (domain) id", "32 hex characters", |s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_examples_parse() {
        "66e3e9f8b271f8319ef19e86".parse::<InstanceId>().unwrap();
        "72a270de-665a-4f46-8d64-24ad6edccdd2".parse::<ServerId>().unwrap();
        "4fb5cd67-73f8-4313-bc1b-f76ed15c9d09".parse::<PackageId>().unwrap();
        "ff80808290c6b7b60191ef4d78411d8d".parse::<JobId>().unwrap();
        for o in ["CS24022811305H1EW", "CS2409131529QL4NJ", "CS241125185460CZY"] {
            o.parse::<OrderId>().unwrap();
        }
    }

    #[test]
    fn wrong_shapes_are_refused_with_the_kind_named() {
        let e = "72a270de-665a-4f46-8d64-24ad6edccdd2".parse::<InstanceId>().unwrap_err();
        assert!(e.to_string().starts_with("instance id"));
        assert!("66e3e9f8b271f8319ef19e86".parse::<ServerId>().is_err());
        assert!("cs24022811305h1ew".parse::<OrderId>().is_err());
        assert!("".parse::<JobId>().is_err());
    }
}
