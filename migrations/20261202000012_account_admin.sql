-- Team owners manage their cloud accounts from the browser: syncing can be paused, and an
-- account is removed softly. Its instances and actions keep pointing at it (the audit log
-- and the action history name them), so the row stays, marked removed; the inventory, the
-- sync workers and the pages leave it out, and its name is free again for a new account.
alter table cloud_accounts
    add column sync_paused boolean not null default false,
    add column removed_at timestamptz;

alter table cloud_accounts drop constraint cloud_accounts_team_name_key;
-- Same name as the old constraint, so the domain's "name taken" message still finds it.
create unique index cloud_accounts_team_name_key on cloud_accounts (team_id, name)
    where removed_at is null;

-- A removed account's keys are erased with it: the row keeps only what the history names.
alter table cloud_accounts drop constraint cloud_accounts_has_credentials;
alter table cloud_accounts add constraint cloud_accounts_has_credentials check (
    removed_at is not null or access_key_id is not null or iam_user_name is not null);
