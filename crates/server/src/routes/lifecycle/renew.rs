//! Renew one instance or a selection: period (1–11 months, 1–3 years) and auto-pay, a
//! summary with each instance's expiry now and after, then one BSS renewal per account,
//! region and ten instances, followed through its order.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::actions::{NewBatch, Params, RenewTerm};
use lightdeck_domain::inventory::{self, InstanceRow};
use lightdeck_domain::policy::Permission;
use uuid::Uuid;

use super::{add_months, date, instance_fields, lines, resolve_rows};
use crate::error::AppError;
use crate::extract::{Actor, TeamCtx};
use crate::i18n::Tr;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::layout::Layout;
use crate::views::lifecycle::{Choice, RenewPage};

pub(super) fn routes(t: RouteTable) -> RouteTable {
    let access = Access::Team(Permission::Renew);
    t.get("/teams/{team}/renewals/new", access, form_from_query)
        .post("/teams/{team}/renewals/new", access, form_from_selection)
        .post("/teams/{team}/renewals", access, submit)
}

/// The form as sent.
#[derive(Debug, Default)]
struct Sent {
    instances: Vec<String>,
    period: String,
    auto_pay: bool,
    idempotency_key: String,
    /// `confirm` from the summary's button; anything else asks for the summary.
    step: String,
}

impl Sent {
    fn parse(body: &[u8]) -> Sent {
        let mut f = Sent { instances: instance_fields(body), ..Sent::default() };
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "period" => f.period = v.trim().to_owned(),
                "auto_pay" => f.auto_pay = v == "yes",
                "idempotency_key" => f.idempotency_key = v.trim().to_owned(),
                "step" => f.step = v.trim().to_owned(),
                _ => {}
            }
        }
        f
    }
}

/// `?instance=…` (the instance page) or `?expires_within=DAYS` (the dashboard).
async fn form_from_query(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query = query.unwrap_or_default();
    let team = ctx.team.id;
    let days = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "expires_within")
        .map(|(_, v)| v.trim().to_owned());
    let rows = match days {
        Some(days) => {
            let Ok(days @ 1..=366) = days.parse::<i64>() else {
                let problem = tr.t("lifecycle-renew-error-days");
                return Ok(problem_page(&state, &tr, layout, team, vec![problem]).await);
            };
            let until = state.now() + time::Duration::days(days);
            inventory::expiring_before(&state.db, team, until).await?
        }
        None => resolve_rows(&state, team, &instance_fields(query.as_bytes())).await?,
    };
    show_form(&state, tr, layout, team, &rows, Sent::default()).await
}

/// The instances table's selection (POST, so the CSRF token is not put in a URL).
async fn form_from_selection(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    body: Bytes,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let rows = resolve_rows(&state, team, &instance_fields(&body)).await?;
    show_form(&state, tr, layout, team, &rows, Sent::default()).await
}

