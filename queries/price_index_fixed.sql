-- One row per level key × week with a price observation: 市场零售价格指数 (market retail
-- price index), the industry's fixed-weight 价格指数. Provincial analyses take the suggested
-- retail price as the base price, the observed actual retail prices of the monitored specs
-- as current prices and last year's commercial sales (商业销量) of each spec as fixed
-- weights, so a change of this week's sales mix does not move it:
--   100 × Σ_s p̄_s · Q_s ÷ Σ_s p_suggested,s · Q_s
-- over the specs observed in the week and level key; a spec without a price observation
-- drops out of both sums. price_index is the current-weight form (this week's sales).
--   p̄_s            actual price: the mean of the week's price observations of spec s (one
--                   per retailer, its price at the week's last priced visit), every
--                   observed retailer once, whether its week sales are known, zero or
--                   positive: the index reads prices, not this week's sales.
--   p_suggested,s  the suggested retail price of spec s in force in the week.
--   Q_s            the fixed weight, base/fixed_weight's: average weekly commercial sales
--                   (quantity supplied to retailers) of spec s in the weight year, the ISO
--                   year before the week's; a new spec (新品, launched in the weight year or
--                   later) weighs by its first 13 weeks since launch, from its 14th week on.
--                   A spec observed without a weight (a new spec in its first 13 weeks, a
--                   spec not supplied last year) stays out of both sums: unweighted_specs.
-- Weights are the level key's own (a 片区's index weighs by that 片区's commercial sales, as
-- the provincial index weighs by the whole province's): a 市场部, 片区 or customer-manager scope
-- shows the figure the city shows for that key at those levels (at the retailer level a
-- last year's weight divides by the scope's weeks held: base/fixed_weight). The weights
-- change at the first week of each ISO year.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week              date     Monday of the ISO week
--   level_key         varchar  code at the level ('city' for the whole city)
--   level_name        varchar  its Chinese name
--   price_index       double   100 × retail_value ÷ suggested_value; null without a weighted spec
--   weight_year       integer  the ISO year whose commercial sales are the weights
--   weight_weeks      integer  weeks of the weight year held, the level key's own at the city, a
--                              市场部, 片区 or manager (null without a weighted spec)
--   retail_value      double   Σ p̄_s · Q_s over the weighted specs, 元/周
--   suggested_value   double   Σ p_suggested,s · Q_s over the weighted specs, 元/周
--   weight_qty        double   Σ Q_s over the weighted specs, 条/周
--   specs             integer  specs observed with a weight
--   new_specs         integer  of those, weighted by their first 13 weeks (新品)
--   unweighted_specs  integer  specs observed without a weight, out of the index
--   observations      integer  price observations (retailer × spec) in the week


with

weight as (
    select * from ref('base/fixed_weight')
)

select * from ref('base/fixed_index')
order by week, level_key
