//! Teams as a site administrator manages them: created with a first owner, renamed (a
//! taken name is a field error), deleted only when empty; a deleted team's chain stays.

use axum::http::StatusCode;
use lightdeck_domain::policy::Role;
use lightdeck_domain::{site, teams, users};

use super::{sam, site_events};
use crate::instances_support::Env;

#[tokio::test]
async fn teams_are_created_renamed_and_only_empty_ones_deleted() {
    let env = Env::new(1).await;
    let mut sam = sam(&env).await;
    env.member("alice", Role::Owner).await;

    let bad = sam.post_form("/admin/teams", &[("name", ""), ("owner", "nobody")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#team-name-error").is_some() && bad.text("#team-owner-error").is_some());
    let made = sam.post_form("/admin/teams", &[("name", "Platform"), ("owner", "alice")]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{:?}", made.texts(".field-error"));
    let ops = teams::find_by_name(env.db.pool(), "Platform").await.unwrap().unwrap();
    let members = teams::members(env.db.pool(), ops.id).await.unwrap();
    assert_eq!(
        members.iter().map(|m| (m.login.as_str(), m.role)).collect::<Vec<_>>(),
        [("alice", Role::Owner)]
    );

    let main = teams::get(env.db.pool(), env.team).await.unwrap();
    let taken =
        sam.post_form(&format!("/admin/teams/{}/rename", ops.id), &[("name", &main.name)]).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.text(&format!("#rename-{}-error", ops.id)).unwrap().contains("Another team"));
    let renamed =
        sam.post_form(&format!("/admin/teams/{}/rename", ops.id), &[("name", "Platform 2")]).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);

    // The main team has a cloud account: refused, with the reason in its row.
    let used = sam
        .post_form(&format!("/admin/teams/{}/delete", env.team), &[("confirm", &main.name)])
        .await;
    assert_eq!(used.status, StatusCode::CONFLICT, "{}", used.body);
    assert!(
        used.text(&format!("#delete-{}-error", env.team)).unwrap().contains("cannot be deleted")
    );
    let unconfirmed =
        sam.post_form(&format!("/admin/teams/{}/delete", ops.id), &[("confirm", "Platform")]).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A team event in Ops' own chain, which outlives the team.
    let bob = env.member("bob", Role::Viewer).await;
    let alice = users::find_by_login(env.db.pool(), "alice").await.unwrap().unwrap();
    let ctx = lightdeck_domain::actions::RequestContext {
        actor_user_id: alice.id,
        actor_name: "alice".into(),
        source_ip: None,
        user_agent: None,
        session_hash: None,
        panel_request_id: None,
    };
    let bob_login = lightdeck_domain::values::LoginName::parse(&bob.login).unwrap();
    teams::add_by_login(env.db.pool(), ops.id, &bob_login, Role::Viewer, &ctx).await.unwrap();
    let gone = sam
        .post_form(&format!("/admin/teams/{}/delete", ops.id), &[("confirm", "Platform 2")])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    assert!(teams::find_by_name(env.db.pool(), "Platform 2").await.unwrap().is_none());
    assert!(
        teams::teams_of(env.db.pool(), bob.id).await.unwrap().iter().all(|m| m.team_id != ops.id)
    );
    assert_eq!(site::deleted_team_chains(env.db.pool()).await.unwrap(), [ops.id]);
    assert!(lightdeck_domain::audit::verify(env.db.pool(), ops.id).await.unwrap().is_intact());

    let unknown = format!("/admin/teams/{}/rename", uuid::Uuid::new_v4());
    assert_eq!(sam.post_form(&unknown, &[("name", "X")]).await.status, StatusCode::NOT_FOUND);
    let actions: Vec<String> = site_events(&env).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["team.created", "team.renamed", "team.deleted"]);
    let log = sam.get("/admin/audit").await;
    let lines = log.texts("tr.event .what");
    assert_eq!(lines[1], "sam renamed team Platform to Platform 2");
    assert!(site::verify(env.db.pool()).await.unwrap().is_intact());
}
