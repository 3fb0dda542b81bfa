//! Checks a request against Huawei's documented rules before it is sent, so that a form can
//! show each problem next to its field instead of a cloud error after the fact.
//!
//! Every check is a pure function. Field names are Huawei's (`instance_name`,
//! `extra_resources[1].size`, `Client-Request-Id`), messages are plain English, and lengths
//! count characters, not bytes.

mod label;
mod password;
mod purchase;
mod server;
mod text;

use std::fmt;

pub use password::{PASSWORD_SYMBOLS, PasswordRule, broken_password_rules, new_password};
pub use purchase::{client_request_id, purchase};
pub use server::{hostname, server_description, server_name};

/// One problem with one field, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The request field as Huawei names it, e.g. `instance_name` or `extra_resources[1].size`.
    pub field: String,
    /// What is wrong, e.g. "must be 1 to 128 characters long".
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }

    /// The field in plain words, e.g. "instance name" or "size of extra resource 2", for
    /// people who never saw Huawei's field names. `field` stays the key forms match on.
    pub fn label(&self) -> String {
        label::plain(&self.field)
    }
}

impl fmt::Display for FieldError {
    /// "instance name (instance_name): must be 1 to 128 characters long (it has 130)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = self.label();
        if label == self.field {
            write!(f, "{}: {}", self.field, self.message)
        } else {
            write!(f, "{label} ({}): {}", self.field, self.message)
        }
    }
}

/// Every problem found in one request (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message for a field, for forms that show one line per field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// `Ok(())` when nothing was found, else `Err(self)`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl std::error::Error for FieldError {}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
