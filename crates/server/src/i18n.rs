//! Translations with Fluent (`fluent-bundle`). The catalogs live in `web/i18n/<lang>/` (one
//! `.ftl` file per page area) and are compiled into the binary.
//!
//! Templates get a [`Tr`]: `{{ tr.t("key") }}`, `{{ tr.t1("key", "name", value) }}`,
//! `{{ tr.t2("key", "a", x, "b", y) }}`. A key missing from the catalog renders as
//! `⟦key⟧` and is recorded, so the test that renders every page in both languages fails.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
pub use lightdeck_domain::values::Language;
use unic_langid::LanguageIdentifier;

/// The catalog files of one language, in load order.
const AREAS: [&str; 13] = [
    "core",
    "errors",
    "dashboard",
    "instances",
    "actions",
    "audit",
    "accounts",
    "lifecycle",
    "members",
    "account",
    "admin",
    "security",
    "purchase",
];

macro_rules! catalogs {
    ($lang:literal) => {
        [
            include_str!(concat!("../../../web/i18n/", $lang, "/core.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/errors.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/dashboard.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/instances.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/actions.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/audit.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/accounts.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/lifecycle.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/members.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/account.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/admin.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/security.ftl")),
            include_str!(concat!("../../../web/i18n/", $lang, "/purchase.ftl")),
        ]
    };
}

const EN: [&str; 13] = catalogs!("en");
const ZH_CN: [&str; 13] = catalogs!("zh-CN");

/// Every language the panel speaks, with its catalog sources.
pub const LANGUAGES: [(Language, [&str; 13]); 2] = [(Language::En, EN), (Language::ZhCn, ZH_CN)];

#[derive(Debug, thiserror::Error)]
#[error("translation catalog web/i18n/{lang}/{area}.ftl: {problem}")]
pub struct I18nError {
    pub lang: &'static str,
    pub area: &'static str,
    pub problem: String,
}

/// The loaded catalogs, and the keys pages asked for that were missing.
pub struct I18n {
    en: FluentBundle<FluentResource>,
    zh_cn: FluentBundle<FluentResource>,
    missing: Mutex<BTreeSet<String>>,
    memo: Mutex<HashMap<MemoKey, Arc<str>>>,
}

/// Language, message, and what the arguments were made from.
type MemoKey = (Language, &'static str, String);
/// Distinct memoized labels kept; past it the memo starts over.
const MEMO_MAX: usize = 4096;

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n").finish_non_exhaustive()
    }
}

fn bundle(
    lang: Language,
    sources: [&'static str; 13],
) -> Result<FluentBundle<FluentResource>, I18nError> {
    let id: LanguageIdentifier = lang.as_str().parse().map_err(|_| I18nError {
        lang: lang.as_str(),
        area: "-",
        problem: "not a language identifier".into(),
    })?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would end up inside HTML attributes and test assertions.
    bundle.set_use_isolating(false);
    for (area, source) in AREAS.into_iter().zip(sources) {
        let error = |problem: String| I18nError { lang: lang.as_str(), area, problem };
        let resource = FluentResource::try_new(source.to_owned())
            .map_err(|(_, errors)| error(format!("does not parse: {errors:?}")))?;
        bundle
            .add_resource(resource)
            .map_err(|errors| error(format!("conflicting entries: {errors:?}")))?;
    }
    Ok(bundle)
}

impl I18n {
    pub fn load() -> Result<I18n, I18nError> {
        Ok(I18n {
            en: bundle(Language::En, EN)?,
            zh_cn: bundle(Language::ZhCn, ZH_CN)?,
            missing: Mutex::new(BTreeSet::new()),
            memo: Mutex::new(HashMap::new()),
        })
    }

    fn bundle(&self, lang: Language) -> &FluentBundle<FluentResource> {
        match lang {
            Language::En => &self.en,
            Language::ZhCn => &self.zh_cn,
        }
    }

    /// The message `key` in `lang`, or `⟦key⟧` (recorded in [`I18n::missing`]).
    pub fn format(&self, lang: Language, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            self.record_missing(lang, key, "no such message");
            return format!("⟦{key}⟧");
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors).into_owned();
        if !errors.is_empty() {
            self.record_missing(lang, key, &format!("{errors:?}"));
        }
        text
    }

    pub fn has(&self, lang: Language, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }

    fn record_missing(&self, lang: Language, key: &str, why: &str) {
        tracing::warn!(lang = lang.as_str(), key, why, "missing translation");
        self.missing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(format!("{lang}: {key} ({why})"));
    }

    /// `make()` once per (language, key, `given`); the same string on every later call.
    fn memo(
        &self,
        lang: Language,
        key: &'static str,
        given: String,
        make: impl FnOnce() -> String,
    ) -> Arc<str> {
        let memo_key = (lang, key, given);
        if let Some(found) = self.memo.lock().unwrap_or_else(PoisonError::into_inner).get(&memo_key)
        {
            return found.clone();
        }
        // Formatted outside the lock; two racing requests just format it twice.
        let text: Arc<str> = make().into();
        let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        if memo.len() >= MEMO_MAX {
            memo.clear();
        }
        memo.insert(memo_key, text.clone());
        text
    }

    /// Keys that were asked for but missing (or failed to format), as `lang: key (why)`.
    pub fn missing(&self) -> Vec<String> {
        self.missing.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }
}

