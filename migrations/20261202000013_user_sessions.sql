-- Sessions registry and time zone. The signed-in sessions of each user, for "my account": where and when each one signed
-- in, when it was last seen, and when it ended. The tower-sessions rows are opaque (and
-- their ids are the cookie), so each signed-in session gets its own random id, kept
-- inside the session; nothing here can rebuild a cookie.
--
-- A row whose `ended_at` is set has ended for good: the session stops working at its
-- next request (server/src/session.rs checks it), whatever its tower-sessions row says.
CREATE TABLE user_sessions (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The user's session epoch at sign-in: a password change since then ended it.
    epoch        bigint NOT NULL,
    user_agent   text CHECK (length(user_agent) <= 512),
    source_ip    text CHECK (length(source_ip) <= 64),
    signed_in_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    ended_at     timestamptz,
    -- signed_out, ended_elsewhere, password_changed, expired
    ended_reason text CHECK (ended_reason IN
        ('signed_out', 'ended_elsewhere', 'password_changed', 'expired')),
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
);
-- Live sessions of a user (checked with every uncached user load) and the history.
CREATE INDEX user_sessions_live ON user_sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX user_sessions_history ON user_sessions (user_id, signed_in_at DESC);

-- Processes keep each user's live session ids in memory with the user
-- (server/src/auth_cache.rs): ending a session must drop that copy everywhere, like a
-- change to the user row does. Touching `last_seen_at` notifies nobody.
CREATE FUNCTION lightdeck_notify_session_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('lightdeck_changes', 'u:' || new.user_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER user_session_ended AFTER UPDATE OF ended_at ON user_sessions
    FOR EACH ROW WHEN (old.ended_at IS DISTINCT FROM new.ended_at)
    EXECUTE FUNCTION lightdeck_notify_session_ended();

-- The time zone a user reads times in (an IANA name, checked by the panel against its
-- tz database); NULL: never chosen, the panel picks from the language.
ALTER TABLE users ADD COLUMN time_zone text CHECK (length(time_zone) <= 64);
