-- One row per level key × report week × period, as period_totals.sql for all products,
-- unfiltered, with the week sums read from those the lake keeps, table level_week_total
-- (base/level_week_rows evaluated for the whole city, brought up to date with each lake write:
-- marketpulse.lake.level_week_total). metrics.period_totals reads it when the lake keeps the
-- table for the store as it is, no filter is set, and the scope is the city, or a 市场部 or 片区
-- none of whose retailers or managers ever lay outside it (a scope cuts the rows by their 片区).
--
-- Parameters:
--   $level       city | department | territory | cm: the level shown
--   $kept_level  the level whose kept rows are read: $level, or for level city under a 市场部's or
--                片区's scope its own level (there the city's total is its own row)
--   $product_level  all
--   $week_from, $week_to   report weeks (Mondays; any day means its week), inclusive
-- Columns: as period_totals.sql

with

-- a year to date and its same span last year reach at most 105 weeks back
level_week as (
    select
        u.week,
        case when $level = 'city' then 'city' else u.level_key end as level_key,
        u.product_key,
        u.sales_qty,
        u.sales_value,
        u.key_sales_qty,
        u.demand_qty,
        u.supplied_qty,
        u.retail_value,
        u.suggested_value,
        u.margin_value,
    from level_week_total as u
    where u.level = $kept_level
      and u.week between date_trunc('week', $week_from::date) - interval 106 weeks
                     and date_trunc('week', $week_to::date)
)

select * from ref('base/period_sums')
order by week, level_key, product_key, case period when 'month' then 1 when 'quarter' then 2 else 3 end
