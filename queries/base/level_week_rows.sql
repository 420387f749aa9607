-- One row per level key × week at one of the levels the sidebar offers (the city, a 市场部, 片区 or
-- customer manager): base/level_week_sums for all products, unfiltered, with the 片区 a row lies
-- in. Read by the lake, which keeps these rows of every level for the whole city as table
-- level_week_total (marketpulse.lake.level_week_total); period_totals reads them through
-- kept/period_totals.sql. A week's row reads that week's cells alone.
--
-- Parameters:
--   $level      city | department | territory | cm
--   $week_from, $week_to   weeks to evaluate (Mondays; any day means its week), inclusive
-- Columns:
--   level           varchar  $level
--   department_code varchar  a 市场部's row's 市场部, a 片区's, and a manager's: the 市场部 its
--                            片区 lay in, null where two (a 市场部 sees a manager serving two
--                            of its 片区; neither 片区 does)
--   territory_code  varchar  the 片区 of a 片区's or customer manager's row (a manager's: where
--                            its cells lay that week, null where they lay in two), else null: a
--                            scope keeps rows by it (a 市场部's own row by its department_code,
--                            in that 市场部 alone)
--   cm_code         varchar  a customer manager's row's manager, else null: a manager's scope
--                            keeps its own row alone
--   then base/level_week_sums' columns, in its order

with

at_level as (
    select * from ref('base/level_week_sums', lookback_weeks='0', product_level='all')
),

-- a manager's 片区 and 市场部 in a week, from its cells' assignment: none where they lay in two,
-- so that no 片区 sees a total holding another's retailers
cm_territory as (
    select
        week,
        cm_code,
        case when count(distinct territory_code) = 1 then min(territory_code) end as territory_code,
        case when count(distinct department_code) = 1 then min(department_code) end as department_code,
    from spec_cm_week
    where $level = 'cm'
      and week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
    group by all
)

select
    $level::varchar as level,
    case $level when 'department' then u.level_key when 'cm' then w.department_code else t.department_code end
        as department_code,
    case $level when 'territory' then u.level_key when 'cm' then w.territory_code end as territory_code,
    case $level when 'cm' then u.level_key end as cm_code,
    u.*,
from at_level as u
left join cm_territory as w on w.cm_code = u.level_key and w.week = u.week
left join territory as t
    on t.territory_code = case $level when 'territory' then u.level_key end
