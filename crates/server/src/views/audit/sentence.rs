//! An audit event as one sentence in the reader's language ("bob rebooted web-01 in
//! cn-north-4 — succeeded after 12 s"). The grammar lives in the Fluent catalog
//! (`web/i18n/*/audit.ftl`): this module only picks the message and fills its arguments.

use std::collections::HashMap;

use fluent_bundle::{FluentArgs, FluentValue};
use lightdeck_domain::audit::{AuditEvent, Outcome};
use lightdeck_huaweicloud::Region;

use crate::i18n::Tr;

/// How many target names a sentence lists before "and N more".
const LISTED: usize = 3;

/// What the event is about, derived from its dotted action string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verb<'a> {
    /// `instance.<kind>.<outcome>`: `kind` is `start`, `reboot`, `update`, …
    Instance(&'a str),
    AccountRefresh,
    /// `account.<connected|renamed|regions_changed|…>`: a team owner's change.
    AccountChange(&'a str),
    AccountOther,
    SignIn,
    SignOut,
    Export,
    /// `team.member.<added|role_changed|removed>`.
    Member(&'a str),
    Other,
}

const INSTANCE_KINDS: [&str; 8] =
    ["start", "stop", "reboot", "update", "reset_password", "renew", "unsubscribe", "purchase"];

fn verb(action: &str) -> Verb<'_> {
    let parts: Vec<&str> = action.split('.').collect();
    match parts.as_slice() {
        ["instance", kind, ..] if INSTANCE_KINDS.contains(kind) => Verb::Instance(kind),
        ["audit", "exported" | "export", ..] => Verb::Export,
        ["team", "member", change @ ("added" | "role_changed" | "removed")] => Verb::Member(change),
        ["account" | "cloud_account", "refresh" | "refreshed" | "sync" | "synced", ..] => {
            Verb::AccountRefresh
        }
        [
            "account",
            change @ ("connected"
            | "renamed"
            | "regions_changed"
            | "credentials_replaced"
            | "paused"
            | "resumed"
            | "removed"),
        ] => Verb::AccountChange(change),
        ["account" | "cloud_account", ..] => Verb::AccountOther,
        ["user" | "session" | "auth", "sign_in" | "signed_in" | "login", ..] => Verb::SignIn,
        ["user" | "session" | "auth", "sign_out" | "signed_out" | "logout", ..] => Verb::SignOut,
        _ => Verb::Other,
    }
}

/// The instance kind of an `instance.<kind>.…` action, for pairing outcome events with
/// their `requested` event.
pub fn instance_kind(action: &str) -> Option<&str> {
    match verb(action) {
        Verb::Instance(kind) => Some(kind),
        _ => None,
    }
}

fn text<'a>(s: impl Into<String>) -> FluentValue<'a> {
    FluentValue::from(s.into())
}

/// The event's targets by name (the inventory's, else the id), "a, b and 3 more".
fn targets(tr: &Tr, e: &AuditEvent, names: &HashMap<String, String>) -> String {
    let display: Vec<&str> =
        e.target_ids.iter().map(|id| names.get(id).map_or(id.as_str(), String::as_str)).collect();
    let sep = tr.t("audit-list-sep");
    if display.len() <= LISTED {
        return display.join(&sep);
    }
    let shown = LISTED - 1;
    let mut args = FluentArgs::new();
    args.set("names", text(display[..shown].join(&sep)));
    args.set("more", display.len() - shown);
    args.set("count", display.len());
    tr.t_args("audit-targets-more", &args)
}

fn region_phrase(tr: &Tr, region: Option<&str>) -> String {
    let Some(id) = region.filter(|r| !r.is_empty()) else {
        return String::new();
    };
    let zh = id.parse::<Region>().map_or_else(|_| id.to_owned(), |r| r.name_zh().to_owned());
    let mut args = FluentArgs::new();
    args.set("region", text(id));
    args.set("region_zh", text(zh));
    tr.t_args("audit-in-region", &args)
}

fn param<'e>(e: &'e AuditEvent, key: &str) -> Option<&'e str> {
    e.params.get(key).and_then(serde_json::Value::as_str)
}

/// What a purchase bought, for its sentence: the instances by name once they exist,
/// otherwise how many of which plan and image.
fn purchase_args(e: &AuditEvent, outcome: Outcome, args: &mut FluentArgs<'_>) -> String {
    let count = e.params.get("quantity").and_then(serde_json::Value::as_i64).unwrap_or(1);
    args.set("count", count);
    args.set("spec", text(param(e, "plan_spec").unwrap_or("?")));
    let image = match (param(e, "image_name"), param(e, "image_version"), param(e, "image_id")) {
        (Some(name), Some(version), _) => format!("{name} {version}"),
        (_, _, Some(id)) => id.to_owned(),
        _ => "?".to_owned(),
    };
    args.set("image", text(image));
    if outcome == Outcome::Succeeded && !e.target_ids.is_empty() {
        "audit-do-purchase-done".to_owned()
    } else {
        "audit-do-purchase".to_owned()
    }
}

