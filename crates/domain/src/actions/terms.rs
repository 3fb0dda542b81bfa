//! The choices a renewal or an unsubscription carries, as values that can only hold what
//! BSS accepts (reference §5: renew 1–11 months or 1–3 years; unsubscribe the whole
//! instance or only its renewal periods that have not started).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The unit of a renewal period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermUnit {
    Month,
    Year,
}

impl TermUnit {
    /// The most units one renewal may buy.
    pub fn max(self) -> u8 {
        match self {
            TermUnit::Month => 11,
            TermUnit::Year => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TermUnit::Month => "month",
            TermUnit::Year => "year",
        }
    }
}

/// How long one renewal extends an instance: 1–11 months or 1–3 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RenewTerm {
    unit: TermUnit,
    count: u8,
}

impl RenewTerm {
    pub fn new(unit: TermUnit, count: i64) -> Result<RenewTerm> {
        let max = unit.max();
        match u8::try_from(count) {
            Ok(count) if (1..=max).contains(&count) => Ok(RenewTerm { unit, count }),
            _ => Err(Error::field(
                "period_num",
                format!("must be 1 to {max} {}s, not {count}", unit.as_str()),
            )),
        }
    }

    /// Parses the form's choice, e.g. `3m` (three months) or `1y` (one year).
    pub fn parse(choice: &str) -> Result<RenewTerm> {
        let refuse = || Error::field("period", "choose 1 to 11 months or 1 to 3 years");
        let (number, unit) = match choice.trim() {
            s if s.ends_with('m') => (&s[..s.len() - 1], TermUnit::Month),
            s if s.ends_with('y') => (&s[..s.len() - 1], TermUnit::Year),
            _ => return Err(refuse()),
        };
        let count: i64 = number.parse().map_err(|_| refuse())?;
        RenewTerm::new(unit, count).map_err(|_| refuse())
    }

    /// Every choice the form offers, shortest first.
    pub fn choices() -> Vec<RenewTerm> {
        let months =
            (1..=TermUnit::Month.max()).map(|count| RenewTerm { unit: TermUnit::Month, count });
        let years =
            (1..=TermUnit::Year.max()).map(|count| RenewTerm { unit: TermUnit::Year, count });
        months.chain(years).collect()
    }

    pub fn unit(self) -> TermUnit {
        self.unit
    }

    pub fn count(self) -> u8 {
        self.count
    }

    /// The length in months (a year is twelve).
    pub fn months(self) -> u32 {
        match self.unit {
            TermUnit::Month => u32::from(self.count),
            TermUnit::Year => 12 * u32::from(self.count),
        }
    }

    /// The form's value for this choice (`3m`, `1y`), the inverse of [`RenewTerm::parse`].
    pub fn code(self) -> String {
        let unit = match self.unit {
            TermUnit::Month => 'm',
            TermUnit::Year => 'y',
        };
        format!("{}{unit}", self.count)
    }
}

impl fmt::Display for RenewTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.count == 1 { "" } else { "s" };
        write!(f, "{} {}{plural}", self.count, self.unit.as_str())
    }
}

/// What an unsubscription gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnsubscribeScope {
    /// The instance, its bundled resources and every renewal: it is released.
    Whole,
    /// Only renewal periods that have not started; the instance runs to its current end.
    Renewals,
}

impl UnsubscribeScope {
    pub fn parse(choice: &str) -> Result<UnsubscribeScope> {
        match choice.trim() {
            "whole" => Ok(UnsubscribeScope::Whole),
            "renewals" => Ok(UnsubscribeScope::Renewals),
            _ => Err(Error::field(
                "scope",
                "choose the whole instance or only the renewal periods not yet started",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UnsubscribeScope::Whole => "whole",
            UnsubscribeScope::Renewals => "renewals",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_hold_only_what_bss_accepts() {
        assert_eq!(RenewTerm::parse("3m").unwrap().months(), 3);
        assert_eq!(RenewTerm::parse("2y").unwrap().months(), 24);
        for bad in ["0m", "12m", "4y", "m", "", "1d", "-1m", "1.5m", "99999999999999999999m"] {
            assert!(RenewTerm::parse(bad).is_err(), "{bad}");
        }
        assert!(RenewTerm::new(TermUnit::Year, 3).is_ok());
        assert!(RenewTerm::new(TermUnit::Year, 4).is_err());
        let all = RenewTerm::choices();
        assert_eq!(all.len(), 14);
        assert!(all.iter().all(|t| RenewTerm::parse(&t.code()).unwrap() == *t));
        assert_eq!(RenewTerm::parse("1y").unwrap().to_string(), "1 year");
        assert_eq!(RenewTerm::parse("5m").unwrap().to_string(), "5 months");
    }

    #[test]
    fn scopes_parse_from_the_form() {
        assert_eq!(UnsubscribeScope::parse("whole").unwrap(), UnsubscribeScope::Whole);
        assert_eq!(UnsubscribeScope::parse("renewals").unwrap(), UnsubscribeScope::Renewals);
        assert!(UnsubscribeScope::parse("all").is_err());
    }
}
