-- The rows of weekly_observation (one per retailer × spec × week) for the retailer × spec
-- pairs in touched_pair(license_no, spec_code, from_date), from the week of from_date on.
-- One text for DuckDB (rollup/weekly_observation.sql inserts it) and Spark (transpiled).
--
-- Line sales (DESIGN.md §2, metrics contract 2): sales_qty when reported; else previous
-- stock + supplied_qty of orders after the previous visit up to this one − stock, floored
-- at 0; unknown for a pair's first visit. An order counts toward the first visit on or
-- after its date: in one date-ordered stream of a pair's orders and visits (orders first on
-- a shared date), a visit's orders are the running supplied total less the previous visit's.

with

-- where each touched pair's stream starts: its last visit before the first week rebuilt (the
-- previous visit of that week's first one, whose stock and date its sales need), else that week;
-- nothing earlier changes a rebuilt week, so older lines are not read
pair_start as (
    select
        t.license_no,
        t.spec_code,
        cast(date_trunc('week', t.from_date) as date) as from_week,
        coalesce(max(v.visit_date), cast(date_trunc('week', t.from_date) as date)) as start_date,
    from touched_pair as t
    left join (
        -- (a constant bound first: a full rebuild, from 1900, then probes no line)
        select * from visit_line
        where visit_date < (select max(date_trunc('week', from_date)) from touched_pair)
    ) as v
        on v.license_no = t.license_no
        and v.spec_code = t.spec_code
        and v.visit_date < date_trunc('week', t.from_date)
    group by t.license_no, t.spec_code, t.from_date
),

pair_event as (
    select
        v.visit_date as event_date,
        true as is_visit,
        v.license_no,
        v.spec_code,
        v.stock_qty,
        v.retail_price,
        v.on_shelf,
        v.sales_qty,
        0 as supplied_qty,
    from visit_line as v
    join pair_start as p
        on p.license_no = v.license_no
        and p.spec_code = v.spec_code
        and v.visit_date >= p.start_date
    union all
    select
        o.order_date as event_date,
        false as is_visit,
        o.license_no,
        o.spec_code,
        null as stock_qty,
        null as retail_price,
        null as on_shelf,
        null as sales_qty,
        o.supplied_qty,
    from order_line as o
    -- an order on the start date counts toward that visit (orders first on a shared date)
    join pair_start as p
        on p.license_no = o.license_no
        and p.spec_code = o.spec_code
        and o.order_date >= p.start_date
),

pair_running as (
    select
        *,
        sum(supplied_qty) over (
            partition by license_no, spec_code
            order by event_date, is_visit
            rows between unbounded preceding and current row
        ) as supplied_to_date,
    from pair_event
),

pair_line as (
    select
        event_date as visit_date,
        license_no,
        spec_code,
        stock_qty,
        retail_price,
        on_shelf,
        sales_qty,
        lag(event_date) over pair as prev_date,
        lag(stock_qty) over pair as prev_stock,
        supplied_to_date - lag(supplied_to_date) over pair as supplied_qty,
    from pair_running
    where is_visit
    window pair as (partition by license_no, spec_code order by event_date)
),

pair_order as (
    select o.*
    from order_line as o
    join pair_start as p
        on p.license_no = o.license_no
        and p.spec_code = o.spec_code
        and o.order_date >= p.from_week
),

line_sales as (
    select
        *,
        case
            when sales_qty is not null then sales_qty
            when prev_date is null then null
            else greatest(prev_stock + supplied_qty - stock_qty, 0)
        end as line_sales,
    from pair_line
),

visit_week as (
    select
        cast(date_trunc('week', visit_date) as date) as week,
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
        cast(date_trunc('week', order_date) as date) as week,
        license_no,
        spec_code,
        sum(demand_qty) as demand_qty,
        sum(supplied_qty) as supplied_qty,
        count(*)::integer as order_lines,
        count(*) filter (where supplied_qty >= demand_qty)::integer as filled_order_lines,
    from pair_order
    group by all
),

week_cell as (
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
),

observation as (
    select c.*
    from week_cell as c
    where exists (
        select 1
        from touched_pair as t
        where t.license_no = c.license_no
          and t.spec_code = c.spec_code
          and c.week >= date_trunc('week', t.from_date)
    )
),

-- each assignment with the day the next one starts (null: none after it), as an asof join finds it
assignment as (
    select
        *,
        lead(valid_from) over (partition by license_no order by valid_from) as next_from,
    from retailer_assignment
)

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
join retailer as r on r.license_no = obs.license_no
-- the assignment in force on the week's Monday; before the first one, the current
left join assignment as a
    on a.license_no = obs.license_no
    and obs.week >= a.valid_from
    and (a.next_from is null or obs.week < a.next_from)
join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to
