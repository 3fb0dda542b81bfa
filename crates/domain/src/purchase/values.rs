//! The single choices of a purchase, each a value that only holds what HCSS accepts (seed
//! "购买Flexus L实例", tables 4-1 to 4-5). Each parser's error names the purchase form's
//! field, so the page can show it beside that field.

use std::fmt;

use crate::{Error, Result};

/// Form field names, shared by the parsers here and the plan's combination checks.
pub mod field {
    pub const ACCOUNT: &str = "account";
    pub const REGION: &str = "region";
    pub const IMAGE: &str = "image";
    pub const IMAGE_VERSION: &str = "image_version";
    pub const IMAGE_ID: &str = "image_id";
    pub const PLAN_SPEC: &str = "plan_spec";
    pub const DATA_DISK: &str = "data_disk_gib";
    pub const BACKUP: &str = "backup_gib";
    pub const PERIOD: &str = "period";
    pub const NAME: &str = "instance_name";
    pub const DESCRIPTION: &str = "description";
    pub const TAGS: &str = "tags";
    pub const QUANTITY: &str = "quantity";
}

/// How many instances one purchase buys: 1–200 (`purchase_quantity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quantity(u8);

impl Quantity {
    pub const MAX: u8 = 200;

    pub fn new(n: i64) -> Result<Quantity> {
        match u8::try_from(n) {
            Ok(n) if (1..=Self::MAX).contains(&n) => Ok(Quantity(n)),
            _ => Err(Error::field(field::QUANTITY, "must be a whole number from 1 to 200")),
        }
    }

    /// The form's text; empty means one.
    pub fn parse(s: &str) -> Result<Quantity> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Quantity(1));
        }
        if s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::field(field::QUANTITY, "must be a whole number from 1 to 200"));
        }
        Quantity::new(s.parse().unwrap_or(0))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// The size of a data disk or backup vault bought with each instance: 10–2048 GiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtraSize(u16);

impl ExtraSize {
    pub const MIN: u16 = 10;
    pub const MAX: u16 = 2048;

    pub fn new(field_name: &str, gib: i64) -> Result<ExtraSize> {
        match u16::try_from(gib) {
            Ok(g) if (Self::MIN..=Self::MAX).contains(&g) => Ok(ExtraSize(g)),
            _ => Err(Error::field(field_name, "must be a whole number of GiB from 10 to 2048")),
        }
    }

    /// The form's text for `field_name`; empty means none.
    pub fn parse(field_name: &str, s: &str) -> Result<Option<ExtraSize>> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::field(field_name, "must be a whole number of GiB from 10 to 2048"));
        }
        ExtraSize::new(field_name, s.parse().unwrap_or(0)).map(Some)
    }

    pub fn gib(self) -> u16 {
        self.0
    }
}

