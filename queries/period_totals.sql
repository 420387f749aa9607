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

-- a year to date and its same span last year reach at most 105 weeks back
level_week as (
    select * from ref('base/level_week_sums', lookback_weeks='106')
)

select * from ref('base/period_sums')
order by week, level_key, product_key, case period when 'month' then 1 when 'quarter' then 2 else 3 end
