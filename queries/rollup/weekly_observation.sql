-- Rebuild weekly_observation (one row per retailer × spec × week) for the retailer × spec
-- pairs in temp table touched_pair(license_no, spec_code, from_date), from the week of
-- from_date on. A full rebuild is the same with every pair and from_date = 1900-01-01.
--
-- Line sales (DESIGN.md §2, metrics contract 2): sales_qty when reported; else previous
-- stock + supplied_qty of orders after the previous visit up to this one − stock, floored
-- at 0; unknown for a pair's first visit. An order counts toward the first visit on or
-- after its date.

delete from weekly_observation as w
using touched_pair as t
where w.license_no = t.license_no
  and w.spec_code = t.spec_code
  and w.week >= date_trunc('week', t.from_date);

insert into weekly_observation by name
with

pair_line as (
    select
        v.visit_date,
        v.license_no,
        v.spec_code,
        v.stock_qty,
        v.retail_price,
        v.on_shelf,
        v.sales_qty,
        lag(v.visit_date) over pair as prev_date,
        lag(v.stock_qty) over pair as prev_stock,
    from visit_line as v
    semi join touched_pair as t on v.license_no = t.license_no and v.spec_code = t.spec_code
    window pair as (partition by v.license_no, v.spec_code order by v.visit_date)
),

pair_order as (
    select o.*
    from order_line as o
    semi join touched_pair as t on o.license_no = t.license_no and o.spec_code = t.spec_code
),

supplied_before_visit as (
    select
        l.license_no,
        l.spec_code,
        l.visit_date,
        sum(o.supplied_qty) as supplied_qty,
    from pair_order as o
    asof join pair_line as l
        on o.license_no = l.license_no
        and o.spec_code = l.spec_code
        and o.order_date <= l.visit_date
    group by all
),

line_sales as (
    select
        l.*,
        case
            when l.sales_qty is not null then l.sales_qty
            when l.prev_date is null then null
            else greatest(l.prev_stock + coalesce(s.supplied_qty, 0) - l.stock_qty, 0)
        end as line_sales,
    from pair_line as l
    left join supplied_before_visit as s using (license_no, spec_code, visit_date)
),

visit_week as (
    select
        date_trunc('week', visit_date)::date as week,
        license_no,
        spec_code,
        arg_max(stock_qty, visit_date) as stock_qty,
        sum(line_sales) as sales_qty,
        arg_max(retail_price, visit_date) filter (where retail_price is not null) as retail_price,
        bool_or(on_shelf) as on_shelf,
        count(*)::integer as visit_lines,
    from line_sales
    group by all
),

order_week as (
    select
        date_trunc('week', order_date)::date as week,
        license_no,
        spec_code,
        sum(demand_qty) as demand_qty,
        sum(supplied_qty) as supplied_qty,
        count(*)::integer as order_lines,
        count(*) filter (where supplied_qty >= demand_qty)::integer as filled_order_lines,
    from pair_order
    group by all
),

observation as (
    select
        week,
        license_no,
        spec_code,
        v.stock_qty,
        v.sales_qty,
        v.retail_price,
        v.on_shelf,
        coalesce(v.visit_lines, 0) as visit_lines,
        coalesce(o.demand_qty, 0) as demand_qty,
        coalesce(o.supplied_qty, 0) as supplied_qty,
        coalesce(o.order_lines, 0) as order_lines,
        coalesce(o.filled_order_lines, 0) as filled_order_lines,
    from visit_week as v
    full join order_week as o using (week, license_no, spec_code)
    semi join touched_pair as t
        on license_no = t.license_no
        and spec_code = t.spec_code
        and week >= date_trunc('week', t.from_date)
),

final as (
    select
        obs.*,
        ter.department_code,
        coalesce(a.territory_code, r.territory_code) as territory_code,
        coalesce(a.cm_code, r.cm_code) as cm_code,
        coalesce(a.format, r.format) as format,
        coalesce(a.tier, r.tier) as tier,
        band.tier_band,
        coalesce(r.area_type, ter.area_type) as area_type,
    from observation as obs
    join retailer as r using (license_no)
    -- the assignment in force on the week's Monday; before the first one, the current
    asof left join retailer_assignment as a
        on obs.license_no = a.license_no
        and obs.week >= a.valid_from
    join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
    join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to
)

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
select * from final
order by week;
