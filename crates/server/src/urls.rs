//! Pieces of URLs the panel builds or accepts back: where a redirect may go, and how a value
//! is put into a query string.

/// A path on this site: starts with one `/`, no scheme or host, no backslash or control
/// characters (browsers read `/\evil.example` as another host).
pub fn is_safe_next(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 1024
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths() {
        for good in ["/", "/teams/x/instances?page=2", "/a/b#c"] {
            assert!(is_safe_next(good), "{good}");
        }
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/a\nb",
            "/ a",
        ] {
            assert!(!is_safe_next(bad), "{bad:?}");
        }
    }

    #[test]
    fn encoding() {
        assert_eq!(encode_component("/teams/1?a=b&c"), "/teams/1%3Fa%3Db%26c");
    }
}
