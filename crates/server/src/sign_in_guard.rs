//! Sign-in attempts being checked right now, under the same keys as the throttle's counts
//! (`routes::auth`): per device for a browser with a valid device cookie; per login, per
//! address and per (login, address) for the others. The throttle adds them to the recorded
//! failures, so a burst that arrives before any failure is recorded still cannot get more
//! than the limit checked.
//!
//! In memory, so it holds for one process only; a second `serve` on the same database would
//! double what a burst can get checked (the recorded failures still stop it afterwards).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// Attempts for the login without a device cookie.
    Login(String),
    Ip(IpAddr),
    LoginFrom(String, IpAddr),
    Device(String),
}

/// Attempts in flight under each key of one reservation, itself included (0 for a key the
/// attempt does not have).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InFlight {
    pub login: i64,
    pub ip: i64,
    pub login_ip: i64,
    pub device: i64,
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
    /// Attempts in flight when this one was reserved, itself included.
    pub in_flight: InFlight,
}

impl SignInGuard {
    /// Reserves an attempt for `login` from `ip`; with `device` (the id of a valid device
    /// cookie for the login) it counts for that device only, as the throttle does.
    pub fn reserve(
        self: &Arc<Self>,
        login: &str,
        ip: Option<IpAddr>,
        device: Option<&str>,
    ) -> Reservation {
        // Logins compare as the security log stores them (trimmed, cut at 128 characters).
        let login: String = login.trim().chars().take(128).collect();
        let keys: Vec<Key> = match device {
            Some(device) => vec![Key::Device(device.to_owned())],
            None => std::iter::once(Key::Login(login.clone()))
                .chain(ip.map(Key::Ip))
                .chain(ip.map(|ip| Key::LoginFrom(login, ip)))
                .collect(),
        };
        let mut map = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        let mut in_flight = InFlight::default();
        for key in &keys {
            let n = map.entry(key.clone()).or_insert(0);
            *n += 1;
            let slot = match key {
                Key::Login(_) => &mut in_flight.login,
                Key::Ip(_) => &mut in_flight.ip,
                Key::LoginFrom(..) => &mut in_flight.login_ip,
                Key::Device(_) => &mut in_flight.device,
            };
            *slot = *n;
        }
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
    fn reservations_count_per_key_and_release_on_drop() {
        let guard = Arc::new(SignInGuard::default());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let at = |login, ip, login_ip, device| InFlight { login, ip, login_ip, device };
        let a = guard.reserve("alice", Some(ip), None);
        assert_eq!(a.in_flight, at(1, 1, 1, 0));
        let b = guard.reserve(" alice ", None, None);
        assert_eq!(b.in_flight, at(2, 0, 0, 0));
        let c = guard.reserve("bob", Some(ip), None);
        assert_eq!(c.in_flight, at(1, 2, 1, 0));
        let d = guard.reserve("alice", Some(ip), Some("dev1"));
        assert_eq!(d.in_flight, at(0, 0, 0, 1), "a trusted device counts for itself only");
        let e = guard.reserve("alice", Some(ip), None);
        assert_eq!(e.in_flight, at(3, 3, 2, 0));
        drop((a, b, c, d, e));
        assert_eq!(guard.held(), 0);
    }
}
