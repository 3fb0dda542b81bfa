//! Every page in both languages: each GET route of `route_table()`, full and as htmx asks
//! for it, rendered for an owner in English and in Simplified Chinese. A missing catalog
//! key shows as ⟦key⟧ and is recorded by `state.i18n`; either fails the test.

use lightdeck::routing::Access;
use lightdeck_domain::values::Language;
use lightdeck_tests::{Page, Persona, TestApp};

use crate::support;

const MARKER: char = '⟦';

/// GET routes that only ever answer with a fragment for htmx to swap in (no layout).
const FRAGMENTS: [&str; 1] = ["/teams/{team}/instances/{instance}/row"];

#[tokio::test]
async fn every_page_renders_in_english_without_missing_keys() {
    every_page_in(Language::En, "en").await;
}

#[tokio::test]
async fn every_page_renders_in_chinese_without_missing_keys() {
    every_page_in(Language::ZhCn, "zh-CN").await;
}

async fn every_page_in(language: Language, tag: &str) {
    let app = TestApp::builder().language(language).start().await;
    let ids = support::ids(&app).await;
    // Something in the audit log and a finished batch with a failure, so those pages
    // render their fuller forms too.
    let mut alice = app.client(Persona::Owner).await;
    support::run_batch(&app, &mut alice, "start", &[&app.team.instance_id(1)]).await;
    let mut problems = Vec::new();
    // Site administration pages are for site administrators only: sam renders those.
    let mut sam = app.client(Persona::SiteAdmin).await;

    // The sign-in page, for someone whose browser asks for this language.
    let mut visitor = app.anonymous().with_header("Accept-Language", tag);
    let login = visitor.get("/login").await;
    check_page(&login, "GET /login (anonymous)", tag, true, &mut problems);

    let mut rendered = 0;
    for route in lightdeck::app::route_table() {
        // The sign-in pages are for visitors (the second step only right after a password:
        // its page in both languages is rendered by the server's second_factor tests).
        if route.method != reqwest::Method::GET || ["/login", "/login/code"].contains(&route.path) {
            continue;
        }
        let url = match support::fill(route.path, &ids) {
            Ok(u) => u,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let fragment = FRAGMENTS.contains(&route.path);
        let reader = if route.access == Access::SiteAdmin { &mut sam } else { &mut alice };
        let page = reader.get(&url).await;
        let page = if fragment { page.in_table() } else { page };
        if !page.status.is_success() {
            problems.push(format!("GET {} as the owner: status {}", route.path, page.status));
            continue;
        }
        if is_html(&page) {
            check_page(&page, &format!("GET {}", route.path), tag, !fragment, &mut problems);
            rendered += 1;
        }
        if route.sessions && route.access != Access::Public {
            let partial = reader.get_htmx(&url).await;
            let partial = if fragment { partial.in_table() } else { partial };
            if !partial.status.is_success() {
                problems.push(format!("GET {} (htmx): status {}", route.path, partial.status));
            } else if is_html(&partial) {
                let body: String = partial.all_text().concat();
                if body.contains(MARKER) {
                    problems.push(format!(
                        "GET {} (htmx) shows a missing key: {}",
                        route.path,
                        around_marker(&body)
                    ));
                }
            }
        }
    }
    assert!(rendered >= 2, "at least the dashboard and the instances page render");
    let missing = app.state.i18n.missing();
    assert!(missing.is_empty(), "keys missing from the {tag} catalog: {missing:?}");
    assert!(problems.is_empty(), "pages in {tag}:\n  {}", problems.join("\n  "));
}

fn is_html(page: &Page) -> bool {
    page.header("content-type").is_some_and(|c| c.starts_with("text/html"))
}

fn check_page(page: &Page, what: &str, tag: &str, full: bool, problems: &mut Vec<String>) {
    let text: String = page.all_text().join("\n");
    if text.contains(MARKER) {
        problems.push(format!("{what} shows a missing key: {}", around_marker(&text)));
    }
    if full {
        let lang = page.attr("html", "lang");
        if lang.as_deref() != Some(tag) {
            problems.push(format!("{what}: <html lang> is {lang:?}, expected {tag}"));
        }
        if page.text("title").is_none_or(|t| t.trim().is_empty()) {
            problems.push(format!("{what}: no <title>"));
        }
    }
    match page.header("content-security-policy") {
        Some(csp) if !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") => {}
        other => problems.push(format!("{what}: Content-Security-Policy {other:?}")),
    }
}

fn around_marker(text: &str) -> String {
    let at = text.find(MARKER).unwrap_or(0);
    text[at..].chars().take(60).collect()
}
