-- One row per level key × week: 价格执行率 (price compliance).
-- How often do retailers keep to the suggested retail price? The share of price
-- observations (retailer × spec × week with a price, the week's last priced visit) whose
-- price is within ± tolerance of the suggested retail price, bounds included:
--   |retail_price − suggested| ≤ tolerance × suggested,
-- with the suggested retail price in force in the week (prices have history, 调价).
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
--   $tolerance  relative band, e.g. 0.02 for ±2%; null = setting `price_tolerance`
-- Columns:
--   week              date     Monday of the ISO week
--   level_key         varchar  code at the level ('city' for the whole city)
--   level_name        varchar  its Chinese name
--   compliance_rate   double   compliant ÷ observations; null without price observations
--   observations      integer  price observations
--   compliant         integer  within the band
--   above             integer  above the band (selling dear)
--   below             integer  below the band (discounting)
--   tolerance         double   the band used

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        coalesce(
            $tolerance::double,
            (select value from setting where key = 'price_tolerance')
        ) as tolerance,
),

observation as (
    select
        o.week,
        o.level_key,
        o.retail_price::double - o.suggested_retail_price::double as gap,
        -- a hair of slack so that a price exactly on the bound is not lost to rounding
        p.tolerance * o.suggested_retail_price::double + 1e-9 as allowed,
    from ref('base/observation_at_level', lookback_weeks='3', product_level='all') as o
    cross join params as p
    where o.week between p.week_from and p.week_to
      and o.retail_price is not null
),

level_week as (
    select
        week,
        level_key,
        count(*)::integer as observations,
        count(*) filter (where abs(gap) <= allowed)::integer as compliant,
        count(*) filter (where gap > allowed)::integer as above,
        count(*) filter (where gap < -allowed)::integer as below,
    from observation
    group by all
),

final as (
    select
        w.week,
        w.level_key,
        n.level_name,
        w.compliant / w.observations as compliance_rate,
        w.observations,
        w.compliant,
        w.above,
        w.below,
        p.tolerance,
    from level_week as w
    cross join params as p
    left join ref('base/level_names') as n on n.level = $level and n.level_key = w.level_key
)

select * from final
order by week, level_key
