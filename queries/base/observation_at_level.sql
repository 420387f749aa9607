-- One row per retailer × spec × week of weekly_observation within the filters, keyed by
-- the level it counts toward: the shared base of the level-based metric queries, read
-- through ref('base/observation_at_level'). Not a metric itself.
-- Weeks: from $lookback_weeks before week_from (3 for 4-week averages, 53 for the same
-- ISO week last year) to week_to; each metric keeps the weeks it needs. Callers fix
-- $lookback_weeks and, unless they take it from the user, $product_level in their ref().
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $product_level  all | price_class | brand | spec
--   $lookback_weeks weeks read before week_from
--   $week_from, $week_to   Mondays (any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns: every column of weekly_observation, then
--   brand, price_class                  varchar  the spec's
--   suggested_retail_price, wholesale_price  decimal  the spec's in force that week, 元/条
--                                       (base/spec_price_in_week: prices have history, 调价)
--   is_key_brand                        boolean  重点品牌
--   level_key                           varchar  code at the level ('city' for the city)
--   product_key                         varchar  code at the product level ('all' for all)

with

-- each spec's attributes and its prices in force, week by week (a few thousand rows): one join
-- per observation instead of one with spec and another with the prices
spec_week as (
    select sp.week, sp.spec_code, sp.suggested_retail_price, sp.wholesale_price, s.brand, s.price_class, s.is_key_brand,
    from ref('base/spec_price_in_week') as sp
    join spec as s using (spec_code)
)

select
    o.*,
    s.brand,
    s.price_class,
    s.suggested_retail_price,
    s.wholesale_price,
    s.is_key_brand,
    case $level
        when 'city' then 'city'
        when 'department' then o.department_code
        when 'territory' then o.territory_code
        when 'cm' then o.cm_code
        when 'retailer' then o.license_no
        when 'brand' then s.brand
        when 'price_class' then s.price_class
        when 'spec' then o.spec_code
        else error('未知层级 / unknown level: ' || $level)
    end as level_key,
    case $product_level
        when 'all' then 'all'
        when 'price_class' then s.price_class
        when 'brand' then s.brand
        when 'spec' then o.spec_code
        else error('未知产品层级 / unknown product level: ' || $product_level)
    end as product_key,
from weekly_observation as o
-- spec_week holds every spec in every week of the range read, as spec_price_in_week does
join spec_week as s on s.spec_code = o.spec_code and s.week = o.week
where o.week between date_trunc('week', $week_from::date) - to_days(7 * $lookback_weeks::integer)
                 and date_trunc('week', $week_to::date)
  and ($format is null or o.format = $format)
  and ($tier_band is null or o.tier_band = $tier_band)
  and ($area_type is null or o.area_type = $area_type)
  and ($brand is null or s.brand = $brand)
  and ($price_class is null or s.price_class = $price_class)
  and ($spec_code is null or o.spec_code = $spec_code)
