//! The `lightdeck` command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use crate::commands::sim::SimArgs;

#[derive(Parser)]
#[command(
    name = "lightdeck",
    version,
    about = "Lightdeck: a self-hosted control panel for Huawei Cloud Flexus L instances",
    long_about = "Lightdeck: a self-hosted control panel for Huawei Cloud Flexus L instances.\n\n\
        Commands that use the database read DATABASE_URL; those that touch cloud credentials \
        also read LIGHTDECK_MASTER_KEY. `lightdeck demo` needs neither."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web panel (and its background workers).
    ///
    /// Needs DATABASE_URL and LIGHTDECK_MASTER_KEY. Applies any pending database migrations
    /// before it starts, so `lightdeck migrate` is not needed first.
    Serve(ServeArgs),
    /// Apply database migrations (DATABASE_URL) and exit.
    Migrate(DbArgs),
    /// Manage Lightdeck users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage teams and their members.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Manage a team's Huawei Cloud accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Check the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run cloudsim, a local and strict stand-in for the Huawei Cloud APIs (IAM, HCSS, RMS,
    /// ECS, BSS), seeded with sample accounts and instances, and print its credentials.
    ///
    /// The credentials are simulator credentials, printed on purpose. Admin endpoints live
    /// under /_sim/ (state, request log, clock, faults); keep the default loopback address.
    Sim(SimArgs),
    /// Try Lightdeck on this machine: a private PostgreSQL under ./.lightdeck/, cloudsim with
    /// sample accounts, a team "Demo" with users alice (owner), bob (operator) and carol
    /// (viewer), and the panel. Prints the URL and, on the first run, the passwords.
    Demo(DemoArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// PostgreSQL connection URL (required).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "LIGHTDECK_LISTEN")]
    pub listen: Option<String>,
    /// The URL people use to reach the panel, e.g. https://panel.example.com. With https
    /// the session cookie is marked Secure; requests from other origins are refused.
    #[arg(long, env = "LIGHTDECK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How often each account's inventory is synced, e.g. 5m [default: 5m].
    #[arg(long, env = "LIGHTDECK_SYNC_INTERVAL")]
    pub sync_interval: Option<String>,
    /// Base URL used for every Huawei Cloud service instead of Huawei's endpoints (e.g.
    /// cloudsim's URL).
    #[arg(long, env = "LIGHTDECK_HUAWEI_ENDPOINT")]
    pub huawei_endpoint: Option<String>,
    /// Sign a session out after this long without a request [default: 30m].
    #[arg(long, env = "LIGHTDECK_SESSION_IDLE")]
    pub session_idle: Option<String>,
    /// Sign a session out this long after sign-in, however active [default: 12h].
    #[arg(long, env = "LIGHTDECK_SESSION_MAX")]
    pub session_max: Option<String>,
    /// Read sessions, users and account lists from PostgreSQL on every request instead of
    /// keeping them in memory (needed when the database connection cannot LISTEN, e.g.
    /// through PgBouncer in transaction pooling mode).
    #[arg(long, env = "LIGHTDECK_NO_MEMORY_CACHE")]
    pub no_memory_cache: bool,
    /// Serve /metrics on this address only, e.g. 127.0.0.1:9464 (with a public URL and
    /// neither this nor a token, /metrics is off).
    #[arg(long, env = "LIGHTDECK_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// Reverse proxies (addresses or CIDRs, comma-separated) whose Forwarded /
    /// X-Forwarded-For headers name the client; from anyone else they are ignored.
    #[arg(long, env = "LIGHTDECK_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Require `Authorization: Bearer TOKEN` for /metrics (at least 32 characters).
    #[arg(long, env = "LIGHTDECK_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Append the audit chains' signed heads to this file, at least every minute something
    /// changed and at shutdown, for `lightdeck audit verify --head` (keep it where the
    /// database user cannot rewrite it) [default: off].
    #[arg(long, env = "LIGHTDECK_AUDIT_HEAD_FILE")]
    pub audit_head_file: Option<String>,
    /// Also serve the benchmark-only pages (`scripts/bench-panel.sh`; only in a build with
    /// the `bench` feature, never in production).
    #[cfg(feature = "bench")]
    #[arg(long, hide = true)]
    pub bench_routes: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password comes from a prompt, from standard input
    /// (--password-stdin) or is generated and printed once (--generate-password).
    Add(UserAddArgs),
    /// Set a user's password (prompt, --password-stdin or --generate-password).
    Passwd(UserPasswdArgs),
    /// Disable a user: their sessions end at once and they cannot sign in.
    Disable(UserLoginArgs),
    /// Enable a disabled user again (they sign in with their password as before).
    Enable(UserLoginArgs),
    /// Remove a user's second factor (a lost phone and no recovery codes left; also a site
    /// administrator's own, which the users page cannot reset): their sessions end, and
    /// they sign in with their password and may set up a new one.
    ResetSecondFactor(UserLoginArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UserLoginArgs {
    pub login: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input.
    #[arg(long, conflicts_with = "generate_password")]
    pub password_stdin: bool,
    /// Generate a random password and print it once.
    #[arg(long)]
    pub generate_password: bool,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Sign-in name: 3-32 lowercase letters, digits, '.', '_' or '-', starting with a letter.
    pub login: String,
    /// Name shown in the panel and the audit log [default: the login].
    #[arg(long)]
    pub display_name: Option<String>,
    /// Make the user a site administrator.
    #[arg(long)]
    pub site_admin: bool,
    /// Language of the panel for this user: en or zh-CN.
    #[arg(long, default_value = "en")]
    pub language: String,
    #[command(flatten)]
    pub password: PasswordSource,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct UserPasswdArgs {
    pub login: String,
    #[command(flatten)]
    pub password: PasswordSource,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Create a team.
    Add(TeamAddArgs),
    /// Manage a team's members.
    #[command(subcommand)]
    Member(MemberCommand),
}

#[derive(Debug, Args)]
pub struct TeamAddArgs {
    pub name: String,
    /// Make this user the team's first owner.
    #[arg(long)]
    pub owner: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a user to a team with a role: viewer, operator, admin or owner.
    Add(MemberAddArgs),
}

#[derive(Debug, Args)]
pub struct MemberAddArgs {
    /// Team name.
    pub team: String,
    /// The user's login.
    pub login: String,
    /// viewer, operator, admin or owner.
    pub role: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Connect a Huawei Cloud account to a team. The credentials are checked against the
    /// cloud and the project id of each region is looked up before anything is stored.
    /// Needs LIGHTDECK_MASTER_KEY (the secrets are stored encrypted).
    Add(AccountAddArgs),
    /// Re-seal every stored cloud account secret (SK, IAM password) under the current master
    /// key, after a key rotation, and print how many were re-sealed.
    ///
    /// Set the new key in LIGHTDECK_MASTER_KEY and the old one(s) in
    /// LIGHTDECK_OLD_MASTER_KEYS (comma-separated), run this, then remove the old keys.
    /// Secrets already sealed with the current key are left alone, so running it again is
    /// harmless. If a secret cannot be opened with the keys given, it stops there, naming
    /// the missing key; what was re-sealed before stays re-sealed.
    Reencrypt(DbArgs),
}

#[derive(Debug, Args)]
pub struct AccountAddArgs {
    /// Team name.
    #[arg(long)]
    pub team: String,
    /// A name for the account within the team, e.g. "Production".
    #[arg(long)]
    pub name: String,
    /// Access key id (AK); the secret key (SK) is read from standard input (--sk-stdin).
    #[arg(long, requires = "sk_stdin")]
    pub ak: Option<String>,
    /// Read the secret access key (SK) from the first line of standard input.
    #[arg(long, requires = "ak")]
    pub sk_stdin: bool,
    /// Huawei account (IAM domain) name; needed for IAM user sign-in, found from the AK/SK
    /// otherwise.
    #[arg(long)]
    pub iam_account: Option<String>,
    /// IAM user name; the password is read from standard input (--iam-password-stdin).
    #[arg(long, requires_all = ["iam_password_stdin", "iam_account"])]
    pub iam_user: Option<String>,
    /// Read the IAM user's password from standard input (the line after the SK when both
    /// are given).
    #[arg(long, requires = "iam_user")]
    pub iam_password_stdin: bool,
    /// Regions to enable, comma-separated, e.g. cn-north-4,ap-southeast-1.
    #[arg(long, value_delimiter = ',', required = true)]
    pub regions: Vec<String>,
    /// Base URL used for every Huawei Cloud service (e.g. cloudsim's URL).
    #[arg(long, env = "LIGHTDECK_HUAWEI_ENDPOINT")]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk each team's audit chain (and, without --team, those of deleted teams and the
    /// site's own chain of user and team changes) and report the first broken link. Exit
    /// status 0 when every chain is intact, 1 when one is broken, 2 when the check could
    /// not run.
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Check only this team (by name).
    #[arg(long)]
    pub team: Option<String>,
    /// Also check the database against every signed line of this head file (written by
    /// `lightdeck serve` with LIGHTDECK_AUDIT_HEAD_FILE): catches deleted newest events and
    /// recomputed chains. Needs LIGHTDECK_MASTER_KEY.
    #[arg(long, value_name = "FILE")]
    pub head: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Address and port for the panel.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Print one JSON line {"url", "users": [{"login", "password", "role"}]} instead of text.
    #[arg(long)]
    pub json: bool,
    /// Where the demo keeps its database and key.
    #[arg(long, default_value = ".lightdeck")]
    pub dir: PathBuf,
}
