-- One row per store table the Data page reports on: how many rows it holds.
--
-- Parameters: none.
-- Columns:
--   table_name  varchar  visit_line | order_line | retailer | spec | weekly_observation
--   rows        bigint

with

counts as (
    select 1 as position, 'visit_line' as table_name, count(*) as rows from visit_line
    union all select 2, 'order_line', count(*) from order_line
    union all select 3, 'retailer', count(*) filter (where territory_code is not null) from retailer  -- assigned to the scope now
    union all select 4, 'spec', count(*) from spec
    union all select 5, 'weekly_observation', count(*) from weekly_observation
)

select table_name, rows
from counts
order by position
