//! The server side: checks a received request's `SDK-HMAC-SHA256` signature the way the
//! gateway does, for cloudsim.
//!
//! The canonical request is rebuilt from what was received: the header names listed in the
//! `Authorization` header (not every received header: proxies add their own), the received
//! `Host` header with its port, and the raw path and query canonicalised as in §2.2.

use std::borrow::Cow;

use http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use time::{Duration, OffsetDateTime};

use super::canonical::{self, CanonicalParts};
use super::{ALGORITHM, EMPTY_BODY_SHA256, parse_sdk_date};

/// A request as received by a server, before any decoding.
pub struct ReceivedRequest<'a> {
    pub method: &'a str,
    /// Exactly as received, percent-encoded.
    pub raw_path: &'a str,
    /// As received without the `?`, possibly empty.
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Who signed an accepted request, and what the signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub ak: String,
    /// Header names as listed in `SignedHeaders` (lowercase from any conforming signer).
    pub signed_headers: Vec<String>,
    /// The `X-Sdk-Date` of the request.
    pub date: OffsetDateTime,
}

/// Why a request was refused. Messages name what is wrong and never include a key, a
/// signature or a header value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the request has no Authorization header")]
    MissingAuthorization,
    #[error(
        "the Authorization header is not of the form \"SDK-HMAC-SHA256 Access=<AK>, \
         SignedHeaders=<names>, Signature=<64 hex digits>\""
    )]
    MalformedAuthorization,
    #[error("the Authorization header uses algorithm {0:?}; only SDK-HMAC-SHA256 is accepted")]
    UnsupportedAlgorithm(String),
    #[error("the request has no X-Sdk-Date header")]
    MissingDate,
    #[error("the X-Sdk-Date header is not a UTC time of the form YYYYMMDDTHHMMSSZ")]
    MalformedDate,
    #[error("the X-Sdk-Date header is too far from the server's clock")]
    StaleDate,
    #[error("x-sdk-date is not listed in the Authorization header's SignedHeaders")]
    DateNotSigned,
    #[error("host is not listed in the Authorization header's SignedHeaders")]
    HostNotSigned,
    #[error("header {0:?} is listed in SignedHeaders but is not in the request")]
    MissingSignedHeader(String),
    #[error("the access key in the Authorization header is not known")]
    UnknownAccessKey,
    #[error("the signature does not match the request (wrong secret key, or the request changed)")]
    SignatureMismatch,
}

/// Longest algorithm name echoed back in [`Rejection::UnsupportedAlgorithm`], so a hostile
/// client cannot make an error message (and the log line quoting it) arbitrarily long.
const MAX_ECHOED_ALGORITHM: usize = 40;

struct Authorization<'a> {
    ak: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

/// Parses `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`. The three parts may
/// come in any order, but each exactly once and nothing else.
fn parse_authorization(value: &str) -> Result<Authorization<'_>, Rejection> {
    let value = value.trim();
    let (algorithm, rest) = value.split_once(' ').ok_or(Rejection::MalformedAuthorization)?;
    if algorithm != ALGORITHM {
        let echoed = match algorithm.char_indices().nth(MAX_ECHOED_ALGORITHM) {
            Some((cut, _)) => format!("{}…", &algorithm[..cut]),
            None => algorithm.to_owned(),
        };
        return Err(Rejection::UnsupportedAlgorithm(echoed));
    }
    let (mut ak, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=').ok_or(Rejection::MalformedAuthorization)?;
        let slot = match key {
            "Access" => &mut ak,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return Err(Rejection::MalformedAuthorization),
        };
        if slot.replace(val).is_some() || val.is_empty() {
            return Err(Rejection::MalformedAuthorization);
        }
    }
    let (Some(ak), Some(signed_headers), Some(signature)) = (ak, signed_headers, signature) else {
        return Err(Rejection::MalformedAuthorization);
    };
    let hex_signature =
        signature.len() == 64 && signature.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !hex_signature || signed_headers.split(';').any(str::is_empty) {
        return Err(Rejection::MalformedAuthorization);
    }
    Ok(Authorization { ak, signed_headers, signature })
}

