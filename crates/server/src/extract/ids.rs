//! Ids from the request path, typed. A value that does not parse names nothing, so it is a
//! 404 like an unknown id, never axum's 400: a malformed id must look no different from one
//! that belongs to another team.

use std::str::FromStr;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use lightdeck_huaweicloud::InstanceId;
use uuid::Uuid;

use crate::error::AppError;

/// The raw `{name}` path parameter, if the route has one.
pub(crate) async fn path_param(parts: &mut Parts, name: &str) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, &()).await.ok()?;
    params.iter().find(|(n, _)| *n == name).map(|(_, value)| value.to_owned())
}

async fn parse_param<T: FromStr>(parts: &mut Parts, name: &str) -> Result<T, AppError> {
    let Some(raw) = path_param(parts, name).await else {
        // Only a handler on a route without this parameter gets here: a mistake in the code.
        return Err(AppError::internal(format!("the route has no {{{name}}} parameter")));
    };
    raw.parse().map_err(|_| AppError::NotFound)
}

macro_rules! path_id {
    ($(#[$doc:meta])* $name:ident($inner:ty) from $param:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(pub $inner);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
                parse_param(parts, $param).await.map($name)
            }
        }
    };
}

path_id!(
    /// The `{instance}` of the path: an ECS server id, still to be looked up in the team.
    PathInstance(InstanceId) from "instance"
);
path_id!(
    /// The `{batch}` of the path, still to be looked up in the team.
    PathBatch(Uuid) from "batch"
);
path_id!(
    /// The `{account}` of the path: a cloud account, still to be looked up in the team.
    PathAccount(Uuid) from "account"
);
path_id!(
    /// The `{user}` of the path: a user id, still to be looked up in the team.
    PathUser(Uuid) from "user"
);
