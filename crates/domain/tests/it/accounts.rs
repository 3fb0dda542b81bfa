//! Cloud accounts with encrypted secrets, against a real Postgres.

use lightdeck_domain::Error;
use lightdeck_domain::accounts::{
    self, Account, AccountRegion, NewAccount, NewAkSk, NewIamUser, SYNC_ERROR_MAX_CHARS,
    SyncFailure, SyncStatus,
};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::values::{
    AccessKeyId, AccountName, DomainName, IamPassword, IamUserName, SecretAccessKey,
    parse_domain_id, parse_project_id,
};
use lightdeck_huaweicloud::Region;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use uuid::Uuid;

const AK: &str = "HPUABCDEFGHIJKLMNOPQ";
const SK: &str = "Qm9vZ2llV29vZ2llQm9vZ2llV29vZ2llQm9vZ2ll";
const IAM_PW: &str = "iam-Password-456";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

async fn team(pool: &PgPool, name: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("insert into teams (id, name) values ($1, $2)")
        .bind(id)
        .bind(name)
        .execute(pool)
        .await
        .unwrap();
    id
}

fn aksk() -> NewAkSk {
    NewAkSk {
        access_key_id: AccessKeyId::parse(AK).unwrap(),
        secret_access_key: SecretAccessKey::parse(SK).unwrap(),
    }
}

fn iam() -> NewIamUser {
    NewIamUser {
        user_name: IamUserName::parse("ops").unwrap(),
        password: IamPassword::parse(IAM_PW).unwrap(),
    }
}

fn new_account(name: &str) -> NewAccount {
    NewAccount {
        name: AccountName::parse(name).unwrap(),
        domain_name: DomainName::parse("acme").unwrap(),
        domain_id: Some(parse_domain_id("fedcba9876543210fedcba9876543210").unwrap()),
        aksk: Some(aksk()),
        iam_user: Some(iam()),
        regions: vec![(Region::CnNorth4, parse_project_id(PROJECT).unwrap())],
    }
}

async fn create(pool: &PgPool, ring: &Keyring, team: Uuid, name: &str) -> Account {
    accounts::create(pool, ring, team, new_account(name)).await.unwrap()
}

