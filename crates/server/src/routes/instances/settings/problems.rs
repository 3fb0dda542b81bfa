//! The client crate's validator problems (English, `; `-joined) in the reader's language.
//! Each known phrasing maps to a catalog message; anything else becomes a generic message
//! rather than English shown to a Chinese reader.

use fluent_bundle::{FluentArgs, FluentValue};

use crate::i18n::Tr;

pub fn translate(tr: &Tr, message: &str) -> String {
    let parts: Vec<String> = message.split("; ").map(|p| one(tr, p)).collect();
    parts.join(&tr.t("settings-problem-sep"))
}

/// `“x”` stays as it is; "a space" is put into words.
fn found(tr: &Tr, problem: &str) -> String {
    let raw = problem
        .rsplit_once("(found ")
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_default();
    if raw == "a space" { tr.t("settings-char-space") } else { raw.to_owned() }
}

/// The numbers of "must be 1 to 64 characters long (it has 70)", in order.
fn numbers(problem: &str) -> Vec<u64> {
    problem
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn one(tr: &Tr, problem: &str) -> String {
    let mut args = FluentArgs::new();
    let n = numbers(problem);
    let key = if problem == "is required" {
        "settings-problem-required"
    } else if problem.starts_with("must be at most") && n.len() == 2 {
        args.set("max", n[0]);
        args.set("has", n[1]);
        "settings-problem-too-long"
    } else if problem.starts_with("must be ") && problem.contains(" to ") && n.len() == 3 {
        args.set("min", n[0]);
        args.set("max", n[1]);
        args.set("has", n[2]);
        "settings-problem-length"
    } else if problem.starts_with("may only contain Chinese") {
        args.set("found", FluentValue::from(found(tr, problem)));
        "settings-problem-name-chars"
    } else if problem.starts_with("may only contain letters") {
        args.set("found", FluentValue::from(found(tr, problem)));
        "settings-problem-hostname-chars"
    } else if problem.starts_with("must not contain “<”") {
        "settings-problem-angle"
    } else if problem.starts_with("must not start or end") {
        "settings-problem-edge"
    } else if let Some(rest) = problem.strip_prefix("must not contain “") {
        let pair: String = rest.chars().take_while(|&c| c != '”').collect();
        args.set("pair", FluentValue::from(pair));
        "settings-problem-pair"
    } else {
        "settings-problem-other"
    };
    tr.t_args(key, &args)
}
