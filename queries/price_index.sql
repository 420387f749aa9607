-- One row per level key × week: 价格指数 (price index, cross-section).
-- Do retailers sell above or below the suggested retail price? Sales-weighted actual
-- price over suggested price, ×100: 100 × Σ(retail_price · sales) ÷ Σ(suggested · sales),
-- over the observations (retailer × spec × week) with a price and sales > 0.
-- The suggested price is the one in force in the week (prices have history: a 调价 from its
-- effective date leaves earlier weeks at the old price).
-- Above 100 the market is tight (紧俏); below about 95 it discounts (宽松). The sums are
-- base/priced_sales_by_level_week's, shared with retail_margin.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week              date     Monday of the ISO week
--   level_key         varchar  code at the level ('city' for the whole city)
--   level_name        varchar  its Chinese name
--   price_index       double   100 × Σ actual value ÷ Σ suggested value; null without priced sales
--   sales_qty         double   Σ sales of the priced observations (the weights), 条
--   retail_value      double   Σ retail_price · sales, 元
--   suggested_value   double   Σ suggested_retail_price (in force that week) · sales, 元
--   observations      integer  priced observations (retailer × spec) in the week

with

final as (
    select
        w.week,
        w.level_key,
        n.level_name,
        100 * w.retail_value / nullif(w.suggested_value, 0) as price_index,
        w.sales_qty,
        w.retail_value,
        w.suggested_value,
        w.observations,
    from ref('base/priced_sales_by_level_week') as w
    left join ref('base/level_names') as n on n.level = $level and n.level_key = w.level_key
)

select * from final
order by week, level_key
