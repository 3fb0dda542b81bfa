//! How many refused requests of one address reach the security log. Every refusal is
//! counted in the metrics (`lightdeck_requests_refused_total`, by reason), but a script
//! hammering a forbidden URL must not grow the table without bound: per address, at most
//! [`PER_WINDOW`] rows per [`WINDOW`]; the rest are counted as `dropped` and the first
//! dropped one of a window is logged once, so the flood itself is visible.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

pub const REFUSED: &str = "lightdeck_requests_refused_total";
pub const PER_WINDOW: u32 = 30;
pub const WINDOW: Duration = Duration::minutes(1);
/// Addresses remembered at most; beyond it the oldest windows are forgotten first.
const MAX_ADDRESSES: usize = 10_000;

/// Whether this refusal is written to the security log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    Write,
    /// Over the limit: the first of the window (worth one warning line).
    DropFirst,
    Drop,
}

#[derive(Debug, Default)]
pub struct DenialLog {
    windows: Mutex<HashMap<Option<IpAddr>, (OffsetDateTime, u32)>>,
}

impl DenialLog {
    pub fn admit(&self, ip: Option<IpAddr>, now: OffsetDateTime) -> Admit {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_ADDRESSES && !windows.contains_key(&ip) {
            windows.retain(|_, (start, _)| now - *start < WINDOW);
            if windows.len() >= MAX_ADDRESSES {
                // Every address is busy in this window: refuse to grow, write nothing new.
                return Admit::Drop;
            }
        }
        let entry = windows.entry(ip).or_insert((now, 0));
        if now - entry.0 >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        match entry.1 {
            n if n <= PER_WINDOW => Admit::Write,
            n if n == PER_WINDOW + 1 => Admit::DropFirst,
            _ => Admit::Drop,
        }
    }
}

/// Counts one refused request (`reason`: a short fixed word, never request data).
pub fn count(reason: &'static str, written: bool) {
    let logged = if written { "written" } else { "dropped" };
    metrics::counter!(REFUSED, "reason" => reason, "security_log" => logged).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_rows_per_window_and_others_are_not_affected() {
        let log = DenialLog::default();
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let a = Some("192.0.2.1".parse().unwrap());
        let b = Some("192.0.2.2".parse().unwrap());
        for _ in 0..PER_WINDOW {
            assert_eq!(log.admit(a, t0), Admit::Write);
        }
        assert_eq!(log.admit(a, t0), Admit::DropFirst);
        assert_eq!(log.admit(a, t0 + Duration::seconds(30)), Admit::Drop);
        assert_eq!(log.admit(b, t0), Admit::Write);
        assert_eq!(log.admit(a, t0 + WINDOW), Admit::Write, "a new window");
    }
}
