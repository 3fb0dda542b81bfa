-- People and secrets: users, teams, memberships, connected Huawei Cloud accounts (secrets
-- encrypted by the application with AES-256-GCM), the security log, and web sessions.

create table users (
    id uuid primary key,
    login text not null constraint users_login_key unique,
    display_name text not null,
    -- argon2id PHC string; never a clear password
    password_hash text not null,
    site_admin boolean not null default false,
    disabled boolean not null default false,
    language text not null default 'en' check (language in ('zh-CN', 'en')),
    created_at timestamptz not null default now(),
    password_changed_at timestamptz not null default now()
);

create table teams (
    id uuid primary key,
    name text not null constraint teams_name_key unique,
    created_at timestamptz not null default now()
);

create table memberships (
    team_id uuid not null references teams (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    role text not null check (role in ('viewer', 'operator', 'admin', 'owner')),
    created_at timestamptz not null default now(),
    primary key (team_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

-- Each encrypted secret is stored as key id + (96-bit nonce || ciphertext || tag); the
-- associated data is the account id and the column name, so a value copied to another row
-- or column does not decrypt.
create table cloud_accounts (
    id uuid primary key,
    team_id uuid not null references teams (id) on delete cascade,
    name text not null,
    -- the Huawei account ("IAM domain") name and id
    domain_name text not null,
    domain_id text,
    access_key_id text,
    secret_key_key_id text,
    secret_key_sealed bytea,
    iam_user_name text,
    iam_password_key_id text,
    iam_password_sealed bytea,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint cloud_accounts_team_name_key unique (team_id, name),
    constraint cloud_accounts_aksk_complete check (
        (access_key_id is null) = (secret_key_sealed is null)
        and (secret_key_sealed is null) = (secret_key_key_id is null)),
    constraint cloud_accounts_iam_complete check (
        (iam_user_name is null) = (iam_password_sealed is null)
        and (iam_password_sealed is null) = (iam_password_key_id is null)),
    constraint cloud_accounts_has_credentials check (
        access_key_id is not null or iam_user_name is not null)
);
create index cloud_accounts_team_idx on cloud_accounts (team_id);

create table cloud_account_regions (
    account_id uuid not null references cloud_accounts (id) on delete cascade,
    region text not null,
    project_id text not null,
    primary key (account_id, region)
);

-- Failed sign-ins and refused requests. Not part of any team's audit chain: most of these
-- have no team, and an attacker must not be able to grow a team's audit log.
create table security_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    kind text not null check (kind in ('sign_in_failed', 'sign_in_throttled', 'request_denied')),
    login text,
    user_id uuid references users (id) on delete set null,
    source_ip text,
    user_agent text,
    route text,
    reason text not null
);
create index security_log_login_idx on security_log (login, at) where login is not null;
create index security_log_ip_idx on security_log (source_ip, at) where source_ip is not null;
create index security_log_at_idx on security_log (at);

-- The table tower-sessions-sqlx-store's PostgresStore uses by default (its own migrate()
-- creates the same with `if not exists`).
create schema if not exists tower_sessions;
create table if not exists tower_sessions.session (
    id text primary key not null,
    data bytea not null,
    expiry_date timestamptz not null
);
create index if not exists session_expiry_idx on tower_sessions.session (expiry_date);
