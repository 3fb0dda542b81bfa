//! What an instance's owner does to its subscription and its login: renew, reset the
//! password, unsubscribe. Each is a form, a summary to confirm ("Money and destruction
//! ask twice", DESIGN.md) and then one batch of the action pipeline ([`crate::act`]).

mod password;
mod renew;
mod unsubscribe;

use std::collections::HashSet;

use lightdeck_domain::inventory::{self, InstanceRow};
use lightdeck_huaweicloud::{FieldErrors, InstanceId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::AppError;
use crate::i18n::Tr;
use crate::routing::RouteTable;
use crate::state::AppState;
use crate::views::instances::region_name;
use crate::views::lifecycle::Line;

pub fn routes(t: RouteTable) -> RouteTable {
    let t = renew::routes(t);
    let t = password::routes(t);
    unsubscribe::routes(t)
}

/// The distinct, non-empty values of every `instance` field of a form or query.
fn instance_fields(raw: &[u8]) -> Vec<String> {
    let mut seen = HashSet::new();
    form_urlencoded::parse(raw)
        .filter(|(k, _)| k == "instance")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty() && seen.insert(v.clone()))
        .collect()
}

/// The selected instances of the team, or 404 when any id is malformed, unknown, gone or
/// another team's (so nobody learns which ids exist elsewhere).
async fn resolve_rows(
    state: &AppState,
    team: Uuid,
    raw_ids: &[String],
) -> Result<Vec<InstanceRow>, AppError> {
    if raw_ids.len() > inventory::MAX_SELECTED {
        let mut errors = FieldErrors::default();
        errors.push(
            "instance",
            format!("choose at most {} instances at a time", inventory::MAX_SELECTED),
        );
        return Err(AppError::Invalid(errors));
    }
    let ids: Vec<InstanceId> = raw_ids
        .iter()
        .map(|i| i.parse().map_err(|_| AppError::NotFound))
        .collect::<Result<_, _>>()?;
    let rows = inventory::selected(&state.db, team, &ids).await?;
    let distinct: HashSet<&str> = rows.iter().map(|r| r.instance_id.as_str()).collect();
    if distinct.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    Ok(rows)
}

/// One line per instance, its account named when another account of the team has an
/// instance of the same name (DESIGN.md, "Names a person can tell apart").
async fn lines(
    state: &AppState,
    tr: &Tr,
    team: Uuid,
    rows: &[InstanceRow],
) -> Result<Vec<Line>, AppError> {
    let accounts = lightdeck_domain::accounts::list(&state.db, team).await?;
    let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let shared = inventory::shared_names(&state.db, team, &names).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let account = accounts
                .iter()
                .find(|a| a.id == r.account_id)
                .map_or_else(String::new, |a| a.name.clone());
            let label = if shared.contains(&r.name) {
                tr.t2(
                    "lifecycle-name-in-account",
                    "name",
                    r.name.as_str(),
                    "account",
                    account.as_str(),
                )
            } else {
                r.name.clone()
            };
            Line {
                instance_id: r.instance_id.to_string(),
                label,
                account,
                region: region_name(r.region, tr.lang).to_owned(),
                expires: r.expires_at.map(date),
                after: None,
            }
        })
        .collect())
}

/// A calendar date as people read it; expiry is a day, not an instant.
fn date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// `t` moved on by `months` calendar months, the day clamped to the month's end (as BSS
/// renews: 31 January + 1 month is the end of February).
fn add_months(t: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = i64::from(t.year()) * 12 + i64::from(u8::from(t.month()) - 1) + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).unwrap_or(9999).min(9999);
    let month = time::Month::try_from(u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(time::Month::January);
    let last = time::util::days_in_month(month, year);
    let day = t.day().min(last);
    time::Date::from_calendar_date(year, month, day).map_or(t, |d| t.replace_date(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_are_added_on_the_calendar() {
        assert_eq!(add_months(datetime!(2027-01-31 16:00 UTC), 1), datetime!(2027-02-28 16:00 UTC));
        assert_eq!(add_months(datetime!(2027-11-15 0:00 UTC), 3), datetime!(2028-02-15 0:00 UTC));
        assert_eq!(add_months(datetime!(2028-01-31 0:00 UTC), 1), datetime!(2028-02-29 0:00 UTC));
        assert_eq!(add_months(datetime!(2027-06-30 0:00 UTC), 36), datetime!(2030-06-30 0:00 UTC));
    }

    #[test]
    fn instance_fields_are_distinct_and_trimmed() {
        assert_eq!(
            instance_fields(b"instance=a&instance=+a+&instance=&instance=b&period=1m"),
            vec!["a", "b"]
        );
    }
}
