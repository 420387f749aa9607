-- One row per level key × product group × week: the additive sums of the cells
-- (base/cell_at_level) that period_totals.sql sums over a span, read through
-- ref('base/level_week_sums', lookback_weeks='…') by period_totals.sql and by
-- base/level_week_rows.sql (which the lake keeps). Not a metric itself.
--
-- Parameters: base/cell_at_level's ($level, $product_level, $lookback_weeks fixed by the ref,
-- $week_from, $week_to, the filters).
-- Columns:
--   week, level_key, product_key
--   sales_qty, sales_value, key_sales_qty, demand_qty, supplied_qty, retail_value,
--   suggested_value, margin_value   double   Σ of the week's cells (see period_totals.sql)
--   priced_sales_qty     double   Σ sales of the priced observations (price_index's weights), 条
--   priced_observations  integer  observations with a retail price and sales > 0

with

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
        o.priced_sales_qty,
        o.priced_observations,
    from ref('base/cell_at_level') as o
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
        sum(priced_sales_qty)::double as priced_sales_qty,
        sum(priced_observations)::integer as priced_observations,
    from cell
    group by all
)

select * from level_week
