-- Keep an approved supply plan's header: who approved it and when, with its size. The plan
-- takes the next plan_id; its lines and 控量户 follow (plan/approve_lines.sql,
-- plan/approve_retailers.sql). Run by
-- marketpulse/supply/approve.py.
--
-- Parameters:
--   $plan_week        the week supplied (Monday)
--   $made_from_week   the data week the plan was computed from
--   $allocation_type  tier | tier_department | tier_area | tier_format
--   $approved_by      who approved it
--   $lines, $total_qty, $edited_lines   its lines, Σ the retailers' own 限量, lines edited

insert into supply_plan
select
    coalesce(max(p.plan_id), 0) + 1,
    $plan_week::date,
    $made_from_week::date,
    $allocation_type,
    $approved_by,
    now()::timestamp,
    $lines::integer,
    $total_qty::double,
    $edited_lines::integer,
from supply_plan as p;