/// Whether the export event's params record any filter.
fn export_was_filtered(e: &AuditEvent) -> bool {
    e.params
        .get("filter")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|f| f.values().any(|v| !v.is_null() && v.as_str() != Some("")))
}

/// The middle of the sentence: what was done, to what, where. `outcome` picks the tense:
/// `requested` reads "asked to …", anything else as done.
fn action_phrase(
    tr: &Tr,
    e: &AuditEvent,
    names: &HashMap<String, String>,
    outcome: Outcome,
) -> String {
    let mut args = FluentArgs::new();
    args.set("outcome", outcome.as_str());
    args.set("targets", text(targets(tr, e, names)));
    args.set("where", text(region_phrase(tr, e.region.as_deref())));
    args.set("action", text(e.action.as_str()));
    let key = match verb(&e.action) {
        Verb::Instance(kind) => {
            let hard = param(e, "type").is_some_and(|t| t.eq_ignore_ascii_case("hard"));
            args.set("type", if hard { "hard" } else { "soft" });
            // One update may change several fields; the sentence names the one a reader
            // recognises the instance by first.
            match (kind, param(e, "name"), param(e, "hostname")) {
                ("update", Some(name), _) => {
                    args.set("name", text(name));
                    "audit-do-rename".to_owned()
                }
                ("update", None, Some(hostname)) => {
                    args.set("hostname", text(hostname));
                    "audit-do-hostname".to_owned()
                }
                ("update", None, None) if param(e, "description").is_some() => {
                    "audit-do-description".to_owned()
                }
                ("purchase", _, _) => purchase_args(e, outcome, &mut args),
                _ => format!("audit-do-{kind}"),
            }
        }
        Verb::AccountRefresh => "audit-do-account-refresh".to_owned(),
        Verb::AccountChange(change) => {
            args.set("name", text(param(e, "name").unwrap_or("?")));
            args.set("from", text(param(e, "from").unwrap_or("?")));
            args.set("domain", text(param(e, "domain_name").unwrap_or("?")));
            let regions: Vec<String> = e
                .params
                .get("regions")
                .and_then(serde_json::Value::as_array)
                .map(|a| a.iter().filter_map(|r| r.as_str()).map(str::to_owned).collect())
                .unwrap_or_default();
            args.set("regions", text(regions.join(", ")));
            format!("audit-do-account-{change}")
        }
        Verb::AccountOther => "audit-do-account-other".to_owned(),
        Verb::SignIn => "audit-do-sign-in".to_owned(),
        Verb::SignOut => "audit-do-sign-out".to_owned(),
        Verb::Export => {
            let format = if param(e, "format") == Some("jsonl") { "jsonl" } else { "csv" };
            args.set("format", format);
            args.set("filtered", if export_was_filtered(e) { "yes" } else { "no" });
            "audit-do-export".to_owned()
        }
        Verb::Member(change) => {
            args.set("login", text(param(e, "login").unwrap_or("?")));
            args.set("role", text(param(e, "role").unwrap_or("?")));
            format!("audit-do-member-{change}")
        }
        Verb::Other => "audit-do-other".to_owned(),
    };
    tr.t_args(&key, &args)
}

/// The whole sentence. `seconds`: how long after its `requested` event this outcome came,
/// when known.
pub fn sentence(
    tr: &Tr,
    e: &AuditEvent,
    names: &HashMap<String, String>,
    seconds: Option<i64>,
) -> String {
    let mut result_args = FluentArgs::new();
    result_args.set("outcome", e.outcome.as_str());
    match seconds {
        Some(s) => result_args.set("seconds", s),
        None => result_args.set("seconds", "none"),
    }
    match e.error_code.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => result_args.set("code", text(code)),
        None => result_args.set("code", "none"),
    }
    let result = tr.t_args("audit-result", &result_args);
    compose(tr, e, action_phrase(tr, e, names, e.outcome), e.outcome, result)
}

/// The sentence of an action whose order waits for someone to pay it in the Huawei console:
/// it has not happened yet, so it reads "asked to …", then what it waits for.
pub fn payment_sentence(
    tr: &Tr,
    e: &AuditEvent,
    names: &HashMap<String, String>,
    order_id: &str,
) -> String {
    let result = tr.t1("audit-result-payment", "order", order_id);
    compose(tr, e, action_phrase(tr, e, names, Outcome::Requested), Outcome::Accepted, result)
}

/// "actor action — result"; `outcome` `requested` leaves the result out.
fn compose(tr: &Tr, e: &AuditEvent, action: String, outcome: Outcome, result: String) -> String {
    let actor = e
        .actor_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| tr.t("audit-actor-system"));
    let mut args = FluentArgs::new();
    args.set("outcome", outcome.as_str());
    args.set("actor", text(actor));
    args.set("action", text(action));
    args.set("result", text(result));
    tr.t_args("audit-event", &args)
}

