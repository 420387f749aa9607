-- One row per new spec (新品): a spec whose launch week lies within the 52 weeks ending at
-- week_to, within the spec filters; the new specs new_brand_uptake follows and
-- cm_scorecard counts, read through ref('base/new_spec'). Not a metric itself.
--
-- The launch week is the Monday of launch_date; weeks_since_launch at week_to is 0 … 51.
-- A spec launched after week_to is not new yet.
--
-- Parameters:
--   $week_to    last week (a Monday; any day means its week)
--   $brand, $price_class, $spec_code   spec filters, null = all
-- Columns:
--   spec_code, spec_name, brand  varchar  the spec
--   launch_week                  date     Monday of its launch week

select
    s.spec_code,
    s.spec_name,
    s.brand,
    date_trunc('week', s.launch_date)::date as launch_week,
from spec as s
where date_trunc('week', s.launch_date)::date
        between date_trunc('week', $week_to::date)::date - interval 51 weeks and date_trunc('week', $week_to::date)::date
  and ($brand is null or s.brand = $brand)
  and ($price_class is null or s.price_class = $price_class)
  and ($spec_code is null or s.spec_code = $spec_code)
