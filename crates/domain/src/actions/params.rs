//! What an action asks the cloud to do, typed: one variant per kind the panel sends.
//!
//! The kind is stored in its own column and the rest as JSON in `params` (and in the
//! audit events, whose hash chain covers it), so the JSON keeps the shape the rows and
//! chains already have: `{"type": "SOFT" | "HARD"}` for stop and reboot, `{}` for start,
//! and for update only the changed fields (`{"name": "web-02"}`), absent keys unchanged.
//! It is read back once, here, into [`Params`]; nothing else looks at the JSON by key.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::ActionKind;
use super::terms::{RenewTerm, TermUnit, UnsubscribeScope};
use crate::purchase::{self, Purchase};
use crate::rows::undecodable;
use crate::{Error, Result};

/// One action's request. Holds no secrets: a later variant that needs one (a new
/// password) passes it to the cloud call beside this value, never inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "Value")]
pub enum Params {
    Start,
    /// `hard`: cut the power instead of asking the operating system to shut down.
    Stop {
        hard: bool,
    },
    Reboot {
        hard: bool,
    },
    /// ECS UpdateServer: `Some` only for the fields that change.
    Update {
        name: Option<String>,
        hostname: Option<String>,
        description: Option<String>,
    },
    /// ECS BatchResetServerPassword. The new password is never part of the action: it is
    /// handed to the one cloud call beside it.
    ResetPassword,
    /// BSS renewal; `auto_pay` pays from the account balance, else the order waits for
    /// payment in the Huawei console.
    Renew {
        term: RenewTerm,
        auto_pay: bool,
    },
    /// BSS unsubscription.
    Unsubscribe {
        scope: UnsubscribeScope,
    },
    /// HCSS purchase of new instances (boxed: a whole plan).
    Purchase(Box<Purchase>),
}

/// How the outcome of an accepted action is learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackingKind {
    /// An ECS job (`GET /v1/{project_id}/jobs/{job_id}`).
    Job,
    /// A BSS order (order status, reference §5.11).
    Order,
    /// Nothing to follow: the call answers with the outcome (ECS UpdateServer).
    Synchronous,
}

impl TrackingKind {
    /// For messages: "a job", "an order".
    pub fn described(self) -> &'static str {
        match self {
            TrackingKind::Job => "a job",
            TrackingKind::Order => "an order",
            TrackingKind::Synchronous => "its own answer",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum PowerType {
    Soft,
    Hard,
}

/// The stored JSON of stop and reboot; Huawei's own name for the field.
#[derive(Serialize, Deserialize)]
struct Power {
    #[serde(rename = "type")]
    kind: PowerType,
}

/// The stored JSON of update: keys only for what changes. Unknown keys are refused so a
/// misspelt field cannot read back as "unchanged".
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Changes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

/// The stored JSON of a renewal: BSS's own field names, the unit spelt out.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Renewal {
    period_type: TermUnit,
    period_num: i64,
    auto_pay: bool,
}

/// The stored JSON of an unsubscription.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Unsubscription {
    unsubscribe_type: UnsubscribeScope,
}

/// The stored JSON of an action without parameters. Unknown keys are ignored so that an
/// older row with extra (non-secret) keys still reads.
#[derive(Serialize, Deserialize)]
struct Nothing {}

fn power(hard: bool) -> Power {
    Power { kind: if hard { PowerType::Hard } else { PowerType::Soft } }
}

impl Params {
    pub fn kind(&self) -> ActionKind {
        match self {
            Params::Start => ActionKind::Start,
            Params::Stop { .. } => ActionKind::Stop,
            Params::Reboot { .. } => ActionKind::Reboot,
            Params::Update { .. } => ActionKind::Update,
            Params::ResetPassword => ActionKind::ResetPassword,
            Params::Renew { .. } => ActionKind::Renew,
            Params::Unsubscribe { .. } => ActionKind::Unsubscribe,
            Params::Purchase(_) => ActionKind::Purchase,
        }
    }

    pub fn tracking(&self) -> TrackingKind {
        self.kind().tracking()
    }

    /// Whether it interrupts what runs on the server, costs money or destroys data, so the
    /// person confirms it first.
    pub fn needs_confirmation(&self) -> bool {
        !matches!(self, Params::Start | Params::Reboot { hard: false } | Params::Update { .. })
    }

    pub fn is_hard(&self) -> bool {
        matches!(self, Params::Stop { hard: true } | Params::Reboot { hard: true })
    }

