//! The second factor against a real Postgres: enrolment, codes accepted once, recovery
//! codes, turning it off, an administrator's reset and a team's requirement. Codes are
//! computed here from the secret the enrolment shows, as an authenticator app would, at
//! times the test chooses.

use lightdeck_domain::Error;
use lightdeck_domain::actions::RequestContext;
use lightdeck_domain::audit::{self, AuditFilter};
use lightdeck_domain::crypto::{Keyring, MasterKey};
use lightdeck_domain::inventory::PageRequest;
use lightdeck_domain::policy::Role;
use lightdeck_domain::second_factor::{self as sf, Check, Confirmed, RecoveryCodes};
use lightdeck_domain::site::{self, SiteActor};
use lightdeck_domain::teams;
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::users::{self, NewUser, User};
use lightdeck_domain::values::{DisplayName, Language, LoginName, Password, TeamName};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use totp_rs::{Algorithm, Builder, Secret};

/// What the app shows at `at` for the base32 secret.
fn code(secret: &str, at: OffsetDateTime) -> String {
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    totp.generate(u64::try_from(at.unix_timestamp()).unwrap()).to_string()
}

/// The start of a 30-second step, so `+ 29 s` is still the same step.
fn step_start() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    OffsetDateTime::from_unix_timestamp(now - now % 30).unwrap()
}

async fn user(pool: &PgPool, login: &str) -> User {
    users::create(
        pool,
        NewUser {
            login: LoginName::parse(login).unwrap(),
            display_name: DisplayName::parse(login).unwrap(),
            password: Password::parse("correct horse battery").unwrap(),
            site_admin: false,
            language: Language::En,
        },
    )
    .await
    .unwrap()
}

fn actor(u: &User) -> SiteActor {
    SiteActor { user_id: Some(u.id), ..SiteActor::command_line(u.display_name.clone()) }
}

struct World {
    db: TestDb,
    keys: Keyring,
    carol: User,
}

async fn world() -> World {
    let db = TestDb::new().await;
    let carol = user(db.pool(), "carol").await;
    World { db, keys: Keyring::new(MasterKey::generate()), carol }
}

/// carol enrolled at `t0`; her secret and recovery codes.
async fn enrolled(w: &World, t0: OffsetDateTime) -> (String, RecoveryCodes) {
    let shown = sf::start_enrolment(w.db.pool(), &w.keys, &w.carol, t0).await.unwrap();
    let secret = shown.secret_base32().to_owned();
    let done = sf::confirm_enrolment(
        w.db.pool(),
        &w.keys,
        &w.carol,
        shown.id(),
        &code(&secret, t0),
        &actor(&w.carol),
        t0,
    )
    .await
    .unwrap();
    let Confirmed::On(codes) = done else { panic!("the app's code confirms") };
    (secret, codes)
}

