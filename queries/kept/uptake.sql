-- One row per new spec × level key × week, as new_brand_uptake.sql: read from the uptake the lake
-- keeps, table uptake_week (base/uptake_rows evaluated for the whole city, unfiltered, brought up
-- to date with each lake write: marketpulse.lake.uptake_week). metrics.new_brand_uptake reads it
-- when the lake keeps the table for the store as it is, no retailer filter is set, and the scope
-- is the city, or a 市场部 or 片区 none of whose retailers or managers ever lay outside it (a scope
-- cuts the rows by their 片区, as it cuts the facts).
--
-- Parameters:
--   $level       city | department | territory | cm: the level shown
--   $kept_level  the level whose kept rows are read: $level, or for level city under a 市场部's or
--                片区's scope its own level (there the city's total is its own row, named as the city's)
--   $week_from, $week_to   weeks shown (Mondays; any day means its week), inclusive
--   $brand, $price_class, $spec_code   spec filters, null = all
-- Columns: as new_brand_uptake.sql

select u.* exclude (level, department_code, territory_code, cm_code) replace (
    coalesce(n.level_key, u.level_key) as level_key,
    coalesce(n.level_name, u.level_name) as level_name
)
from uptake_week as u
left join ref('base/level_names') as n
    on n.level = 'city' and $level = 'city' and u.level <> 'city'
where u.level = $kept_level
  and u.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
  -- the specs new in week_to, as an evaluation ending there has them (the lake keeps each week's
  -- rows of the specs new in that week)
  and u.spec_code in (select spec_code from ref('base/new_spec'))
order by u.spec_code, level_key, u.week
