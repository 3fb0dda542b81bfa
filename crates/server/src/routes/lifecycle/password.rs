//! Reset the operating-system password of one instance or a selection (ECS
//! BatchResetServerPassword). The new password is typed twice or generated here; it is
//! checked against ECS's rules first, travels only in memory to the one call, and a
//! generated one is shown once on the answer page (never stored, logged, audited or put
//! in a URL).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lightdeck_domain::actions::{self, ActionState, NewBatch, Params};
use lightdeck_domain::inventory::{self, InstanceRow, InstanceState};
use lightdeck_domain::policy::Permission;
use lightdeck_huaweicloud::validate::{PASSWORD_SYMBOLS, PasswordRule, broken_password_rules};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use tower_sessions::Session;
use uuid::Uuid;

use super::{instance_fields, lines, resolve_rows};
use crate::error::AppError;
use crate::explain::explain;
use crate::extract::{Actor, ClientInfo, PathInstance, TeamCtx};
use crate::i18n::Tr;
use crate::reauth;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::layout::Layout;
use crate::views::lifecycle::{PasswordDonePage, PasswordPage};
use crate::workers::pipeline::Carried;

pub(super) fn routes(t: RouteTable) -> RouteTable {
    let access = Access::Team(Permission::ManageInstances);
    t.get("/teams/{team}/instances/{instance}/password", access, form_for_one)
        .post("/teams/{team}/passwords/new", access, form_for_selection)
        .post("/teams/{team}/passwords", access, submit)
}

/// The form as sent. `Debug` is not derived: it holds passwords.
#[derive(Default)]
struct Sent {
    instances: Vec<String>,
    /// `typed` or `generate`.
    mode: String,
    password: String,
    confirm: String,
    current_password: String,
    idempotency_key: String,
}

impl Sent {
    fn parse(body: &[u8]) -> Sent {
        let mut f = Sent { instances: instance_fields(body), ..Sent::default() };
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "mode" => f.mode = v.trim().to_owned(),
                // Not trimmed: a space is a character of the password (and refused by ECS).
                "new_password" => f.password = v.into_owned(),
                "new_password_confirm" => f.confirm = v.into_owned(),
                "current_password" => f.current_password = v.into_owned(),
                "idempotency_key" => f.idempotency_key = v.trim().to_owned(),
                _ => {}
            }
        }
        f
    }
}

async fn form_for_one(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    session: Session,
    PathInstance(id): PathInstance,
) -> Result<Response, AppError> {
    let rows = resolve_rows(&state, ctx.team.id, &[id.to_string()]).await?;
    form(&state, &ctx, tr, layout, &session, &rows).await
}

async fn form_for_selection(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    session: Session,
    body: Bytes,
) -> Result<Response, AppError> {
    let rows = resolve_rows(&state, ctx.team.id, &instance_fields(&body)).await?;
    form(&state, &ctx, tr, layout, &session, &rows).await
}

async fn form(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    session: &Session,
    rows: &[InstanceRow],
) -> Result<Response, AppError> {
    let page = page(state, ctx, tr, layout, session, rows, "typed", String::new()).await?;
    let status =
        if page.lines.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page).into_response())
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    ctx: &TeamCtx,
    tr: Tr,
    layout: Layout,
    session: &Session,
    rows: &[InstanceRow],
    mode: &str,
    key: String,
) -> Result<PasswordPage, AppError> {
    let team = ctx.team.id;
    let mut problems = Vec::new();
    if rows.is_empty() {
        problems.push(tr.t("lifecycle-none-selected"));
    }
    let lines = lines(state, &tr, team, rows).await?;
    let rules = [
        "lifecycle-password-rule-length",
        "lifecycle-password-rule-kinds",
        "lifecycle-password-rule-names",
    ]
    .iter()
    .map(|k| tr.t1(k, "symbols", PASSWORD_SYMBOLS))
    .collect();
    Ok(PasswordPage {
        team_id: team.to_string(),
        lines,
        idempotency_key: if key.is_empty() { Uuid::new_v4().to_string() } else { key },
        mode: if mode == "generate" { "generate" } else { "typed" }.to_owned(),
        password_error: None,
        confirm_error: None,
        reauth_needed: reauth::needed(state, session).await?,
        reauth_error: None,
        problems,
        rules,
        any_running: rows.iter().any(|r| r.state == InstanceState::Running),
        tr,
        layout,
    })
}

