-- The traffic package's current cycle, as BSS ListFreeResourceUsages reports it, so the
-- instance page can say when the figures reset. All nullable: rows synced before this
-- migration, and packages BSS says nothing about, simply do not know them yet.
alter table instances
    -- the current cycle (resettable packages) or the validity window (the others)
    add column traffic_cycle_start timestamptz,
    add column traffic_cycle_end timestamptz,
    -- `quota_reuse_cycle`: 1 hour, 2 day, 3 week, 4 month, 5 year. Not checked against that
    -- list: a value Huawei adds later must not make the whole sync fail; pages show only
    -- the ones they know.
    add column traffic_reuse_cycle smallint,
    -- `quota_reuse_cycle_type`: 1 on the calendar cycle, 2 on the subscription anniversary
    add column traffic_reuse_cycle_type smallint;
