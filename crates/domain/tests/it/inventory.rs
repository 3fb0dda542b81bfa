//! Inventory against a real Postgres: sync, partial updates, team scoping, keyset paging.

use lightdeck_domain::Error;
use lightdeck_domain::inventory::{
    self, ExpiryUpdate, InstanceFilter, InstanceSort, InstanceState, InstanceSummary, PageRequest,
    SortKey, SyncReport, SyncedInstance, TrafficUpdate,
};
use lightdeck_domain::testing::TestDb;
use lightdeck_huaweicloud::{InstanceId, PackageId, Region, ServerId};
use sqlx::PgPool;
use time::macros::datetime;
use uuid::Uuid;

async fn team(pool: &PgPool) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2)")
        .bind(id)
        .bind(format!("team-{id}"))
        .execute(pool)
        .await
        .unwrap();
    id
}

async fn account(pool: &PgPool, team_id: Uuid) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO cloud_accounts (id, team_id, name, domain_name, access_key_id, secret_key_key_id, \
         secret_key_sealed) VALUES ($1, $2, $3, 'hw', 'AK', 'k1', '\\x00')",
    )
    .bind(id)
    .bind(team_id)
    .bind(format!("acct-{id}"))
    .execute(pool)
    .await
    .unwrap();
    id
}

fn iid(n: u32) -> InstanceId {
    format!("{n:024x}").parse().unwrap()
}

fn sid(n: u32) -> ServerId {
    format!("{n:08x}-0000-4000-8000-000000000000").parse().unwrap()
}

fn pid(n: u32) -> PackageId {
    format!("{n:08x}-1111-4000-8000-000000000000").parse().unwrap()
}

fn synced(n: u32, name: &str, status: &str) -> SyncedInstance {
    SyncedInstance {
        server_id: Some(sid(n)),
        traffic_package_id: Some(pid(n)),
        private_ips: vec![format!("192.168.0.{n}")],
        public_ips: vec![format!("1.2.3.{n}")],
        raw: serde_json::json!({"resource_id": n}),
        ..SyncedInstance::new(iid(n), name, status)
    }
}

#[tokio::test]
async fn sync_adds_changes_marks_gone_and_brings_back() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let t = team(pool).await;
    let a = account(pool, t).await;
    let r = Region::CnNorth4;

    let first = vec![
        synced(1, "web-1", "ACTIVE"),
        synced(2, "web-2", "SHUTOFF"),
        synced(3, "db", "ACTIVE"),
    ];
    let report = inventory::upsert_from_sync(pool, a, r, &first).await.unwrap();
    assert_eq!(report, SyncReport { added: 3, changed: 0, gone: 0, unchanged: 0 });

    // Same listing again: nothing changed, even though `raw` is rewritten.
    let report = inventory::upsert_from_sync(pool, a, r, &first).await.unwrap();
    assert_eq!(report, SyncReport { added: 0, changed: 0, gone: 0, unchanged: 3 });

    // web-2 started, db vanished, a new one appeared.
    let second =
        vec![synced(1, "web-1", "ACTIVE"), synced(2, "web-2", "ACTIVE"), synced(4, "new", "BUILD")];
    let report = inventory::upsert_from_sync(pool, a, r, &second).await.unwrap();
    assert_eq!(report, SyncReport { added: 1, changed: 1, gone: 1, unchanged: 1 });

    let gone = inventory::get(pool, t, &iid(3)).await.unwrap();
    assert!(gone.gone_at.is_some(), "missing instances are marked, not deleted");
    let web2 = inventory::get(pool, t, &iid(2)).await.unwrap();
    assert_eq!((web2.status.as_str(), web2.state), ("ACTIVE", InstanceState::Running));
    assert_eq!(web2.raw, Some(serde_json::json!({"resource_id": 2})));
    let new = inventory::get(pool, t, &iid(4)).await.unwrap();
    assert_eq!(new.state, InstanceState::Transitional);

    // db comes back: un-gone and counted as changed.
    let third = vec![
        synced(1, "web-1", "ACTIVE"),
        synced(2, "web-2", "ACTIVE"),
        synced(3, "db", "ACTIVE"),
        synced(4, "new", "BUILD"),
    ];
    let report = inventory::upsert_from_sync(pool, a, r, &third).await.unwrap();
    assert_eq!(report, SyncReport { added: 0, changed: 1, gone: 0, unchanged: 3 });
    assert!(inventory::get(pool, t, &iid(3)).await.unwrap().gone_at.is_none());

    // Another region of the same account is untouched by this region's sync.
    let report = inventory::upsert_from_sync(pool, a, Region::CnEast3, &[]).await.unwrap();
    assert_eq!(report, SyncReport::default());
    assert!(inventory::get(pool, t, &iid(1)).await.unwrap().gone_at.is_none());
}

