//! How a simulator starts: listen address, seed, how much to seed, timings, faults.

use std::net::{Ipv4Addr, SocketAddr};

use lightdeck_huaweicloud::Region;
use time::{Duration, OffsetDateTime};

use crate::faults::FaultRule;

/// Everything [`crate::spawn`] needs. Start from [`Config::builder`] (same as `default()`)
/// and chain the setters.
#[derive(Debug, Clone)]
pub struct Config {
    /// Default `127.0.0.1:0` (a free port; read it back from [`crate::Handle::base_url`]).
    pub listen: SocketAddr,
    /// Seeds every generated id, name and figure, and the fault RNG.
    pub seed: u64,
    /// Accounts to create (each with an IAM user, an AK/SK and one project per region).
    pub accounts: usize,
    /// Flexus L instances per account, spread over [`Config::regions`].
    pub instances_per_account: usize,
    /// Regions the seeded instances live in (every account has a project in every region).
    pub regions: Vec<Region>,
    /// How long a start/stop/reboot job runs before it ends.
    pub job_duration: Duration,
    /// How long a paid order stays "processing" (status 3) before it completes (status 5).
    pub order_duration: Duration,
    /// How long an unsubscription order is processing before the instance goes (30 s).
    pub unsubscribe_duration: Duration,
    /// How long a purchase without auto-pay waits "pending payment" (status 6) before the
    /// simulated customer pays it (`POST /_sim/orders/{id}/pay` pays at once). Renewals
    /// without auto-pay are never paid by themselves: they wait for that call and are
    /// cancelled after 7 days, as a purchase is when this delay is that long or longer.
    pub payment_delay: Duration,
    /// Lifetime of IAM tokens (Huawei: 24 h).
    pub token_ttl: Duration,
    /// Largest accepted distance between `X-Sdk-Date` and the simulator's clock (15 min).
    pub max_skew: Duration,
    /// How long a `hang` fault holds a request before closing it.
    pub hang: std::time::Duration,
    /// `Some(start)` runs on a manual clock starting there; `None` follows the system clock.
    pub manual_clock: Option<OffsetDateTime>,
    pub faults: Vec<FaultRule>,
    /// Requests kept by the request log (oldest dropped first).
    pub request_log_capacity: usize,
    /// A snapshot file to start from instead of the seed, when it exists and was written by
    /// this snapshot version for the same seed and fleet (see [`crate::SnapshotStatus`]).
    /// Saving is the caller's: [`crate::Handle::save_snapshot`] or [`crate::Snapshotter`].
    pub snapshot: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            seed: 1,
            accounts: 2,
            instances_per_account: 8,
            regions: vec![Region::CnNorth4, Region::ApSoutheast1],
            job_duration: Duration::seconds(3),
            order_duration: Duration::seconds(5),
            unsubscribe_duration: crate::state::UNSUBSCRIBE_PROCESSING,
            payment_delay: Duration::seconds(10),
            token_ttl: Duration::hours(24),
            max_skew: Duration::minutes(15),
            hang: std::time::Duration::from_secs(600),
            manual_clock: None,
            faults: Vec::new(),
            request_log_capacity: 100_000,
            snapshot: None,
        }
    }
}

impl Config {
    pub fn builder() -> Self {
        Config::default()
    }

    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub fn accounts(mut self, n: usize) -> Self {
        self.accounts = n;
        self
    }

    pub fn instances_per_account(mut self, n: usize) -> Self {
        self.instances_per_account = n;
        self
    }

    /// Ignored when empty (the seeded instances need at least one region).
    pub fn regions(mut self, regions: impl IntoIterator<Item = Region>) -> Self {
        let regions: Vec<Region> = regions.into_iter().collect();
        if !regions.is_empty() {
            self.regions = regions;
        }
        self
    }

    pub fn job_duration(mut self, d: Duration) -> Self {
        self.job_duration = d;
        self
    }

    pub fn order_duration(mut self, d: Duration) -> Self {
        self.order_duration = d;
        self
    }

    pub fn unsubscribe_duration(mut self, d: Duration) -> Self {
        self.unsubscribe_duration = d;
        self
    }

    pub fn payment_delay(mut self, d: Duration) -> Self {
        self.payment_delay = d;
        self
    }

    pub fn token_ttl(mut self, d: Duration) -> Self {
        self.token_ttl = d;
        self
    }

    pub fn hang(mut self, d: std::time::Duration) -> Self {
        self.hang = d;
        self
    }

    /// Runs on a manual clock that starts at `start`; tests drive it with
    /// `handle.clock().advance(…)`.
    pub fn manual_clock(mut self, start: OffsetDateTime) -> Self {
        self.manual_clock = Some(start);
        self
    }

    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    pub fn request_log_capacity(mut self, n: usize) -> Self {
        self.request_log_capacity = n;
        self
    }

    pub fn snapshot(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.snapshot = Some(path.into());
        self
    }
}
