-- One row per level key × week, as price_compliance.sql at the setting's tolerance, unfiltered:
-- read from the compliance the lake keeps, table compliance_week (base/compliance_rows evaluated
-- for the whole city, brought up to date with each lake write: marketpulse.lake.compliance_week).
-- metrics.price_compliance reads it when the lake keeps the table for the store as it is, no
-- filter and no tolerance of its own is set, and the scope is the city, or a 市场部 or 片区 none of
-- whose retailers or managers ever lay outside it (a scope cuts the rows by their 片区).
--
-- Parameters:
--   $level       city | department | territory | cm: the level shown
--   $kept_level  the level whose kept rows are read: $level, or for level city under a 市场部's or
--                片区's scope its own level (there the city's total is its own row, named as the city's)
--   $week_from, $week_to   weeks shown (Mondays; any day means its week), inclusive
-- Columns: as price_compliance.sql

select u.* exclude (level, department_code, territory_code, cm_code) replace (
    coalesce(n.level_key, u.level_key) as level_key,
    coalesce(n.level_name, u.level_name) as level_name
)
from compliance_week as u
left join ref('base/level_names') as n
    on n.level = 'city' and $level = 'city' and u.level <> 'city'
where u.level = $kept_level
  and u.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
order by u.week, level_key
