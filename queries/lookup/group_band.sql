-- One row (none when no point matches): the monitoring point of one customer group, the
-- most specific match, decided as market_state decides it: the row matching the group
-- with the most named fields ('*' matches anything); on a tie a named 业态 beats a named
-- 档位 band, which beats a named 城网/农网. A null filter matches '*' only, so with no
-- filter it is the city-wide point ('*' everywhere).
--
-- Parameters:
--   $format, $tier_band, $area_type   the customer group, null = any
-- Columns: those of lookup/monitoring_points.

select *
from monitoring_point
where format in ($format, '*')
  and tier_band in ($tier_band, '*')
  and area_type in ($area_type, '*')
order by
    (format <> '*')::integer + (tier_band <> '*')::integer + (area_type <> '*')::integer desc,
    format <> '*' desc,
    tier_band <> '*' desc,
    area_type <> '*' desc
limit 1
