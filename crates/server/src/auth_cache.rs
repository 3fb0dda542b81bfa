//! Sessions, signed-in users (with their teams) and each team's cloud accounts kept in
//! memory, so that a page view does not start with three or four queries and their round
//! trips: half of a simple page's cost.
//!
//! Several processes may share the database, and any of them (or the CLI) may sign a
//! session out, disable a user, change a role or record a sync. So a copy is trusted only while this
//! process listens to the database's change notifications (`domain::changes`): each one
//! drops the copies it names, a lost connection drops everything and stops caching until
//! the listener is back. A read that raced with a notification is not kept: every fill
//! carries the notification count from before its query and is refused if any arrived
//! since. What is left is the time a notification takes to arrive (well under a
//! millisecond on one machine), bounded anyway by [`TTL`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use lightdeck_domain::accounts::{self, Account};
use lightdeck_domain::audit::SessionHash;
use lightdeck_domain::changes::{self, Change};
use lightdeck_domain::sessions;
use lightdeck_domain::teams::{self, Membership};
use lightdeck_domain::users::{self, User};
use sqlx::PgPool;
use time::OffsetDateTime;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use tower_sessions_sqlx_store::PostgresStore;
use uuid::Uuid;

use crate::shutdown::Shutdown;

/// The longest a copy is used, notifications or not.
pub const TTL: Duration = Duration::from_secs(60);
/// Entries per map; past it the map is emptied (a flood of new sessions then costs a
/// query each, as without the cache, instead of memory).
const MAX_ENTRIES: usize = 10_000;

/// A user, their teams and their live sessions, as one request needs them.
#[derive(Debug, Clone)]
pub struct UserContext {
    pub user: User,
    pub teams: Vec<Membership>,
    /// Registry ids of the user's sessions that have not ended. Ending one notifies the
    /// user's change (migration `user_sessions`), so a copy never outlives an ending
    /// longer than any other change to the user.
    pub live_sessions: Vec<Uuid>,
}

struct Timed<T> {
    value: T,
    at: Instant,
}

struct Map<K, V>(Mutex<HashMap<K, Timed<V>>>);

