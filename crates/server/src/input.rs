//! The edge check every query string and form body passes before a handler sees it.
//!
//! PostgreSQL refuses NUL in text, and control characters have no business in any field
//! the panel has (only the purchase form's tags take several lines: line breaks are
//! allowed there, nothing else), so a value holding one, or bytes that are not UTF-8, is
//! refused here with a field error naming the field, in the user's language. Handlers and their newtypes never see such input, whichever route it was sent
//! to; the domain's newtypes refuse control characters too, for the command line.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lightdeck_huaweicloud::FieldErrors;

use crate::error::AppError;
use crate::i18n::Tr;

/// A field name longer than this is shortened in the message (the name is input too).
const MAX_NAME_CHARS: usize = 40;

/// Fields whose value is one item per line (a `<textarea>`): line breaks are text there.
const MULTILINE_FIELDS: [&str; 1] = ["tags"];

/// Form and query fields, keys and values decoded leniently (broken UTF-8 becomes U+FFFD,
/// which the value types refuse with a field error; on the panel's routes
/// [`refuse_unreadable`] has refused such input already).
pub(crate) fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The value of the field `name`, trimmed; empty when it is not there.
pub(crate) fn field(fields: &[(String, String)], name: &str) -> String {
    raw_field(fields, name).trim().to_owned()
}

/// The value of the field `name` exactly as sent (a password: its spaces are part of it);
/// empty when it is not there.
pub(crate) fn raw_field(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// Refuses a request whose query or form holds a control character or non-UTF-8 text
/// (422, each offending field named once).
pub async fn refuse_unreadable(tr: Tr, req: Request, next: Next) -> Response {
    let mut problems = Problems::default();
    if let Some(query) = req.uri().query() {
        problems.check(query.as_bytes());
    }
    let req = if is_form(req.headers()) {
        let (parts, body) = req.into_parts();
        // The body limit layer outside bounds what is read here.
        let bytes = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(b) => b,
            Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        };
        problems.check(&bytes);
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    if problems.found.is_empty() {
        return next.run(req).await;
    }
    let mut errors = FieldErrors::default();
    for (field, problem) in problems.found {
        let message = match problem {
            Problem::Control => tr.t("input-control-character"),
            Problem::NotUtf8 => tr.t("input-not-text"),
        };
        let name = field.unwrap_or_else(|| tr.t("input-unreadable-name"));
        errors.push(name, message);
    }
    AppError::Invalid(errors).into_response()
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Control,
    NotUtf8,
}

#[derive(Default)]
struct Problems {
    /// Field name (`None` when the name itself is unreadable) and what is wrong, once per
    /// field.
    found: Vec<(Option<String>, Problem)>,
}

impl Problems {
    /// Checks every `key=value` pair of an `application/x-www-form-urlencoded` string.
    fn check(&mut self, encoded: &[u8]) {
        for pair in encoded.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let key = decode(key);
            let name = readable(&key).ok().map(shorten);
            let multiline = readable(&key).is_ok_and(|k| MULTILINE_FIELDS.contains(&k));
            let value = decode(value);
            let value = if multiline { readable_lines(&value) } else { readable(&value) };
            let problem = match (readable(&key), value) {
                (Err(p), _) | (Ok(_), Err(p)) => p,
                (Ok(_), Ok(_)) => continue,
            };
            if !self.found.iter().any(|(n, _)| *n == name) {
                self.found.push((name, problem));
            }
        }
    }
}

/// Percent-decoding as forms do (`+` is a space); a broken escape is kept as it is.
fn decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn readable(bytes: &[u8]) -> Result<&str, Problem> {
    let s = std::str::from_utf8(bytes).map_err(|_| Problem::NotUtf8)?;
    if s.chars().any(char::is_control) { Err(Problem::Control) } else { Ok(s) }
}

/// [`readable`], with line breaks (`\n`, `\r`) allowed.
fn readable_lines(bytes: &[u8]) -> Result<&str, Problem> {
    let s = std::str::from_utf8(bytes).map_err(|_| Problem::NotUtf8)?;
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        Err(Problem::Control)
    } else {
        Ok(s)
    }
}

fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let mut s: String = name.chars().take(MAX_NAME_CHARS).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(encoded: &str) -> Vec<(Option<String>, Problem)> {
        let mut p = Problems::default();
        p.check(encoded.as_bytes());
        p.found
    }

    #[test]
    fn plain_text_of_any_script_passes() {
        assert!(problems("login=alice&q=%E5%88%98+Alice&next=%2Fteams%3Fa%3D1").is_empty());
        assert!(problems("q=%E2%80%AE%F0%9F%91%A9&empty=&flag").is_empty());
        assert!(problems("").is_empty());
    }

    #[test]
    fn control_characters_and_broken_text_name_their_field_once() {
        assert_eq!(
            problems("login=%00%01&password=x&login=a%0Ab"),
            [(Some("login".to_owned()), Problem::Control)]
        );
        assert_eq!(problems("q=a%09b"), [(Some("q".to_owned()), Problem::Control)]);
        assert_eq!(problems("q=%C2%85"), [(Some("q".to_owned()), Problem::Control)]);
        assert_eq!(problems("q=%FF%FE"), [(Some("q".to_owned()), Problem::NotUtf8)]);
        assert_eq!(problems("q=%E2%82"), [(Some("q".to_owned()), Problem::NotUtf8)]);
        assert_eq!(problems("%00=1"), [(None, Problem::Control)]);
        let long = format!("{}=%00", "k".repeat(100));
        let found = problems(&long);
        assert_eq!(found[0].0.as_deref().map(|n| n.chars().count()), Some(MAX_NAME_CHARS + 1));
    }

    #[test]
    fn only_multiline_fields_take_line_breaks() {
        assert!(problems("tags=env%3Dprod%0D%0Ateam%3Dshop%0A").is_empty());
        assert_eq!(problems("tags=a%09b"), [(Some("tags".to_owned()), Problem::Control)]);
        assert_eq!(problems("tags=a%00b"), [(Some("tags".to_owned()), Problem::Control)]);
        assert_eq!(
            problems("description=a%0Ab"),
            [(Some("description".to_owned()), Problem::Control)]
        );
    }

    #[test]
    fn broken_escapes_are_kept_as_text() {
        assert_eq!(decode(b"100%"), b"100%");
        assert_eq!(decode(b"%4"), b"%4");
        assert_eq!(decode(b"%zz+%41"), b"%zz A");
    }
}
