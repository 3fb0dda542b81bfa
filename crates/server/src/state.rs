//! What every handler and worker shares: the database, the Huawei Cloud client, the
//! keyring, settings, translations, metrics, a clock tests can drive, and a shutdown signal.

use std::sync::{Arc, Mutex, PoisonError};

use lightdeck_domain::crypto::Keyring;
use lightdeck_domain::password_gate::PasswordGate;
use lightdeck_huaweicloud::HuaweiCloud;
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::auth_cache::AuthCache;
use crate::config::AppConfig;
use crate::i18n::I18n;
use crate::shutdown::Shutdown;
use crate::sign_in_guard::SignInGuard;

/// The current time. Session expiry and sign-in throttling read it, so tests can move time
/// forward instead of waiting.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> OffsetDateTime + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(OffsetDateTime::now_utc))
    }

    pub fn from_fn(f: impl Fn() -> OffsetDateTime + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// A clock that only moves when told to (for tests).
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn advance(&self, by: time::Duration) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }

    pub fn set(&self, to: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    pub fn clock(&self) -> Clock {
        let this = self.clone();
        Clock::from_fn(move || this.now())
    }
}

/// Shared by every request and worker; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub cloud: HuaweiCloud,
    pub keyring: Arc<Keyring>,
    pub config: Arc<AppConfig>,
    pub i18n: Arc<I18n>,
    pub metrics: PrometheusHandle,
    pub clock: Clock,
    pub shutdown: Shutdown,
    /// Sessions and users in memory; used only while [`crate::auth_cache::listen`] runs.
    pub auth_cache: Arc<AuthCache>,
    /// Bounds concurrent argon2 checks; the process-wide gate unless a test swaps in its own.
    pub password_gate: PasswordGate,
    /// Sign-in attempts being checked right now, which the throttle counts as failures.
    pub sign_ins: Arc<SignInGuard>,
    /// How many refused requests per address reach the security log.
    pub denials: Arc<crate::denial_log::DenialLog>,
    /// The accounts this process is syncing, shared by every [`AppState::workers`] context.
    syncing: crate::workers::sync::Syncing,
}

impl AppState {
    /// The system clock and a fresh shutdown signal; translations are loaded here.
    pub fn new(
        db: PgPool,
        cloud: HuaweiCloud,
        keyring: Keyring,
        config: AppConfig,
    ) -> Result<AppState, crate::i18n::I18nError> {
        Ok(AppState {
            db,
            cloud,
            keyring: Arc::new(keyring),
            config: Arc::new(config),
            i18n: Arc::new(I18n::load()?),
            metrics: crate::metrics::handle(),
            clock: Clock::system(),
            shutdown: Shutdown::default(),
            auth_cache: Arc::new(AuthCache::default()),
            password_gate: PasswordGate::global().clone(),
            sign_ins: Arc::default(),
            denials: Arc::default(),
            syncing: Default::default(),
        })
    }

    /// What the background work and the action pipeline run on: the database, the cloud
    /// client, the keyring and the clock, without the web app around them.
    pub fn workers(&self) -> crate::workers::Ctx {
        crate::workers::Ctx::new(
            self.db.clone(),
            self.cloud.clone(),
            self.keyring.clone(),
            self.clock.clone(),
            self.syncing.clone(),
        )
    }

    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }

    /// A gate of one's own, e.g. for a test that counts the checks it caused.
    pub fn with_password_gate(mut self, gate: PasswordGate) -> AppState {
        self.password_gate = gate;
        self
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Starts following the database's change notifications, which turns the in-memory
    /// session and user cache on (until shutdown). `serve` calls it; tests may.
    pub fn spawn_auth_cache(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(crate::auth_cache::listen(
            self.db.clone(),
            self.auth_cache.clone(),
            self.shutdown.clone(),
        ))
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("config", &self.config).finish_non_exhaustive()
    }
}
