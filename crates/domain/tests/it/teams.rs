//! Teams, memberships and the last-owner rule, against a real Postgres.

use lightdeck_domain::Error;
use lightdeck_domain::policy::Role;
use lightdeck_domain::teams::{self, Team};
use lightdeck_domain::testing::TestDb;
use lightdeck_domain::values::TeamName;
use sqlx::PgPool;
use uuid::Uuid;

/// Users inserted directly: password hashing is not what these tests are about.
async fn user(pool: &PgPool, login: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into users (id, login, display_name, password_hash) values ($1, $2, $2, 'x')",
    )
    .bind(id)
    .bind(login)
    .execute(pool)
    .await
    .unwrap();
    id
}

async fn team(pool: &PgPool, name: &str, owner: Uuid) -> Team {
    teams::create(pool, &TeamName::parse(name).unwrap(), Some(owner)).await.unwrap()
}

#[tokio::test]
async fn teams_have_unique_names_and_a_first_owner() {
    let db = TestDb::new().await;
    let alice = user(db.pool(), "alice").await;
    let ops = team(db.pool(), "Ops", alice).await;
    assert_eq!(teams::role_of(db.pool(), ops.id, alice).await.unwrap(), Some(Role::Owner));
    assert_eq!(teams::get(db.pool(), ops.id).await.unwrap(), ops);
    assert_eq!(teams::find_by_name(db.pool(), "Ops").await.unwrap(), Some(ops.clone()));

    let Err(Error::Invalid(errors)) =
        teams::create(db.pool(), &TeamName::parse("Ops").unwrap(), None).await
    else {
        panic!("duplicate team name accepted");
    };
    assert_eq!(errors.get("team_name"), Some("this team name is taken"));

    // A failed first owner (no such user) leaves no team behind.
    let missing =
        teams::create(db.pool(), &TeamName::parse("Ghosts").unwrap(), Some(Uuid::new_v4())).await;
    assert!(matches!(missing, Err(Error::NotFound)));
    assert_eq!(teams::find_by_name(db.pool(), "Ghosts").await.unwrap(), None);
    assert_eq!(teams::list(db.pool()).await.unwrap(), [ops]);
}

#[tokio::test]
async fn members_are_added_changed_listed_and_removed() {
    let db = TestDb::new().await;
    let alice = user(db.pool(), "alice").await;
    let bob = user(db.pool(), "bob").await;
    let carol = user(db.pool(), "carol").await;
    let ops = team(db.pool(), "Ops", alice).await;
    let dev = team(db.pool(), "Dev", bob).await;

    teams::add_member(db.pool(), ops.id, carol, Role::Viewer).await.unwrap();
    teams::add_member(db.pool(), ops.id, bob, Role::Operator).await.unwrap();
    let Err(Error::Invalid(errors)) = teams::add_member(db.pool(), ops.id, bob, Role::Admin).await
    else {
        panic!("double membership accepted");
    };
    assert_eq!(errors.get("user"), Some("this user is already a member of the team"));
    assert!(matches!(
        teams::add_member(db.pool(), Uuid::new_v4(), bob, Role::Admin).await,
        Err(Error::NotFound)
    ));

    let members: Vec<(String, Role)> = teams::members(db.pool(), ops.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.login, m.role))
        .collect();
    assert_eq!(
        members,
        [
            ("alice".into(), Role::Owner),
            ("bob".into(), Role::Operator),
            ("carol".into(), Role::Viewer)
        ]
    );

    let bobs: Vec<(String, Role)> = teams::teams_of(db.pool(), bob)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.team_name, m.role))
        .collect();
    assert_eq!(bobs, [("Dev".into(), Role::Owner), ("Ops".into(), Role::Operator)]);
    let _ = dev;

    teams::change_role(db.pool(), ops.id, carol, Role::Admin).await.unwrap();
    assert_eq!(teams::role_of(db.pool(), ops.id, carol).await.unwrap(), Some(Role::Admin));
    teams::remove_member(db.pool(), ops.id, carol).await.unwrap();
    assert_eq!(teams::role_of(db.pool(), ops.id, carol).await.unwrap(), None);
    assert!(matches!(teams::remove_member(db.pool(), ops.id, carol).await, Err(Error::NotFound)));
    assert!(matches!(
        teams::change_role(db.pool(), ops.id, carol, Role::Owner).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn the_last_owner_can_be_neither_removed_nor_demoted() {
    let db = TestDb::new().await;
    let alice = user(db.pool(), "alice").await;
    let bob = user(db.pool(), "bob").await;
    let ops = team(db.pool(), "Ops", alice).await;
    teams::add_member(db.pool(), ops.id, bob, Role::Admin).await.unwrap();

    assert!(matches!(teams::remove_member(db.pool(), ops.id, alice).await, Err(Error::Rule(_))));
    assert!(matches!(
        teams::change_role(db.pool(), ops.id, alice, Role::Admin).await,
        Err(Error::Rule(_))
    ));
    // Owner to owner is not a demotion.
    teams::change_role(db.pool(), ops.id, alice, Role::Owner).await.unwrap();

    // With a second owner, the first may step down.
    teams::change_role(db.pool(), ops.id, bob, Role::Owner).await.unwrap();
    teams::change_role(db.pool(), ops.id, alice, Role::Viewer).await.unwrap();
    assert_eq!(teams::role_of(db.pool(), ops.id, alice).await.unwrap(), Some(Role::Viewer));
    assert!(matches!(teams::remove_member(db.pool(), ops.id, bob).await, Err(Error::Rule(_))));
}

async fn owners(pool: &PgPool, team: Uuid) -> i64 {
    sqlx::query_scalar("select count(*) from memberships where team_id = $1 and role = 'owner'")
        .bind(team)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn two_owners_stepping_down_at_once_leave_one_owner() {
    let db = TestDb::new().await;
    for round in 0..10 {
        let a = user(db.pool(), &format!("a{round}")).await;
        let b = user(db.pool(), &format!("b{round}")).await;
        let t = team(db.pool(), &format!("Team {round}"), a).await;
        teams::add_member(db.pool(), t.id, b, Role::Owner).await.unwrap();

        // Half the rounds demote, half remove; each pair runs concurrently on its own connection.
        let (x, y) = if round % 2 == 0 {
            tokio::join!(
                teams::change_role(db.pool(), t.id, a, Role::Admin),
                teams::change_role(db.pool(), t.id, b, Role::Admin)
            )
        } else {
            tokio::join!(
                teams::remove_member(db.pool(), t.id, a),
                teams::remove_member(db.pool(), t.id, b)
            )
        };
        let refused = [&x, &y].into_iter().filter(|r| matches!(r, Err(Error::Rule(_)))).count();
        assert!(x.is_ok() || y.is_ok(), "round {round}: {x:?} {y:?}");
        assert_eq!(refused, 1, "round {round}: {x:?} {y:?}");
        assert_eq!(owners(db.pool(), t.id).await, 1, "round {round}");
    }
}
