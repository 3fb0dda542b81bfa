//! The instances list's filter choices and the accounts strip above it, in words.

use lightdeck_domain::accounts::{self, Account};

use super::{AccountView, Choice, when};
use crate::i18n::Tr;

/// A whole number from 1 to `max`, as a filter's query value.
pub fn bounded(raw: &str, max: u32) -> Option<u32> {
    raw.trim().parse::<u32>().ok().filter(|n| (1..=max).contains(n))
}

/// "All" and the presets, plus the current value when a link asked for another valid one
/// (a dashboard link, an edited address), so the form shows what the table lists.
pub fn preset_choices(
    tr: &Tr,
    presets: &[u32],
    current: &str,
    max: u32,
    label: impl Fn(u32) -> String,
) -> Vec<Choice> {
    let current = bounded(current, max);
    let mut values: Vec<u32> = presets.to_vec();
    if let Some(c) = current.filter(|c| !presets.contains(c)) {
        values.push(c);
        values.sort_unstable();
    }
    let mut out = vec![Choice {
        value: String::new(),
        label: tr.t("instances-filter-all"),
        selected: current.is_none(),
    }];
    out.extend(values.into_iter().map(|v| Choice {
        value: v.to_string(),
        label: label(v),
        selected: current == Some(v),
    }));
    out
}

pub fn account_views(tr: &Tr, accounts: &[Account]) -> Vec<AccountView> {
    accounts
        .iter()
        .map(|a| AccountView {
            id: a.id.to_string(),
            name: a.name.clone(),
            last_sync: if a.sync_paused {
                tr.t1("accounts-paused-line", "read", last_sync_text(tr, &a.sync))
            } else {
                last_sync_text(tr, &a.sync)
            },
        })
        .collect()
}

/// The last success, and the failure since then if the latest attempt failed.
fn last_sync_text(tr: &Tr, s: &accounts::SyncStatus) -> String {
    let read = match s.last_synced_at {
        Some(t) => tr.t1("accounts-last-sync", "time", when(t)),
        None => tr.t("accounts-never-synced"),
    };
    let Some(failure) = &s.last_failure else {
        return read;
    };
    let code = match failure.http_status {
        Some(status) => format!("{}, HTTP {status}", failure.code),
        None => failure.code.clone(),
    };
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("read", read);
    args.set("time", when(failure.at));
    args.set("failures", s.sync_failures);
    let reason = crate::explain::explain(tr, Some(&failure.code), failure.http_status, None);
    args.set("reason", reason);
    args.set("code", code);
    tr.t_args("accounts-sync-failed", &args)
}

/// "3 added, 1 changed, 0 gone" after a non-htmx "Refresh now" (`?synced=added.changed.gone`).
pub fn synced_notice(tr: &Tr, synced: &str) -> Option<String> {
    let parts: Vec<u64> = synced.split('.').filter_map(|p| p.parse().ok()).collect();
    match parts[..] {
        [added, changed, gone] => Some(super::summary_text(tr, added, changed, gone)),
        _ => None,
    }
}
