-- One row per 档位 band, lowest tiers first: the tier-band filter's options.
--
-- Parameters: none.
-- Columns:
--   tier_band  varchar  e.g. 01-05

select tier_band
from tier_band
order by tier_from
