//! Between the password and the code: a user with a second factor who typed the right
//! password is not signed in yet. Their session holds only a marker — who, when the
//! password was checked, where to go after — under a key of its own, which nothing that
//! decides access reads (`session::load_context` looks for the signed-in `auth` entry
//! only). So a stolen half-signed-in session opens nothing; it only lets its holder type
//! codes, as throttled as passwords (`routes::auth`).
//!
//! The marker lives in the session's server-side row, not in the cookie, so it needs no
//! signature: the browser holds only the session's random id, which is replaced when the
//! marker is set. It lasts [`VALID_FOR`]; then the password is asked again.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;

const KEY: &str = "second_step";
/// How long after the password the code may be typed.
pub const VALID_FOR: time::Duration = time::Duration::minutes(5);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Marker {
    user_id: Uuid,
    /// Unix seconds.
    password_at: i64,
    /// The user's session epoch when the password was checked: a password change or a
    /// reset since then ends this half-signed-in state too.
    epoch: i64,
    /// A safe local path (checked before it was stored).
    next: String,
}

/// The state of this session's second step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// No password was checked for a second step here.
    None,
    /// The password was checked more than [`VALID_FOR`] ago.
    Expired,
    Pending {
        user_id: Uuid,
        epoch: i64,
        next: String,
    },
}

/// Records that `user_id`'s password was right and their code is due. The session gets a
/// new id first, so an id handed to the browser before cannot be used to type the code.
pub async fn begin(
    session: &Session,
    user_id: Uuid,
    epoch: i64,
    next: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    session.cycle_id().await?;
    let marker =
        Marker { user_id, password_at: now.unix_timestamp(), epoch, next: next.to_owned() };
    session.insert(KEY, marker).await?;
    Ok(())
}

pub async fn current(session: &Session, now: OffsetDateTime) -> Result<Step, AppError> {
    let Some(marker) = session.get::<Marker>(KEY).await? else { return Ok(Step::None) };
    let age = now.unix_timestamp() - marker.password_at;
    if !(0..=VALID_FOR.whole_seconds()).contains(&age) {
        return Ok(Step::Expired);
    }
    Ok(Step::Pending { user_id: marker.user_id, epoch: marker.epoch, next: marker.next })
}

/// Forgets the marker (signed in, expired, or given up).
pub async fn clear(session: &Session) -> Result<(), AppError> {
    session.remove_value(KEY).await?;
    Ok(())
}
