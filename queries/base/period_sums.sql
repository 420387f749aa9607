-- 月/季/年累计's arithmetic, read through ref('base/period_sums') by period_totals.sql (its
-- definition) and kept/period_totals.sql: one row per level key × product group × report week
-- × period, with period_totals.sql's columns. Not a query of its own: its includer defines
--   level_week   the week sums, base/level_week_sums' columns, of every week a span reads
--                (evaluated, or as the lake keeps them)
-- and binds period_totals.sql's parameters.

with

span as (
    select * from ref('base/period_to_date')
),

-- every week a span reads, this year's (last_year false) and last year's
-- (the cast is outside the unnest: Spark takes no generator nested in an expression)
span_week as (
    select week, period, last_year, read_week::date as read_week
    from (
        select
            week,
            period,
            false as last_year,
            unnest(generate_series(period_from, week, interval 7 day)) as read_week,
        from span
        union all
        select week, period, true, unnest(generate_series(sp_period_from, sp_period_to, interval 7 day)),
        from span
    ) as spread
),

span_sum as (
    select
        s.week,
        s.period,
        s.last_year,
        w.level_key,
        w.product_key,
        sum(w.sales_qty) as sales_qty,
        sum(w.sales_value) as sales_value,
        -- key brands' sales: 0, not null, wherever sales are known
        case when sum(w.sales_qty) is not null then coalesce(sum(w.key_sales_qty), 0) end as key_sales_qty,
        sum(w.demand_qty) as demand_qty,
        sum(w.supplied_qty) as supplied_qty,
        sum(w.retail_value) as retail_value,
        sum(w.suggested_value) as suggested_value,
        sum(w.margin_value) as margin_value,
    from span_week as s
    join level_week as w on w.week = s.read_week
    group by all
),

ratio as (
    select
        week,
        period,
        last_year,
        level_key,
        product_key,
        sales_qty,
        sales_value,
        sales_value / nullif(sales_qty, 0) as avg_price_per_carton,
        key_sales_qty,
        key_sales_qty / nullif(sales_qty, 0) as key_brand_share,
        demand_qty,
        supplied_qty,
        supplied_qty / nullif(demand_qty, 0) as fill_rate,
        100 * retail_value / nullif(suggested_value, 0) as price_index,
        margin_value / nullif(retail_value, 0) as margin,
    from span_sum
),

final as (
    select
        s.week,
        s.period,
        s.period_label,
        s.period_from,
        s.weeks,
        s.sp_period_from,
        s.sp_period_to,
        t.level_key,
        n.level_name,
        t.product_key,
        coalesce(spec.spec_name, t.product_key) as product_name,
        t.sales_qty,
        t.sales_value,
        t.avg_price_per_carton,
        t.key_sales_qty,
        t.key_brand_share,
        t.demand_qty,
        t.supplied_qty,
        t.fill_rate,
        t.price_index,
        t.margin,
        l.sales_qty as sp_sales_qty,
        l.sales_value as sp_sales_value,
        l.avg_price_per_carton as sp_avg_price_per_carton,
        l.key_brand_share as sp_key_brand_share,
        l.fill_rate as sp_fill_rate,
        l.price_index as sp_price_index,
        l.margin as sp_margin,
        t.sales_qty / nullif(l.sales_qty, 0) - 1 as sp_growth,
        t.sales_value / nullif(l.sales_value, 0) - 1 as sp_value_growth,
        t.avg_price_per_carton / nullif(l.avg_price_per_carton, 0) - 1 as avg_price_sp_growth,
        t.key_brand_share - l.key_brand_share as share_change,
        t.fill_rate - l.fill_rate as fill_rate_change,
        t.price_index - l.price_index as price_index_change,
        t.margin - l.margin as margin_change,
    from ratio as t
    join span as s using (week, period)
    left join ratio as l
        on l.last_year
        -- a span last year held only in part is no base: it must not begin before the data in scope
        and s.sp_period_from >= (select min(week) from spec_cm_week)
        and l.week = t.week
        and l.period = t.period
        and l.level_key = t.level_key
        and l.product_key = t.product_key
    left join ref('base/level_names') as n on n.level = $level and n.level_key = t.level_key
    left join spec on $product_level = 'spec' and spec.spec_code = t.product_key
    where not t.last_year
)

select * from final
