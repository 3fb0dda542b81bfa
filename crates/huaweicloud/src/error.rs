//! The one error type of the client, and the parser for Huawei's error bodies.
//!
//! Display strings are plain English, name the service and operation, and never include a
//! secret or a whole response body: a long or non-JSON body is cut short.

use std::fmt;

use serde_json::Value;

use crate::endpoints::{InvalidEndpoint, Service};
use crate::validate::{FieldError, FieldErrors};

/// Longest Huawei error message (in characters) kept in an error.
const MAX_MESSAGE_CHARS: usize = 300;

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The connection could not be made: nothing reached the server.
    #[error("could not connect to {service} for {operation}: {detail}")]
    Connect { service: Service, operation: &'static str, detail: String },

    /// The connection broke after the request was (maybe) sent.
    #[error("the connection to {service} broke during {operation}: {detail}")]
    Transport { service: Service, operation: &'static str, detail: String },

    /// No complete response within the configured timeout.
    #[error("{service} {operation} timed out")]
    Timeout { service: Service, operation: &'static str },

    /// Credentials were refused, or the account lacks the kind of credentials needed.
    #[error(transparent)]
    Auth(#[from] AuthError),

    /// The request breaks Huawei's documented rules; it was not sent.
    #[error("the request was not sent because it is invalid: {0}")]
    Validation(FieldErrors),

    /// Huawei answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// A write failed ambiguously (server error, timeout, dropped connection): it may or may
    /// not have been carried out, so it was not repeated.
    #[error(
        "{service} {operation} may or may not have taken effect ({cause}); check its current state before trying again"
    )]
    OutcomeUnknown { service: Service, operation: &'static str, cause: Box<Error> },

    /// The request was never sent because something it needs first failed (the IAM token
    /// it authenticates with): whatever `cause` says about *that* call, this one did not
    /// reach the cloud.
    #[error("{operation} was not sent: {cause}")]
    NotSent { operation: &'static str, cause: Box<Error> },

    /// A success status with a body that does not decode, or an inconsistent answer.
    #[error("{service} {operation} returned an unexpected response (HTTP {status}): {detail}")]
    InvalidResponse {
        service: Service,
        operation: &'static str,
        status: u16,
        request_id: Option<String>,
        detail: String,
    },

    /// The client itself is misconfigured (endpoint, TLS setup).
    #[error("client configuration: {0}")]
    Config(String),
}

/// Why authentication failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// HTTP 401/403 from the gateway, IAM or the service.
    #[error("authentication failed: {0}")]
    Rejected(Box<ApiError>),
    /// The account has no credentials of the kind this operation needs.
    #[error("{operation} cannot be done with this account: {reason}")]
    MissingCredentials { operation: &'static str, reason: &'static str },
}

/// An error answer from Huawei Cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub service: Service,
    pub operation: &'static str,
    pub status: u16,
    /// Huawei's error code, e.g. `Ecs.0005`, `CBC.0100`, `APIG.0301`, `401`.
    pub code: String,
    /// Huawei's message, shortened to a few hundred characters.
    pub message: String,
    /// The `X-Request-Id` response header.
    pub request_id: Option<String>,
    /// Huawei's encrypted reason for a permission denial (`encoded_authorization_message`),
    /// which the account owner can decode with STS; kept out of `Display` because it is long.
    pub encoded_authorization_message: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} failed with HTTP {}, code {}",
            self.service, self.operation, self.status, self.code
        )?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Builds the error from a response, reading the body the way Huawei's SDK does. When
    /// the `X-Request-Id` header is missing, the gateway's body field `request_id` stands in:
    /// it is the id Huawei support asks for.
    pub fn from_response(
        service: Service,
        operation: &'static str,
        status: u16,
        request_id: Option<String>,
        body: &[u8],
    ) -> Self {
        let (code, message) = parse_error_body(status, body);
        let top_level = |key: &str, max: usize| top_level_str(body, key, max);
        ApiError {
            service,
            operation,
            status,
            code,
            message,
            request_id: request_id.or_else(|| top_level("request_id", 128)),
            encoded_authorization_message: top_level("encoded_authorization_message", 8192),
        }
    }
}

/// A non-empty top-level string of a JSON error body, cut to `max` characters so a hostile
/// body cannot grow an error without bound.
fn top_level_str(body: &[u8], key: &str, max: usize) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let text = value.get(key)?.as_str()?.trim();
    (!text.is_empty()).then(|| text.chars().take(max).collect())
}

/// Code and message of an error body, in the SDK's order: `error_code`+`error_msg`, then
/// `errorCode`+`errorMsg`, then `code`+`message`, then the same inside nested objects.
/// Non-JSON → (status, text); empty → (status, "").
pub fn parse_error_body(status: u16, body: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return (status.to_string(), String::new());
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(value @ Value::Object(_)) => match find_code_message(&value, 0) {
            Some((code, message)) => (code, truncate(&message)),
            None => (status.to_string(), String::new()),
        },
        _ => (status.to_string(), truncate(trimmed)),
    }
}