async fn site_actions(pool: &PgPool) -> Vec<String> {
    let mut events = site::events(pool, None, 100).await.unwrap();
    events.reverse();
    events.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn enrolment_takes_effect_only_once_confirmed_with_the_apps_code() {
    let w = world().await;
    let pool = w.db.pool();
    let t0 = step_start();
    let shown = sf::start_enrolment(pool, &w.keys, &w.carol, t0).await.unwrap();
    let (secret, id) = (shown.secret_base32().to_owned(), shown.id());
    assert!(!sf::status(pool, w.carol.id).await.unwrap().on(), "not before confirming");
    assert_eq!(
        sf::verify(pool, &w.keys, w.carol.id, &code(&secret, t0), t0).await.unwrap(),
        Check::Off
    );

    // Shown again beside a wrong code: the same secret.
    let again = sf::pending_enrolment(pool, &w.keys, &w.carol, id, t0).await.unwrap().unwrap();
    assert_eq!(again.secret_base32(), secret);
    let wrong = if code(&secret, t0) == "000000" { "111111" } else { "000000" };
    let me = actor(&w.carol);
    let refused = sf::confirm_enrolment(pool, &w.keys, &w.carol, id, wrong, &me, t0).await;
    assert!(matches!(refused.unwrap(), Confirmed::WrongCode));
    assert!(!users::get(pool, w.carol.id).await.unwrap().second_factor);

    let confirmed = sf::confirm_enrolment(pool, &w.keys, &w.carol, id, &code(&secret, t0), &me, t0)
        .await
        .unwrap();
    let Confirmed::On(codes) = confirmed else { panic!("the app's code confirms") };
    assert_eq!(codes.len(), 10);
    let status = sf::status(pool, w.carol.id).await.unwrap();
    assert_eq!((status.since, status.recovery_left), (Some(t0), 10));
    assert!(users::get(pool, w.carol.id).await.unwrap().second_factor);
    assert!(matches!(
        sf::start_enrolment(pool, &w.keys, &w.carol, t0).await,
        Err(Error::Rule(m)) if m == sf::ALREADY_ON
    ));

    // Stored sealed: neither the secret nor a recovery code is in any column, as text or
    // as bytes, and the audit events name neither.
    let raw = Secret::try_from_base32(&secret).unwrap().as_bytes().to_vec();
    let mut needles: Vec<Vec<u8>> = vec![secret.as_bytes().to_vec(), raw];
    for c in codes.iter() {
        needles.push(c.as_bytes().to_vec());
        needles.push(c.replace('-', "").into_bytes());
    }
    for needle in &needles {
        let found: i64 = sqlx::query_scalar(
            "select (select count(*) from user_second_factors
                     where position($1 in sealed_secret) > 0)
                  + (select count(*) from user_recovery_codes where position($1 in code_hash) > 0)
                  + (select count(*) from audit_events
                     where position($1 in convert_to(params::text, 'UTF8')) > 0)",
        )
        .bind(needle)
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(found, 0, "a secret or code is stored in the clear");
    }
    assert_eq!(site_actions(pool).await, ["user.second_factor.enabled"]);

    // Sealed for carol's row: pasted into dave's, it does not open.
    let dave = user(pool, "dave").await;
    sqlx::query(
        "insert into user_second_factors \
           (user_id, key_id, sealed_secret, confirmed_at, enrolment_id)
         select $2, key_id, sealed_secret, now(), enrolment_id from user_second_factors \
         where user_id = $1",
    )
    .bind(w.carol.id)
    .bind(dave.id)
    .execute(pool)
    .await
    .unwrap();
    assert!(matches!(
        sf::verify(pool, &w.keys, dave.id, &code(&secret, t0 + Duration::seconds(30)), t0).await,
        Err(Error::Crypto(_))
    ));
}

#[tokio::test]
async fn a_code_is_accepted_once_and_never_one_of_an_older_step() {
    let w = world().await;
    let pool = w.db.pool();
    let t0 = step_start();
    let (secret, _) = enrolled(&w, t0).await;
    let check = |c: String, at: OffsetDateTime| {
        let keys = &w.keys;
        async move { sf::verify(pool, keys, w.carol.id, &c, at).await.unwrap() }
    };
    // The confirming code was used at enrolment.
    assert_eq!(check(code(&secret, t0), t0 + Duration::seconds(5)).await, Check::Used);

    let t1 = t0 + Duration::seconds(30);
    assert_eq!(check(code(&secret, t1), t1).await, Check::App);
    assert_eq!(check(code(&secret, t1), t1 + Duration::seconds(10)).await, Check::Used, "replay");
    // The previous step is still within the app's drift, but older than one accepted.
    assert_eq!(check(code(&secret, t0), t1).await, Check::Used);

    // Typed with a space, as apps show it; the next step's code a little early (drift).
    let t2 = t1 + Duration::seconds(30);
    let spaced = {
        let c = code(&secret, t2 + Duration::seconds(30));
        format!("{} {}", &c[..3], &c[3..])
    };
    assert_eq!(check(spaced, t2).await, Check::App);
    assert_eq!(check(code(&secret, t2), t2).await, Check::Used, "older than the one accepted");

    // Far from now: not a code at all.
    let later = t2 + Duration::minutes(5);
    assert_eq!(check(code(&secret, t0), later).await, Check::Wrong);
    let wrong = if code(&secret, later) == "123456" { "654321" } else { "123456" };
    assert_eq!(check(wrong.to_owned(), later).await, Check::Wrong);
    assert_eq!(check("12345".to_owned(), later).await, Check::Wrong);
    assert_eq!(check(code(&secret, later), later).await, Check::App);
}

