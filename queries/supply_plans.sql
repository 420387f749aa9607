-- One row per approved supply plan (货源投放方案), newest first: the week it supplies, the
-- data week it was made from, who approved it and when, its lines and total.
--
-- Columns:
--   plan_id          integer
--   plan_week        date      Monday of the week supplied
--   made_from_week   date      the data week
--   allocation_type  varchar   tier | tier_department | tier_area | tier_format
--   approved_by      varchar   who approved it
--   approved_at      timestamp when
--   lines            integer   spec × 档位 (× key) lines
--   total_qty        double    Σ the retailers' own 限量, 条 (before schema 16: Σ retailers × 限量)
--   edited_lines     integer   lines whose 限量 the planner changed

select
    p.plan_id,
    p.plan_week,
    p.made_from_week,
    p.allocation_type,
    p.approved_by,
    p.approved_at,
    p.lines,
    p.total_qty,
    p.edited_lines,
from supply_plan as p
order by p.approved_at desc, p.plan_id desc