/// Translations in one language, handed to every template.
#[derive(Clone)]
pub struct Tr {
    i18n: Arc<I18n>,
    pub lang: Language,
}

impl std::fmt::Debug for Tr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tr").field("lang", &self.lang).finish()
    }
}

impl Tr {
    pub fn new(i18n: Arc<I18n>, lang: Language) -> Tr {
        Tr { i18n, lang }
    }

    pub fn t(&self, key: &str) -> String {
        self.i18n.format(self.lang, key, None)
    }

    pub fn t1<'a>(&self, key: &str, name: &'a str, value: impl Into<FluentValue<'a>>) -> String {
        let mut args = FluentArgs::new();
        args.set(name, value);
        self.i18n.format(self.lang, key, Some(&args))
    }

    pub fn t2<'a>(
        &self,
        key: &str,
        name1: &'a str,
        value1: impl Into<FluentValue<'a>>,
        name2: &'a str,
        value2: impl Into<FluentValue<'a>>,
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(name1, value1);
        args.set(name2, value2);
        self.i18n.format(self.lang, key, Some(&args))
    }

    /// Any number of arguments.
    pub fn t_args(&self, key: &str, args: &FluentArgs<'_>) -> String {
        self.i18n.format(self.lang, key, Some(args))
    }

    /// A message whose arguments are plain strings, formatted once and then filled many
    /// times (a table translates the same row message for every row, and Fluent's
    /// formatting was a visible share of a page's cost). See [`Pattern`].
    pub fn pattern(&self, key: &str, names: &[&'static str]) -> Pattern {
        Pattern::new(self, key, names)
    }

    /// A label that depends only on `given` (a day count, a catalog spec code), formatted
    /// by `make` the first time in this process. Table rows repeat a few such labels, and
    /// Fluent formatting was the largest part of a row's cost. `make` must be a function
    /// of `given` and the language alone.
    pub fn memo(
        &self,
        key: &'static str,
        given: String,
        make: impl FnOnce() -> String,
    ) -> Arc<str> {
        self.i18n.memo(self.lang, key, given, make)
    }

    /// `en` or `zh-CN`, for `<html lang>`.
    pub fn lang_tag(&self) -> &'static str {
        self.lang.as_str()
    }
}

/// A translated message with its string arguments left as holes. It is formatted once
/// with a private-use marker per argument; when every marker comes out exactly once (the
/// message just places its arguments, as row labels do), filling is string concatenation.
/// Otherwise (a message that selects on an argument or drops it) every fill goes through
/// Fluent, so the text is always what [`Tr::t_args`] would give.
#[derive(Debug, Clone)]
pub struct Pattern {
    tr: Tr,
    key: String,
    names: Vec<&'static str>,
    /// Literal text before each argument, in the message's order, and the text after the
    /// last one; `None` when the fast path does not apply.
    parts: Option<(Vec<(String, usize)>, String)>,
}

const MARK: char = '\u{E000}';

