-- One row per new spec × level key × week at each level the sidebar offers (the city, each
-- 市场部, 片区 and customer manager): new_brand_uptake at every level, with the 片区 a row lies in.
-- Read by the lake, which keeps these rows for the whole city, unfiltered, as table uptake_week
-- (marketpulse.lake.uptake_week); pages read them through kept/uptake.sql.
-- A spec's row of a week counts its launch year from the launch to that week only, so it is the
-- same in any evaluation whose last week the spec is new in (base/new_spec).
--
-- Parameters:
--   $week_from, $week_to   weeks to evaluate (Mondays; any day means its week), inclusive
-- Columns:
--   level           varchar  city | department | territory | cm
--   territory_code  varchar  the 片区 of a 片区's or customer manager's row (a manager's: where
--                            its retailers lay that week), else null: a scope keeps rows by it
--   then new_brand_uptake's columns, in its order

-- (CTEs named apart from the tables new_brand_uptake reads)
with

at_city as (
    select * from ref('new_brand_uptake', level='city')
),

at_department as (
    select * from ref('new_brand_uptake', level='department')
),

at_territory as (
    select * from ref('new_brand_uptake', level='territory')
),

at_cm as (
    select * from ref('new_brand_uptake', level='cm')
),

-- a manager's 片区 in a week, from its retailers' assignment (one, but where it spans two)
cm_territory as (
    select week, cm_code, min(territory_code) as territory_code,
    from retailer_week
    where week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
    group by all
)

select 'city' as level, null::varchar as territory_code, c.* from at_city as c
union all by name
select 'department' as level, null::varchar as territory_code, d.* from at_department as d
union all by name
select 'territory' as level, t.level_key as territory_code, t.* from at_territory as t
union all by name
select 'cm' as level, w.territory_code, m.*
from at_cm as m
left join cm_territory as w on w.cm_code = m.level_key and w.week = m.week
