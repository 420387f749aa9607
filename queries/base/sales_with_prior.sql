-- Each week's sales of `level_week` (a CTE of the file that reads this one: week × level_key ×
-- product_key with sales_qty, sales_value, key_sales_qty) against the week before (环比) and the
-- same period (同期), for the weeks week_from to week_to: the end of base/sales_by_level_week and
-- of its kept twin kept/sales_by_level_week, so both give the same columns by the same joins.
-- Not a metric itself. The previous week is week − 7 days; the same period is
-- base/same_period_week's. Both are read from level_week even when they lie before week_from.
--
-- Parameters: $week_from, $week_to (through base/same_period_week)
-- Columns: as base/sales_by_level_week.sql

with

final as (
    select
        r.week,
        r.level_key,
        r.product_key,
        r.sales_qty,
        r.sales_value,
        r.key_sales_qty,
        prev.sales_qty as prev_week_sales_qty,
        prev.sales_value as prev_week_sales_value,
        c.same_period_week,
        sp.sales_qty as sp_sales_qty,
        sp.sales_value as sp_sales_value,
        sp.key_sales_qty as sp_key_sales_qty,
    from level_week as r
    join ref('base/same_period_week') as c using (week)
    left join level_week as prev
        on prev.level_key = r.level_key
        and prev.product_key = r.product_key
        and prev.week = r.week - 7
    left join level_week as sp
        on sp.level_key = r.level_key
        and sp.product_key = r.product_key
        and sp.week = c.same_period_week
)

select * from final
