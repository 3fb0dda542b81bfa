-- The audit page groups an action's events by the panel request that made them; without
-- this every page scanned the team's events.
CREATE INDEX audit_events_team_request ON audit_events (team_id, panel_request_id, seq);
