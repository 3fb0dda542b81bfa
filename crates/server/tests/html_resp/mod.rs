//! A response read into memory, with CSS-selector helpers: shared by the test harnesses
//! (`core_support`, `instances_support`) so pages are asserted the same way everywhere.

use axum::http::{HeaderMap, StatusCode};
use scraper::{Html, Selector};

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Texts of every element matching `selector`, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html()
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn text(&self, selector: &str) -> Option<String> {
        self.texts(selector).into_iter().next()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html().select(&sel).next().and_then(|e| e.value().attr(attr).map(str::to_owned))
    }

    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html().select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    pub fn count(&self, selector: &str) -> usize {
        let sel = Selector::parse(selector).unwrap();
        self.html().select(&sel).count()
    }
}
