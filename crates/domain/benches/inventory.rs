//! Inventory speed: 10,000 instances across 10 accounts of one team; a filtered, sorted
//! page of 50 (first and a later page), and the full sync that loads them.
//!
//! Run: `cargo bench -p lightdeck-domain --bench inventory`.

use std::time::{Duration, Instant};

use lightdeck_domain::inventory::{
    self, InstanceFilter, InstanceSort, InstanceState, PageRequest, SortKey, SyncedInstance,
};
use lightdeck_domain::testing::TestDb;
use lightdeck_huaweicloud::{InstanceId, PackageId, Region, ServerId};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

const STATUSES: [&str; 5] = ["ACTIVE", "ACTIVE", "ACTIVE", "SHUTOFF", "REBOOT"];

fn instance(n: u32) -> SyncedInstance {
    let instance_id: InstanceId = format!("{n:024x}").parse().unwrap();
    let server_id: ServerId = format!("{n:08x}-0000-4000-8000-000000000000").parse().unwrap();
    let package: PackageId = format!("{n:08x}-1111-4000-8000-000000000000").parse().unwrap();
    SyncedInstance {
        server_id: Some(server_id),
        traffic_package_id: Some(package),
        spec_code: Some("hcss.l1.2c2g".into()),
        image_name: Some("Ubuntu".into()),
        image_version: Some("22.04".into()),
        private_ips: vec![format!("192.168.{}.{}", n / 250, n % 250)],
        public_ips: vec![format!("121.37.{}.{}", n / 250, n % 250)],
        expires_at: Some(
            OffsetDateTime::now_utc() + Duration::from_secs(3600 * u64::from(n % 900)),
        ),
        auto_renew: Some(n.is_multiple_of(3)),
        traffic_remaining_gb: Some(f64::from(n % 1024)),
        traffic_total_gb: Some(1024.0),
        raw: serde_json::json!({"resource_id": format!("{n:024x}"), "properties": {"status": "RUNNING"}}),
        ..SyncedInstance::new(instance_id, format!("node-{n:05}"), STATUSES[(n % 5) as usize])
    }
}

async fn setup(pool: &PgPool) -> Uuid {
    let team = Uuid::new_v4();
    sqlx::query("INSERT INTO teams (id, name) VALUES ($1, 'bench')")
        .bind(team)
        .execute(pool)
        .await
        .unwrap();
    let regions = [Region::CnNorth4, Region::CnEast3, Region::CnSouth1, Region::ApSoutheast1];
    let start = Instant::now();
    for a in 0..10u32 {
        let account = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO cloud_accounts (id, team_id, name, domain_name, access_key_id, secret_key_key_id, \
             secret_key_sealed) VALUES ($1, $2, $3, 'hw', 'AK', 'k1', '\\x00')",
        )
        .bind(account)
        .bind(team)
        .bind(format!("account-{a}"))
        .execute(pool)
        .await
        .unwrap();
        let items: Vec<SyncedInstance> = (a * 1000..(a + 1) * 1000).map(instance).collect();
        inventory::upsert_from_sync(pool, account, regions[(a % 4) as usize], &items)
            .await
            .unwrap();
    }
    println!("sync of 10 accounts × 1,000 instances: {:.2?}", start.elapsed());
    // A second team of the same size, so the team filter has something to skip.
    let other = Uuid::new_v4();
    sqlx::query("INSERT INTO teams (id, name) VALUES ($1, 'other')")
        .bind(other)
        .execute(pool)
        .await
        .unwrap();
    let account = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO cloud_accounts (id, team_id, name, domain_name, access_key_id, secret_key_key_id, \
         secret_key_sealed) VALUES ($1, $2, 'x', 'hw', 'AK', 'k1', '\\x00')",
    )
    .bind(account)
    .bind(other)
    .execute(pool)
    .await
    .unwrap();
    let items: Vec<SyncedInstance> = (20_000..30_000).map(instance).collect();
    let t = Instant::now();
    inventory::upsert_from_sync(pool, account, Region::CnNorth4, &items).await.unwrap();
    println!("sync of 1 account × 10,000 instances: {:.2?}", t.elapsed());
    let t = Instant::now();
    let r = inventory::upsert_from_sync(pool, account, Region::CnNorth4, &items).await.unwrap();
    println!("re-sync of the same 10,000 (unchanged {}): {:.2?}", r.unchanged, t.elapsed());
    sqlx::query("ANALYZE instances").execute(pool).await.unwrap();
    team
}

async fn measure(
    pool: &PgPool,
    team: Uuid,
    name: &str,
    filter: &InstanceFilter,
    sort: InstanceSort,
) {
    let first = inventory::list(pool, team, filter, sort, &PageRequest::first(50)).await.unwrap();
    let cursor = first.next_cursor.clone();
    for (label, page) in
        [("page 1", PageRequest::first(50)), ("page 2", PageRequest { cursor, limit: 50 })]
    {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..300 {
            let t = Instant::now();
            rows = inventory::list(pool, team, filter, sort, &page).await.unwrap().items.len();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{name}, {label}: {rows} rows, median {:.2?}, p95 {:.2?}",
            times[times.len() / 2],
            times[times.len() * 95 / 100]
        );
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = TestDb::new().await;
        let pool = db.pool();
        let team = setup(pool).await;
        let running_in_region = InstanceFilter {
            state: Some(InstanceState::Running),
            region: Some(Region::CnEast3),
            ..Default::default()
        };
        measure(
            pool,
            team,
            "running in cn-east-3 by expiry desc",
            &running_in_region,
            InstanceSort::desc(SortKey::Expiry),
        )
        .await;
        measure(
            pool,
            team,
            "all by name",
            &InstanceFilter::default(),
            InstanceSort::asc(SortKey::Name),
        )
        .await;
        measure(
            pool,
            team,
            "all by traffic left",
            &InstanceFilter::default(),
            InstanceSort::asc(SortKey::TrafficLeft),
        )
        .await;
        let text = InstanceFilter { text: Some("121.37.1".into()), ..Default::default() };
        measure(pool, team, "text '121.37.1' by status", &text, InstanceSort::asc(SortKey::Status))
            .await;
        let stopped = InstanceFilter { state: Some(InstanceState::Stopped), ..Default::default() };
        measure(pool, team, "stopped by name desc", &stopped, InstanceSort::desc(SortKey::Name))
            .await;
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..50 {
            let t = Instant::now();
            total = inventory::dashboard_counts(pool, team, 7, 10.0).await.unwrap().total;
            times.push(t.elapsed());
        }
        times.sort();
        println!("dashboard counts ({total} instances): median {:.2?}", times[times.len() / 2]);
    });
}
