//! Audit log speed: durable appends (one team, then 8 in parallel), the newest page of one
//! team among 1,000,000 events with filters, and verifying a 100,000-event chain.
//!
//! Appends run on a private cluster with default (durable) settings and
//! `synchronous_commit = on`: the throwaway test cluster runs with fsync off, which would
//! flatter them. The read benchmarks use `TestDb`.
//!
//! Bulk-load shortcut: the 100,000 events of the team that is verified and queried form a
//! valid chain computed here; the 900,000 events of the 7 other teams are generated in SQL
//! with placeholder hashes (their chains are never verified).
//!
//! Run: `cargo bench -p lightdeck-domain --bench audit`.

use std::time::{Duration, Instant};

use lightdeck_domain::audit::{
    self, AuditEvent, AuditEventDraft, AuditFilter, Outcome, SessionHash, chain,
};
use lightdeck_domain::db::Database;
use lightdeck_domain::inventory::PageRequest;
use lightdeck_domain::pg::PgBinaries;
use lightdeck_domain::testing::TestDb;
use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use time::OffsetDateTime;
use uuid::Uuid;

const KINDS: [&str; 8] =
    ["start", "stop", "reboot", "update", "reset_password", "renew", "unsubscribe", "purchase"];
const OUTCOMES: [&str; 4] = ["requested", "accepted", "succeeded", "failed"];

fn draft(team: Uuid, i: u64) -> AuditEventDraft {
    AuditEventDraft {
        actor_user_id: Some(Uuid::from_u128(u128::from(i % 20))),
        actor_name: Some(format!("user {}", i % 20)),
        source_ip: Some("198.51.100.7".parse().unwrap()),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0".into()),
        session_hash: Some(SessionHash::of("bench-session")),
        target_kind: Some("instance".into()),
        target_ids: vec![format!("{:024x}", i % 10_000)],
        account_id: Some(Uuid::from_u128(1)),
        region: Some("cn-north-4".into()),
        params: json!({"type": "SOFT"}),
        panel_request_id: Some(format!("req-{i}")),
        ..AuditEventDraft::new(
            team,
            format!("instance.{}.requested", KINDS[(i % 8) as usize]),
            Outcome::Requested,
        )
    }
}

fn median(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() * 95 / 100])
}

