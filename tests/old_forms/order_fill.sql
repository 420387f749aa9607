-- One row per level key × product group × week: 订单满足率, 订单履约率 and 订单行履约率.
-- How much of what retailers ordered did they get, and how many of their orders were filled
-- in full? Ratios of sums over the week's orders, never means of ratios.
--
-- An order is all lines of one retailer on one order date (an order line is one spec of
-- it); it is filled when every line was supplied in full (supplied ≥ demanded). Within a
-- product group (a 价类, brand or spec) or under a product filter, an order is the
-- retailer's lines of that day in the group: at product level spec it is its one line.
--   fill_rate (订单满足率)              = Σ supplied_qty ÷ Σ demand_qty (null when nothing was demanded);
--   fulfilment_rate (订单履约率)        = filled orders ÷ orders — the headline;
--   line_fulfilment_rate (订单行履约率) = order lines supplied in full ÷ order lines.
-- An order counts toward its order date's week and the level the retailer was assigned
-- to that week.
--
-- Parameters:
--   $level          city | department | territory | cm | retailer
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                  date     Monday of the ISO week
--   level_key             varchar  code at the level ('city' for the whole city)
--   level_name            varchar  its Chinese name
--   product_key           varchar  'all', the 价类, the brand or the spec code
--   product_name          varchar  the spec's name at spec level, else product_key
--   ordering_retailers    bigint   retailers with an order that week
--   orders                bigint   orders (retailer × order day) of the week
--   filled_orders         bigint   of those, every line supplied in full
--   fulfilment_rate       double   filled_orders ÷ orders (订单履约率)
--   order_lines           bigint   order lines (retailer × spec × order day)
--   filled_order_lines    bigint   of those, supplied in full
--   line_fulfilment_rate  double   filled_order_lines ÷ order_lines (订单行履约率)
--   demand_qty            double   Σ demanded, 条
--   supplied_qty          double   Σ supplied, 条
--   fill_rate             double   supplied_qty ÷ demand_qty (订单满足率); null if no demand

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

order_observation as (
    select
        o.week,
        o.level_key,
        o.product_key,
        o.license_no,
        o.spec_code,
        o.order_lines,
        o.filled_order_lines,
        o.demand_qty::double as demand_qty,
        o.supplied_qty::double as supplied_qty,
    from ref('base/observation_at_level', lookback_weeks='0') as o
    cross join params as p
    where o.week between p.week_from and p.week_to
      and o.order_lines > 0
),

period_line as (
    select l.*
    from order_line as l
    cross join params as p
    where l.order_date between p.week_from and p.week_to + 6
),

retailer_order as (
    -- the week's observations with order lines say which lines are in scope and filters,
    -- and where they count; the lines themselves say which day's order they belong to
    select
        o.week,
        o.level_key,
        o.product_key,
        o.license_no,
        l.order_date,
        bool_and(l.supplied_qty >= l.demand_qty) as filled,
    from order_observation as o
    join period_line as l
        on l.license_no = o.license_no
        and l.spec_code = o.spec_code
        and date_trunc('week', l.order_date) = o.week
    group by all
),

order_count as (
    select
        week,
        level_key,
        product_key,
        count(*) as orders,
        count(*) filter (where filled) as filled_orders,
    from retailer_order
    group by all
),

level_week as (
    select
        week,
        level_key,
        product_key,
        count(distinct license_no) as ordering_retailers,
        sum(order_lines)::bigint as order_lines,
        sum(filled_order_lines)::bigint as filled_order_lines,
        sum(demand_qty) as demand_qty,
        sum(supplied_qty) as supplied_qty,
    from order_observation
    group by all
),

final as (
    select
        lw.week,
        lw.level_key,
        n.level_name,
        lw.product_key,
        coalesce(s.spec_name, lw.product_key) as product_name,
        lw.ordering_retailers,
        coalesce(oc.orders, 0)::bigint as orders,
        coalesce(oc.filled_orders, 0)::bigint as filled_orders,
        oc.filled_orders / nullif(oc.orders, 0) as fulfilment_rate,
        lw.order_lines,
        lw.filled_order_lines,
        lw.filled_order_lines / nullif(lw.order_lines, 0) as line_fulfilment_rate,
        lw.demand_qty,
        lw.supplied_qty,
        lw.supplied_qty / nullif(lw.demand_qty, 0) as fill_rate,
    from level_week as lw
    left join order_count as oc using (week, level_key, product_key)
    left join ref('base/level_names') as n on n.level = $level and n.level_key = lw.level_key
    left join spec as s on $product_level = 'spec' and s.spec_code = lw.product_key
)

select * from final
order by week, level_key, product_key
