-- The rows of retailer_week (one per retailer × ISO week in which it was open) for the
-- retailers and first weeks in retailer_week_todo(license_no, from_week), up to the last
-- week of retailer_week_span(first_week, last_week), after retailer_visit is current.
-- One text for DuckDB (rollup/retailer_week.sql inserts it) and Spark (transpiled).

with

-- every Monday from the first week with facts to the last
calendar as (
    select unnest(generate_series(first_week, last_week, interval 7 day)) as monday
    from retailer_week_span
),

open_week as (
    select
        t.license_no,
        cast(c.monday as date) as week,
    from retailer_week_todo as t
    join calendar as c on c.monday >= t.from_week
    join retailer as r on r.license_no = t.license_no
    where (r.opened_on is null or r.opened_on <= cast(c.monday as date) + 6)
      and (r.closed_on is null or r.closed_on >= cast(c.monday as date))
),

-- each week's visits and last visit day, for every week of the retailers to do
visit_week as (
    select
        rv.license_no,
        rv.week,
        count(*)::integer as visits,
        max(rv.visit_date) as last_visit_date,
    from retailer_visit as rv
    where exists (select 1 from retailer_week_todo as t where t.license_no = rv.license_no)
    group by rv.license_no, rv.week
),

-- a week's last visit so far: the latest visit of that week or any before it (visit weeks
-- come first in a shared week, so an open week sees its own visits)
week_event as (
    select license_no, week, false as is_open, last_visit_date from visit_week
    union all
    select license_no, week, true as is_open, null as last_visit_date from open_week
),

visit_to_date as (
    select
        license_no,
        week,
        is_open,
        max(last_visit_date) over (
            partition by license_no
            order by week, is_open
            rows between unbounded preceding and current row
        ) as last_visit_date,
    from week_event
),

last_visit as (
    select license_no, week, last_visit_date
    from visit_to_date
    where is_open
),

-- each assignment with the day the next one starts (null: none after it), as an asof join finds it
assignment as (
    select
        *,
        lead(valid_from) over (partition by license_no order by valid_from) as next_from,
    from retailer_assignment
)

select
    ow.week,
    ow.license_no,
    ter.department_code,
    coalesce(a.territory_code, r.territory_code) as territory_code,
    coalesce(a.cm_code, r.cm_code) as cm_code,
    coalesce(a.format, r.format) as format,
    coalesce(a.tier, r.tier) as tier,
    band.tier_band,
    coalesce(r.area_type, ter.area_type) as area_type,
    coalesce(vw.visits, 0) as visits,
    lv.last_visit_date,
from open_week as ow
join retailer as r on r.license_no = ow.license_no
-- the assignment in force on the week's Monday; before the first one, the current
left join assignment as a
    on a.license_no = ow.license_no
    and ow.week >= a.valid_from
    and (a.next_from is null or ow.week < a.next_from)
join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to
left join visit_week as vw on vw.license_no = ow.license_no and vw.week = ow.week
left join last_visit as lv on lv.license_no = ow.license_no and lv.week = ow.week
