//! Sign-in attempts being checked right now, per login and per address. The throttle adds
//! them to the recorded failures, so a burst that arrives before any failure is recorded
//! still cannot get more than the limit checked.
//!
//! In memory, so it holds for one process only; a second `serve` on the same database would
//! double what a burst can get checked (the recorded failures still stop it afterwards).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Login(String),
    Ip(IpAddr),
}

#[derive(Debug, Default)]
pub struct SignInGuard {
    in_flight: Mutex<HashMap<Key, i64>>,
}

/// Held while one attempt is checked and its failure recorded; dropping it ends the
/// reservation. Drop it only after the failure is in the security log, so that at every
/// moment the attempt is counted at least once.
#[derive(Debug)]
pub struct Reservation {
    guard: Arc<SignInGuard>,
    keys: Vec<Key>,
    /// Attempts in flight when this one was reserved, itself included: (login, address).
    pub in_flight: (i64, i64),
}

impl SignInGuard {
    pub fn reserve(self: &Arc<Self>, login: &str, ip: Option<IpAddr>) -> Reservation {
        // Logins compare as the security log stores them (trimmed, cut at 128 characters).
        let login: String = login.trim().chars().take(128).collect();
        let keys: Vec<Key> = std::iter::once(Key::Login(login)).chain(ip.map(Key::Ip)).collect();
        let mut map = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        let mut counts = keys.iter().map(|k| {
            let n = map.entry(k.clone()).or_insert(0);
            *n += 1;
            *n
        });
        let in_flight = (counts.next().unwrap_or(1), counts.next().unwrap_or(0));
        drop(map);
        Reservation { guard: self.clone(), keys, in_flight }
    }

    /// Entries currently held (for tests: all are released once requests end).
    pub fn held(&self) -> usize {
        self.in_flight.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut map = self.guard.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        for key in &self.keys {
            if let Some(n) = map.get_mut(key) {
                *n -= 1;
                if *n <= 0 {
                    map.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_count_per_login_and_address_and_release_on_drop() {
        let guard = Arc::new(SignInGuard::default());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let a = guard.reserve("alice", Some(ip));
        assert_eq!(a.in_flight, (1, 1));
        let b = guard.reserve(" alice ", None);
        assert_eq!(b.in_flight, (2, 0));
        let c = guard.reserve("bob", Some(ip));
        assert_eq!(c.in_flight, (1, 2));
        drop((a, b, c));
        assert_eq!(guard.held(), 0);
    }
}