fn is_chinese(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Huawei's rule for instance names and tag keys: Chinese characters, letters, digits, `_`
/// and `-`, starting with a Chinese character or a letter.
pub(super) fn follows_name_rule(s: &str) -> bool {
    s.chars().all(|c| is_chinese(c) || c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && s.chars().next().is_some_and(|c| is_chinese(c) || c.is_ascii_alphabetic())
}

/// An instance name as typed (`instance_name`): 1–128 characters of Huawei's name rule.
/// Several instances bought at once are named `NAME-0001`, `NAME-0002`, … (see
/// [`InstanceName::numbered`]), so those five characters must fit too.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceName(String);

impl InstanceName {
    pub const MAX: usize = 128;
    /// `-0001`.
    const SUFFIX: usize = 5;

    pub fn parse(s: &str) -> Result<InstanceName> {
        let s = s.trim();
        let n = s.chars().count();
        if n == 0 {
            return Err(Error::field(field::NAME, "is required"));
        }
        if n > Self::MAX {
            return Err(Error::field(field::NAME, "must be at most 128 characters"));
        }
        if !follows_name_rule(s) {
            return Err(Error::field(
                field::NAME,
                "may contain only Chinese characters, letters, digits, “_” and “-”, and must \
                 start with a Chinese character or a letter",
            ));
        }
        Ok(InstanceName(s.to_owned()))
    }

    /// Whether the numbered names of `quantity` instances still fit Huawei's limit.
    pub fn fits(&self, quantity: Quantity) -> bool {
        quantity.get() == 1 || self.0.chars().count() + Self::SUFFIX <= Self::MAX
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The names the instances get: the name itself for one, `NAME-0001`… for several (as
    /// Huawei numbers instances bought together).
    pub fn numbered(&self, quantity: Quantity) -> Vec<String> {
        if quantity.get() == 1 {
            return vec![self.0.clone()];
        }
        (1..=quantity.get()).map(|i| format!("{}-{i:04}", self.0)).collect()
    }
}

impl fmt::Display for InstanceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The instances' description: at most 1024 characters, no control characters but line
/// breaks (Huawei's console takes several lines).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PurchaseDescription(String);

impl PurchaseDescription {
    pub const MAX: usize = 1024;

    pub fn parse(s: &str) -> Result<PurchaseDescription> {
        let s = s.trim().replace("\r\n", "\n");
        if s.chars().count() > Self::MAX {
            return Err(Error::field(field::DESCRIPTION, "must be at most 1024 characters"));
        }
        if s.chars().any(|c| c.is_control() && c != '\n') {
            return Err(Error::field(
                field::DESCRIPTION,
                "must not contain control characters such as tabs",
            ));
        }
        Ok(PurchaseDescription(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchase::tests::field_of;

    #[test]
    fn quantity_and_sizes_are_whole_numbers_in_range() {
        assert_eq!(Quantity::parse("").unwrap().get(), 1);
        assert_eq!(Quantity::parse(" 200 ").unwrap().get(), 200);
        for bad in ["0", "201", "-1", "1.5", "2e2", "abc", "1000000"] {
            assert_eq!(field_of(Quantity::parse(bad).unwrap_err()), "quantity", "{bad}");
        }
        assert_eq!(ExtraSize::parse("data_disk_gib", "").unwrap(), None);
        assert_eq!(ExtraSize::parse("data_disk_gib", "10").unwrap().unwrap().gib(), 10);
        for bad in ["9", "2049", "-10", "40.5", "99999999"] {
            let e = ExtraSize::parse("backup_gib", bad).unwrap_err();
            assert_eq!(field_of(e), "backup_gib", "{bad}");
        }
    }

    #[test]
    fn names_follow_huaweis_rule_and_leave_room_for_numbers() {
        let name = InstanceName::parse(" web_01 ").unwrap();
        assert_eq!(name.as_str(), "web_01");
        assert_eq!(name.numbered(Quantity::new(2).unwrap()), ["web_01-0001", "web_01-0002"]);
        assert_eq!(InstanceName::parse("网站-一").unwrap().as_str(), "网站-一");
        for bad in ["", "1web", "-web", "web site", "web.01", "web\u{0}", &"a".repeat(129)] {
            assert_eq!(field_of(InstanceName::parse(bad).unwrap_err()), "instance_name", "{bad}");
        }
        let long = InstanceName::parse(&"a".repeat(124)).unwrap();
        assert!(long.fits(Quantity::new(1).unwrap()));
        assert!(!long.fits(Quantity::new(2).unwrap()));
        assert!(InstanceName::parse(&"a".repeat(123)).unwrap().fits(Quantity::new(200).unwrap()));
    }

    #[test]
    fn descriptions_keep_line_breaks_and_refuse_other_controls() {
        assert_eq!(PurchaseDescription::parse("a\r\nb").unwrap().as_str(), "a\nb");
        assert!(PurchaseDescription::parse("a\tb").is_err());
        assert!(PurchaseDescription::parse("\u{0}").is_err());
        assert!(PurchaseDescription::parse(&"x".repeat(1025)).is_err());
        assert!(PurchaseDescription::parse(&"字".repeat(1024)).is_ok());
    }
}