    /// The JSON stored in the `params` column and the audit events.
    pub fn to_json(&self) -> Value {
        let json = match self {
            Params::Start | Params::ResetPassword => serde_json::to_value(Nothing {}),
            Params::Stop { hard } | Params::Reboot { hard } => serde_json::to_value(power(*hard)),
            Params::Update { name, hostname, description } => serde_json::to_value(Changes {
                name: name.clone(),
                hostname: hostname.clone(),
                description: description.clone(),
            }),
            Params::Renew { term, auto_pay } => serde_json::to_value(Renewal {
                period_type: term.unit(),
                period_num: i64::from(term.count()),
                auto_pay: *auto_pay,
            }),
            Params::Unsubscribe { scope } => {
                serde_json::to_value(Unsubscription { unsubscribe_type: *scope })
            }
            Params::Purchase(p) => Ok(purchase::encode_stored(p)),
        };
        // Plain structs of enums and no maps with non-string keys: serializing cannot fail.
        json.unwrap_or_else(|_| Value::Object(Default::default()))
    }

    /// The parameters of a stored action of `kind`; an `Err` names the column when the
    /// JSON does not fit the kind.
    pub fn from_stored(kind: ActionKind, json: &Value) -> Result<Params> {
        Params::decode(kind, json).map_err(Error::Database)
    }

    fn decode(kind: ActionKind, json: &Value) -> sqlx::Result<Params> {
        let hard = |json: &Value| Power::deserialize(json).map(|p| p.kind == PowerType::Hard);
        let parsed = match kind {
            ActionKind::Start => Nothing::deserialize(json).ok().map(|Nothing {}| Params::Start),
            ActionKind::Stop => hard(json).ok().map(|hard| Params::Stop { hard }),
            ActionKind::Reboot => hard(json).ok().map(|hard| Params::Reboot { hard }),
            // An update that changes nothing was never sent: such a row is not one of ours.
            ActionKind::Update => Changes::deserialize(json)
                .ok()
                .filter(|c| c.name.is_some() || c.hostname.is_some() || c.description.is_some())
                .map(|c| Params::Update {
                    name: c.name,
                    hostname: c.hostname,
                    description: c.description,
                }),
            ActionKind::ResetPassword => {
                Nothing::deserialize(json).ok().map(|Nothing {}| Params::ResetPassword)
            }
            ActionKind::Renew => Renewal::deserialize(json).ok().and_then(|r| {
                let term = RenewTerm::new(r.period_type, r.period_num).ok()?;
                Some(Params::Renew { term, auto_pay: r.auto_pay })
            }),
            ActionKind::Unsubscribe => Unsubscription::deserialize(json)
                .ok()
                .map(|u| Params::Unsubscribe { scope: u.unsubscribe_type }),
            ActionKind::Purchase => {
                purchase::decode_stored(json).map(|p| Params::Purchase(Box::new(p)))
            }
        };
        parsed.ok_or_else(|| undecodable("params", &json.to_string()))
    }
}

/// From the `kind` and `params` columns, so that an [`Action`](super::Action) row decodes
/// with `#[sqlx(flatten)]`.
impl<'r> sqlx::FromRow<'r, PgRow> for Params {
    fn from_row(row: &'r PgRow) -> sqlx::Result<Self> {
        let kind: ActionKind = row.try_get("kind")?;
        let json: Value = row.try_get("params")?;
        Params::decode(kind, &json)
    }
}

