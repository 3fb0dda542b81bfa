-- How the last inventory syncs of each cloud account went, so every `lightdeck serve`
-- process shows the same facts and they survive a restart.
alter table cloud_accounts
    -- the end of the last sync that succeeded
    add column last_synced_at timestamptz,
    -- the end of the latest attempt, when it failed; cleared by the next success
    add column last_sync_error_at timestamptz,
    -- why that attempt failed: an error code or a few plain words, never secrets
    add column last_sync_error text check (char_length(last_sync_error) <= 200),
    -- failures in a row since the last success (the sync loop backs off on them)
    add column sync_failures integer not null default 0 check (sync_failures >= 0);
