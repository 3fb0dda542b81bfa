//! Injected faults: per Huawei operation, with a probability, drawn from a seeded RNG so a
//! run with the same seed and the same request sequence fails the same requests.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer normally, but this many milliseconds late.
    Latency { ms: u64 },
    /// 429 with the gateway's `APIG.0308` throttling body (any service: the gateway
    /// throttles before the request reaches it).
    Throttle,
    /// 429 from the service itself, with its own code where it documents one: HCSS
    /// (`PurchaseLightInstances`) answers `HCSS.14290001` in its own body (SEED); services
    /// without a documented throttling code answer as [`FaultKind::Throttle`].
    ServiceThrottle,
    /// 500 in the service's own error shape.
    ServerError,
    /// Close the connection without sending any response.
    Drop,
    /// Send nothing until the client gives up (or the simulator shuts down).
    Hang,
    /// Carry the request out (the purchase's order is created, the reboot's job started),
    /// then close the connection without answering: the case where the cloud acted and the
    /// caller cannot know it.
    DropAfter,
    /// Carry the request out, then send nothing until the client gives up.
    HangAfter,
}

impl FaultKind {
    /// Whether the operation runs before the fault strikes.
    pub fn after_handler(&self) -> bool {
        matches!(self, FaultKind::DropAfter | FaultKind::HangAfter)
    }
}

/// One fault: `operation` is a Huawei operation name (`ShowServer`, `BatchRebootServers`,
/// `ListAllResources`, …) or `*` for every operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    pub operation: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// 0.0–1.0.
    pub probability: f64,
}

/// A `--fault` argument that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "fault “{spec}”: {reason} (expected OPERATION:KIND:PROBABILITY, KIND one of 429, 429svc, 500, drop, hang, drop_after, hang_after, latency=MS; e.g. ShowServer:429:0.5)"
)]
pub struct BadFault {
    pub spec: String,
    pub reason: String,
}

impl FromStr for FaultRule {
    type Err = BadFault;

    fn from_str(s: &str) -> Result<Self, BadFault> {
        let bad = |reason: &str| BadFault { spec: s.to_owned(), reason: reason.to_owned() };
        let mut parts = s.split(':');
        let (Some(op), Some(kind), prob, None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("wrong number of ':'-separated parts"));
        };
        if op.is_empty() || !(op == "*" || op.chars().all(|c| c.is_ascii_alphanumeric())) {
            return Err(bad("operation must be a Huawei operation name or *"));
        }
        let kind = match kind.to_ascii_lowercase().as_str() {
            "429" | "throttle" => FaultKind::Throttle,
            "429svc" | "service_throttle" => FaultKind::ServiceThrottle,
            "500" | "error" => FaultKind::ServerError,
            "drop" => FaultKind::Drop,
            "hang" => FaultKind::Hang,
            "drop_after" | "drop-after" => FaultKind::DropAfter,
            "hang_after" | "hang-after" => FaultKind::HangAfter,
            other => match other.strip_prefix("latency=") {
                Some(ms) => FaultKind::Latency {
                    ms: ms.parse().map_err(|_| bad("latency must be whole milliseconds"))?,
                },
                None => return Err(bad("unknown kind")),
            },
        };
        let probability = match prob {
            None => 1.0,
            Some(p) => p.parse::<f64>().map_err(|_| bad("probability is not a number"))?,
        };
        if !(0.0..=1.0).contains(&probability) {
            return Err(bad("probability must be between 0 and 1"));
        }
        Ok(FaultRule { operation: op.to_owned(), kind, probability })
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            FaultKind::Latency { ms } => format!("latency={ms}"),
            FaultKind::Throttle => "429".to_owned(),
            FaultKind::ServiceThrottle => "429svc".to_owned(),
            FaultKind::ServerError => "500".to_owned(),
            FaultKind::Drop => "drop".to_owned(),
            FaultKind::Hang => "hang".to_owned(),
            FaultKind::DropAfter => "drop_after".to_owned(),
            FaultKind::HangAfter => "hang_after".to_owned(),
        };
        write!(f, "{}:{kind}:{}", self.operation, self.probability)
    }
}

/// What to do to one request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub latency_ms: u64,
    /// Throttle, ServiceThrottle, ServerError, Drop, Hang, DropAfter or HangAfter; the first
    /// rule that fired wins.
    pub outcome: Option<FaultKind>,
}

