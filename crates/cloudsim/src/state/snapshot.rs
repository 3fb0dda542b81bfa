//! The whole simulated cloud as one JSON document, so that a simulator can stop and come
//! back where it was. Times are absolute: a job or order that was running when the snapshot
//! was taken ends at its due time after a restart, however long the simulator was down.
//!
//! What is left out is what does not describe the cloud: the request log, fault rules and
//! their RNG (configuration of the run), AK lockouts (a five-minute guard).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use lightdeck_huaweicloud::Region;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::orders::OrderKind;
use super::{
    Account, Directory, Instance, Job, Market, Order, PurchaseRecord, State, Timings, TokenInfo,
};
use lightdeck_huaweicloud::model::hcss::PurchaseRequest;

/// Names the file's kind, so that some other JSON file is refused with a clear reason.
const FORMAT: &str = "lightdeck-cloudsim-snapshot";
/// Bump on any change a version-1 reader could misread; older files are then discarded
/// (the simulator starts from its seed) rather than half-understood.
pub const VERSION: u32 = 1;

/// What the seed builds. A snapshot is only taken back by a simulator configured for the
/// same fleet: with another seed or size the caller asked for a different cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fleet {
    pub seed: u64,
    pub accounts: usize,
    pub instances_per_account: usize,
    pub regions: Vec<Region>,
}

impl std::fmt::Display for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let regions: Vec<&str> = self.regions.iter().map(|r| r.id()).collect();
        write!(
            f,
            "seed {}, {} accounts × {} instances in {}",
            self.seed,
            self.accounts,
            self.instances_per_account,
            regions.join(", ")
        )
    }
}

/// Why a snapshot was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("it is not valid JSON ({0})")]
    NotJson(String),
    #[error("it is not a cloudsim snapshot")]
    NotASnapshot,
    #[error("it is format version {found}; this cloudsim reads version {VERSION}")]
    Version { found: u64 },
    #[error("it does not have the shape of version {VERSION} ({0})")]
    Shape(String),
    #[error("it was made for {found}, not {wanted}")]
    OtherFleet { found: Box<Fleet>, wanted: Box<Fleet> },
    #[error("it is inconsistent: {0}")]
    Inconsistent(String),
}

/// An account with its secrets in clear: the simulator needs them to check signatures.
/// No `Debug`, so they cannot reach a log by accident.
#[derive(Serialize, Deserialize)]
struct AccountRecord {
    name: String,
    domain_id: String,
    ak: String,
    sk: String,
    iam_user: String,
    iam_password: String,
    user_id: String,
    projects: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct Purchase {
    account: usize,
    client_request_id: String,
    order_id: String,
    /// Absent in snapshots written before requests were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request: Option<PurchaseRequest>,
}

#[derive(Serialize, Deserialize)]
struct TokenRecord {
    token: String,
    #[serde(flatten)]
    info: TokenInfo,
}

/// The state at one moment. No `Debug`: it holds every account's secret key.
#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    format: String,
    version: u32,
    /// The simulator's clock when taken (a manual clock resumes here).
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
    fleet: Fleet,
    /// Seeds the restored RNG. The RNG's position cannot be serialized; a seed drawn from
    /// it keeps restored runs deterministic without moving the running simulator's RNG.
    rng_seed: u64,
    next_ip: u32,
    accounts: Vec<AccountRecord>,
    instances: Vec<Instance>,
    orders: Vec<Order>,
    purchases: Vec<Purchase>,
    jobs: Vec<Job>,
    pending_orders: Vec<String>,
    pending_jobs: Vec<String>,
    tokens: Vec<TokenRecord>,
    /// Balances, sold-out specs, quotas (absent in older snapshots: the defaults).
    #[serde(default)]
    market: Market,
}

impl Snapshot {
    pub fn instance_count(&self) -> usize {
        self.instances.len()
    }

    pub fn to_json(&self) -> Vec<u8> {
        // Plain structs, maps with string keys: serializing cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a snapshot, checking kind, version and fleet before anything else.
    pub fn parse(bytes: &[u8], wanted: &Fleet) -> Result<Snapshot, SnapshotError> {
        let doc: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| SnapshotError::NotJson(e.to_string()))?;
        // Kind and version before the shape, so that a file of another version gets that
        // reason rather than a complaint about some field.
        if doc.get("format").and_then(serde_json::Value::as_str) != Some(FORMAT) {
            return Err(SnapshotError::NotASnapshot);
        }
        match doc.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(found) => return Err(SnapshotError::Version { found }),
            None => return Err(SnapshotError::Shape("no version".to_owned())),
        }
        let snap: Snapshot =
            serde_json::from_value(doc).map_err(|e| SnapshotError::Shape(e.to_string()))?;
        if &snap.fleet != wanted {
            return Err(SnapshotError::OtherFleet {
                found: Box::new(snap.fleet),
                wanted: Box::new(wanted.clone()),
            });
        }
        Ok(snap)
    }
}

