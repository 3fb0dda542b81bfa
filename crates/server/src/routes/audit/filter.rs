//! The audit filters as typed (who, action, instance, outcome, from, to) turned into the
//! domain's [`AuditFilter`], with a message next to each field that is wrong.

use lightdeck_domain::audit::{AuditFilter, Outcome};
use lightdeck_domain::inventory::{self, InstanceFilter, InstanceSort, PageRequest};
use lightdeck_domain::{teams, users};
use lightdeck_huaweicloud::{FieldErrors, InstanceId};
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use super::AuditQuery;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::views::audit::{FilterForm, SelectOption};

/// The action filter's choices: (value = action prefix, label key).
pub const ACTIONS: [(&str, &str); 12] = [
    ("instance.start.", "audit-action-instance-start"),
    ("instance.stop.", "audit-action-instance-stop"),
    ("instance.reboot.", "audit-action-instance-reboot"),
    ("instance.update.", "audit-action-instance-update"),
    ("instance.reset_password.", "audit-action-instance-reset_password"),
    ("instance.renew.", "audit-action-instance-renew"),
    ("instance.unsubscribe.", "audit-action-instance-unsubscribe"),
    ("instance.purchase.", "audit-action-instance-purchase"),
    ("account.", "audit-action-account"),
    ("audit.", "audit-action-audit"),
    ("user.", "audit-action-user"),
    ("team.", "audit-action-team"),
];

const MAX_WHO: usize = 100;
const MAX_INSTANCE: usize = 256;
/// Longest text the inventory search takes.
const MAX_SEARCH: usize = 200;
/// An actor id nobody has: an unknown "who" then matches nothing, exactly like a real
/// person with no events, so the filter cannot be used to probe other teams' logins.
const NOBODY: Uuid = Uuid::nil();

pub fn action_options(tr: &Tr, selected: &str) -> Vec<SelectOption> {
    ACTIONS
        .iter()
        .map(|(value, key)| SelectOption {
            value: (*value).to_owned(),
            label: tr.t(key),
            selected: *value == selected,
        })
        .collect()
}

fn date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

fn midnight(d: Date) -> OffsetDateTime {
    d.with_time(Time::MIDNIGHT).assume_utc()
}

/// A member's login (exact, any case) first, then a unique display name; else a user with
/// that login who may have left the team.
async fn actor(state: &AppState, team: Uuid, who: &str) -> Result<Result<Uuid, ()>, AppError> {
    let members = teams::members(&state.db, team).await?;
    if let Some(m) = members.iter().find(|m| m.login.eq_ignore_ascii_case(who)) {
        return Ok(Ok(m.user_id));
    }
    let lower = who.to_lowercase();
    let named: Vec<Uuid> = members
        .iter()
        .filter(|m| m.display_name.to_lowercase() == lower)
        .map(|m| m.user_id)
        .collect();
    match named.as_slice() {
        [one] => return Ok(Ok(*one)),
        [_, _, ..] => return Ok(Err(())),
        [] => {}
    }
    let former = users::find_by_login(&state.db, &who.to_lowercase()).await?;
    Ok(Ok(former.map_or(NOBODY, |u| u.id)))
}

/// The instance id for a name, server id or instance id. `Err` when several instances
/// share the name. Anything not found is used as typed (targets are not only instances).
async fn target(state: &AppState, team: Uuid, text: &str) -> Result<Result<String, ()>, AppError> {
    if let Ok(id) = text.parse::<InstanceId>() {
        return Ok(Ok(id.to_string()));
    }
    if text.chars().count() > MAX_SEARCH {
        return Ok(Ok(text.to_owned()));
    }
    let filter = InstanceFilter {
        text: Some(text.to_owned()),
        include_gone: true,
        ..InstanceFilter::default()
    };
    let page = inventory::list(
        &state.db,
        team,
        &filter,
        InstanceSort::default(),
        &PageRequest::first(100),
    )
    .await?;
    let lower = text.to_lowercase();
    let mut ids: Vec<String> = page
        .items
        .iter()
        .filter(|row| {
            row.name.to_lowercase() == lower
                || row.server_id.as_ref().is_some_and(|s| s.to_string() == lower)
        })
        .map(|row| row.instance_id.to_string())
        .collect();
    ids.sort();
    ids.dedup();
    match ids.len() {
        0 => Ok(Ok(text.to_owned())),
        1 => Ok(Ok(ids.remove(0))),
        _ => Ok(Err(())),
    }
}

