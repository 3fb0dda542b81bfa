//! cloudsim: a local stand-in for the Huawei Cloud APIs Lightdeck uses, as strict as the
//! real ones, for tests, `lightdeck demo`, benchmarks and fault drills.
//!
//! One HTTP listener serves, with Huawei's paths, methods, status codes and body shapes
//! (reference §5): IAM `POST /v3/auth/tokens`, `GET /v3/projects`, `GET /v3/auth/domains`;
//! HCSS `POST /v1/light-instances`; RMS `GET /v1/resource-manager/domains/{domain_id}/all-resources`;
//! ECS `GET|PUT /v1/{project_id}/cloudservers/{server_id}`, `GET …/cloudservers/detail`,
//! `POST …/cloudservers/action`, `PUT …/cloudservers/os-reset-passwords`,
//! `GET /v1/{project_id}/jobs/{job_id}`; BSS `GET /v2/orders/customer-orders/details/{order_id}`,
//! `GET /v2/orders/customer-orders` (ListCustomerOrders),
//! `POST /v2/orders/subscriptions/resources/renew`, `…/unsubscribe`,
//! `POST /v2/payments/free-resources/usages/details/query` and
//! `POST /v2/orders/suscriptions/resources/query` (sic). Every response has `X-Request-Id`.
//!
//! **Authentication** is the gateway's: `SDK-HMAC-SHA256` signatures checked with
//! `lightdeck_huaweicloud::signing::verify` against the received `Host` (with port) and an
//! `X-Sdk-Date` within 15 minutes of the simulator's clock; ECS needs a signed `X-Project-Id`
//! equal to the path's project, RMS/BSS a signed `X-Domain-Id`; or an IAM token from the
//! simulator's own IAM (project- or domain-scoped, expiring). HCSS purchase takes a
//! project-scoped token only. Failures answer 401 `APIG.0301`; a scope mismatch 403
//! `APIG.0302`; five bad signatures in a row lock the AK for five minutes. AK/SK-signed
//! bodies may be 12 MB (token requests 32 MB); larger ones get 413.
//! Unknown paths and unregistered methods get the gateway's 404 `APIG.0101`; malformed
//! bodies get 400 in the service's own shape with the field named.
//!
//! **Seeding** gives every account `instances_per_account` Flexus L instances over the
//! configured regions, with expiry and traffic use spread so that filters find something;
//! each came from a completed (status 5) purchase order in BSS, some orders buying two or
//! three identical instances, so `metadata.order_id` of any instance can be looked up.
//!
//! **Time** comes from a [`Clock`] that is the system clock or a manual one tests advance;
//! jobs, orders, token expiry and traffic use are evaluated from it on every request (no
//! background timers), so tests never sleep.
//!
//! **Lifecycle** (`state::lifecycle` names every duration and why): expiry, 15 days of
//! grace, then frozen (power actions and password resets 403 `Ecs.0003`) until a renewal;
//! auto-renewal at expiry; renewals capped 60 months ahead (`CBC.99003154`); renewals
//! without auto-pay wait for `/_sim/orders/{id}/pay` and lapse after 7 days; unsubscribing
//! processes for 30 s and RMS shows `Deleted` for 10 minutes more.
//!
//! **Snapshots** keep the whole simulated cloud (accounts and keys, instances, orders, jobs,
//! tokens, idempotency keys) in one JSON file with a format version: [`Config::snapshot`]
//! names the file to start from instead of the seed, [`Handle::snapshot_status`] says
//! whether it was loaded, absent, or discarded and why (corrupt, another version, another
//! seed or fleet: the seed is used then, nothing panics), and [`Handle::save_snapshot`] or a
//! [`Snapshotter`] writes it atomically (temp file, fsync, rename; mode 0600, it holds the
//! secret keys). Times in it are absolute, so a job running at the save ends on time after
//! a restart; a manual clock resumes at the snapshot's time.
//!
//! **Purchases** (`state::market` names every price and default): the same
//! `Client-Request-Id` with the same request (as read: key order and `"1"` vs `1` do not
//! matter) answers the same order; with another request it is refused (400
//! `HCSS.14000001`, naming the first order). Tags are stored and listed (and filtered) by
//! RMS; extras (`evs` data disk, `cbr` backup vault, `hss` host security) appear as RMS
//! sub-resources; a private `image_id` is kept. Every account has a balance (100 000 yuan
//! unless set): an auto-paid purchase or renewal it does not cover fails with
//! `CBC.30050006` and places no order. Specs can be sold out per region (`HCSS.14000010`)
//! and an account's instances capped (`HCSS.14000011`, live plus on order).
//!
//! **Faults** per Huawei operation name (`KeystoneCreateUserTokenByPassword`,
//! `KeystoneListProjects`, `KeystoneListAuthDomains`, `PurchaseLightInstances`,
//! `ListAllResources`, `ShowServer`, `UpdateServer`, `ListServersDetails`,
//! `BatchStartServers`, `BatchStopServers`, `BatchRebootServers`,
//! `BatchResetServersPassword`, `ShowJob`, `ShowCustomerOrderDetails`, `ListCustomerOrders`,
//! `RenewalResources`,
//! `CancelResourcesSubscription`, `ListFreeResourceUsages`, `ListPayPerUseCustomerResources`,
//! or `*`): latency, 429 `APIG.0308` (the gateway's), 429 from the service itself
//! (`429svc`: HCSS answers `HCSS.14290001`, services without a documented code answer as
//! the gateway), 500, dropped connection, hang, and `drop_after`/`hang_after`, which carry
//! the request out first (the purchase's order exists, the job runs) and then give no
//! answer; each with a probability, drawn from a seeded RNG so runs repeat.
//!
//! **Admin paths** (`/_sim/…`, no Huawei auth; bind to 127.0.0.1, the default):
//! `GET /_sim/state` (everything, no secrets), `GET|DELETE /_sim/requests[?operation=ShowServer]`
//! (request log: operation, method, path, status, time, ak, account), `GET /_sim/clock`,
//! `POST /_sim/clock/advance {"seconds": 30}`, `POST /_sim/clock/set {"time": "…Z"}`,
//! `GET|POST|DELETE /_sim/faults` (`{"spec": "ShowServer:429:0.5"}` or
//! `{"operation", "kind": "throttle"|"service_throttle"|"server_error"|"drop"|"hang"|"drop_after"|"hang_after"|"latency", "ms", "probability"}`),
//! `POST /_sim/faults/reseed {"seed": 7}`, `POST /_sim/servers/{server_id}/state
//! {"status": "ERROR"}`, `POST /_sim/orders/{order_id}/pay`, `GET /_sim/accounts`
//! (credentials, as `lightdeck sim` prints them), `GET|POST /_sim/accounts/{name}/balance
//! {"balance": 12.5}`, `GET|POST /_sim/accounts/{name}/quota {"instances": 3}` (`null`: no
//! limit), `GET|POST /_sim/regions/{region}/sold-out {"specs": ["hf.small.1.linux"]}`.
//!
//! Codes the reference leaves open are the simulator's choice and named as such in the code:
//! ECS not-found `Ecs.0114`, sub-job wrong-state `Ecs.0112`, RMS bad parameter
//! `RMS.00010002`, gateway 413 `APIG.0201`, 403 `APIG.0302`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), lightdeck_cloudsim::Error> {
//! let sim = lightdeck_cloudsim::spawn(lightdeck_cloudsim::Config::builder().seed(7)).await?;
//! println!("{} {}", sim.base_url(), sim.accounts()[0].ak);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

