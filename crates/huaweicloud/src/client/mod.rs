//! The HTTP client every other part of Lightdeck calls.
//!
//! [`HuaweiCloud`] is built once per process and is cheap to clone: it holds the one
//! `reqwest::Client`, the token cache and the discovery caches. [`Account`] is a handle per
//! connected Huawei Cloud account (its credentials plus the shared client); the typed
//! operations are methods on it, one module per service.

mod bss;
mod chunks;
mod discovery;
mod ecs;
mod flight;
mod hcss;
mod iam;
mod retry;
mod rms;
mod token;
mod transport;

use std::fmt;
use std::sync::{Arc, Once};
use std::time::Duration;

use time::OffsetDateTime;

use crate::credentials::{Credentials, expose};
use crate::endpoints::Endpoints;
use crate::error::Error;
use crate::ids::{DomainId, ProjectId};
use crate::region::Region;
use transport::Auth;

pub use bss::{
    BSS_ORDER_MAX, BSS_QUERY_MAX, BSS_USAGE_MAX, ORDERS_PAGE, RenewOptions, UnsubscribeOptions,
};
pub use ecs::ECS_BATCH_MAX;
pub use hcss::ClientRequestId;
pub use retry::{RetryPolicy, SleepFn, tokio_sleep};
pub use rms::{RMS_MAX_LIMIT, RMS_MAX_TAG_FILTERS};
pub use token::TokenScope;

/// The current time; tests drive it to check token expiry.
pub type ClockFn = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The system clock.
pub fn system_clock() -> ClockFn {
    Arc::new(OffsetDateTime::now_utc)
}

/// How the client talks to Huawei Cloud.
#[derive(Clone)]
pub struct ClientConfig {
    pub endpoints: Endpoints,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, response body included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Sent (and signed) as `User-Agent`.
    pub user_agent: String,
    /// Waits between retries; replaced in tests so they do not really wait.
    pub sleep: SleepFn,
    pub clock: ClockFn,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            endpoints: Endpoints::huawei(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            user_agent: concat!("lightdeck-huaweicloud/", env!("CARGO_PKG_VERSION")).to_owned(),
            sleep: tokio_sleep(),
            clock: system_clock(),
        }
    }
}

impl ClientConfig {
    pub fn new(endpoints: Endpoints) -> Self {
        ClientConfig { endpoints, ..ClientConfig::default() }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("endpoints", &self.endpoints)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

/// A decoded answer with what the panel records about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    pub body: T,
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// The HTTP status (e.g. 200, 202).
    pub status: u16,
}

impl<T> Reply<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply { body: f(self.body), request_id: self.request_id, status: self.status }
    }
}

/// The result of walking every page of a list: all items, and the request id of each page.
#[derive(Debug, Clone, PartialEq)]
pub struct Pages<T> {
    pub items: Vec<T>,
    pub request_ids: Vec<Option<String>>,
}

/// One call of an operation that was split into several (ECS batches of 1000, BSS lists
/// of 10): the ids that call covered and how it ended. One chunk failing does not stop the
/// others, so every job or order id that was issued is reported.
#[derive(Debug)]
pub struct ChunkResult<Id, T> {
    pub ids: Vec<Id>,
    pub result: Result<Reply<T>, Error>,
}

/// The shared client: one connection pool, token cache and discovery caches.
#[derive(Clone)]
pub struct HuaweiCloud {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: token::TokenCache,
    discovery: discovery::DiscoveryCache,
}

static INSTALL_CRYPTO: Once = Once::new();

impl HuaweiCloud {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        INSTALL_CRYPTO.call_once(|| {
            // Err means another part of the process installed a provider first; fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            // A redirect would be followed without a valid signature; surface it instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?;
        Ok(HuaweiCloud {
            inner: Arc::new(Inner {
                http,
                config,
                tokens: token::TokenCache::default(),
                discovery: discovery::DiscoveryCache::default(),
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// A handle for one account; cheap, shares this client's connections and caches.
    pub fn account(&self, credentials: Credentials) -> Account {
        let key = cache_key(&credentials);
        Account { cloud: self.clone(), credentials: Arc::new(credentials), key: Arc::from(key) }
    }
}

impl fmt::Debug for HuaweiCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HuaweiCloud").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

/// The key of the token and discovery caches. `Credentials::cache_key` names the AK and
/// the user but not the secrets, so a wrong password for a known user would otherwise be
/// handed the token the right password obtained. A digest of the secrets, salted per
/// process so it cannot be checked offline, tells them apart; it is never logged.
fn cache_key(credentials: &Credentials) -> String {
    use sha2::{Digest, Sha256};
    static SALT: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    let salt = SALT.get_or_init(rand::random);
    let mut digest = Sha256::new();
    digest.update(salt);
    if let Some(aksk) = credentials.aksk() {
        digest.update(b"sk\0");
        digest.update(expose(&aksk.sk).as_bytes());
        if let Some(token) = &aksk.security_token {
            digest.update(b"\0st\0");
            digest.update(expose(token).as_bytes());
        }
    }
    if let Some(password) = credentials.password() {
        digest.update(b"\0pw\0");
        digest.update(expose(&password.password).as_bytes());
    }
    let fingerprint = hex::encode(digest.finalize());
    format!("{}#{}", credentials.cache_key(), &fingerprint[..32])
}

/// One Huawei Cloud account: its credentials and the shared client.
#[derive(Clone)]
pub struct Account {
    cloud: HuaweiCloud,
    credentials: Arc<Credentials>,
    /// See [`cache_key`]; never logged.
    key: Arc<str>,
}

impl Account {
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn cloud(&self) -> &HuaweiCloud {
        &self.cloud
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account").field("credentials", &self.credentials).finish_non_exhaustive()
    }
}

impl Account {
    /// Authentication for a project-level service (ECS): AK/SK with the signed
    /// `X-Project-Id`, else a project-scoped token. Also returns the project id for the path.
    async fn project_auth(&self, region: Region) -> Result<(ProjectId, Auth), Error> {
        let project = self.project_id(region).await?;
        let auth = if self.credentials.aksk().is_some() {
            Auth::AkSk(Some(("X-Project-Id", project.to_string())))
        } else {
            Auth::Token(TokenScope::Project(region))
        };
        Ok((project, auth))
    }

    /// Authentication for a global service (RMS, BSS): AK/SK with the signed `X-Domain-Id`,
    /// else a domain-scoped token. Also returns the account id (RMS puts it in the path).
    async fn domain_auth(&self) -> Result<(DomainId, Auth), Error> {
        let domain = self.domain_id().await?;
        let auth = if self.credentials.aksk().is_some() {
            Auth::AkSk(Some(("X-Domain-Id", domain.to_string())))
        } else {
            Auth::Token(TokenScope::Domain)
        };
        Ok((domain, auth))
    }
}

/// Serializes a request body; our model types always serialize, but a failure must not panic.
fn json_body<T: serde::Serialize>(operation: &'static str, value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value)
        .map_err(|e| Error::Config(format!("could not encode the {operation} request: {e}")))
}
