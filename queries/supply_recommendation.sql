-- One row per spec × 市场部 in the data week: the market signals a supply recommendation
-- weighs, next to what is on the shelves and already on its way. The recommendation
-- itself (forecast demand over the target cover − stock − on order, and the verdict) is
-- computed from these rows and the stored forecasts by marketpulse/supply/recommend.py.
--
-- Signals come from market_state (one row per spec × 片区), summed to the 市场部:
--   stock_qty, avg_weekly_sales_4w   Σ over its 片区
--   ratio        存销比 = Σ stock ÷ Σ mean weekly sales over w−3 .. w (a ratio of sums)
--   price_index  the 市场部's own 100 × Σ actual·q ÷ Σ suggested·q over the week's priced
--                sales (from market_cell, as price_index computes it: a ratio of sums)
--   bands        the 片区 bands weighted by their mean weekly sales (as market_state
--                weighs customer groups inside a 片区)
--   state        the market_state rule applied to the 市场部's signals and bands
-- on_order: Σ supplied_qty of orders dated after the data week (retailers' current 市场部).
-- supplied_4w: mean weekly supplied_qty over w−3 .. w, the reference a change is measured against.
--
-- Parameters:
--   $week_from, $week_to   the data week for both (Monday; any day means its week), usually
--                the forecasts' made_from_week (market_state's parameters, read through ref)
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   spec_code, spec_name, department_code, department_name
--   week                 date     the data week
--   stock_qty            double   Σ closing stock counted in the data week, 条
--   avg_weekly_sales_4w  double   mean weekly sales over w−3 .. w, 条
--   ratio                double   weeks of cover; null when nothing sold
--   price_index          double   null without priced sales this week
--   ratio_low, ratio_high, index_tight, index_loose, target_cover   double   the 市场部's band
--   state                varchar  tight | balanced | loose
--   on_order             double   supplied after the data week, 条
--   supplied_4w          double   mean weekly supplied over w−3 .. w, 条

with

params as (
    select date_trunc('week', $week_to::date)::date as week,
),

territory_state as (
    select *
    from ref('market_state') as m
    where m.week = (select week from params)
),

department_state as (
    select
        m.spec_code,
        any_value(m.spec_name) as spec_name,
        t.department_code,
        sum(m.stock_qty) as stock_qty,
        sum(m.avg_weekly_sales_4w) as avg_weekly_sales_4w,
        sum(m.avg_weekly_sales_4w * m.ratio_low) / nullif(sum(m.avg_weekly_sales_4w), 0) as w_ratio_low,
        sum(m.avg_weekly_sales_4w * m.ratio_high) / nullif(sum(m.avg_weekly_sales_4w), 0) as w_ratio_high,
        sum(m.avg_weekly_sales_4w * m.index_tight) / nullif(sum(m.avg_weekly_sales_4w), 0) as w_index_tight,
        sum(m.avg_weekly_sales_4w * m.index_loose) / nullif(sum(m.avg_weekly_sales_4w), 0) as w_index_loose,
        sum(m.avg_weekly_sales_4w * m.target_cover) / nullif(sum(m.avg_weekly_sales_4w), 0) as w_target_cover,
        avg(m.ratio_low) as a_ratio_low,
        avg(m.ratio_high) as a_ratio_high,
        avg(m.index_tight) as a_index_tight,
        avg(m.index_loose) as a_index_loose,
        avg(m.target_cover) as a_target_cover,
    from territory_state as m
    join territory as t using (territory_code)
    group by m.spec_code, t.department_code
),

department_price as (
    select
        c.spec_code,
        c.department_code,
        100 * sum(c.retail_value) / nullif(sum(s.suggested_retail_price * c.priced_sales_qty), 0) as price_index,
    from market_cell as c
    join spec as s using (spec_code)
    where c.week = (select week from params)
      and ($format is null or c.format = $format)
      and ($tier_band is null or c.tier_band = $tier_band)
      and ($area_type is null or c.area_type = $area_type)
      and ($brand is null or s.brand = $brand)
      and ($price_class is null or s.price_class = $price_class)
      and ($spec_code is null or c.spec_code = $spec_code)
    group by all
),

on_order as (
    select
        o.spec_code,
        t.department_code,
        sum(o.supplied_qty)::double as on_order,
    from order_line as o
    join retailer as r using (license_no)
    join territory as t on t.territory_code = r.territory_code
    where o.order_date > (select week from params) + interval 6 days
    group by all
),

supplied as (
    select
        o.spec_code,
        o.department_code,
        sum(o.supplied_qty)::double / 4 as supplied_4w,
    from weekly_observation as o
    where o.week between (select week from params) - interval 21 days and (select week from params)
    group by all
),

signal as (
    select
        d.spec_code,
        d.spec_name,
        d.department_code,
        d.stock_qty,
        d.avg_weekly_sales_4w,
        d.stock_qty / nullif(d.avg_weekly_sales_4w, 0) as ratio,
        d.avg_weekly_sales_4w = 0 and d.stock_qty > 0 as stock_without_sales,
        dp.price_index::double as price_index,
        -- without sales in four weeks the 片区 bands count equally
        coalesce(d.w_ratio_low, d.a_ratio_low) as ratio_low,
        coalesce(d.w_ratio_high, d.a_ratio_high) as ratio_high,
        coalesce(d.w_index_tight, d.a_index_tight) as index_tight,
        coalesce(d.w_index_loose, d.a_index_loose) as index_loose,
        coalesce(d.w_target_cover, d.a_target_cover) as target_cover,
    from department_state as d
    left join department_price as dp using (spec_code, department_code)
),

final as (
    select
        s.spec_code,
        s.spec_name,
        s.department_code,
        dep.department_name,
        (select week from params) as week,
        s.stock_qty::double as stock_qty,
        s.avg_weekly_sales_4w::double as avg_weekly_sales_4w,
        s.ratio::double as ratio,
        s.price_index::double as price_index,
        s.ratio_low::double as ratio_low,
        s.ratio_high::double as ratio_high,
        s.index_tight::double as index_tight,
        s.index_loose::double as index_loose,
        s.target_cover::double as target_cover,
        case
            when s.ratio > s.ratio_high or s.stock_without_sales or s.price_index < s.index_loose then 'loose'
            when s.ratio < s.ratio_low and s.price_index >= s.index_tight then 'tight'
            when s.ratio is not null or s.price_index is not null then 'balanced'
        end as state,
        coalesce(o.on_order, 0)::double as on_order,
        coalesce(p.supplied_4w, 0)::double as supplied_4w,
    from signal as s
    left join department as dep using (department_code)
    left join on_order as o using (spec_code, department_code)
    left join supplied as p using (spec_code, department_code)
)

select * from final
order by spec_code, department_code