#[tokio::test]
async fn credentials_round_trip_and_listing_shows_no_secrets() {
    let db = TestDb::new().await;
    let ring = Keyring::new(MasterKey::generate());
    let t = team(db.pool(), "Ops").await;
    let account = create(db.pool(), &ring, t, "Production").await;
    assert_eq!(account.access_key_id.as_deref(), Some(AK));
    assert_eq!(account.iam_user_name.as_deref(), Some("ops"));

    let creds = accounts::credentials(db.pool(), &ring, account.id).await.unwrap();
    let pair = creds.aksk().unwrap();
    assert_eq!((pair.ak.as_str(), pair.sk.expose_secret()), (AK, SK));
    let pw = creds.password().unwrap();
    assert_eq!((pw.account_name.as_str(), pw.user_name.as_str()), ("acme", "ops"));
    assert_eq!(pw.password.expose_secret(), IAM_PW);

    let listed = accounts::list(db.pool(), t).await.unwrap();
    assert_eq!(listed, std::slice::from_ref(&account));
    let shown = format!("{listed:?} {:?} {creds:?}", accounts::list_all(db.pool()).await.unwrap());
    assert!(!shown.contains(SK) && !shown.contains(IAM_PW), "{shown}");

    // At rest: neither secret in the clear, and the key id recorded.
    let (sk_key, sk_data, pw_data): (String, Vec<u8>, Vec<u8>) = sqlx::query_as(
        "select secret_key_key_id, secret_key_sealed, iam_password_sealed from cloud_accounts",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(sk_key, ring.current_id());
    assert!(!sk_data.windows(SK.len()).any(|w| w == SK.as_bytes()));
    assert!(!pw_data.windows(IAM_PW.len()).any(|w| w == IAM_PW.as_bytes()));

    assert_eq!(
        accounts::regions(db.pool(), account.id).await.unwrap(),
        [AccountRegion {
            region: Region::CnNorth4,
            project_id: parse_project_id(PROJECT).unwrap()
        }]
    );
}

#[tokio::test]
async fn names_are_unique_per_team_and_other_teams_see_nothing() {
    let db = TestDb::new().await;
    let ring = Keyring::new(MasterKey::generate());
    let ops = team(db.pool(), "Ops").await;
    let dev = team(db.pool(), "Dev").await;
    let prod = create(db.pool(), &ring, ops, "Production").await;

    let Err(Error::Invalid(errors)) =
        accounts::create(db.pool(), &ring, ops, new_account("Production")).await
    else {
        panic!("duplicate account name accepted");
    };
    assert_eq!(errors.get("account_name"), Some("this team already has an account with this name"));
    create(db.pool(), &ring, dev, "Production").await;

    assert!(matches!(accounts::get(db.pool(), dev, prod.id).await, Err(Error::NotFound)));
    assert!(matches!(accounts::delete(db.pool(), dev, prod.id).await, Err(Error::NotFound)));
    assert_eq!(accounts::get(db.pool(), ops, prod.id).await.unwrap(), prod);
    assert!(matches!(
        accounts::create(db.pool(), &ring, Uuid::new_v4(), new_account("X")).await,
        Err(Error::NotFound)
    ));

    let staging = create(db.pool(), &ring, ops, "Staging").await;
    let Err(Error::Invalid(errors)) =
        accounts::rename(db.pool(), ops, staging.id, &AccountName::parse("Production").unwrap())
            .await
    else {
        panic!("rename onto a taken name accepted");
    };
    assert!(errors.get("account_name").is_some());
    accounts::rename(db.pool(), ops, staging.id, &AccountName::parse("Test").unwrap())
        .await
        .unwrap();
    accounts::delete(db.pool(), ops, staging.id).await.unwrap();
    let names: Vec<String> =
        accounts::list(db.pool(), ops).await.unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Production"]);
}

#[tokio::test]
async fn an_account_needs_some_credentials_and_regions_once_each() {
    let db = TestDb::new().await;
    let ring = Keyring::new(MasterKey::generate());
    let t = team(db.pool(), "Ops").await;
    let none = NewAccount { aksk: None, iam_user: None, ..new_account("Empty") };
    let Err(Error::Invalid(errors)) = accounts::create(db.pool(), &ring, t, none).await else {
        panic!("account without credentials accepted");
    };
    assert!(errors.get("credentials").is_some());

    let project = parse_project_id(PROJECT).unwrap();
    let twice = NewAccount {
        regions: vec![(Region::CnNorth4, project.clone()), (Region::CnNorth4, project.clone())],
        ..new_account("Twice")
    };
    let Err(Error::Invalid(errors)) = accounts::create(db.pool(), &ring, t, twice).await else {
        panic!("a region listed twice was accepted");
    };
    assert_eq!(errors.get("region"), Some("cn-north-4 is listed twice"));
    assert!(accounts::list(db.pool(), t).await.unwrap().is_empty(), "nothing half-created");

    // Only an IAM user: the credentials have no AK/SK.
    let iam_only = NewAccount { aksk: None, ..new_account("IAM only") };
    let account = accounts::create(db.pool(), &ring, t, iam_only).await.unwrap();
    let creds = accounts::credentials(db.pool(), &ring, account.id).await.unwrap();
    assert!(creds.aksk().is_none() && creds.password().is_some());

    accounts::replace_credentials(db.pool(), &ring, t, account.id, Some(&aksk()), None)
        .await
        .unwrap();
    let creds = accounts::credentials(db.pool(), &ring, account.id).await.unwrap();
    assert!(creds.aksk().is_some() && creds.password().is_none());

    let regions = [(Region::ApSoutheast3, project.clone()), (Region::CnEast3, project.clone())];
    accounts::set_regions(db.pool(), t, account.id, &regions).await.unwrap();
    let got: Vec<Region> = accounts::regions(db.pool(), account.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.region)
        .collect();
    assert_eq!(got, [Region::CnEast3, Region::ApSoutheast3]);
    let other = team(db.pool(), "Other").await;
    assert!(matches!(
        accounts::set_regions(db.pool(), other, account.id, &regions).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn a_secret_copied_to_another_account_does_not_decrypt() {
    let db = TestDb::new().await;
    let ring = Keyring::new(MasterKey::generate());
    let t = team(db.pool(), "Ops").await;
    let a = create(db.pool(), &ring, t, "A").await;
    let b = create(db.pool(), &ring, t, "B").await;
    sqlx::query(
        "update cloud_accounts set secret_key_sealed = (select secret_key_sealed from cloud_accounts where id = $1)
         where id = $2",
    )
    .bind(a.id)
    .bind(b.id)
    .execute(db.pool())
    .await
    .unwrap();
    assert!(matches!(accounts::credentials(db.pool(), &ring, b.id).await, Err(Error::Crypto(_))));
    assert!(accounts::credentials(db.pool(), &ring, a.id).await.is_ok());

    // Nor does the SK pasted into the password column of the same account.
    sqlx::query("update cloud_accounts set iam_password_sealed = secret_key_sealed where id = $1")
        .bind(a.id)
        .execute(db.pool())
        .await
        .unwrap();
    assert!(matches!(accounts::credentials(db.pool(), &ring, a.id).await, Err(Error::Crypto(_))));
}

#[tokio::test]
async fn rotation_reencrypts_every_secret_under_the_new_key() {
    let db = TestDb::new().await;
    let old_key = MasterKey::generate();
    let old = Keyring::new(old_key.clone());
    let t = team(db.pool(), "Ops").await;
    let a = create(db.pool(), &old, t, "A").await;
    let b = create(db.pool(), &old, t, "B").await;

    let new_key = MasterKey::generate();
    assert!(matches!(
        accounts::credentials(db.pool(), &Keyring::new(new_key.clone()), a.id).await,
        Err(Error::Crypto(_))
    ));
    let rotating = Keyring::new(new_key.clone()).with_old_key(old_key);
    assert!(accounts::credentials(db.pool(), &rotating, a.id).await.is_ok());
    assert_eq!(accounts::reencrypt_all(db.pool(), &rotating).await.unwrap(), 4);
    assert_eq!(accounts::reencrypt_all(db.pool(), &rotating).await.unwrap(), 0);

    let new_only = Keyring::new(new_key);
    for id in [a.id, b.id] {
        let creds = accounts::credentials(db.pool(), &new_only, id).await.unwrap();
        assert_eq!(creds.aksk().unwrap().sk.expose_secret(), SK);
        assert_eq!(creds.password().unwrap().password.expose_secret(), IAM_PW);
        assert!(matches!(accounts::credentials(db.pool(), &old, id).await, Err(Error::Crypto(_))));
    }
}

#[tokio::test]
async fn a_second_sync_lease_waits_for_the_first_to_be_released() {
    let db = TestDb::new().await;
    let ring = Keyring::new(MasterKey::generate());
    let t = team(db.pool(), "Ops").await;
    let a = create(db.pool(), &ring, t, "Production").await;
    let b = create(db.pool(), &ring, t, "Staging").await;

    let first = accounts::try_begin_sync(db.pool(), a.id).await.unwrap().unwrap();
    assert_eq!(first.account_id(), a.id);
    assert!(accounts::try_begin_sync(db.pool(), a.id).await.unwrap().is_none(), "held");
    // Another account is not blocked by it.
    let other = accounts::try_begin_sync(db.pool(), b.id).await.unwrap().unwrap();
    other.release().await.unwrap();

    first.release().await.unwrap();
    let second = accounts::try_begin_sync(db.pool(), a.id).await.unwrap();
    assert!(second.is_some(), "granted after release");
    second.unwrap().release().await.unwrap();

    // No idle transaction is left behind by the refusal or the releases.
    let idle: i64 = sqlx::query_scalar(
        "select count(*) from pg_stat_activity
         where datname = current_database() and state = 'idle in transaction'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(idle, 0);
}

#[tokio::test]
async fn a_dropped_sync_lease_lets_go_of_the_lock() {
    let db = TestDb::new().await;
    let ring = Keyring::new(MasterKey::generate());
    let t = team(db.pool(), "Ops").await;
    let a = create(db.pool(), &ring, t, "Production").await;

    // A cancelled sync: nobody calls release. The pool is idle afterwards, so a merely
    // queued rollback would keep the lock; drop's own rollback must end it.
    drop(accounts::try_begin_sync(db.pool(), a.id).await.unwrap().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let held: bool = sqlx::query_scalar(
            "select exists (select 1 from pg_locks l join pg_database d on d.oid = l.database
             where l.locktype = 'advisory' and l.granted and d.datname = $1)",
        )
        .bind(db.name())
        .fetch_one(db.superuser_pool())
        .await
        .unwrap();
        if !held {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the lock is still held");
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let again = accounts::try_begin_sync(db.pool(), a.id).await.unwrap().unwrap();
    again.release().await.unwrap();
}

#[tokio::test]
async fn sync_outcomes_are_recorded_and_read_back() {
    let db = TestDb::new().await;
    let ring = Keyring::new(MasterKey::generate());
    let t = team(db.pool(), "Ops").await;
    let a = create(db.pool(), &ring, t, "Production").await;
    assert_eq!(a.sync, SyncStatus::default(), "never synced");

    let at = |s: i64| time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + s).unwrap();
    let failure = |s: i64, code: &str, http_status: Option<u16>, message: Option<String>| {
        SyncFailure { at: at(s), code: code.to_owned(), http_status, message }
    };
    let lease = accounts::try_begin_sync(db.pool(), a.id).await.unwrap().unwrap();
    let throttled = failure(0, "  APIG.0308  ", Some(429), Some("too many requests".into()));
    assert_eq!(lease.record_failure(db.pool(), &throttled).await.unwrap(), 1);
    let status = accounts::sync_status(db.pool(), a.id).await.unwrap();
    let expected = failure(0, "APIG.0308", Some(429), Some("too many requests".into()));
    assert_eq!(status.last_failure, Some(expected), "typed as recorded, trimmed");
    let long = "x".repeat(500);
    let cut = failure(60, &long, None, Some(long.clone()));
    assert_eq!(lease.record_failure(db.pool(), &cut).await.unwrap(), 2);
    let status = accounts::sync_status(db.pool(), a.id).await.unwrap();
    assert_eq!(status.sync_failures, 2);
    let last = status.last_failure.unwrap();
    assert_eq!((last.at, last.http_status), (at(60), None));
    assert_eq!(last.code.len(), SYNC_ERROR_MAX_CHARS);
    assert_eq!(last.message.as_deref().map(str::len), Some(SYNC_ERROR_MAX_CHARS));
    assert_eq!(status.last_synced_at, None);
    let no_code = lease.record_failure(db.pool(), &failure(90, " ", None, None)).await;
    assert!(matches!(no_code, Err(Error::Invalid(_))), "a failure always has a code");

    lease.record_success(db.pool(), at(120)).await.unwrap();
    let expected = SyncStatus { last_synced_at: Some(at(120)), ..SyncStatus::default() };
    assert_eq!(accounts::sync_status(db.pool(), a.id).await.unwrap(), expected);
    // The team's listing carries the same facts.
    assert_eq!(accounts::get(db.pool(), t, a.id).await.unwrap().sync, expected);
    assert_eq!(accounts::list(db.pool(), t).await.unwrap()[0].sync, expected);

    let unreachable = failure(180, "lightdeck.unreachable", None, None);
    lease.record_failure(db.pool(), &unreachable).await.unwrap();
    let status = accounts::sync_status(db.pool(), a.id).await.unwrap();
    assert_eq!(status.last_synced_at, Some(at(120)), "the last success is kept");
    assert_eq!(status.last_failure, Some(unreachable));
    assert_eq!(status.sync_failures, 1);
    lease.release().await.unwrap();

    assert!(matches!(accounts::sync_status(db.pool(), Uuid::new_v4()).await, Err(Error::NotFound)));
    let orphan = accounts::try_begin_sync(db.pool(), Uuid::new_v4()).await.unwrap().unwrap();
    assert!(matches!(orphan.record_success(db.pool(), at(0)).await, Err(Error::NotFound)));
    assert!(matches!(
        orphan.record_failure(db.pool(), &failure(0, "x", None, None)).await,
        Err(Error::NotFound)
    ));
    orphan.release().await.unwrap();
}
