-- The 控量户 of the plan just kept by plan/approve.sql (the newest plan_id): each retailer whose
-- own 限量 (its need, whole 条) is below its line's, from the frame registered as `incoming`:
-- spec_code, tier, key_value, license_no, limit_qty.

insert into supply_plan_retailer by name
select
    (select max(plan_id) from supply_plan) as plan_id,
    i.spec_code,
    i.tier,
    i.key_value,
    i.license_no,
    i.limit_qty,
from incoming as i;