impl State {
    /// Everything, as of `now` (call after [`State::tick`] so that due progress is in).
    pub fn snapshot(&self, fleet: &Fleet, now: OffsetDateTime) -> Snapshot {
        let accounts = self
            .dir
            .accounts
            .iter()
            .map(|a| AccountRecord {
                name: a.name.clone(),
                domain_id: a.domain_id.clone(),
                ak: a.ak.clone(),
                sk: a.sk.expose_secret().to_owned(),
                iam_user: a.iam_user.clone(),
                iam_password: a.iam_password.expose_secret().to_owned(),
                user_id: a.user_id.clone(),
                projects: a.projects.clone(),
            })
            .collect();
        // Sorted, so that two snapshots of the same state are the same bytes.
        let mut instances: Vec<Instance> = self.instances.values().cloned().collect();
        instances.sort_by(|a, b| a.id.cmp(&b.id));
        let mut orders: Vec<Order> = self.orders.values().cloned().collect();
        orders.sort_by(|a, b| a.id.cmp(&b.id));
        let mut jobs: Vec<Job> = self.jobs.values().cloned().collect();
        jobs.sort_by(|a, b| a.id.cmp(&b.id));
        let mut purchases: Vec<Purchase> = self
            .purchases
            .iter()
            .map(|((account, crid), record)| Purchase {
                account: *account,
                client_request_id: crid.clone(),
                order_id: record.order_id.clone(),
                request: record.request.clone(),
            })
            .collect();
        purchases.sort_by(|a, b| {
            (a.account, &a.client_request_id).cmp(&(b.account, &b.client_request_id))
        });
        let mut tokens: Vec<TokenRecord> = self
            .tokens
            .iter()
            .filter(|(_, t)| t.expires > now)
            .map(|(token, info)| TokenRecord { token: token.clone(), info: info.clone() })
            .collect();
        tokens.sort_by(|a, b| a.token.cmp(&b.token));
        Snapshot {
            format: FORMAT.to_owned(),
            version: VERSION,
            saved_at: now,
            fleet: fleet.clone(),
            rng_seed: self.rng.clone().random(),
            next_ip: self.next_ip,
            accounts,
            instances,
            orders,
            purchases,
            jobs,
            pending_orders: self.pending_orders.iter().cloned().collect(),
            pending_jobs: self.pending_jobs.iter().cloned().collect(),
            tokens,
            market: self.market.clone(),
        }
    }

    /// The state a snapshot describes, with the directory of its accounts. Checks what the
    /// handlers rely on (every instance in a known account and project, unique ids), so a
    /// hand-edited file is refused here rather than misbehaving later.
    pub fn restore(snap: Snapshot, timings: Timings) -> Result<State, SnapshotError> {
        let bad = |msg: String| SnapshotError::Inconsistent(msg);
        let mut seen_aks = HashSet::new();
        let accounts: Vec<Account> = snap
            .accounts
            .into_iter()
            .map(|a| Account {
                name: a.name,
                domain_id: a.domain_id,
                ak: a.ak,
                sk: SecretString::from(a.sk),
                iam_user: a.iam_user,
                iam_password: SecretString::from(a.iam_password),
                user_id: a.user_id,
                projects: a.projects,
            })
            .collect();
        for a in &accounts {
            if !seen_aks.insert(a.ak.clone()) {
                return Err(bad(format!("two accounts have the access key of {}", a.name)));
            }
        }
        let dir = Arc::new(Directory::from_accounts(accounts));
        let n = dir.accounts.len();
        let mut st = State::new(dir.clone(), timings, 0);
        st.rng = StdRng::seed_from_u64(snap.rng_seed);
        st.next_ip = snap.next_ip;

        let owner = |inst: &Instance| -> Result<usize, SnapshotError> {
            let account = dir
                .by_domain_id(&inst.domain_id)
                .ok_or_else(|| bad(format!("instance {} is in an unknown account", inst.id)))?;
            match dir.by_project(&inst.project_id) {
                Some((a, region)) if a == account && region == inst.region => Ok(account),
                _ => Err(bad(format!(
                    "instance {} is in a project its account does not have in {}",
                    inst.id,
                    inst.region.id()
                ))),
            }
        };
        let mut servers = HashSet::new();
        let mut packages = HashSet::new();
        for mut inst in snap.instances {
            inst.account = owner(&inst)?;
            if st.instances.contains_key(&inst.id)
                || !servers.insert(inst.server.id.clone())
                || !packages.insert(inst.package.id.clone())
            {
                return Err(bad(format!("instance {} appears twice", inst.id)));
            }
            st.insert_instance(inst);
        }
        let mut orders = HashMap::new();
        for mut order in snap.orders {
            if order.account >= n {
                return Err(bad(format!("order {} is of an unknown account", order.id)));
            }
            if let OrderKind::Purchase { instances } = &mut order.kind {
                for inst in instances {
                    inst.account = owner(inst)?;
                }
            }
            orders.insert(order.id.clone(), order);
        }
        st.orders = orders;
        st.pending_orders = snap
            .pending_orders
            .into_iter()
            .filter(|id| st.orders.get(id).is_some_and(|o| !o.completed && !o.cancelled))
            .collect::<BTreeSet<_>>();
        for p in snap.purchases {
            if p.account < n && st.orders.contains_key(&p.order_id) {
                let record = PurchaseRecord { order_id: p.order_id, request: p.request };
                st.purchases.insert((p.account, p.client_request_id), record);
            }
        }
        st.jobs = snap.jobs.into_iter().map(|j| (j.id.clone(), j)).collect();
        st.pending_jobs =
            snap.pending_jobs.into_iter().filter(|id| st.jobs.contains_key(id)).collect();
        st.tokens = snap
            .tokens
            .into_iter()
            .filter(|t| t.info.account < n)
            .map(|t| (t.token, t.info))
            .collect();
        st.market = snap.market;
        Ok(st)
    }
}
