//! Settings of `lightdeck serve`, from flags or the environment, checked before anything
//! starts. Every problem is reported at once, naming the variable and what is wrong, and
//! never repeating a secret.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use lightdeck_domain::crypto::{Keyring, MASTER_KEY_VAR};
use secrecy::SecretString;

use crate::cli::ServeArgs;
use crate::client_addr::{Cidr, TRUSTED_PROXIES_VAR, parse_list};
use crate::metrics_access::{
    METRICS_LISTEN_VAR, METRICS_TOKEN_VAR, MIN_TOKEN_CHARS, MetricsAccess,
};

pub const DATABASE_URL_VAR: &str = "DATABASE_URL";
pub const LISTEN_VAR: &str = "LIGHTDECK_LISTEN";
pub const PUBLIC_URL_VAR: &str = "LIGHTDECK_PUBLIC_URL";
pub const SYNC_INTERVAL_VAR: &str = "LIGHTDECK_SYNC_INTERVAL";
pub const HUAWEI_ENDPOINT_VAR: &str = "LIGHTDECK_HUAWEI_ENDPOINT";
pub const SESSION_IDLE_VAR: &str = "LIGHTDECK_SESSION_IDLE";
pub const SESSION_MAX_VAR: &str = "LIGHTDECK_SESSION_MAX";

/// What the running app needs to know (no secrets, so it can sit in `AppState`).
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub listen: SocketAddr,
    /// e.g. `https://panel.example.com`; `https` turns on the Secure cookie flag, and its
    /// origin is the one state-changing requests must come from.
    pub public_url: Option<String>,
    /// How often each account's inventory is synced.
    pub sync_interval: Duration,
    /// Base URL for every Huawei service (cloudsim), instead of Huawei's endpoints.
    pub huawei_endpoint: Option<String>,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute: Duration,
    /// Keeps sessions, users and account lists in memory while change notifications
    /// arrive (`auth_cache`).
    pub memory_cache: bool,
    /// Where `/metrics` is served and what it asks for.
    pub metrics: MetricsAccess,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` are believed.
    pub trusted_proxies: Vec<Cidr>,
    /// Where the audit chains' signed heads are appended (`audit_head`); `None`: nowhere.
    pub audit_head_file: Option<PathBuf>,
    /// How often the heads are checked for a change to write.
    pub audit_head_interval: Duration,
    /// Mounts the benchmark-only pages (`routes::bench`).
    #[cfg(feature = "bench")]
    pub bench_routes: bool,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            sync_interval: Duration::from_secs(5 * 60),
            huawei_endpoint: None,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            memory_cache: true,
            metrics: MetricsAccess::new(None, None, false),
            trusted_proxies: Vec::new(),
            audit_head_file: None,
            audit_head_interval: Duration::from_secs(60),
            #[cfg(feature = "bench")]
            bench_routes: false,
        }
    }
}

impl AppConfig {
    /// Whether cookies get the Secure flag.
    /// Whether browsers reach the panel over https only: then `Strict-Transport-Security`
    /// is sent too.
    pub fn https_only(&self) -> bool {
        self.secure_cookies()
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// `scheme://host[:port]` of the public URL, as browsers send it in `Origin`.
    pub fn public_origin(&self) -> Option<&str> {
        let url = self.public_url.as_deref()?;
        let after_scheme = url.find("://")? + 3;
        let end = url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i);
        Some(&url[..end])
    }
}

/// Everything `serve` needs, secrets included.
pub struct ServeConfig {
    pub app: AppConfig,
    pub database_url: SecretString,
    pub keyring: Keyring,
}

impl fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeConfig")
            .field("app", &self.app)
            .field("database_url", &"[REDACTED]")
            .field("keyring", &self.keyring)
            .finish()
    }
}

