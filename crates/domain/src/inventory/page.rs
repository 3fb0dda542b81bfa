//! Keyset pagination shared by the inventory and the audit log: a page is "the next N rows
//! after this sort key", never OFFSET, so page 500 costs what page 1 costs and rows inserted
//! meanwhile neither repeat nor vanish.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// The most rows one page may hold.
pub const MAX_PAGE: u32 = 500;

/// Which page to read: the first (`cursor: None`) or the one after a previous page's
/// `next_cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub cursor: Option<String>,
    pub limit: u32,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        PageRequest { cursor: None, limit }
    }

    pub fn after(cursor: impl Into<String>, limit: u32) -> Self {
        PageRequest { cursor: Some(cursor.into()), limit }
    }

    /// The limit as SQL wants it, after checking its range.
    pub(crate) fn checked_limit(&self) -> Result<i64> {
        if self.limit == 0 || self.limit > MAX_PAGE {
            return Err(Error::field("limit", format!("must be between 1 and {MAX_PAGE}")));
        }
        Ok(i64::from(self.limit))
    }
}

/// One page of rows; `next_cursor` is `None` on the last page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Cursors are opaque to callers: base64url of a small JSON document.
pub(crate) fn encode_cursor<T: Serialize>(value: &T) -> String {
    // Serializing plain structs of strings and integers cannot fail.
    let json = serde_json::to_vec(value).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub(crate) fn decode_cursor<T: DeserializeOwned>(cursor: &str) -> Result<T> {
    let bad = || {
        Error::field("cursor", "is not a cursor this list handed out; start from the first page")
    };
    if cursor.len() > 1024 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

/// Escapes `%`, `_` and `\` so user text matches literally inside an ILIKE pattern.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct C {
        v: String,
        i: i64,
    }

    #[test]
    fn cursor_round_trips_and_garbage_is_named() {
        let c = C { v: "x,y\"z".into(), i: 7 };
        assert_eq!(decode_cursor::<C>(&encode_cursor(&c)).unwrap(), c);
        let err = decode_cursor::<C>("not a cursor!").unwrap_err();
        assert!(err.to_string().contains("cursor"));
        assert!(decode_cursor::<C>(&URL_SAFE_NO_PAD.encode(b"{}")).is_err());
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn limit_is_checked() {
        assert!(PageRequest::first(0).checked_limit().is_err());
        assert!(PageRequest::first(MAX_PAGE + 1).checked_limit().is_err());
        assert_eq!(PageRequest::first(50).checked_limit().unwrap(), 50);
    }
}
