-- One row per level key × product group × week: 单条均价 (average price per carton).
-- Is the sales structure moving up (结构提升)? Sales value at wholesale price ÷ sales
-- volume, against the same ISO week of last year (同期). A ratio of sums: a level's
-- average is weighted by what sold, never a mean of its children's averages.
--
-- Over the observations (retailer × spec × week) whose week sales are known:
--   avg_price_per_carton = Σ sales × wholesale price ÷ Σ sales, 元/条 (null when nothing
--   sold). The same period (同期) is the same ISO week number of ISO year − 1 (for week 53
--   of a year whose previous year has 52 weeks: none, null); its weeks are read even when
--   they lie before week_from. Each week is valued at the wholesale prices in force that
--   week (spec_price), the same period included, so a 调价 moves the figure from its week
--   on and never rewrites the past. The sums are
--   base/sales_by_level_week's, shared with sales_volume and key_brand_share.
--
-- Parameters:
--   $level          city | department | territory | cm | retailer
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                     date     Monday of the ISO week
--   level_key                varchar  code at the level ('city' for the whole city)
--   level_name               varchar  its Chinese name
--   product_key              varchar  'all', the 价类, the brand or the spec code
--   sales_qty                double   Σ sales, 条
--   sales_value              double   Σ sales × wholesale price, 元
--   avg_price_per_carton     double   sales_value ÷ sales_qty, 元/条
--   same_period_week         date     Monday of the same ISO week last year (null: none)
--   sp_sales_qty             double   sales of the same period, 条
--   sp_sales_value           double   元
--   sp_avg_price_per_carton  double   the same period's average, 元/条
--   sp_growth                double   avg_price_per_carton ÷ sp_avg_price_per_carton − 1

with

final as (
    select
        w.week,
        w.level_key,
        n.level_name,
        w.product_key,
        w.sales_qty,
        w.sales_value,
        w.sales_value / nullif(w.sales_qty, 0) as avg_price_per_carton,
        w.same_period_week,
        w.sp_sales_qty,
        w.sp_sales_value,
        w.sp_sales_value / nullif(w.sp_sales_qty, 0) as sp_avg_price_per_carton,
        (w.sales_value / nullif(w.sales_qty, 0)) / nullif(w.sp_sales_value / nullif(w.sp_sales_qty, 0), 0) - 1
            as sp_growth,
    from ref('base/sales_by_level_week') as w
    left join ref('base/level_names') as n on n.level = $level and n.level_key = w.level_key
)

select * from final
order by week, level_key, product_key
