-- The rows of base/priced_sales_by_level_week at a level the sidebar offers, unfiltered, read
-- from the week sums the lake keeps, table level_week_total (base/level_week_rows evaluated for
-- the whole city, brought up to date with each lake write: marketpulse.lake.level_week_total):
-- its kept twin. price_index and retail_margin read it in place of that base file (store.bind's
-- swap) when the lake keeps the table for the store as it is, no filter is set, and the scope is
-- the city, or a 市场部 or 片区 none of whose retailers or managers ever lay outside it
-- (metrics.kept.over_week_sums). A week without priced observations has no row, as there.
--
-- Parameters:
--   $level       city | department | territory | cm: the level shown
--   $kept_level  the level whose kept rows are read: $level, or for level city under a 市场部's or
--                片区's scope its own level (there the city's total is its own row)
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
-- Columns: as base/priced_sales_by_level_week.sql

with

level_week as (
    select
        u.week,
        case when $level = 'city' then 'city' else u.level_key end as level_key,
        u.priced_sales_qty as sales_qty,
        u.retail_value,
        u.suggested_value,
        u.margin_value,
        u.priced_observations as observations,
    from level_week_total as u
    where u.level = $kept_level
      and u.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
      and u.priced_observations > 0
)

select * from level_week