#[tokio::test]
async fn recovery_codes_work_once_each_and_new_ones_replace_them() {
    let w = world().await;
    let pool = w.db.pool();
    let t0 = step_start();
    let (secret, codes) = enrolled(&w, t0).await;
    let codes: Vec<String> = codes.iter().map(str::to_owned).collect();
    let check = |c: String| {
        let keys = &w.keys;
        async move { sf::verify(pool, keys, w.carol.id, &c, t0).await.unwrap() }
    };
    assert_eq!(check(codes[0].clone()).await, Check::Recovery);
    assert_eq!(check(codes[0].clone()).await, Check::Used);
    // As people type them: capitals, no dashes, spaces.
    assert_eq!(check(codes[1].to_uppercase().replace('-', "")).await, Check::Recovery);
    assert_eq!(check(codes[2].replace('-', " ")).await, Check::Recovery);
    assert_eq!(check("zzzz-zzzz-zzzz-zzzz".to_owned()).await, Check::Wrong);
    assert_eq!(sf::status(pool, w.carol.id).await.unwrap().recovery_left, 7);

    // New codes: asked for with a code, the old ones stop working.
    let t1 = t0 + Duration::seconds(30);
    let fresh = sf::regenerate_recovery_codes(
        pool,
        &w.keys,
        &w.carol,
        &code(&secret, t0),
        &actor(&w.carol),
        t1,
    )
    .await
    .unwrap();
    assert_eq!(fresh.err(), Some(Check::Used), "a used code does not make new ones");
    let fresh =
        sf::regenerate_recovery_codes(pool, &w.keys, &w.carol, &codes[3], &actor(&w.carol), t1)
            .await
            .unwrap()
            .expect("a recovery code makes new ones");
    assert_eq!(fresh.len(), 10);
    assert_eq!(check(codes[4].clone()).await, Check::Wrong, "old codes are gone");
    assert_eq!(check(fresh.iter().next().unwrap().to_owned()).await, Check::Recovery);
    assert_eq!(
        site_actions(pool).await,
        ["user.second_factor.enabled", "user.second_factor.recovery_codes_replaced"]
    );
}

#[tokio::test]
async fn turning_it_off_takes_a_code_and_removes_everything() {
    let w = world().await;
    let pool = w.db.pool();
    let t0 = step_start();
    let (secret, codes) = enrolled(&w, t0).await;
    let t1 = t0 + Duration::seconds(30);
    let off = |c: String| {
        let (keys, carol) = (&w.keys, &w.carol);
        async move { sf::disable(pool, keys, carol, &c, &actor(carol), t1).await.unwrap() }
    };
    assert_eq!(off("".to_owned()).await, Check::Wrong);
    assert_eq!(off(code(&secret, t0)).await, Check::Used);
    assert!(sf::status(pool, w.carol.id).await.unwrap().on(), "still on");
    assert_eq!(off(code(&secret, t1)).await, Check::App);
    let status = sf::status(pool, w.carol.id).await.unwrap();
    assert_eq!((status.on(), status.recovery_left), (false, 0));
    assert!(!users::get(pool, w.carol.id).await.unwrap().second_factor);
    let first = codes.iter().next().unwrap().to_owned();
    assert_eq!(sf::verify(pool, &w.keys, w.carol.id, &first, t1).await.unwrap(), Check::Off);
    assert_eq!(off(code(&secret, t1 + Duration::seconds(30))).await, Check::Off);
    assert_eq!(
        site_actions(pool).await,
        ["user.second_factor.enabled", "user.second_factor.disabled"]
    );
    // And it can be set up again, with a new secret.
    let shown = sf::start_enrolment(pool, &w.keys, &w.carol, t1).await.unwrap();
    assert_ne!(shown.secret_base32(), secret);
}

