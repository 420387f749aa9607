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
-- Which grain answers: without a product filter, at product level all and above the
-- retailer, the cells (base/cell_at_level for the sums, order_cm_week for the orders and
-- ordering retailers, which span specs); otherwise the period's observations with their
-- order lines (the branch not taken is pruned when planned).
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

-- the cells answer: no product filter, product level all, a level above the retailer
order_cell as (
    select
        o.week,
        case $level
            when 'city' then 'city'
            when 'department' then o.department_code
            when 'territory' then o.territory_code
            when 'cm' then o.cm_code
        end as level_key,
        'all' as product_key,
        sum(o.ordering_retailers)::bigint as ordering_retailers,
        sum(o.orders)::bigint as orders,
        sum(o.filled_orders)::bigint as filled_orders,
    from order_cm_week as o
    where $product_level = 'all' and $brand is null and $price_class is null and $spec_code is null
      and $level in ('city', 'department', 'territory', 'cm')
      and o.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
      and ($format is null or o.format = $format)
      and ($tier_band is null or o.tier_band = $tier_band)
      and ($area_type is null or o.area_type = $area_type)
    group by all
),

cell_week as (
    select
        c.week,
        c.level_key,
        c.product_key,
        sum(c.order_lines)::bigint as order_lines,
        sum(c.filled_order_lines)::bigint as filled_order_lines,
        sum(c.demand_qty)::double as demand_qty,
        sum(c.supplied_qty)::double as supplied_qty,
    from ref('base/cell_at_level', lookback_weeks='0') as c
    where $product_level = 'all' and $brand is null and $price_class is null and $spec_code is null
      and $level in ('city', 'department', 'territory', 'cm')
      and c.order_lines > 0
    group by all
),

-- otherwise the observations with order lines: they say which lines are in scope and
-- filters, and where they count; the lines themselves say which day's order they belong to
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
    where not ($product_level = 'all' and $brand is null and $price_class is null and $spec_code is null
               and $level in ('city', 'department', 'territory', 'cm'))
      and o.order_lines > 0
),

period_line as (
    select l.*
    from order_line as l
    where l.order_date between date_trunc('week', $week_from::date)::date
                           and date_trunc('week', $week_to::date)::date + 6
),

retailer_order as (
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

    union all

    select week, level_key, product_key, orders, filled_orders
    from order_cell
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

    union all

    select c.week, c.level_key, c.product_key, o.ordering_retailers, c.order_lines, c.filled_order_lines,
           c.demand_qty, c.supplied_qty
    from cell_week as c
    join order_cell as o using (week, level_key, product_key)
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