#![recursion_limit = "512"]

mod admin;
mod auth;
mod clock;
mod config;
mod faults;
mod http;
mod services;
mod snapshot;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tokio::sync::watch;

pub use crate::clock::Clock;
pub use crate::config::Config;
pub use crate::faults::{BadFault, FaultKind, FaultRule, Faults};
pub use crate::http::LoggedRequest;
pub use crate::snapshot::{SavedSnapshot, SnapshotStatus, Snapshotter};
pub use crate::state::{Account, Instance, Net, Package, Server};

use crate::http::App;
use crate::state::{Directory, Fleet, State, Timings};

/// What can go wrong starting or driving the simulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("no server with id {0}")]
    UnknownServer(String),
    #[error("no account named {0}")]
    UnknownAccount(String),
    #[error("{0} is not a region id (e.g. cn-north-4)")]
    UnknownRegion(String),
    #[error("a balance must be a finite number of yuan, not {0}")]
    InvalidBalance(f64),
    #[error(
        "“{0}” is not an ECS server status (ACTIVE, SHUTOFF, ERROR, REBOOT, HARD_REBOOT, BUILD, …)"
    )]
    InvalidStatus(String),
}

const STATUSES: [&str; 18] = [
    "ACTIVE",
    "BUILD",
    "DELETED",
    "ERROR",
    "HARD_REBOOT",
    "MIGRATING",
    "PAUSED",
    "REBOOT",
    "REBUILD",
    "RESIZE",
    "REVERT_RESIZE",
    "SHUTOFF",
    "SHELVED",
    "SHELVED_OFFLOADED",
    "SOFT_DELETED",
    "SUSPENDED",
    "VERIFY_RESIZE",
    "UNKNOWN",
];

