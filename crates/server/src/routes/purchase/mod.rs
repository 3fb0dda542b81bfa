//! Buying Flexus L instances (owners): one form whose steps narrow each other (account and
//! region → image → plan), a summary to confirm ("Money and destruction ask twice",
//! DESIGN.md) with the owner's password when it is not fresh, then one purchase through
//! the action pipeline ([`crate::act`]). Nothing reaches the cloud before the confirmed
//! summary; the form's idempotency key makes a double submit one purchase.
//!
//! One POST route serves every step (`step` = `review` or `confirm`; anything else shows
//! matching choices). The form's first submit button, which Enter presses, sends no step:
//! Enter never does more than show matching choices. With htmx,
//! changing the account, region or image swaps in the dependent steps, and changing the
//! name or quantity the numbered names; without JavaScript "Show matching choices" makes
//! the same round trip.

mod choices;
mod form;
mod sent;
mod summary;
mod words;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::actions::NewPurchase;
use lightdeck_domain::policy::Permission;
use lightdeck_domain::purchase::{Purchase, PurchasePlan, field};
use secrecy::ExposeSecret;
use tower_sessions::Session;
use uuid::Uuid;

use self::form::{STEP_CONFIRM, STEP_REVIEW, Sent, TeamAccount};
use crate::error::AppError;
use crate::extract::{Actor, ClientInfo, IsHtmx, TeamCtx};
use crate::i18n::Tr;
use crate::reauth;
use crate::routing::{Access, RouteTable};
use crate::state::AppState;
use crate::views::layout::Layout;
use crate::views::page_or_partial;
use crate::views::purchase::{ChoicesPartial, NamesPartial, PurchaseForm, PurchasePage};

pub fn routes(t: RouteTable) -> RouteTable {
    let access = Access::Team(Permission::Purchase);
    t.get("/teams/{team}/purchases/new", access, new_form).post(
        "/teams/{team}/purchases",
        access,
        submit,
    )
}

fn page(tr: Tr, layout: Layout, form: PurchaseForm) -> PurchasePage {
    PurchasePage {
        tr,
        layout,
        form,
        summary: None,
        reauth_needed: false,
        reauth_error: None,
        already_bought: None,
    }
}

async fn new_form(
    State(state): State<AppState>,
    ctx: TeamCtx,
    tr: Tr,
    layout: Layout,
    htmx: IsHtmx,
) -> Result<Response, AppError> {
    let accounts = choices::team_accounts(&state, ctx.team.id).await?;
    let form = choices::build(&tr, ctx.team.id, &Sent::default(), &accounts, true);
    let partial = ChoicesPartial { tr: tr.clone(), form };
    Ok(page_or_partial(htmx, partial, |p| page(tr, layout, p.form)))
}

/// The form checked as a whole: with the plan, or with every problem beside its field.
fn check(
    tr: &Tr,
    team: Uuid,
    sent: &Sent,
    accounts: &[TeamAccount],
) -> (PurchaseForm, Option<PurchasePlan>) {
    let mut form = choices::build(tr, team, sent, accounts, false);
    match form::plan_of(sent, accounts) {
        Ok(plan) => (form, Some(plan)),
        Err(problems) => {
            for p in problems {
                // One message per field: the first found is the one to fix first.
                if !form.has_error(p.field) {
                    form.errors.push((p.field, words::problem(tr, &p)));
                }
            }
            (form, None)
        }
    }
}

/// Whether a replayed batch bought exactly `plan`.
fn bought_the_same(batch: &lightdeck_domain::actions::Batch, plan: &PurchasePlan) -> bool {
    batch.actions.iter().any(|a| match &a.params {
        lightdeck_domain::actions::Params::Purchase(p) => p.plan == *plan,
        _ => false,
    })
}

fn refused(page: PurchasePage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

#[allow(clippy::too_many_arguments)]
async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    tr: Tr,
    layout: Layout,
    session: Session,
    client: ClientInfo,
    htmx: IsHtmx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let team = actor.team.team.id;
    let sent = Sent::parse(&body);
    let accounts = choices::team_accounts(&state, team).await?;
    if sent.step != STEP_REVIEW && sent.step != STEP_CONFIRM {
        let form = choices::build(&tr, team, &sent, &accounts, true);
        if !htmx.0 {
            return Ok(page(tr, layout, form).into_response());
        }
        let target = headers.get("hx-target").and_then(|v| v.to_str().ok());
        return Ok(if target == Some("purchase-names") {
            NamesPartial { tr, form }.into_response()
        } else {
            ChoicesPartial { tr, form }.into_response()
        });
    }
    let (form, plan) = check(&tr, team, &sent, &accounts);
    let Some(plan) = plan else {
        return Ok(refused(page(tr, layout, form)));
    };
    let Some(account) = accounts.iter().find(|a| a.id == plan.account_id()) else {
        return Err(AppError::NotFound);
    };
    let mut shown = page(tr.clone(), layout, form);
    shown.summary =
        Some(summary::summary(&tr, &plan, account, &shown.form.idempotency_key.clone()));
    shown.reauth_needed = reauth::needed(&state, &session).await?;
    if sent.step == STEP_REVIEW {
        return Ok(shown.into_response());
    }

    // Confirmed: the key must be the one the form made, the password fresh or typed.
    if Uuid::try_parse(&sent.idempotency_key).is_err() {
        shown.form.problems.push(tr.t("actions-error-key"));
        return Ok(refused(shown));
    }
    let typed = sent.current_password.expose_secret();
    let ctx = &actor.team;
    if let Err(message) = reauth::check(&state, &session, ctx, &client, typed, &tr).await? {
        shown.reauth_needed = true;
        shown.reauth_error = Some(message);
        return Ok(refused(shown));
    }
    let new = NewPurchase {
        team_id: team,
        purchase: Purchase::new(plan.clone()),
        context: actor.context,
        idempotency_key: Some(sent.idempotency_key.clone()),
    };
    match crate::act::record_and_send_purchase(&state, &new).await {
        // This form was confirmed before with other choices (Back, then "Change something",
        // or a copied tab): the first purchase stands, and the new choices are not bought
        // without a word. They are offered again as a purchase of their own.
        Ok(batch) if batch.replayed && !bought_the_same(&batch, &plan) => {
            let key = Uuid::new_v4().to_string();
            shown.form.idempotency_key = key.clone();
            shown.summary = Some(summary::summary(&tr, &plan, account, &key));
            shown.already_bought = Some(format!("/teams/{team}/batches/{}", batch.id));
            Ok(refused(shown))
        }
        Ok(batch) => {
            Ok(Redirect::to(&format!("/teams/{team}/batches/{}", batch.id)).into_response())
        }
        // The account lost its IAM user or the region between the check and the record.
        Err(AppError::Invalid(errors)) => {
            let mut form = shown.form;
            for e in errors.0 {
                if e.field == field::ACCOUNT {
                    form.errors.push((field::ACCOUNT, tr.t("purchase-error-account-changed")));
                } else {
                    form.problems.push(tr.t("actions-error-key"));
                }
            }
            Ok(refused(page(tr, shown.layout, form)))
        }
        Err(e) => Err(e),
    }
}