fn find_code_message(value: &Value, depth: usize) -> Option<(String, String)> {
    let obj = value.as_object()?;
    for (code_key, msg_key) in
        [("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")]
    {
        if let Some(code) = obj.get(code_key).and_then(scalar) {
            let message = obj.get(msg_key).and_then(scalar).unwrap_or_default();
            return Some((code, message));
        }
    }
    // Bounded: a hostile body must not make us recurse without end.
    if depth >= 4 {
        return None;
    }
    obj.values().filter(|v| v.is_object()).find_map(|v| find_code_message(v, depth + 1))
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn truncate(s: &str) -> String {
    let mut out: String = s.chars().take(MAX_MESSAGE_CHARS).collect();
    if s.chars().nth(MAX_MESSAGE_CHARS).is_some() {
        out.push('…');
    }
    out
}

impl From<Box<ApiError>> for Error {
    fn from(e: Box<ApiError>) -> Self {
        Error::Api(e)
    }
}

impl From<FieldErrors> for Error {
    fn from(e: FieldErrors) -> Self {
        Error::Validation(e)
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Validation(FieldErrors(vec![e]))
    }
}

impl From<InvalidEndpoint> for Error {
    fn from(e: InvalidEndpoint) -> Self {
        Error::Config(e.to_string())
    }
}

impl Error {
    /// The Huawei API error behind this error, if any.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::Auth(AuthError::Rejected(e)) => Some(e),
            Error::OutcomeUnknown { cause, .. } | Error::NotSent { cause, .. } => cause.api(),
            _ => None,
        }
    }

    /// HTTP status of Huawei's answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::InvalidResponse { status, .. } => Some(*status),
            Error::NotSent { cause, .. } => cause.status(),
            _ => self.api().map(|e| e.status),
        }
    }

    /// Huawei's error code, e.g. `Ecs.0005`.
    pub fn huawei_code(&self) -> Option<&str> {
        self.api().map(|e| e.code.as_str())
    }

    /// The `X-Request-Id` of Huawei's answer, if there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::InvalidResponse { request_id, .. } => request_id.as_deref(),
            Error::NotSent { cause, .. } => cause.request_id(),
            _ => self.api().and_then(|e| e.request_id.as_deref()),
        }
    }

    /// Whether trying the same request again later can succeed: throttling, server errors,
    /// timeouts and network failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Connect { .. } | Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Api(e) => e.status == 429 || e.status >= 500,
            Error::NotSent { cause, .. } => cause.is_retryable(),
            _ => false,
        }
    }

    /// Whether the operation may have been carried out although an error came back ("it may
    /// have reached the cloud": reconcile before trying again). `false` means certainly not
    /// carried out: refused by Huawei, invalid, or never sent.
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            Error::OutcomeUnknown { .. }
            | Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::InvalidResponse { .. } => true,
            Error::Api(e) => e.status >= 500,
            _ => false,
        }
    }

    /// Whether this is an authentication or credentials problem.
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth(_))
    }
}

/// Why Huawei refused a purchase, named from its error code (reference §4.3), so that a page
/// can say it in words and still show the code. Only definite refusals are named: a purchase
/// that may have reached the cloud ([`Error::OutcomeUnknown`]) is not a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurchaseRefusal {
    /// `CBC.30050006`: auto-pay failed, the balance does not cover the order.
    InsufficientBalance,
    /// `HCSS.14000010`: the spec is sold out in the region (flavor capacity short).
    SoldOut,
    /// `HCSS.14000011`: the account's instance quota is used up.
    QuotaExceeded,
    /// `HCSS.14290001` (HCSS) or `APIG.0308` (gateway), still throttled after the retries.
    Throttled,
    /// `HCSS.14000001`, or a request our own checks refused before sending (then `code` is
    /// empty). `fields` are the request fields named, e.g. `plan_spec`, when known.
    InvalidParameter { fields: Vec<String> },
    /// `HCSS.14000002`–`HCSS.14000009`: HCSS could not reach a service it depends on
    /// (CBC, ECS, EVS, EIP, …).
    DependencyFailed,
}

impl PurchaseRefusal {
    /// The refusal behind `error`, if it is a known one. `None` for unknown codes, for
    /// credentials problems and for anything that may have taken effect.
    pub fn of(error: &Error) -> Option<PurchaseRefusal> {
        match error {
            Error::Validation(fields) => Some(PurchaseRefusal::InvalidParameter {
                fields: fields.0.iter().map(|f| f.field.clone()).collect(),
            }),
            Error::Api(api) => PurchaseRefusal::from_api(api),
            _ => None,
        }
    }

    fn from_api(api: &ApiError) -> Option<PurchaseRefusal> {
        match api.code.as_str() {
            "CBC.30050006" => Some(PurchaseRefusal::InsufficientBalance),
            "HCSS.14000010" => Some(PurchaseRefusal::SoldOut),
            "HCSS.14000011" => Some(PurchaseRefusal::QuotaExceeded),
            "HCSS.14290001" | "APIG.0308" => Some(PurchaseRefusal::Throttled),
            "HCSS.14000001" => {
                Some(PurchaseRefusal::InvalidParameter { fields: named_fields(&api.message) })
            }
            code => {
                let n = code.strip_prefix("HCSS.140000")?.parse::<u8>().ok()?;
                (2..=9).contains(&n).then_some(PurchaseRefusal::DependencyFailed)
            }
        }
    }
}