/// Checks every field; the form comes back as typed with messages, and the filter only
/// when nothing was wrong.
pub async fn check(
    state: &AppState,
    team: Uuid,
    q: &AuditQuery,
    tr: &Tr,
) -> Result<(FilterForm, Option<AuditFilter>), AppError> {
    let mut form = FilterForm {
        who: q.who.trim().to_owned(),
        action: q.action.trim().to_owned(),
        instance: q.instance.trim().to_owned(),
        outcome: q.outcome.trim().to_owned(),
        from: q.from.trim().to_owned(),
        to: q.to.trim().to_owned(),
        ..FilterForm::default()
    };
    let mut filter = AuditFilter::default();

    if form.who.chars().count() > MAX_WHO {
        form.who_error = Some(tr.t("audit-error-too-long"));
    } else if !form.who.is_empty() {
        match actor(state, team, &form.who).await? {
            Ok(id) => filter.actor_user_id = Some(id),
            Err(()) => form.who_error = Some(tr.t("audit-error-who-ambiguous")),
        }
    }

    if !form.action.is_empty() {
        match ACTIONS.iter().find(|(value, _)| *value == form.action) {
            Some((value, _)) => filter.action_prefix = Some((*value).to_owned()),
            None => form.action_error = Some(tr.t("audit-error-action")),
        }
    }

    if form.instance.chars().count() > MAX_INSTANCE {
        form.instance_error = Some(tr.t("audit-error-too-long"));
    } else if !form.instance.is_empty() {
        match target(state, team, &form.instance).await? {
            Ok(id) => filter.target_id = Some(id),
            Err(()) => form.instance_error = Some(tr.t("audit-error-instance-ambiguous")),
        }
    }

    if !form.outcome.is_empty() {
        match form.outcome.parse::<Outcome>() {
            Ok(o) => filter.outcome = Some(o),
            Err(_) => form.outcome_error = Some(tr.t("audit-error-outcome")),
        }
    }

    let from = (!form.from.is_empty()).then(|| date(&form.from));
    let to = (!form.to.is_empty()).then(|| date(&form.to));
    if let Some(None) = from {
        form.from_error = Some(tr.t("audit-error-date"));
    }
    if let Some(None) = to {
        form.to_error = Some(tr.t("audit-error-date"));
    }
    filter.from = from.flatten().map(midnight);
    // The "to" date is inclusive: events before the next midnight.
    filter.to = to.flatten().and_then(|d| d.next_day()).map(midnight);
    if let (Some(f), Some(t)) = (filter.from, filter.to)
        && t - f < Duration::DAY
    {
        form.to_error = Some(tr.t("audit-error-range"));
    }

    let ok = [
        &form.who_error,
        &form.action_error,
        &form.instance_error,
        &form.outcome_error,
        &form.from_error,
        &form.to_error,
    ]
    .iter()
    .all(|e| e.is_none());
    Ok((form, ok.then_some(filter)))
}

/// The form's problems as field errors (for the exports, which have no form to show them).
pub fn field_errors(form: &FilterForm) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, error) in [
        ("who", &form.who_error),
        ("action", &form.action_error),
        ("instance", &form.instance_error),
        ("outcome", &form.outcome_error),
        ("from", &form.from_error),
        ("to", &form.to_error),
    ] {
        if let Some(message) = error {
            errors.push(field, message.clone());
        }
    }
    errors
}
