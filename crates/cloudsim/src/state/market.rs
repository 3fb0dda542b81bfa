//! What a purchase can run into besides a bad request: the account's balance (auto-pay
//! takes the order's amount from it, or fails), specs sold out in a region, and an instance
//! quota per account. All settable under `/_sim/`, so tests and the demo can produce
//! `CBC.30050006`, `HCSS.14000010` and `HCSS.14000011` on purpose.
//!
//! Prices are the simulator's own (the reference has none): per instance and month, the
//! spec's [`super::orders::monthly_price`] plus its extras at [`EVS_PER_GIB_MONTH`],
//! [`CBR_PER_GIB_MONTH`] and [`HSS_PER_MONTH`]; a year is twelve months.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Every account starts with this balance (yuan): enough that nothing fails for want of
/// money unless a test or the demo lowers it.
pub const DEFAULT_BALANCE: f64 = 100_000.0;
/// A data disk (`evs`), per GiB and month.
pub const EVS_PER_GIB_MONTH: f64 = 0.35;
/// A backup vault (`cbr`), per GiB and month.
pub const CBR_PER_GIB_MONTH: f64 = 0.2;
/// Host security (`hss`), per instance and month.
pub const HSS_PER_MONTH: f64 = 15.0;

/// An extra resource bought with an instance: a data disk, a backup vault or host security.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extra {
    /// `evs`, `cbr` or `hss`.
    pub kind: String,
    /// GiB for `evs` and `cbr`.
    pub size_gib: Option<u32>,
    /// UUID of the sub-resource RMS lists.
    pub id: String,
}

impl Extra {
    pub fn monthly_price(&self) -> f64 {
        let gib = f64::from(self.size_gib.unwrap_or(0));
        match self.kind.as_str() {
            "evs" => gib * EVS_PER_GIB_MONTH,
            "cbr" => gib * CBR_PER_GIB_MONTH,
            "hss" => HSS_PER_MONTH,
            _ => 0.0,
        }
    }
}

/// Rounds an amount to fen, as BSS reports amounts.
pub fn round_yuan(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// Balances, stock and quotas; in snapshots (they describe the cloud).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Market {
    /// Account index → balance in yuan; absent means [`DEFAULT_BALANCE`].
    #[serde(default)]
    balances: BTreeMap<usize, f64>,
    /// Region id → spec codes sold out there.
    #[serde(default)]
    sold_out: BTreeMap<String, BTreeSet<String>>,
    /// Account index → most instances it may hold (live ones plus those in open purchase
    /// orders); absent means no limit.
    #[serde(default)]
    quotas: BTreeMap<usize, usize>,
}

impl Market {
    pub fn balance(&self, account: usize) -> f64 {
        self.balances.get(&account).copied().unwrap_or(DEFAULT_BALANCE)
    }

    pub fn set_balance(&mut self, account: usize, balance: f64) {
        self.balances.insert(account, round_yuan(balance));
    }

    /// Takes `amount` if the balance covers it; false (and nothing taken) otherwise.
    pub fn charge(&mut self, account: usize, amount: f64) -> bool {
        let balance = self.balance(account);
        if balance + 1e-9 < amount {
            return false;
        }
        self.set_balance(account, balance - amount);
        true
    }

    pub fn is_sold_out(&self, region: &str, spec: &str) -> bool {
        self.sold_out.get(region).is_some_and(|s| s.contains(spec))
    }

    /// Replaces the sold-out specs of `region` (empty: everything in stock again).
    pub fn set_sold_out(&mut self, region: &str, specs: impl IntoIterator<Item = String>) {
        let specs: BTreeSet<String> = specs.into_iter().collect();
        if specs.is_empty() {
            self.sold_out.remove(region);
        } else {
            self.sold_out.insert(region.to_owned(), specs);
        }
    }

    pub fn sold_out(&self) -> &BTreeMap<String, BTreeSet<String>> {
        &self.sold_out
    }

    pub fn quota(&self, account: usize) -> Option<usize> {
        self.quotas.get(&account).copied()
    }

    /// `None` lifts the limit.
    pub fn set_quota(&mut self, account: usize, quota: Option<usize>) {
        match quota {
            Some(q) => self.quotas.insert(account, q),
            None => self.quotas.remove(&account),
        };
    }
}
