-- One row per monitoring point (存销比监控点): the bands and thresholds of each customer
-- group, as the marketing center edits them ('*' = any).
--
-- Parameters: none.
-- Columns:
--   format, tier_band, area_type   varchar  the customer group, '*' = any
--   ratio_low, ratio_high          double   存销比 band: below is 断货风险, above is 积压
--   index_tight, index_loose       double   价格指数 thresholds: at or above tight, below loose
--   target_cover                   double   weeks of cover supply aims for

select *
from monitoring_point
order by format, tier_band, area_type
