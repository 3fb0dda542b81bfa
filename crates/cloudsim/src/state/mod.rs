//! Everything the simulated cloud holds, behind one lock. Progress (orders completing, jobs
//! ending) is applied lazily by [`State::tick`] at the start of every request, from the
//! clock, so nothing runs in the background.

mod accounts;
pub mod ids;
mod instance;
mod jobs;
pub mod lifecycle;
pub mod market;
mod orders;
mod seed;
mod snapshot;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use lightdeck_huaweicloud::Region;
use lightdeck_huaweicloud::model::hcss::PurchaseRequest;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

pub use accounts::{Account, Directory};
pub use instance::{
    Instance, Net, Package, Server, add_months, fmt_millis, fmt_seconds, fmt_space,
};
pub use jobs::{Job, PowerAction, WRONG_STATE_CODE};
pub use lifecycle::UNSUBSCRIBE_PROCESSING;
pub use market::{Extra, Market};
pub use orders::{Order, Period, monthly_price, purchase_amount};
pub use seed::NewInstance;
pub use snapshot::{Fleet, Snapshot, SnapshotError};

/// Durations that shape the lifecycle.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    pub job: Duration,
    pub order: Duration,
    pub unsubscribe: Duration,
    pub payment: Duration,
    pub token_ttl: Duration,
}

/// What an IAM token is good for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenScope {
    Project { id: String, region: Region },
    Domain,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenInfo {
    pub account: usize,
    pub scope: TokenScope,
    #[serde(with = "time::serde::rfc3339")]
    pub expires: OffsetDateTime,
}

/// The first purchase received under one (account, `Client-Request-Id`).
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseRecord {
    pub order_id: String,
    /// The request as read (`None` from snapshots written before requests were kept: any
    /// body then counts as the same).
    pub request: Option<PurchaseRequest>,
}

pub struct State {
    pub dir: Arc<Directory>,
    pub timings: Timings,
    pub rng: StdRng,
    instances: HashMap<String, Instance>,
    /// Per account, every instance id in id order (RMS pages walk this).
    by_account: Vec<BTreeSet<String>>,
    /// Per project, every instance id in id order (ECS lists walk this).
    by_project: HashMap<String, BTreeSet<String>>,
    servers: HashMap<String, String>,
    packages: HashMap<String, String>,
    pub orders: HashMap<String, Order>,
    /// (account, Client-Request-Id) → the purchase first sent with it: the same body gets
    /// the same order again, another body is refused.
    pub purchases: HashMap<(usize, String), PurchaseRecord>,
    /// Balances, sold-out specs, quotas.
    pub market: Market,
    pub jobs: HashMap<String, Job>,
    pending_orders: BTreeSet<String>,
    pending_jobs: BTreeSet<String>,
    /// Unsubscribed instances RMS still lists, by when it stops (derived from
    /// `Instance::deleted_at`, so not in snapshots).
    tombstones: BTreeSet<(OffsetDateTime, String)>,
    /// No auto-renewal is due before this; `None` when something may have changed that
    /// (derived, so not in snapshots).
    auto_renew_check: Option<OffsetDateTime>,
    pub tokens: HashMap<String, TokenInfo>,
    next_ip: u32,
    /// Bumped by everything that changes what a snapshot would hold, so a saver can skip
    /// writing when nothing happened.
    generation: u64,
}

impl State {
    pub fn new(dir: Arc<Directory>, timings: Timings, seed: u64) -> Self {
        let n = dir.accounts.len();
        State {
            dir,
            timings,
            rng: StdRng::seed_from_u64(seed ^ 0x5eed_c10d),
            instances: HashMap::new(),
            by_account: vec![BTreeSet::new(); n],
            by_project: HashMap::new(),
            servers: HashMap::new(),
            packages: HashMap::new(),
            orders: HashMap::new(),
            purchases: HashMap::new(),
            market: Market::default(),
            jobs: HashMap::new(),
            pending_orders: BTreeSet::new(),
            pending_jobs: BTreeSet::new(),
            tombstones: BTreeSet::new(),
            auto_renew_check: None,
            tokens: HashMap::new(),
            next_ip: 0,
            generation: 0,
        }
    }

