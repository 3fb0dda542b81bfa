//! Rows typed at the SQL boundary: the domain's enums as `text` columns, and decoders that
//! turn a stored value that does not parse into [`Error::Corrupt`] naming its row.
//!
//! A value this crate never writes (an unknown state, a malformed id) can only come from
//! outside it, so it is an internal error with enough to find the row, never a 409 or a
//! guess.

use sqlx::postgres::PgRow;
use sqlx::{Column, FromRow, Row};
use uuid::Uuid;

use crate::Error;
use crate::error::CorruptRow;

/// Implements `sqlx::Type`, `Encode` and `Decode` for Postgres as `text`, through the
/// type's `as_str` and `FromStr`, so the stored spellings stay exactly what they were (audit
/// hash chains include them). Binding as plain `text` also avoids the per-connection type
/// lookup a `#[sqlx(type_name = "text")]` derive would cost.
macro_rules! text_column {
    ($($ty:ty),* $(,)?) => {$(
        impl sqlx::Type<sqlx::Postgres> for $ty {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl sqlx::postgres::PgHasArrayType for $ty {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
            fn array_compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::postgres::PgHasArrayType>::array_compatible(ty)
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'_, sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $ty {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<'r, sqlx::Postgres>>::decode(value)?;
                text.parse::<$ty>()
                    .map_err(|_| format!("{text:?} does not parse as {}", stringify!($ty)).into())
            }
        }
    )*};
}
pub(crate) use text_column;

/// A table whose rows decode into `Self`, and the column that names a row in
/// [`Error::Corrupt`].
pub(crate) trait Stored {
    const TABLE: &'static str;
    const KEY: &'static str = "id";
}

/// Decodes a `T`; a column that does not decode becomes [`Error::Corrupt`] naming the row
/// (by its [`Stored::KEY`] column) once it reaches `?`.
pub(crate) struct Checked<T>(pub(crate) T);

impl<'r, T> FromRow<'r, PgRow> for Checked<T>
where
    T: FromRow<'r, PgRow> + Stored,
{
    fn from_row(row: &'r PgRow) -> sqlx::Result<Self> {
        T::from_row(row).map(Checked).map_err(|e| corrupt_row(T::TABLE, T::KEY, row, e))
    }
}

/// Unwraps the rows of a query of [`Checked`] values.
pub(crate) fn unchecked<T>(rows: Vec<Checked<T>>) -> Vec<T> {
    rows.into_iter().map(|Checked(t)| t).collect()
}

/// A stored value that does not parse as its type.
pub(crate) fn undecodable(column: &str, value: &str) -> sqlx::Error {
    let message = format!("stored value {value:?} does not parse");
    sqlx::Error::ColumnDecode { index: column.to_owned(), source: message.into() }
}

/// Names the row in a column decode failure of `row`; other errors pass unchanged.
pub(crate) fn corrupt_row(
    table: &'static str,
    key: &str,
    row: &PgRow,
    e: sqlx::Error,
) -> sqlx::Error {
    let sqlx::Error::ColumnDecode { index, source } = e else { return e };
    let index = column_name(index);
    // Positional decoders report the column's index; the name is what one looks for.
    let column = match index.parse::<usize>() {
        Ok(i) => row.columns().get(i).map_or(index, |c| c.name().to_owned()),
        Err(_) => index,
    };
    let id = row
        .try_get::<Uuid, _>(key)
        .map(|u| u.to_string())
        .or_else(|_| row.try_get::<i64, _>(key).map(|i| i.to_string()))
        .or_else(|_| row.try_get::<String, _>(key))
        .unwrap_or_else(|_| "(unknown)".to_owned());
    sqlx::Error::Decode(Box::new(CorruptRow { table, id, detail: format!("{column}: {source}") }))
}

/// sqlx quotes a column it looked up by name (`"state"`).
fn column_name(index: String) -> String {
    match index.strip_prefix('"').and_then(|i| i.strip_suffix('"')) {
        Some(name) => name.to_owned(),
        None => index,
    }
}

/// For lookups by a key the caller already knows (a single column read with
/// `query_scalar`): a column decode failure becomes [`Error::Corrupt`] naming `id`.
pub(crate) fn corrupt_in(
    table: &'static str,
    id: impl ToString,
) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| match e {
        sqlx::Error::ColumnDecode { index, source } => {
            let index = column_name(index);
            // A scalar query reports column 0, which says nothing the caller does not know.
            let detail = match index.parse::<usize>() {
                Ok(_) => source.to_string(),
                Err(_) => format!("{index}: {source}"),
            };
            Error::Corrupt { table, id: id.to_string(), detail }
        }
        e => e.into(),
    }
}

/// An optional HTTP status as stored (`integer`: Postgres has no `u16`), for
/// `#[sqlx(try_from = "StoredStatus")]` on an `Option<u16>` field.
#[derive(Debug, Clone, Copy, sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct StoredStatus(Option<i32>);

impl TryFrom<StoredStatus> for Option<u16> {
    type Error = std::num::TryFromIntError;

    fn try_from(StoredStatus(s): StoredStatus) -> Result<Self, Self::Error> {
        s.map(u16::try_from).transpose()
    }
}