#[tokio::test]
async fn an_administrator_resets_it_and_every_session_of_the_user_ends() {
    let w = world().await;
    let pool = w.db.pool();
    let sam = user(pool, "sam").await;
    let t0 = step_start();
    enrolled(&w, t0).await;
    let epoch = users::get(pool, w.carol.id).await.unwrap().session_epoch;

    assert!(matches!(
        sf::reset(pool, sam.id, &actor(&sam)).await,
        Err(Error::Rule(m)) if m == sf::OWN_SECOND_FACTOR
    ));
    assert!(sf::reset(pool, w.carol.id, &actor(&sam)).await.unwrap());
    let carol = users::get(pool, w.carol.id).await.unwrap();
    assert!(!carol.second_factor);
    assert_eq!(carol.session_epoch, epoch + 1, "her sessions end");
    assert_eq!(sf::status(pool, w.carol.id).await.unwrap().recovery_left, 0);
    // Nothing to reset: no change, no event.
    assert!(!sf::reset(pool, w.carol.id, &actor(&sam)).await.unwrap());
    assert!(matches!(
        sf::reset(pool, uuid::Uuid::new_v4(), &actor(&sam)).await,
        Err(Error::NotFound)
    ));
    let events = site::events(pool, None, 10).await.unwrap();
    let reset: Vec<_> = events.iter().filter(|e| e.action == "user.second_factor.reset").collect();
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0].actor_name.as_deref(), Some("sam"));
    assert_eq!(reset[0].param("login").as_deref(), Some("carol"));
}