/// The words for an outcome on its own (filters, badges).
pub fn outcome_label(tr: &Tr, outcome: Outcome) -> String {
    tr.t(&format!("audit-outcome-{}", outcome.as_str()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use lightdeck_domain::values::Language;
    use serde_json::json;
    use time::OffsetDateTime;
    use uuid::Uuid;

    use super::*;
    use crate::i18n::I18n;

    fn event(action: &str, outcome: Outcome) -> AuditEvent {
        AuditEvent {
            id: 1,
            team_id: Uuid::nil(),
            seq: 1,
            occurred_at: OffsetDateTime::UNIX_EPOCH,
            actor_user_id: None,
            actor_name: Some("bob".into()),
            source_ip: None,
            user_agent: None,
            session_hash: None,
            action: action.into(),
            target_kind: Some("instance".into()),
            target_ids: vec!["0123456789abcdef01234567".into()],
            account_id: None,
            region: Some("cn-north-4".into()),
            params: json!({"type": "SOFT"}),
            request_id: None,
            job_id: None,
            order_id: None,
            http_status: None,
            error_code: None,
            error_message: None,
            outcome,
            panel_request_id: None,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn names() -> HashMap<String, String> {
        HashMap::from([("0123456789abcdef01234567".to_owned(), "web-01".to_owned())])
    }

    fn tr(lang: Language) -> (Tr, Arc<I18n>) {
        let i18n = Arc::new(I18n::load().unwrap());
        (Tr::new(i18n.clone(), lang), i18n)
    }

    #[test]
    fn the_issue_examples_read_as_written() {
        let e = event("instance.reboot.succeeded", Outcome::Succeeded);
        let (en, i18n) = tr(Language::En);
        assert_eq!(
            sentence(&en, &e, &names(), Some(12)),
            "bob rebooted web-01 in cn-north-4 — succeeded after 12 s"
        );
        let (zh, _) = tr(Language::ZhCn);
        assert_eq!(
            sentence(&zh, &e, &names(), Some(12)),
            "bob 重启了 web-01（华北-北京四） — 成功，用时 12 秒"
        );
        assert!(i18n.missing().is_empty(), "{:?}", i18n.missing());
    }

    #[test]
    fn every_kind_and_outcome_has_words_in_both_languages() {
        for lang in [Language::En, Language::ZhCn] {
            let (tr, i18n) = tr(lang);
            for kind in INSTANCE_KINDS {
                for outcome in Outcome::ALL {
                    let mut e = event(&format!("instance.{kind}.{}", outcome.as_str()), outcome);
                    e.error_code = Some("Ecs.0114".into());
                    let s = sentence(&tr, &e, &names(), Some(3));
                    assert!(s.starts_with("bob "), "{s}");
                    assert!(!s.contains('⟦'), "{s}");
                }
            }
            for action in ["audit.exported", "account.refresh.succeeded", "x.y", "user.sign_in"] {
                let s = sentence(&tr, &event(action, Outcome::Succeeded), &names(), None);
                assert!(!s.contains('⟦'), "{s}");
            }
            assert!(i18n.missing().is_empty(), "{:?}", i18n.missing());
        }
    }

    #[test]
    fn hard_reboots_renames_failures_and_long_target_lists() {
        let (en, _) = tr(Language::En);
        let mut e = event("instance.reboot.failed", Outcome::Failed);
        e.params = json!({"type": "HARD"});
        e.error_code = Some("Ecs.0114".into());
        assert_eq!(
            sentence(&en, &e, &names(), None),
            "bob force-rebooted web-01 in cn-north-4 — failed (Ecs.0114)"
        );

        let mut e = event("instance.update.requested", Outcome::Requested);
        e.params = json!({"name": "web-02"});
        assert_eq!(
            sentence(&en, &e, &names(), None),
            "bob asked to rename the cloud server of web-01 to “web-02” in cn-north-4"
        );

        let mut e = event("instance.update.succeeded", Outcome::Succeeded);
        e.params = json!({"hostname": "web02", "description": "shop"});
        assert_eq!(
            sentence(&en, &e, &names(), None),
            "bob changed the hostname of web-01 to “web02” in cn-north-4 — succeeded"
        );
        e.params = json!({"description": "shop"});
        let s = sentence(&en, &e, &names(), None);
        assert!(s.starts_with("bob changed the description of web-01"), "{s}");
        let (zh, _) = tr(Language::ZhCn);
        assert!(sentence(&zh, &e, &names(), None).contains("的描述"));

        let mut e = event("instance.start.accepted", Outcome::Accepted);
        e.target_ids = (0..5).map(|i| format!("id-{i}")).collect();
        e.actor_name = None;
        assert_eq!(
            sentence(&en, &e, &names(), None),
            "Lightdeck started id-0, id-1 and 3 more in cn-north-4 — accepted by Huawei Cloud"
        );
        let (zh, _) = tr(Language::ZhCn);
        assert_eq!(
            sentence(&zh, &e, &names(), None),
            "Lightdeck 启动了 id-0、id-1 等 5 台（华北-北京四） — 华为云已受理"
        );
    }
}
