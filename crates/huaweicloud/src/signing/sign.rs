//! The client side: turns a request into the headers and URL the gateway will accept.
//!
//! Header handling follows the SDK's dict semantics exactly, because the signed header list
//! and values must come out the same: names are case-sensitive keys (a repeated exact name
//! replaces the earlier value in place), while the `X-Sdk-Date`, `Host` and content-hash
//! look-ups ignore case.

use std::borrow::Cow;
use std::fmt;

use time::OffsetDateTime;

use super::canonical::{self, CanonicalParts};
use super::{ALGORITHM, EMPTY_BODY_SHA256, canonical_query, format_sdk_date};

/// A request as the client is about to send it, before signing.
pub struct SignableRequest<'a> {
    pub method: &'a str,
    /// URL netloc, including `:port` when the endpoint has one (it is signed as `Host`).
    pub host: &'a str,
    /// Wire path, already percent-encoded (see [`super::encode_path_param`]).
    pub path: &'a str,
    /// Raw (not encoded) pairs; booleans already `true`/`false`.
    pub query: &'a [(String, String)],
    /// Headers before signing, names as given, in order.
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

/// Everything signing produced. The intermediate strings are kept for tests and debugging.
#[derive(Clone)]
pub struct Signed {
    pub canonical_query: String,
    pub canonical_request: String,
    pub string_to_sign: String,
    /// `content-type;host;...`
    pub signed_headers: String,
    pub signature: String,
    /// `SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=...`
    pub authorization: String,
    /// Every header to send: the inputs with values stripped, plus `X-Sdk-Content-Sha256`
    /// (non-JSON content types), `X-Sdk-Date` (if absent), `Host` (if absent) and
    /// `Authorization`, in the SDK's order.
    pub headers: Vec<(String, String)>,
    /// The path, plus `?` and the canonical query when there is one.
    pub path_and_query: String,
}

/// Headers whose values are credentials in their own right (temporary-credential token,
/// IAM token). `Debug` hides them, here and in the canonical request.
fn is_secret_header(name: &str) -> bool {
    ["x-security-token", "x-auth-token", "x-subject-token"]
        .iter()
        .any(|secret| name.eq_ignore_ascii_case(secret))
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), if is_secret_header(n) { "[REDACTED]" } else { v.as_str() }))
            .collect();
        let canonical_request: Vec<Cow<'_, str>> = self
            .canonical_request
            .split('\n')
            .map(|line| match line.split_once(':') {
                Some((name, _)) if is_secret_header(name) => format!("{name}:[REDACTED]").into(),
                _ => line.into(),
            })
            .collect();
        f.debug_struct("Signed")
            .field("canonical_query", &self.canonical_query)
            .field("canonical_request", &canonical_request.join("\n"))
            .field("string_to_sign", &self.string_to_sign)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .field("headers", &headers)
            .field("path_and_query", &self.path_and_query)
            .finish()
    }
}

/// Sets a header the way assigning to a Python dict does: replace the value of an entry with
/// exactly this name (keeping its position), or append.
fn set_exact(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    match headers.iter_mut().find(|(n, _)| n == name) {
        Some(entry) => entry.1 = value,
        None => headers.push((name.to_owned(), value)),
    }
}

