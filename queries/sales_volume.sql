-- One row per level key × product group × week: sales volume (销量, 条) and value.
-- How much sold this week, and at what wholesale value, against last week (环比) and the
-- same ISO week of last year (同期) — the figures behind the pages' KPI cards.
--
-- Over the observations (retailer × spec × week) whose week sales are known
-- (DESIGN.md §2; unknown sales are left out, never counted as 0):
--   sales_qty   = Σ sales, 条;  sales_value = Σ sales × the spec's wholesale price, 元.
--   The previous week is week − 7 days; the same period (同期) is the same ISO week number
--   of ISO year − 1 (for week 53 of a year whose previous year has 52 weeks: none, null).
--   Comparisons are made at the same level key and product group; their weeks are read
--   even when they lie before week_from. The sums and comparisons are
--   base/sales_by_level_week's, shared with avg_price_per_carton and key_brand_share.
--
-- Parameters:
--   $level          city | department | territory | cm | retailer
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                    date     Monday of the ISO week
--   level_key               varchar  code at the level ('city' for the whole city)
--   level_name              varchar  its Chinese name
--   product_key             varchar  'all', the 价类, the brand or the spec code
--   product_name            varchar  the spec's name at spec level, else product_key
--   sales_qty               double   Σ sales of the week, 条
--   sales_value             double   Σ sales × wholesale price, 元
--   prev_week_sales_qty     double   the same for week − 7 days, 条 (null: no known sales)
--   prev_week_sales_value   double   元
--   wow_growth              double   sales_qty ÷ prev_week_sales_qty − 1 (null if undefined)
--   same_period_week        date     Monday of the same ISO week last year (null: none)
--   sp_sales_qty            double   sales of the same period, 条
--   sp_sales_value          double   元
--   sp_growth               double   sales_qty ÷ sp_sales_qty − 1 (null if undefined)
--   sp_value_growth         double   sales_value ÷ sp_sales_value − 1 (null if undefined)

with

final as (
    select
        w.week,
        w.level_key,
        n.level_name,
        w.product_key,
        coalesce(s.spec_name, w.product_key) as product_name,
        w.sales_qty,
        w.sales_value,
        w.prev_week_sales_qty,
        w.prev_week_sales_value,
        w.sales_qty / nullif(w.prev_week_sales_qty, 0) - 1 as wow_growth,
        w.same_period_week,
        w.sp_sales_qty,
        w.sp_sales_value,
        w.sales_qty / nullif(w.sp_sales_qty, 0) - 1 as sp_growth,
        w.sales_value / nullif(w.sp_sales_value, 0) - 1 as sp_value_growth,
    from ref('base/sales_by_level_week') as w
    left join ref('base/level_names') as n on n.level = $level and n.level_key = w.level_key
    left join spec as s on $product_level = 'spec' and s.spec_code = w.product_key
)

select * from final
order by week, level_key, product_key