impl App {
    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.tick(self.clock.now());
        st
    }

    pub(crate) fn dump(&self) -> Value {
        self.lock_state().dump(self.clock.now())
    }

    pub(crate) fn requests(&self) -> Vec<LoggedRequest> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }

    pub(crate) fn set_server_state(
        &self,
        server_id: &str,
        status: &str,
        task: Option<&str>,
    ) -> Result<(), Error> {
        if !STATUSES.contains(&status) {
            return Err(Error::InvalidStatus(status.chars().take(40).collect()));
        }
        let now = self.clock.now();
        let mut st = self.lock_state();
        let inst = st
            .instance_by_server_mut(server_id)
            .ok_or_else(|| Error::UnknownServer(server_id.to_owned()))?;
        inst.server.status = status.to_owned();
        inst.server.task_state = task.map(str::to_owned);
        inst.server.updated = now;
        st.touch();
        Ok(())
    }

    pub(crate) fn pay_order(&self, id: &str) -> bool {
        let now = self.clock.now();
        self.lock_state().pay_order(id, now)
    }

    fn account_index(&self, name: &str) -> Result<usize, Error> {
        let short = || name.chars().take(64).collect::<String>();
        self.dir.by_domain_name(name).ok_or_else(|| Error::UnknownAccount(short()))
    }

    pub(crate) fn balance(&self, account: &str) -> Result<f64, Error> {
        let idx = self.account_index(account)?;
        Ok(self.lock_state().market.balance(idx))
    }

    pub(crate) fn set_balance(&self, account: &str, balance: f64) -> Result<(), Error> {
        let idx = self.account_index(account)?;
        if !balance.is_finite() {
            return Err(Error::InvalidBalance(balance));
        }
        let mut st = self.lock_state();
        st.market.set_balance(idx, balance);
        st.touch();
        Ok(())
    }

    /// The account's quota (None: unlimited) and the instances counting against it.
    pub(crate) fn quota(&self, account: &str) -> Result<(Option<usize>, usize), Error> {
        let idx = self.account_index(account)?;
        let st = self.lock_state();
        Ok((st.market.quota(idx), st.instances_held(idx, self.clock.now())))
    }

    pub(crate) fn set_quota(&self, account: &str, quota: Option<usize>) -> Result<(), Error> {
        let idx = self.account_index(account)?;
        let mut st = self.lock_state();
        st.market.set_quota(idx, quota);
        st.touch();
        Ok(())
    }

    pub(crate) fn sold_out(&self, region: &str) -> Result<Vec<String>, Error> {
        let region: lightdeck_huaweicloud::Region =
            region.parse().map_err(|_| Error::UnknownRegion(region.chars().take(40).collect()))?;
        let st = self.lock_state();
        Ok(st.market.sold_out().get(region.id()).into_iter().flatten().cloned().collect())
    }

    pub(crate) fn set_sold_out(&self, region: &str, specs: Vec<String>) -> Result<(), Error> {
        let region: lightdeck_huaweicloud::Region =
            region.parse().map_err(|_| Error::UnknownRegion(region.chars().take(40).collect()))?;
        let mut st = self.lock_state();
        st.market.set_sold_out(region.id(), specs);
        st.touch();
        Ok(())
    }
}