struct Inner {
    rules: Vec<FaultRule>,
    rng: StdRng,
}

/// The live fault table, shared by the server and its [`crate::Handle`].
#[derive(Clone)]
pub struct Faults {
    inner: Arc<Mutex<Inner>>,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Faults").field("rules", &self.rules()).finish()
    }
}

impl Faults {
    pub fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Faults { inner: Arc::new(Mutex::new(Inner { rules, rng: StdRng::seed_from_u64(seed) })) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn add(&self, rule: FaultRule) {
        self.lock().rules.push(rule);
    }

    /// Removes every rule (and keeps the RNG where it is).
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    pub fn rules(&self) -> Vec<FaultRule> {
        self.lock().rules.clone()
    }

    /// Restarts the fault RNG, so the next requests replay the same draws.
    pub fn reseed(&self, seed: u64) {
        self.lock().rng = StdRng::seed_from_u64(seed);
    }

    /// Draws once for every rule matching `operation`, in order (so the sequence of draws
    /// depends only on the rules and the requests, never on timing).
    pub(crate) fn decide(&self, operation: &str) -> Decision {
        let mut inner = self.lock();
        let Inner { rules, rng } = &mut *inner;
        let mut d = Decision::default();
        for rule in rules.iter().filter(|r| matches(&r.operation, operation)) {
            let fired = rng.random::<f64>() < rule.probability;
            if !fired {
                continue;
            }
            match &rule.kind {
                FaultKind::Latency { ms } => d.latency_ms = d.latency_ms.saturating_add(*ms),
                other if d.outcome.is_none() => d.outcome = Some(other.clone()),
                _ => {}
            }
        }
        d
    }
}

/// Whether a rule's operation names `operation`. `CreateLightInstances` is accepted for the
/// purchase too: the seed documents no official operation name for it, and both names are
/// in use (cloudsim's log says `PurchaseLightInstances`).
fn matches(rule: &str, operation: &str) -> bool {
    rule == "*"
        || rule == operation
        || (rule == "CreateLightInstances" && operation == "PurchaseLightInstances")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_command_line_forms() {
        let r: FaultRule = "ShowServer:429:0.5".parse().unwrap();
        assert_eq!(r.kind, FaultKind::Throttle);
        assert_eq!(r.probability, 0.5);
        let r: FaultRule = "*:latency=250".parse().unwrap();
        assert_eq!(r.kind, FaultKind::Latency { ms: 250 });
        assert_eq!(r.to_string(), "*:latency=250:1");
        let r: FaultRule = "PurchaseLightInstances:429svc:1".parse().unwrap();
        assert_eq!(r.kind, FaultKind::ServiceThrottle);
        assert_eq!(r.to_string(), "PurchaseLightInstances:429svc:1");
        let r: FaultRule = "PurchaseLightInstances:drop_after".parse().unwrap();
        assert_eq!(r.kind, FaultKind::DropAfter);
        assert!(r.kind.after_handler());
        assert_eq!(r.to_string(), "PurchaseLightInstances:drop_after:1");
        let r: FaultRule = "PurchaseLightInstances:hang-after:1".parse().unwrap();
        assert_eq!(r.kind, FaultKind::HangAfter);
        assert!(!FaultKind::Drop.after_handler());
        assert!("ShowServer:teapot:1".parse::<FaultRule>().is_err());
        assert!("ShowServer:500:1.5".parse::<FaultRule>().is_err());
        assert!("Show/Server:500:1".parse::<FaultRule>().is_err());
    }

    #[test]
    fn same_seed_same_draws() {
        let rule: FaultRule = "ShowServer:500:0.5".parse().unwrap();
        let draw = |f: &Faults| {
            (0..64).map(|_| f.decide("ShowServer").outcome.is_some()).collect::<Vec<_>>()
        };
        let a = Faults::new(vec![rule.clone()], 7);
        let b = Faults::new(vec![rule], 7);
        let first = draw(&a);
        assert_eq!(first, draw(&b));
        assert!(first.iter().any(|x| *x) && first.iter().any(|x| !*x));
        assert_eq!(a.decide("ShowJob"), Decision::default());
        let alias = Faults::new(vec!["CreateLightInstances:drop_after:1".parse().unwrap()], 7);
        assert_eq!(alias.decide("PurchaseLightInstances").outcome, Some(FaultKind::DropAfter));
    }
}
