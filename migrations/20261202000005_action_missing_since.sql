-- When the cloud first answered that an accepted action's job or order does not exist
-- (ECS Ecs.0114, BSS order not found). A job a restarted cloud forgot must end, not be
-- asked after for hours; one missing answer alone may be the cloud's own lag.
ALTER TABLE actions ADD COLUMN missing_since timestamptz;
