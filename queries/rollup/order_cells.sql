-- Rebuild order_cm_week (schema 015: orders per customer-group cell × week) for the weeks
-- from the first one touched in temp table touched_pair(license_no, spec_code, from_date),
-- after weekly_observation has been refreshed. A cell counts every retailer of its week, so
-- every cell of those weeks is rebuilt; a week's import rebuilds that week's cells only.
-- The counts are those order_fill and cm_scorecard make over the observations: the
-- observations with order lines say which lines count and where, the lines say their day.

create or replace temp table touched_order_week as
select min(date_trunc('week', from_date))::date as from_week
from touched_pair;

delete from order_cm_week
where week >= (select from_week from touched_order_week);

insert into order_cm_week by name
with

observation as (
    select
        o.week,
        o.license_no,
        o.spec_code,
        o.department_code,
        o.territory_code,
        o.cm_code,
        o.format,
        o.tier_band,
        o.area_type,
    from weekly_observation as o
    where o.week >= (select from_week from touched_order_week)
      and o.order_lines > 0
),

retailer_order as (
    select
        o.week,
        o.department_code,
        o.territory_code,
        o.cm_code,
        o.format,
        o.tier_band,
        o.area_type,
        o.license_no,
        l.order_date,
        bool_and(l.supplied_qty >= l.demand_qty) as filled,
    from observation as o
    join order_line as l
        on l.license_no = o.license_no
        and l.spec_code = o.spec_code
        and date_trunc('week', l.order_date) = o.week
    where l.order_date >= (select from_week from touched_order_week)
    group by all
),

order_count as (
    select
        week,
        department_code,
        territory_code,
        cm_code,
        format,
        tier_band,
        area_type,
        count(*)::integer as orders,
        count(*) filter (where filled)::integer as filled_orders,
    from retailer_order
    group by all
),

ordering as (
    select
        week,
        department_code,
        territory_code,
        cm_code,
        format,
        tier_band,
        area_type,
        count(distinct license_no)::integer as ordering_retailers,
    from observation
    group by all
)

select
    g.*,
    coalesce(c.orders, 0) as orders,
    coalesce(c.filled_orders, 0) as filled_orders,
from ordering as g
left join order_count as c using (week, department_code, territory_code, cm_code, format, tier_band, area_type)
order by week;

drop table touched_order_week;