/// Field names at the start of `field: problem; field: problem` messages (cloudsim's shape;
/// Huawei's own wording is not documented, so an unrecognised message names none).
fn named_fields(message: &str) -> Vec<String> {
    let field_char = |c: char| c.is_ascii_alphanumeric() || "_-.[]".contains(c);
    message
        .split("; ")
        .filter_map(|part| part.split_once(':').map(|(name, _)| name.trim()))
        .filter(|name| !name.is_empty() && name.chars().all(field_char))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> (String, String) {
        parse_error_body(status, body.as_bytes())
    }

    #[test]
    fn every_documented_shape() {
        let ecs = r#"{"error":{"code":"Ecs.0005","message":"bad param","details":[{"code":"x","message":"y"}]}}"#;
        assert_eq!(parse(400, ecs), ("Ecs.0005".into(), "bad param".into()));
        assert_eq!(
            parse(400, r#"{"error_code":"CBC.0100","error_msg":"m"}"#),
            ("CBC.0100".into(), "m".into())
        );
        assert_eq!(parse(400, r#"{"errorCode":"X.1","errorMsg":"m"}"#), ("X.1".into(), "m".into()));
        let iam = r#"{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}"#;
        assert_eq!(parse(401, iam).0, "401");
        assert_eq!(parse(500, "<html>oops</html>"), ("500".into(), "<html>oops</html>".into()));
        assert_eq!(parse(404, ""), ("404".into(), String::new()));
        assert_eq!(parse(502, "[1,2]"), ("502".into(), "[1,2]".into()));
    }

    #[test]
    fn gateway_body_request_id_fills_a_missing_header() {
        let body = br#"{"error_msg": "m", "error_code": "APIG.0301", "request_id": "gw-1"}"#;
        let api = |header: Option<&str>| {
            ApiError::from_response(Service::Ecs, "show_job", 401, header.map(str::to_owned), body)
        };
        assert_eq!(api(None).request_id.as_deref(), Some("gw-1"));
        assert_eq!(api(Some("hdr")).request_id.as_deref(), Some("hdr"), "the header wins");
        let plain = ApiError::from_response(Service::Ecs, "show_job", 500, None, b"oops");
        assert_eq!(plain.request_id, None);
    }

    #[test]
    fn encoded_authorization_message_is_kept_but_not_displayed() {
        let body = br#"{"error_code": "CBC.0151", "error_msg": "Access denied.",
            "encoded_authorization_message": "ENCODED-DENY-REASON"}"#;
        let api = ApiError::from_response(Service::Bss, "renewal_resources", 403, None, body);
        assert_eq!(api.encoded_authorization_message.as_deref(), Some("ENCODED-DENY-REASON"));
        assert_eq!(api.code, "CBC.0151");
        assert!(!api.to_string().contains("ENCODED"), "{api}");
    }

    #[test]
    fn purchase_refusals_are_named_from_their_codes() {
        let refusal = |status: u16, code: &str, msg: &str| {
            let body = serde_json::json!({"error_code": code, "error_msg": msg}).to_string();
            let api =
                ApiError::from_response(Service::Hcss, "purchase", status, None, body.as_bytes());
            PurchaseRefusal::of(&Error::Api(Box::new(api)))
        };
        assert_eq!(refusal(400, "CBC.30050006", "m"), Some(PurchaseRefusal::InsufficientBalance));
        assert_eq!(refusal(400, "HCSS.14000010", "m"), Some(PurchaseRefusal::SoldOut));
        assert_eq!(refusal(400, "HCSS.14000011", "m"), Some(PurchaseRefusal::QuotaExceeded));
        assert_eq!(refusal(429, "HCSS.14290001", "m"), Some(PurchaseRefusal::Throttled));
        assert_eq!(refusal(400, "HCSS.14000004", "m"), Some(PurchaseRefusal::DependencyFailed));
        assert_eq!(refusal(400, "HCSS.14000012", "m"), None);
        assert_eq!(
            refusal(
                400,
                "HCSS.14000001",
                "plan_spec: is not sold here; image_ref.image_version: no"
            ),
            Some(PurchaseRefusal::InvalidParameter {
                fields: vec!["plan_spec".into(), "image_ref.image_version".into()]
            })
        );
        assert_eq!(
            refusal(400, "HCSS.14000001", "Invalid parameter."),
            Some(PurchaseRefusal::InvalidParameter { fields: vec![] })
        );
        let timeout = Error::Timeout { service: Service::Hcss, operation: "purchase" };
        let unknown = Error::OutcomeUnknown {
            service: Service::Hcss,
            operation: "purchase",
            cause: Box::new(timeout),
        };
        assert_eq!(PurchaseRefusal::of(&unknown), None, "not a refusal: it may exist");
    }

    #[test]
    fn long_bodies_are_cut() {
        let long = "x".repeat(5000);
        let (_, m) = parse(500, &long);
        assert!(m.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }
}
