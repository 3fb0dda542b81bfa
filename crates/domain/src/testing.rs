//! Databases for tests and benchmarks: each [`TestDb`] is a fresh database cloned from a
//! template migrated once per process. The server is `DATABASE_URL` when set, else a private
//! throwaway cluster started once per process and removed when the process exits.
//!
//! Nothing shared here holds a connection: every `#[tokio::test]` has its own runtime, and
//! a pool made in one runtime breaks when that runtime ends.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};
use tokio::sync::{Mutex, OnceCell};

use crate::db::{MIGRATOR, quote_ident};
use crate::pg::{PgBinaries, PgCluster};
use crate::{Error, Result};

pub const TEMPLATE: &str = "lightdeck_template";
/// Serializes template migration and cloning across processes sharing one `DATABASE_URL`.
const ADVISORY_LOCK: i64 = 0x4c44_5445_4d50; // "LDTEMP"

struct Server {
    /// Options for the server's maintenance database; `.database(x)` retargets them.
    admin: PgConnectOptions,
    /// `Some` when we started the cluster (kept alive for the whole process).
    cluster: Option<PgCluster>,
}

impl Server {
    fn options(&self, database: &str) -> PgConnectOptions {
        self.admin.clone().database(database)
    }

    fn url(&self, database: &str) -> String {
        match &self.cluster {
            Some(c) => c.url(database),
            None => self.options(database).to_url_lossy().to_string(),
        }
    }

    async fn admin_connection(&self) -> Result<PgConnection> {
        let mut conn = self.admin.connect().await?;
        sqlx::query("select pg_advisory_lock($1)").bind(ADVISORY_LOCK).execute(&mut conn).await?;
        Ok(conn)
    }
}

static SERVER: OnceCell<Server> = OnceCell::const_new();
/// Postgres refuses to clone a template while anything is connected to it.
static CLONE: Mutex<()> = Mutex::const_new(());

async fn server() -> Result<&'static Server> {
    SERVER.get_or_try_init(start_server).await
}

async fn start_server() -> Result<Server> {
    let server = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let admin = PgConnectOptions::from_str(&url)
                .map_err(|_| Error::field("DATABASE_URL", "is not a valid postgres:// URL"))?;
            Server { admin, cluster: None }
        }
        _ => {
            let cluster = PgCluster::start_throwaway(PgBinaries::find()?).await?;
            Server { admin: cluster.connect_options("postgres"), cluster: Some(cluster) }
        }
    };
    let mut conn = server.admin_connection().await?;
    let migrated = prepare_template(&server, &mut conn).await;
    conn.close().await?;
    migrated?;
    Ok(server)
}

/// Creates and migrates the template. On a shared server an old template is migrated
/// forward, or rebuilt if its history no longer matches this build's migrations.
async fn prepare_template(server: &Server, conn: &mut PgConnection) -> Result<()> {
    crate::db::create_database_if_missing(conn, TEMPLATE).await?;
    if migrate_template(server).await.is_ok() {
        return Ok(());
    }
    drop_database(conn, TEMPLATE).await?;
    crate::db::create_database_if_missing(conn, TEMPLATE).await?;
    migrate_template(server).await
}

async fn migrate_template(server: &Server) -> Result<()> {
    let mut conn = server.options(TEMPLATE).connect().await?;
    let result = MIGRATOR.run(&mut conn).await;
    conn.close().await?;
    Ok(result?)
}

async fn drop_database(conn: &mut PgConnection, name: &str) -> Result<()> {
    sqlx::query(&format!("drop database if exists {} with (force)", quote_ident(name)))
        .execute(conn)
        .await?;
    Ok(())
}

/// A fresh, migrated database of its own.
pub struct TestDb {
    name: String,
    pool: PgPool,
    url: String,
    /// Set when the server outlives this process (`DATABASE_URL`), so the clone is dropped.
    drop_with: Option<PgConnectOptions>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("name", &self.name).finish_non_exhaustive()
    }
}

impl TestDb {
    /// Panics with the reason (e.g. how to install PostgreSQL) when no database can be had.
    pub async fn new() -> TestDb {
        match TestDb::try_new().await {
            Ok(db) => db,
            Err(e) => {
                // The causes carry the useful part, e.g. which migration failed and why.
                let mut message = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(cause) = source {
                    message.push_str(&format!(": {cause}"));
                    source = cause.source();
                }
                panic!("no test database: {message}")
            }
        }
    }

    pub async fn try_new() -> Result<TestDb> {
        let server = server().await?;
        let name = format!("lightdeck_test_{}", uuid::Uuid::new_v4().simple());
        {
            let _one_at_a_time = CLONE.lock().await;
            let mut conn = server.admin_connection().await?;
            let created = sqlx::query(&format!(
                "create database {} template {}",
                quote_ident(&name),
                quote_ident(TEMPLATE)
            ))
            .execute(&mut conn)
            .await;
            conn.close().await?;
            created?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(server.options(&name))
            .await?;
        let drop_with = server.cluster.is_none().then(|| server.admin.clone());
        Ok(TestDb { url: server.url(&name), name, pool, drop_with })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A pool connected as a superuser, e.g. to disable a trigger. The private cluster's
    /// only role is its superuser, so this is [`TestDb::pool`]; with `DATABASE_URL` it is the
    /// same connection too, so that URL must name a superuser for such tests.
    pub fn superuser_pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn superuser_url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(admin) = self.drop_with.take() else {
            return; // the private cluster is removed at exit with everything in it
        };
        let name = std::mem::take(&mut self.name);
        // Best effort and in the background: Drop cannot await, and the test's runtime
        // may be shutting down.
        std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = admin.connect().await {
                    let _ = drop_database(&mut conn, &name).await;
                    let _ = conn.close().await;
                }
            });
        });
    }
}
