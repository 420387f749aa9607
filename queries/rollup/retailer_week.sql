-- Rebuild retailer_week (one row per retailer × ISO week in which it was open) after
-- weekly_observation and retailer_visit have been refreshed.
-- Which rows: every retailer from the earliest week in temp table touched_retailer on
-- (a new week of facts adds that week for every retailer, visited or not), plus every
-- retailer that has no rows yet (new retailers, and all of them after a rebuild's delete).
-- Weeks run from the first to the last week with any visit or order in the store.

create or replace temp table retailer_week_span as
select
    date_trunc('week', min(fact_date))::date as first_week,
    date_trunc('week', max(fact_date))::date as last_week,
from (
    select visit_date as fact_date from visit_line
    union all
    select order_date as fact_date from order_line
);

create or replace temp table retailer_week_todo as
select
    license_no,
    greatest(min(from_week), any_value(span.first_week)) as from_week,
from (
    select r.license_no, date_trunc('week', t.from_date)::date as from_week
    from retailer as r
    cross join (select min(from_date) as from_date from touched_retailer) as t
    where t.from_date is not null
    union all
    select r.license_no, date '1900-01-01' as from_week
    from retailer as r
    anti join retailer_week as rw on rw.license_no = r.license_no
)
cross join retailer_week_span as span
where span.first_week is not null
group by license_no;

delete from retailer_week as rw
using retailer_week_todo as t
where rw.license_no = t.license_no
  and rw.week >= t.from_week;

insert into retailer_week by name
with

grid as (
    select
        t.license_no,
        unnest(generate_series(t.from_week, span.last_week, interval 7 day))::date as week,
    from retailer_week_todo as t
    cross join retailer_week_span as span
),

open_week as (
    select
        g.license_no,
        g.week,
        g.week + 6 as week_end,
    from grid as g
    join retailer as r using (license_no)
    where (r.opened_on is null or r.opened_on <= g.week + 6)
      and (r.closed_on is null or r.closed_on >= g.week)
),

visit_count as (
    select
        rv.license_no,
        rv.week,
        count(*)::integer as visits,
    from retailer_visit as rv
    semi join retailer_week_todo as t
        on rv.license_no = t.license_no
        and rv.week >= t.from_week
    group by all
),

retailer_visit_date as (
    select rv.license_no, rv.visit_date
    from retailer_visit as rv
    semi join retailer_week_todo as t on rv.license_no = t.license_no
),

last_visit as (
    select
        ow.license_no,
        ow.week,
        vd.visit_date as last_visit_date,
    from open_week as ow
    asof join retailer_visit_date as vd
        on ow.license_no = vd.license_no
        and ow.week_end >= vd.visit_date
),

final as (
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
        coalesce(vc.visits, 0) as visits,
        lv.last_visit_date,
    from open_week as ow
    join retailer as r using (license_no)
    -- the assignment in force on the week's Monday; before the first one, the current
    asof left join retailer_assignment as a
        on ow.license_no = a.license_no
        and ow.week >= a.valid_from
    join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
    join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to
    left join visit_count as vc using (license_no, week)
    left join last_visit as lv using (license_no, week)
)

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
select * from final
order by week;

drop table retailer_week_todo;

drop table retailer_week_span;