/// The first value whose name matches case-insensitively (the SDK's `_get_header_ignore_case`).
fn find_ignore_case<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Signs a request (§2.2). `now` is used only when there is no `X-Sdk-Date` header; `sk` is
/// the secret key's UTF-8 bytes.
///
/// Signing cannot fail. A caller-supplied `X-Sdk-Date` that is not `YYYYMMDDTHHMMSSZ` is
/// signed as given (the SDK would raise instead); the gateway then rejects the request.
/// An `Authorization` header in the input is signed like any other and then overwritten, as
/// in the SDK's signer; callers that already have one should not sign at all (§2.1 step 6).
pub fn sign(req: SignableRequest<'_>, ak: &str, sk: &[u8], now: OffsetDateTime) -> Signed {
    let mut headers: Vec<(String, String)> = Vec::with_capacity(req.headers.len() + 4);
    for (name, value) in req.headers {
        set_exact(&mut headers, &name, value);
    }

    // Step 2. The SDK looks up exactly `Content-Type` (case-sensitive, raw value): JSON and
    // BSON bodies are hashed, anything else is declared unsigned.
    if let Some((_, content_type)) = headers.iter().find(|(n, _)| n == "Content-Type")
        && !content_type.is_empty()
        && !content_type.starts_with("application/json")
        && !content_type.starts_with("application/bson")
    {
        set_exact(&mut headers, "X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD".to_owned());
    }
    // Steps 3 and 4.
    if find_ignore_case(&headers, "x-sdk-date").is_none() {
        headers.push(("X-Sdk-Date".to_owned(), format_sdk_date(now)));
    }
    if find_ignore_case(&headers, "host").is_none() {
        headers.push(("Host".to_owned(), req.host.to_owned()));
    }
    // Step 6's side effect, done first: the SDK sends the stripped values, and every later
    // look-up (date, content hash) sees them.
    for (_, value) in &mut headers {
        let stripped = canonical::python_strip(value);
        if stripped.len() != value.len() {
            *value = stripped.to_owned();
        }
    }

    // Step 5. The SDK leaves out names containing `_`: proxies commonly drop such headers
    // (nginx does by default), so the gateway could not recompute a signature over them.
    // The sort is stable, so names that differ only in case keep their dict order.
    let mut signed: Vec<(String, usize)> = headers
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| !name.contains('_'))
        .map(|(i, (name, _))| (name.to_lowercase(), i))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));

    // Step 6. The SDK maps lowercase name → value, so when names differ only in case the
    // last one in dict order supplies the value for every copy in the list.
    let mut canonical_headers: Vec<(&[u8], &[u8])> = Vec::with_capacity(signed.len());
    let mut start = 0;
    while start < signed.len() {
        let mut end = start;
        while end + 1 < signed.len() && signed[end + 1].0 == signed[start].0 {
            end += 1;
        }
        let value = headers[signed[end].1].1.as_bytes();
        for (name, _) in &signed[start..=end] {
            canonical_headers.push((name.as_bytes(), value));
        }
        start = end + 1;
    }
    let signed_headers = signed.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(";");

    // Step 9. An empty `X-Sdk-Content-Sha256` counts as absent, as in the SDK.
    let payload_hash: Cow<'_, str> = if req.body.is_empty() {
        EMPTY_BODY_SHA256.into()
    } else if let Some(declared) =
        find_ignore_case(&headers, "x-sdk-content-sha256").filter(|v| !v.is_empty())
    {
        declared.into()
    } else {
        canonical::sha256_hex(req.body).into()
    };

    let uri = canonical::canonical_uri(req.path);
    let query = canonical_query(req.query);
    let canonical_request = canonical::canonical_request(&CanonicalParts {
        method: req.method,
        uri: &uri,
        query: &query,
        headers: &canonical_headers,
        signed_headers: &signed_headers,
        payload_hash: &payload_hash,
    });
    // Every part came from a `&str`, so this never takes the lossy branch.
    let canonical_request = String::from_utf8(canonical_request)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());

    let date = find_ignore_case(&headers, "x-sdk-date").unwrap_or_default();
    let string_to_sign = canonical::string_to_sign(date, canonical_request.as_bytes());
    let signature = canonical::signature_hex(sk, &string_to_sign);
    let authorization =
        format!("{ALGORITHM} Access={ak}, SignedHeaders={signed_headers}, Signature={signature}");
    set_exact(&mut headers, "Authorization", authorization.clone());

    let path_and_query =
        if query.is_empty() { req.path.to_owned() } else { format!("{}?{query}", req.path) };

    Signed {
        canonical_query: query,
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
        headers,
        path_and_query,
    }
}
