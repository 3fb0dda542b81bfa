//! Helpers shared by the system tests: real ids for route parameters, posting a power
//! action as the instances page does, and driving jobs to their end.

use lightdeck_domain::actions::ActionState;
use lightdeck_tests::{Client, Page, Persona, TestApp};

/// Real values for every route parameter, from the main team.
#[derive(Debug, Clone)]
pub struct Ids {
    pub team: String,
    pub instance: String,
    pub batch: String,
    pub account: String,
    /// A member of the team who is none of the personas (the matrix removes them).
    pub user: String,
    /// A working setup link's token (of a new person added to the team).
    pub token: String,
    pub static_path: String,
}

/// A new person added to `team` by its owner, and their setup link's token.
async fn setup_token(
    app: &TestApp,
    team: uuid::Uuid,
    owner: &lightdeck_domain::users::User,
    login: &str,
) -> String {
    let actor = lightdeck_domain::actions::RequestContext {
        actor_user_id: owner.id,
        actor_name: owner.display_name.clone(),
        source_ip: None,
        user_agent: None,
        session_hash: None,
        panel_request_id: None,
    };
    let login = lightdeck_domain::values::LoginName::parse(login).unwrap();
    let name = lightdeck_domain::values::DisplayName::parse("New Person").unwrap();
    let role = lightdeck_domain::policy::Role::Viewer;
    let (_, token) = lightdeck_domain::teams::add_new_person(
        app.db.pool(),
        team,
        &login,
        &name,
        role,
        &actor,
        app.now(),
    )
    .await
    .unwrap();
    token.expose().to_owned()
}

/// A member of `team` who is none of the personas.
async fn extra_member(app: &TestApp, team: uuid::Uuid, login: &str) -> String {
    lightdeck_testkit::fixtures::user(app.db.pool(), login)
        .member_of(team, lightdeck_domain::policy::Role::Viewer)
        .create()
        .await
        .id
        .to_string()
}

/// Ids of the main team, with one batch (a reboot by alice, run to its end).
pub async fn ids(app: &TestApp) -> Ids {
    let mut alice = app.client(Persona::Owner).await;
    let batch = run_batch(app, &mut alice, "reboot", &[&app.team.instance_id(0)]).await;
    Ids {
        team: app.team.id.to_string(),
        instance: app.team.instance_id(0),
        batch,
        account: app.team.account_id.to_string(),
        user: extra_member(app, app.team.id, "matrix-extra").await,
        token: setup_token(app, app.team.id, app.user(Persona::Owner), "setup-main").await,
        static_path: "app.css".to_owned(),
    }
}

/// The same for the other team (oscar's), with a batch of its own: the ids nobody in the
/// main team may reach.
pub async fn other_ids(app: &TestApp) -> Ids {
    let mut oscar = app.client(Persona::OtherOwner).await;
    let url = format!("/teams/{}/actions", app.other.id);
    let page = post_action(&mut oscar, &url, "reboot", &[&app.other.instance_id(0)]).await;
    let batch = batch_of(&page).expect("oscar's reboot has a batch");
    finish_jobs(app).await;
    Ids {
        team: app.other.id.to_string(),
        instance: app.other.instance_id(0),
        batch,
        account: app.other.account_id.to_string(),
        user: extra_member(app, app.other.id, "other-extra").await,
        token: setup_token(app, app.other.id, app.user(Persona::OtherOwner), "setup-other").await,
        static_path: "app.css".to_owned(),
    }
}

/// `path` with each `{param}` replaced; an unknown parameter is an error naming the route.
pub fn fill(path: &str, ids: &Ids) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end =
            rest[start..].find('}').ok_or_else(|| format!("route {path}: unbalanced braces"))?
                + start;
        let value = match &rest[start + 1..end] {
            "team" => &ids.team,
            "instance" => &ids.instance,
            "batch" => &ids.batch,
            "account" => &ids.account,
            "user" => &ids.user,
            "token" => &ids.token,
            "*path" => &ids.static_path,
            other => {
                return Err(format!(
                    "route {path} has a parameter {{{other}}} the system tests cannot fill: add it to support::fill"
                ));
            }
        };
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Posts the instances page's action form: `action` (start, stop, reboot), soft, the
/// selected instance ids, a fresh idempotency key and the session's CSRF token.
pub async fn post_action(client: &mut Client, url: &str, action: &str, instances: &[&str]) -> Page {
    let key = uuid::Uuid::new_v4().to_string();
    let mut fields = vec![("action", action), ("type", "soft"), ("idempotency_key", key.as_str())];
    fields.extend(instances.iter().map(|i| ("instance", *i)));
    client.post_form(url, &fields).await
}

/// The batch id a successful action post points at (its redirect to the progress panel).
pub fn batch_of(page: &Page) -> Option<String> {
    let location = page.location()?;
    let rest = location.split("/batches/").nth(1)?;
    Some(rest.split(['/', '?', '#']).next()?.to_owned())
}

/// Posts an action as `client` in the main team and returns its batch id.
pub async fn start_batch(
    app: &TestApp,
    client: &mut Client,
    action: &str,
    instances: &[&str],
) -> String {
    let url = format!("/teams/{}/actions", app.team.id);
    let page = post_action(client, &url, action, instances).await;
    assert_eq!(page.status.as_u16(), 303, "posting {action}: {}", page.body);
    batch_of(&page)
        .unwrap_or_else(|| panic!("the action post redirects to its batch: {:?}", page.location()))
}

/// Like [`start_batch`], then runs every job to its end.
pub async fn run_batch(
    app: &TestApp,
    client: &mut Client,
    action: &str,
    instances: &[&str],
) -> String {
    let batch = start_batch(app, client, action, instances).await;
    finish_jobs(app).await;
    batch
}

/// Moves the clock past every running job and polls until no action is left in flight
/// (bounded: a job that never ends fails the test).
pub async fn finish_jobs(app: &TestApp) {
    finish_jobs_with(app, &app.state).await;
}

pub async fn finish_jobs_with(app: &TestApp, state: &lightdeck::AppState) {
    for _ in 0..20 {
        app.advance(time::Duration::seconds(5));
        lightdeck::workers::poll_once(&state.workers()).await.expect("a poller pass");
        if in_flight(app).await == 0 {
            return;
        }
    }
    panic!("actions still in flight after 20 poller passes");
}

/// Actions of either team not yet in a terminal state.
pub async fn in_flight(app: &TestApp) -> usize {
    let mut n = 0;
    for state in all_action_states(app).await {
        if !state.is_terminal() {
            n += 1;
        }
    }
    n
}

/// The state of every action in the database.
pub async fn all_action_states(app: &TestApp) -> Vec<ActionState> {
    let rows: Vec<(String,)> = sqlx::query_as("select state from actions")
        .fetch_all(app.db.pool())
        .await
        .expect("actions are readable");
    rows.into_iter()
        .map(|(s,)| {
            ActionState::ALL
                .into_iter()
                .find(|a| a.as_str() == s)
                .unwrap_or_else(|| panic!("unknown action state {s}"))
        })
        .collect()
}