    /// Marks the state as changed since the last snapshot.
    pub fn touch(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn instance(&self, id: &str) -> Option<&Instance> {
        self.instances.get(id)
    }

    pub fn instance_mut(&mut self, id: &str) -> Option<&mut Instance> {
        self.instances.get_mut(id)
    }

    pub fn instance_count(&self) -> usize {
        self.instances.len()
    }

    pub fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.instances.values()
    }

    /// Instance ids of one account, in id order, strictly after `after` when given.
    pub fn account_ids_after<'a>(
        &'a self,
        account: usize,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = &'a String> + 'a {
        let set = self.by_account.get(account);
        let lower = match after {
            Some(a) => std::ops::Bound::Excluded(a.to_owned()),
            None => std::ops::Bound::Unbounded,
        };
        set.into_iter().flat_map(move |s| s.range((lower.clone(), std::ops::Bound::Unbounded)))
    }

    /// Instances in one project, in instance-id order.
    pub fn project_instances(&self, project_id: &str) -> impl Iterator<Item = &Instance> {
        self.by_project
            .get(project_id)
            .into_iter()
            .flat_map(|s| s.iter())
            .filter_map(|id| self.instances.get(id))
    }

    pub fn project_instance_count(&self, project_id: &str) -> usize {
        self.by_project.get(project_id).map_or(0, BTreeSet::len)
    }

    pub fn instance_by_server(&self, server_id: &str) -> Option<&Instance> {
        self.servers.get(server_id).and_then(|i| self.instances.get(i))
    }

    pub fn instance_by_server_mut(&mut self, server_id: &str) -> Option<&mut Instance> {
        let id = self.servers.get(server_id)?;
        self.instances.get_mut(id)
    }

    pub fn instance_by_package(&self, package_id: &str) -> Option<&Instance> {
        self.packages.get(package_id).and_then(|i| self.instances.get(i))
    }

    /// What counts against an account's instance quota: its live instances and those of
    /// its purchase orders still open (waiting for payment or processing).
    pub fn instances_held(&self, account: usize, now: OffsetDateTime) -> usize {
        let live = self
            .account_ids_after(account, None)
            .filter_map(|id| self.instances.get(id))
            .filter(|i| !i.is_deleted())
            .count();
        let ordered: usize = self
            .orders
            .values()
            .filter(|o| o.account == account && !o.completed && o.status(now) != 4)
            .filter(|o| matches!(o.kind, orders::OrderKind::Purchase { .. }))
            .map(|o| o.lines.len())
            .sum();
        live + ordered
    }

    /// Adds an instance; one already unsubscribed (from a snapshot) only to what RMS lists.
    pub fn insert_instance(&mut self, inst: Instance) {
        if let Some(set) = self.by_account.get_mut(inst.account) {
            set.insert(inst.id.clone());
        }
        self.auto_renew_check = None;
        if let Some(at) = inst.deleted_at {
            self.tombstones.insert((at + lifecycle::RMS_DELETED_LAG, inst.id.clone()));
            self.instances.insert(inst.id.clone(), inst);
            return;
        }
        self.by_project.entry(inst.project_id.clone()).or_default().insert(inst.id.clone());
        self.servers.insert(inst.server.id.clone(), inst.id.clone());
        self.packages.insert(inst.package.id.clone(), inst.id.clone());
        self.instances.insert(inst.id.clone(), inst);
    }

