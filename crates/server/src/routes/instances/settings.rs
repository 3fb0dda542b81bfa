//! Rename, hostname and description of one instance (ECS UpdateServer), sent through the
//! one action pipeline: only changed fields travel, checked first with the client crate's
//! own validators so the person sees every problem beside its field in their language.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lightdeck_domain::actions::{self, Action, ActionState, NewBatch, Params};
use lightdeck_domain::inventory;
use lightdeck_huaweicloud::validate;
use uuid::Uuid;

use crate::error::AppError;
use crate::extract::{Actor, PathInstance};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::instances::SettingsForm;
use crate::views::layout::Layout;

mod problems;

/// The form as sent; a field left out of the request (not one sent empty) is unchanged.
#[derive(Debug, Default)]
struct Sent {
    name: Option<String>,
    hostname: Option<String>,
    description: Option<String>,
    idempotency_key: String,
}

impl Sent {
    fn parse(body: &[u8]) -> Sent {
        let mut f = Sent::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "name" => f.name = Some(v.trim().to_owned()),
                "hostname" => f.hostname = Some(v.trim().to_owned()),
                "description" => f.description = Some(v.trim().to_owned()),
                "idempotency_key" => f.idempotency_key = v.trim().to_owned(),
                _ => {}
            }
        }
        f
    }
}

/// The hostname and description the panel last set, newest first in `history`. The
/// inventory (RMS) does not carry them, and pages never call the cloud, so this is what
/// the form can prefill; an empty field then means "leave as it is".
pub(crate) fn known(history: &[Action]) -> (Option<String>, Option<String>) {
    let (mut hostname, mut description) = (None, None);
    for a in history.iter().filter(|a| a.state == ActionState::Succeeded) {
        if let Params::Update { hostname: h, description: d, .. } = &a.params {
            hostname = hostname.or_else(|| h.clone());
            description = description.or_else(|| d.clone());
        }
    }
    (hostname, description)
}

/// What differs from what is known: the variant's `Some` fields.
fn changes(sent: &Sent, name: &str, hostname: Option<&str>, description: Option<&str>) -> Params {
    let name = sent.name.clone().filter(|n| n != name);
    let hostname = sent.hostname.clone().filter(|h| !h.is_empty() && Some(h.as_str()) != hostname);
    let description = sent.description.clone().filter(|d| match description {
        Some(known) => d != known,
        None => !d.is_empty(),
    });
    Params::Update { name, hostname, description }
}

/// Puts every problem of the changed fields beside its field, in the reader's language;
/// `true` when all fit.
fn check(tr: &Tr, params: &Params, form: &mut SettingsForm) -> bool {
    let Params::Update { name, hostname, description } = params else {
        return true;
    };
    let say = |r: Result<(), lightdeck_huaweicloud::FieldError>| {
        r.err().map(|e| problems::translate(tr, &e.message))
    };
    form.name_error = name.as_deref().and_then(|v| say(validate::server_name(v)));
    form.hostname_error = hostname.as_deref().and_then(|v| say(validate::hostname(v)));
    form.description_error =
        description.as_deref().and_then(|v| say(validate::server_description(v)));
    form.name_error.is_none() && form.hostname_error.is_none() && form.description_error.is_none()
}

pub(in crate::routes) async fn update(
    State(state): State<AppState>,
    Actor { team: ctx, context }: Actor,
    tr: Tr,
    layout: Layout,
    PathInstance(id): PathInstance,
    body: Bytes,
) -> Result<Response, AppError> {
    let team = ctx.team.id;
    let row = inventory::get(&state.db, team, &id).await?;
    let history = actions::list_for_instance(&state.db, team, &id, super::detail::HISTORY).await?;
    let (hostname, description) = known(&history);
    let sent = Sent::parse(&body);
    let params = changes(&sent, &row.name, hostname.as_deref(), description.as_deref());
    let base = format!("/teams/{team}/instances/{id}");

    let mut form = SettingsForm {
        name: sent.name.clone().unwrap_or_else(|| row.name.clone()),
        hostname: sent.hostname.clone().or(hostname.clone()).unwrap_or_default(),
        description: sent.description.clone().or(description.clone()).unwrap_or_default(),
        idempotency_key: Uuid::new_v4().to_string(),
        ..SettingsForm::default()
    };
    let key = sent.idempotency_key.clone();
    if key.is_empty() || key.len() > 128 {
        form.key_error = Some(tr.t("actions-error-key"));
    }
    if !check(&tr, &params, &mut form) || form.key_error.is_some() {
        let page = super::detail::render(&state, &ctx, tr, layout, &id, form, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if params == (Params::Update { name: None, hostname: None, description: None }) {
        return Ok(Redirect::to(&format!("{base}?notice=unchanged")).into_response());
    }

    let targets = inventory::resolve(&state.db, team, std::slice::from_ref(&id)).await?;
    let new = NewBatch { team_id: team, params, targets, context, idempotency_key: Some(key) };
    let recorded = crate::act::record_and_send(&state, &new).await?;
    // From the recorded action, not this request: a replayed key reports the first submit.
    let now = match recorded.actions.first() {
        Some(a) => Some(actions::get(&state.db, team, a.id).await?),
        None => None,
    };
    let hostname_changed =
        now.as_ref().is_some_and(|a| matches!(&a.params, Params::Update { hostname: Some(_), .. }));
    let notice = match now.map(|a| a.state) {
        Some(ActionState::Succeeded) if hostname_changed => "hostname",
        Some(ActionState::Succeeded) => "updated",
        _ => "failed",
    };
    Ok(Redirect::to(&format!("{base}?notice={notice}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_differs_is_sent_and_an_empty_unknown_field_means_unchanged() {
        let sent = Sent::parse(b"name=web-02&hostname=&description=&idempotency_key=k");
        assert_eq!(
            changes(&sent, "web-01", None, None),
            Params::Update { name: Some("web-02".into()), hostname: None, description: None }
        );
        let sent = Sent::parse(b"name=web-01&hostname=h1&description=");
        assert_eq!(
            changes(&sent, "web-01", Some("h1"), Some("old")),
            Params::Update { name: None, hostname: None, description: Some(String::new()) }
        );
        // Left out is unchanged; sent empty is a name to check (and refuse).
        let sent = Sent::parse(b"description=shop");
        assert_eq!(
            changes(&sent, "web-01", None, None),
            Params::Update { name: None, hostname: None, description: Some("shop".into()) }
        );
        let sent = Sent::parse(b"name=");
        assert_eq!(
            changes(&sent, "web-01", None, None),
            Params::Update { name: Some(String::new()), hostname: None, description: None }
        );
    }
}
