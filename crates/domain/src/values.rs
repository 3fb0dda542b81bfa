//! Values parsed once at the edge; holding one proves it is well-formed. Each parser's error
//! names its field (`Error::Invalid`), in words a person can act on.

use std::fmt;

use lightdeck_huaweicloud::{DomainId, ProjectId, Region};
use secrecy::{ExposeSecret, SecretString};

use crate::policy::Role;
use crate::{Error, Result};

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Defines a trimmed free-text name type: `min..=max` characters, no control characters.
macro_rules! text_name {
    ($(#[$doc:meta])* $name:ident, $field:literal, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub const FIELD: &'static str = $field;

            pub fn parse(s: &str) -> Result<Self> {
                let s = s.trim();
                let len = s.chars().count();
                if len == 0 {
                    return Err(Error::field($field, concat!($what, " is required")));
                }
                if len > $max {
                    return Err(Error::field(
                        $field,
                        concat!($what, " must be at most ", stringify!($max), " characters"),
                    ));
                }
                if has_control(s) {
                    return Err(Error::field(
                        $field,
                        concat!($what, " must not contain control characters such as tabs or line breaks"),
                    ));
                }
                Ok($name(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(s: &str) -> Result<Self> {
                Self::parse(s)
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
    };
}

text_name!(
    /// A person's name as shown in the panel and the audit log.
    DisplayName, "display_name", "display name", 64
);
text_name!(
    /// A team's name, unique on this Lightdeck.
    TeamName, "team_name", "team name", 64
);
text_name!(
    /// A connected cloud account's name, unique within its team (e.g. "Production").
    AccountName, "account_name", "account name", 64
);
text_name!(
    /// A Huawei account ("IAM domain") name, as typed on Huawei's sign-in page.
    DomainName, "domain_name", "Huawei account name", 64
);
text_name!(
    /// An IAM user name within a Huawei account.
    IamUserName, "iam_user_name", "IAM user name", 64
);

/// A Lightdeck sign-in name: 3–32 characters, lowercase letters, digits, `.`, `_`, `-`,
/// starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoginName(String);

impl LoginName {
    pub const FIELD: &'static str = "login";

    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        let f = Self::FIELD;
        let len = s.chars().count();
        if !(3..=32).contains(&len) {
            return Err(Error::field(f, "login name must be 3 to 32 characters long"));
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(Error::field(f, "login name must start with a lowercase letter (a-z)"));
        }
        if !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)) {
            return Err(Error::field(
                f,
                "login name may only contain lowercase letters (a-z), digits, '.', '_' and '-'",
            ));
        }
        Ok(LoginName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for LoginName {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for LoginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Defines a secret type: `SecretString` inside, `Debug` redacted, checked length.
macro_rules! secret_value {
    ($(#[$doc:meta])* $name:ident, $field:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            pub const FIELD: &'static str = $field;

            /// Never trimmed: spaces can be part of a secret.
            pub fn parse(s: &str) -> Result<Self> {
                let check: fn(&str) -> std::result::Result<(), &'static str> = $check;
                check(s).map_err(|msg| Error::field($field, msg))?;
                Ok($name(SecretString::from(s.to_owned())))
            }

            pub fn expose(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(s: &str) -> Result<Self> {
                Self::parse(s)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([REDACTED])"))
            }
        }
    };
}

secret_value!(
    /// A Lightdeck user's password: 12 to 256 characters.
    Password, "password", |s| {
        match s.chars().count() {
            0..12 => Err("password must be at least 12 characters long"),
            257.. => Err("password must be at most 256 characters long"),
            _ if has_control(s) => Err("password must not contain control characters such as tabs or line breaks"),
            _ => Ok(()),
        }
    }
);
secret_value!(
    /// A Huawei secret access key (SK): 40 letters and digits.
    SecretAccessKey, "secret_access_key", |s| {
        if s.len() == 40 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(())
        } else {
            Err("secret access key (SK) must be 40 letters and digits, as shown when the key was created")
        }
    }
);
secret_value!(
    /// An IAM user's password at Huawei Cloud (Huawei's own rules decide the rest).
    IamPassword, "iam_password", |s| match s.chars().count() {
        0 => Err("IAM user password is required"),
        129.. => Err("IAM user password must be at most 128 characters long"),
        _ if has_control(s) => Err("IAM user password must not contain control characters"),
        _ => Ok(()),
    }
);

/// A Huawei access key id (AK): 20 uppercase letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    pub const FIELD: &'static str = "access_key_id";

    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.len() == 20 && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            Ok(AccessKeyId(s.to_owned()))
        } else {
            Err(Error::field(
                Self::FIELD,
                "access key id (AK) must be 20 uppercase letters and digits",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for AccessKeyId {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The panel's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    ZhCn,
    #[default]
    En,
}

impl Language {
    pub const FIELD: &'static str = "language";

    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "zh-CN" => Ok(Language::ZhCn),
            "en" => Ok(Language::En),
            _ => Err(Error::field(Self::FIELD, "language must be zh-CN or en")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

impl std::str::FromStr for Language {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

crate::rows::text_column!(Language);

impl TryFrom<&str> for Language {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name from a form (`role` field).
pub fn parse_role(s: &str) -> Result<Role> {
    s.parse().map_err(|e: crate::policy::UnknownRole| Error::field("role", e.to_string()))
}

/// A region id from a form (`region` field), e.g. `cn-north-4`.
pub fn parse_region(s: &str) -> Result<Region> {
    s.parse().map_err(|_| {
        let ids: Vec<&str> = Region::ALL.iter().map(|r| r.id()).collect();
        Error::field("region", format!("region must be one of {}", ids.join(", ")))
    })
}

/// A project id from a form (`project_id` field).
pub fn parse_project_id(s: &str) -> Result<ProjectId> {
    s.trim().parse().map_err(|_| Error::field("project_id", "project id must be 32 hex characters"))
}

/// A Huawei account (domain) id from a form (`domain_id` field).
pub fn parse_domain_id(s: &str) -> Result<DomainId> {
    s.trim()
        .parse()
        .map_err(|_| Error::field("domain_id", "Huawei account id must be 32 hex characters"))
}

/// A time zone by its IANA name ("Asia/Shanghai", "UTC"), known to the bundled tz
/// database: times are shown to a person in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub const FIELD: &'static str = "time_zone";

    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        let f = Self::FIELD;
        if s.is_empty() {
            return Err(Error::field(f, "time zone is required"));
        }
        // Checked before the lookup: the longest IANA name has 32 characters.
        if s.chars().count() > 64 || has_control(s) {
            return Err(Error::field(f, "time zone must be an IANA name such as Asia/Shanghai"));
        }
        match jiff::tz::TimeZone::get(s) {
            Ok(_) => Ok(TimeZoneName(s.to_owned())),
            Err(_) => {
                Err(Error::field(f, "unknown time zone: use an IANA name such as Asia/Shanghai"))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn utc() -> TimeZoneName {
        TimeZoneName("UTC".to_owned())
    }

    /// The zone itself (UTC should the database have lost it since parsing).
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_by_iana_name() {
        assert_eq!(TimeZoneName::parse(" Asia/Shanghai ").unwrap().as_str(), "Asia/Shanghai");
        assert!(TimeZoneName::parse("UTC").is_ok());
        for bad in ["", "Mars/Olympus", "Asia/\tShanghai", &"x".repeat(10_240)] {
            let m = message(TimeZoneName::parse(bad).unwrap_err(), "time_zone");
            assert!(m.contains("time zone") && m.len() < 100, "{m}");
        }
    }

    fn message(e: Error, field: &str) -> String {
        match e {
            Error::Invalid(errors) => {
                errors.get(field).unwrap_or_else(|| panic!("no {field} in {errors}")).to_owned()
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn login_names() {
        assert_eq!(LoginName::parse(" alice.liu_2-x ").unwrap().as_str(), "alice.liu_2-x");
        for (bad, says) in [
            ("al", "3 to 32"),
            (&"a".repeat(33), "3 to 32"),
            ("1alice", "start with a lowercase letter"),
            ("_alice", "start with a lowercase letter"),
            ("Alice", "start with a lowercase letter"),
            ("aLice", "only contain"),
            ("alice liu", "only contain"),
            ("alicé", "only contain"),
        ] {
            let m = message(LoginName::parse(bad).unwrap_err(), "login");
            assert!(m.contains(says), "{bad:?}: {m}");
        }
    }

    #[test]
    fn text_names_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(DisplayName::parse("  刘 Alice ").unwrap().as_str(), "刘 Alice");
        assert_eq!(TeamName::parse(&"队".repeat(64)).unwrap().as_str().chars().count(), 64);
        assert!(
            message(TeamName::parse(&"队".repeat(65)).unwrap_err(), "team_name")
                .contains("at most 64")
        );
        assert!(
            message(AccountName::parse("   ").unwrap_err(), "account_name").contains("required")
        );
        assert!(
            message(DisplayName::parse("a\tb").unwrap_err(), "display_name").contains("control")
        );
        assert!(message(DomainName::parse("").unwrap_err(), "domain_name").contains("required"));
        assert!(
            message(IamUserName::parse("x\u{7}").unwrap_err(), "iam_user_name").contains("control")
        );
    }

    #[test]
    fn passwords_and_keys() {
        assert!(
            message(Password::parse("short pass!").unwrap_err(), "password")
                .contains("at least 12")
        );
        assert!(
            message(Password::parse(&"p".repeat(257)).unwrap_err(), "password")
                .contains("at most 256")
        );
        assert_eq!(Password::parse("  twelve chars").unwrap().expose(), "  twelve chars");
        assert!(Password::parse(&"密".repeat(12)).is_ok());
        for bad in ["twelve chars\0", "\u{1}twelve chars", "twelve\tchars!"] {
            let m = message(Password::parse(bad).unwrap_err(), "password");
            assert!(m.contains("control characters") && !m.contains("twelve"), "{m}");
        }
        assert!(
            message(IamPassword::parse("pass\0word").unwrap_err(), "iam_password")
                .contains("control")
        );

        assert_eq!(
            AccessKeyId::parse(" HPUABCDEFGHIJKLMNOP1 ").unwrap().as_str(),
            "HPUABCDEFGHIJKLMNOP1"
        );
        for bad in [
            "HPUABCDEFGHIJKLMNOP",
            "hpuabcdefghijklmnop1",
            "HPUABCDEFGHIJKLMNOP-",
            "HPUABCDEFGHIJKLMNOP12",
        ] {
            assert!(
                message(AccessKeyId::parse(bad).unwrap_err(), "access_key_id")
                    .contains("20 uppercase")
            );
        }
        let sk = "Qm9vZ2llV29vZ2llQm9vZ2llV29vZ2llQm9vZ2ll";
        assert_eq!(SecretAccessKey::parse(sk).unwrap().expose(), sk);
        for bad in [&sk[1..], "Qm9vZ2llV29vZ2llQm9vZ2llV29vZ2llQm9vZ2l+"] {
            let m = message(SecretAccessKey::parse(bad).unwrap_err(), "secret_access_key");
            assert!(m.contains("40 letters and digits") && !m.contains(bad), "{m}");
        }
        assert!(message(IamPassword::parse("").unwrap_err(), "iam_password").contains("required"));
    }

    #[test]
    fn languages_roles_regions_and_ids() {
        assert_eq!(Language::parse("zh-CN").unwrap(), Language::ZhCn);
        assert_eq!(Language::parse("en").unwrap().to_string(), "en");
        assert!(message(Language::parse("fr").unwrap_err(), "language").contains("zh-CN or en"));
        assert_eq!(parse_role("admin").unwrap(), Role::Admin);
        assert!(
            message(parse_role("god").unwrap_err(), "role")
                .contains("viewer, operator, admin, owner")
        );
        assert_eq!(parse_region(" cn-north-4 ").unwrap(), Region::CnNorth4);
        assert!(message(parse_region("us-east-1").unwrap_err(), "region").contains("cn-north-4"));
        assert!(parse_project_id("0123456789abcdef0123456789abcdef").is_ok());
        assert!(message(parse_project_id("123").unwrap_err(), "project_id").contains("32 hex"));
        assert!(message(parse_domain_id("xyz").unwrap_err(), "domain_id").contains("32 hex"));
    }
}