/// All that is wrong with the settings, one line each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lightdeck serve cannot start:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl ServeConfig {
    /// Checks the flags (clap already filled them from the environment) and reads the master
    /// key from `LIGHTDECK_MASTER_KEY` (and `LIGHTDECK_OLD_MASTER_KEYS`).
    pub fn from_args(args: &ServeArgs) -> Result<ServeConfig, ConfigError> {
        let mut problems = Vec::new();
        let defaults = AppConfig::default();

        let database_url = match args.database_url.as_deref().map(str::trim) {
            None | Some("") => {
                problems.push(format!(
                    "{DATABASE_URL_VAR} is not set: set it to the PostgreSQL connection URL, \
                     e.g. postgres://lightdeck:PASSWORD@localhost/lightdeck"
                ));
                None
            }
            Some(url) if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) => {
                problems.push(format!(
                    "{DATABASE_URL_VAR} must start with postgres:// or postgresql://"
                ));
                None
            }
            Some(url) => Some(SecretString::from(url.to_owned())),
        };

        let keyring = match Keyring::from_env() {
            Ok(Some(ring)) => Some(ring),
            Ok(None) => {
                problems.push(format!(
                    "{MASTER_KEY_VAR} is not set: it encrypts the cloud credentials; create one \
                     with `openssl rand -base64 32` and keep it safe (without it stored \
                     credentials cannot be read)"
                ));
                None
            }
            // The domain's message names the variable and never contains the key.
            Err(e) => {
                problems.push(e.to_string().trim_start_matches("secret storage: ").to_owned());
                None
            }
        };

        let listen = match args.listen.as_deref().map(str::trim) {
            None | Some("") => defaults.listen,
            Some(s) => s.parse().unwrap_or_else(|_| {
                problems.push(format!(
                    "{LISTEN_VAR} must be an address and port such as 127.0.0.1:8080 or \
                     [::1]:8080, not {s:?}"
                ));
                defaults.listen
            }),
        };

        let public_url = match args.public_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => match check_url(u) {
                Ok(()) => Some(u.trim_end_matches('/').to_owned()),
                Err(why) => {
                    problems.push(format!("{PUBLIC_URL_VAR} {why}"));
                    None
                }
            },
        };

        // Reachable from other machines, the panel must know the address people type: it is
        // the only origin allowed to send forms, and https marks the cookie Secure.
        if !listen.ip().is_loopback() && public_url.is_none() {
            problems.push(format!(
                "{LISTEN_VAR} is {listen}, which other machines can reach, but {PUBLIC_URL_VAR} \
                 is not set: set it to the address people open (e.g. https://panel.example.com, \
                 behind a reverse proxy that terminates HTTPS), or listen on 127.0.0.1"
            ));
        }

        let huawei_endpoint = match args.huawei_endpoint.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => match check_url(u) {
                Ok(()) => Some(u.to_owned()),
                Err(why) => {
                    problems.push(format!("{HUAWEI_ENDPOINT_VAR} {why}"));
                    None
                }
            },
        };

        let mut duration = |value: &Option<String>, var: &str, default: Duration| match value
            .as_deref()
            .map(str::trim)
        {
            None | Some("") => default,
            Some(s) => parse_duration(s).unwrap_or_else(|why| {
                problems.push(format!("{var} {why}"));
                default
            }),
        };
        let sync_interval =
            duration(&args.sync_interval, SYNC_INTERVAL_VAR, defaults.sync_interval);
        let session_idle = duration(&args.session_idle, SESSION_IDLE_VAR, defaults.session_idle);
        let session_absolute =
            duration(&args.session_max, SESSION_MAX_VAR, defaults.session_absolute);
        if session_idle > session_absolute {
            problems.push(format!("{SESSION_IDLE_VAR} must not be longer than {SESSION_MAX_VAR}"));
        }

        let metrics = metrics_access(args, public_url.is_some(), &mut problems);
        let trusted_proxies = match args.trusted_proxies.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some(s) => parse_list(s).unwrap_or_else(|why| {
                problems.push(format!(
                    "{TRUSTED_PROXIES_VAR}: {why} (give addresses or CIDRs, e.g. \
                     127.0.0.1,10.0.0.0/8)"
                ));
                Vec::new()
            }),
        };

        let audit_head_file = match args.audit_head_file.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(PathBuf::from(p)),
        };

        match (database_url, keyring) {
            (Some(database_url), Some(keyring)) if problems.is_empty() => Ok(ServeConfig {
                app: AppConfig {
                    listen,
                    public_url,
                    sync_interval,
                    huawei_endpoint,
                    session_idle,
                    session_absolute,
                    memory_cache: !args.no_memory_cache,
                    metrics,
                    trusted_proxies,
                    audit_head_file,
                    audit_head_interval: defaults.audit_head_interval,
                    #[cfg(feature = "bench")]
                    bench_routes: args.bench_routes,
                },
                database_url,
                keyring,
            }),
            _ => Err(ConfigError(problems)),
        }
    }
}

