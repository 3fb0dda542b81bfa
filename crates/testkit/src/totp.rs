//! Codes an authenticator app would show, computed from the secret a page showed (tests
//! type them like a person copying from their phone). RFC 6238 with the parameters every
//! app assumes: HMAC-SHA-1, six digits, 30-second steps.

use time::OffsetDateTime;
use totp_rs::{Algorithm, Builder, Secret};

/// The app's code at `at` for the base32 `secret` (as the enrolment page shows it).
///
/// # Panics
/// When `secret` is not base32 of an RFC-sized secret: the page showed something else.
pub fn totp_code(secret: &str, at: OffsetDateTime) -> String {
    let secret = Secret::try_from_base32(secret.trim()).expect("the page shows a base32 secret");
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .expect("an RFC 6238 secret");
    totp.generate(u64::try_from(at.unix_timestamp()).expect("after 1970")).to_string()
}
