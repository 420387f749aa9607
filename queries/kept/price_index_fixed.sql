-- One row per level key × week, as price_index_fixed.sql unfiltered, with the fixed weights read
-- from those the lake keeps, table fixed_weight_year (base/fixed_weight_rows evaluated for the
-- whole city, brought up to date with each lake write: marketpulse.lake.fixed_weight_year).
-- metrics.fixed_price_index reads it when the lake keeps the table for the store as it is, no
-- filter is set, and the scope is the city, or a 市场部 or 片区 none of whose retailers or managers
-- ever lay outside it (a scope cuts the rows by their 片区).
-- At a product level (brand, 价类, spec) a spec's weight is the scope's own: its total row's.
--
-- Parameters:
--   $level       city | department | territory | cm | brand | price_class | spec: the level shown
--   $kept_level  the level whose kept weights are read: $level, or for level city and the
--                product levels under a 市场部's or 片区's scope its own level (there the city's
--                total is its own row)
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
-- Columns: as price_index_fixed.sql

with

weight as (
    select
        u.weight_year,
        case
            when $level = 'brand' then s.brand
            when $level = 'price_class' then s.price_class
            when $level = 'spec' then u.spec_code
            when $level = 'city' then 'city'
            else u.level_key
        end as level_key,
        u.spec_code,
        u.weight_rule,
        u.weight,
        u.weight_from,
        u.weight_weeks,
    from fixed_weight_year as u
    join spec as s using (spec_code)
    where u.level = $kept_level
      and u.weight_year between isoyear($week_from::date) - 1 and isoyear($week_to::date) - 1
)

select * from ref('base/fixed_index')
order by week, level_key
