-- One row per level key × spec with a weight, at one of the levels the sidebar offers (the city, a
-- 市场部, 片区 or customer manager): base/fixed_weight's weights of one weight year, unfiltered,
-- with the 片区 a row lies in. Read by the lake, which keeps them for the whole city as table
-- fixed_weight_year (marketpulse.lake.fixed_weight_year), a partition per weight year; the
-- fixed-weight index reads them through kept/price_index_fixed.sql.
-- A weight year's weights serve the weeks of the ISO year after it, from weight_from
-- (base/fixed_index); a new spec's first-quarter weight fixed after that year serves none and is
-- left out, so a weight year's rows read its own year and the next alone.
--
-- Parameters:
--   $level      city | department | territory | cm
--   $week_from, $week_to   the first and last week the store holds of the year the weights
--                          serve (the first is the partition's week; through the last a new
--                          spec's first quarter is read); the weight year is the ISO year before
-- Columns:
--   level           varchar  $level
--   department_code varchar  a 市场部's row's 市场部, a 片区's, and a manager's: the 市场部 its
--                            片区 lay in, null where two (a 市场部 sees a manager serving two
--                            of its 片区; neither 片区 does)
--   territory_code  varchar  the 片区 of a 片区's or customer manager's row (a manager's: where
--                            the cells its weights read lay, null where they lay in two), else
--                            null: a scope keeps rows by it (a 市场部's own row by its
--                            department_code, in that 市场部 alone)
--   cm_code         varchar  a customer manager's row's manager, else null: a manager's scope
--                            keeps its own row alone
--   week            date     $week_from, the week of the partition
--   then base/fixed_weight's columns, in its order

with

at_level as (
    select * from ref('base/fixed_weight')
),

year_served as (
    select
        -- ISO week 1 holds 4 January
        date_trunc('week', make_date(isoyear($week_from::date)::integer - 1, 1, 4))::date as weight_year_start,
        date_trunc('week', make_date(isoyear($week_from::date)::integer, 1, 4))::date as served_start,
        date_trunc('week', make_date(isoyear($week_from::date)::integer + 1, 1, 4))::date as served_end,
),

-- a manager's 片区 over the cells its weights read (the weight year's, and the first quarters of
-- specs new since it began that serve the year after), from their assignment: none where they lay in two, so that no 片区
-- sees a weight holding another's sales
cm_territory as (
    select c.cm_code, case when count(distinct c.territory_code) = 1 then min(c.territory_code) end as territory_code,
        case when count(distinct c.department_code) = 1 then min(c.department_code) end as department_code,
    from spec_cm_week as c
    join spec as s using (spec_code)
    cross join year_served as y
    where $level = 'cm'
      and c.week >= y.weight_year_start
      and c.week < y.served_end
      and (
          c.week < y.served_start
          or (
              -- a first quarter whose weight serves the year (one ending after it weighs nothing there)
              date_trunc('week', s.launch_date) >= y.weight_year_start
              and date_trunc('week', s.launch_date) + interval 13 weeks < y.served_end
              and c.week >= date_trunc('week', s.launch_date)
              and c.week < date_trunc('week', s.launch_date) + interval 13 weeks
          )
      )
    group by all
)

select
    $level::varchar as level,
    case $level when 'department' then u.level_key when 'cm' then w.department_code else t.department_code end
        as department_code,
    case $level when 'territory' then u.level_key when 'cm' then w.territory_code end as territory_code,
    case $level when 'cm' then u.level_key end as cm_code,
    date_trunc('week', $week_from::date)::date as week,
    u.*,
from at_level as u
cross join year_served as y
left join cm_territory as w on w.cm_code = u.level_key
left join territory as t
    on t.territory_code = case $level when 'territory' then u.level_key end
where u.weight_from < y.served_end