/// `LIGHTDECK_METRICS_LISTEN` and `LIGHTDECK_METRICS_TOKEN`. A listener other machines can
/// reach needs the token: the metrics are not for strangers.
fn metrics_access(args: &ServeArgs, public: bool, problems: &mut Vec<String>) -> MetricsAccess {
    let listen = match args.metrics_listen.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match s.parse::<SocketAddr>() {
            Ok(addr) => Some(addr),
            Err(_) => {
                problems.push(format!(
                    "{METRICS_LISTEN_VAR} must be an address and port such as 127.0.0.1:9464, \
                     not {s:?}"
                ));
                None
            }
        },
    };
    let token = match args.metrics_token.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) if t.chars().count() < MIN_TOKEN_CHARS || t.chars().any(char::is_whitespace) => {
            // The message never repeats the token.
            problems.push(format!(
                "{METRICS_TOKEN_VAR} must be at least {MIN_TOKEN_CHARS} characters without \
                 spaces (e.g. from `openssl rand -hex 32`)"
            ));
            None
        }
        Some(t) => Some(t),
    };
    if let Some(addr) = listen.filter(|a| !a.ip().is_loopback())
        && token.is_none()
    {
        problems.push(format!(
            "{METRICS_LISTEN_VAR} is {addr}, which other machines can reach, but \
             {METRICS_TOKEN_VAR} is not set: set a token or listen on 127.0.0.1"
        ));
    }
    MetricsAccess::new(listen, token, public)
}

fn check_url(u: &str) -> Result<(), String> {
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or_else(|| format!("must start with http:// or https://, not {u:?}"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("is not a valid URL: {u:?}"));
    }
    Ok(())
}

/// `90`, `90s`, `15m`, `12h`: seconds when there is no unit; between 1 s and 30 days.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let scale = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "must be a number with an optional unit s, m, h or d (e.g. 5m), not {s:?}"
            ));
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("must start with a whole number (e.g. 5m), not {s:?}"))?;
    let secs = n.saturating_mul(scale);
    if !(1..=30 * 86_400).contains(&secs) {
        return Err(format!("must be between 1 second and 30 days, not {s:?}"));
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert!(parse_duration("0").unwrap_err().contains("between"));
        assert!(parse_duration("5 weeks").unwrap_err().contains("unit"));
        assert!(parse_duration("m").unwrap_err().contains("whole number"));
        assert!(parse_duration("99999d").unwrap_err().contains("between"));
    }

    #[test]
    fn public_origin_and_secure_flag() {
        let mut c = AppConfig {
            public_url: Some("https://panel.example.com:8443/base".into()),
            ..AppConfig::default()
        };
        assert_eq!(c.public_origin(), Some("https://panel.example.com:8443"));
        assert!(c.secure_cookies());
        c.public_url = Some("http://10.0.0.5:8080".into());
        assert_eq!(c.public_origin(), Some("http://10.0.0.5:8080"));
        assert!(!c.secure_cookies());
    }

    #[test]
    fn urls() {
        assert!(check_url("https://x.example").is_ok());
        assert!(check_url("ftp://x").unwrap_err().contains("http://"));
        assert!(check_url("https:///path").unwrap_err().contains("valid URL"));
    }
}