#[tokio::test]
async fn a_team_owner_requires_it_once_they_have_one_and_the_team_log_says_so() {
    let w = world().await;
    let pool = w.db.pool();
    let demo =
        teams::create(pool, &TeamName::parse("Demo").unwrap(), Some(w.carol.id)).await.unwrap();
    let bob = user(pool, "bob").await;
    teams::add_member(pool, demo.id, bob.id, Role::Viewer).await.unwrap();
    let by = RequestContext {
        actor_user_id: w.carol.id,
        actor_name: "carol".to_owned(),
        source_ip: None,
        user_agent: None,
        session_hash: None,
        panel_request_id: None,
    };
    assert!(matches!(
        sf::set_team_requirement(pool, demo.id, true, &by).await,
        Err(Error::Rule(m)) if m == sf::ENROL_FIRST
    ));
    enrolled(&w, step_start()).await;
    assert!(sf::set_team_requirement(pool, demo.id, true, &by).await.unwrap());
    assert!(!sf::set_team_requirement(pool, demo.id, true, &by).await.unwrap(), "no change");
    let bobs = teams::teams_of(pool, bob.id).await.unwrap();
    assert!(bobs[0].requires_second_factor);
    assert!(sf::set_team_requirement(pool, demo.id, false, &by).await.unwrap());
    assert!(!teams::teams_of(pool, bob.id).await.unwrap()[0].requires_second_factor);

    let filter = AuditFilter { action_prefix: Some("team.".to_owned()), ..AuditFilter::default() };
    let mut events =
        audit::list(pool, demo.id, &filter, &PageRequest::first(10)).await.unwrap().items;
    events.reverse();
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.params["team"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(
        seen,
        [("team.second_factor.required", "Demo"), ("team.second_factor.not_required", "Demo")]
    );
    assert_eq!(events[0].actor_name.as_deref(), Some("carol"));
}

#[tokio::test]
async fn after_a_master_key_rotation_the_app_and_the_recovery_codes_still_work() {
    let (old_key, new_key) = (MasterKey::generate(), MasterKey::generate());
    let mut w = world().await;
    w.keys = Keyring::new(old_key.clone());
    let pool = w.db.pool();
    let t0 = step_start();
    let (secret, codes) = enrolled(&w, t0).await;
    let rotated = Keyring::new(new_key.clone()).with_old_key(old_key.clone());
    assert_eq!(sf::reencrypt_all(pool, &rotated).await.unwrap(), 1);
    assert_eq!(sf::reencrypt_all(pool, &rotated).await.unwrap(), 0, "nothing left to re-seal");
    // The old key is gone for good.
    let (old, new_only) = (Keyring::new(old_key), Keyring::new(new_key));
    let t1 = t0 + Duration::seconds(30);
    let check = |c: String| {
        let keys = &new_only;
        async move { sf::verify(pool, keys, w.carol.id, &c, t1).await.unwrap() }
    };
    assert_eq!(check(code(&secret, t1)).await, Check::App);
    assert_eq!(check(codes.iter().next().unwrap().to_owned()).await, Check::Recovery);
    assert!(
        matches!(
            sf::verify(pool, &old, w.carol.id, &code(&secret, t1 + Duration::seconds(30)), t1)
                .await,
            Err(Error::Crypto(_))
        ),
        "the old key alone opens nothing now"
    );
}

#[tokio::test]
async fn an_enrolment_is_shown_again_and_confirmed_only_by_its_id_and_for_15_minutes() {
    let w = world().await;
    let pool = w.db.pool();
    let me = actor(&w.carol);
    let t0 = step_start();
    let first = sf::start_enrolment(pool, &w.keys, &w.carol, t0).await.unwrap();
    let secret = first.secret_base32().to_owned();
    let other = uuid::Uuid::new_v4();

    // Without the id (another session of carol's): the secret is not shown, nor confirmed.
    assert!(sf::pending_enrolment(pool, &w.keys, &w.carol, other, t0).await.unwrap().is_none());
    let right = code(&secret, t0);
    let refused = sf::confirm_enrolment(pool, &w.keys, &w.carol, other, &right, &me, t0).await;
    assert!(matches!(refused, Err(Error::NotFound)), "{refused:?}");

    // Started again: the first enrolment's id shows nothing any more.
    let second = sf::start_enrolment(pool, &w.keys, &w.carol, t0).await.unwrap();
    assert_ne!(second.id(), first.id());
    let old = sf::pending_enrolment(pool, &w.keys, &w.carol, first.id(), t0).await.unwrap();
    assert!(old.is_none());

    // Until 15 minutes after it started, then never.
    let secret = second.secret_base32().to_owned();
    let late = t0 + sf::PENDING_FOR;
    let almost = late - Duration::seconds(1);
    let shown = sf::pending_enrolment(pool, &w.keys, &w.carol, second.id(), almost).await;
    assert_eq!(shown.unwrap().unwrap().secret_base32(), secret);
    assert!(
        sf::pending_enrolment(pool, &w.keys, &w.carol, second.id(), late).await.unwrap().is_none()
    );
    let refused = sf::confirm_enrolment(
        pool,
        &w.keys,
        &w.carol,
        second.id(),
        &code(&secret, late),
        &me,
        late,
    )
    .await;
    assert!(matches!(refused, Err(Error::NotFound)), "{refused:?}");
    assert!(!sf::status(pool, w.carol.id).await.unwrap().on());
    assert!(site_actions(pool).await.is_empty());

    // Within the time, with its id: on.
    let third = sf::start_enrolment(pool, &w.keys, &w.carol, late).await.unwrap();
    let right = code(third.secret_base32(), almost + sf::PENDING_FOR);
    let done = sf::confirm_enrolment(
        pool,
        &w.keys,
        &w.carol,
        third.id(),
        &right,
        &me,
        almost + sf::PENDING_FOR,
    )
    .await
    .unwrap();
    assert!(matches!(done, Confirmed::On(_)));
}

/// Two panel processes, each with its own connections to one database.
async fn second_process_pool(db: &TestDb) -> PgPool {
    sqlx::postgres::PgPoolOptions::new().max_connections(4).connect(db.url()).await.unwrap()
}

/// `typed` checked `n` times at once at `at`, half through each pool; the answers.
async fn at_once(w: &World, pools: [&PgPool; 2], typed: &str, at: OffsetDateTime) -> Vec<Check> {
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (pool, keys) = (pools[i % 2].clone(), w.keys.clone());
            let (user, typed) = (w.carol.id, typed.to_owned());
            tokio::spawn(async move { sf::verify(&pool, &keys, user, &typed, at).await.unwrap() })
        })
        .collect();
    let mut checks = Vec::new();
    for task in tasks {
        checks.push(task.await.unwrap());
    }
    checks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_typed_many_times_at_once_in_two_processes_is_accepted_once() {
    let w = world().await;
    let other = second_process_pool(&w.db).await;
    let pools = [w.db.pool(), &other];
    let t0 = step_start();
    let (secret, codes) = enrolled(&w, t0).await;
    let t1 = t0 + Duration::seconds(30);

    let checks = at_once(&w, pools, &code(&secret, t1), t1).await;
    assert_eq!(checks.iter().filter(|c| **c == Check::App).count(), 1, "{checks:?}");
    assert!(checks.iter().all(|c| matches!(c, Check::App | Check::Used)), "{checks:?}");

    let recovery = codes.iter().next().unwrap().to_owned();
    let checks = at_once(&w, pools, &recovery, t1).await;
    assert_eq!(checks.iter().filter(|c| **c == Check::Recovery).count(), 1, "{checks:?}");
    assert!(checks.iter().all(|c| matches!(c, Check::Recovery | Check::Used)), "{checks:?}");
    assert_eq!(sf::status(w.db.pool(), w.carol.id).await.unwrap().recovery_left, 9);
}

