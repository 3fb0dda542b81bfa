//! When to send a request again, and how long to wait first.
//!
//! Only calls that are safe to repeat are retried after an ambiguous failure: reads and
//! power actions (starting a running server changes nothing). Purchase, renew, unsubscribe
//! and reset-password are retried only when nothing can have been processed: throttling
//! (429) and failure to connect. The purchase is among them because nothing documents that
//! Huawei deduplicates it by `Client-Request-Id`; a repeat could buy twice.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

use crate::error::Error;

/// Bounded exponential backoff with full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Upper bound of the first wait; doubles per attempt.
    pub base_delay: Duration,
    /// No single wait is longer than this, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// The wait before attempt `attempt + 1`, `attempt` counting from 1: uniformly random
    /// in `0..=min(max_delay, base_delay * 2^(attempt-1))`, or the server's `Retry-After`
    /// capped by `max_delay`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_delay);
        }
        let factor = 1u32.checked_shl(attempt.saturating_sub(1).min(30)).unwrap_or(u32::MAX);
        let ceiling = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }
}

/// Whether an operation may be sent again after an ambiguous failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads, power actions.
    Safe,
    /// Purchase, renew, unsubscribe, reset password: ambiguous failures end as
    /// outcome-unknown.
    OnlyIfNotProcessed,
}

/// What to do after a failed attempt.
#[derive(Debug)]
pub(crate) enum Decision {
    RetryAfter(Duration),
    Fail(Error),
}

/// Decides on a failed attempt. `attempt` counts from 1; `retry_after` is the parsed header.
pub(crate) fn decide(
    policy: &RetryPolicy,
    repeat: Repeat,
    attempt: u32,
    error: Error,
    retry_after: Option<Duration>,
) -> Decision {
    let not_processed = match &error {
        Error::Connect { .. } => true,
        Error::Api(e) => e.status == 429,
        _ => false,
    };
    let ambiguous = !not_processed && error.is_retryable();
    if ambiguous && repeat == Repeat::OnlyIfNotProcessed {
        return Decision::Fail(outcome_unknown(error));
    }
    if (not_processed || ambiguous) && attempt < policy.max_attempts {
        return Decision::RetryAfter(policy.delay(attempt, retry_after));
    }
    Decision::Fail(error)
}

fn outcome_unknown(error: Error) -> Error {
    let (service, operation) = match &error {
        Error::Transport { service, operation, .. } | Error::Timeout { service, operation } => {
            (*service, *operation)
        }
        Error::Api(e) => (e.service, e.operation),
        _ => return error,
    };
    Error::OutcomeUnknown { service, operation, cause: Box::new(error) }
}

/// Parses `Retry-After` given in seconds (the HTTP-date form is not used by Huawei).
pub(crate) fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// How the client waits between attempts; tests install one that returns at once.
pub type SleepFn = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The real wait: `tokio::time::sleep`.
pub fn tokio_sleep() -> SleepFn {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::Service;
    use crate::error::ApiError;

    fn api(status: u16) -> Error {
        Error::Api(Box::new(ApiError::from_response(Service::Bss, "renew", status, None, b"")))
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }

    #[test]
    fn delays_grow_and_stay_bounded() {
        let p = policy();
        for attempt in 1..40 {
            let cap = Duration::from_millis(100 * 2u64.pow((attempt - 1).min(20))).min(p.max_delay);
            assert!(p.delay(attempt, None) <= cap);
        }
        assert_eq!(p.delay(1, Some(Duration::from_secs(1))), Duration::from_secs(1));
        assert_eq!(p.delay(1, Some(Duration::from_secs(60))), Duration::from_secs(2));
    }

    #[test]
    fn unsafe_writes_are_not_repeated_after_ambiguous_failures() {
        let d = decide(&policy(), Repeat::OnlyIfNotProcessed, 1, api(500), None);
        assert!(matches!(d, Decision::Fail(Error::OutcomeUnknown { .. })));
        let d = decide(&policy(), Repeat::OnlyIfNotProcessed, 1, api(429), None);
        assert!(matches!(d, Decision::RetryAfter(_)));
        let timeout = Error::Timeout { service: Service::Bss, operation: "renew" };
        let d = decide(&policy(), Repeat::OnlyIfNotProcessed, 1, timeout, None);
        assert!(matches!(d, Decision::Fail(Error::OutcomeUnknown { .. })));
    }

    #[test]
    fn safe_calls_retry_until_the_budget_is_spent() {
        assert!(matches!(
            decide(&policy(), Repeat::Safe, 2, api(503), None),
            Decision::RetryAfter(_)
        ));
        assert!(matches!(
            decide(&policy(), Repeat::Safe, 3, api(503), None),
            Decision::Fail(Error::Api(_))
        ));
        assert!(matches!(
            decide(&policy(), Repeat::Safe, 1, api(400), None),
            Decision::Fail(Error::Api(_))
        ));
    }

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after(Some(" 7 ")), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(parse_retry_after(None), None);
    }
}