    /// The instance and everything bundled with it disappear (RMS included).
    pub fn remove_instance(&mut self, id: &str) -> Option<Instance> {
        let inst = self.instances.remove(id)?;
        if let Some(set) = self.by_account.get_mut(inst.account) {
            set.remove(id);
        }
        if let Some(set) = self.by_project.get_mut(&inst.project_id) {
            set.remove(id);
        }
        self.servers.remove(&inst.server.id);
        self.packages.remove(&inst.package.id);
        Some(inst)
    }

    /// Next public address: the three documentation ranges, then 198.18.0.0/15
    /// (benchmarking, also never routed) for large seeds.
    pub fn next_public_ip(&mut self) -> String {
        let n = self.next_ip;
        self.next_ip = self.next_ip.wrapping_add(1);
        let ranges: [(u8, u8, u8); 3] = [(203, 0, 113), (198, 51, 100), (192, 0, 2)];
        let idx = (n / 253) as usize;
        if let Some((a, b, c)) = ranges.get(idx) {
            return format!("{a}.{b}.{c}.{}", n % 253 + 2);
        }
        let m = (n - 3 * 253) % (2 * 256 * 254);
        format!("198.{}.{}.{}", 18 + m / (256 * 254), (m / 254) % 256, m % 254 + 1)
    }

    pub fn add_pending_order(&mut self, order: Order) {
        self.pending_orders.insert(order.id.clone());
        self.orders.insert(order.id.clone(), order);
    }

    pub fn add_pending_job(&mut self, job: Job) {
        self.pending_jobs.insert(job.id.clone());
        self.jobs.insert(job.id.clone(), job);
    }

    /// Applies every order completion and job end due by `now`, oldest first, then the
    /// auto-renewals due and RMS catching up with deletions, and forgets expired tokens.
    pub fn tick(&mut self, now: OffsetDateTime) {
        let mut due: Vec<(OffsetDateTime, bool, String)> = Vec::new();
        for id in &self.pending_orders {
            if let Some(o) = self.orders.get(id).filter(|o| o.complete_at <= now) {
                due.push((o.complete_at, true, id.clone()));
            }
        }
        for id in &self.pending_jobs {
            if let Some(j) = self.jobs.get(id).filter(|j| j.end <= now) {
                due.push((j.end, false, id.clone()));
            }
        }
        due.sort();
        if !due.is_empty() {
            self.touch();
            // A completed or lapsed order may free an instance for auto-renewal.
            self.auto_renew_check = None;
        }
        for (_, is_order, id) in due {
            if is_order {
                self.pending_orders.remove(&id);
                self.complete_order(&id);
            } else {
                self.pending_jobs.remove(&id);
                self.finish_job(&id);
            }
        }
        self.run_auto_renewals(now);
        self.purge_tombstones(now);
        if self.tokens.len() > 10_000 {
            self.tokens.retain(|_, t| t.expires > now);
        }
    }

    /// Everything, for `GET /_sim/state` (no secrets).
    pub fn dump(&self, now: OffsetDateTime) -> Value {
        let mut instances: Vec<&Instance> = self.instances.values().collect();
        instances.sort_by(|a, b| a.id.cmp(&b.id));
        let instances: Vec<Value> = instances
            .into_iter()
            .map(|i| {
                let mut v = serde_json::to_value(i).unwrap_or(Value::Null);
                v["package"]["remaining_gb"] = json!(i.package.remaining(now));
                v
            })
            .collect();
        let mut orders: Vec<&Order> = self.orders.values().collect();
        orders.sort_by(|a, b| a.id.cmp(&b.id));
        let mut jobs: Vec<&Job> = self.jobs.values().collect();
        jobs.sort_by(|a, b| a.id.cmp(&b.id));
        json!({
            "now": fmt_millis(now),
            "accounts": self.dir.accounts,
            "instances": instances,
            "orders": orders.iter().map(|o| o.summary(now)).collect::<Vec<_>>(),
            "jobs": jobs.iter().map(|j| j.summary(now)).collect::<Vec<_>>(),
            "tokens": self.tokens.len(),
            "market": self.market,
        })
    }
}
