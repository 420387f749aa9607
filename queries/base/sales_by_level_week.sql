-- One row per level key × product group × week from week_from to week_to with known sales:
-- the week's sales against the week before (环比) and the same period (同期), the shared
-- body of sales_volume, avg_price_per_carton and key_brand_share, read through
-- ref('base/sales_by_level_week'). Not a metric itself.
--
-- Over the observations (retailer × spec × week) whose week sales are known (DESIGN.md §2;
-- unknown sales are left out, never counted as 0), summed at the same level key and product
-- group for each week; read from their roll-up cells (base/cell_at_level), summed exactly
-- in decimals; each week against the one before and the same period in base/sales_with_prior,
-- which kept/sales_by_level_week (the same rows from the week sums a lake keeps) shares. Sales value is at the wholesale price in force in each week
-- (base/spec_price_in_week), so a 调价 moves it from its week on; the same period is
-- valued at the prices of its own time.
--
-- Parameters:
--   $level          city | department | territory | cm | retailer (as base/cell_at_level)
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                   date     Monday of the ISO week
--   level_key              varchar  code at the level ('city' for the whole city)
--   product_key            varchar  'all', the 价类, the brand or the spec code
--   sales_qty              double   Σ sales of the week, 条
--   sales_value            double   Σ sales × the spec's wholesale price in force that week, 元
--   key_sales_qty          double   of sales_qty, key brands' (重点品牌), 条
--   prev_week_sales_qty    double   sales_qty of week − 7 days (null: no known sales)
--   prev_week_sales_value  double   sales_value of week − 7 days, 元
--   same_period_week       date     Monday of the same ISO week last year (null: none)
--   sp_sales_qty           double   sales_qty of the same period (null: none or no known sales)
--   sp_sales_value         double   sales_value of the same period, 元
--   sp_key_sales_qty       double   key_sales_qty of the same period, 条

with

cell as (
    select
        o.week,
        o.level_key,
        o.product_key,
        o.sales_qty,
        o.sales_qty * o.wholesale_price as sales_value,
        o.is_key_brand,
    from ref('base/cell_at_level', lookback_weeks='53') as o
    -- only the weeks read: week_from − 1 .. week_to (each week and the one before it) and the
    -- same ISO weeks of last year, 52 or 53 weeks back; constants, so the scan skips the rest
    where (o.week between (date_trunc('week', $week_from::date) - interval 7 day)::date
                      and date_trunc('week', $week_to::date)::date
           or o.week between (date_trunc('week', $week_from::date) - interval 53 weeks)::date
                         and (date_trunc('week', $week_to::date) - interval 52 weeks)::date)
      and o.sales_qty is not null
),

level_week as (
    select
        week,
        level_key,
        product_key,
        sum(sales_qty)::double as sales_qty,
        sum(sales_value)::double as sales_value,
        coalesce(sum(sales_qty) filter (where is_key_brand), 0)::double as key_sales_qty,
    from cell
    group by all
)

select * from ref('base/sales_with_prior')
