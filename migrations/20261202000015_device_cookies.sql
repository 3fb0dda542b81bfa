-- Device cookies (issue 14): the browser a sign-in came from, as a keyed hash, so that
-- failures from a trusted browser count against that browser only.
alter table security_log add column device text;
create index security_log_device_failures on security_log (device, at)
    where device is not null and kind = 'sign_in_failed';

-- The key that signs device cookies: 32 random bytes, sealed with the master key (so it
-- follows key rotation and is useless without it). One row, created on first use.
create table device_cookie_key (
    id smallint primary key default 1 check (id = 1),
    key_id text not null,
    sealed bytea not null,
    created_at timestamptz not null default now()
);
