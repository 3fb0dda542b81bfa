//! A bound on concurrent argon2 work. Each check holds 19 MiB for tens of milliseconds, so
//! without a bound a burst of sign-ins can exhaust a 2 GB server's memory; with one, memory
//! is at most `permits × 19 MiB` and the excess either waits briefly or is refused at once.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Error, Result};

/// Cheap to clone; clones share the permits and the counters.
#[derive(Clone, Debug)]
pub struct PasswordGate(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    semaphore: Arc<Semaphore>,
    permits: usize,
    queue: usize,
    waiting: AtomicUsize,
    running: AtomicUsize,
    max_running: AtomicUsize,
    checks: AtomicU64,
    refused: AtomicU64,
}

/// What the gate has done so far (for tests and benchmarks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateStats {
    pub permits: usize,
    pub queue: usize,
    /// argon2 computations started.
    pub checks: u64,
    /// The most that ever ran at the same time.
    pub max_concurrent: usize,
    /// Refused because the queue was full.
    pub refused: u64,
}

/// The gate's queue was full; the caller should tell the person to try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl PasswordGate {
    /// `permits` computations at once (at least 1), and up to `queue` callers waiting.
    pub fn new(permits: usize, queue: usize) -> PasswordGate {
        let permits = permits.max(1);
        PasswordGate(Arc::new(Inner {
            semaphore: Arc::new(Semaphore::new(permits)),
            permits,
            queue,
            waiting: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
            checks: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }))
    }

    /// One permit per core: more would only queue inside the blocking pool while holding
    /// memory. Twice that may wait, which absorbs a few people signing in at once.
    pub fn for_this_machine() -> PasswordGate {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        PasswordGate::new(cores, 2 * cores)
    }

    /// The process-wide gate: password hashing (CLI, password changes) and the app's
    /// sign-in checks share it so that together they stay within the bound.
    pub fn global() -> &'static PasswordGate {
        static GLOBAL: OnceLock<PasswordGate> = OnceLock::new();
        GLOBAL.get_or_init(PasswordGate::for_this_machine)
    }

    pub fn stats(&self) -> GateStats {
        let i = &self.0;
        GateStats {
            permits: i.permits,
            queue: i.queue,
            checks: i.checks.load(Ordering::Relaxed),
            max_concurrent: i.max_running.load(Ordering::Relaxed),
            refused: i.refused.load(Ordering::Relaxed),
        }
    }

    /// Runs `work` on a blocking thread once a permit is free, or refuses with [`Busy`] at
    /// once when the queue is full. For sign-in checks, which strangers can trigger.
    pub async fn run_or_refuse<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<std::result::Result<T, Busy>> {
        let permit = match self.0.semaphore.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let queued =
                    self.0.waiting.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                        (n < self.0.queue).then_some(n + 1)
                    });
                if queued.is_err() {
                    self.0.refused.fetch_add(1, Ordering::Relaxed);
                    return Ok(Err(Busy));
                }
                let _leave = Leave(&self.0.waiting);
                self.acquire().await?
            }
        };
        self.spawn(permit, work).await.map(Ok)
    }

    /// Like [`Self::run_or_refuse`] but waits however long it takes: for hashing a new
    /// password, which only signed-in users and the operator can ask for.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let permit = self.acquire().await?;
        self.spawn(permit, work).await
    }

    async fn acquire(&self) -> Result<OwnedSemaphorePermit> {
        self.0
            .semaphore
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Crypto("the password checker is shut down".into()))
    }

    async fn spawn<T: Send + 'static>(
        &self,
        permit: OwnedSemaphorePermit,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let inner = self.0.clone();
        inner.checks.fetch_add(1, Ordering::Relaxed);
        let now = inner.running.fetch_add(1, Ordering::AcqRel) + 1;
        inner.max_running.fetch_max(now, Ordering::AcqRel);
        // The permit moves into the blocking task: if the request is dropped meanwhile, the
        // computation still finishes (it cannot be stopped) and still counts against the bound.
        tokio::task::spawn_blocking(move || {
            let out = work();
            inner.running.fetch_sub(1, Ordering::AcqRel);
            drop(permit);
            out
        })
        .await
        .map_err(|e| Error::Crypto(format!("password check stopped: {e}")))
    }
}

/// Leaves the queue however the wait ends (including the caller being dropped).
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_permits_run_and_the_queue_overflow_is_refused() {
        let gate = PasswordGate::new(2, 3);
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let gate = gate.clone();
                tokio::spawn(async move {
                    gate.run_or_refuse(|| std::thread::sleep(std::time::Duration::from_millis(200)))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut done = 0;
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => done += 1,
                Err(Busy) => busy += 1,
            }
        }
        let stats = gate.stats();
        assert_eq!(done + busy, 20);
        assert!(done >= 2 && busy >= 10, "2 running + 3 queued at first, the rest refused: {done}");
        assert_eq!(stats.checks, done);
        assert_eq!(stats.refused, busy);
        assert!(stats.max_concurrent <= 2, "{stats:?}");
        // Once idle, everything passes again.
        assert!(gate.run_or_refuse(|| ()).await.unwrap().is_ok());
        assert!(gate.run(|| ()).await.is_ok());
    }
}
