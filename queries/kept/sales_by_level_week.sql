-- The rows of base/sales_by_level_week for all products, unfiltered, at a level the sidebar
-- offers, with the week sums read from those the lake keeps, table level_week_total
-- (base/level_week_rows evaluated for the whole city, brought up to date with each lake write:
-- marketpulse.lake.level_week_total): its kept twin. sales_volume, key_brand_share and
-- avg_price_per_carton read it in place of that base file (store.bind's swap) when the lake keeps
-- the table for the store as it is, no filter is set, and the scope is the city, or a 市场部 or 片区
-- none of whose retailers or managers ever lay outside it (metrics.kept.over_week_sums).
-- A week's sums are those of the cells with known sales (a week with none has no row); its key
-- brands' sales are 0 where it had sales but none of key brands, as the base file sums them.
--
-- Parameters:
--   $level       city | department | territory | cm: the level shown
--   $kept_level  the level whose kept rows are read: $level, or for level city under a 市场部's or
--                片区's scope its own level (there the city's total is its own row)
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
-- Columns: as base/sales_by_level_week.sql

with

-- each week, the one before it and the same ISO week last year, 52 or 53 weeks back
level_week as (
    select
        u.week,
        case when $level = 'city' then 'city' else u.level_key end as level_key,
        u.product_key,
        u.sales_qty,
        u.sales_value,
        coalesce(u.key_sales_qty, 0) as key_sales_qty,
    from level_week_total as u
    where u.level = $kept_level
      and (u.week between (date_trunc('week', $week_from::date) - interval 7 day)::date
                      and date_trunc('week', $week_to::date)::date
           or u.week between (date_trunc('week', $week_from::date) - interval 53 weeks)::date
                         and (date_trunc('week', $week_to::date) - interval 52 weeks)::date)
      and u.sales_qty is not null
)

select * from ref('base/sales_with_prior')
