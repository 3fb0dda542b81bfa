-- Inventory, actions and the audit log.

-- ---------------------------------------------------------------------------------------
-- Inventory: what the cloud said at the last sync, per (account, instance).
-- The same Huawei account could be connected twice, so the key is (account_id, instance_id);
-- team_id is copied from the account so every page query starts with one indexed column.
CREATE TABLE instances (
    id                   bigserial PRIMARY KEY,
    team_id              uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    account_id           uuid NOT NULL REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    region               text NOT NULL,
    instance_id          text NOT NULL CHECK (instance_id ~ '^[0-9a-f]{24}$'),
    server_id            text,
    traffic_package_id   text,
    name                 text NOT NULL DEFAULT '',
    spec_code            text,
    image_name           text,
    image_version        text,
    status               text NOT NULL DEFAULT '',
    -- Coarse state for filters and colours; derived here so partial status updates keep it right.
    state                text NOT NULL GENERATED ALWAYS AS (
        CASE
            WHEN upper(status) = 'ACTIVE' THEN 'running'
            WHEN upper(status) IN ('SHUTOFF', 'STOPPED', 'SUSPENDED', 'PAUSED', 'SHELVED',
                                   'SHELVED_OFFLOADED') THEN 'stopped'
            WHEN upper(status) IN ('BUILD', 'REBOOT', 'HARD_REBOOT', 'REBUILD', 'RESIZE',
                                   'REVERT_RESIZE', 'VERIFY_RESIZE', 'MIGRATING', 'STARTING',
                                   'STOPPING', 'DELETING', 'CREATING', 'PROVISIONING') THEN 'transitional'
            WHEN upper(status) = 'ERROR' THEN 'error'
            ELSE 'unknown'
        END
    ) STORED,
    private_ips          text[] NOT NULL DEFAULT '{}',
    public_ips           text[] NOT NULL DEFAULT '{}',
    expires_at           timestamptz,
    auto_renew           boolean NOT NULL DEFAULT false,
    traffic_remaining_gb numeric(16, 3),
    traffic_total_gb     numeric(16, 3),
    traffic_left_pct     numeric GENERATED ALWAYS AS (
        CASE WHEN traffic_total_gb > 0 THEN traffic_remaining_gb * 100 / traffic_total_gb END
    ) STORED,
    order_id             text,
    raw                  jsonb,
    last_synced_at       timestamptz NOT NULL DEFAULT now(),
    gone_at              timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, instance_id)
);

CREATE INDEX instances_team_instance ON instances (team_id, instance_id);
CREATE INDEX instances_account_region ON instances (account_id, region);
CREATE INDEX instances_account_server ON instances (account_id, server_id);
CREATE INDEX instances_account_package ON instances (account_id, traffic_package_id);
-- One index per sort order; the expressions must match inventory::list's ORDER BY exactly.
CREATE INDEX instances_sort_name ON instances (team_id, lower(name), id);
CREATE INDEX instances_sort_state ON instances (team_id, state, id);
CREATE INDEX instances_sort_expiry ON instances (team_id, coalesce(expires_at, 'infinity'::timestamptz), id);
CREATE INDEX instances_sort_traffic ON instances (team_id, coalesce(traffic_remaining_gb, 'NaN'::numeric), id);

-- ---------------------------------------------------------------------------------------
-- Actions: one user request is a batch; one row per (kind, account, region, ≤1000 servers),
-- i.e. per cloud call, which later carries the job or order id the worker polls.
CREATE TABLE action_batches (
    id              uuid PRIMARY KEY,
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    idempotency_key text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, idempotency_key)
);

CREATE TABLE actions (
    id               uuid PRIMARY KEY,
    batch_id         uuid NOT NULL REFERENCES action_batches (id) ON DELETE CASCADE,
    team_id          uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    actor_user_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_name       text,
    kind             text NOT NULL CHECK (kind IN ('start', 'stop', 'reboot', 'update',
                         'reset_password', 'renew', 'unsubscribe', 'purchase')),
    state            text NOT NULL DEFAULT 'requested'
                         CHECK (state IN ('requested', 'accepted', 'succeeded', 'failed', 'unknown')),
    account_id       uuid NOT NULL REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    region           text NOT NULL,
    instance_ids     text[] NOT NULL DEFAULT '{}',
    server_ids       text[] NOT NULL DEFAULT '{}',
    params           jsonb NOT NULL DEFAULT '{}',
    request_id       text,
    job_id           text,
    order_id         text,
    http_status      integer,
    error_code       text,
    error_message    text,
    job_status       text,
    attempts         integer NOT NULL DEFAULT 0,
    next_poll_at     timestamptz,
    claimed_by       text,
    claimed_until    timestamptz,
    panel_request_id text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);

CREATE INDEX actions_batch ON actions (batch_id);
CREATE INDEX actions_team_created ON actions (team_id, created_at DESC);
CREATE INDEX actions_instance_ids ON actions USING gin (instance_ids);
-- The worker's queue: only accepted actions are ever claimed, so the index stays small.
CREATE INDEX actions_due ON actions (next_poll_at) WHERE state = 'accepted';

CREATE TABLE action_results (
    action_id     uuid NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    server_id     text NOT NULL,
    status        text NOT NULL,
    error_code    text,
    error_message text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (action_id, server_id)
);

-- ---------------------------------------------------------------------------------------
-- The audit log. No foreign keys on purpose: a cascading delete from teams, users or
-- accounts would be refused by the trigger below, and history must outlive what it names.
CREATE TABLE audit_events (
    id               bigserial PRIMARY KEY,
    team_id          uuid NOT NULL,
    seq              bigint NOT NULL,
    occurred_at      timestamptz NOT NULL,
    actor_user_id    uuid,
    actor_name       text,
    -- Text, not inet: the chain hashes exactly this string (inet would let a netmask be
    -- added unnoticed).
    source_ip        text,
    user_agent       text,
    session_hash     text CHECK (session_hash ~ '^[0-9a-f]{64}$'),
    action           text NOT NULL,
    target_kind      text,
    target_ids       text[] NOT NULL DEFAULT '{}',
    account_id       uuid,
    region           text,
    -- The canonical JSON text exactly as hashed (not jsonb: a float can come back one ULP
    -- off through jsonb and a JSON parser, which would break the chain). `params::jsonb`
    -- for ad hoc queries.
    params           text NOT NULL DEFAULT '{}',
    request_id       text,
    job_id           text,
    order_id         text,
    http_status      integer,
    error_code       text,
    error_message    text,
    outcome          text NOT NULL
                         CHECK (outcome IN ('requested', 'accepted', 'succeeded', 'failed', 'denied', 'unknown')),
    panel_request_id text,
    prev_hash        text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash             text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    -- Two events can never claim the same place in a team's chain: the optimistic append
    -- path relies on this (it retries on a violation), the locked path never hits it.
    CONSTRAINT audit_events_team_seq_key UNIQUE (team_id, seq)
);

CREATE INDEX audit_team_actor ON audit_events (team_id, actor_user_id, seq);
-- "What failed for this person": without it, a rare combination scans all the actor's events.
CREATE INDEX audit_team_actor_outcome ON audit_events (team_id, actor_user_id, outcome, seq);
CREATE INDEX audit_team_action ON audit_events (team_id, action text_pattern_ops, seq);
CREATE INDEX audit_team_outcome ON audit_events (team_id, outcome, seq);
CREATE INDEX audit_team_time ON audit_events (team_id, occurred_at);
CREATE INDEX audit_target_ids ON audit_events USING gin (target_ids);

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