#[tokio::test]
async fn sync_keeps_what_it_did_not_learn_and_refuses_duplicates() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let t = team(pool).await;
    let a = account(pool, t).await;
    let r = Region::ApSoutheast1;
    let mut item = synced(7, "x", "ACTIVE");
    item.traffic_remaining_gb = Some(512.0);
    item.traffic_total_gb = Some(1024.0);
    item.expires_at = Some(datetime!(2027-01-01 00:00 UTC));
    item.auto_renew = Some(true);
    inventory::upsert_from_sync(pool, a, r, &[item]).await.unwrap();

    // The next RMS sync knows neither traffic nor expiry.
    let report =
        inventory::upsert_from_sync(pool, a, r, &[synced(7, "x", "ACTIVE")]).await.unwrap();
    assert_eq!(report.unchanged, 1);
    let row = inventory::get(pool, t, &iid(7)).await.unwrap();
    assert_eq!(row.traffic_remaining_gb, Some(512.0));
    assert_eq!(row.traffic_left_pct(), Some(50.0));
    assert_eq!(row.expires_at, Some(datetime!(2027-01-01 00:00 UTC)));
    assert!(row.auto_renew);

    let err = inventory::upsert_from_sync(
        pool,
        a,
        r,
        &[synced(7, "x", "ACTIVE"), synced(7, "y", "ACTIVE")],
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("items[1].instance_id"), "{err}");

    let err = inventory::upsert_from_sync(pool, Uuid::new_v4(), r, &[]).await.unwrap_err();
    assert!(matches!(err, Error::NotFound));
}

#[tokio::test]
async fn partial_updates_touch_only_their_account() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let t = team(pool).await;
    let a = account(pool, t).await;
    let other = account(pool, t).await;
    inventory::upsert_from_sync(pool, a, Region::CnNorth4, &[synced(1, "a", "ACTIVE")])
        .await
        .unwrap();

    assert_eq!(inventory::update_status(pool, a, &[(sid(1), "SHUTOFF".into())]).await.unwrap(), 1);
    assert_eq!(
        inventory::update_status(pool, other, &[(sid(1), "ACTIVE".into())]).await.unwrap(),
        0
    );
    let row = inventory::get(pool, t, &iid(1)).await.unwrap();
    assert_eq!((row.status.as_str(), row.state), ("SHUTOFF", InstanceState::Stopped));

    let n = inventory::update_traffic(
        pool,
        a,
        &[TrafficUpdate { package_id: pid(1), remaining_gb: 10.0, total_gb: 200.0 }],
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
    let bad = inventory::update_traffic(
        pool,
        a,
        &[TrafficUpdate { package_id: pid(1), remaining_gb: -1.0, total_gb: 1.0 }],
    )
    .await
    .unwrap_err();
    assert!(bad.to_string().contains("updates[0].remaining_gb"));

    let when = datetime!(2027-06-30 16:00 UTC);
    let n = inventory::update_expiry(
        pool,
        a,
        &[ExpiryUpdate { instance_id: iid(1), expires_at: when, auto_renew: Some(true) }],
    )
    .await
    .unwrap();
    assert_eq!(n, 1);
    let row = inventory::get(pool, t, &iid(1)).await.unwrap();
    assert_eq!(row.traffic_left_pct(), Some(5.0));
    assert_eq!((row.expires_at, row.auto_renew), (Some(when), true));
}

