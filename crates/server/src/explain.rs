//! Failures in plain words: Huawei's error codes, a job's per-server `errorcode_message`
//! and the panel's own codes for calls that got no answer (`lightdeck.*`, see
//! `workers::cloud::codes`) become one sentence a non-developer can act on. The technical
//! details (code, request id, job id) are shown next to it, not instead of it.

use crate::i18n::Tr;
use crate::workers::cloud::codes;

/// Why something failed, in categories people can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Too many requests to Huawei Cloud in a short time (`APIG.0308`, HTTP 429).
    Throttled,
    AlreadyRunning,
    AlreadyStopped,
    /// The server was busy or in a state that does not allow the action.
    WrongState,
    /// The Huawei account is restricted (arrears, frozen): `Ecs.0003`.
    AccountRestricted,
    /// The stored credentials were refused (`APIG.0301`, HTTP 401).
    AuthFailed,
    /// The access key is locked for a while after too many bad signatures (`APIG.0301`
    /// with "reach the limit").
    KeyLocked,
    /// The credentials work but lack the permission (`APIG.0302`, HTTP 403).
    PermissionDenied,
    /// The server no longer exists (`Ecs.0114`, HTTP 404).
    NotFound,
    /// The panel could not reach Huawei Cloud.
    Unreachable,
    TimedOut,
    /// Huawei Cloud had an internal error (HTTP 5xx, `Ecs.0002`/`Ecs.0004`).
    CloudError,
    /// Nobody can tell whether the cloud did it.
    OutcomeUnknown,
    /// The cloud forgot the job that was carrying the action out (e.g. it was restarted).
    JobGone,
    /// The same for an order.
    OrderGone,
    /// Another order on the resource is unfinished or unpaid (`CBC.99003144`,
    /// `CBC.99003100`, `CBC.99003651`).
    OrderInProgress,
    /// The renewal would exceed the longest total term (`CBC.99003154`).
    RenewTooLong,
    /// The period is not one BSS sells (`CBC.30010069`, `CBC.99000092`).
    BadPeriod,
    /// Auto-pay failed: not enough balance (`CBC.30050006`).
    AutoPayFailed,
    /// Resources bought together must be renewed together (`CBC.99003634`).
    RenewTogether,
    /// The new password breaks ECS's rules (`Ecs.0011`).
    PasswordRules,
    /// The plan is sold out in the region (`HCSS.14000010`).
    SoldOut,
    /// The account's instance quota is used up (`HCSS.14000011`).
    Quota,
    /// HCSS refused a purchase's choice (`HCSS.14000001`; the message names the field).
    InvalidChoice,
    /// HCSS could not reach a service it depends on (`HCSS.14000002`–`HCSS.14000009`).
    Dependency,
    Other,
}

impl Reason {
    /// The catalog key of the sentence (web/i18n/*/actions.ftl).
    pub fn key(self) -> &'static str {
        match self {
            Reason::Throttled => "explain-throttled",
            Reason::AlreadyRunning => "explain-already-running",
            Reason::AlreadyStopped => "explain-already-stopped",
            Reason::WrongState => "explain-wrong-state",
            Reason::AccountRestricted => "explain-account-restricted",
            Reason::AuthFailed => "explain-auth-failed",
            Reason::KeyLocked => "explain-key-locked",
            Reason::PermissionDenied => "explain-permission-denied",
            Reason::NotFound => "explain-not-found",
            Reason::Unreachable => "explain-unreachable",
            Reason::TimedOut => "explain-timeout",
            Reason::CloudError => "explain-cloud-error",
            Reason::OutcomeUnknown => "explain-unknown",
            Reason::JobGone => "explain-job-gone",
            Reason::OrderGone => "explain-order-gone",
            Reason::OrderInProgress => "explain-order-in-progress",
            Reason::RenewTooLong => "explain-renew-too-long",
            Reason::BadPeriod => "explain-bad-period",
            Reason::AutoPayFailed => "explain-auto-pay-failed",
            Reason::RenewTogether => "explain-renew-together",
            Reason::PasswordRules => "explain-password-rules",
            Reason::SoldOut => "explain-sold-out",
            Reason::Quota => "explain-quota",
            Reason::InvalidChoice => "explain-invalid-choice",
            Reason::Dependency => "explain-dependency",
            Reason::Other => "explain-other",
        }
    }
}

