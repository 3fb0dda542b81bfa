-- A second factor for signing in (issue 14): time-based one-time codes (RFC 6238) from an
-- authenticator app, and one-time recovery codes for when the phone is lost.

-- One row per user who has started enrolling. The TOTP secret is sealed with the master key
-- like cloud credentials (AES-256-GCM under the key `key_id`, bound to this row and column),
-- so a copy of the database alone opens nothing.
CREATE TABLE user_second_factors (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    key_id text NOT NULL,
    sealed_secret bytea NOT NULL,
    -- NULL while enrolling: the secret was shown but not yet confirmed with a code.
    confirmed_at timestamptz,
    -- The newest 30-second time step a code was accepted for. A code of this step or an
    -- older one is refused, so an overheard code cannot be replayed (RFC 6238 §5.2).
    last_step bigint NOT NULL DEFAULT 0,
    -- Names the enrolment: the session that started it keeps this id, and only with it is
    -- the secret shown again or confirmed, so another session of the user never sees it.
    enrolment_id uuid NOT NULL,
    -- When enrolment started; a secret not confirmed within 15 minutes is not confirmed.
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Ten per user, each usable once. Stored as HMAC-SHA256 under a key derived from the
-- user's TOTP secret (never the code itself): useless without the master key that seals
-- the secret, and still valid after a master key rotation re-seals it.
CREATE TABLE user_recovery_codes (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, code_hash)
);

-- A team owner may require every member to have a second factor before they act in it.
ALTER TABLE teams ADD COLUMN require_second_factor boolean NOT NULL DEFAULT false;

-- Whether a user has a second factor travels with the user that each process keeps in
-- memory (server/src/auth_cache.rs): a change here drops that copy, as a change to the
-- user row does (see 20261127000004_change_notifications.sql).
CREATE FUNCTION lightdeck_notify_second_factor() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF tg_op <> 'INSERT' THEN
        PERFORM pg_notify('lightdeck_changes', 'u:' || old.user_id::text);
    END IF;
    IF tg_op <> 'DELETE' THEN
        PERFORM pg_notify('lightdeck_changes', 'u:' || new.user_id::text);
    END IF;
    RETURN NULL;
END
$$;

-- Only changes the cached user reflects: not `last_step`, which moves at every sign-in with
-- a code and would otherwise drop the user from every process's cache each time. (A
-- trigger on INSERT cannot look at OLD, hence two.)
CREATE TRIGGER second_factor_added_or_removed AFTER INSERT OR DELETE ON user_second_factors
    FOR EACH ROW EXECUTE FUNCTION lightdeck_notify_second_factor();
CREATE TRIGGER second_factor_changed AFTER UPDATE ON user_second_factors
    FOR EACH ROW
    WHEN (old.confirmed_at IS DISTINCT FROM new.confirmed_at
          OR old.sealed_secret IS DISTINCT FROM new.sealed_secret)
    EXECUTE FUNCTION lightdeck_notify_second_factor();
