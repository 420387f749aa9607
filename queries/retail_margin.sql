-- One row per level key × week: 零售毛利率 (retail margin).
-- What share of the retailers' takings is their margin over the wholesale price?
-- Σ (retail_price − wholesale_price) · sales ÷ Σ retail_price · sales, over the
-- observations (retailer × spec × week) with a price and sales > 0. With the price
-- index and the weeks of cover, one of the three signals of market state.
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
--   margin_value      double   Σ (retail_price − wholesale_price) · sales, 元
--   sales_qty         double   Σ sales of the priced observations, 条
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
        (o.retail_price - o.wholesale_price)::double * o.sales_qty::double as margin_value,
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
        sum(retail_value) as retail_value,
        sum(margin_value) as margin_value,
        sum(sales_qty) as sales_qty,
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
        w.margin_value / nullif(w.retail_value, 0) as retail_margin,
        w.retail_value,
        w.margin_value,
        w.sales_qty,
        w.observations,
    from level_week as w
    left join level_name as n on n.level = $level and n.level_key = w.level_key
)

select * from final
order by week, level_key