async fn problem_page(
    state: &AppState,
    tr: &Tr,
    layout: Layout,
    team: Uuid,
    problems: Vec<String>,
) -> Response {
    let page = page(state, tr.clone(), layout, team, Vec::new(), &Sent::default(), problems);
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

async fn show_form(
    state: &AppState,
    tr: Tr,
    layout: Layout,
    team: Uuid,
    rows: &[InstanceRow],
    sent: Sent,
) -> Result<Response, AppError> {
    if rows.is_empty() {
        // Nothing chosen (or nothing expires that soon) is not a mistake in a form: the
        // page says what to do, as a normal page.
        let problems = vec![tr.t("lifecycle-none-selected")];
        return Ok(page(state, tr, layout, team, Vec::new(), &sent, problems).into_response());
    }
    let lines = lines(state, &tr, team, rows).await?;
    Ok(page(state, tr, layout, team, lines, &sent, Vec::new()).into_response())
}

fn page(
    _state: &AppState,
    tr: Tr,
    layout: Layout,
    team: Uuid,
    lines: Vec<crate::views::lifecycle::Line>,
    sent: &Sent,
    problems: Vec<String>,
) -> RenewPage {
    let period = if sent.period.is_empty() { "1m".to_owned() } else { sent.period.clone() };
    let periods = RenewTerm::choices()
        .into_iter()
        .map(|t| Choice {
            value: t.code(),
            label: term_words(&tr, t),
            selected: t.code() == period,
        })
        .collect();
    let key = if sent.idempotency_key.is_empty() {
        Uuid::new_v4().to_string()
    } else {
        sent.idempotency_key.clone()
    };
    RenewPage {
        tr,
        layout,
        team_id: team.to_string(),
        lines,
        periods,
        period,
        // A fresh form pays at once: what "renew" means to most people; the summary says
        // so before anything is sent.
        auto_pay: sent.auto_pay || sent.idempotency_key.is_empty(),
        idempotency_key: key,
        period_error: None,
        problems,
        summary: Vec::new(),
        accounts: Vec::new(),
    }
}

fn term_words(tr: &Tr, term: RenewTerm) -> String {
    match term.unit() {
        lightdeck_domain::actions::TermUnit::Month => {
            tr.t1("lifecycle-renew-months", "count", i64::from(term.count()))
        }
        lightdeck_domain::actions::TermUnit::Year => {
            tr.t1("lifecycle-renew-years", "count", i64::from(term.count()))
        }
    }
}

async fn submit(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    body: Bytes,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let sent = Sent::parse(&body);
    if sent.instances.is_empty() {
        return Ok(
            problem_page(&state, &tr, layout, team, vec![tr.t("lifecycle-none-selected")]).await
        );
    }
    let rows = resolve_rows(&state, team, &sent.instances).await?;
    let term = RenewTerm::parse(&sent.period);
    let key_ok = !sent.idempotency_key.is_empty() && sent.idempotency_key.len() <= 128;
    let lines_now = lines(&state, &tr, team, &rows).await?;
    let Ok(term) = term else {
        let mut page = page(&state, tr.clone(), layout, team, lines_now, &sent, Vec::new());
        page.period_error = Some(tr.t("lifecycle-renew-error-period"));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if !key_ok {
        let problems = vec![tr.t("actions-error-key")];
        let page = page(&state, tr, layout, team, lines_now, &sent, problems);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }

    if sent.step != "confirm" {
        return Ok(summary(&state, tr, layout, team, &rows, lines_now, &sent, term).into_response());
    }

    let ids: Vec<_> = rows.iter().map(|r| r.instance_id.clone()).collect();
    let targets = inventory::resolve(&state.db, team, &ids).await?;
    let new = NewBatch {
        team_id: team,
        params: Params::Renew { term, auto_pay: sent.auto_pay },
        targets,
        context,
        idempotency_key: Some(sent.idempotency_key.clone()),
    };
    let recorded = crate::act::record_and_send(&state, &new).await?;
    Ok(Redirect::to(&format!("/teams/{team}/batches/{}", recorded.id)).into_response())
}

#[allow(clippy::too_many_arguments)]
fn summary(
    state: &AppState,
    tr: Tr,
    layout: Layout,
    team: Uuid,
    rows: &[InstanceRow],
    mut lines: Vec<crate::views::lifecycle::Line>,
    sent: &Sent,
    term: RenewTerm,
) -> RenewPage {
    let now = state.now();
    for (line, row) in lines.iter_mut().zip(rows) {
        // BSS extends from the current end; an instance already expired (in its grace
        // period) is extended from that end too, so its new date may still be near.
        line.after = row.expires_at.map(|e| date(add_months(e, term.months())));
    }
    let mut accounts: Vec<String> = lines.iter().map(|l| l.account.clone()).collect();
    accounts.sort();
    accounts.dedup();
    let expired = rows.iter().filter(|r| r.expires_at.is_some_and(|e| e < now)).count();
    let mut said = vec![
        tr.t2(
            "lifecycle-renew-summary-what",
            "count",
            rows.len() as i64,
            "term",
            term_words(&tr, term),
        ),
        tr.t1("lifecycle-renew-summary-accounts", "accounts", accounts.join(", ")),
        if sent.auto_pay {
            tr.t("lifecycle-renew-summary-autopay")
        } else {
            tr.t("lifecycle-renew-summary-no-autopay")
        },
    ];
    if expired > 0 {
        said.push(tr.t1("lifecycle-renew-summary-expired", "count", expired as i64));
    }
    let mut page = page(state, tr, layout, team, lines, sent, Vec::new());
    page.auto_pay = sent.auto_pay;
    page.summary = said;
    page.accounts = accounts;
    page
}