/// `{"accounts": [{name, domain_id, ak, sk, iam_user, iam_password, projects}]}` with the
/// secrets in clear: simulator credentials, printed on purpose.
pub(crate) fn accounts_json(accounts: &[Account]) -> Value {
    let list: Vec<Value> = accounts
        .iter()
        .map(|a| {
            json!({
                "name": a.name,
                "domain_id": a.domain_id,
                "ak": a.ak,
                "sk": a.sk.expose_secret(),
                "iam_user": a.iam_user,
                "iam_password": a.iam_password.expose_secret(),
                "projects": a.projects,
            })
        })
        .collect();
    json!({"accounts": list})
}

/// A running simulator. Dropping it stops the server too; [`Handle::shutdown`] waits.
pub struct Handle {
    app: Arc<App>,
    addr: SocketAddr,
    base_url: String,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    seeded_in: std::time::Duration,
    snapshot_status: SnapshotStatus,
    snapshotter: Snapshotter,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

/// Seeds the state (or loads it from [`Config::snapshot`]), binds `config.listen` and
/// serves in a tokio task.
pub async fn spawn(config: Config) -> Result<Handle, Error> {
    let clock = match config.manual_clock {
        Some(start) => Clock::manual(start),
        None => Clock::system(),
    };
    let started = std::time::Instant::now();
    let timings = Timings {
        job: config.job_duration,
        order: config.order_duration,
        unsubscribe: config.unsubscribe_duration,
        payment: config.payment_delay,
        token_ttl: config.token_ttl,
    };
    let fleet = Fleet {
        seed: config.seed,
        accounts: config.accounts,
        instances_per_account: config.instances_per_account,
        regions: config.regions.clone(),
    };
    let (restored, snapshot_status) =
        snapshot::load(config.snapshot.as_deref(), &fleet, timings).await;
    let state = match restored {
        Some((state, saved_at)) => {
            // A manual clock never runs back behind progress already made; the system
            // clock has moved on by itself, finishing whatever fell due meanwhile.
            if clock.now() < saved_at {
                clock.set(saved_at);
            }
            state
        }
        None => {
            let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(config.seed);
            let dir = Arc::new(Directory::generate(&mut rng, config.accounts));
            let mut state = State::new(dir, timings, config.seed);
            state.seed(&config.regions, config.instances_per_account, clock.now());
            state
        }
    };
    let dir = state.dir.clone();
    let seeded_in = started.elapsed();

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind { addr: config.listen, source })?;
    let addr =
        listener.local_addr().map_err(|source| Error::Bind { addr: config.listen, source })?;
    let (stop, stop_rx) = watch::channel(false);
    let app = Arc::new(App {
        dir,
        state: Mutex::new(state),
        clock,
        faults: Faults::new(config.faults.clone(), config.seed),
        lockouts: auth::Lockouts::default(),
        log: Mutex::new(std::collections::VecDeque::new()),
        log_capacity: config.request_log_capacity,
        max_skew: config.max_skew,
        hang: config.hang,
        shutdown: stop_rx.clone(),
    });
    let loaded = matches!(snapshot_status, SnapshotStatus::Loaded { .. });
    let snapshotter = Snapshotter::new(app.clone(), fleet, loaded);
    let router = http::router(app.clone());
    let task = tokio::spawn(http::serve(listener, router, stop_rx));
    Ok(Handle {
        app,
        addr,
        base_url: format!("http://{addr}"),
        stop,
        task: Some(task),
        seeded_in,
        snapshot_status,
        snapshotter,
    })
}

