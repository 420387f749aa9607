-- Rebuild spec_group_week and spec_cm_week (schema 014: spec × week × customer manager, with
-- and without the customer group) and cover_cm_week for the specs in temp table
-- touched_pair(license_no, spec_code, from_date), from the first week touched on, after
-- weekly_observation and market_cell have been refreshed. A cell sums every retailer of its spec, so all cells of a touched spec from
-- that week are rebuilt (as market_cell's); a week's import rebuilds that week's cells only.

create or replace temp table touched_spec as
select spec_code, min(date_trunc('week', from_date))::date as from_week
from touched_pair
group by all;

delete from spec_group_week as c
using touched_spec as t
where c.spec_code = t.spec_code
  and c.week >= t.from_week;

delete from spec_cm_week as c
using touched_spec as t
where c.spec_code = t.spec_code
  and c.week >= t.from_week;

create or replace temp table touched_cell as
select
    o.week,
    o.spec_code,
    o.department_code,
    o.territory_code,
    o.cm_code,
    o.format,
    o.tier_band,
    o.area_type,
    count(*)::integer as observations,
    count(o.sales_qty)::integer as known_sales,
    sum(o.sales_qty) as sales_qty,
    count(*) filter (where o.retail_price is not null and o.sales_qty > 0)::integer as priced_observations,
    sum(o.sales_qty) filter (where o.retail_price is not null and o.sales_qty > 0) as priced_sales_qty,
    sum(o.retail_price * o.sales_qty) filter (where o.retail_price is not null and o.sales_qty > 0)
        as retail_value,
    count(o.retail_price)::integer as price_observations,
    sum(o.retail_price) as retail_price_sum,
    sum(o.demand_qty) as demand_qty,
    sum(o.supplied_qty) as supplied_qty,
    sum(o.order_lines)::integer as order_lines,
    sum(o.filled_order_lines)::integer as filled_order_lines,
    sum(o.visit_lines)::integer as visit_lines,
from weekly_observation as o
join touched_spec as t
    on o.spec_code = t.spec_code
    and o.week >= t.from_week
group by all;

insert into spec_group_week by name
select * from touched_cell
order by week, spec_code;

insert into spec_cm_week by name
select
    week,
    spec_code,
    department_code,
    territory_code,
    cm_code,
    sum(observations)::integer as observations,
    sum(known_sales)::integer as known_sales,
    sum(sales_qty) as sales_qty,
    sum(priced_observations)::integer as priced_observations,
    sum(priced_sales_qty) as priced_sales_qty,
    sum(retail_value) as retail_value,
    sum(price_observations)::integer as price_observations,
    sum(retail_price_sum) as retail_price_sum,
    sum(demand_qty) as demand_qty,
    sum(supplied_qty) as supplied_qty,
    sum(order_lines)::integer as order_lines,
    sum(filled_order_lines)::integer as filled_order_lines,
    sum(visit_lines)::integer as visit_lines,
from touched_cell
group by all
order by week, spec_code;

drop table touched_cell;

delete from cover_cm_week as c
using touched_spec as t
where c.spec_code = t.spec_code
  and c.week >= t.from_week;

insert into cover_cm_week by name
select
    m.week,
    m.spec_code,
    m.department_code,
    m.territory_code,
    m.cm_code,
    sum(m.stock_qty) as stock_qty,
    sum(m.sales_qty) as sales_qty,
    sum(m.sales_4w) as sales_4w,
    bit_or(m.weeks_known) as weeks_known,
from market_cell as m
join touched_spec as t
    on m.spec_code = t.spec_code
    and m.week >= t.from_week
group by all
order by week, spec_code;

drop table touched_spec;
