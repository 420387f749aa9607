-- One row per level key × week: 零售毛利率 (retail margin).
-- What share of the retailers' takings is their margin over the wholesale price?
-- Σ (retail_price − wholesale_price) · sales ÷ Σ retail_price · sales, over the
-- observations (retailer × spec × week) with a price and sales > 0, at the wholesale price
-- in force in the week (a 调价 changes the weeks from its effective date on). With the price
-- index and the weeks of cover, one of the three signals of market state. The sums are
-- base/priced_sales_by_level_week's, shared with price_index.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week              date     Monday of the ISO week
--   level_key         varchar  code at the level ('city' for the whole city)
--   level_name        varchar  its Chinese name
--   retail_margin     double   margin_value ÷ retail_value (0.12 = 12%); null without priced sales
--   retail_value      double   Σ retail_price · sales, 元
--   margin_value      double   Σ (retail_price − wholesale_price in force) · sales, 元
--   sales_qty         double   Σ sales of the priced observations, 条
--   observations      integer  priced observations (retailer × spec) in the week

with

final as (
    select
        w.week,
        w.level_key,
        n.level_name,
        w.margin_value / nullif(w.retail_value, 0) as retail_margin,
        w.retail_value,
        w.margin_value,
        w.sales_qty,
        w.observations,
    from ref('base/priced_sales_by_level_week') as w
    left join ref('base/level_names') as n on n.level = $level and n.level_key = w.level_key
)

select * from final
order by week, level_key
