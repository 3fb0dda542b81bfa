//! The panel's own small cookies (the visitor's CSRF nonce, the device cookie): reading one
//! from every `Cookie` header, writing one with the flags they share, and comparing secrets
//! without leaking through timing. The session cookie is tower-sessions' own.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

/// The value of the cookie `name` in the request, if any (quotes around it removed).
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

/// Adds `Set-Cookie: name=value` for the whole site, HttpOnly and SameSite=Lax, Secure when
/// `secure`; kept `max_age` seconds, or for the browser session when `None`.
pub fn append(
    headers: &mut HeaderMap,
    name: &str,
    value: &str,
    max_age: Option<i64>,
    secure: bool,
) {
    let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    let flags = if secure { "; Secure" } else { "" };
    let cookie = format!("{name}={value}; Path=/{age}; HttpOnly; SameSite=Lax{flags}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        headers.append(SET_COOKIE, v);
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_headers_and_writes_the_flags() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; b=\"2\""));
        h.append(COOKIE, HeaderValue::from_static("c=3"));
        assert_eq!(read(&h, "b").as_deref(), Some("2"));
        assert_eq!(read(&h, "c").as_deref(), Some("3"));
        assert_eq!(read(&h, "d"), None);
        let mut out = HeaderMap::new();
        append(&mut out, "x", "v", Some(60), true);
        append(&mut out, "y", "w", None, false);
        let set: Vec<_> = out.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(
            set,
            [
                "x=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure",
                "y=w; Path=/; HttpOnly; SameSite=Lax"
            ]
        );
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"abc", b"abcd"));
    }
}
