//! One fetch at a time per key (a token, an account's ids), shared by every caller waiting
//! for it: its result, and also its refusal.
//!
//! Sharing the refusal matters because Huawei locks an IAM user after a few wrong passwords
//! and an access key after five bad signatures in a row. Without it, a hundred concurrent
//! calls with a wrong password would queue behind the first refused fetch and then each try
//! again, locking the account instead of costing one refusal.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Mutex, MutexGuard};

use crate::error::{ApiError, AuthError, Error};

/// The guarded value of one key plus the last refusal.
#[derive(Default)]
pub(crate) struct Flight<T> {
    /// Numbers callers in arrival order, before they queue for the lock.
    arrivals: AtomicU64,
    state: Mutex<State<T>>,
}

#[derive(Default)]
struct State<T> {
    value: T,
    refusal: Option<Refusal>,
}

struct Refusal {
    /// Callers numbered below this were already waiting when the refusal came back.
    before: u64,
    error: Box<ApiError>,
}

/// A caller's exclusive turn at the key.
pub(crate) struct Turn<'a, T> {
    ticket: u64,
    arrivals: &'a AtomicU64,
    state: MutexGuard<'a, State<T>>,
}

impl<T> Flight<T> {
    pub(crate) async fn turn(&self) -> Turn<'_, T> {
        let ticket = self.arrivals.fetch_add(1, Ordering::SeqCst);
        let state = self.state.lock().await;
        Turn { ticket, arrivals: &self.arrivals, state }
    }
}

impl<T> Turn<'_, T> {
    /// The refusal of a fetch that was already under way when this caller arrived: that
    /// is this caller's answer too. Callers arriving later try again.
    pub(crate) fn shared_refusal(&self) -> Option<Error> {
        let refusal = self.state.refusal.as_ref()?;
        (self.ticket < refusal.before)
            .then(|| Error::Auth(AuthError::Rejected(refusal.error.clone())))
    }

    /// Records how this caller's fetch ended, for those queued behind it. Only a refusal
    /// is shared: a network failure says nothing about the credentials.
    pub(crate) fn record<R>(&mut self, result: &Result<R, Error>) {
        match result {
            Err(Error::Auth(AuthError::Rejected(api))) => {
                let before = self.arrivals.load(Ordering::SeqCst);
                self.state.refusal = Some(Refusal { before, error: api.clone() });
            }
            Ok(_) => self.state.refusal = None,
            Err(_) => {}
        }
    }
}

impl<T> Deref for Turn<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.state.value
    }
}

impl<T> DerefMut for Turn<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.state.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::Service;

    fn refused() -> Result<(), Error> {
        let api = ApiError::from_response(Service::Iam, "create_token", 401, None, b"");
        Err(Error::Auth(AuthError::Rejected(Box::new(api))))
    }

    #[tokio::test]
    async fn only_callers_waiting_during_a_refusal_share_it() {
        let flight: Flight<u32> = Flight::default();
        let mut first = flight.turn().await;
        // Arrives while `first` holds the turn.
        let waiting = flight.turn();
        let mut waiting = std::pin::pin!(waiting);
        assert!(futures_util::poll!(waiting.as_mut()).is_pending());
        first.record(&refused());
        *first += 1;
        drop(first);

        let waited = waiting.await;
        assert!(matches!(waited.shared_refusal(), Some(Error::Auth(AuthError::Rejected(_)))));
        assert_eq!(*waited, 1);
        drop(waited);

        let mut later = flight.turn().await;
        assert!(later.shared_refusal().is_none(), "a newcomer tries again");
        later.record(&Ok::<(), Error>(()));
        drop(later);
        assert!(flight.turn().await.shared_refusal().is_none());
    }

    #[tokio::test]
    async fn network_failures_are_not_shared() {
        let flight: Flight<()> = Flight::default();
        let mut first = flight.turn().await;
        let waiting = flight.turn();
        let mut waiting = std::pin::pin!(waiting);
        assert!(futures_util::poll!(waiting.as_mut()).is_pending());
        first.record(&Err::<(), _>(Error::Timeout { service: Service::Iam, operation: "x" }));
        drop(first);
        assert!(waiting.await.shared_refusal().is_none());
    }
}