impl<K: std::hash::Hash + Eq, V: Clone> Map<K, V> {
    fn new() -> Self {
        Map(Mutex::new(HashMap::new()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Timed<V>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, key: &K) -> Option<V> {
        let map = self.lock();
        map.get(key).filter(|t| t.at.elapsed() < TTL).map(|t| t.value.clone())
    }

    fn forget(&self, key: &K) {
        self.lock().remove(key);
    }

    fn clear(&self) {
        self.lock().clear();
    }

    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// The two maps and what decides whether they may be used.
pub struct AuthCache {
    /// The listener is subscribed: notifications arrive.
    live: AtomicBool,
    /// Notifications (and listener restarts) so far.
    epoch: AtomicU64,
    sessions: Map<SessionHash, Record>,
    users: Map<Uuid, Arc<UserContext>>,
    /// A team's accounts, by name (as `accounts::list` gives them).
    accounts: Map<Uuid, Arc<Vec<Account>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What the cache holds and how it has done, for tests and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub live: bool,
    pub sessions: usize,
    pub users: usize,
    pub teams: usize,
    /// Session, user and account-list lookups answered from memory / from the database.
    pub hits: u64,
    pub misses: u64,
}

impl std::fmt::Debug for AuthCache {
    // Records hold session ids and CSRF tokens: only counts are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCache")
            .field("live", &self.is_live())
            .field("sessions", &self.sessions.len())
            .field("users", &self.users.len())
            .field("teams", &self.accounts.len())
            .finish()
    }
}

impl Default for AuthCache {
    fn default() -> Self {
        AuthCache {
            live: AtomicBool::new(false),
            epoch: AtomicU64::new(0),
            sessions: Map::new(),
            users: Map::new(),
            accounts: Map::new(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }
}

impl AuthCache {
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            live: self.is_live(),
            sessions: self.sessions.len(),
            users: self.users.len(),
            teams: self.accounts.len(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Taken before a query whose result may be kept; `None` when nothing may be kept.
    fn ticket(&self) -> Option<u64> {
        self.is_live().then(|| self.epoch.load(Ordering::Acquire))
    }

    /// Keeps `value` if no notification arrived since `ticket` was taken. Checked under
    /// the map's lock, and notifications bump the epoch before taking it: a notification
    /// either refuses this fill or removes it right after.
    fn fill<K: std::hash::Hash + Eq, V: Clone>(&self, map: &Map<K, V>, key: K, value: V, t: u64) {
        let mut entries = map.lock();
        if !self.is_live() || self.epoch.load(Ordering::Acquire) != t {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, Timed { value, at: Instant::now() });
    }

    /// Drops what `change` names.
    pub fn apply(&self, change: &Change) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        match change {
            Change::Session(hash) => self.sessions.forget(hash),
            Change::User(id) => self.users.forget(id),
            Change::Accounts(team) => self.accounts.forget(team),
            Change::Everything => self.clear(),
        }
    }

    /// Starts or stops trusting copies; both drop every copy made so far.
    fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.clear();
    }

    fn clear(&self) {
        self.sessions.clear();
        self.users.clear();
        self.accounts.clear();
    }

    /// The copy in `map` under `key`, else what `load` reads (kept if it may be). `load`
    /// answering `None` (no such row) is passed on and not kept.
    async fn get_or_load<K, V, F>(
        &self,
        map: &Map<K, V>,
        key: K,
        load: F,
    ) -> Result<Option<V>, lightdeck_domain::Error>
    where
        K: std::hash::Hash + Eq,
        V: Clone,
        F: Future<Output = Result<Option<V>, lightdeck_domain::Error>>,
    {
        if self.is_live()
            && let Some(found) = map.get(&key)
        {
            self.count(true);
            return Ok(Some(found));
        }
        self.count(false);
        let ticket = self.ticket();
        let loaded = load.await?;
        if let (Some(value), Some(t)) = (&loaded, ticket) {
            self.fill(map, key, value.clone(), t);
        }
        Ok(loaded)
    }

    /// The team's cloud accounts, by name.
    pub async fn team_accounts(
        &self,
        db: &PgPool,
        team: Uuid,
    ) -> Result<Arc<Vec<Account>>, lightdeck_domain::Error> {
        let load = async { Ok(Some(Arc::new(accounts::list(db, team).await?))) };
        Ok(self.get_or_load(&self.accounts, team, load).await?.unwrap_or_default())
    }

    /// The user (`None` if there is no such user), their teams and live sessions.
    pub async fn user_context(
        &self,
        db: &PgPool,
        id: Uuid,
    ) -> Result<Option<Arc<UserContext>>, lightdeck_domain::Error> {
        self.get_or_load(&self.users, id, load_user(db, id)).await
    }

    /// [`Self::user_context`] read from the database whatever the copy says (and kept in
    /// its place, if it may be).
    pub async fn user_context_fresh(
        &self,
        db: &PgPool,
        id: Uuid,
    ) -> Result<Option<Arc<UserContext>>, lightdeck_domain::Error> {
        self.count(false);
        let ticket = self.ticket();
        let loaded = load_user(db, id).await?;
        match (&loaded, ticket) {
            (Some(value), Some(t)) => self.fill(&self.users, id, value.clone(), t),
            _ => self.users.forget(&id),
        }
        Ok(loaded)
    }
}

async fn load_user(
    db: &PgPool,
    id: Uuid,
) -> Result<Option<Arc<UserContext>>, lightdeck_domain::Error> {
    let Some(user) = users::find_by_id(db, id).await? else {
        return Ok(None);
    };
    let teams = teams::teams_of(db, id).await?;
    let live_sessions = sessions::live_ids(db, id).await?;
    Ok(Some(Arc::new(UserContext { teams, user, live_sessions })))
}

/// The Postgres session store with [`AuthCache`] in front of its reads.
#[derive(Clone)]
pub struct CachedStore {
    db: PostgresStore,
    cache: Arc<AuthCache>,
}

impl std::fmt::Debug for CachedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStore").field("cache", &self.cache).finish_non_exhaustive()
    }
}

impl CachedStore {
    pub fn new(db: PgPool, cache: Arc<AuthCache>) -> CachedStore {
        CachedStore { db: PostgresStore::new(db), cache }
    }
}

fn key(id: &Id) -> SessionHash {
    SessionHash::of(&id.to_string())
}

#[async_trait]
impl SessionStore for CachedStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new row: no other process can hold or change it yet.
        let ticket = self.cache.ticket();
        self.db.create(record).await?;
        if let Some(t) = ticket {
            self.cache.fill(&self.cache.sessions, key(&record.id), record.clone(), t);
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Not kept: the update's own notification would drop it anyway.
        let k = key(&record.id);
        self.cache.sessions.forget(&k);
        self.db.save(record).await?;
        self.cache.sessions.forget(&k);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let k = key(id);
        if self.cache.is_live()
            && let Some(record) = self.cache.sessions.get(&k)
            && record.expiry_date > OffsetDateTime::now_utc()
        {
            self.cache.count(true);
            return Ok(Some(record));
        }
        self.cache.count(false);
        let ticket = self.cache.ticket();
        let record = self.db.load(id).await?;
        if let (Some(r), Some(t)) = (&record, ticket) {
            self.cache.fill(&self.cache.sessions, k, r.clone(), t);
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let k = key(id);
        self.cache.sessions.forget(&k);
        self.db.delete(id).await?;
        self.cache.sessions.forget(&k);
        Ok(())
    }
}

/// Follows the change notifications until `shutdown`, reconnecting after a lost
/// connection (with backoff); the cache is live exactly while subscribed.
pub async fn listen(db: PgPool, cache: Arc<AuthCache>, shutdown: Shutdown) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match changes::listen(&db).await {
            Ok(mut listener) => {
                cache.set_live(true);
                backoff = Duration::from_millis(500);
                loop {
                    tokio::select! {
                        () = shutdown.wait() => {
                            cache.set_live(false);
                            return;
                        }
                        received = listener.try_recv() => match received {
                            Ok(Some(n)) => cache.apply(&Change::parse(n.payload())),
                            Ok(None) => {
                                tracing::warn!("change notifications: connection lost");
                                break;
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "change notifications failed");
                                break;
                            }
                        }
                    }
                }
                cache.set_live(false);
            }
            Err(e) => tracing::warn!(error = %e, "cannot listen to change notifications"),
        }
        tokio::select! {
            () = shutdown.wait() => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(expiry: OffsetDateTime) -> Record {
        Record { id: Id::default(), data: Default::default(), expiry_date: expiry }
    }

    #[test]
    fn nothing_is_kept_unless_live() {
        let cache = AuthCache::default();
        assert_eq!(cache.ticket(), None);
        cache.set_live(true);
        let t = cache.ticket().unwrap();
        let r = record(OffsetDateTime::now_utc());
        cache.fill(&cache.sessions, key(&r.id), r.clone(), t);
        assert!(cache.sessions.get(&key(&r.id)).is_some());
        cache.set_live(false);
        assert!(cache.sessions.get(&key(&r.id)).is_none(), "going offline forgets everything");
        cache.fill(&cache.sessions, key(&r.id), r.clone(), t);
        assert_eq!(cache.sessions.len(), 0, "a fill while offline is refused");
    }

    #[test]
    fn a_notification_during_a_read_refuses_its_fill() {
        let cache = AuthCache::default();
        cache.set_live(true);
        let (a, b) = (record(OffsetDateTime::now_utc()), record(OffsetDateTime::now_utc()));
        let before = cache.ticket().unwrap();
        // Any change, even about another session, makes reads that began earlier suspect.
        cache.apply(&Change::Session(key(&b.id)));
        cache.fill(&cache.sessions, key(&a.id), a.clone(), before);
        assert!(cache.sessions.get(&key(&a.id)).is_none());
        let after = cache.ticket().unwrap();
        cache.fill(&cache.sessions, key(&a.id), a.clone(), after);
        assert!(cache.sessions.get(&key(&a.id)).is_some());
        cache.apply(&Change::Session(key(&a.id)));
        assert!(cache.sessions.get(&key(&a.id)).is_none(), "named session dropped");
    }

    #[test]
    fn everything_drops_both_maps_and_debug_shows_no_ids() {
        let cache = AuthCache::default();
        cache.set_live(true);
        let r = record(OffsetDateTime::now_utc());
        let t = cache.ticket().unwrap();
        cache.fill(&cache.sessions, key(&r.id), r.clone(), t);
        let debug = format!("{cache:?}");
        assert!(!debug.contains(&r.id.to_string()), "{debug}");
        assert!(debug.contains("sessions: 1"), "{debug}");
        cache.apply(&Change::Everything);
        assert_eq!((cache.sessions.len(), cache.users.len(), cache.accounts.len()), (0, 0, 0));
    }
}
