//! Users, sign-in checks and the security log, against a real Postgres.

use std::net::IpAddr;

use lightdeck_domain::Error;
use lightdeck_domain::security_log::{self, Kind, NewEvent, Subject};
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::users::{self, NewUser, Rejection, SignIn};
use lightdeck_domain::values::{DisplayName, Language, LoginName, Password};
use secrecy::SecretString;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "correct horse battery";

fn new_user(login: &str) -> NewUser {
    NewUser {
        login: LoginName::parse(login).unwrap(),
        display_name: DisplayName::parse("Alice Liu").unwrap(),
        password: Password::parse(PASSWORD).unwrap(),
        site_admin: false,
        language: Language::ZhCn,
    }
}

async fn sign_in(pool: &PgPool, login: &str, password: &str) -> SignIn {
    users::verify_password(pool, login, &SecretString::from(password)).await.unwrap()
}

#[tokio::test]
async fn users_are_created_found_and_listed() {
    let db = TestDb::new().await;
    let alice = users::create(db.pool(), new_user("alice")).await.unwrap();
    assert_eq!(alice.login, "alice");
    assert_eq!(alice.display_name, "Alice Liu");
    assert_eq!(alice.language, Language::ZhCn);
    assert!(!alice.site_admin && !alice.disabled);

    assert_eq!(users::find_by_login(db.pool(), "alice").await.unwrap(), Some(alice.clone()));
    assert_eq!(users::find_by_id(db.pool(), alice.id).await.unwrap(), Some(alice.clone()));
    assert_eq!(users::find_by_login(db.pool(), "bob").await.unwrap(), None);
    assert!(matches!(users::get(db.pool(), uuid::Uuid::new_v4()).await, Err(Error::NotFound)));

    users::create(db.pool(), new_user("bob")).await.unwrap();
    let logins: Vec<String> =
        users::list(db.pool()).await.unwrap().into_iter().map(|u| u.login).collect();
    assert_eq!(logins, ["alice", "bob"]);

    users::set_language(db.pool(), alice.id, Language::En).await.unwrap();
    users::set_site_admin(db.pool(), alice.id, true).await.unwrap();
    users::set_display_name(db.pool(), alice.id, &DisplayName::parse("A. Liu").unwrap())
        .await
        .unwrap();
    let alice = users::get(db.pool(), alice.id).await.unwrap();
    assert_eq!(
        (alice.language, alice.site_admin, alice.display_name.as_str()),
        (Language::En, true, "A. Liu")
    );
    assert!(matches!(
        users::set_disabled(db.pool(), uuid::Uuid::new_v4(), true).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn a_taken_login_is_a_field_error() {
    let db = TestDb::new().await;
    users::create(db.pool(), new_user("alice")).await.unwrap();
    let Err(Error::Invalid(errors)) = users::create(db.pool(), new_user("alice")).await else {
        panic!("duplicate login accepted");
    };
    assert_eq!(errors.get("login"), Some("this login name is taken"));
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_with_owasp_parameters() {
    let db = TestDb::new().await;
    let alice = users::create(db.pool(), new_user("alice")).await.unwrap();
    let hash: String = sqlx::query_scalar("select password_hash from users where id = $1")
        .bind(alice.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
    assert!(!format!("{alice:?}").contains("argon2"), "the hash stays out of User");
}

#[tokio::test]
async fn sign_in_accepts_the_right_password_only_for_enabled_users() {
    let db = TestDb::new().await;
    let alice = users::create(db.pool(), new_user("alice")).await.unwrap();

    assert_eq!(sign_in(db.pool(), "alice", PASSWORD).await, SignIn::Accepted(alice.clone()));
    assert_eq!(
        sign_in(db.pool(), "alice", "wrong password!!").await,
        SignIn::Rejected { user_id: Some(alice.id), reason: Rejection::WrongPassword }
    );
    assert_eq!(
        sign_in(db.pool(), "mallory", PASSWORD).await,
        SignIn::Rejected { user_id: None, reason: Rejection::UnknownLogin }
    );

    users::set_disabled(db.pool(), alice.id, true).await.unwrap();
    assert_eq!(
        sign_in(db.pool(), "alice", PASSWORD).await,
        SignIn::Rejected { user_id: Some(alice.id), reason: Rejection::Disabled }
    );
    assert_eq!(
        sign_in(db.pool(), "alice", "wrong password!!").await,
        SignIn::Rejected { user_id: Some(alice.id), reason: Rejection::WrongPassword }
    );
    users::set_disabled(db.pool(), alice.id, false).await.unwrap();

    let new_password = Password::parse("a much longer new passphrase").unwrap();
    users::change_password(db.pool(), alice.id, &new_password).await.unwrap();
    assert!(matches!(sign_in(db.pool(), "alice", PASSWORD).await, SignIn::Rejected { .. }));
    assert!(matches!(
        sign_in(db.pool(), "alice", "a much longer new passphrase").await,
        SignIn::Accepted(u) if u.id == alice.id
    ));
}

fn failure<'a>(at: OffsetDateTime, login: &'a str, ip: &str) -> NewEvent<'a> {
    NewEvent {
        at,
        kind: Kind::SignInFailed,
        login: Some(login),
        user_id: None,
        source_ip: Some(ip.parse().unwrap()),
        user_agent: Some("curl/8"),
        route: Some("/sign-in"),
        reason: "wrong password",
        device: None,
    }
}

#[tokio::test]
async fn sign_in_failures_are_counted_per_login_and_per_address() {
    let db = TestDb::new().await;
    let now = OffsetDateTime::now_utc();
    let ip: IpAddr = "203.0.113.7".parse().unwrap();

    // Old failures fall outside the window.
    for _ in 0..10 {
        security_log::record(
            db.pool(),
            &failure(now - Duration::minutes(16), "alice", "203.0.113.7"),
        )
        .await
        .unwrap();
    }
    assert!(!security_log::sign_in_throttled(db.pool(), "alice", Some(ip), now).await.unwrap());

    for i in 0..9 {
        let login = format!("user{i}");
        security_log::record(
            db.pool(),
            &failure(now - Duration::minutes(1), &login, "203.0.113.7"),
        )
        .await
        .unwrap();
    }
    // Denied requests are not sign-in failures.
    let denied = NewEvent { kind: Kind::RequestDenied, ..failure(now, "alice", "203.0.113.7") };
    security_log::record(db.pool(), &denied).await.unwrap();
    assert_eq!(
        security_log::failures_since(db.pool(), Subject::Ip(ip), now - security_log::WINDOW)
            .await
            .unwrap(),
        9
    );
    assert!(!security_log::sign_in_throttled(db.pool(), "someone", Some(ip), now).await.unwrap());

    security_log::record(db.pool(), &failure(now, "user9", "203.0.113.7")).await.unwrap();
    assert!(security_log::sign_in_throttled(db.pool(), "someone", Some(ip), now).await.unwrap());
    let other_ip: IpAddr = "198.51.100.1".parse().unwrap();
    assert!(
        !security_log::sign_in_throttled(db.pool(), "someone", Some(other_ip), now).await.unwrap()
    );

    for _ in 0..10 {
        security_log::record(db.pool(), &failure(now, "bob", "198.51.100.2")).await.unwrap();
    }
    assert!(security_log::sign_in_throttled(db.pool(), "bob", Some(other_ip), now).await.unwrap());
    assert!(security_log::sign_in_throttled(db.pool(), "bob", None, now).await.unwrap());
}

#[tokio::test]
async fn the_security_log_pages_newest_first_and_cuts_hostile_input() {
    let db = TestDb::new().await;
    let now = OffsetDateTime::now_utc();
    let long_agent = format!("evil\n{}", "x".repeat(5000));
    let mut ids = Vec::new();
    for i in 0..5 {
        let event = NewEvent {
            user_agent: Some(&long_agent),
            ..failure(now + Duration::seconds(i), "alice", "2001:db8::1")
        };
        ids.push(security_log::record(db.pool(), &event).await.unwrap());
    }
    let first = security_log::list(db.pool(), None, 2).await.unwrap();
    assert_eq!(first.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[4], ids[3]]);
    let next = security_log::list(db.pool(), Some(ids[3]), 10).await.unwrap();
    assert_eq!(next.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[2], ids[1], ids[0]]);

    let e = &first[0];
    assert_eq!(e.kind, Kind::SignInFailed);
    assert_eq!(e.source_ip.as_deref(), Some("2001:db8::1"));
    let agent = e.user_agent.as_deref().unwrap();
    assert_eq!(agent.chars().count(), 512);
    assert!(agent.starts_with("evilxxx"), "control characters removed");

    assert_eq!(security_log::prune(db.pool(), now + Duration::seconds(2)).await.unwrap(), 2);
}
