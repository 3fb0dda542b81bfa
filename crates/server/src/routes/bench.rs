//! Benchmark-only pages, compiled only with the `bench` feature and mounted only with
//! `serve --bench-routes` (a hidden flag of that build; never in production). `/bench/fortunes` is TechEmpower's "Fortunes" test on this stack: one SELECT
//! of 12 rows, one row added in memory, a sort, an askama render. `scripts/bench-panel.sh`
//! measures the instances page against it, so the figure says what the panel's own work
//! costs beyond the framework, the pool and the template engine.
//!
//! The SQL lives here rather than in the domain crate because the table is benchmark data,
//! not Lightdeck's: it is created on first use, not by a migration.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use sqlx::PgPool;

use crate::error::AppError;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;

pub const FORTUNES_PATH: &str = "/bench/fortunes";

pub fn routes(t: RouteTable) -> RouteTable {
    t.get(FORTUNES_PATH, Access::Public, fortunes)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Fortune {
    pub id: i32,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bench/fortunes.html")]
struct FortunesPage {
    fortunes: Vec<Fortune>,
}

async fn fortunes(State(state): State<AppState>) -> Result<FortunesPage, AppError> {
    let mut fortunes = load(&state.db).await.map_err(AppError::internal)?;
    fortunes
        .push(Fortune { id: 0, message: "Additional fortune added at request time.".to_owned() });
    fortunes.sort_unstable_by(|a, b| a.message.cmp(&b.message));
    Ok(FortunesPage { fortunes })
}

const SELECT: &str = "select id, message from bench_fortunes";

async fn load(pool: &PgPool) -> Result<Vec<Fortune>, sqlx::Error> {
    match sqlx::query_as(SELECT).fetch_all(pool).await {
        // undefined_table: the first request on this database creates it.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => {
            create(pool).await?;
            sqlx::query_as(SELECT).fetch_all(pool).await
        }
        other => other,
    }
}

/// TechEmpower's twelve fortunes (with their HTML and non-ASCII, which test escaping).
const FORTUNES: [&str; 12] = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "フレームワークのベンチマーク",
];

async fn create(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Concurrent first requests would race on CREATE TABLE IF NOT EXISTS.
    sqlx::query("select pg_advisory_xact_lock(hashtext('lightdeck bench_fortunes'))")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "create table if not exists bench_fortunes (id integer primary key, message text not null)",
    )
    .execute(&mut *tx)
    .await?;
    for (i, message) in FORTUNES.iter().enumerate() {
        sqlx::query(
            "insert into bench_fortunes (id, message) values ($1, $2) on conflict do nothing",
        )
        .bind(i as i32 + 1)
        .bind(message)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