/// Sorts a failure into a [`Reason`] from what was recorded about it.
pub fn classify(code: Option<&str>, http_status: Option<u16>, message: Option<&str>) -> Reason {
    let code = code.unwrap_or_default();
    let message = message.unwrap_or_default().to_ascii_lowercase();
    if message.contains("reach the limit") {
        return Reason::KeyLocked;
    }
    match code {
        "APIG.0308" | "HCSS.14290001" => return Reason::Throttled,
        "Ecs.0003" => return Reason::AccountRestricted,
        "APIG.0301" | "APIGW.0301" | "CBC.0154" => return Reason::AuthFailed,
        "APIG.0302" | "CBC.0151" | "CBC.0155" => return Reason::PermissionDenied,
        "Ecs.0114" | "CBC.99003016" => return Reason::NotFound,
        "CBC.99003144" | "CBC.99003100" | "CBC.99003651" => return Reason::OrderInProgress,
        "CBC.99003154" => return Reason::RenewTooLong,
        "CBC.30010069" | "CBC.99000092" => return Reason::BadPeriod,
        "CBC.30050006" => return Reason::AutoPayFailed,
        "CBC.99003634" => return Reason::RenewTogether,
        "Ecs.0011" => return Reason::PasswordRules,
        "HCSS.14000010" => return Reason::SoldOut,
        "HCSS.14000011" => return Reason::Quota,
        "HCSS.14000001" => return Reason::InvalidChoice,
        c if c
            .strip_prefix("HCSS.1400000")
            .is_some_and(|n| n.len() == 1 && n != "0" && n != "1") =>
        {
            return Reason::Dependency;
        }
        "Ecs.0002" | "Ecs.0004" | "CBC.0999" => return Reason::CloudError,
        c if c == codes::UNREACHABLE => return Reason::Unreachable,
        c if c == codes::TIMEOUT => return Reason::TimedOut,
        c if c == codes::CREDENTIALS => return Reason::AuthFailed,
        c if c == codes::JOB_GONE => return Reason::JobGone,
        c if c == codes::ORDER_GONE => return Reason::OrderGone,
        _ => {}
    }
    if message.contains("already running") || message.contains("status active)") {
        return Reason::AlreadyRunning;
    }
    if message.contains("already stopped") || message.contains("status shutoff)") {
        return Reason::AlreadyStopped;
    }
    if code == "Ecs.0112" || message.contains("busy") || message.contains("current status") {
        return Reason::WrongState;
    }
    match http_status {
        Some(429) => Reason::Throttled,
        Some(401) => Reason::AuthFailed,
        Some(403) => Reason::PermissionDenied,
        Some(404) => Reason::NotFound,
        Some(s) if s >= 500 => Reason::CloudError,
        _ => Reason::Other,
    }
}

/// The sentence for a failure, in the request's language.
pub fn explain(
    tr: &Tr,
    code: Option<&str>,
    http_status: Option<u16>,
    message: Option<&str>,
) -> String {
    tr.t(classify(code, http_status, message).key())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages_find_their_reason() {
        assert_eq!(classify(Some("APIG.0308"), Some(429), None), Reason::Throttled);
        assert_eq!(classify(None, Some(429), None), Reason::Throttled);
        assert_eq!(classify(Some("Ecs.0003"), Some(403), None), Reason::AccountRestricted);
        assert_eq!(classify(Some("APIG.0301"), Some(401), None), Reason::AuthFailed);
        let locked = "AK access failed to reach the limit,forbidden";
        assert_eq!(classify(Some("APIG.0301"), Some(401), Some(locked)), Reason::KeyLocked);
        assert_eq!(
            classify(
                Some("Ecs.0112"),
                None,
                Some("Ecs.0112: server x is already running (status ACTIVE)")
            ),
            Reason::AlreadyRunning
        );
        assert_eq!(
            classify(Some("Ecs.0112"), None, Some("server x is already stopped (status SHUTOFF)")),
            Reason::AlreadyStopped
        );
        assert_eq!(classify(Some("Ecs.0112"), None, Some("busy")), Reason::WrongState);
        assert_eq!(classify(Some(codes::UNREACHABLE), None, None), Reason::Unreachable);
        assert_eq!(classify(Some(codes::JOB_GONE), Some(404), None), Reason::JobGone);
        assert_eq!(classify(Some("X.1"), Some(502), None), Reason::CloudError);
        assert_eq!(classify(None, None, None), Reason::Other);
        assert_eq!(classify(Some("CBC.99003144"), Some(200), None), Reason::OrderInProgress);
        assert_eq!(classify(Some("CBC.99003154"), Some(400), None), Reason::RenewTooLong);
        assert_eq!(classify(Some("CBC.30050006"), Some(400), None), Reason::AutoPayFailed);
        assert_eq!(classify(Some("Ecs.0011"), Some(400), None), Reason::PasswordRules);
        assert_eq!(classify(Some("HCSS.14000010"), Some(400), None), Reason::SoldOut);
        assert_eq!(classify(Some("HCSS.14000011"), Some(400), None), Reason::Quota);
        assert_eq!(classify(Some("HCSS.14290001"), Some(429), None), Reason::Throttled);
        assert_eq!(classify(Some("HCSS.14000001"), Some(400), None), Reason::InvalidChoice);
        assert_eq!(classify(Some("HCSS.14000004"), Some(400), None), Reason::Dependency);
        assert_eq!(classify(Some("HCSS.14000019"), Some(400), None), Reason::Other);
    }
}