/// Each process keeps signed-in users in memory and drops one when told (a notification on
/// `lightdeck_changes`). Turning the second factor on or off tells them; the step a code
/// sign-in stores does not, or every sign-in with a code would empty every cache of the user.
#[tokio::test]
async fn a_code_sign_in_does_not_notify_the_processes_but_turning_it_on_does() {
    let w = world().await;
    let pool = w.db.pool();
    let mut listener = sqlx::postgres::PgListener::connect(w.db.url()).await.unwrap();
    listener.listen("lightdeck_changes").await.unwrap();
    let t0 = step_start();
    let (secret, _) = enrolled(&w, t0).await;
    let carol = format!("u:{}", w.carol.id);
    // Enrolling (the row inserted, then confirmed) said so, before the marker sent after it.
    sqlx::query("select pg_notify('lightdeck_changes', 'enrolled')").execute(pool).await.unwrap();
    let mut heard = Vec::new();
    while heard.last().map(String::as_str) != Some("enrolled") {
        heard.push(listener.recv().await.unwrap().payload().to_owned());
    }
    assert!(heard.contains(&carol), "{heard:?}");

    let t1 = t0 + Duration::seconds(30);
    assert_eq!(
        sf::verify(pool, &w.keys, w.carol.id, &code(&secret, t1), t1).await.unwrap(),
        Check::App
    );
    // Notifications arrive in commit order: the marker sent after the sign-in comes first.
    sqlx::query("select pg_notify('lightdeck_changes', 'signed in')").execute(pool).await.unwrap();
    assert_eq!(listener.recv().await.unwrap().payload(), "signed in");

    assert!(sf::reset(pool, w.carol.id, &SiteActor::command_line("test")).await.unwrap());
    assert_eq!(listener.recv().await.unwrap().payload(), carol, "a reset does tell them");
}
