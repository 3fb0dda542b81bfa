//! `SDK-HMAC-SHA256`: the AK/SK request signature of Huawei Cloud's API gateway, and its
//! verifying half (used by cloudsim on the requests it receives).
//!
//! The signer reproduces `huaweicloudsdkcore.signer.Signer` (Python SDK 3.1.219) byte for
//! byte; `tests/signing_vectors.rs` checks it against vectors that SDK produced. Unlike AWS
//! SigV4 there is no key derivation and no scope: the signature is
//! `HMAC-SHA256(SK, "SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>")`.
//!
//! Layout: `canonical` holds the shared byte-level rules, `sign` the client side, `verify`
//! the server side.

mod canonical;
mod sign;
mod verify;

#[cfg(test)]
mod tests;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

pub use sign::{SignableRequest, Signed, sign};
pub use verify::{ReceivedRequest, Rejection, Verified, verify};

/// The algorithm name that opens the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Hex SHA-256 of zero bytes: the payload hash of every request without a body.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Formats `t` as the `X-Sdk-Date` value, `YYYYMMDDTHHMMSSZ` in UTC (e.g. `20240416T095341Z`).
pub fn format_sdk_date(t: OffsetDateTime) -> String {
    // Converting to UTC can only fail within hours of the end of year 9999; keeping the
    // original fields there is wrong but harmless, and signing must not panic.
    let t = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an `X-Sdk-Date` value. Only the exact 16-character UTC form is accepted (the SDK
/// always writes it that way), so every accepted value formats back to itself.
pub fn parse_sdk_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range]
            .iter()
            .try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(4..6)?).ok()?).ok()?;
    let day = u8::try_from(digits(6..8)?).ok()?;
    let hour = u8::try_from(digits(9..11)?).ok()?;
    let minute = u8::try_from(digits(11..13)?).ok()?;
    let second = u8::try_from(digits(13..15)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Python `quote(v, safe='')`: encodes one path parameter for substitution into a path
/// template. Only `A–Z a–z 0–9 - _ . ~` stay as they are, so `/` becomes `%2F` and cannot
/// split the parameter into two segments on the wire.
pub fn encode_path_param(v: &str) -> String {
    let mut out = String::with_capacity(v.len() * 3);
    canonical::push_encoded(&mut out, v.as_bytes());
    out
}

/// Step 8: the canonical query of raw (not yet encoded) pairs, sorted by key then value and
/// encoded with the unreserved-only rule, joined `k=v&k=v`; empty when there are no pairs.
/// Because the request is sent with exactly this string, it is also the wire query.
///
/// Values are compared as strings, so a repeated key with numbers sorts `10` before `9`
/// (the SDK would sort Python ints numerically); no Huawei operation we use repeats a
/// numeric key.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut refs: Vec<(&[u8], &[u8])> =
        pairs.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())).collect();
    canonical::canonical_query_bytes(&mut refs)
}
