-- Site administrators manage users and teams from the browser (issue 12).
--
-- When a user was disabled (the flag itself is `users.disabled`, from the start).
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
UPDATE users SET disabled_at = now() WHERE disabled;
-- Not tied to the flag by a CHECK: tests and scripts that set the flag alone stay valid.

-- The site's own audit chain (users created, disabled, made site administrators; teams
-- created, renamed, deleted) is one more chain in `audit_events`, under the nil team id
-- 00000000-0000-0000-0000-000000000000, which no team can have (team ids are random v4
-- UUIDs). The chain code, the append-only trigger and `(team_id, seq)` serve it unchanged.
-- A team's page never shows it: every team query is scoped to a real team's id.
ALTER TABLE teams ADD CONSTRAINT teams_not_site_chain
    CHECK (id <> '00000000-0000-0000-0000-000000000000');

-- The users page searches logins and names.
CREATE INDEX users_display_name_lower ON users (lower(display_name));
