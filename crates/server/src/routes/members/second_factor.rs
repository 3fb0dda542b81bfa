//! A team's owner requires a second factor of every member (or stops requiring it). From
//! then on a member without one is sent from any of the team's pages to set it up
//! (`routing`); an owner must have one to require it, or the team would shut them out.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lightdeck_domain::{Error, second_factor};

use super::{AddForm, back, render};
use crate::error::AppError;
use crate::extract::Actor;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::layout::Layout;

pub(super) async fn set(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    body: Bytes,
) -> Result<Response, AppError> {
    let chosen = form_urlencoded::parse(&body).find(|(k, _)| k == "required").map(|(_, v)| v);
    let required = match chosen.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let (error, status) = match required {
        None => ("members-sf-error-choose", StatusCode::UNPROCESSABLE_ENTITY),
        Some(required) => {
            match second_factor::set_team_requirement(&state.db, ctx.team.id, required, &context)
                .await
            {
                Ok(_) if required => return Ok(back(&ctx, "second-factor-required")),
                Ok(_) => return Ok(back(&ctx, "second-factor-not-required")),
                Err(Error::Rule(m)) if m == second_factor::ENROL_FIRST => {
                    ("members-sf-error-enrol-first", StatusCode::CONFLICT)
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let message = tr.t(error);
    let mut page = render(&state, &ctx, tr, layout, AddForm::default(), None, None).await?;
    page.second_factor_error = Some(message);
    Ok((status, page).into_response())
}
