-- Every panel process keeps the sessions, users (with their teams) and teams' account lists
-- it has just read in memory, so a page view does not need four queries before its own. These triggers tell
-- all processes when such a row changes, on the channel `lightdeck_changes`; a process
-- trusts its memory only while it is listening (server/src/auth_cache.rs).
--
-- Payloads: `s:<sha-256 hex of the session id>` (never the id itself: anyone who may LISTEN
-- could read it), `u:<user id>` (the user or one of their memberships changed), `a:<team
-- id>` (one of the team's cloud accounts changed, e.g. after a sync), `*` (a team changed:
-- its name is in every member's list).
create function lightdeck_notify_change() returns trigger
language plpgsql as $$
begin
    if tg_table_name = 'session' then
        perform pg_notify('lightdeck_changes',
            's:' || encode(sha256(convert_to(old.id, 'UTF8')), 'hex'));
    elsif tg_table_name = 'users' then
        perform pg_notify('lightdeck_changes', 'u:' || old.id::text);
    elsif tg_table_name = 'cloud_accounts' then
        if tg_op <> 'INSERT' then
            perform pg_notify('lightdeck_changes', 'a:' || old.team_id::text);
        end if;
        if tg_op <> 'DELETE' then
            perform pg_notify('lightdeck_changes', 'a:' || new.team_id::text);
        end if;
    elsif tg_table_name = 'memberships' then
        if tg_op <> 'INSERT' then
            perform pg_notify('lightdeck_changes', 'u:' || old.user_id::text);
        end if;
        if tg_op <> 'DELETE' then
            perform pg_notify('lightdeck_changes', 'u:' || new.user_id::text);
        end if;
    else
        perform pg_notify('lightdeck_changes', '*');
    end if;
    return null;
end
$$;

-- A new session row cannot be in anyone's memory yet: updates and deletes only.
create trigger session_changed after update or delete on tower_sessions.session
    for each row execute function lightdeck_notify_change();
create trigger user_changed after update or delete on users
    for each row execute function lightdeck_notify_change();
create trigger membership_changed after insert or update or delete on memberships
    for each row execute function lightdeck_notify_change();
create trigger team_changed after update or delete on teams
    for each row execute function lightdeck_notify_change();
create trigger account_changed after insert or update or delete on cloud_accounts
    for each row execute function lightdeck_notify_change();