impl Pattern {
    fn new(tr: &Tr, key: &str, names: &[&'static str]) -> Pattern {
        let mut args = FluentArgs::new();
        for (i, name) in names.iter().enumerate() {
            args.set(*name, format!("{MARK}{i}{MARK}"));
        }
        let text = tr.t_args(key, &args);
        Pattern {
            tr: tr.clone(),
            key: key.to_owned(),
            names: names.to_vec(),
            parts: split_marked(&text, names.len()),
        }
    }

    pub fn fill(&self, values: &[&str]) -> String {
        let Some((holes, tail)) = &self.parts else {
            let mut args = FluentArgs::new();
            for (name, value) in self.names.iter().zip(values) {
                args.set(*name, *value);
            }
            return self.tr.t_args(&self.key, &args);
        };
        let len = holes.iter().map(|(lit, i)| lit.len() + values.get(*i).map_or(0, |v| v.len()));
        let mut out = String::with_capacity(len.sum::<usize>() + tail.len());
        for (lit, i) in holes {
            out.push_str(lit);
            out.push_str(values.get(*i).copied().unwrap_or_default());
        }
        out.push_str(tail);
        out
    }
}

/// Splits `text` at markers `MARK i MARK`; `None` unless each of `0..count` occurs once
/// and no stray marker is left.
fn split_marked(text: &str, count: usize) -> Option<(Vec<(String, usize)>, String)> {
    let mut holes = Vec::with_capacity(count);
    let mut seen = vec![false; count];
    let mut rest = text;
    while let Some(start) = rest.find(MARK) {
        let after = &rest[start + MARK.len_utf8()..];
        let end = after.find(MARK)?;
        let i: usize = after[..end].parse().ok()?;
        if i >= count || std::mem::replace(&mut seen[i], true) {
            return None;
        }
        holes.push((rest[..start].to_owned(), i));
        rest = &after[end + MARK.len_utf8()..];
    }
    seen.iter().all(|s| *s).then(|| (holes, rest.to_owned()))
}

/// The best language for an `Accept-Language` header (q-values respected), else English.
pub fn negotiate(accept_language: Option<&str>) -> Language {
    let Some(header) = accept_language else {
        return Language::En;
    };
    let mut best: Option<(f32, Language)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
        let Some(q) = q.filter(|q| (0.0..=1.0).contains(q) && *q > 0.0) else {
            continue;
        };
        let primary = tag.split('-').next().unwrap_or_default();
        let lang = match primary {
            "zh" => Language::ZhCn,
            "en" => Language::En,
            _ => continue,
        };
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map_or(Language::En, |(_, lang)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_with_q_values() {
        assert_eq!(negotiate(None), Language::En);
        assert_eq!(negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Language::ZhCn);
        assert_eq!(negotiate(Some("en-US,en;q=0.9,zh-CN;q=0.8")), Language::En);
        assert_eq!(negotiate(Some("fr-FR, zh;q=0.5, en;q=0.4")), Language::ZhCn);
        assert_eq!(negotiate(Some("en;q=0.2, zh-Hans;q=0.7")), Language::ZhCn);
        assert_eq!(negotiate(Some("fr, de")), Language::En);
        assert_eq!(negotiate(Some("zh;q=0, en;q=0.1")), Language::En);
        assert_eq!(negotiate(Some("zh;q=abc")), Language::En);
        assert_eq!(negotiate(Some("")), Language::En);
    }

    /// A filled pattern reads exactly like the message formatted by Fluent, in both
    /// languages, for placing messages (fast path) and for ones that are not.
    #[test]
    fn patterns_fill_like_fluent() {
        let i18n = Arc::new(I18n::load().unwrap());
        for lang in [Language::En, Language::ZhCn] {
            let tr = Tr::new(i18n.clone(), lang);
            let traffic = tr.pattern("instances-traffic-left", &["left", "total"]);
            assert!(traffic.parts.is_some(), "a placing message takes the fast path");
            for (left, total) in [("0", "200"), ("12.5", "1024"), ("<b>", "&")] {
                assert_eq!(
                    traffic.fill(&[left, total]),
                    tr.t2("instances-traffic-left", "left", left, "total", total)
                );
            }
            let select = tr.pattern("instances-select", &["name"]);
            assert_eq!(select.fill(&["web-01"]), tr.t1("instances-select", "name", "web-01"));
        }
        assert_eq!(split_marked("a\u{E000}1\u{E000}b\u{E000}0\u{E000}c", 2).unwrap().1, "c");
        assert!(split_marked("a\u{E000}0\u{E000}b\u{E000}0\u{E000}", 2).is_none(), "twice");
        assert!(split_marked("a\u{E000}0\u{E000}", 2).is_none(), "one dropped");
        assert!(split_marked("a\u{E000}x", 1).is_none(), "stray marker");
        // A message without the fast path still fills through Fluent.
        let tr = Tr::new(i18n, Language::En);
        let slow = Pattern { parts: None, ..tr.pattern("instances-select", &["name"]) };
        assert_eq!(slow.fill(&["db"]), tr.t1("instances-select", "name", "db"));
    }

    /// Every message in one language exists in the other, file by file.
    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        I18n::load().unwrap();
        let ids = |source: &str| -> BTreeSet<String> {
            let resource = FluentResource::try_new(source.to_owned()).unwrap();
            resource
                .entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                    _ => None,
                })
                .collect()
        };
        for (i, area) in AREAS.iter().enumerate() {
            let en = ids(EN[i]);
            let zh = ids(ZH_CN[i]);
            let only_en: Vec<_> = en.difference(&zh).collect();
            let only_zh: Vec<_> = zh.difference(&en).collect();
            assert!(
                only_en.is_empty() && only_zh.is_empty(),
                "{area}.ftl: missing in zh-CN: {only_en:?}; missing in en: {only_zh:?}"
            );
        }
    }

    #[test]
    fn missing_keys_are_visible_and_recorded() {
        let i18n = Arc::new(I18n::load().unwrap());
        let tr = Tr::new(i18n.clone(), Language::ZhCn);
        assert_eq!(tr.t("no-such-key"), "⟦no-such-key⟧");
        assert_eq!(i18n.missing().len(), 1);
        assert!(i18n.missing()[0].starts_with("zh-CN: no-such-key"));
    }

    #[test]
    fn arguments() {
        let tr = Tr::new(Arc::new(I18n::load().unwrap()), Language::En);
        assert_eq!(
            tr.t1("login-throttled", "minutes", 3),
            "Too many failed sign-ins. Try again in 3 minutes."
        );
        assert_eq!(
            tr.t1("login-throttled", "minutes", 1),
            "Too many failed sign-ins. Try again in 1 minute."
        );
        assert_eq!(
            tr.t1("error-throttled", "minutes", 2),
            "Too many attempts. Try again in 2 minutes."
        );
    }
}
