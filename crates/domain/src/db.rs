//! Connecting and migrating: either the server `DATABASE_URL` names, or a private cluster.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

use crate::pg::{PgBinaries, PgCluster};
use crate::{Error, Result};

/// Every migration in the workspace's `migrations/` folder, embedded at build time.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// The database `lightdeck demo` creates in its private cluster.
pub const PRIVATE_DATABASE: &str = "lightdeck";

/// A pool for `url`.
pub async fn connect(url: &str) -> Result<PgPool> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(Error::field("DATABASE_URL", "must start with postgres:// or postgresql://"));
    }
    let options = PgConnectOptions::from_str(url).map_err(|e| {
        // sqlx's message can quote the URL, and with it the password.
        tracing::debug!(error = %e, "DATABASE_URL does not parse");
        Error::field("DATABASE_URL", "is not a valid postgres:// URL")
    })?;
    connect_with(options).await
}

pub async fn connect_with(options: PgConnectOptions) -> Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
        // The default pings the server before every checkout: a round trip per query, and a
        // page runs several. A connection that died is still found out on use (the query fails
        // and sqlx drops it, the pool opens a fresh one), so the ping buys little.
        .test_before_acquire(false)
        .connect_with(options)
        .await?)
}

/// Applies the migrations this build knows and that the database has not seen.
///
/// When every one is already applied, nothing is run: the panel may connect as a runtime
/// role that owns no table and may not create any (README, "a separate runtime role"),
/// and sqlx's migrator would start with `CREATE TABLE IF NOT EXISTS _sqlx_migrations`,
/// which such a role is refused even when the table exists.
pub async fn migrate(pool: &PgPool) -> Result<()> {
    if all_applied(pool).await {
        return Ok(());
    }
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Whether the database has applied (successfully, and with the same checksum) every
/// migration of this build. Any doubt — no table, no permission to read it, an edited
/// migration — says no, and the migrator decides (and reports).
async fn all_applied(pool: &PgPool) -> bool {
    let applied: Vec<(i64, Vec<u8>)> =
        match sqlx::query_as("select version, checksum from _sqlx_migrations where success")
            .fetch_all(pool)
            .await
        {
            Ok(rows) => rows,
            Err(_) => return false,
        };
    MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .all(|m| applied.iter().any(|(v, sum)| *v == m.version && **sum == *m.checksum))
}

/// Where Lightdeck keeps its data.
#[derive(Debug)]
pub enum Database {
    /// A server someone else runs (`DATABASE_URL`).
    Url(String),
    /// A private cluster this process started or reused, holding [`PRIVATE_DATABASE`].
    Private(PgCluster),
}

impl Database {
    /// `DATABASE_URL` when set (and not empty), else a private cluster kept in `dir`.
    /// Without either, the error says how to get PostgreSQL.
    pub async fn from_env_or_private(dir: &Path) -> Result<Database> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => Ok(Database::Url(url)),
            _ => Database::private(PgBinaries::find()?, dir).await,
        }
    }

    /// Starts (or reuses) the persistent cluster for `dir` (see
    /// [`PgCluster::start_persistent`] for when it lives elsewhere) and makes sure it has the
    /// [`PRIVATE_DATABASE`] database.
    pub async fn private(bins: PgBinaries, dir: &Path) -> Result<Database> {
        let cluster = PgCluster::start_persistent(bins, dir.to_path_buf()).await?;
        let mut conn = cluster.connect_options("postgres").connect().await?;
        create_database_if_missing(&mut conn, PRIVATE_DATABASE).await?;
        sqlx::Connection::close(conn).await?;
        Ok(Database::Private(cluster))
    }

    /// The private cluster, if that is where the data lives.
    pub fn cluster(&self) -> Option<&PgCluster> {
        match self {
            Database::Url(_) => None,
            Database::Private(cluster) => Some(cluster),
        }
    }

    /// A connection URL (for a private cluster it names the socket folder).
    pub fn url(&self) -> String {
        match self {
            Database::Url(url) => url.clone(),
            Database::Private(cluster) => cluster.url(PRIVATE_DATABASE),
        }
    }

    pub async fn connect(&self) -> Result<PgPool> {
        match self {
            Database::Url(url) => connect(url).await,
            Database::Private(cluster) => {
                connect_with(cluster.connect_options(PRIVATE_DATABASE)).await
            }
        }
    }

    /// Shuts a private cluster down cleanly; nothing to do for a URL.
    pub async fn stop(self) -> Result<()> {
        match self {
            Database::Url(_) => Ok(()),
            Database::Private(cluster) => cluster.stop().await,
        }
    }
}

/// `CREATE DATABASE` has no `IF NOT EXISTS`.
pub(crate) async fn create_database_if_missing(
    conn: &mut sqlx::PgConnection,
    name: &str,
) -> Result<()> {
    let exists: bool =
        sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
            .bind(name)
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        sqlx::query(&format!("create database {}", quote_ident(name))).execute(&mut *conn).await?;
    }
    Ok(())
}

/// A double-quoted SQL identifier, for the statements that cannot take parameters.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The constraint a unique violation names, so callers can turn it into a field error.
pub(crate) fn violated_unique(e: &sqlx::Error) -> Option<&str> {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => db.constraint(),
        _ => None,
    }
}
