-- One row per spec × week from $lookback_weeks before week_from to week_to: the spec's
-- prices in force that week, read through ref('base/spec_price_in_week'). Not a metric itself.
--
-- Prices have history (调价): spec_price holds one row per period. A week takes the period
-- holding its Monday (valid_from ≤ Monday < valid_to), as a retailer's week takes the
-- assignment in force on its Monday, so a price effective mid-week counts from the next
-- week. A spec without a period there (a store filled other than through the importer)
-- takes the spec's own prices. Callers fix $lookback_weeks in their ref().
--
-- Parameters:
--   $week_from, $week_to   Mondays (any day means its week), inclusive
--   $lookback_weeks        weeks read before week_from
-- Columns:
--   week                    date     Monday of the ISO week
--   spec_code               varchar  the spec
--   wholesale_price         decimal  批发价 in force, 元/条
--   suggested_retail_price  decimal  建议零售价 in force, 元/条

with

price_week as (
    select gs.week::date as week,
    from unnest(generate_series(
        (date_trunc('week', $week_from::date) - to_days(7 * $lookback_weeks::integer))::date,
        date_trunc('week', $week_to::date)::date,
        interval 7 day
    )) as gs(week)
)

select
    w.week,
    s.spec_code,
    coalesce(p.wholesale_price, s.wholesale_price) as wholesale_price,
    coalesce(p.suggested_retail_price, s.suggested_retail_price) as suggested_retail_price,
from price_week as w
cross join spec as s
left join spec_price as p
    on p.spec_code = s.spec_code
    and p.valid_from <= w.week
    and (p.valid_to is null or w.week < p.valid_to)
