-- One row per level key × product group × week: 重点品牌比重 (key-brand share of sales).
-- What share of the week's sales came from key brands (重点品牌), against the same ISO
-- week of last year (同期)? A ratio of sums, never a mean of the children's shares.
--
-- Over the observations (retailer × spec × week) whose week sales are known:
--   key_brand_share = Σ sales of specs with is_key_brand ÷ Σ sales of all specs
--   (null when nothing sold). The same period (同期) is the same ISO week number of ISO
--   year − 1 (for week 53 of a year whose previous year has 52 weeks: none, null); its
--   weeks are read even when they lie before week_from. The sums are
--   base/sales_by_level_week's, shared with sales_volume and avg_price_per_carton.
--   At product level brand or spec the share is 0 or 1 by construction; the useful
--   product levels are all and price_class (key brands' share within each 价类).
--
-- Parameters:
--   $level          city | department | territory | cm | retailer
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                date     Monday of the ISO week
--   level_key           varchar  code at the level ('city' for the whole city)
--   level_name          varchar  its Chinese name
--   product_key         varchar  'all', the 价类, the brand or the spec code
--   sales_qty           double   Σ sales of the week, 条
--   key_sales_qty       double   of which key brands, 条
--   key_brand_share     double   key_sales_qty ÷ sales_qty (0–1); null if nothing sold
--   same_period_week    date     Monday of the same ISO week last year (null: none)
--   sp_sales_qty        double   sales of the same period, 条
--   sp_key_sales_qty    double   of which key brands, 条
--   sp_key_brand_share  double   the same period's share (0–1)
--   share_change        double   key_brand_share − sp_key_brand_share (fraction points)

with

final as (
    select
        w.week,
        w.level_key,
        n.level_name,
        w.product_key,
        w.sales_qty,
        w.key_sales_qty,
        w.key_sales_qty / nullif(w.sales_qty, 0) as key_brand_share,
        w.same_period_week,
        w.sp_sales_qty,
        w.sp_key_sales_qty,
        w.sp_key_sales_qty / nullif(w.sp_sales_qty, 0) as sp_key_brand_share,
        w.key_sales_qty / nullif(w.sales_qty, 0) - w.sp_key_sales_qty / nullif(w.sp_sales_qty, 0) as share_change,
    from ref('base/sales_by_level_week') as w
    left join ref('base/level_names') as n on n.level = $level and n.level_key = w.level_key
)

select * from final
order by week, level_key, product_key