impl From<Params> for Value {
    fn from(params: Params) -> Value {
        params.to_json()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const POWER: [Params; 5] = [
        Params::Start,
        Params::Stop { hard: false },
        Params::Stop { hard: true },
        Params::Reboot { hard: false },
        Params::Reboot { hard: true },
    ];

    fn update(name: Option<&str>, hostname: Option<&str>, description: Option<&str>) -> Params {
        Params::Update {
            name: name.map(str::to_owned),
            hostname: hostname.map(str::to_owned),
            description: description.map(str::to_owned),
        }
    }

    fn all() -> Vec<Params> {
        let mut all = POWER.to_vec();
        all.push(update(Some("web-02"), None, None));
        all.push(update(None, Some("web02"), Some("")));
        all.push(update(Some("网站"), Some("a.b"), Some("shop front")));
        all.push(Params::ResetPassword);
        for (term, auto_pay) in [("1m", true), ("11m", false), ("3y", true)] {
            all.push(Params::Renew { term: RenewTerm::parse(term).unwrap(), auto_pay });
        }
        all.push(Params::Unsubscribe { scope: UnsubscribeScope::Whole });
        all.push(Params::Unsubscribe { scope: UnsubscribeScope::Renewals });
        let plan = crate::purchase::PurchasePlan::new(crate::purchase::tests::parts()).unwrap();
        all.push(Params::Purchase(Box::new(Purchase::new(plan))));
        all
    }

    #[test]
    fn stored_json_keeps_the_shape_of_existing_rows_and_audit_chains() {
        assert_eq!(Params::Start.to_json(), json!({}));
        assert_eq!(Params::Stop { hard: false }.to_json(), json!({"type": "SOFT"}));
        assert_eq!(Params::Reboot { hard: true }.to_json(), json!({"type": "HARD"}));
        assert_eq!(
            serde_json::to_value(Params::Stop { hard: true }).unwrap(),
            json!({"type": "HARD"})
        );
    }

    #[test]
    fn every_variant_reads_back_as_written() {
        for p in all() {
            assert_eq!(Params::from_stored(p.kind(), &p.to_json()).unwrap(), p, "{p:?}");
        }
    }

    #[test]
    fn update_stores_only_the_changed_fields_in_the_shape_audit_sentences_read() {
        assert_eq!(update(Some("web-02"), None, None).to_json(), json!({"name": "web-02"}));
        assert_eq!(
            update(Some("a"), Some("b"), Some("")).to_json(),
            json!({"name": "a", "hostname": "b", "description": ""})
        );
        for stored in [json!({"nmae": "x"}), json!({}), json!({"name": 1})] {
            let err = Params::from_stored(ActionKind::Update, &stored).unwrap_err();
            assert!(matches!(err, Error::Database(sqlx::Error::ColumnDecode { .. })), "{stored}");
        }
        assert_eq!(update(None, None, None).tracking(), TrackingKind::Synchronous);
        assert!(!update(Some("a"), None, None).needs_confirmation());
    }

    #[test]
    fn lifecycle_kinds_store_what_was_chosen_and_nothing_secret() {
        let renew = Params::Renew { term: RenewTerm::parse("2y").unwrap(), auto_pay: false };
        assert_eq!(
            renew.to_json(),
            json!({"period_type": "year", "period_num": 2, "auto_pay": false})
        );
        assert_eq!(renew.tracking(), TrackingKind::Order);
        assert_eq!(Params::ResetPassword.to_json(), json!({}));
        assert_eq!(Params::ResetPassword.tracking(), TrackingKind::Synchronous);
        assert_eq!(
            Params::Unsubscribe { scope: UnsubscribeScope::Renewals }.to_json(),
            json!({"unsubscribe_type": "renewals"})
        );
        for (kind, stored) in [
            (
                ActionKind::Renew,
                json!({"period_type": "month", "period_num": 12, "auto_pay": true}),
            ),
            (ActionKind::Renew, json!({"period_type": "week", "period_num": 1, "auto_pay": true})),
            (ActionKind::Renew, json!({"period_type": "month", "period_num": 1})),
            (ActionKind::Unsubscribe, json!({"unsubscribe_type": "all"})),
            (ActionKind::ResetPassword, json!("secret")),
        ] {
            assert!(Params::from_stored(kind, &stored).is_err(), "{stored}");
        }
        assert!(renew.needs_confirmation() && Params::ResetPassword.needs_confirmation());
    }

    #[test]
    fn json_that_does_not_fit_the_kind_is_a_decode_error() {
        for (kind, json) in [
            (ActionKind::Stop, json!({})),
            (ActionKind::Reboot, json!({"type": "hard"})),
            (ActionKind::Reboot, json!({"type": "MEDIUM"})),
            (ActionKind::Start, json!("SOFT")),
        ] {
            let err = Params::from_stored(kind, &json).unwrap_err();
            assert!(matches!(err, Error::Database(sqlx::Error::ColumnDecode { .. })), "{json}");
        }
        // Keys no variant knows are not an error: older rows may carry some.
        assert_eq!(
            Params::from_stored(ActionKind::Start, &json!({"note": "x"})).unwrap(),
            Params::Start
        );
    }

    #[test]
    fn power_actions_are_followed_through_jobs_and_hard_ones_are_confirmed() {
        assert!(POWER.iter().all(|p| p.tracking() == TrackingKind::Job));
        let confirmed: Vec<Params> = POWER.into_iter().filter(|p| p.needs_confirmation()).collect();
        assert_eq!(
            confirmed,
            [
                Params::Stop { hard: false },
                Params::Stop { hard: true },
                Params::Reboot { hard: true }
            ]
        );
    }
}