#[tokio::test]
async fn another_teams_instance_is_not_found_and_not_resolved() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let (t1, t2) = (team(pool).await, team(pool).await);
    let (a1, a2) = (account(pool, t1).await, account(pool, t2).await);
    let a1b = account(pool, t1).await;
    inventory::upsert_from_sync(
        pool,
        a1,
        Region::CnNorth4,
        &[synced(1, "mine", "ACTIVE"), synced(2, "mine2", "ACTIVE")],
    )
    .await
    .unwrap();
    inventory::upsert_from_sync(pool, a1b, Region::CnEast3, &[synced(3, "mine3", "ACTIVE")])
        .await
        .unwrap();
    inventory::upsert_from_sync(pool, a2, Region::CnNorth4, &[synced(9, "theirs", "ACTIVE")])
        .await
        .unwrap();

    assert!(matches!(inventory::get(pool, t1, &iid(9)).await, Err(Error::NotFound)));
    assert!(matches!(inventory::get(pool, t2, &iid(1)).await, Err(Error::NotFound)));

    let targets =
        inventory::resolve(pool, t1, &[iid(3), iid(9), iid(1), iid(2), iid(42)]).await.unwrap();
    let mut got: Vec<(Uuid, Region, Vec<String>)> = targets
        .iter()
        .map(|t| {
            (
                t.account_id,
                t.region,
                t.instances.iter().map(|i| i.instance_id.to_string()).collect(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (a1, Region::CnNorth4, vec![iid(1).to_string(), iid(2).to_string()]),
        (a1b, Region::CnEast3, vec![iid(3).to_string()]),
    ];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        targets.iter().flat_map(|t| &t.instances).filter(|i| i.server_id.is_some()).count(),
        3
    );
}

#[tokio::test]
async fn a_row_that_does_not_parse_is_corrupt_and_named_by_every_reader() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let t = team(pool).await;
    let a = account(pool, t).await;
    inventory::upsert_from_sync(pool, a, Region::CnNorth4, &[synced(1, "web", "ACTIVE")])
        .await
        .unwrap();
    let row: i64 = sqlx::query_scalar(
        "UPDATE instances SET region = 'mars-1', server_id = 'not-a-uuid' RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap();

    let corrupt = |err: Error, column: &str| match err {
        Error::Corrupt { table, id, detail } => {
            assert_eq!((table, id), ("instances", row.to_string()));
            assert!(detail.starts_with(column), "{detail}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    };
    corrupt(inventory::get(pool, t, &iid(1)).await.unwrap_err(), "region");
    let all = InstanceFilter::default();
    let first = PageRequest::first(10);
    let sort = InstanceSort::default();
    corrupt(inventory::list(pool, t, &all, sort, &first).await.unwrap_err(), "region");
    corrupt(inventory::list_summaries(pool, t, &all, sort, &first).await.unwrap_err(), "region");
    corrupt(inventory::resolve(pool, t, &[iid(1)]).await.unwrap_err(), "region");

    // The server id alone: the message names that column.
    sqlx::query("UPDATE instances SET region = 'cn-north-4'").execute(pool).await.unwrap();
    corrupt(inventory::get(pool, t, &iid(1)).await.unwrap_err(), "server_id");
}

/// Walks every page and returns the names in order.
async fn all_pages(
    pool: &PgPool,
    t: Uuid,
    filter: &InstanceFilter,
    sort: InstanceSort,
    size: u32,
) -> Vec<String> {
    let mut names = Vec::new();
    let mut page = PageRequest::first(size);
    loop {
        let got = inventory::list(pool, t, filter, sort, &page).await.unwrap();
        assert!(got.items.len() <= size as usize);
        // The table's narrower read gives the same rows, in the same order and pages.
        let summaries = inventory::list_summaries(pool, t, filter, sort, &page).await.unwrap();
        let expected: Vec<InstanceSummary> = got.items.iter().map(Into::into).collect();
        assert_eq!(summaries.items, expected);
        assert_eq!(summaries.next_cursor, got.next_cursor);
        names.extend(got.items.into_iter().map(|r| r.name));
        match got.next_cursor {
            Some(c) => page = PageRequest::after(c, size),
            None => return names,
        }
    }
}

#[tokio::test]
async fn list_filters_sorts_and_pages_without_offset() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let t = team(pool).await;
    let a = account(pool, t).await;
    let b = account(pool, t).await;
    let mut items = Vec::new();
    for n in 1..=23u32 {
        let mut it =
            synced(n, &format!("Node-{n:02}"), if n % 3 == 0 { "SHUTOFF" } else { "ACTIVE" });
        // Ties on purpose (the id breaks them), and some without expiry or traffic.
        it.expires_at = (n % 4 != 0)
            .then(|| datetime!(2027-01-01 00:00 UTC) + time::Duration::days(i64::from(n % 5)));
        it.traffic_remaining_gb = (n % 6 != 0).then(|| f64::from(n % 7) * 10.5);
        it.traffic_total_gb = Some(100.0);
        items.push(it);
    }
    inventory::upsert_from_sync(pool, a, Region::CnNorth4, &items).await.unwrap();
    inventory::upsert_from_sync(
        pool,
        b,
        Region::CnSouth1,
        &[synced(100, "other-account", "ERROR")],
    )
    .await
    .unwrap();

    let all = InstanceFilter::default();
    let names = all_pages(pool, t, &all, InstanceSort::asc(SortKey::Name), 5).await;
    let mut want: Vec<String> = (1..=23).map(|n| format!("Node-{n:02}")).collect();
    want.push("other-account".into());
    assert_eq!(names, want);
    let names = all_pages(pool, t, &all, InstanceSort::desc(SortKey::Name), 7).await;
    assert_eq!(names, want.iter().rev().cloned().collect::<Vec<_>>());

    // Every sort, both directions, pages of 4: each instance exactly once, in sort order.
    for key in [SortKey::Name, SortKey::Status, SortKey::Expiry, SortKey::TrafficLeft] {
        for descending in [false, true] {
            let sort = InstanceSort { key, descending };
            let paged = all_pages(pool, t, &all, sort, 4).await;
            let one = inventory::list(pool, t, &all, sort, &PageRequest::first(100)).await.unwrap();
            assert!(one.next_cursor.is_none());
            let single: Vec<String> = one.items.iter().map(|r| r.name.clone()).collect();
            assert_eq!(paged, single, "{sort:?}");
            assert_eq!(paged.len(), 24);
            if key == SortKey::Expiry && !descending {
                let exp: Vec<_> = one.items.iter().map(|r| r.expires_at).collect();
                let firsts: Vec<_> = exp.iter().take_while(|e| e.is_some()).collect();
                assert!(firsts.windows(2).all(|w| w[0] <= w[1]));
                assert!(exp[firsts.len()..].iter().all(Option::is_none), "no expiry sorts last");
            }
        }
    }

    let f = InstanceFilter { state: Some(InstanceState::Stopped), ..Default::default() };
    assert_eq!(all_pages(pool, t, &f, InstanceSort::default(), 3).await.len(), 7);
    let f = InstanceFilter {
        status: Some("shutoff".into()),
        account_id: Some(a),
        ..Default::default()
    };
    assert_eq!(all_pages(pool, t, &f, InstanceSort::default(), 50).await.len(), 7);
    let f = InstanceFilter { region: Some(Region::CnSouth1), ..Default::default() };
    assert_eq!(all_pages(pool, t, &f, InstanceSort::default(), 50).await, vec!["other-account"]);
    for text in [
        "node-07",
        "NODE-07",
        "1.2.3.7",
        "192.168.0.7",
        iid(7).as_ref(),
        &sid(7).to_string().to_uppercase(),
    ] {
        let f = InstanceFilter { text: Some(text.to_owned()), ..Default::default() };
        let names = all_pages(pool, t, &f, InstanceSort::default(), 50).await;
        assert!(names.contains(&"Node-07".to_string()), "{text}: {names:?}");
        assert!(names.len() <= 2, "{text}: {names:?}");
    }
    // LIKE wildcards in user text are literal.
    let f = InstanceFilter { text: Some("%".into()), ..Default::default() };
    assert!(all_pages(pool, t, &f, InstanceSort::default(), 50).await.is_empty());

    // A cursor from one sort does not apply to another; garbage is refused by name.
    let p =
        inventory::list(pool, t, &all, InstanceSort::asc(SortKey::Name), &PageRequest::first(2))
            .await
            .unwrap();
    let c = p.next_cursor.unwrap();
    let err = inventory::list(
        pool,
        t,
        &all,
        InstanceSort::asc(SortKey::Expiry),
        &PageRequest::after(c, 2),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("cursor"));
    let err =
        inventory::list(pool, t, &all, InstanceSort::default(), &PageRequest::after("zzz", 2))
            .await
            .unwrap_err();
    assert!(err.to_string().contains("cursor"));

    // Gone instances are hidden unless asked for.
    inventory::upsert_from_sync(pool, b, Region::CnSouth1, &[]).await.unwrap();
    assert_eq!(all_pages(pool, t, &all, InstanceSort::default(), 50).await.len(), 23);
    let f = InstanceFilter { include_gone: true, ..Default::default() };
    assert_eq!(all_pages(pool, t, &f, InstanceSort::default(), 50).await.len(), 24);

    // Another team sees nothing.
    let t2 = team(pool).await;
    assert!(all_pages(pool, t2, &all, InstanceSort::default(), 50).await.is_empty());
}

#[tokio::test]
async fn dashboard_counts_by_state_expiry_and_traffic() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let t = team(pool).await;
    let a = account(pool, t).await;
    let now = time::OffsetDateTime::now_utc();
    let mut items = vec![
        synced(1, "a", "ACTIVE"),
        synced(2, "b", "SHUTOFF"),
        synced(3, "c", "REBOOT"),
        synced(4, "d", "ERROR"),
        synced(5, "e", "WHATEVER"),
        synced(6, "f", "ACTIVE"),
    ];
    items[0].expires_at = Some(now + time::Duration::days(3));
    items[1].expires_at = Some(now - time::Duration::days(1));
    items[2].expires_at = Some(now + time::Duration::days(30));
    items[0].traffic_remaining_gb = Some(5.0);
    items[0].traffic_total_gb = Some(100.0);
    items[1].traffic_remaining_gb = Some(50.0);
    items[1].traffic_total_gb = Some(100.0);
    inventory::upsert_from_sync(pool, a, Region::CnNorth4, &items).await.unwrap();
    inventory::upsert_from_sync(pool, a, Region::CnNorth4, &items[..5]).await.unwrap();

    let c = inventory::dashboard_counts(pool, t, 7, 10.0).await.unwrap();
    assert_eq!(
        (c.total, c.running, c.stopped, c.transitional, c.error, c.unknown),
        (5, 1, 1, 1, 1, 1)
    );
    assert_eq!((c.expiring, c.low_traffic), (2, 1));
    assert!(inventory::dashboard_counts(pool, t, 7, 101.0).await.is_err());
}

/// `reltuples` is -1 until the table is first analyzed, and ANALYZE sets it (in the same
/// transaction, unlike the statistics views).
async fn planner_rows(pool: &PgPool) -> f32 {
    sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'instances'::regclass")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sync_that_fills_the_inventory_gives_the_planner_statistics() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let t = team(pool).await;
    let a = account(pool, t).await;
    assert!(planner_rows(pool).await < 0.0, "a fresh database has no statistics yet");

    let items: Vec<_> = (1..=30).map(|n| synced(n, &format!("vm-{n}"), "ACTIVE")).collect();
    inventory::upsert_from_sync(pool, a, Region::CnNorth4, &items).await.unwrap();
    assert_eq!(planner_rows(pool).await, 30.0);

    // Two more of 32 is less than a tenth: no new ANALYZE, the estimate stays.
    let more: Vec<_> = (1..=32).map(|n| synced(n, &format!("vm-{n}"), "ACTIVE")).collect();
    inventory::upsert_from_sync(pool, a, Region::CnNorth4, &more).await.unwrap();
    assert_eq!(planner_rows(pool).await, 30.0);
}