async fn bench_appends(pool: &PgPool) {
    let on: String = sqlx::query_scalar("SHOW synchronous_commit").fetch_one(pool).await.unwrap();
    let fsync: String = sqlx::query_scalar("SHOW fsync").fetch_one(pool).await.unwrap();
    println!("appends: synchronous_commit={on}, fsync={fsync}, one transaction per event");

    let team = Uuid::new_v4();
    for i in 0..100 {
        audit::append(pool, draft(team, i)).await.unwrap(); // warm up
    }
    let n = 2_000u64;
    let start = Instant::now();
    for i in 0..n {
        audit::append(pool, draft(team, i)).await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!("  1 team:   {n} events in {secs:.2} s = {:.0} events/s", n as f64 / secs);

    let per = 1_000u64;
    let start = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let pool = pool.clone();
            let team = Uuid::new_v4();
            tokio::spawn(async move {
                for i in 0..per {
                    audit::append(&pool, draft(team, i)).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "  8 teams:  {} events in {secs:.2} s = {:.0} events/s",
        8 * per,
        (8 * per) as f64 / secs
    );
}

async fn durable_appends() {
    let dir = std::env::temp_dir().join(format!("lightdeck-bench-{}", Uuid::new_v4().simple()));
    let database = Database::private(PgBinaries::find().unwrap(), &dir).await.unwrap();
    let url = database.url();
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET synchronous_commit = on").execute(conn).await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .unwrap();
    lightdeck_domain::db::migrate(&pool).await.unwrap();
    bench_appends(&pool).await;
    pool.close().await;

    // The same without waiting for the WAL flush, to show what the disk's fsync costs.
    let relaxed = PgPoolOptions::new()
        .max_connections(16)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET synchronous_commit = off").execute(conn).await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .unwrap();
    println!("for comparison, NOT durable:");
    bench_appends(&relaxed).await;
    relaxed.close().await;
    database.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The verified team's chain, computed here and inserted in batches.
async fn load_valid_chain(pool: &PgPool, team: Uuid, n: u64) {
    let base = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - Duration::from_secs(n);
    let mut prev = chain::GENESIS.to_owned();
    let batch = 5_000u64;
    for start in (0..n).step_by(batch as usize) {
        let mut events: Vec<AuditEvent> = Vec::with_capacity(batch as usize);
        for i in start..(start + batch).min(n) {
            let d = draft(team, i);
            let mut e = AuditEvent {
                id: 0,
                team_id: team,
                seq: i as i64 + 1,
                occurred_at: base + Duration::from_secs(i),
                actor_user_id: d.actor_user_id,
                actor_name: d.actor_name,
                source_ip: d.source_ip,
                user_agent: d.user_agent,
                session_hash: d.session_hash.map(String::from),
                action: d.action,
                target_kind: d.target_kind,
                target_ids: d.target_ids,
                account_id: d.account_id,
                region: d.region,
                params: d.params,
                request_id: None,
                job_id: None,
                order_id: None,
                http_status: None,
                error_code: None,
                error_message: None,
                outcome: if i % 10 == 0 { Outcome::Failed } else { Outcome::Requested },
                panel_request_id: d.panel_request_id,
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = chain::event_hash(&e.prev_hash, &e);
            prev = e.hash.clone();
            events.push(e);
        }
        let col = |f: fn(&AuditEvent) -> Option<String>| events.iter().map(f).collect::<Vec<_>>();
        sqlx::query(
            "INSERT INTO audit_events (team_id, seq, occurred_at, actor_user_id, actor_name, source_ip, \
                 user_agent, session_hash, action, target_kind, target_ids, account_id, region, params, \
                 outcome, panel_request_id, prev_hash, hash) \
             SELECT $1, s, t, a, an, ip, ua, sh, act, 'instance', ARRAY[tg], $2, 'cn-north-4', \
                 '{\"type\":\"SOFT\"}', o, pr, ph, h \
             FROM unnest($3::bigint[], $4::timestamptz[], $5::uuid[], $6::text[], $7::text[], $8::text[], \
                 $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[]) \
                 AS u(s, t, a, an, ip, ua, sh, act, tg, o, pr, ph, h)",
        )
        .bind(team)
        .bind(Uuid::from_u128(1))
        .bind(events.iter().map(|e| e.seq).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.occurred_at).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.actor_user_id).collect::<Vec<_>>())
        .bind(col(|e| e.actor_name.clone()))
        .bind(col(|e| e.source_ip.map(|i| i.to_string())))
        .bind(col(|e| e.user_agent.clone()))
        .bind(col(|e| e.session_hash.clone()))
        .bind(col(|e| Some(e.action.clone())))
        .bind(col(|e| e.target_ids.first().cloned()))
        .bind(col(|e| Some(e.outcome.as_str().to_owned())))
        .bind(col(|e| e.panel_request_id.clone()))
        .bind(col(|e| Some(e.prev_hash.clone())))
        .bind(col(|e| Some(e.hash.clone())))
        .execute(pool)
        .await
        .unwrap();
    }
}

async fn load_other_teams(pool: &PgPool, teams: &[Uuid], per_team: i64) {
    sqlx::query(
        "INSERT INTO audit_events (team_id, seq, occurred_at, actor_user_id, actor_name, action, \
             target_kind, target_ids, account_id, region, params, outcome, prev_hash, hash) \
         SELECT t.team, g, now() - make_interval(secs => $2 - g), \
             ('00000000-0000-0000-0000-' || lpad(to_hex(g % 20), 12, '0'))::uuid, 'user', \
             'instance.' || ($3::text[])[1 + g % 8] || '.' || ($4::text[])[1 + g % 4], 'instance', \
             ARRAY[lpad(to_hex(g % 10000), 24, '0')], t.team, 'cn-east-3', '{}', ($4::text[])[1 + g % 4], \
             repeat('0', 64), repeat('0', 64) \
         FROM unnest($1::uuid[]) AS t(team), generate_series(1, $2) AS g",
    )
    .bind(teams)
    .bind(per_team)
    .bind(KINDS.map(String::from).to_vec())
    .bind(OUTCOMES.map(String::from).to_vec())
    .execute(pool)
    .await
    .unwrap();
}

async fn reads_on_a_million() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let team = Uuid::new_v4();
    let others: Vec<Uuid> = (0..7).map(|_| Uuid::new_v4()).collect();
    let start = Instant::now();
    load_valid_chain(pool, team, 100_000).await;
    load_other_teams(pool, &others, 900_000 / 7 + 1).await;
    sqlx::query("ANALYZE audit_events").execute(pool).await.unwrap();
    let total: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events").fetch_one(pool).await.unwrap();
    println!("loaded {total} audit events in {:.1} s", start.elapsed().as_secs_f64());

    let filters = [
        ("no filter", AuditFilter::default()),
        (
            "action prefix instance.reboot.",
            AuditFilter { action_prefix: Some("instance.reboot.".into()), ..Default::default() },
        ),
        (
            "target instance id",
            AuditFilter { target_id: Some(format!("{:024x}", 4242)), ..Default::default() },
        ),
        (
            "actor + outcome failed",
            AuditFilter {
                actor_user_id: Some(Uuid::from_u128(3)),
                outcome: Some(Outcome::Failed),
                ..Default::default()
            },
        ),
        (
            "outcome denied (none)",
            AuditFilter { outcome: Some(Outcome::Denied), ..Default::default() },
        ),
        (
            "last 6 hours",
            AuditFilter {
                from: Some(OffsetDateTime::now_utc() - Duration::from_secs(6 * 3600)),
                ..Default::default()
            },
        ),
    ];
    for (name, filter) in &filters {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..200 {
            let t = Instant::now();
            let page = audit::list(pool, team, filter, &PageRequest::first(50)).await.unwrap();
            times.push(t.elapsed());
            rows = page.items.len();
        }
        let (med, p95) = median(times);
        println!("newest 50 of one team, {name}: {rows} rows, median {med:.2?}, p95 {p95:.2?}");
    }

    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM audit_events \
         WHERE team_id = $1 AND actor_user_id = $2 AND outcome = 'failed' ORDER BY seq DESC LIMIT 51",
    )
    .bind(team)
    .bind(Uuid::from_u128(3))
    .fetch_all(pool)
    .await
    .unwrap();
    println!("EXPLAIN ANALYZE, actor + outcome failed:\n  {}", plan.join("\n  "));

    for _ in 0..3 {
        let t = Instant::now();
        let report = audit::verify(pool, team).await.unwrap();
        assert!(report.is_intact(), "{report:?}");
        println!("verify one team's chain of {}: {:.2?}", report.checked, t.elapsed());
    }

    let t = Instant::now();
    let mut sink = tokio::io::sink();
    let n = audit::export_csv(pool, team, &AuditFilter::default(), &mut sink).await.unwrap();
    println!("export {n} events as CSV: {:.2?}", t.elapsed());
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        durable_appends().await;
        reads_on_a_million().await;
    });
}
