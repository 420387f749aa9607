-- The lines of the plan just kept by plan/approve.sql (the newest plan_id), from the frame
-- registered as `incoming`: spec_code, tier, key_value, retailers, limit_qty, capped, total_qty, edited;
-- total_qty is Σ the line's retailers' own 限量 (each its need up to the line's).

insert into supply_plan_line by name
select
    (select max(plan_id) from supply_plan) as plan_id,
    i.spec_code,
    i.tier,
    i.key_value,
    i.retailers,
    i.limit_qty,
    i.capped,
    i.total_qty,
    i.edited,
from incoming as i;
