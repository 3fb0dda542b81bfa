//! Rename, hostname and description from the instance page: only admins and owners see and
//! send the form, every field problem is shown beside its field in the reader's language
//! with nothing sent, and a change travels the one pipeline (requested → succeeded).

use crate::instances_support;

use axum::http::StatusCode;
use instances_support::{Browser, Env, Resp};
use lightdeck_domain::audit::{self, AuditFilter};
use lightdeck_domain::inventory::PageRequest;
use lightdeck_domain::policy::Role;
use lightdeck_domain::teams;
use lightdeck_domain::values::{Language, TeamName};

async fn actions_of(env: &Env, prefix: &str) -> Vec<String> {
    let filter = AuditFilter { action_prefix: Some(prefix.to_owned()), ..AuditFilter::default() };
    let mut items = audit::list(env.db.pool(), env.team, &filter, &PageRequest::first(100))
        .await
        .unwrap()
        .items;
    items.reverse();
    items.into_iter().map(|e| e.action).collect()
}

/// Posts the form with a fresh idempotency key, as each render of the page has one.
async fn submit(env: &Env, b: &mut Browser, id: &str, fields: &[(&str, &str)]) -> Resp {
    let key = uuid::Uuid::new_v4().to_string();
    let mut all = fields.to_vec();
    all.push(("idempotency_key", &key));
    b.post_form(&format!("/teams/{}/instances/{id}/settings", env.team), &all).await
}

