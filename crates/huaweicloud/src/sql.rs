//! The ids and regions as Postgres `text` columns, for crates that store them (feature
//! `sqlx`). Decoding parses exactly like [`FromStr`](std::str::FromStr), so a stored value
//! of the wrong shape fails at the row instead of travelling on as a string.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef, Postgres};

use crate::{DomainId, InstanceId, JobId, OrderId, PackageId, ProjectId, Region, ServerId};

macro_rules! text_column {
    ($($ty:ty => $text:expr),* $(,)?) => {$(
        impl sqlx::Type<Postgres> for $ty {
            fn type_info() -> PgTypeInfo {
                <str as sqlx::Type<Postgres>>::type_info()
            }
            fn compatible(ty: &PgTypeInfo) -> bool {
                <str as sqlx::Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $ty {
            fn array_type_info() -> PgTypeInfo {
                <&str as PgHasArrayType>::array_type_info()
            }
            fn array_compatible(ty: &PgTypeInfo) -> bool {
                <&str as PgHasArrayType>::array_compatible(ty)
            }
        }

        impl sqlx::Encode<'_, Postgres> for $ty {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                let text: fn(&$ty) -> &str = $text;
                <&str as sqlx::Encode<'_, Postgres>>::encode(text(self), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, Postgres> for $ty {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(<&str as sqlx::Decode<'r, Postgres>>::decode(value)?.parse::<$ty>()?)
            }
        }
    )*};
}

text_column!(
    InstanceId => |v| v.as_str(),
    ServerId => |v| v.as_str(),
    PackageId => |v| v.as_str(),
    JobId => |v| v.as_str(),
    OrderId => |v| v.as_str(),
    ProjectId => |v| v.as_str(),
    DomainId => |v| v.as_str(),
    Region => |v| v.id(),
);
