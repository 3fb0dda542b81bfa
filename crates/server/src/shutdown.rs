//! How the process stops: Ctrl-C or SIGTERM (for every command), the [`Shutdown`] signal
//! that tells background work to stop, and waiting for that work (and for what requests
//! started that must finish) before the database goes.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{JoinError, JoinHandle};

/// Starts listening for Ctrl-C and SIGTERM. Called first thing in the process: until a handler
/// is registered, a Ctrl-C kills the process outright, and `sim`/`demo` print their URL (which
/// scripts answer with a signal) before they get to waiting.
pub fn listen_for_signals() {
    let _ = signal_flag();
}

/// The signal handlers are gone, so no Ctrl-C or SIGTERM can be noticed any more.
#[derive(Debug, thiserror::Error)]
#[error("cannot wait for Ctrl-C or SIGTERM: the signal handler stopped")]
pub struct SignalLost;

/// Resolves once Ctrl-C or SIGTERM has arrived, including one that arrived before the call.
pub async fn signal() -> Result<(), SignalLost> {
    let mut rx = signal_flag().clone();
    rx.wait_for(|stopped| *stopped).await.map(|_| ()).map_err(|_| SignalLost)
}

/// A flag raised by the first Ctrl-C or SIGTERM. The handlers are registered synchronously
/// here, so nothing between this call and a later [`signal`] can miss a signal.
fn signal_flag() -> &'static watch::Receiver<bool> {
    static FLAG: OnceLock<watch::Receiver<bool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let (tx, rx) = watch::channel(false);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::spawn(async move {
                        tokio::select! {
                            _ = int.recv() => {}
                            _ = term.recv() => {}
                        }
                        let _ = tx.send(true);
                    });
                }
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(error = %e, "cannot listen for Ctrl-C/SIGTERM; stop with SIGKILL");
                    // Keeping the sender makes `signal` wait forever instead of failing.
                    std::mem::forget(tx);
                }
            }
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(true);
            }
        });
        rx
    })
}

/// Tells background work that the process is stopping, and keeps count of the work requests
/// left running ([`Shutdown::run_to_end`]) so that stopping can wait for it. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Shutdown {
    tx: Arc<watch::Sender<bool>>,
    running: Arc<watch::Sender<usize>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown { tx: Arc::new(watch::channel(false).0), running: Arc::new(watch::channel(0).0) }
    }
}

impl Shutdown {
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    pub fn is_triggered(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once [`Shutdown::trigger`] was called (at once if it already was).
    pub async fn wait(&self) {
        let mut rx = self.tx.subscribe();
        // An error means the sender is gone, which cannot happen while `self` holds it.
        let _ = rx.wait_for(|stopped| *stopped).await;
    }

    /// Resolves at the first Ctrl-C, SIGTERM or [`Shutdown::trigger`], and triggers, so that a
    /// signal stops the background work as well as whoever awaits this.
    pub async fn wait_or_signal(&self) {
        tokio::select! {
            r = signal() => {
                if let Err(e) = r {
                    tracing::warn!(error = %e, "signal handling failed; stopping");
                }
            }
            () = self.wait() => {}
        }
        self.trigger();
    }

    /// Runs `work` in a task of its own and waits for it. When the browser goes away, axum
    /// drops the request's future, but not this task: the work (and the locks or half-made
    /// cloud calls it holds) runs to its end, and [`Shutdown::join`] waits for it.
    pub async fn run_to_end<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, JoinError> {
        let running = Running::start(&self.running);
        tokio::spawn(async move {
            let _running = running;
            work.await
        })
        .await
    }

    /// Waits for `tasks` (which stop once this was triggered) and for the work of
    /// [`Shutdown::run_to_end`], at most `within` in all; tasks still running then are
    /// aborted. Whoever closes the database next must not do it under their queries.
    pub async fn join(&self, tasks: Vec<JoinHandle<()>>, within: Duration) {
        let aborts: Vec<_> = tasks.iter().map(JoinHandle::abort_handle).collect();
        let all = async {
            let results = futures_util::future::join_all(tasks).await;
            let mut rx = self.running.subscribe();
            let _ = rx.wait_for(|n| *n == 0).await;
            results
        };
        match tokio::time::timeout(within, all).await {
            Ok(results) => {
                for e in results.into_iter().filter_map(Result::err) {
                    tracing::error!(error = %e, "a background task failed while stopping");
                }
            }
            Err(_) => {
                let tasks = aborts.iter().filter(|a| !a.is_finished()).count();
                let requests = *self.running.borrow();
                tracing::warn!(
                    tasks,
                    requests,
                    ?within,
                    "background work did not stop in time; aborting the tasks"
                );
                for a in aborts {
                    a.abort();
                }
            }
        }
    }
}

/// One piece of [`Shutdown::run_to_end`] work, counted while it lives (a panic drops it too).
struct Running(Arc<watch::Sender<usize>>);

impl Running {
    fn start(count: &Arc<watch::Sender<usize>>) -> Running {
        count.send_modify(|n| *n += 1);
        Running(count.clone())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    #[tokio::test]
    async fn work_run_to_end_outlives_its_request_and_is_waited_for() {
        let shutdown = Shutdown::default();
        let done = Arc::new(AtomicBool::new(false));
        let request = tokio::spawn({
            let (shutdown, done) = (shutdown.clone(), done.clone());
            async move {
                shutdown
                    .run_to_end(async move {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        done.store(true, Ordering::SeqCst);
                    })
                    .await
            }
        });
        let _ = shutdown.running.subscribe().wait_for(|n| *n == 1).await;
        // The browser goes away.
        request.abort();
        assert!(request.await.unwrap_err().is_cancelled());
        shutdown.join(Vec::new(), Duration::from_secs(5)).await;
        assert!(done.load(Ordering::SeqCst), "the work ran to its end before join returned");
    }

    #[tokio::test]
    async fn join_gives_up_on_a_task_that_does_not_stop() {
        let shutdown = Shutdown::default();
        shutdown.trigger();
        let stuck = tokio::spawn(std::future::pending::<()>());
        let stuck_abort = stuck.abort_handle();
        let stopping = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { shutdown.wait().await }
        });
        let started = std::time::Instant::now();
        shutdown.join(vec![stuck, stopping], Duration::from_millis(50)).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        for _ in 0..100 {
            if stuck_abort.is_finished() {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the stuck task was not aborted");
    }
}