#[tokio::test]
async fn admin_renames_and_the_cloud_the_table_and_the_audit_log_agree() {
    let env = Env::new(2).await;
    let inst = env.instances().await[0].clone();
    let id = inst.instance_id.to_string();
    let url = format!("/teams/{}/instances/{id}", env.team);
    let mut alice = env.browser("alice", Role::Admin).await;

    let page = alice.get(&url).await;
    assert_eq!(page.count("form#settings-form"), 1, "admins see the form");
    assert_eq!(page.attr("#settings-name", "value").as_deref(), Some(inst.name.as_str()));

    // The same values again: nothing changes and nothing is sent.
    let same = submit(&env, &mut alice, &id, &[("name", &inst.name)]).await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
    assert_eq!(env.sim.count_requests("UpdateServer"), 0);
    let page = alice.get(&format!("{url}?notice=unchanged")).await;
    assert!(page.text(".settings-notice").unwrap().contains("Nothing changed"));

    let done = submit(&env, &mut alice, &id, &[("name", "web-02"), ("description", "shop")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location").unwrap(), format!("{url}?notice=updated"));
    assert_eq!(env.sim.count_requests("UpdateServer"), 1);
    let server = env.sim.instances().into_iter().find(|i| i.id == id).unwrap().server;
    assert_eq!((server.name.as_str(), server.description.as_str()), ("web-02", "shop"));
    // UpdateServer renames the cloud server (seed §4.4.2), not the Flexus L instance whose
    // name RMS lists: the table keeps that one.
    let row = env.instances().await.into_iter().find(|r| r.instance_id == inst.instance_id);
    assert_eq!(row.unwrap().name, inst.name, "the instance keeps its own name");
    assert_eq!(
        actions_of(&env, "instance.update").await,
        ["instance.update.requested", "instance.update.succeeded"]
    );
    let audit = alice.get(&format!("/teams/{}/audit", env.team)).await;
    assert!(audit.body.contains("renamed"), "{}", audit.body);

    // A new hostname waits for a restart: the page says so and offers it right there.
    let host = submit(&env, &mut alice, &id, &[("name", "web-02"), ("hostname", "web02")]).await;
    let location = host.header("location").unwrap().to_owned();
    assert!(location.ends_with("?notice=hostname"), "{location}");
    let page = alice.get(&location).await;
    assert!(page.text(".settings-notice").unwrap().contains("after the instance restarts"));
    assert_eq!(
        page.attr("form.reboot-offer input[name=instance]", "value").as_deref(),
        Some(id.as_str())
    );
    assert_eq!(page.attr("#settings-hostname", "value").as_deref(), Some("web02"));
}

#[tokio::test]
async fn bad_fields_are_explained_in_both_languages_and_nothing_is_sent() {
    let env = Env::new(1).await;
    let id = env.instances().await[0].instance_id.to_string();
    let mut alice = env.browser("alice", Role::Owner).await;
    let bad = [("name", "web 02"), ("hostname", "-web..02")];
    let page = submit(&env, &mut alice, &id, &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let name = page.text("#settings-name-error").unwrap();
    assert!(name.contains("a space"), "{name}");
    let host = page.text("#settings-hostname-error").unwrap();
    assert!(host.contains("must not start or end") && host.contains("“..”"), "{host}");
    assert_eq!(page.attr("#settings-name", "aria-invalid").as_deref(), Some("true"));

    env.member_speaking("wang", Role::Admin, Language::ZhCn).await;
    let mut wang = env.signed_in("wang").await;
    let page = submit(&env, &mut wang, &id, &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let name = page.text("#settings-name-error").unwrap();
    assert!(name.contains("空格") && !name.contains("may only"), "{name}");
    let host = page.text("#settings-hostname-error").unwrap();
    assert!(host.contains("开头或结尾") && !host.contains("must"), "{host}");
    let long = "a".repeat(86);
    let page = submit(&env, &mut wang, &id, &[("description", &long)]).await;
    assert!(page.text("#settings-description-error").unwrap().contains("最多 85 个字符"));

    assert_eq!(env.sim.count_requests("UpdateServer"), 0);
    assert!(actions_of(&env, "instance.update").await.is_empty());
    assert!(env.state.i18n.missing().is_empty(), "{:?}", env.state.i18n.missing());
}

#[tokio::test]
async fn viewers_operators_and_other_teams_cannot_change_settings() {
    let env = Env::new(1).await;
    let id = env.instances().await[0].instance_id.to_string();
    let url = format!("/teams/{}/instances/{id}", env.team);
    for (login, role) in [("carol", Role::Viewer), ("bob", Role::Operator)] {
        let mut b = env.browser(login, role).await;
        assert_eq!(b.get(&url).await.count("form#settings-form"), 0, "{login} sees no form");
        let resp = submit(&env, &mut b, &id, &[("name", "web-02")]).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN, "{login}");
    }

    let other =
        teams::create(env.db.pool(), &TeamName::parse("Other").unwrap(), None).await.unwrap();
    let dave = env.member("dave", Role::Owner).await;
    teams::add_member(env.db.pool(), other.id, dave.id, Role::Owner).await.unwrap();
    let mut dave_b = env.signed_in("dave").await;
    let foreign = dave_b
        .post_form(
            &format!("/teams/{}/instances/{id}/settings", other.id),
            &[("name", "web-02"), ("idempotency_key", "k")],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(env.sim.count_requests("UpdateServer"), 0);
}

#[tokio::test]
async fn a_name_two_accounts_share_is_told_apart_by_its_account_in_the_audit_log() {
    let env = Env::new(8).await;
    let all = env.instances().await;
    // Seeded names repeat across accounts (each account has its web, db-01, …).
    let a = all
        .iter()
        .find(|a| all.iter().any(|b| b.account_id != a.account_id && b.name == a.name))
        .expect("two accounts share an instance name");
    let mut alice = env.browser("alice", Role::Admin).await;
    let done = submit(&env, &mut alice, a.instance_id.as_ref(), &[("name", "renamed-01")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let audit = alice.get(&format!("/teams/{}/audit", env.team)).await;
    let sentences = audit.texts("main .event .sentence");
    let renamed = sentences.iter().find(|s| s.starts_with("alice renamed ")).expect("a rename");
    assert!(renamed.contains(&format!("of {} (acct-", a.name)), "{renamed}");
    assert!(renamed.contains("to “renamed-01”"), "{renamed}");
    assert!(renamed.contains(" (acct-"), "the account is named: {renamed}");
}
