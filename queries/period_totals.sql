-- One row per level key × product group × report week × period: 月/季/年累计 (month, quarter
-- and year to date) with 累计同比 (against the same span last year).
-- How much has sold so far this month, quarter and year, at what structure and order fill,
-- against the same weeks of last year? The weekly definitions (DESIGN.md §2; sales_volume,
-- avg_price_per_carton, key_brand_share, order_fill, price_index, retail_margin), summed
-- over the period's weeks and divided once: ratios of sums, never means of weekly ratios.
--
-- Periods (base/period_to_date): whole ISO weeks, a week counting to the calendar month,
-- quarter and year of its Thursday (the ISO convention; sales are known per week only, and
-- orders follow the same weeks). The period to date of report week w runs from the period's
-- first week to w (年累计: ISO week 1 to w); the same span last year is the same ISO week
-- numbers of ISO year − 1 (each week's 同期; week 53 has none). A row needs observations
-- in this year's span. The same span last year is null when it holds nothing, and when the
-- data (within the scope) begin after its start: a year held only in part is no base (this
-- year's sums are of the weeks held).
--
-- Over the observations (retailer × spec × week) of the span, read from their roll-up cells
-- (base/cell_at_level) and summed exactly in decimals:
--   sales_qty             Σ known sales (unknown left out, never 0), 条
--   sales_value           Σ known sales × wholesale price (each week's price in force), 元
--   avg_price_per_carton  sales_value ÷ sales_qty (单条均价), 元/条
--   key_brand_share       key-brand sales ÷ sales_qty (重点品牌比重)
--   fill_rate             Σ supplied ÷ Σ demanded over the observations with order lines (订单满足率)
--   price_index           100 × Σ retail price · sales ÷ Σ suggested price · sales, over the
--                         observations with a price and sales > 0 (价格指数)
--   margin                Σ (retail − wholesale price) · sales ÷ Σ retail price · sales (零售毛利率)
-- 存销比 and 铺货率 are levels read at a week, not sums: their figure for a period is the
-- report week's own (inventory_ratio, new_brand_uptake).
--
-- Parameters:
--   $level          city | department | territory | cm | retailer
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   report weeks (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                     date     the report week (Monday)
--   period                   varchar  month | quarter | year
--   period_label             varchar  2027-01 | 2027-Q1 | 2027
--   period_from              date     Monday of the period's first week
--   weeks                    integer  weeks in the span, period_from … week
--   sp_period_from           date     first week of the same span last year
--   sp_period_to             date     last week of the same span last year
--   level_key                varchar  code at the level ('city' for the whole city)
--   level_name               varchar  its Chinese name
--   product_key              varchar  'all', the 价类, the brand or the spec code
--   product_name             varchar  the spec's name at spec level, else product_key
--   sales_qty, sales_value   double   Σ of the span, 条 and 元 (null: no known sales)
--   avg_price_per_carton     double   元/条
--   key_sales_qty            double   of sales_qty, key brands', 条
--   key_brand_share          double   0–1
--   demand_qty, supplied_qty double   Σ demanded and supplied, 条
--   fill_rate                double   0–1; null without demand
--   price_index              double   null without priced sales
--   margin                   double   0.12 = 12%
--   sp_sales_qty, sp_sales_value, sp_avg_price_per_carton, sp_key_brand_share,
--   sp_fill_rate, sp_price_index, sp_margin   double   the same, over the span last year
--   sp_growth                double   sales_qty ÷ sp_sales_qty − 1 (累计同比 of 销量)
--   sp_value_growth          double   sales_value ÷ sp_sales_value − 1
--   avg_price_sp_growth      double   avg_price_per_carton ÷ sp_avg_price_per_carton − 1
--   share_change             double   key_brand_share − sp_key_brand_share (fraction points)
--   fill_rate_change         double   fill_rate − sp_fill_rate (fraction points)
--   price_index_change       double   price_index − sp_price_index (index points)
--   margin_change            double   margin − sp_margin (fraction points)

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

cell as (
    select
        o.week,
        o.level_key,
        o.product_key,
        o.is_key_brand,
        o.sales_qty,
        o.sales_qty * o.wholesale_price as sales_value,
        -- demanded and supplied are 0 where there was no order line
        o.demand_qty,
        o.supplied_qty,
        -- priced sales: with a retail price and sales (a sale of 0 adds nothing)
        o.retail_value,
        o.priced_sales_qty * o.suggested_retail_price as suggested_value,
        o.retail_value - o.priced_sales_qty * o.wholesale_price as margin_value,
    -- a year to date and its same span last year reach at most 105 weeks back
    from ref('base/cell_at_level', lookback_weeks='106') as o
),

level_week as (
    select
        week,
        level_key,
        product_key,
        sum(sales_qty)::double as sales_qty,
        sum(sales_value)::double as sales_value,
        sum(case when is_key_brand then sales_qty end)::double as key_sales_qty,
        sum(demand_qty)::double as demand_qty,
        sum(supplied_qty)::double as supplied_qty,
        sum(retail_value)::double as retail_value,
        sum(suggested_value)::double as suggested_value,
        sum(margin_value)::double as margin_value,
    from cell
    group by all
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
order by week, level_key, product_key, case period when 'month' then 1 when 'quarter' then 2 else 3 end
