-- One row per roll-up cell (spec × week × customer manager, schema 014) within the filters,
-- keyed by the level it counts toward: the additive sums behind the level-based metric
-- queries, read through ref('base/cell_at_level'). Not a metric itself.
-- The cells sum weekly_observation's rows (retailer × spec × week), so every sum here equals
-- the same sum over base/observation_at_level; a page reads about twenty times fewer rows.
-- Which grain answers (aggregate awareness; the unused branches are pruned when planned):
--   retailer level            weekly_observation itself, one cell per observation;
--   a customer-group filter   spec_group_week (业态, 档位 band, 城网/农网 kept as keys);
--   else                      spec_cm_week.
-- Weeks: from $lookback_weeks before week_from to week_to, as base/observation_at_level.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $product_level  all | price_class | brand | spec
--   $lookback_weeks weeks read before week_from
--   $week_from, $week_to   Mondays (any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week, spec_code                     the cell's week and spec
--   observations, known_sales           observations in the cell, those with known sales
--   sales_qty                           decimal  Σ known sales, 条 (null: none known)
--   priced_observations                 integer  observations with a retail price and sales > 0
--   priced_sales_qty, retail_value      decimal  Σ sales and Σ retail_price · sales of those
--   price_observations, retail_price_sum         observations with a retail price, Σ that price
--   demand_qty, supplied_qty            decimal  Σ ordered and supplied, 条
--   order_lines, filled_order_lines, visit_lines integer
--   brand, price_class, is_key_brand    the spec's
--   suggested_retail_price, wholesale_price  decimal  the spec's in force that week, 元/条
--   level_key                           varchar  code at the level ('city' for the city)
--   product_key                         varchar  code at the product level ('all' for all)

with

cell as (
    select
        c.week, c.spec_code, c.department_code, c.territory_code, c.cm_code, null::varchar as license_no,
        c.observations, c.known_sales, c.sales_qty, c.priced_observations, c.priced_sales_qty, c.retail_value,
        c.price_observations, c.retail_price_sum, c.demand_qty, c.supplied_qty, c.order_lines,
        c.filled_order_lines, c.visit_lines,
    from spec_cm_week as c
    where $level <> 'retailer'
      and $format is null and $tier_band is null and $area_type is null

    union all

    select
        c.week, c.spec_code, c.department_code, c.territory_code, c.cm_code, null::varchar as license_no,
        c.observations, c.known_sales, c.sales_qty, c.priced_observations, c.priced_sales_qty, c.retail_value,
        c.price_observations, c.retail_price_sum, c.demand_qty, c.supplied_qty, c.order_lines,
        c.filled_order_lines, c.visit_lines,
    from spec_group_week as c
    where $level <> 'retailer'
      and not ($format is null and $tier_band is null and $area_type is null)
      and ($format is null or c.format = $format)
      and ($tier_band is null or c.tier_band = $tier_band)
      and ($area_type is null or c.area_type = $area_type)

    union all

    select
        o.week, o.spec_code, o.department_code, o.territory_code, o.cm_code, o.license_no,
        1 as observations,
        (o.sales_qty is not null)::integer as known_sales,
        o.sales_qty,
        (o.retail_price is not null and o.sales_qty > 0)::integer as priced_observations,
        case when o.retail_price is not null and o.sales_qty > 0 then o.sales_qty end as priced_sales_qty,
        case when o.retail_price is not null and o.sales_qty > 0 then o.retail_price * o.sales_qty end
            as retail_value,
        (o.retail_price is not null)::integer as price_observations,
        o.retail_price as retail_price_sum,
        o.demand_qty, o.supplied_qty, o.order_lines, o.filled_order_lines, o.visit_lines,
    from weekly_observation as o
    where $level = 'retailer'
      and ($format is null or o.format = $format)
      and ($tier_band is null or o.tier_band = $tier_band)
      and ($area_type is null or o.area_type = $area_type)
)

select
    c.*,
    s.brand,
    s.price_class,
    s.is_key_brand,
    sp.suggested_retail_price,
    sp.wholesale_price,
    case $level
        when 'city' then 'city'
        when 'department' then c.department_code
        when 'territory' then c.territory_code
        when 'cm' then c.cm_code
        when 'retailer' then c.license_no
        when 'brand' then s.brand
        when 'price_class' then s.price_class
        when 'spec' then c.spec_code
        else error('未知层级 / unknown level: ' || $level)
    end as level_key,
    case $product_level
        when 'all' then 'all'
        when 'price_class' then s.price_class
        when 'brand' then s.brand
        when 'spec' then c.spec_code
        else error('未知产品层级 / unknown product level: ' || $product_level)
    end as product_key,
from cell as c
join spec as s using (spec_code)
left join ref('base/spec_price_in_week') as sp on sp.spec_code = c.spec_code and sp.week = c.week
where c.week between date_trunc('week', $week_from::date) - to_days(7 * $lookback_weeks::integer)
                 and date_trunc('week', $week_to::date)
  and ($brand is null or s.brand = $brand)
  and ($price_class is null or s.price_class = $price_class)
  and ($spec_code is null or c.spec_code = $spec_code)
