-- One row per retailer × spec × week of weekly_observation within the filters, keyed by
-- the level it counts toward: the shared base of the level-based metric queries, read
-- through ref('base/observation_at_level'). Not a metric itself.
-- Weeks: from three weeks before week_from (the lookback of 4-week averages) to week_to;
-- each metric keeps the weeks it needs.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   Mondays (any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns: every column of weekly_observation, then
--   brand, price_class                  varchar  the spec's
--   suggested_retail_price, wholesale_price  decimal  the spec's, 元/条
--   level_key                           varchar  code at the level ('city' for the city)

select
    o.*,
    s.brand,
    s.price_class,
    s.suggested_retail_price,
    s.wholesale_price,
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
from weekly_observation as o
join spec as s using (spec_code)
where o.week between date_trunc('week', $week_from::date) - interval 21 days and date_trunc('week', $week_to::date)
  and ($format is null or o.format = $format)
  and ($tier_band is null or o.tier_band = $tier_band)
  and ($area_type is null or o.area_type = $area_type)
  and ($brand is null or s.brand = $brand)
  and ($price_class is null or s.price_class = $price_class)
  and ($spec_code is null or o.spec_code = $spec_code)