impl Handle {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every account with its credentials.
    pub fn accounts(&self) -> &[Account] {
        &self.app.dir.accounts
    }

    /// The clock every request reads; advance it when the simulator runs on a manual clock.
    pub fn clock(&self) -> &Clock {
        &self.app.clock
    }

    pub fn faults(&self) -> &Faults {
        &self.app.faults
    }

    /// Everything (`GET /_sim/state`), with progress applied up to now.
    pub fn state(&self) -> Value {
        self.app.dump()
    }

    pub fn instance_count(&self) -> usize {
        self.app.lock_state().instance_count()
    }

    /// Every instance (a copy), in id order.
    pub fn instances(&self) -> Vec<Instance> {
        let st = self.app.lock_state();
        let mut v: Vec<Instance> = st.instances().cloned().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.app.requests()
    }

    /// How many logged requests were for `operation` (e.g. `ShowServer`).
    pub fn count_requests(&self, operation: &str) -> usize {
        self.app.requests().iter().filter(|r| r.operation == operation).count()
    }

    /// Forces a server's ECS status (and task state), e.g. `ERROR`.
    pub fn set_server_state(
        &self,
        server_id: &str,
        status: &str,
        task_state: Option<&str>,
    ) -> Result<(), Error> {
        self.app.set_server_state(server_id, status, task_state)
    }

    /// Pays an order waiting for payment (status 6) now. False if it was not waiting.
    pub fn pay_order(&self, order_id: &str) -> bool {
        self.app.pay_order(order_id)
    }

    /// The account's balance in yuan (auto-paid purchases are taken from it).
    pub fn balance(&self, account: &str) -> Result<f64, Error> {
        self.app.balance(account)
    }

    /// Sets the account's balance; an auto-paid purchase it does not cover fails with
    /// `CBC.30050006`.
    pub fn set_balance(&self, account: &str, yuan: f64) -> Result<(), Error> {
        self.app.set_balance(account, yuan)
    }

    /// Limits how many instances the account may hold (live plus on order); beyond it a
    /// purchase fails with `HCSS.14000011`. `None` lifts the limit.
    pub fn set_quota(&self, account: &str, instances: Option<usize>) -> Result<(), Error> {
        self.app.set_quota(account, instances)
    }

    /// Marks specs sold out in a region (replacing the earlier list; empty restocks): a
    /// purchase of one fails with `HCSS.14000010`.
    pub fn set_sold_out(&self, region: &str, specs: &[&str]) -> Result<(), Error> {
        self.app.set_sold_out(region, specs.iter().map(|s| (*s).to_owned()).collect())
    }

    /// `{"url": …, "accounts": […]}` with credentials in clear (what `lightdeck sim --json`
    /// prints).
    pub fn credentials_json(&self) -> Value {
        let mut v = accounts_json(&self.app.dir.accounts);
        v["url"] = json!(self.base_url);
        v
    }

    /// How long seeding the initial state (or loading the snapshot) took.
    pub fn seeded_in(&self) -> std::time::Duration {
        self.seeded_in
    }

    /// Whether the state came from [`Config::snapshot`] or from the seed, and why.
    pub fn snapshot_status(&self) -> &SnapshotStatus {
        &self.snapshot_status
    }

    /// Saves the whole state to `path` now (blocking; see [`Snapshotter::save`]).
    pub fn save_snapshot(&self, path: &std::path::Path) -> std::io::Result<SavedSnapshot> {
        self.snapshotter.save(path)
    }

    /// A saver a background task can own; it keeps working after [`Handle::shutdown`], for
    /// a last save of the final state.
    pub fn snapshotter(&self) -> Snapshotter {
        self.snapshotter.clone()
    }

    /// Stops accepting, lets open connections finish their current request, and waits for
    /// the listener task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