/// The value a signed header contributed, stripped. Several received copies are joined with
/// `,` (their meaning under HTTP), so a copy added after signing changes the signature.
fn received_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<Cow<'h, [u8]>> {
    let mut values = headers.get_all(name).iter();
    let first = canonical::strip_value_bytes(values.next()?.as_bytes());
    let mut joined: Option<Vec<u8>> = None;
    for more in values {
        let buf = joined.get_or_insert_with(|| first.to_vec());
        buf.push(b',');
        buf.extend_from_slice(canonical::strip_value_bytes(more.as_bytes()));
    }
    Some(joined.map_or(Cow::Borrowed(first), Cow::Owned))
}

/// Checks a received request's signature. Cheap structural checks come first, the secret is
/// looked up (once) only for a well-formed, fresh request, and the signatures are compared in
/// constant time.
///
/// When the request signed `x-security-token`, it is checked like any other signed header;
/// whether temporary credentials are acceptable is the caller's decision.
pub fn verify(
    req: &ReceivedRequest<'_>,
    now: OffsetDateTime,
    max_skew: Duration,
    secret_for: impl FnOnce(&str) -> Option<SecretString>,
) -> Result<Verified, Rejection> {
    let mut authorizations = req.headers.get_all(http::header::AUTHORIZATION).iter();
    let authorization = authorizations.next().ok_or(Rejection::MissingAuthorization)?;
    if authorizations.next().is_some() {
        return Err(Rejection::MalformedAuthorization);
    }
    let authorization = authorization.to_str().map_err(|_| Rejection::MalformedAuthorization)?;
    let auth = parse_authorization(authorization)?;

    let date_value = received_value(req.headers, "x-sdk-date").ok_or(Rejection::MissingDate)?;
    let date_text = std::str::from_utf8(&date_value).map_err(|_| Rejection::MalformedDate)?;
    let date = parse_sdk_date(date_text).ok_or(Rejection::MalformedDate)?;
    if (now - date).abs() > max_skew {
        return Err(Rejection::StaleDate);
    }

    let names: Vec<&str> = auth.signed_headers.split(';').collect();
    if !names.contains(&"x-sdk-date") {
        return Err(Rejection::DateNotSigned);
    }
    if !names.contains(&"host") {
        return Err(Rejection::HostNotSigned);
    }
    let mut values = Vec::with_capacity(names.len());
    for name in &names {
        let value = received_value(req.headers, name)
            .ok_or_else(|| Rejection::MissingSignedHeader((*name).to_owned()))?;
        values.push(value);
    }

    let sk = secret_for(auth.ak).ok_or(Rejection::UnknownAccessKey)?;

    let canonical_headers: Vec<(&[u8], &[u8])> =
        names.iter().zip(&values).map(|(n, v)| (n.as_bytes(), v.as_ref())).collect();
    // Mirrors the signer: an empty body is never hashed, and a non-empty declared content
    // hash (`UNSIGNED-PAYLOAD`) replaces the body's hash. The declaration counts only when it
    // is itself signed; otherwise anyone could swap the body and declare the old body's hash.
    let declared_hash = names
        .iter()
        .position(|n| *n == "x-sdk-content-sha256")
        .map(|i| values[i].as_ref())
        .filter(|v| !v.is_empty())
        .map(String::from_utf8_lossy);
    let payload_hash: Cow<'_, str> = match declared_hash {
        _ if req.body.is_empty() => EMPTY_BODY_SHA256.into(),
        Some(declared) => declared,
        None => canonical::sha256_hex(req.body).into(),
    };
    let query_pairs = canonical::parse_raw_query(req.raw_query);
    let mut query_refs: Vec<(&[u8], &[u8])> =
        query_pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    let canonical_request = canonical::canonical_request(&CanonicalParts {
        method: req.method,
        uri: &canonical::canonical_uri(req.raw_path),
        query: &canonical::canonical_query_bytes(&mut query_refs),
        headers: &canonical_headers,
        signed_headers: auth.signed_headers,
        payload_hash: &payload_hash,
    });
    let string_to_sign = canonical::string_to_sign(date_text, &canonical_request);
    let expected = canonical::signature_hex(sk.expose_secret().as_bytes(), &string_to_sign);
    if !canonical::constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(Rejection::SignatureMismatch);
    }

    Ok(Verified {
        ak: auth.ak.to_owned(),
        signed_headers: names.into_iter().map(str::to_owned).collect(),
        date,
    })
}
