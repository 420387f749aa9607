-- One row per 片区: whether a retailer or customer manager assigned to it, now or before, was ever
-- assigned to another 片区 (crosses_territory) or to a 片区 of another 市场部 (crosses_department).
-- A scope sees such a retailer's or manager's rows only while they lie within it, so its
-- 零售户异常, 新品滞后, 照搬照抄 and 漏访 may differ from the city's there; elsewhere the city's
-- alerts within the scope are the scope's own (metrics.market._kept_kinds). Read for the city.
--
-- Parameters: none.
-- Columns:
--   territory_code, department_code   varchar
--   crosses_territory, crosses_department   boolean

with

assigned as (
    select * from ref('base/assigned')
),

retailer_spread as (
    select license_no, count(distinct territory_code) as territories, count(distinct department_code) as departments,
    from assigned
    group by all
),

cm_spread as (
    select cm_code, count(distinct territory_code) as territories, count(distinct department_code) as departments,
    from assigned
    group by all
),

spread as (
    select a.territory_code, max(greatest(r.territories, c.territories)) as territories,
           max(greatest(r.departments, c.departments)) as departments,
    from assigned as a
    join retailer_spread as r using (license_no)
    join cm_spread as c using (cm_code)
    group by all
)

select
    t.territory_code,
    t.department_code,
    coalesce(s.territories, 1) > 1 as crosses_territory,
    coalesce(s.departments, 1) > 1 as crosses_department,
from territory as t
left join spread as s using (territory_code)
order by t.territory_code
