//! The byte-level pieces of §2.2 shared by the signer and the verifier: percent-encoding,
//! percent-decoding, the canonical URI and query, the canonical request, and Python's
//! `str.strip()`.
//!
//! Everything here mirrors what Huawei's Python SDK (`huaweicloudsdkcore.signer.Signer`)
//! does, because the gateway recomputes the same bytes: any difference, however small, is a
//! signature mismatch.

use std::borrow::Cow;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The only bytes Python's `quote(s, safe='~')` / `quote(s, safe='')` leave alone (Python ≥ 3.7
/// always keeps `~`, so both spellings mean the same).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `bytes` percent-encoded with the unreserved-only rule: `%XX` with uppercase hex for
/// every other byte, so a space is `%20` (never `+`) and UTF-8 is encoded byte by byte.
pub(crate) fn push_encoded(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes like Python's `unquote`: an escape that is not two hex digits is
/// kept literally, and `+` stays `+` (it is not form encoding).
pub(crate) fn percent_decode(s: &[u8]) -> Cow<'_, [u8]> {
    if !s.contains(&b'%') {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                s.get(i + 1).copied().and_then(hex_value),
                s.get(i + 2).copied().and_then(hex_value),
            )
        {
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Cow::Owned(out)
}

/// Step 7: the canonical URI of a wire path.
///
/// The path is decoded first, so a `%2F` inside a path parameter becomes a real `/` here
/// while the wire keeps `%2F` (vector f2). Decoding to text uses U+FFFD for invalid UTF-8,
/// exactly like Python's `unquote(errors='replace')`. Each `/`-separated segment is then
/// re-encoded, which also normalises escapes (`%7e` → `~`, `%2a` → `%2A`). The trailing `/`
/// is not an HTTP rule: the SDK appends it when missing, and the gateway expects it.
pub(crate) fn canonical_uri(wire_path: &str) -> String {
    let decoded = percent_decode(wire_path.as_bytes());
    let text = String::from_utf8_lossy(&decoded);
    let mut out = String::with_capacity(text.len() + 16);
    let mut first = true;
    for segment in text.split('/') {
        if !first {
            out.push('/');
        }
        first = false;
        push_encoded(&mut out, segment.as_bytes());
    }
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Step 8 over byte pairs: sort by key then value (byte order, which for UTF-8 is the code
/// point order Python sorts `str` by), encode both, join `k=v` with `&`.
pub(crate) fn canonical_query_bytes(pairs: &mut [(&[u8], &[u8])]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    pairs.sort_unstable();
    let len: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len + len / 2);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(&mut out, k);
        out.push('=');
        push_encoded(&mut out, v);
    }
    out
}

/// A percent-decoded query `(key, value)`, borrowed when there was nothing to decode.
pub(crate) type DecodedPair<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// Splits a received raw query into decoded pairs. `k` without `=` is `(k, "")`, and empty
/// segments (`a=1&&b=2`) carry nothing, so they are skipped. Decoding stays in bytes so that
/// two different invalid-UTF-8 escapes can never canonicalise to the same text.
pub(crate) fn parse_raw_query(raw: &str) -> Vec<DecodedPair<'_>> {
    raw.split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (k, v) = segment.split_once('=').unwrap_or((segment, ""));
            (percent_decode(k.as_bytes()), percent_decode(v.as_bytes()))
        })
        .collect()
}

/// Python's `str.isspace()`: Unicode `White_Space` plus U+001C..U+001F, which Python counts
/// as separators and Rust's `char::is_whitespace` does not.
fn is_python_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument (step 6 strips every header value).
pub(crate) fn python_strip(s: &str) -> &str {
    s.trim_matches(is_python_whitespace)
}

/// Strips a received header value. Valid UTF-8 is stripped like Python does; other bytes
/// (which no conforming signer produces) only lose surrounding ASCII whitespace.
pub(crate) fn strip_value_bytes(value: &[u8]) -> &[u8] {
    match std::str::from_utf8(value) {
        Ok(text) => python_strip(text).as_bytes(),
        Err(_) => value.trim_ascii(),
    }
}

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The parts of a canonical request (step 10) that are already computed.
pub(crate) struct CanonicalParts<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub query: &'a str,
    /// `(lowercase name, stripped value)` in signed-header order.
    pub headers: &'a [(&'a [u8], &'a [u8])],
    pub signed_headers: &'a str,
    pub payload_hash: &'a str,
}

/// Step 10, as bytes (a received header value need not be UTF-8). The header block ends in
/// `\n` and is followed by the `\n` separator, hence the empty line before the signed list.
pub(crate) fn canonical_request(parts: &CanonicalParts<'_>) -> Vec<u8> {
    let headers_len: usize = parts.headers.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut out = Vec::with_capacity(
        parts.method.len()
            + parts.uri.len()
            + parts.query.len()
            + headers_len
            + parts.signed_headers.len()
            + parts.payload_hash.len()
            + 8,
    );
    // Python's `str.upper()` (Unicode-aware, like `to_uppercase`); methods are almost always
    // uppercase already, so skip the allocation then.
    if parts.method.bytes().all(|b| b.is_ascii() && !b.is_ascii_lowercase()) {
        out.extend_from_slice(parts.method.as_bytes());
    } else {
        out.extend_from_slice(parts.method.to_uppercase().as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(parts.uri.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(parts.query.as_bytes());
    out.push(b'\n');
    for (name, value) in parts.headers {
        out.extend_from_slice(name);
        out.push(b':');
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(parts.signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(parts.payload_hash.as_bytes());
    out
}

/// Step 11. `date` is the `X-Sdk-Date` value as sent.
pub(crate) fn string_to_sign(date: &str, canonical_request: &[u8]) -> String {
    let hash = sha256_hex(canonical_request);
    let mut out = String::with_capacity(super::ALGORITHM.len() + date.len() + hash.len() + 2);
    out.push_str(super::ALGORITHM);
    out.push('\n');
    out.push_str(date);
    out.push('\n');
    out.push_str(&hash);
    out
}

/// Step 12: lowercase hex HMAC-SHA256 keyed directly with the secret key's bytes.
pub(crate) fn signature_hex(sk: &[u8], string_to_sign: &str) -> String {
    // HMAC takes keys of any length (longer ones are hashed first), so this cannot fail;
    // hmac's own `KeyInit::new` relies on the same fact.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(sk)
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two strings in time that depends only on their lengths, so a forger cannot learn
/// how many leading characters of a guessed signature were right.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
