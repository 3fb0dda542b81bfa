-- For the members page: who added a member (kept when that person is deleted, as a name),
-- and when each user last signed in. And a user's session epoch: a session remembers the
-- epoch it signed in at, and a password change moves it on, so every other session of the
-- user ends at its next request (no clocks compared).
ALTER TABLE memberships
    ADD COLUMN added_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN added_by_name text CHECK (length(added_by_name) <= 200);
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz;
ALTER TABLE users ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0;
