-- One-time setup links: a person added to a team without a password sets their own. Only
-- the SHA-256 of the token is kept; a link works once, for 24 hours.
CREATE TABLE setup_links (
    token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX setup_links_user ON setup_links (user_id);
