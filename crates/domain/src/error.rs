//! The one error type that leaves this crate.

use lightdeck_huaweicloud::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that does not parse; each entry names its field. Also used for unique
    /// violations ("this login name is taken"), which are the user's to fix.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// The thing does not exist, or is outside the caller's team (callers answer 404 either way).
    #[error("not found")]
    NotFound,
    /// The request is well-formed but breaks a rule, e.g. removing a team's last owner.
    #[error("{0}")]
    Rule(String),
    /// A secret could not be encrypted or decrypted (wrong key, moved ciphertext, unknown key id).
    #[error("secret storage: {0}")]
    Crypto(String),
    /// The private Postgres could not be found, started or stopped.
    #[error("postgres: {0}")]
    Postgres(String),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Writing an audit export to its destination failed (e.g. the client went away).
    #[error("writing the export failed: {0}")]
    Export(std::io::Error),
}

impl Error {
    /// A single field error, for parsers of one value.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.push(field, message);
        Error::Invalid(errors)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
