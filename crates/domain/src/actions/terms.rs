//! The choices a renewal, a purchase or an unsubscription carries, as values that can only
//! hold what BSS and HCSS accept (reference §5: renew 1–11 months or 1–3 years, buy 1–9
//! months or 1–3 years; unsubscribe the whole instance or only its renewal periods that
//! have not started).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The unit of a renewal or purchase period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermUnit {
    Month,
    Year,
}

impl TermUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            TermUnit::Month => "month",
            TermUnit::Year => "year",
        }
    }
}

/// A period BSS sells: 1 to `MONTHS` months or 1 to 3 years. Renewals and purchases
/// differ only in how many months one may buy, so they are one type with two limits:
/// [`RenewTerm`] and [`PurchaseTerm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Term<const MONTHS: u8> {
    unit: TermUnit,
    count: u8,
}

/// How long one renewal extends an instance: 1–11 months or 1–3 years.
pub type RenewTerm = Term<11>;

/// How long a purchase buys: 1–9 months or 1–3 years (HCSS `period_type`, `period_num`).
pub type PurchaseTerm = Term<9>;

impl<const MONTHS: u8> Term<MONTHS> {
    const YEARS: u8 = 3;

    /// The most units of `unit` one term may hold.
    pub fn max(unit: TermUnit) -> u8 {
        match unit {
            TermUnit::Month => MONTHS,
            TermUnit::Year => Self::YEARS,
        }
    }

    fn refusal() -> Error {
        Error::field("period", format!("choose 1 to {MONTHS} months or 1 to 3 years"))
    }

    pub fn new(unit: TermUnit, count: i64) -> Result<Self> {
        match u8::try_from(count) {
            Ok(count) if (1..=Self::max(unit)).contains(&count) => Ok(Term { unit, count }),
            _ => Err(Self::refusal()),
        }
    }

    /// Parses the form's choice, e.g. `3m` (three months) or `1y` (one year).
    pub fn parse(choice: &str) -> Result<Self> {
        let s = choice.trim();
        let (number, unit) = if let Some(n) = s.strip_suffix('m') {
            (n, TermUnit::Month)
        } else if let Some(n) = s.strip_suffix('y') {
            (n, TermUnit::Year)
        } else {
            return Err(Self::refusal());
        };
        // Digits only: "+3m" or "3 m" are not choices the forms offer.
        if number.is_empty() || number.len() > 2 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Self::refusal());
        }
        Self::new(unit, number.parse().unwrap_or(0))
    }

    /// Every choice a form offers, shortest first.
    pub fn choices() -> Vec<Self> {
        let months = (1..=MONTHS).map(|count| Term { unit: TermUnit::Month, count });
        let years = (1..=Self::YEARS).map(|count| Term { unit: TermUnit::Year, count });
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

    /// The form's value for this choice (`3m`, `1y`), the inverse of [`Term::parse`].
    pub fn code(self) -> String {
        let unit = match self.unit {
            TermUnit::Month => 'm',
            TermUnit::Year => 'y',
        };
        format!("{}{unit}", self.count)
    }
}

impl<const MONTHS: u8> fmt::Display for Term<MONTHS> {
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
        // A purchase buys at most nine months.
        assert!(PurchaseTerm::parse("9m").is_ok() && PurchaseTerm::parse("10m").is_err());
        assert_eq!(PurchaseTerm::choices().len(), 12);
    }

    #[test]
    fn scopes_parse_from_the_form() {
        assert_eq!(UnsubscribeScope::parse("whole").unwrap(), UnsubscribeScope::Whole);
        assert_eq!(UnsubscribeScope::parse("renewals").unwrap(), UnsubscribeScope::Renewals);
        assert!(UnsubscribeScope::parse("all").is_err());
    }
}