fn rule_key(rule: PasswordRule) -> &'static str {
    match rule {
        PasswordRule::Required => "lifecycle-password-broken-required",
        PasswordRule::Length => "lifecycle-password-broken-length",
        PasswordRule::Characters => "lifecycle-password-broken-characters",
        PasswordRule::Kinds => "lifecycle-password-broken-kinds",
        PasswordRule::AccountNames => "lifecycle-password-broken-names",
        PasswordRule::AdministratorLetters => "lifecycle-password-broken-letters",
    }
}

/// 16 characters of letters, digits and ECS's symbols, drawn until ECS's rules hold (the
/// first draw almost always does).
fn generate() -> SecretString {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let symbols = PASSWORD_SYMBOLS.as_bytes();
    let mut rng = rand::rng();
    loop {
        let text: String = (0..16)
            .map(|i| {
                // Every fourth character a symbol, so all four kinds are likely present.
                let set = if i % 4 == 3 { symbols } else { LETTERS };
                char::from(set[rng.random_range(0..set.len())])
            })
            .collect();
        if broken_password_rules(&text).is_empty() {
            return SecretString::from(text);
        }
    }
}

async fn submit(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    session: Session,
    client: ClientInfo,
    body: Bytes,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let sent = Sent::parse(&body);
    let rows = resolve_rows(&state, team, &sent.instances).await?;
    let generated = sent.mode == "generate";
    let mut page = page(
        &state,
        &ctx,
        tr.clone(),
        layout.clone(),
        &session,
        &rows,
        &sent.mode,
        sent.idempotency_key.clone(),
    )
    .await?;
    if !generated {
        let broken = broken_password_rules(&sent.password);
        if !broken.is_empty() {
            let words: Vec<String> = broken.into_iter().map(|r| tr.t(rule_key(r))).collect();
            page.password_error = Some(words.join(" "));
        } else if sent.password != sent.confirm {
            page.confirm_error = Some(tr.t("lifecycle-password-mismatch"));
        }
    }
    if sent.idempotency_key.is_empty() || sent.idempotency_key.len() > 128 {
        page.problems.push(tr.t("actions-error-key"));
    }
    // Checked last and only when everything else holds: a wrong password is a counted
    // failure, which a typo elsewhere should not cost.
    let valid =
        page.password_error.is_none() && page.confirm_error.is_none() && page.problems.is_empty();
    if valid
        && let Err(message) =
            reauth::check(&state, &session, &ctx, &client, &sent.current_password, &tr).await?
    {
        page.reauth_error = Some(message);
        page.reauth_needed = true;
    }
    if page.password_error.is_some()
        || page.confirm_error.is_some()
        || page.reauth_error.is_some()
        || !page.problems.is_empty()
    {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, no_store(page.into_response())).into_response()
        );
    }

    let password = if generated { generate() } else { SecretString::from(sent.password) };
    let ids: Vec<_> = rows.iter().map(|r| r.instance_id.clone()).collect();
    let targets = inventory::resolve(&state.db, team, &ids).await?;
    let new = NewBatch {
        team_id: team,
        params: Params::ResetPassword,
        targets,
        context,
        idempotency_key: Some(sent.idempotency_key),
    };
    let carried = Carried { new_password: Some(password.clone()) };
    let recorded = crate::act::record_and_send_carrying(&state, &new, carried).await?;
    let progress = actions::batch_progress(&state.db, team, recorded.id).await?;
    let mut outcome = Vec::new();
    for detail in &progress.actions {
        let a = &detail.action;
        if a.state == ActionState::Failed || a.state == ActionState::Unknown {
            let why =
                explain(&tr, a.error_code.as_deref(), a.http_status, a.error_message.as_deref());
            let code = a.error_code.clone().unwrap_or_default();
            outcome.push(tr.t2("lifecycle-password-failed", "why", why, "code", code));
        }
    }
    let succeeded = outcome.is_empty() && !recorded.replayed;
    if recorded.replayed {
        outcome.push(tr.t("lifecycle-password-replayed"));
    }
    let running: Vec<String> = rows
        .iter()
        .filter(|r| r.state == InstanceState::Running)
        .map(|r| r.instance_id.to_string())
        .collect();
    let done = PasswordDonePage {
        team_id: team.to_string(),
        batch_id: recorded.id.to_string(),
        // A replayed submit sent nothing: the password drawn for it was never used.
        generated: (generated && succeeded).then(|| password.expose_secret().to_owned()),
        lines: page.lines,
        running: if succeeded { running } else { Vec::new() },
        reboot_key: Uuid::new_v4().to_string(),
        outcome,
        succeeded,
        copy_js_url: crate::assets::url("copy.js"),
        tr,
        layout,
    };
    Ok(no_store(done.into_response()))
}

/// The page may hold a password: no cache keeps it, and the Back button re-asks.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
