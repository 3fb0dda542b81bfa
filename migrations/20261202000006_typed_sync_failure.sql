-- Why the latest sync of an account failed, in typed columns instead of one formatted
-- text ("APIG.0308, HTTP 429") that pages had to parse back.
alter table cloud_accounts
    -- Huawei's error code, or the panel's own (`lightdeck.unreachable`, …)
    add column last_sync_error_code text check (char_length(last_sync_error_code) between 1 and 200),
    -- the HTTP status of the answer, when there was one
    add column last_sync_error_status integer check (last_sync_error_status between 100 and 599),
    -- the cloud's or the client's words, never secrets
    add column last_sync_error_message text check (char_length(last_sync_error_message) <= 200);

-- The old text was `code` or `code, HTTP status`; nothing else was ever written.
update cloud_accounts set
    last_sync_error_code = coalesce(
        nullif(split_part(last_sync_error, ', HTTP ', 1), ''), 'lightdeck.internal'),
    last_sync_error_status = case
        when last_sync_error ~ ', HTTP [1-5][0-9][0-9]$' then right(last_sync_error, 3)::integer
    end
where last_sync_error_at is not null;

alter table cloud_accounts
    drop column last_sync_error,
    -- a failure has a time and a code, or there is none
    add constraint cloud_accounts_sync_error_whole
        check ((last_sync_error_at is null) = (last_sync_error_code is null));
