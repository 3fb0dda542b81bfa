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
    Database(#[source] sqlx::Error),
    /// A stored row that does not parse as its type: something other than this crate wrote
    /// it (a manual edit, a newer version's value). Never the user's to fix.
    #[error("corrupt {table} row {id}: {detail}")]
    Corrupt { table: &'static str, id: String, detail: String },
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

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        // A row decoder names the row by smuggling it through sqlx's own error type (the
        // only one `FromRow` may return); unwrap it here so every `?` sees `Corrupt`.
        match e {
            sqlx::Error::Decode(source) => match source.downcast::<CorruptRow>() {
                Ok(row) => {
                    let CorruptRow { table, id, detail } = *row;
                    Error::Corrupt { table, id, detail }
                }
                Err(source) => Error::Database(sqlx::Error::Decode(source)),
            },
            e => Error::Database(e),
        }
    }
}

/// [`Error::Corrupt`] on its way through sqlx.
#[derive(Debug, thiserror::Error)]
#[error("corrupt {table} row {id}: {detail}")]
pub(crate) struct CorruptRow {
    pub(crate) table: &'static str,
    pub(crate) id: String,
    pub(crate) detail: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
