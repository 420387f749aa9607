-- One row per level key × week: 价格指数 (price index, cross-section).
-- Do retailers sell above or below the suggested retail price? Sales-weighted actual
-- price over suggested price, ×100: 100 × Σ(retail_price · sales) ÷ Σ(suggested · sales),
-- over the observations (retailer × spec × week) with a price and sales > 0.
-- Above 100 the market is tight (紧俏); below about 95 it discounts (宽松).
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
--   suggested_value   double   Σ suggested_retail_price · sales, 元
--   observations      integer  priced observations (retailer × spec) in the week

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

observation as (
    select
        o.week,
        o.level_key,
        o.sales_qty::double as sales_qty,
        o.retail_price::double * o.sales_qty::double as retail_value,
        o.suggested_retail_price::double * o.sales_qty::double as suggested_value,
    from ref('base/observation_at_level', lookback_weeks='3', product_level='all') as o
    cross join params as p
    where o.week between p.week_from and p.week_to
      and o.retail_price is not null
      and o.sales_qty > 0
),

level_week as (
    select
        week,
        level_key,
        sum(sales_qty) as sales_qty,
        sum(retail_value) as retail_value,
        sum(suggested_value) as suggested_value,
        count(*)::integer as observations,
    from observation
    group by all
),

level_name as (
    select 'city' as level, 'city' as level_key, '全市' as level_name
    union all select 'department', department_code, department_name from department
    union all select 'territory', territory_code, territory_name from territory
    union all select 'cm', cm_code, cm_name from customer_manager
    union all select 'retailer', license_no, retailer_name from retailer
    union all select distinct 'brand', brand, brand from spec
    union all select distinct 'price_class', price_class, price_class from spec
    union all select 'spec', spec_code, spec_name from spec
),

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
    from level_week as w
    left join level_name as n on n.level = $level and n.level_key = w.level_key
)

select * from final
order by week, level_key
