//! The simulator's notion of "now". Every time-dependent behaviour (job and order progress,
//! token expiry, `X-Sdk-Date` skew, traffic use, AK lockout) reads this clock when a request
//! arrives, so a test that advances a manual clock sees the world move without sleeping.

use std::sync::{Arc, Mutex, PoisonError};

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// The span a manual clock stays within, so that every later computation (token expiry,
/// renewals by years, four-digit timestamps) stays representable instead of overflowing.
pub const EARLIEST: OffsetDateTime = datetime!(2000-01-01 0:00 UTC);
pub const LATEST: OffsetDateTime = datetime!(2999-12-31 0:00 UTC);

/// Either the system clock or a manual clock that only moves when told to.
#[derive(Clone, Debug)]
pub struct Clock {
    manual: Option<Arc<Mutex<OffsetDateTime>>>,
}

impl Clock {
    /// Follows the system clock (UTC).
    pub fn system() -> Self {
        Clock { manual: None }
    }

    /// Starts at `start` (kept within [`EARLIEST`]..=[`LATEST`]) and stands still until
    /// [`Clock::advance`] or [`Clock::set`].
    pub fn manual(start: OffsetDateTime) -> Self {
        Clock { manual: Some(Arc::new(Mutex::new(start.clamp(EARLIEST, LATEST)))) }
    }

    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// The current time, truncated to milliseconds (what Huawei timestamps carry).
    pub fn now(&self) -> OffsetDateTime {
        let t = match &self.manual {
            Some(m) => *m.lock().unwrap_or_else(PoisonError::into_inner),
            None => OffsetDateTime::now_utc(),
        };
        t.replace_nanosecond(t.millisecond() as u32 * 1_000_000).unwrap_or(t)
    }

    /// Moves a manual clock forward (a negative duration moves it back), stopping at
    /// [`EARLIEST`] or [`LATEST`]. Returns `false` and does nothing on a system clock.
    pub fn advance(&self, by: Duration) -> bool {
        match &self.manual {
            Some(m) => {
                let mut t = m.lock().unwrap_or_else(PoisonError::into_inner);
                *t = t.saturating_add(by).clamp(EARLIEST, LATEST);
                true
            }
            None => false,
        }
    }

    /// Sets a manual clock (kept within [`EARLIEST`]..=[`LATEST`]). Returns `false` and
    /// does nothing on a system clock.
    pub fn set(&self, to: OffsetDateTime) -> bool {
        match &self.manual {
            Some(m) => {
                *m.lock().unwrap_or_else(PoisonError::into_inner) = to.clamp(EARLIEST, LATEST);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = Clock::manual(datetime!(2025-01-01 0:00 UTC));
        assert_eq!(c.now(), datetime!(2025-01-01 0:00 UTC));
        assert!(c.advance(Duration::seconds(90)));
        assert_eq!(c.now(), datetime!(2025-01-01 0:01:30 UTC));
        assert!(!Clock::system().advance(Duration::seconds(1)));
    }

    #[test]
    fn manual_clock_stays_in_range() {
        let c = Clock::manual(datetime!(2025-01-01 0:00 UTC));
        c.advance(Duration::MAX);
        assert_eq!(c.now(), LATEST);
        c.advance(Duration::MIN);
        assert_eq!(c.now(), EARLIEST);
        c.set(datetime!(1900-01-01 0:00 UTC));
        assert_eq!(c.now(), EARLIEST);
    }
}
