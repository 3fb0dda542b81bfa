//! Change notifications: triggers (migration `change_notifications`) announce on
//! [`CHANNEL`] when a session, a user, a membership, a team or a cloud account changes, so a process
//! that keeps such rows in memory can drop its copy. [`listen`] subscribes; [`Change`]
//! reads a payload.

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use uuid::Uuid;

use crate::Result;
use crate::audit::SessionHash;

/// The `LISTEN` channel the triggers notify on.
pub const CHANNEL: &str = "lightdeck_changes";

/// What a notification says changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The session with this hash was updated or deleted.
    Session(SessionHash),
    /// The user, or one of their memberships, changed.
    User(Uuid),
    /// One of this team's cloud accounts was added, changed (e.g. its sync status) or
    /// removed.
    Accounts(Uuid),
    /// Anything may have changed (a team was renamed or deleted, or the payload was not
    /// understood, which must never be read as "nothing changed").
    Everything,
}

impl Change {
    pub fn parse(payload: &str) -> Change {
        let parsed = match payload.split_once(':') {
            Some(("s", hash)) => SessionHash::from_hex(hash).ok().map(Change::Session),
            Some(("u", id)) => id.parse().ok().map(Change::User),
            Some(("a", id)) => id.parse().ok().map(Change::Accounts),
            _ => None,
        };
        parsed.unwrap_or(Change::Everything)
    }
}

/// A connection subscribed to [`CHANNEL`] (taken from `pool` and kept).
pub async fn listen(pool: &PgPool) -> Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads() {
        let hash = SessionHash::of("abc");
        assert_eq!(Change::parse(&format!("s:{}", hash.as_str())), Change::Session(hash));
        let id = Uuid::new_v4();
        assert_eq!(Change::parse(&format!("u:{id}")), Change::User(id));
        assert_eq!(Change::parse(&format!("a:{id}")), Change::Accounts(id));
        for odd in ["*", "", "s:", "s:xyz", "u:not-a-uuid", "a:1", "x:1", "nonsense"] {
            assert_eq!(Change::parse(odd), Change::Everything, "{odd:?}");
        }
    }
}
