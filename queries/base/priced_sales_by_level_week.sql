-- One row per level key × week from week_from to week_to with priced sales: the sales-
-- weighted price sums of the observations (retailer × spec × week) with a retail price and
-- sales > 0, the shared body of price_index and retail_margin, read through
-- ref('base/priced_sales_by_level_week'). Not a metric itself. Read from the observations'
-- roll-up cells (base/cell_at_level), summed exactly in decimals.
-- Suggested and wholesale prices are those in force in each week (base/spec_price_in_week):
-- a 调价 changes the weeks from its effective date on, never the weeks before.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week             date     Monday of the ISO week
--   level_key        varchar  code at the level ('city' for the whole city)
--   sales_qty        double   Σ sales of the priced observations (the weights), 条
--   retail_value     double   Σ retail_price · sales, 元
--   suggested_value  double   Σ suggested_retail_price (in force that week) · sales, 元
--   margin_value     double   Σ (retail_price − wholesale_price in force that week) · sales, 元
--   observations     integer  priced observations (retailer × spec) in the week

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

cell as (
    select
        o.week,
        o.level_key,
        o.priced_sales_qty as sales_qty,
        o.retail_value,
        o.suggested_retail_price * o.priced_sales_qty as suggested_value,
        o.retail_value - o.wholesale_price * o.priced_sales_qty as margin_value,
        o.priced_observations,
    from ref('base/cell_at_level', lookback_weeks='3', product_level='all') as o
    cross join params as p
    where o.week between p.week_from and p.week_to
      and o.priced_observations > 0
),

level_week as (
    select
        week,
        level_key,
        sum(sales_qty)::double as sales_qty,
        sum(retail_value)::double as retail_value,
        sum(suggested_value)::double as suggested_value,
        sum(margin_value)::double as margin_value,
        sum(priced_observations)::integer as observations,
    from cell
    group by all
)

select * from level_week
