//! One response, read to the end and decoded, with CSS-selector helpers.

use axum::http::{HeaderMap, StatusCode, header};
use scraper::{ElementRef, Html, Selector};

/// What Chromium sends with every navigation; a test's own header of the same name wins.
/// Every browser accepts compressed bodies, and the audit export once broke only then.
pub const BROWSER_HEADERS: [(&str, &str); 4] = [
    ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("accept-language", "en-US,en;q=0.9"),
    (
        "user-agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
];

/// The `Content-Encoding` the panel answered with, kept in [`Page::headers`] under this
/// name because decoding removes the original.
pub const SENT_ENCODING: &str = "x-test-content-encoding";

/// One response, read to the end (and decoded, as a browser would).
#[derive(Debug, Clone)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A table-row fragment (`<tr>…</tr>`, e.g. an htmx row refresh) placed inside a table,
    /// where an HTML parser keeps it (outside one, `<tr>` and `<td>` tags are dropped).
    pub fn in_table(&self) -> Page {
        Page {
            status: self.status,
            headers: self.headers.clone(),
            body: format!("<table><tbody>{}</tbody></table>", self.body),
        }
    }

    /// `Location`, for redirects.
    pub fn location(&self) -> Option<&str> {
        self.header(header::LOCATION.as_str())
    }

    /// A 303 to the sign-in page because nobody is signed in (not the "signed out"
    /// confirmation that follows a sign-out).
    pub fn is_login_redirect(&self) -> bool {
        self.status == StatusCode::SEE_OTHER
            && self.location().is_some_and(|l| {
                (l == "/login" || l.starts_with("/login?next=")) && !l.contains("signed-out")
            })
    }

    /// Texts of every element matching `selector`, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = selector_of(selector);
        self.html().select(&sel).map(text_of).collect()
    }

    pub fn text(&self, selector: &str) -> Option<String> {
        self.texts(selector).into_iter().next()
    }

    /// The attribute of the first element matching `selector`.
    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        self.attrs(selector, attr).into_iter().next()
    }

    /// The attribute of every element matching `selector` that has it.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = selector_of(selector);
        self.html().select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    pub fn count(&self, selector: &str) -> usize {
        let sel = selector_of(selector);
        self.html().select(&sel).count()
    }

    /// Every text node of the document (scripts and styles excluded), for "no missing
    /// translation marker anywhere" checks; attribute values are included too.
    pub fn all_text(&self) -> Vec<String> {
        let html = self.html();
        let mut out = Vec::new();
        for node in html.root_element().descendants() {
            if let Some(el) = ElementRef::wrap(node) {
                out.extend(el.value().attrs().map(|(_, v)| v.to_owned()));
                continue;
            }
            if let Some(text) = node.value().as_text() {
                let inside_code = node
                    .parent()
                    .and_then(|p| {
                        p.value().as_element().map(|e| matches!(e.name(), "script" | "style"))
                    })
                    .unwrap_or(false);
                if !inside_code && !text.trim().is_empty() {
                    out.push(text.trim().to_owned());
                }
            }
        }
        out
    }
}

/// Whitespace-collapsed text of an element.
pub fn text_of(e: ElementRef<'_>) -> String {
    e.text().flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ")
}

/// Panics on a selector typo (a test bug, not a finding).
pub fn selector_of(selector: &str) -> Selector {
    Selector::parse(selector).unwrap_or_else(|e| panic!("bad CSS selector {selector:?}: {e}"))
}

/// The CSRF token a full page carries: `<body hx-headers>`, else any form's `csrf` field.
pub fn csrf_of(page: &Page) -> Option<String> {
    let from_body = page.attr("body[hx-headers]", "hx-headers").and_then(|h| {
        let v: serde_json::Value = serde_json::from_str(&h).ok()?;
        v.get("X-CSRF-Token").and_then(|t| t.as_str()).map(str::to_owned)
    });
    from_body.or_else(|| page.attr("form input[name=csrf]", "value"))
}
