-- Store schema, version 15: orders at the page grain. An order (all lines of one retailer on
-- one order date) spans specs, so 订单履约率 and the ordering retailers cannot be summed from
-- the spec cells of version 14; this table counts them per customer-group cell and week.
-- Built by queries/rollup/order_cells.sql after weekly_observation; never edited by hand.
--
-- order_cm_week  week × 市场部 × 片区 × 客户经理 × customer group (业态, 档位 band, 城网/农网):
--                read by order_fill and cm_scorecard when no product filter is set and the
--                level is the city, a 市场部, a 片区 or a customer manager.
-- A retailer lies in one cell per week (its assignment on the week's Monday), so the counts
-- of retailers and orders add up exactly to every level above the retailer. It carries
-- department_code, territory_code and cm_code, so a scope cuts it as it cuts
-- weekly_observation (marketpulse/store/scope.py).
-- Unique on its keys by construction; no index (see version 6). Re-runnable.

create table if not exists order_cm_week (
    week               date not null,     -- Monday of the ISO week (of the order date)
    department_code    varchar not null,
    territory_code     varchar not null,
    cm_code            varchar not null,
    format             varchar not null,  -- 业态
    tier_band          varchar not null,  -- 档位 band
    area_type          varchar not null,  -- 城网/农网
    ordering_retailers integer not null,  -- retailers with an order line that week
    orders             integer not null,  -- orders (retailer × order date)
    filled_orders      integer not null   -- of those, every line supplied in full
);

-- A store written before this version: fill the table as `rebuild` would.
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
    where o.order_lines > 0
      and not exists (select 1 from order_cm_week)
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
